/*
 * The emulator's stand-in for a Hosted Link page (OFFLINE DEMO — NOT PLAID). It opens the
 * stand-in Link for the link token behind this page's URL; the emulator records the session
 * (its Item, or its exit) for /link/token/get and the LINK webhooks, as Plaid does for its
 * hosted pages. What the app learns comes from the emulator, never from this page.
 */
(function () {
  'use strict';

  var id = window.location.pathname.split('/').pop();
  var title = document.getElementById('hosted-title');
  var text = document.getElementById('hosted-text');

  function say(t, x) {
    title.textContent = t;
    text.textContent = x;
  }

  function call(path, body) {
    body.token = id;
    return fetch('/link/stand-in/hosted/' + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    }).then(function (resp) {
      return resp.json().then(function (j) {
        if (!resp.ok) throw j;
        return j.data;
      });
    });
  }

  call('open', {}).then(function (d) {
    var handler = window.Plaid.create({
      token: d.link_token,
      onSuccess: function () {
        say('Connected', 'You can close this page and return to the terminal.');
      },
      onExit: function (err, metadata) {
        var e = err || {};
        call('exit', {
          status: (metadata && metadata.status) || '',
          error_type: e.error_type || '', error_code: e.error_code || '',
          error_message: e.error_message || '', display_message: e.display_message || '',
        }).catch(function () {});
        say('Link closed', 'Nothing was linked. You can close this page; the terminal says what happens next.');
      },
    });
    handler.open();
  }, function (err) {
    say('This link does not work any more', (err && err.error_message) || 'Ask for a new one.');
  });
})();
