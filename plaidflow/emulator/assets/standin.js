/*
 * The stand-in Link flow, inside the iframe that link-initialize.js (stand-in) inserts.
 * OFFLINE DEMO — NOT PLAID. Panes: CONSENT → SELECT_INSTITUTION → CREDENTIAL → (LOADING) →
 * SELECT_ACCOUNT → CONNECTED, or ERROR. It reports to the embedding page with postMessage,
 * to the origin the SDK passed and checked by the server, and only listens to that origin.
 */
(function () {
  'use strict';

  var SOURCE = 'plaid-link-stand-in';
  var params = new URLSearchParams(window.location.search);
  var token = params.get('token') || '';
  var parentOrigin = params.get('origin') || '';
  // Set when the page re-created Link after an OAuth bank sent it back (Plaid.create's
  // receivedRedirectUri): this Link resumes that session.
  var receivedRedirectUri = params.get('received_redirect_uri') || '';

  var el = {
    backdrop: document.getElementById('backdrop'),
    pane: document.getElementById('pane'),
    back: document.getElementById('back'),
    close: document.getElementById('close'),
  };

  // Exit status by view, as Link reports it in onExit's metadata.status.
  var EXIT_STATUS = {
    CONSENT: null,
    SELECT_INSTITUTION: 'institution_not_found',
    CREDENTIAL: 'requires_credentials',
    LOADING: 'requires_credentials',
    ERROR: 'requires_credentials',
    SELECT_ACCOUNT: 'requires_account_selection',
    MFA: 'requires_questions', // refined by the kind of round: see mfaExitStatus
    OAUTH: 'requires_oauth',
    CONNECTED: null,
  };

  var session = null; // what the link token allows (/link/stand-in/session)
  var sessionError = null; // the Plaid error if the link token is not usable
  var requestID = null; // of the last call to the server
  var st = null; // the open Link session

  // ---- messages to the embedding page ------------------------------------------------------

  function post(message) {
    message.source = SOURCE;
    window.parent.postMessage(message, parentOrigin);
  }

  function institutionMeta() {
    return st && st.inst ? { name: st.inst.name, institution_id: st.inst.institution_id } : null;
  }

  function emit(eventName, extra) {
    var m = {
      error_code: null,
      error_message: null,
      error_type: null,
      exit_status: null,
      institution_id: st && st.inst ? st.inst.institution_id : null,
      institution_name: st && st.inst ? st.inst.name : null,
      institution_search_query: null,
      mfa_type: null,
      view_name: null,
      request_id: requestID,
      link_session_id: st ? st.linkSessionID : null,
      timestamp: new Date().toISOString(),
    };
    Object.keys(extra || {}).forEach(function (k) { m[k] = extra[k]; });
    post({ type: 'event', eventName: eventName, metadata: m });
  }

  function linkError(err) {
    if (!err) return null;
    return {
      error_type: err.error_type,
      error_code: err.error_code,
      error_message: err.error_message,
      display_message: err.display_message,
    };
  }

  // ---- calls to the server ------------------------------------------------------------------

  function api(path, body) {
    var payload = Object.assign({ token: token }, body || {});
    return fetch('/link/stand-in/' + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
      credentials: 'same-origin',
    }).then(function (resp) {
      return resp.json().catch(function () { return null; }).then(function (j) {
        if (j && j.request_id) requestID = j.request_id;
        if (!resp.ok) {
          throw (j && j.error_code) ? j : {
            error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR',
            error_message: 'unexpected answer from the stand-in server', display_message: null,
          };
        }
        return j.data;
      });
    }, function () {
      throw {
        error_type: 'API_ERROR', error_code: 'INTERNAL_SERVER_ERROR',
        error_message: 'the stand-in server could not be reached', display_message: null,
      };
    });
  }

  // pause keeps the loading pane up long enough to be seen in a demo.
  function pause(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // ---- DOM helpers --------------------------------------------------------------------------

  function h(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') node.textContent = v;
      else if (k === 'className') node.className = v;
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    });
    var add = function (c) {
      if (c === null || c === undefined || c === false) return;
      if (Array.isArray(c)) c.forEach(add);
      else node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    };
    for (var i = 2; i < arguments.length; i++) add(arguments[i]);
    return node;
  }

  var ICONS = {
    link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
    lock: 'M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3',
    eye: 'M2 12s3.5-6 10-6 10 6 10 6-3.5 6-10 6S2 12 2 12zM12 9.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z',
    search: 'M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM20 20l-4-4',
    check: 'M6 12.5l4 4 8-9',
    bang: 'M12 7v6M12 17v.5',
  };

  function icon(name) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  function initials(name) {
    var words = name.replace(/[^A-Za-z ]/g, ' ').split(/\s+/).filter(Boolean);
    return (words[0] ? words[0][0] : '?') + (words[1] ? words[1][0] : '');
  }

  function bankBadge(inst) {
    var b = h('span', { className: 'bank', 'aria-hidden': 'true', text: initials(inst.name) });
    b.style.background = inst.color || '#3a4a63';
    return b;
  }

  function money(amount, currency) {
    if (amount === null || amount === undefined) return '—';
    try {
      return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency }).format(amount);
    } catch (e) {
      return amount.toFixed(2) + ' ' + currency;
    }
  }

  function capital(s) { return s ? s.charAt(0).toUpperCase() + s.slice(1) : s; }

  function uuid4() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  // ---- panes --------------------------------------------------------------------------------

  // show renders a pane and reports the view change.
  function show(view, children, backTo) {
    st.view = view;
    st.backTo = backTo || null;
    el.back.classList.toggle('invisible', !backTo);
    el.back.disabled = !backTo;
    el.pane.setAttribute('data-pane', view);
    el.pane.replaceChildren.apply(el.pane, children.filter(Boolean));
    el.pane.scrollTop = 0;
    emit('TRANSITION_VIEW', { view_name: view });
    var focus = el.pane.querySelector('[data-autofocus]');
    if (focus) focus.focus();
  }

  function consentPane() {
    var client = session.client_name;
    show('CONSENT', [
      h('div', { className: 'logos' },
        h('span', { className: 'logo app', 'aria-hidden': 'true', text: initials(client).charAt(0) || 'A' }),
        (function () { var l = h('span', { className: 'logo link', 'aria-hidden': 'true' }); l.appendChild(icon('link')); return l; })()),
      h('h1', { id: 'pane-title', className: 'center' }, client + ' uses Plaid to connect your account'),
      h('ul', { className: 'points' },
        h('li', null, h('span', { className: 'dot' }, icon('lock')),
          h('div', null, h('b', { text: 'Nothing leaves this computer' }),
            h('span', { text: 'This is an offline demo: no bank and no Plaid server is contacted.' }))),
        h('li', null, h('span', { className: 'dot' }, icon('eye')),
          h('div', null, h('b', { text: 'Test data only' }),
            h('span', { text: 'Accounts and numbers come from Plaid\u2019s public Sandbox test data.' })))),
      h('div', { className: 'spacer' }),
      h('button', { type: 'button', className: 'button', id: 'continue', 'data-autofocus': true, onclick: searchPane }, 'Continue'),
      h('p', { className: 'fine', text: 'This stand-in imitates Plaid Link for demos and tests.' }),
    ]);
  }

  function searchPane() {
    var list = h('ul', { className: 'list', id: 'institutions' });
    var input = h('input', {
      className: 'input', id: 'search', type: 'search', placeholder: 'Search', autocomplete: 'off',
      'aria-label': 'Search for your bank', 'data-autofocus': true,
    });
    function render() {
      var q = input.value.trim().toLowerCase();
      var rows = session.institutions.filter(function (inst) {
        return !q || inst.name.toLowerCase().indexOf(q) >= 0 || inst.institution_id.toLowerCase() === q;
      }).map(function (inst) {
        var tag = null;
        if (inst.health === 'DOWN') tag = h('span', { className: 'tag bad', text: 'Down' });
        else if (inst.health === 'DEGRADED') tag = h('span', { className: 'tag warn', text: 'Degraded' });
        else if (inst.country !== 'US') tag = h('span', { className: 'tag', text: inst.country });
        return h('li', null, h('button', {
          type: 'button', className: 'row', 'data-institution-id': inst.institution_id,
          onclick: function () { selectInstitution(inst); },
        }, bankBadge(inst), h('span', { className: 'name', text: inst.name }), tag));
      });
      if (rows.length === 0) rows = [h('li', { className: 'empty', text: 'No results. Try \u201cPlatypus\u201d.' })];
      list.replaceChildren.apply(list, rows);
    }
    // SEARCH_INSTITUTION reports what the user settled on, not every keystroke.
    input.addEventListener('input', function () {
      render();
      clearTimeout(st.searchTimer);
      st.pendingQuery = input.value.trim();
      st.searchTimer = setTimeout(flushSearch, 300);
    });
    render();
    show('SELECT_INSTITUTION', [
      h('h1', { id: 'pane-title', text: 'Select your bank' }),
      h('div', { className: 'search' }, icon('search'), input),
      list,
      manualEntryButton(),
    ], consentPane);
  }

  function flushSearch() {
    clearTimeout(st.searchTimer);
    var q = st.pendingQuery;
    st.pendingQuery = '';
    if (q) emit('SEARCH_INSTITUTION', { institution_search_query: q, view_name: 'SELECT_INSTITUTION' });
  }

  function selectInstitution(inst) {
    flushSearch();
    st.inst = inst;
    emit('SELECT_INSTITUTION', { view_name: 'SELECT_INSTITUTION' });
    if (inst.oauth) { oauthPane(); return; }
    if (manualOnly(inst)) { numbersEntryPane(); return; }
    credentialPane();
  }

  function credentialPane() {
    var inst = st.inst;
    var username = h('input', { className: 'input', id: 'username', name: 'username', autocomplete: 'off', 'data-autofocus': true, required: true, spellcheck: 'false' });
    var password = h('input', { className: 'input', id: 'password', name: 'password', type: 'password', autocomplete: 'off', required: true });
    var form = h('form', {
      id: 'credentials', novalidate: true,
      onsubmit: function (e) {
        e.preventDefault();
        submitCredentials(username.value, password.value);
      },
    },
    h('label', { className: 'field' }, h('span', { text: 'Username' }), username),
    h('label', { className: 'field' }, h('span', { text: 'Password' }), password),
    h('div', { className: 'hint' },
      'Sandbox login: ', h('code', { text: 'user_good' }), ' / ', h('code', { text: 'pass_good' }), '.',
      h('br'), 'To see an error, use the password ', h('code', { text: 'error_ITEM_LOCKED' }), ' (or any error_<CODE>).',
      h('br'), 'MFA: ', h('code', { text: 'mfa_device' }), ', ', h('code', { text: 'mfa_questions_2_2' }), ', ',
      h('code', { text: 'mfa_selections' }), '. Custom data: ', h('code', { text: 'user_custom' }), ' with a JSON configuration as the password.'),
    h('button', { type: 'submit', className: 'button', id: 'submit' }, 'Submit'));
    show('CREDENTIAL', [
      h('div', { className: 'bank-head' }, bankBadge(inst),
        h('div', null, h('h1', { id: 'pane-title', text: 'Log in to ' + inst.name }))),
      h('p', { text: session.update
        ? 'Your connection to ' + inst.name + ' needs you to log in again.'
        : 'Enter your ' + inst.name + ' online banking credentials.' }),
      form,
    ], session.update ? null : searchPane);
  }

  function loadingPane(text) {
    show('LOADING', [h('div', { className: 'spinner', role: 'status', 'aria-label': text }), h('p', { className: 'center', text: text })]);
  }

  function submitCredentials(username, password) {
    if (!username || !password) {
      var missing = el.pane.querySelector(username ? '#password' : '#username');
      if (missing) missing.focus();
      return;
    }
    emit('SUBMIT_CREDENTIALS', { view_name: 'CREDENTIAL' });
    loadingPane('Connecting to ' + st.inst.name + '\u2026');
    var run = st.run;
    Promise.all([
      api('login', { institution_id: st.inst.institution_id, username: username, password: password, oauth_state_id: st.oauthStateID || '' }),
      pause(600),
    ]).then(function (r) {
      if (run !== st.run) return;
      st.lastError = null;
      if (r[0].mfa) { mfaPane(r[0].mfa_id, r[0].mfa, null); return; }
      loggedIn(r[0]);
    }, function (err) {
      if (run !== st.run) return;
      failed(err, false);
    });
  }

  // loggedIn goes on once the login (and its MFA) passed: account selection, or straight to
  // the end in update mode without Account Select.
  function loggedIn(login) {
    st.login = login;
    if (st.login.update && !st.login.account_select) finish(st.login.accounts.map(function (a) { return a.id; }));
    else accountPane();
  }

  // ---- MFA (Sandbox users mfa_device, mfa_questions_<n>_<m>, mfa_selections…, user_custom) -

  // mfaExitStatus is onExit's metadata.status while an MFA round is open.
  function mfaExitStatus(kind) {
    return { device: 'choose_device', code: 'requires_code', questions: 'requires_questions', selections: 'requires_selections' }[kind] || 'requires_questions';
  }

  // mfaType is onEvent's metadata.mfa_type for a round.
  function mfaType(kind) { return kind === 'device' ? 'device' : kind === 'code' ? 'code' : kind; }

  var MFA_TITLES = {
    device: 'Verify your identity',
    code: 'Enter your verification code',
    questions: 'Answer your security questions',
    selections: 'Answer your security questions',
  };

  // mfaPane shows one round. problem is the error of a wrong answer to this same round.
  function mfaPane(id, round, problem) {
    st.mfa = round;
    st.mfaID = id;
    var fields = [];
    var collect;
    if (round.kind === 'device') {
      fields = round.devices.map(function (d, i) {
        return h('label', { className: 'choice' },
          h('input', { type: 'radio', name: 'device', value: d, 'data-mfa-device': i, checked: i === 0 }), h('span', { text: d }));
      });
      collect = function () {
        var c = el.pane.querySelector('input[name="device"]:checked');
        return c ? [c.value] : [];
      };
    } else if (round.kind === 'code') {
      var code = h('input', { className: 'input', id: 'mfa-code', inputmode: 'numeric', autocomplete: 'one-time-code', 'data-autofocus': true, required: true });
      fields = [h('label', { className: 'field' }, h('span', { text: 'Verification code' }), code)];
      collect = function () { return [code.value]; };
    } else if (round.kind === 'questions') {
      var inputs = round.questions.map(function (q, j) {
        return h('input', { className: 'input', 'data-mfa-answer': j, autocomplete: 'off', spellcheck: 'false', 'data-autofocus': j === 0, required: true });
      });
      fields = round.questions.map(function (q, j) {
        return h('label', { className: 'field' }, h('span', { text: q.text }), inputs[j]);
      });
      collect = function () { return inputs.map(function (i) { return i.value; }); };
    } else {
      fields = round.questions.map(function (q, j) {
        return h('fieldset', { className: 'question' }, h('legend', { text: q.text }),
          q.answers.map(function (a, k) {
            return h('label', { className: 'choice' },
              h('input', { type: 'radio', name: 'q' + j, value: a, 'data-mfa-question': j, 'data-mfa-option': k }), h('span', { text: a }));
          }));
      });
      collect = function () {
        return round.questions.map(function (q, j) {
          var c = el.pane.querySelector('input[name="q' + j + '"]:checked');
          return c ? c.value : '';
        });
      };
    }
    var form = h('form', {
      id: 'mfa', novalidate: true,
      onsubmit: function (e) {
        e.preventDefault();
        var answers = collect();
        if (answers.some(function (a) { return !a; })) {
          var empty = el.pane.querySelector('#mfa input:not([type=radio])');
          if (empty) empty.focus();
          return;
        }
        submitMFA(answers);
      },
    },
    fields,
    problem ? h('p', { className: 'problem', id: 'mfa-error', role: 'alert', text: problem.display_message || problem.error_message }) : null,
    h('div', { className: 'hint', id: 'mfa-hint', text: round.hint }),
    h('button', { type: 'submit', className: 'button', id: 'submit' }, round.kind === 'device' ? 'Send code' : 'Submit'));
    var progress = round.rounds > 1 ? 'Step ' + round.round + ' of ' + round.rounds : null;
    show('MFA', [
      h('div', { className: 'bank-head' }, bankBadge(st.inst),
        h('div', null, h('h1', { id: 'pane-title', text: MFA_TITLES[round.kind] || 'Verify your identity' }),
          progress ? h('span', { className: 'sub', id: 'mfa-progress', text: progress }) : null)),
      h('p', { text: round.kind === 'device'
        ? st.inst.name + ' needs to confirm it is you. Where should it send a code?'
        : round.kind === 'code' ? 'Enter the code ' + st.inst.name + ' sent you.'
          : st.inst.name + ' asks a few questions to confirm it is you.' }),
      form,
    ]);
    // For tests and screenshots: which round is up, and whether the last answer was wrong.
    el.pane.setAttribute('data-mfa-kind', round.kind);
    el.pane.setAttribute('data-mfa-round', String(round.round));
    el.pane.setAttribute('data-mfa-state', problem ? 'wrong' : 'asking');
  }

  function submitMFA(answers) {
    var round = st.mfa;
    emit('SUBMIT_MFA', { view_name: 'MFA', mfa_type: mfaType(round.kind) });
    loadingPane('Verifying\u2026');
    var run = st.run;
    Promise.all([api('mfa', { login: st.mfaID, answers: answers }), pause(300)]).then(function (r) {
      if (run !== st.run) return;
      st.lastError = null;
      if (r[0].mfa) { mfaPane(r[0].mfa_id, r[0].mfa, null); return; }
      st.mfa = null;
      loggedIn(r[0]);
    }, function (err) {
      if (run !== st.run) return;
      if (err.error_code === 'INVALID_MFA') {
        // A wrong answer: Link says so and asks the same round again.
        st.lastError = err;
        emit('ERROR', { error_code: err.error_code, error_message: err.error_message, error_type: err.error_type, view_name: 'MFA', mfa_type: mfaType(round.kind) });
        mfaPane(st.mfaID, round, err);
        return;
      }
      failed(err, false);
    });
  }


  var ERROR_TITLES = {
    INVALID_CREDENTIALS: 'Incorrect username or password',
    INVALID_MFA: 'Incorrect verification code',
    ITEM_LOCKED: 'Your account is locked',
    USER_SETUP_REQUIRED: 'Your account needs attention',
    PASSWORD_RESET_REQUIRED: 'Your password must be reset',
    NO_ACCOUNTS: 'No eligible accounts',
    NO_AUTH_ACCOUNTS: 'No eligible accounts',
  };

  // failed shows a Plaid error. A fatal one (a bad link token) can only be exited.
  function failed(err, fatal) {
    st.lastError = err;
    st.fatal = fatal;
    emit('ERROR', {
      error_code: err.error_code, error_message: err.error_message, error_type: err.error_type,
      view_name: 'ERROR',
    });
    var title = st.failTitle || (fatal ? 'Link could not start' : (ERROR_TITLES[err.error_code] ||
      (err.error_type === 'INSTITUTION_ERROR' ? 'Your bank is not responding' : 'Something went wrong')));
    show('ERROR', [
      h('div', { className: 'mark bad' }, icon('bang')),
      h('h1', { id: 'pane-title', className: 'center', text: title }),
      h('p', { className: 'center', text: err.display_message || (fatal
        ? 'This link is not valid or has expired. Go back to the app and start again.'
        : err.error_message) }),
      h('div', { className: 'center' }, h('span', { className: 'code', id: 'error-code', text: err.error_code })),
      h('div', { className: 'spacer' }),
      fatal ? null : h('button', { type: 'button', className: 'button', id: 'retry', 'data-autofocus': true, onclick: st.retryPane || credentialPane }, 'Try again'),
      h('button', { type: 'button', className: fatal ? 'button' : 'button secondary', id: 'exit', 'data-autofocus': fatal, onclick: exitLink }, 'Exit'),
    ], fatal ? null : (st.retryPane || credentialPane));
  }

  function accountPane() {
    var accounts = st.login.accounts;
    var next = h('button', { type: 'button', className: 'button', id: 'continue' }, 'Continue');
    function chosen() {
      return Array.prototype.filter.call(el.pane.querySelectorAll('input[data-account-id]'), function (c) { return c.checked; })
        .map(function (c) { return c.getAttribute('data-account-id'); });
    }
    // The Auth flows that confirm numbers after the login verify one account: a radio list, as
    // Plaid recommends single-account select for Auth.
    var one = !!st.login.confirm_numbers;
    var rows = accounts.map(function (a, i) {
      var box = h('input', { type: one ? 'radio' : 'checkbox', name: 'account', 'data-account-id': a.id, 'data-mask': a.mask,
        checked: one ? i === 0 : a.selected !== false,
        onchange: function () { next.disabled = chosen().length === 0; } });
      return h('label', { className: 'account' }, box,
        h('div', { className: 'what' }, h('b', { text: a.name }),
          h('div', { className: 'sub', text: capital(a.subtype) + ' \u2022\u2022\u2022\u2022\u00a0' + a.mask })),
        h('div', { className: 'amount', text: money(a.available, a.currency) }));
    });
    next.addEventListener('click', function () {
      var ids = chosen();
      if (!ids.length) return;
      if (st.login.confirm_numbers) confirmNumbersPane(ids);
      else finish(ids);
    });
    show('SELECT_ACCOUNT', [
      h('h1', { id: 'pane-title', text: 'Select account' }),
      h('p', { text: session.client_name + ' will see the accounts you choose.' }),
      h('div', { id: 'accounts' }, rows),
      h('div', { className: 'spacer' }),
      next,
    ]);
  }

  // finish ends the session with the accounts chosen; st.login.accounts may carry their
  // verification_status (the Auth flow panes set it).
  function finish(accountIDs) {
    loadingPane('Finishing up\u2026');
    var run = st.run;
    Promise.all([api('finish', { login: st.login.login, account_ids: accountIDs }), pause(300)]).then(function (r) {
      if (run !== st.run) return;
      st.publicToken = r[0].public_token;
      st.accounts = st.login.accounts.filter(function (a) { return accountIDs.indexOf(a.id) >= 0; });
      connectedPane();
    }, function (err) {
      if (run !== st.run) return;
      failed(err, false);
    });
  }

  function connectedPane() {
    show('CONNECTED', [
      h('div', { className: 'mark ok' }, icon('check')),
      h('h1', { id: 'pane-title', className: 'center', text: st.doneTitle || 'Success' }),
      h('p', { className: 'center', id: 'connected-text', text: st.doneText || ('Your ' + st.inst.name + ' account' + (st.accounts.length > 1 ? 's have' : ' has') +
        ' been connected to ' + session.client_name + '.') }),
      h('div', { className: 'spacer' }),
      h('button', { type: 'button', className: 'button', id: 'continue', 'data-autofocus': true, onclick: handoff }, 'Continue'),
    ]);
  }

  // ---- OAuth banks --------------------------------------------------------------------------

  // oauthPane is Link's hand-off to an OAuth bank: the user logs in at the bank, and comes back.
  function oauthPane() {
    var inst = st.inst;
    show('OAUTH', [
      h('div', { className: 'bank-head' }, bankBadge(inst),
        h('div', null, h('h1', { id: 'pane-title', text: 'You will be sent to ' + inst.name }))),
      h('p', { text: session.oauth_redirect
        ? 'Log in at ' + inst.name + ', then you come back here to finish.'
        : inst.name + ' opens in a new window. Log in there, then come back to this one.' }),
      h('div', { className: 'spacer' }),
      h('button', { type: 'button', className: 'button', id: 'continue', 'data-autofocus': true, onclick: startOAuth }, 'Continue to ' + inst.name),
    ], searchPane);
  }

  // startOAuth leaves for the bank: the redirect way (the page goes to the redirect URI with an
  // oauth_state_id) when the link token has a redirect_uri, else the pop-up way. The pop-up is
  // opened at once, in the click, so no pop-up blocker stops it; its address follows.
  function startOAuth() {
    var popup = null;
    if (!session.oauth_redirect) {
      popup = window.open('', 'plaid-oauth-' + st.linkSessionID, 'popup,width=480,height=640');
      if (!popup) {
        failed({ error_type: 'OAUTH_ERROR', error_code: 'OAUTH_POPUP_BLOCKED', error_message: 'the browser blocked the bank\u2019s window',
          display_message: 'Allow pop-ups for this page, then try again.' }, false);
        return;
      }
    }
    emit('OPEN_OAUTH', { view_name: 'OAUTH' });
    loadingPane(popup ? 'Waiting for ' + st.inst.name + '\u2026' : 'Leaving for ' + st.inst.name + '\u2026');
    var run = st.run;
    api('oauth/start', { institution_id: st.inst.institution_id, link_session_id: st.linkSessionID }).then(function (r) {
      if (run !== st.run) return;
      st.oauthStateID = r.oauth_state_id;
      if (r.redirect_url) post({ type: 'oauth-redirect', url: r.redirect_url });
      else popup.location.href = r.popup_url;
    }, function (err) {
      if (popup) popup.close();
      if (run !== st.run) return;
      failed(err, false);
    });
  }

  // The bank's pop-up reports here (it is this frame's origin) when the user allowed access.
  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin || !st || !st.oauthStateID) return;
    var m = event.data;
    if (!m || m.source !== SOURCE || m.oauth_state_id !== st.oauthStateID || st.view !== 'LOADING') return;
    if (m.type === 'oauth-authorized') {
      credentialPane();
    } else {
      emit('CLOSE_OAUTH', { view_name: 'OAUTH' });
      oauthPane();
    }
  });

  // resumeOAuth continues, after the bank sent the browser back, the session that left for it:
  // same bank, same link_session_id. A receivedRedirectUri that is not this link token's fails.
  function resumeOAuth() {
    var run = st.run;
    st.view = 'LOADING';
    el.pane.setAttribute('data-pane', 'LOADING');
    el.pane.replaceChildren(h('div', { className: 'spinner', role: 'status', 'aria-label': 'Returning from the bank' }));
    api('oauth/resume', { received_redirect_uri: receivedRedirectUri }).then(function (r) {
      if (run !== st.run) return;
      st.inst = r.institution;
      st.linkSessionID = r.link_session_id || st.linkSessionID;
      st.oauthStateID = r.oauth_state_id;
      emit('OPEN', {});
      credentialPane();
    }, function (err) {
      if (run !== st.run) return;
      emit('OPEN', {});
      failed(err, true);
    });
  }

  // ---- Auth flow panes (link_standin_flows.go) ----------------------------------------------
  // Instant Match and Automated micro-deposits: numbers confirmed after the account selection.
  // Manual entry (Same Day / Instant micro-deposits, Database Match / Insights): numbers, name
  // and account type instead of a login. The micro-deposit code: in the same session (Instant)
  // or in a session opened with the Item's access token (Same Day).

  function flowOptions() { return (session && session.auth) || {}; }

  function manualOnly(inst) {
    var o = flowOptions();
    return !!o.manual_entry && (o.manual_only || []).indexOf(inst.institution_id) >= 0;
  }

  function manualEntryButton() {
    if (!flowOptions().manual_entry) return null;
    return h('button', { type: 'button', className: 'button secondary', id: 'manual-entry',
      onclick: function () { st.inst = null; numbersEntryPane(); } }, 'Link with account numbers');
  }

  function numberField(id, label, hintText) {
    var input = h('input', { className: 'input', id: id, inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', required: true });
    return { input: input, label: h('label', { className: 'field' }, h('span', { text: label }), input,
      hintText ? h('div', { className: 'hint', text: hintText }) : null) };
  }

  // confirmNumbersPane asks for the chosen account's numbers after the login: Instant Match
  // matches them to the bank's partial number; Automated micro-deposits sends its deposit there.
  function confirmNumbersPane(ids, problem) {
    var mode = st.login.confirm_numbers;
    var acct = st.login.accounts.filter(function (a) { return a.id === ids[0]; })[0];
    var routing = numberField('routing', 'Routing number');
    var account = numberField('account', 'Account number');
    routing.input.setAttribute('data-autofocus', true);
    var name = h('input', { className: 'input', id: 'holder-name', autocomplete: 'off' });
    var form = h('form', { id: 'numbers', novalidate: true, onsubmit: function (e) {
      e.preventDefault();
      if (!routing.input.value || !account.input.value) { (routing.input.value ? account.input : routing.input).focus(); return; }
      emit('SUBMIT_ACCOUNT_NUMBER', { view_name: 'NUMBERS' });
      loadingPane(mode === 'instant_match' ? 'Matching your account\u2026' : 'Saving your account details\u2026');
      var run = st.run;
      Promise.all([api('numbers', { login: st.login.login, account_ids: [ids[0]], routing: routing.input.value,
        account: account.input.value, name: name.value }), pause(300)]).then(function (r) {
        if (run !== st.run) return;
        acct.verification_status = r[0].verification_status;
        if (mode === 'automated') {
          st.doneTitle = 'Deposit on its way';
          st.doneText = 'Plaid will send a small deposit to your ' + st.inst.name + ' account ending in ' + acct.mask +
            ' and verify it automatically in 1\u20132 business days.';
        } else if (r[0].matched === false) {
          st.doneTitle = 'Check your account in 1\u20132 days';
          st.doneText = 'Your numbers could not be matched, so Plaid will send a deposit with a code instead. Come back to enter it.';
        }
        finish([ids[0]]);
      }, function (err) {
        if (run !== st.run) return;
        if (err.error_code === 'INVALID_FIELD') { st.lastError = err; confirmNumbersPane(ids, err); return; }
        failed(err, false);
      });
    } },
    acct ? h('p', { text: (mode === 'instant_match' ? 'Enter the full numbers of ' : 'Confirm the numbers of ') +
      acct.name + ' \u2022\u2022\u2022\u2022\u00a0' + acct.mask + '.' }) : null,
    routing.label, account.label,
    mode === 'automated' ? h('label', { className: 'field' }, h('span', { text: 'Full name' }), name) : null,
    problem ? h('p', { className: 'problem', id: 'numbers-error', role: 'alert', text: problem.display_message || problem.error_message }) : null,
    h('div', { className: 'hint', id: 'numbers-hint' }, mode === 'instant_match'
      ? ['Sandbox: routing ', h('code', { text: '021000021' }), ', account ', h('code', { text: '1111222233331111' }), ' (Plaid Saving \u2022\u20221111).']
      : ['Sandbox: any routing number with 9 digits and an account number, e.g. ', h('code', { text: '011401533' }), ' / ', h('code', { text: '1111222233330000' }), '.']),
    h('button', { type: 'submit', className: 'button', id: 'submit' }, 'Continue'));
    show('NUMBERS', [
      h('div', { className: 'bank-head' }, bankBadge(st.inst),
        h('div', null, h('h1', { id: 'pane-title', text: mode === 'instant_match' ? 'Verify your account number' : 'Confirm your account details' }))),
      form,
    ]);
  }

  // numbersEntryPane takes an account typed by hand instead of a login.
  function numbersEntryPane(problem) {
    var routing = numberField('routing', 'Routing number');
    var account = numberField('account', 'Account number');
    routing.input.setAttribute('data-autofocus', true);
    var name = h('input', { className: 'input', id: 'holder-name', autocomplete: 'name', required: true });
    var type = h('select', { className: 'input', id: 'account-type' },
      h('option', { value: 'checking', text: 'Checking' }), h('option', { value: 'savings', text: 'Savings' }));
    var form = h('form', { id: 'manual', novalidate: true, onsubmit: function (e) {
      e.preventDefault();
      var missing = [routing.input, account.input, name].filter(function (i) { return !i.value.trim(); })[0];
      if (missing) { missing.focus(); return; }
      emit('SUBMIT_ACCOUNT_NUMBER', { view_name: 'NUMBERS' });
      loadingPane('Checking your account\u2026');
      var run = st.run;
      Promise.all([api('manual', { institution_id: st.inst ? st.inst.institution_id : '', routing: routing.input.value,
        account: account.input.value, name: name.value, account_type: type.value }), pause(300)]).then(function (r) {
        if (run !== st.run) return;
        var d = r[0];
        st.inst = d.institution;
        d.accounts.forEach(function (a) { a.verification_status = d.verification_status; });
        st.login = { login: d.login, accounts: d.accounts };
        manualDone(d);
      }, function (err) {
        if (run !== st.run) return;
        if (err.error_code === 'INVALID_FIELD') { st.lastError = err; numbersEntryPane(err); return; }
        st.retryPane = function () { numbersEntryPane(); };
        failed(err, false);
      });
    } },
    routing.label, account.label,
    h('label', { className: 'field' }, h('span', { text: 'Full name' }), name),
    h('label', { className: 'field' }, h('span', { text: 'Account type' }), type),
    problem ? h('p', { className: 'problem', id: 'manual-error', role: 'alert', text: problem.display_message || problem.error_message }) : null,
    h('div', { className: 'hint', id: 'manual-hint' }, 'Sandbox: Same Day and Database flows take routing ', h('code', { text: '011401533' }),
      ', account ', h('code', { text: '1111222233330000' }), '; Instant micro-deposits: Windowpane Bank, routing ',
      h('code', { text: '333333334' }), '.'),
    h('button', { type: 'submit', className: 'button', id: 'submit' }, 'Continue'));
    show('NUMBERS', [
      h('h1', { id: 'pane-title', text: 'Enter your account details' }),
      h('p', { text: st.inst ? 'Your ' + st.inst.name + ' routing and account numbers are on a check or in online banking.'
        : 'Your routing and account numbers are on a check or in online banking.' }),
      form,
    ], searchPane);
  }

  // manualDone goes on after a hand-typed account: its code now (Instant micro-deposits), the
  // deposit's authorisation (Same Day), or the end (Database Match and Insights).
  function manualDone(d) {
    var acct = d.accounts[0];
    var ids = [acct.id];
    if (d.code_now) { codePane(acct, 3, null); return; }
    if (d.verification_status === 'pending_manual_verification') {
      show('MICRODEPOSIT_AUTHORIZE', [
        h('h1', { id: 'pane-title', text: 'Authorize a deposit' }),
        h('p', { text: 'Plaid will deposit $0.01 into your account ending in ' + acct.mask + ' within 1\u20132 business days. ' +
          'Its description has a 3-letter code: come back then and enter it to finish connecting.' }),
        h('div', { className: 'hint', id: 'authorize-hint' }, 'Sandbox: the code is ', h('code', { text: 'ABC' }), '.'),
        h('div', { className: 'spacer' }),
        h('button', { type: 'button', className: 'button', id: 'authorize', 'data-autofocus': true, onclick: function () {
          st.doneTitle = 'Check your account in 1\u20132 days';
          st.doneText = 'When the deposit arrives, come back to enter its code. Until then the account is pending verification.';
          finish(ids);
        } }, 'Authorize'),
      ]);
      return;
    }
    var st2 = d.verification_status || '';
    st.doneTitle = st2 === 'database_insights_fail' ? 'We could not verify this account' : 'Account verified';
    st.doneText = 'Plaid checked your account against its network: ' + st2.replace(/_/g, ' ') + '.';
    finish(ids);
  }

  // codePane asks for the micro-deposit code. problem is the refusal of the last one.
  function codePane(acct, left, problem) {
    var code = h('input', { className: 'input', id: 'microdeposit-code', autocomplete: 'off', spellcheck: 'false',
      maxlength: '3', 'data-autofocus': true, required: true });
    var form = h('form', { id: 'code', novalidate: true, onsubmit: function (e) {
      e.preventDefault();
      if (!code.value.trim()) { code.focus(); return; }
      emit('SUBMIT_MICRODEPOSIT_CODE', { view_name: 'VERIFY_MICRODEPOSIT' });
      loadingPane('Verifying\u2026');
      var run = st.run;
      Promise.all([api('code', { login: st.login ? st.login.login : '', code: code.value }), pause(300)]).then(function (r) {
        if (run !== st.run) return;
        acct.verification_status = r[0].verification_status;
        if (r[0].login) st.login = { login: r[0].login, accounts: [acct] };
        st.doneTitle = 'Account verified';
        st.doneText = 'Your ' + st.inst.name + ' account ending in ' + acct.mask + ' is verified.';
        finish([acct.id]);
      }, function (err) {
        if (run !== st.run) return;
        st.lastError = err;
        if (err.error_code === 'INVALID_FIELD' && /attempts? left/.test(err.display_message || '')) {
          emit('ERROR', { error_code: err.error_code, error_message: err.error_message, error_type: err.error_type, view_name: 'VERIFY_MICRODEPOSIT' });
          codePane(acct, left - 1, err);
          return;
        }
        // No attempts left (or nothing to verify): this session cannot verify the account.
        st.failTitle = 'Verification failed';
        failed(err, true);
      });
    } },
    h('label', { className: 'field' }, h('span', { text: 'Code' }), code),
    problem ? h('p', { className: 'problem', id: 'code-error', role: 'alert', text: problem.display_message || problem.error_message }) : null,
    h('div', { className: 'hint', id: 'code-hint' }, 'Sandbox: the code is ', h('code', { text: 'ABC' }), '. ' + left + ' attempt' + (left === 1 ? '' : 's') + ' left.'),
    h('button', { type: 'submit', className: 'button', id: 'submit' }, 'Verify'));
    show('VERIFY_MICRODEPOSIT', [
      h('div', { className: 'bank-head' }, bankBadge(st.inst),
        h('div', null, h('h1', { id: 'pane-title', text: 'Enter the deposit code' }))),
      h('p', { text: 'Find the $0.01 deposit from Plaid in your account ending in ' + acct.mask +
        '. Its description starts with # and 3 letters: enter them here.' }),
      form,
    ]);
    el.pane.setAttribute('data-code-state', problem ? 'wrong' : 'asking');
  }

  // ---- ending -------------------------------------------------------------------------------

  function close() {
    el.backdrop.hidden = true;
    el.pane.replaceChildren();
    el.pane.removeAttribute('data-pane');
    st.run += 1;
    st.open = false;
  }

  function handoff() {
    emit('HANDOFF', { view_name: 'CONNECTED' });
    var metadata = {
      institution: institutionMeta(),
      accounts: st.accounts.map(function (a) {
        return { id: a.id, name: a.name, mask: a.mask, type: a.type, subtype: a.subtype, verification_status: a.verification_status || null };
      }),
      link_session_id: st.linkSessionID,
      transfer_status: null,
    };
    var publicToken = st.publicToken;
    close();
    post({ type: 'success', publicToken: publicToken, metadata: metadata });
  }

  function exitLink() {
    if (!st || !st.open) return;
    if (st.view === 'CONNECTED') { handoff(); return; } // the Item exists: Link reports success
    var status = st.fatal ? null : (EXIT_STATUS[st.view] === undefined ? null : EXIT_STATUS[st.view]);
    if (st.view === 'MFA' && st.mfa) status = mfaExitStatus(st.mfa.kind);
    emit('EXIT', { exit_status: status, view_name: st.view });
    var metadata = { institution: institutionMeta(), status: status, link_session_id: st.linkSessionID, request_id: requestID };
    var error = linkError(st.lastError);
    close();
    post({ type: 'exit', error: error, metadata: metadata });
  }

  function open() {
    if (st && st.open) return;
    var sessionID = !st && session && session.link_session_id ? session.link_session_id : uuid4();
    st = { open: true, run: (st ? st.run : 0) + 1, linkSessionID: sessionID, view: null, inst: null, lastError: null, fatal: false };
    el.backdrop.hidden = false;
    if (receivedRedirectUri && !sessionError) {
      resumeOAuth(); // reports OPEN under the resumed session's id
      return;
    }
    emit('OPEN', {});
    if (sessionError) {
      failed(sessionError, true);
    } else if (session.update && session.verify) {
      st.inst = session.update;
      codePane(session.verify.account, session.verify.attempts_left, null);
    } else if (session.update) {
      st.inst = session.update;
      credentialPane();
    } else {
      consentPane();
    }
  }

  // ---- wiring -------------------------------------------------------------------------------

  el.close.addEventListener('click', exitLink);
  el.back.addEventListener('click', function () { if (st && st.backTo) st.backTo(); });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') exitLink(); });

  window.addEventListener('message', function (event) {
    if (event.origin !== parentOrigin || event.source !== window.parent) return;
    var m = event.data;
    if (!m || m.source !== SOURCE) return;
    if (m.type === 'open') open();
    else if (m.type === 'exit') exitLink();
  });

  api('session').then(function (data) {
    session = data;
  }, function (err) {
    sessionError = err;
  }).then(function () {
    post({ type: 'ready' });
  });
})();
