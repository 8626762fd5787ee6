/*
 * The OAuth bank's pop-up (offline demo, not a bank): Allow tells the stand-in server, then the
 * Link that opened this window (same origin), and closes the window; Cancel tells Link the user
 * left the bank.
 */
(function () {
  'use strict';

  var SOURCE = 'plaid-link-stand-in';
  var state = new URLSearchParams(window.location.search).get('oauth_state_id') || '';

  function tell(type) {
    if (window.opener) window.opener.postMessage({ source: SOURCE, type: type, oauth_state_id: state }, window.location.origin);
  }

  document.getElementById('allow').addEventListener('click', function () {
    fetch('/link/stand-in/oauth/authorize', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ oauth_state_id: state }),
      credentials: 'same-origin',
    }).then(function (resp) {
      tell(resp.ok ? 'oauth-authorized' : 'oauth-failed');
      window.close();
    }, function () {
      tell('oauth-failed');
      window.close();
    });
  });
  document.getElementById('deny').addEventListener('click', function () {
    tell('oauth-closed');
    window.close();
  });
})();
