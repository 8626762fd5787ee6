/*
 * Stand-in for Plaid's Link web SDK (link-initialize.js), served by the emulator.
 * OFFLINE DEMO — NOT PLAID. It offers the same API as the real SDK:
 *
 *   var handler = Plaid.create({token, onSuccess, onExit, onEvent, onLoad, receivedRedirectUri});
 *   handler.open(); handler.exit({force: true}); handler.destroy();
 *
 * and, like the real one, runs Link in a full-window iframe served from the script's own
 * origin, talking to it with postMessage and checking origins on both sides. It needs no eval
 * and no other origin, so a page may allow it with script-src and frame-src for its origin.
 * OAuth banks: with a link token made with a redirect_uri, choosing one sends this page to the
 * redirect_uri with ?oauth_state_id=… (the iframe asks, the SDK navigates, as only the page
 * may); the page there calls Plaid.create again with receivedRedirectUri, which resumes the
 * session. Setting receivedRedirectUri on a first open fails that Link, as with Plaid.
 */
(function () {
  'use strict';

  var MESSAGE_SOURCE = 'plaid-link-stand-in';
  var script = document.currentScript;
  if (!script || !script.src) {
    throw new Error('link-initialize.js (stand-in) must be loaded with a <script src> tag');
  }
  var sdkOrigin = new URL(script.src).origin;
  var count = 0;

  function call(fn, args) {
    if (typeof fn !== 'function') return;
    try {
      fn.apply(null, args);
    } catch (err) {
      // A callback's failure is the page's: report it without breaking Link.
      setTimeout(function () { throw err; });
    }
  }

  function whenBodyReady(fn) {
    if (document.body) {
      fn();
    } else {
      document.addEventListener('DOMContentLoaded', fn, { once: true });
    }
  }

  // oauthParam hands receivedRedirectUri, when the page was given one, to the iframe.
  function oauthParam(config) {
    if (typeof config.receivedRedirectUri !== 'string' || config.receivedRedirectUri === '') return '';
    return '&received_redirect_uri=' + encodeURIComponent(config.receivedRedirectUri);
  }

  // leaveForOAuth sends the page to the redirect URI (the bank's return), as Link does for an
  // OAuth bank on the redirect way. Only http(s) URLs: anything else is not a redirect URI.
  function leaveForOAuth(url) {
    var u;
    try { u = new URL(url); } catch (e) { return; }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return;
    window.location.assign(u.href);
  }

  function create(config) {
    if (!config || typeof config.token !== 'string' || config.token === '') {
      throw new Error('Plaid.create: a link token is required');
    }
    count += 1;
    var state = { loaded: false, openQueued: false, open: false, destroyed: false };
    var iframe = document.createElement('iframe');
    iframe.id = 'plaid-link-iframe-' + count;
    iframe.title = 'Plaid Link (offline stand-in)';
    iframe.setAttribute('allowtransparency', 'true');
    iframe.src = sdkOrigin + '/link/stand-in?token=' + encodeURIComponent(config.token) +
      '&origin=' + encodeURIComponent(window.location.origin) + oauthParam(config);
    var st = iframe.style;
    st.position = 'fixed';
    st.top = '0';
    st.left = '0';
    st.width = '100%';
    st.height = '100%';
    st.border = '0';
    st.margin = '0';
    st.padding = '0';
    st.zIndex = '2147483647';
    st.background = 'transparent';
    st.colorScheme = 'normal';
    st.display = 'none';

    function post(message) {
      message.source = MESSAGE_SOURCE;
      if (iframe.contentWindow) iframe.contentWindow.postMessage(message, sdkOrigin);
    }

    function show() {
      state.open = true;
      st.display = 'block';
      post({ type: 'open' });
    }

    function hide() {
      state.open = false;
      st.display = 'none';
    }

    function onMessage(event) {
      if (state.destroyed || event.origin !== sdkOrigin || event.source !== iframe.contentWindow) return;
      var m = event.data;
      if (!m || m.source !== MESSAGE_SOURCE) return;
      switch (m.type) {
        case 'ready':
          if (state.loaded) return;
          state.loaded = true;
          call(config.onLoad, []);
          if (state.openQueued) {
            state.openQueued = false;
            show();
          }
          break;
        case 'event':
          call(config.onEvent, [m.eventName, m.metadata]);
          break;
        case 'exit':
          hide();
          call(config.onExit, [m.error || null, m.metadata]);
          break;
        case 'success':
          hide();
          call(config.onSuccess, [m.publicToken, m.metadata]);
          break;
        case 'oauth-redirect':
          leaveForOAuth(m.url);
          break;
      }
    }

    window.addEventListener('message', onMessage);
    whenBodyReady(function () {
      if (!state.destroyed) document.body.appendChild(iframe);
    });

    return {
      open: function () {
        if (state.destroyed || state.open) return;
        if (!state.loaded) {
          state.openQueued = true; // like the real SDK: open() before onLoad waits for it
          return;
        }
        show();
      },
      exit: function (options) {
        if (state.destroyed) return;
        if (!state.open) {
          state.openQueued = false;
          return;
        }
        post({ type: 'exit', force: !!(options && options.force) });
      },
      destroy: function () {
        if (state.destroyed) return;
        state.destroyed = true;
        window.removeEventListener('message', onMessage);
        if (iframe.parentNode) iframe.parentNode.removeChild(iframe);
      },
      submit: function () {},
    };
  }

  window.Plaid = window.Plaid || {};
  window.Plaid.create = create;
  window.Plaid.version = 'stand-in';
})();
