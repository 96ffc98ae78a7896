// The lvs4j admin page: the JSON API (/api/v1) and its live stream, rendered with the DOM only. Text from the
// director (addresses, names, reasons) is only ever set as textContent, never parsed as HTML; the page's Content
// Security Policy allows scripts and styles from this server alone.
'use strict';

const api = '/api/v1';
let session = null;      // {user, role, csrf}
let stream = null;       // the EventSource
let page = 0;            // connections page
const PAGE = 50;
const history = new Map(); // "tcp/vip:port rip:port" -> the last 60 seconds: {conns, bytes} per second

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k.startsWith('data-')) e.setAttribute(k, v); else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function showError(message) {
  document.getElementById('error').textContent = message || '';
}

async function call(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session) headers['X-CSRF-Token'] = session.csrf;
  const r = await fetch(api + path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin'});
  const data = await r.json().catch(() => ({error: 'HTTP ' + r.status}));
  if (!r.ok) {
    const e = new Error(data.error || ('HTTP ' + r.status));
    e.status = r.status;
    throw e;
  }
  return data;
}

function operator() {
  return session && (session.role === 'operator' || session.role === 'admin');
}

function rate(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(1) + 'G';
  if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + 'K';
  return String(n);
}

function sparkline(points, kind) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark ' + kind);
  svg.setAttribute('viewBox', '0 0 60 24');
  svg.setAttribute('preserveAspectRatio', 'none');
  const max = Math.max(1, ...points);
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', points.map((p, i) => `${i + 60 - points.length},${23 - (p / max) * 22}`).join(' '));
  svg.append(line);
  return svg;
}

async function act(service, server, action, extra) {
  try {
    await call('POST', `/services/${service}/servers/${server}`, Object.assign({action}, extra || {}));
    showError('');
    render(await call('GET', '/services'));
  } catch (e) {
    showError(e.message);
  }
}

function render(services) {
  const box = document.getElementById('services');
  box.replaceChildren();
  if (services.length === 0) box.append(el('p', {}, 'No virtual service yet (ipvsadm -A).'));
  for (const s of services) {
    const host = s.address.includes(':') ? `[${s.address}]` : s.address;
    const key = `${s.protocol}/${host}:${s.port}`;
    const rows = s.servers.map(r => {
      const rhost = r.address.includes(':') ? `[${r.address}]` : r.address;
      const id = `${rhost}:${r.port}`;
      const h = history.get(key + ' ' + id) || {conns: [], bytes: []};
      const buttons = el('td', {});
      if (operator()) {
        buttons.append(el('button', {class: 'drain', onclick: () => act(key, id, 'drain')}, 'Drain'), ' ',
          el('button', {class: 'ready', onclick: () => act(key, id, 'ready')}, 'Ready'), ' ',
          el('button', {class: 'maint', onclick: () => act(key, id, 'maint')}, 'Maint'), ' ');
        const w = el('input', {class: 'weight-input', type: 'number', min: 0, value: r.weight});
        buttons.append(w, el('button', {class: 'set-weight',
          onclick: () => act(key, id, 'weight', {weight: Number(w.value)})}, 'Set weight'));
      }
      // health from the check monitor; servers outside ldirectord.cf are not checked
      const hc = r.health;
      const health = hc ? el('td', {class: 'health health-' + hc.state, title: `${hc.check}: ${hc.reason}`},
        hc.state + (hc.lastCheckMs == null ? '' : ` (${hc.lastCheckMs.toFixed(1)} ms)`)) : el('td', {}, '—');
      return el('tr', {'data-server': id},
        el('td', {}, id), health, el('td', {}, r.method), el('td', {class: 'num weight'}, r.weight),
        el('td', {class: 'admin admin-' + r.admin}, r.admin),
        el('td', {class: 'num'}, r.activeConns), el('td', {class: 'num'}, r.inactiveConns),
        el('td', {class: 'num conns-rate'}, rate(r.rates.conns)), el('td', {class: 'num'}, rate(r.rates.inBytes)),
        el('td', {class: 'num'}, rate(r.rates.outBytes)), el('td', {class: 'charts'},
          sparkline(h.conns, 'conns'), sparkline(h.bytes, 'bytes')), buttons);
    });
    box.append(el('div', {class: 'service', 'data-service': key},
      el('h2', {}, `${s.protocol.toUpperCase()} ${host}:${s.port} — ${s.scheduler}`,
        s.schedulerMissing ? ' [no scheduler]' : '', ` — ${rate(s.rates.conns)} conn/s`),
      el('table', {},
        el('thead', {}, el('tr', {}, ...['Real server', 'Health', 'Method', 'Weight', 'Admin', 'ActiveConn', 'InActConn',
          'Conn/s', 'In B/s', 'Out B/s', 'Last minute: conn/s, B/s', ''].map(t => el('th', {}, t)))),
        el('tbody', {}, ...rows))));
  }
}

