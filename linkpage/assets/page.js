// page.js runs Plaid Link and reports its callbacks to plaid-onboard.
//
// Everything it needs comes from data- attributes on #app, escaped by the
// server's html/template. Callbacks are posted one after another on a single
// promise chain, so the server sees them in the order Link called them, even
// when Link delivers a burst of events around onSuccess or onExit.
(function () {
  'use strict';

  var app = document.getElementById('app');
  var cfg = {
    token: app.dataset.linkToken,
    nonce: app.dataset.sessionNonce,
    cspNonce: app.dataset.cspNonce,
    sdkURL: app.dataset.sdkUrl,
    sdkOrigin: app.dataset.sdkOrigin,
    mode: app.dataset.mode
  };
  var NONCE_HEADER = 'X-Link-Nonce';
  function headers(extra) {
    var h = extra || {};
    h[NONCE_HEADER] = cfg.nonce;
    return h;
  }
  var POLL_MS = 1000;
  var MAX_POLL_FAILURES = 5;

  var el = {
    title: document.getElementById('status-title'),
    detail: document.getElementById('status-detail'),
    reopen: document.getElementById('reopen'),
    reload: document.getElementById('reload'),
    events: document.getElementById('events'),
    eventCount: document.getElementById('event-count'),
    eventList: document.getElementById('event-list')
  };

  var handler = null;
  var resumed = cfg.mode === 'resume';
  var linkOpen = false;
  var institution = '';
  var finished = false;
  var eventCount = 0;
  // canReopen: the terminal still waits for this Link session (the last /status said so),
  // so after Link closes the page may offer to open it again. Unknown until the first
  // answer, and false for good once the flow is finished.
  var canReopen = false;
  // baseDetail is the page's own account of an exit or a blocked script; what to do next is
  // added to it once the page knows whether the terminal still waits.
  var baseDetail = '';
  function join(a, b) { return a && b ? a + ' ' + b : (a || b); }

  // show puts the page in a state: data-state drives the indicator and colours.
  function show(state, title, detail, buttons) {
    buttons = buttons || {};
    app.dataset.state = state;
    el.title.textContent = title;
    el.detail.textContent = detail || '';
    el.detail.hidden = !detail;
    el.reopen.hidden = !buttons.reopen;
    el.reload.hidden = !buttons.reload;
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // --- talking to plaid-onboard -------------------------------------------

  // post sends one callback, retrying network failures and 5xx a few times.
  // 4xx answers are final: the server has decided.
  function post(path, body) {
    var payload = JSON.stringify(body);
    var attempt = 0;
    function once() {
      attempt++;
      return fetch(path, {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json' }),
        body: payload,
        cache: 'no-store',
        credentials: 'same-origin',
        redirect: 'error',
        // Let a callback finish even if the user closes the tab right away.
        keepalive: payload.length < 60000
      }).then(function (res) {
        if (res.ok) { return res; }
        if (res.status >= 500 && attempt < 3) { return sleep(400 * attempt).then(once); }
        var err = new Error('plaid-onboard answered ' + res.status);
        err.status = res.status;
        throw err;
      }, function (err) {
        if (attempt < 3) { return sleep(400 * attempt).then(once); }
        throw err;
      });
    }
    return once();
  }

  var chain = Promise.resolve();
  // send queues a callback behind every earlier one.
  function send(path, body) {
    var p = chain.then(function () { return post(path, body); });
    chain = p.catch(function () {});
    return p;
  }

  var pollFailures = 0;
  var pollTimer = null;
  function poll() {
    pollTimer = null;
    if (finished) { return; }
    fetch('/status', { headers: headers(), cache: 'no-store', credentials: 'same-origin' })
      .then(function (res) {
        if (!res.ok) { throw new Error('status ' + res.status); }
        return res.json();
      })
      .then(function (st) {
        pollFailures = 0;
        if (st.finished) { finish(st); return; }
        canReopen = !!st.reopen;
        offerNextStep();
        schedulePoll(POLL_MS);
      }, function () {
        pollFailures++;
        if (pollFailures >= MAX_POLL_FAILURES) { gone(); } else { schedulePoll(POLL_MS); }
      });
  }
  function schedulePoll(ms) {
    if (pollTimer !== null) { clearTimeout(pollTimer); }
    pollTimer = setTimeout(poll, ms);
  }
  // pollNow asks at once, so the page learns whether the terminal still waits right after
  // it reported an exit, rather than a second later.
  function pollNow() { if (!finished) { schedulePoll(0); } }

  // offerNextStep shows the button that gets past a closed Link or a blocked script, only
  // while the terminal can still use this session.
  function offerNextStep() {
    var st = app.dataset.state;
    var live = canReopen && !finished;
    var exited = st === 'exited' || st === 'exited-error';
    el.reopen.hidden = !(live && exited);
    el.reload.hidden = !(live && st === 'blocked');
    if (!finished && (exited || st === 'blocked')) {
      var next = '';
      if (live) { next = exited ? 'Reopen it to try again, or return to the terminal.' : 'Then reload this page.'; }
      el.detail.textContent = join(baseDetail, next);
      el.detail.hidden = !el.detail.textContent;
    }
  }

  // finish shows the outcome the program gave to Finish. The program's
  // message is the whole sentence ("Connected to First Platypus Bank. You can
  // close this tab..."), so it goes under a short headline of the page's own.
  function finish(st) {
    var state = app.dataset.state;
    var kept = state === 'exited' || state === 'exited-error' || state === 'blocked';
    var keptTitle = el.title.textContent;
    finished = true;
    canReopen = false;
    if (linkOpen && handler) {
      linkOpen = false;
      try { handler.exit({ force: true }); } catch (e) { /* Link may already be gone */ }
    }
    var msg = st.message || 'Return to the terminal for the details and what to do next.';
    if (st.ok) {
      show('done', 'All set', st.message || 'You can close this tab and return to the terminal.');
    } else if (kept) {
      // What the page saw (Link's exit, the blocked script) stays the headline; the
      // terminal's sentence says what happens now.
      show(state, keptTitle, join(baseDetail, msg));
    } else if (st.ending === 'closed') {
      // The user quit or moved on in the terminal: not a failure.
      show('closed', 'Closed from the terminal', msg);
    } else {
      show('failed', 'Something went wrong', msg);
    }
  }

  // gone: plaid-onboard stopped answering, so nothing more can be reported.
  function gone() {
    var state = app.dataset.state;
    finished = true;
    canReopen = false;
    if (state === 'blocked' || state === 'exited' || state === 'exited-error') {
      // Keep what the page saw: it is the reason, and the terminal stopping is its consequence.
      show(state, el.title.textContent,
        join(baseDetail, 'plaid-onboard is no longer running: run it again from the terminal.'));
      return;
    }
    show('gone', 'plaid-onboard is no longer running',
      'This page cannot report back any more. Return to the terminal; you can close this tab.');
  }

  // --- Link callbacks -----------------------------------------------------

  function logEvent(name, md) {
    eventCount++;
    var li = document.createElement('li');
    var strong = document.createElement('strong');
    strong.textContent = name;
    li.appendChild(strong);
    var extra = md && (md.view_name || md.institution_name || md.error_code);
    if (extra) { li.appendChild(document.createTextNode(' ' + extra)); }
    el.eventList.appendChild(li);
    el.eventCount.textContent = String(eventCount);
    el.events.hidden = false;
  }

  function onEvent(name, metadata) {
    if (finished) { return; }
    logEvent(name, metadata);
    send('/callback/event', { event_name: name, metadata: metadata || null })
      .catch(function (err) { console.warn('plaid-onboard did not take event ' + name + ':', err); });
  }

  function onSuccess(publicToken, metadata) {
    linkOpen = false;
    if (finished) { return; }
    institution = (metadata && metadata.institution && metadata.institution.name) || '';
    show('connected',
      institution ? 'Connected to ' + institution : 'Connected',
      'Finishing in the terminal…');
    send('/callback/success', { public_token: publicToken, metadata: metadata || null })
      .catch(function (err) {
        if (err.status === 409) { return; } // already delivered
        show('error', 'Could not hand the result to plaid-onboard',
          'Is it still running in your terminal? (' + (err.message || err) + ')');
      });
  }

  function onExit(error, metadata) {
    linkOpen = false;
    if (finished) { return; }
    var status = (metadata && metadata.status) || '';
    if (error) {
      var code = error.error_code || error.error_type || 'error';
      baseDetail = join(error.display_message || error.error_message || '', status ? '(Link was at ' + status + '.)' : '');
      show('exited-error', 'Link closed: ' + code, baseDetail);
    } else {
      // The user closed Link on purpose: say so plainly, without alarm.
      baseDetail = 'You closed Link before connecting an account.';
      show('exited', 'Link closed', baseDetail);
    }
    offerNextStep();
    send('/callback/exit', { error: error || null, metadata: metadata || null })
      .then(pollNow, function (err) { console.warn('plaid-onboard did not take the exit:', err); });
  }

  // --- Link itself ----------------------------------------------------------

  function create(resume) {
    var conf = { token: cfg.token, onSuccess: onSuccess, onExit: onExit, onEvent: onEvent };
    // Link tags the <style> elements it injects with this nonce, which the
    // page's Content-Security-Policy allows.
    if (cfg.cspNonce) { conf.cspNonce = cfg.cspNonce; }
    // OAuth return: resume the session the bank redirected back to. Setting
    // this on a first open is an error, so only the resume page does.
    if (resume) { conf.receivedRedirectUri = window.location.href; }
    return window.Plaid.create(conf);
  }

  function openLink() {
    // Show the state first: Link may call back before open() returns.
    linkOpen = true;
    show('open', 'Link is open',
      resumed ? 'Finishing with your bank in the Plaid window.' : 'Continue in the Plaid window. This page updates when you are done.');
    try {
      handler.open();
    } catch (e) {
      linkOpen = false;
      show('error', 'Could not open Plaid Link', String(e && e.message || e), { reload: true });
    }
  }

  function sdkFailed(why) {
    if (finished) { return; }
    // Link will never call back: tell the terminal, so it stops waiting (or, in the terminal
    // UI, shows it) and says why.
    send('/callback/load-error', { reason: why + ' (' + cfg.sdkURL + ')' })
      .then(pollNow, function (err) { console.warn('plaid-onboard did not take the load error:', err); });
    baseDetail = why + ' It tried ' + cfg.sdkURL + '. An ad or tracker blocker, a proxy or firewall, or no network ' +
      'connection stops it: allow ' + cfg.sdkOrigin + ' (or set PLAID_LINK_SCRIPT_URL).';
    show('blocked', 'Plaid Link could not load', baseDetail);
    offerNextStep();
  }

  function start() {
    if (!window.Plaid || typeof window.Plaid.create !== 'function') {
      sdkFailed('The script loaded but did not define Plaid.create.');
      return;
    }
    try {
      handler = create(resumed);
    } catch (e) {
      show('error', 'Could not start Plaid Link', String(e && e.message || e), { reload: true });
      return;
    }
    openLink();
  }

  el.reopen.addEventListener('click', function () {
    if (!handler || finished) { return; }
    if (resumed) {
      // A resumed session has ended; reopen a fresh one with the same token.
      try { handler.destroy(); } catch (e) { /* already gone */ }
      resumed = false;
      try { handler = create(false); } catch (e) {
        show('error', 'Could not start Plaid Link', String(e && e.message || e), { reload: true });
        return;
      }
    }
    openLink();
  });
  el.reload.addEventListener('click', function () { window.location.reload(); });

  function loadSDK() {
    var script = document.createElement('script');
    var slow = setTimeout(function () {
      if (app.dataset.state === 'loading') {
        el.detail.textContent = 'Still waiting for ' + cfg.sdkOrigin + '…';
      }
    }, 15000);
    script.src = cfg.sdkURL;
    script.async = true;
    if (cfg.cspNonce) { script.nonce = cfg.cspNonce; }
    script.addEventListener('load', function () { clearTimeout(slow); start(); });
    script.addEventListener('error', function () {
      clearTimeout(slow);
      sdkFailed('The browser could not fetch the Link script.');
    });
    document.head.appendChild(script);
  }

  // Make policy violations visible in the console for whoever debugs this.
  document.addEventListener('securitypolicyviolation', function (e) {
    console.error('Content-Security-Policy blocked ' + (e.blockedURI || 'inline content') + ' (' + e.violatedDirective + ')');
  });

  show('loading', 'Loading Plaid Link…', 'Fetching Link from ' + cfg.sdkOrigin);
  loadSDK();
  poll();
})();
