// The emulator's inside, live: asks /_emulator/state for the next version (the answer waits
// until something changes) and draws it. Every value from the state is set as text, never as
// markup: webhook URLs, names and the like come from the emulator's callers.
(function () {
  'use strict';

  var version = 0;
  var seenRequests = null; // seq of the newest call drawn; null before the first draw
  var shownRequests = 200; // rows drawn: the emulator keeps up to 1,000 calls

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function text(id, value) { document.getElementById(id).textContent = value; }

  function money(v, currency) {
    if (v === null || v === undefined) return '—';
    return v.toLocaleString('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2}) + ' ' + (currency || '');
  }

  function clock(iso) { return iso ? iso.slice(11, 23) : ''; }

  function statusClass(status) {
    if (status === 0) return 'st none';
    if (status < 300) return 'st ok';
    if (status < 500) return 'st warn';
    return 'st bad';
  }

  function setList(kind, count, empty) {
    text(kind + '-count', String(count));
    document.getElementById(kind + '-empty').hidden = count > 0;
    var table = document.getElementById(kind + '-table');
    if (table) table.hidden = count === 0;
  }

  function drawItems(items) {
    var box = document.getElementById('items');
    box.replaceChildren();
    items.forEach(function (it) {
      var rows = it.accounts.map(function (a) {
        var b = a.balances || {};
        return el('tr', {'data-account-id': a.account_id}, [
          el('td', {text: a.name}),
          el('td', {class: 'mono', text: a.mask ? '••' + a.mask : '—'}),
          el('td', {class: 'nowrap', text: a.type + (a.subtype ? ' / ' + a.subtype : '')}),
          el('td', {text: a.verification_status || '—'}),
          el('td', {class: 'num', text: money(b.available, b.iso_currency_code)}),
          el('td', {class: 'num', text: money(b.current, b.iso_currency_code)}),
          el('td', {class: 'num', text: b.limit === null ? '—' : money(b.limit, b.iso_currency_code)}),
          el('td', {class: 'mono small wrap', text: a.account_id}),
        ]);
      });
      var state = el('span', {class: 'state state-' + it.state.toLowerCase(), text: it.state});
      var facts = el('dl', {class: 'facts'}, [
        el('dt', {text: 'item_id'}), el('dd', {class: 'mono', text: it.item_id}),
        el('dt', {text: 'access token'}), el('dd', {class: 'mono', text: it.access_token || 'not exchanged yet'}),
        el('dt', {text: 'webhook'}), el('dd', {class: 'mono', text: it.webhook || 'none'}),
        el('dt', {text: 'created'}), el('dd', {text: it.created}),
        el('dt', {text: 'products'}), el('dd', {text: (it.products || []).join(', ') || '—'}),
      ]);
      if (it.error) {
        facts.appendChild(el('dt', {text: 'error'}));
        facts.appendChild(el('dd', {class: 'mono', text: it.error.error_type + ' ' + it.error.error_code}));
      }
      box.appendChild(el('article', {class: 'item', 'data-item-id': it.item_id, 'data-state': it.state}, [
        el('h3', {}, [el('span', {text: it.institution_name + ' '}), el('span', {class: 'muted mono', text: it.institution_id}), state]),
        facts,
        el('table', {class: 'accounts'}, [
          el('thead', {}, [el('tr', {}, ['account', 'mask', 'type', 'verification', 'available', 'current', 'limit', 'account_id']
            .map(function (h, i) { return el('th', {class: i >= 4 && i <= 6 ? 'num' : '', text: h}); }))]),
          el('tbody', {}, rows),
        ]),
      ]));
    });
    setList('items', items.length);
  }

  function drawRequests(requests, kept) {
    var body = document.getElementById('requests');
    var newest = requests.length ? requests[0].seq : 0;
    body.replaceChildren();
    requests.slice(0, shownRequests).forEach(function (r) {
      var fresh = seenRequests !== null && r.seq > seenRequests;
      body.appendChild(el('tr', {'data-request-id': r.request_id, class: fresh ? 'fresh' : ''}, [
        el('td', {class: 'mono', text: clock(r.time)}),
        el('td', {}, [el('span', {class: statusClass(r.status), text: r.status ? String(r.status) : (r.answer_lost ? 'lost' : '—')})]),
        el('td', {class: 'mono', text: r.endpoint}),
        el('td', {class: 'num mono', text: r.latency_ms.toFixed(1) + ' ms'}),
        el('td', {class: 'mono', text: r.request_id}),
        el('td', {class: 'mono err', text: r.error_code || ''}),
      ]));
    });
    seenRequests = Math.max(seenRequests || 0, newest);
    setList('requests', requests.length);
    text('requests-note', requests.length > shownRequests ?
      'the newest ' + shownRequests + ' of the ' + requests.length + ' kept (GET /_emulator/requests has them all)' : '');
  }

  function drawWebhooks(hooks) {
    var body = document.getElementById('webhooks');
    body.replaceChildren();
    hooks.forEach(function (h) {
      var detail = h.error || (h.status ? h.status + ' after ' + h.attempts + (h.attempts === 1 ? ' attempt' : ' attempts') : '');
      body.appendChild(el('tr', {}, [
        el('td', {class: 'mono', text: clock(h.time)}),
        el('td', {}, [el('span', {class: 'outcome outcome-' + h.outcome, text: h.outcome})]),
        el('td', {class: 'mono', text: h.webhook_type + ' ' + h.webhook_code}),
        el('td', {class: 'mono', text: h.url}),
        el('td', {class: 'mono small', text: h.item_id || ''}),
        el('td', {text: detail}),
      ]));
    });
    setList('webhooks', hooks.length);
  }

  function drawFaults(faults) {
    var list = document.getElementById('faults');
    list.replaceChildren();
    faults.forEach(function (f) {
      var what = f.kind + (f.error_code ? ' ' + f.error_code : '') + (f.status ? ' ' + f.status : '') +
        (f.latency ? ' after ' + f.latency : '');
      var scope = f.item_id ? ' for Item ' + f.item_id : '';
      var times = f.count > 0 ? ', ' + f.count + ' more' : ', until cleared';
      list.appendChild(el('li', {}, [el('code', {text: f.path}), el('span', {text: ' ' + what + scope + times})]));
    });
    setList('faults', faults.length);
  }

  function draw(st) {
    text('now', st.now);
    drawItems(st.items);
    drawRequests(st.requests, st.requests_kept);
    drawWebhooks(st.webhooks);
    drawFaults(st.faults || []);
  }

  function live(state, label) {
    var e = document.getElementById('live');
    e.setAttribute('data-live', state);
    e.textContent = label;
  }

  function next() {
    var url = '/_emulator/state' + (version ? '?after=' + version + '&wait=25s' : '');
    fetch(url, {cache: 'no-store', credentials: 'omit'})
      .then(function (resp) {
        if (!resp.ok) throw new Error('HTTP ' + resp.status);
        return resp.json();
      })
      .then(function (st) {
        var changed = st.version !== version;
        if (changed) {
          version = st.version;
          draw(st);
        }
        live('live', 'live');
        // Under a load test the state changes thousands of times a second: draw at most five
        // times a second, which a person cannot tell from every change.
        setTimeout(next, changed ? 200 : 0);
      })
      .catch(function () {
        // The emulator stopped or restarted: try again shortly, from scratch.
        live('down', 'emulator not answering, retrying…');
        version = 0;
        setTimeout(next, 1000);
      });
  }

  next();
})();