function remember(services) {
  for (const s of services) {
    const host = s.address.includes(':') ? `[${s.address}]` : s.address;
    for (const r of s.servers) {
      const rhost = r.address.includes(':') ? `[${r.address}]` : r.address;
      const k = `${s.protocol}/${host}:${s.port} ${rhost}:${r.port}`;
      const h = history.get(k) || {conns: [], bytes: []};
      h.conns.push(r.rates.conns);
      h.bytes.push(r.rates.inBytes + r.rates.outBytes);
      if (h.conns.length > 60) { h.conns.shift(); h.bytes.shift(); }
      history.set(k, h);
    }
  }
}

function showHa(state) {
  const b = document.getElementById('ha');
  b.textContent = state === 'none' ? 'no HA' : 'HA ' + state;
  b.className = 'badge ' + state;
}

async function connections() {
  // the director filters, so the pages and the total are those of the matching entries
  const query = new URLSearchParams({offset: page * PAGE, limit: PAGE,
    q: document.getElementById('filter').value.trim(), state: document.getElementById('state-filter').value});
  const data = await call('GET', '/connections?' + query);
  const body = document.querySelector('#conn-table tbody');
  body.replaceChildren(...data.connections
    .map(c => el('tr', {}, el('td', {}, c.protocol), el('td', {}, c.client), el('td', {}, c.virtual),
      el('td', {}, c.destination), el('td', {}, c.state), el('td', {class: 'num'}, c.expires))));
  const pages = Math.max(1, Math.ceil(data.total / PAGE));
  document.getElementById('page').textContent = `page ${page + 1} of ${pages} (${data.total} entries)`;
}

async function plugins() {
  const data = await call('GET', '/plugins');
  const admin = session && session.role === 'admin';
  document.getElementById('upload-form').hidden = !admin;
  document.querySelector('#plugin-table tbody').replaceChildren(...data.map(p => {
    const remove = el('td', {});
    if (admin && p.kind === 'scheduler') {
      remove.append(el('button', {class: 'remove', onclick: async () => {
        try {
          document.getElementById('upload-result').textContent = (await call('DELETE', '/plugins/' +
            encodeURIComponent(p.name))).message;
          await plugins();
        } catch (e) {
          showError(e.message);
        }
      }}, 'Remove'));
    }
    return el('tr', {'data-plugin': p.kind + '/' + p.name}, el('td', {}, p.kind), el('td', {}, p.name),
      el('td', {}, p.bundle), el('td', {}, p.version), remove);
  }));
}

async function upload(ev) {
  ev.preventDefault();
  const file = document.getElementById('jar').files[0];
  if (!file) return;
  const r = await fetch(api + '/plugins', {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/java-archive', 'X-CSRF-Token': session.csrf}, body: file});
  const data = await r.json().catch(() => ({error: 'HTTP ' + r.status}));
  document.getElementById('upload-result').textContent = r.ok ? data.message : data.error;
  if (r.ok) await plugins();
}

let savedRules = null; // the object URL behind "Save the table"

async function configuration() {
  const rules = (await call('GET', '/table')).rules;
  document.getElementById('rules').textContent = rules;
  // the director keeps STATE/ipvsadm.rules itself; this saves a copy where the browser keeps downloads
  if (savedRules) URL.revokeObjectURL(savedRules);
  savedRules = URL.createObjectURL(new Blob([rules], {type: 'text/plain'}));
  document.getElementById('rules-save').href = savedRules;
  const file = document.getElementById('config-file');
  const text = document.getElementById('config-text');
  try {
    const c = await call('GET', '/config');
    file.textContent = c.file ? c.file + (c.checks ? ' — ' + c.checks : '') : 'No ldirectord.cf in use.';
    text.value = c.text || '';
  } catch (e) {
    file.textContent = e.message; // only admins see the file: it may hold the checks' passwords
    text.value = '';
  }
}

async function configAction(path, body) {
  const out = document.getElementById('config-result');
  try {
    const r = await call('POST', path, body);
    out.textContent = r.summary;
    out.className = '';
  } catch (e) {
    out.textContent = e.message;
    out.className = 'error';
  }
}

function view(name) {
  for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== name;
  for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.dataset.view === name);
  if (name === 'connections') connections().catch(e => showError(e.message));
  if (name === 'plugins') plugins().catch(e => showError(e.message));
  if (name === 'configuration') configuration().catch(e => showError(e.message));
}

async function start() {
  document.getElementById('login').hidden = true;
  document.getElementById('app').hidden = false;
  document.getElementById('logout').hidden = false;
  document.getElementById('who').textContent = `${session.user} (${session.role})`;
  render(await call('GET', '/services'));
  const ha = await call('GET', '/ha');
  showHa(ha.state);
  document.getElementById('transitions').replaceChildren(...ha.transitions.map(t => el('li', {}, t)));
  stream = new EventSource(api + '/stats/stream');
  stream.addEventListener('stats', ev => {
    const data = JSON.parse(ev.data);
    remember(data.services);
    if (!document.activeElement || !document.activeElement.classList.contains('weight-input')) render(data.services);
    showHa(data.ha);
  });
}

function loginForm() {
  document.getElementById('login').hidden = false;
  document.getElementById('app').hidden = true;
  document.getElementById('logout').hidden = true;
  document.getElementById('who').textContent = '';
}

document.addEventListener('DOMContentLoaded', async () => {
  document.getElementById('login-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    try {
      session = await call('POST', '/session', {user: document.getElementById('user').value,
        password: document.getElementById('password').value});
      document.getElementById('password').value = '';
      document.getElementById('login-error').textContent = '';
      await start();
    } catch (e) {
      document.getElementById('login-error').textContent = e.message;
    }
  });
  document.getElementById('logout').addEventListener('click', async () => {
    if (stream) stream.close();
    await call('DELETE', '/session').catch(() => {});
    session = null;
    loginForm();
  });
  for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => view(b.dataset.view));
  document.getElementById('upload-form').addEventListener('submit', ev => upload(ev).catch(e => showError(e.message)));
  document.getElementById('config-check').addEventListener('click', () =>
    configAction('/config/check', {text: document.getElementById('config-text').value}));
  document.getElementById('config-reload').addEventListener('click', () => configAction('/config/reload'));
  document.getElementById('prev').addEventListener('click', () => { page = Math.max(0, page - 1); connections(); });
  document.getElementById('next').addEventListener('click', () => { page++; connections(); });
  for (const id of ['filter', 'state-filter']) {
    document.getElementById(id).addEventListener('input', () => { page = 0; connections(); });
  }
  try {
    session = await call('GET', '/session');
    await start();
  } catch (e) {
    loginForm();
  }
});
