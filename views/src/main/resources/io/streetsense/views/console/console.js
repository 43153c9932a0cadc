// StreetSense operations-centre console. Plain ES module, no build step; Leaflet (global L) is
// served from the jar. Every text that comes from an order is put in the page with textContent or
// createTextNode, never as markup: a shop called "<script>…" shows as those characters.
//
// The token is asked for once, kept in sessionStorage (this tab only) and sent as
// "Authorization: Bearer" on every call; it never goes in an address. The live feed is read with
// fetch() (an EventSource cannot send that header) and resumes with Last-Event-ID.
//
// The page runs on the street's clock (the feed's "clock" event): SLA timers, dwell, "overdue" and
// the KPIs' day are judged against the street's time, the newest time the devices have sent when
// the street runs behind the wall clock (a replay, the demo), else the wall clock. Between events
// it runs with this browser's clock from the last known offset.

const TOKEN_KEY = 'streetsense.console.token';
const FINAL = new Set(['CLOSED', 'SELF_CLEARED', 'CANCELLED']);
const TYPES = ['OUT_OF_DOORWAY_TRADING', 'ILLEGAL_STALL', 'PARKING_OVERFLOW'];
const TYPE_LABELS = { OUT_OF_DOORWAY_TRADING: 'out of doorway', ILLEGAL_STALL: 'illegal stall', PARKING_OVERFLOW: 'parking overflow' };
const STATUSES = ['FILED', 'DISPATCHED', 'ACCEPTED', 'RESOLVED', 'REWORK', 'REJECTED'];

const state = {
  token: null,
  me: null,
  orders: new Map(), // id -> order (open ones and those changed in the last day)
  rows: new Map(), // id -> <tr>
  lastEventId: null,
  selected: null,
  filters: { block: '', type: '', team: '', status: '' },
  abort: null,
  zones: [], // from the block maps: {block, block_name, id, kind, lat, lon, shop, cameras, sensors}
  devices: null, // latest device-health snapshot, null without block maps
  zoneDevices: new Map(), // block/zone -> [device]
  violations: null, // block/zone -> [{type, since, violation_id}] standing, null until the feed sends
  pauseMs: 0,
  // The street's clock: street time = Date.now() + offset. Until the feed says, the wall clock.
  clock: { known: false, offset: 0, behindMs: 0, newest: null, silent: false, silentMs: null, receivedAt: 0, limitMs: 60_000 },
  stats: { snapshots: 0, events: 0, connects: 0, lastApplyMs: 0, firstRenderMs: 0 },
};

const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('data-')) node.setAttribute(k, v);
    else if (k === 'onclick') node.addEventListener('click', v);
    else node[k] = v;
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

// ---- time ------------------------------------------------------------------------------------

const ms = (iso) => (iso ? Date.parse(iso) : null);

/** Now on the street's clock, in epoch milliseconds. */
const streetNow = () => Date.now() + state.clock.offset;

/** A length of time in words for the banner: "45 s", "28 min", "2 h 05 min". */
function words(millis) {
  const s = Math.max(0, Math.round(millis / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

function duration(millis) {
  const s = Math.max(0, Math.floor(millis / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}:${sec}`;
}

/** The deadline an open order runs against now: accept while the team has to accept, else resolve. */
function deadline(o) {
  if (FINAL.has(o.status)) return null;
  if (o.waiting_for === 'TEAM_ACCEPT') return { kind: 'accept', at: ms(o.accept_by) };
  if (o.waiting_for === 'TEAM_RESOLVE' || o.waiting_for === 'VERIFICATION') {
    return { kind: 'resolve', at: ms(o.resolve_by) };
  }
  return null;
}

function slaText(o, now) {
  const d = deadline(o);
  if (!d || !d.at) return { text: o.team_id ? '—' : 'with centre', cls: 'sla' };
  const left = d.at - now;
  if (left < 0) return { text: `${d.kind} overdue ${duration(-left)}`, cls: 'sla overdue' };
  return { text: `${d.kind} in ${duration(left)}`, cls: left < 5 * 60_000 ? 'sla soon' : 'sla' };
}

const isOverdue = (o, now) => {
  const d = deadline(o);
  return !!(d && d.at && d.at < now);
};

// ---- URL state -------------------------------------------------------------------------------

function readUrl() {
  const p = new URLSearchParams(location.search);
  for (const k of Object.keys(state.filters)) state.filters[k] = p.get(k) || '';
  state.selected = p.get('order');
  const m = (p.get('map') || '').split(',').map(Number);
  return m.length === 3 && m.every(Number.isFinite) ? m : null;
}

function writeUrl() {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
  if (state.selected) p.set('order', state.selected);
  if (map) {
    const c = map.getCenter();
    p.set('map', `${c.lat.toFixed(5)},${c.lng.toFixed(5)},${map.getZoom()}`);
  }
  const q = p.toString();
  history.replaceState(null, '', q ? `?${q}` : location.pathname);
}

// ---- HTTP ------------------------------------------------------------------------------------

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${state.token}`, ...(options.headers || {}) };
  if (options.body) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { ...options, headers, cache: 'no-store', credentials: 'omit' });
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = null;
  }
  return { status: res.status, ok: res.ok, body };
}

// ---- the live feed ---------------------------------------------------------------------------

function setLive(on) {
  const live = $('#live');
  live.textContent = on ? 'live' : 'reconnecting';
  live.className = `live ${on ? 'on' : 'off'}`;
}

async function stream() {
  while (state.token) {
    const abort = new AbortController();
    state.abort = abort;
    try {
      const headers = { Authorization: `Bearer ${state.token}`, Accept: 'text/event-stream' };
      if (state.lastEventId) headers['Last-Event-ID'] = state.lastEventId;
      const res = await fetch('/console/v1/events', {
        headers, cache: 'no-store', credentials: 'omit', signal: abort.signal,
      });
      if (res.status === 401) {
        signOut('The token is no longer valid.');
        return;
      }
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      state.stats.connects++;
      mark(`connected${state.stats.connects}`);
      setLive(true);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      let scanFrom = 0; // a big snapshot arrives in many chunks: don't rescan what was searched
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n', scanFrom)) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          scanFrom = 0;
          handleEvent(block);
        }
        scanFrom = Math.max(0, buf.length - 1);
      }
    } catch (e) {
      // aborted by reconnect() or the network dropped: fall through and reconnect
    }
    setLive(false);
    const wait = state.pauseMs || 1000;
    state.pauseMs = 0;
    await new Promise((r) => setTimeout(r, wait));
  }
}

function handleEvent(block) {
  let id = null;
  let type = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const c = line.indexOf(':');
    const field = c < 0 ? line : line.slice(0, c);
    const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return;
  const t0 = performance.now();
  const payload = JSON.parse(data.join('\n'));
  if (type === 'snapshot') {
    mark('snapshotParsed');
    state.orders.clear();
    for (const o of payload.orders) state.orders.set(o.id, o);
    state.stats.snapshots++;
    reindexZones();
  } else if (type === 'devices') {
    state.devices = payload;
    state.zoneDevices.clear();
    for (const d of payload.devices) {
      for (const z of d.zones) {
        const key = `${d.block}/${z}`;
        if (!state.zoneDevices.has(key)) state.zoneDevices.set(key, []);
        state.zoneDevices.get(key).push(d);
      }
    }
    state.stats.deviceUpdates = (state.stats.deviceUpdates || 0) + 1;
    dirty.allZones = true;
    dirty.devices = true;
  } else if (type === 'clock') {
    const at = Date.now();
    state.clock = {
      known: true,
      offset: Date.parse(payload.street) - at,
      behindMs: payload.behind_ms,
      newest: payload.newest,
      silent: payload.silent,
      silentMs: payload.silent_ms,
      receivedAt: at,
      limitMs: payload.offline_after_ms,
    };
    state.stats.clockUpdates = (state.stats.clockUpdates || 0) + 1;
    tick();
  } else if (type === 'violations') {
    const before = state.violations ? [...state.violations.keys()] : null;
    state.violations = new Map();
    for (const v of payload.standing) {
      if (!state.violations.has(v.zone)) state.violations.set(v.zone, []);
      state.violations.get(v.zone).push(v);
    }
    // Only the zones that stood before or stand now change (the first time: all of them).
    if (before === null) dirty.allZones = true;
    else for (const key of [...before, ...state.violations.keys()]) dirty.zones.add(key);
    state.stats.violationUpdates = (state.stats.violationUpdates || 0) + 1;
  } else if (type === 'order') {
    unindexZone(state.orders.get(payload.id));
    if (payload.order) state.orders.set(payload.id, payload.order);
    else state.orders.delete(payload.id);
    indexZone(payload.order);
    state.stats.events++;
  }
  if (id) state.lastEventId = id;
  scheduleRender(t0);
}

// What changed since the last render: zones to redraw (or all), and whether devices changed.
const dirty = { zones: new Set(), allZones: true, devices: true };
const zoneOrders = new Map(); // block/zone -> Set of open order ids

const zoneKeyOf = (o) => `${o.block_id}/${o.zone_id}`;

function indexZone(o) {
  if (!o || FINAL.has(o.status) || !o.location) return;
  const key = zoneKeyOf(o);
  if (!zoneOrders.has(key)) zoneOrders.set(key, new Set());
  zoneOrders.get(key).add(o.id);
  dirty.zones.add(key);
}

function unindexZone(o) {
  if (!o) return;
  const key = zoneKeyOf(o);
  const ids = zoneOrders.get(key);
  if (ids) {
    ids.delete(o.id);
    if (!ids.size) zoneOrders.delete(key);
  }
  dirty.zones.add(key);
}

function reindexZones() {
  zoneOrders.clear();
  for (const o of state.orders.values()) indexZone(o);
  dirty.allZones = true;
}

function ordersOfZone(key) {
  const ids = zoneOrders.get(key);
  return ids ? [...ids].map((id) => state.orders.get(id)).filter(Boolean) : [];
}

let renderPending = null;
function scheduleRender(t0) {
  if (renderPending !== null) return;
  renderPending = t0;
  requestAnimationFrame(() => {
    const start = renderPending;
    renderPending = null;
    render();
    state.stats.lastApplyMs = performance.now() - start;
    if (!state.stats.firstRenderMs && state.stats.snapshots) {
      mark('rendered');
      requestAnimationFrame(() => mark('painted'));
      state.stats.firstRenderMs = performance.now();
      state.stats.firstParts = { ...state.stats.parts };
    }
  });
}

// ---- rendering -------------------------------------------------------------------------------

function matches(o) {
  const f = state.filters;
  if (FINAL.has(o.status)) return false;
  if (f.block && o.block_id !== f.block) return false;
  if (f.type && o.type !== f.type) return false;
  if (f.team && (o.team_id || '') !== f.team) return false;
  if (f.status && o.status !== f.status) return false;
  return true;
}

function rowFor(o, now) {
  let tr = state.rows.get(o.id);
  if (!tr) {
    tr = el('tr', { 'data-order-id': o.id, onclick: () => select(o.id) });
    for (const c of ['sla', 'type', 'zone', 'shop', 'team', 'status']) {
      tr.append(el('td', { class: `c-${c}` }));
    }
    state.rows.set(o.id, tr);
  }
  const stamp = `${o.updated_at}|${o.history.length}|${o.status}|${o.team_id}|${o.escalated}|${o.id === state.selected}`;
  if (tr.dataset.stamp === stamp) return tr;
  tr.dataset.stamp = stamp;
  const cells = tr.children;
  const sla = slaText(o, now);
  cells[0].replaceChildren(el('span', { class: sla.cls }, sla.text));
  if (o.escalated) cells[0].append(el('span', { class: 'badge esc', title: escalationTitle(o) }, 'escalated'));
  cells[1].textContent = TYPE_LABELS[o.type] || o.type;
  cells[1].title = o.type;
  cells[2].textContent = o.zone_id;
  cells[2].title = `${o.block_name} · ${o.zone_id} · ${o.id}`;
  cells[3].textContent = o.shop_name || '';
  cells[3].title = o.shop_name || '';
  cells[4].textContent = o.team_id || '(operations centre)';
  cells[5].textContent = o.status;
  if (o.rework_count > 0) cells[5].append(el('span', { class: 'badge' }, `rework ${o.rework_count}`));
  tr.classList.toggle('selected', o.id === state.selected);
  return tr;
}

function sortKey(o) {
  const d = deadline(o);
  return d && d.at ? d.at : Number.MAX_SAFE_INTEGER;
}

function timed(name, fn) {
  const t = performance.now();
  fn();
  (state.stats.parts ||= {})[name] = Math.round((performance.now() - t) * 10) / 10;
}

function render() {
  const now = streetNow();
  timed('queue', () => renderQueue(now));
  timed('filters', fillFilterOptions);
  timed('kpis', () => renderKpis(now));
  timed('map', () => renderMap(now));
  timed('devices', () => renderDevices(now));
  timed('detail', renderDetail);
}

function renderQueue(now) {
  const shown = [];
  for (const o of state.orders.values()) if (matches(o)) shown.push(o);
  shown.sort((a, b) => sortKey(a) - sortKey(b) || a.id.localeCompare(b.id));
  const tbody = $('#queue tbody');
  const keep = new Set();
  let prev = null;
  for (const o of shown) {
    const tr = rowFor(o, now);
    keep.add(o.id);
    const want = prev ? prev.nextSibling : tbody.firstChild;
    if (tr !== want) tbody.insertBefore(tr, want);
    prev = tr;
  }
  for (const [id, tr] of state.rows) {
    if (!keep.has(id)) {
      tr.remove();
      state.rows.delete(id);
    }
  }
  $('#count').textContent = `${shown.length} open`;
}

const DEVICE_LINES = 100;

function renderDevices(now) {
  if (!dirty.devices) return;
  dirty.devices = false;
  const box = $('#devices');
  if (!state.devices) {
    box.replaceChildren(el('p', { class: 'muted' }, 'Device health: no block maps configured for the views service.'));
    return;
  }
  const offline = state.devices.devices.filter((d) => !d.online);
  const low = state.devices.devices.filter((d) => d.low_battery);
  const list = el('ul', {});
  for (const d of offline.slice(0, DEVICE_LINES)) {
    const since = d.last_seen
      ? `since ${new Date(ms(d.offline_since)).toLocaleTimeString()} (${duration(now - ms(d.offline_since))})`
      : `(not heard from since before ${new Date(ms(d.offline_since)).toLocaleTimeString()})`;
    list.append(el('li', { class: 'offline', 'data-device': `${d.block}/${d.id}` }, `${d.kind} ${d.block}/${d.id} offline ${since}`));
  }
  if (offline.length > DEVICE_LINES) list.append(el('li', { class: 'offline' }, `… and ${offline.length - DEVICE_LINES} more offline`));
  for (const d of low.slice(0, DEVICE_LINES)) {
    list.append(el('li', { 'data-battery': `${d.block}/${d.id}` }, `${d.kind} ${d.block}/${d.id} battery low: ${d.battery_v.toFixed(2)} V`));
  }
  box.replaceChildren(
    el('h3', {}, `Devices: ${state.devices.devices.length - offline.length} of ${state.devices.devices.length} online, ${low.length} low battery`),
    list);
}

/**
 * What the operator must know about the street's clock, or null: the street silent as a whole (an
 * outage of every feed stays in view, it never reads as "all clear"), or behind the wall clock by
 * more than the offline limit.
 */
function streetWarning(now) {
  const c = state.clock;
  if (!c.known) return null;
  const lines = [];
  if (c.newest === null) {
    if (state.devices && state.devices.devices.length) lines.push('no camera or sensor heard yet — zones unknown');
  } else if (c.silent) {
    // The service says so when it starts and when it ends; in between the silence grows here.
    const silent = c.silentMs + (Date.now() - c.receivedAt);
    lines.push(`no device heard for ${words(silent)} — every camera and sensor silent`);
  }
  if (c.behindMs > c.limitMs) {
    lines.push(`street time ${new Date(now).toLocaleTimeString()}, ${words(c.behindMs)} behind the wall clock — replaying or feeds delayed`);
  }
  return lines.length ? lines.join(' · ') : null;
}

function tick() {
  const now = streetNow();
  const behind = state.clock.known && state.clock.behindMs > 0;
  const clock = $('#clock');
  clock.textContent = behind ? `street ${new Date(now).toLocaleTimeString()}` : new Date(now).toLocaleTimeString();
  clock.title = behind ? `street time; wall clock ${new Date().toLocaleTimeString()}` : 'street time = wall clock';
  clock.dataset.streetMs = String(now);
  const warning = streetWarning(now);
  const banner = $('#street-banner');
  if (banner.textContent !== (warning || '')) banner.textContent = warning || '';
  banner.hidden = !warning;
  for (const [id, tr] of state.rows) {
    const o = state.orders.get(id);
    if (!o) continue;
    const span = tr.children[0].firstChild;
    const sla = slaText(o, now);
    span.textContent = sla.text;
    span.className = sla.cls;
  }
  const dwell = document.querySelector('#detail [data-dwell-from]');
  if (dwell) dwell.textContent = duration(now - Number(dwell.dataset.dwellFrom));
}

function fillFilterOptions() {
  const sets = { block: new Map(), type: new Map(TYPES.map((t) => [t, t])), team: new Map(), status: new Map(STATUSES.map((s) => [s, s])) };
  for (const o of state.orders.values()) {
    sets.block.set(o.block_id, o.block_name);
    if (o.team_id) sets.team.set(o.team_id, o.team_id);
  }
  for (const [key, values] of Object.entries(sets)) {
    const select = $(`#f-${key}`);
    const have = new Set([...select.options].map((x) => x.value));
    for (const [value, label] of values) {
      if (!have.has(value)) select.append(el('option', { value }, label));
    }
    select.value = state.filters[key];
  }
}

// ---- KPIs ------------------------------------------------------------------------------------

function kpisOf(orders, now, midnight) {
  let filed = 0, open = 0, overdue = 0, closed = 0, onTime = 0, reworked = 0, resolvedOrClosed = 0;
  let acceptSum = 0, acceptN = 0, resolveSum = 0, resolveN = 0;
  for (const o of orders) {
    if (ms(o.filed_at) >= midnight) filed++;
    if (!FINAL.has(o.status)) {
      open++;
      if (isOverdue(o, now)) overdue++;
    }
    if (o.status === 'CLOSED' && ms(o.closed_at) >= midnight) {
      closed++;
      if (!o.resolve_by || ms(o.resolved_at) <= ms(o.resolve_by)) onTime++;
    }
    if (ms(o.resolved_at) >= midnight) {
      resolvedOrClosed++;
      if (o.rework_count > 0) reworked++;
    }
    if (o.accepted_at && o.dispatched_at && ms(o.accepted_at) >= midnight) {
      acceptSum += ms(o.accepted_at) - ms(o.dispatched_at);
      acceptN++;
    }
    if (o.resolved_at && o.dispatched_at && ms(o.resolved_at) >= midnight) {
      resolveSum += ms(o.resolved_at) - ms(o.dispatched_at);
      resolveN++;
    }
  }
  const pct = (a, b) => (b ? `${Math.round((100 * a) / b)}%` : '—');
  return {
    filed, open, overdue,
    onTime: pct(onTime, closed),
    rework: pct(reworked, resolvedOrClosed),
    accept: acceptN ? duration(acceptSum / acceptN) : '—',
    resolve: resolveN ? duration(resolveSum / resolveN) : '—',
  };
}

function renderKpis(now) {
  const midnight = new Date(now).setHours(0, 0, 0, 0);
  const all = kpisOf(state.orders.values(), now, midnight);
  const box = $('#kpis');
  box.replaceChildren(
    el('span', { class: 'kpi', 'data-kpi': 'filed' }, el('b', {}, all.filed), 'filed today'),
    el('span', { class: 'kpi', 'data-kpi': 'open' }, el('b', {}, all.open), 'open'),
    el('span', { class: 'kpi', 'data-kpi': 'overdue' }, el('b', {}, all.overdue), 'overdue'),
    el('span', { class: 'kpi' }, el('b', {}, all.onTime), 'on-time closure'),
    el('span', { class: 'kpi' }, el('b', {}, all.rework), 'rework'),
    el('span', { class: 'kpi' }, el('b', {}, all.accept), 'mean to accept'),
    el('span', { class: 'kpi' }, el('b', {}, all.resolve), 'mean to resolve'),
  );
  const teams = new Map();
  for (const o of state.orders.values()) {
    const t = o.team_id || '(centre)';
    if (!teams.has(t)) teams.set(t, []);
    teams.get(t).push(o);
  }
  if (teams.size > 1) {
    const table = el('table', { id: 'team-kpis' },
      el('tr', {}, ...['team', 'filed', 'open', 'overdue', 'on time', 'rework', 'accept', 'resolve'].map((h) => el('th', {}, h))));
    for (const [team, orders] of [...teams].sort()) {
      const k = kpisOf(orders, now, midnight);
      table.append(el('tr', { 'data-team': team }, ...[team, k.filed, k.open, k.overdue, k.onTime, k.rework, k.accept, k.resolve].map((v) => el('td', {}, v))));
    }
    box.append(table);
  }
}

// ---- map -------------------------------------------------------------------------------------

let map = null;
let zoneLayer = null;
const renderer = L.canvas({ padding: 0.2 });
const zoneMarkers = new Map(); // block/zone -> circle marker
let fitted = false;

// Kind by size and outline, state by colour.
const ZONE_KINDS = {
  frontage: { radius: 6, dash: null },
  no_vending: { radius: 9, dash: '3 3' },
  market: { radius: 9, dash: '1 4' },
  parking: { radius: 11, dash: null },
  no_parking: { radius: 8, dash: '6 3' },
  unmapped: { radius: 7, dash: null },
};
const ZONE_COLOURS = { clear: '#1e8e3e', standing: '#f29900', open: '#1a73e8', overdue: '#c5221f', unknown: '#80868b' };

function initMap(view) {
  map = L.map('map', { attributionControl: false, zoomControl: true, preferCanvas: true });
  // No tile layer: a city network is closed; zones are drawn on a plain background.
  if (view) {
    map.setView([view[0], view[1]], view[2]);
    fitted = true;
  } else {
    map.setView([31.2105, 121.4575], 17);
  }
  // One canvas for every zone, and one popup and tooltip handler for the whole layer: binding
  // 15 000 markers one by one costs seconds.
  zoneLayer = L.featureGroup().addTo(map);
  zoneLayer.on('click', (e) => {
    const key = e.layer.zoneKey;
    L.popup().setLatLng(e.layer.getLatLng()).setContent(zonePopup(key)).openOn(map);
  });
  zoneLayer.on('mouseover', (e) => {
    const m = e.layer;
    if (!m.getTooltip()) m.bindTooltip(`${m.zoneKey} (${m.zoneKind})`);
    m.openTooltip();
  });
  map.on('moveend', writeUrl);
  const legend = L.control({ position: 'bottomleft' });
  legend.onAdd = () => {
    const div = el('div', { class: 'legend' });
    div.style.background = '#fff';
    div.style.padding = '4px 6px';
    for (const [k, c] of Object.entries(ZONE_COLOURS)) {
      const dot = el('span', {}, '●');
      dot.style.color = c;
      div.append(dot, ` ${k}  `);
    }
    return div;
  };
  legend.addTo(map);
}

/**
 * A zone's state, worst first: an overdue order, an open order a team holds, a violation standing
 * (OPENED and not yet CLEARED on the violations topic; before that feed has arrived, an order no
 * team holds stands in for it), an open order with the centre, then unknown when no camera or
 * sensor that watches it is online (a dead device never makes a zone look clear), else clear.
 */
function zoneState(key, orders, now) {
  if (orders.some((o) => isOverdue(o, now))) return 'overdue';
  if (orders.some((o) => o.team_id)) return 'open';
  if (state.violations) {
    if (state.violations.has(key)) return 'standing';
    if (orders.length) return 'open';
  } else if (orders.length) return 'standing';
  if (state.devices) {
    const devices = state.zoneDevices.get(key) || [];
    if (!devices.some((d) => d.online)) return 'unknown';
    return 'clear';
  }
  return 'unknown';
}

const zoneInfo = new Map(); // block/zone -> block-map zone (null for a zone only orders name)

function renderMap(now) {
  if (!map) return;
  let keys;
  if (dirty.allZones) {
    for (const z of state.zones) zoneInfo.set(`${z.block}/${z.id}`, z);
    keys = new Set([...zoneInfo.keys(), ...zoneOrders.keys(), ...zoneMarkers.keys()]);
  } else {
    keys = dirty.zones;
  }
  dirty.allZones = false;
  dirty.zones = new Set();
  // Zones with open orders change state as deadlines pass: re-check those every render too.
  for (const key of zoneOrders.keys()) keys.add(key);
  for (const key of keys) drawZone(key, now);
  if (!fitted && zoneMarkers.size) {
    map.fitBounds(L.featureGroup([...zoneMarkers.values()]).getBounds().pad(0.2), { maxZoom: 19 });
    fitted = true;
  }
}

function drawZone(key, now) {
  const orders = ordersOfZone(key);
  let zone = zoneInfo.get(key);
  if (!zone && orders.length) {
    zone = null;
    zoneInfo.set(key, null);
  }
  if (zone === undefined || (zone === null && !orders.length)) {
    const m = zoneMarkers.get(key);
    if (m) {
      m.remove();
      zoneMarkers.delete(key);
    }
    if (zone === null) zoneInfo.delete(key);
    return;
  }
  const s = zoneState(key, orders, now);
  let m = zoneMarkers.get(key);
  if (!m) {
    const kind = zone ? zone.kind : 'unmapped';
    const shape = ZONE_KINDS[kind] || ZONE_KINDS.unmapped;
    const at = zone ? [zone.lat, zone.lon] : [orders[0].location.lat, orders[0].location.lon];
    m = L.circleMarker(at, { radius: shape.radius, weight: 2, dashArray: shape.dash, renderer });
    m.zoneKey = key;
    m.zoneKind = kind;
    zoneLayer.addLayer(m);
    zoneMarkers.set(key, m);
  }
  if (m.zoneState !== s) {
    m.setStyle({ color: ZONE_COLOURS[s], fillColor: ZONE_COLOURS[s], fillOpacity: s === 'clear' ? 0.25 : 0.7 });
    m.zoneState = s;
  }
}

function zonePopup(key) {
  const now = streetNow();
  const z = { zone: zoneInfo.get(key) || null, orders: ordersOfZone(key) };
  const div = el('div', { class: 'zone-popup', 'data-zone': key },
    el('strong', {}, key), ' ', el('span', { class: 'badge' }, zoneState(key, z.orders, now)));
  if (z.zone) {
    div.append(el('div', {}, `kind: ${z.zone.kind}`));
    if (z.zone.shop) {
      const sh = z.zone.shop;
      div.append(el('div', {}, 'shop: ', sh.name, ` (${sh.category})`));
      const permits = sh.outdoor_permits.length
        ? sh.outdoor_permits.map((p) => `${p.days.join(' ')} ${p.from}–${p.to}`).join('; ')
        : 'none';
      div.append(el('div', {}, `outdoor permits: ${permits}`));
    }
  }
  const devices = state.zoneDevices.get(key) || [];
  if (devices.length) {
    div.append(el('div', {}, 'devices: ', devices.map((d) => `${d.id} ${d.online ? 'online' : 'OFFLINE'}`).join(', ')));
  }
  for (const o of z.orders) {
    const cams = (o.evidence && o.evidence.cameras) || [];
    const ev = cams.map((c) => `${c.camera_id} ${c.frames_with_object}/${c.frames_observed}`).join(', ');
    div.append(el('div', {},
      el('a', { href: '#', onclick: (e) => { e.preventDefault(); select(o.id); } }, `${o.type} · ${o.status}`),
      ` standing ${duration(now - ms(o.detected_at))}`, ev ? ` · evidence ${ev}` : ''));
  }
  for (const v of (state.violations && state.violations.get(key)) || []) {
    div.append(el('div', { 'data-field': 'violation' },
      `violation standing ${duration(now - ms(v.since))} (${v.type})`));
  }
  if (!z.orders.length) div.append(el('div', { class: 'muted' }, 'no open order'));
  return div;
}

// ---- detail and actions ----------------------------------------------------------------------

function select(id) {
  state.selected = id;
  writeUrl();
  render();
}

let detailShown = null; // [id, updated_at] of what the detail pane shows

function renderDetail() {
  const pane = $('#detail');
  const o = state.selected ? state.orders.get(state.selected) : null;
  if (!o) {
    if (detailShown !== null) {
      pane.replaceChildren(el('p', { class: 'muted' }, state.selected ? 'This order is no longer visible.' : 'Select an order.'));
      detailShown = null;
    }
    return;
  }
  const stamp = `${o.id}@${o.updated_at}@${o.history.length}`;
  if (detailShown === stamp) return;
  // Keep what the operator typed and the last action's result across a re-render.
  const keep = pane.querySelector('.actions');
  detailShown = stamp;
  const facts = el('dl', {},
    el('dt', {}, 'type'), el('dd', {}, o.type, ' · ', o.severity),
    el('dt', {}, 'where'), el('dd', {}, `${o.block_name} · zone ${o.zone_id}`),
    el('dt', {}, 'shop'), el('dd', { 'data-field': 'shop' }, o.shop_name || '—', o.shop_repeat_offences ? ` (${o.shop_repeat_offences} in 30 days)` : ''),
    el('dt', {}, 'team'), el('dd', { 'data-field': 'team' }, o.team_id || '(operations centre)'),
    el('dt', {}, 'status'), el('dd', { 'data-field': 'status' }, o.status,
      o.escalated ? el('span', { class: 'badge esc', 'data-field': 'escalated', title: escalationTitle(o) }, 'escalated') : ''),
    el('dt', {}, 'first seen'), el('dd', {}, new Date(ms(o.detected_at)).toLocaleString()),
    el('dt', {}, 'dwell'), FINAL.has(o.status)
      ? el('dd', {}, duration(ms(o.closed_at || o.updated_at) - ms(o.detected_at)))
      : el('dd', { 'data-dwell-from': String(ms(o.detected_at)) }, duration(streetNow() - ms(o.detected_at))),
    el('dt', {}, 'accept by'), el('dd', {}, o.accept_by ? new Date(ms(o.accept_by)).toLocaleTimeString() : '—'),
    el('dt', {}, 'resolve by'), el('dd', {}, o.resolve_by ? new Date(ms(o.resolve_by)).toLocaleTimeString() : '—'),
    el('dt', {}, 'note'), el('dd', { 'data-field': 'latest-note' }, o.latest_note || '—'),
  );
  const evidence = el('div', { class: 'evidence-list' });
  for (const cam of (o.evidence && o.evidence.cameras) || []) {
    evidence.append(el('div', {}, `camera ${cam.camera_id}: ${cam.frames_with_object}/${cam.frames_observed} frames`), cameraSvg(cam, outlineOf(o, cam.camera_id)));
  }
  if (o.evidence && o.evidence.parking) {
    const p = o.evidence.parking;
    evidence.append(el('div', {}, `parking: ${p.occupied ?? '?'} of ${p.capacity ?? '?'} berths`));
  }
  const timeline = el('ol', { class: 'timeline' });
  for (const t of o.history) {
    timeline.append(el('li', { 'data-kind': t.kind },
      el('b', {}, t.kind), ` ${t.from_status || '∅'} → ${t.to_status} `,
      el('span', { class: 'muted' }, `${new Date(ms(t.at)).toLocaleString()} by ${t.actor}`),
      t.reason ? el('div', { class: 'muted' }, t.reason) : null,
      t.note && t.kind !== 'ESCALATE' ? el('div', { class: 'note' }, `note: ${t.note}`) : null));
  }
  pane.replaceChildren(
    el('h2', {}, o.id), facts,
    el('h3', {}, 'evidence'), evidence,
    el('h3', {}, 'timeline'), timeline);
  if (state.me && state.me.kind === 'ops' && !FINAL.has(o.status)) {
    pane.append(keep && keep.dataset.order === o.id ? keep : actionsFor(o));
  }
}

/** Why an order is flagged: its missed deadlines and/or who escalated it by hand, and why. */
function escalationTitle(o) {
  const parts = [];
  if ((o.escalations || []).length) parts.push(`missed: ${o.escalations.join(', ')}`);
  const byHand = [...(o.history || [])].reverse().find((t) => t.kind === 'ESCALATE' && t.actor !== 'system');
  if (byHand) parts.push(byHand.reason);
  return parts.join('; ') || 'escalated';
}

function outlineOf(o, cameraId) {
  const z = state.zones.find((x) => x.block === o.block_id && x.id === o.zone_id);
  const cam = z && z.cameras.find((c) => c.id === cameraId);
  return cam ? cam.outline : null;
}

function cameraSvg(cam, outline) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 1 0.5625');
  svg.setAttribute('class', 'evidence');
  svg.setAttribute('data-camera', cam.camera_id);
  if (outline) {
    const p = document.createElementNS(NS, 'polygon');
    p.setAttribute('class', 'outline');
    p.setAttribute('points', outline.map(([x, y]) => `${x},${y * 0.5625}`).join(' '));
    svg.append(p);
  }
  for (const b of cam.boxes || []) {
    const r = document.createElementNS(NS, 'rect');
    r.setAttribute('class', 'box');
    r.setAttribute('x', b.x);
    r.setAttribute('y', b.y * 0.5625);
    r.setAttribute('width', b.w);
    r.setAttribute('height', b.h * 0.5625);
    svg.append(r);
  }
  return svg;
}

function actionsFor(o) {
  const result = el('div', { class: 'result', 'data-field': 'action-result', role: 'status' });
  const team = el('input', { id: 'reroute-team', placeholder: 'team id', maxLength: 64 });
  const rerouteNote = el('input', { id: 'reroute-note', placeholder: 'note (optional)', maxLength: 2000 });
  const cancelNote = el('input', { id: 'cancel-note', placeholder: 'reason for cancelling', maxLength: 2000 });
  const noteText = el('input', { id: 'note-text', placeholder: 'note for the order’s record', maxLength: 2000 });
  const escalateNote = el('input', { id: 'escalate-note', placeholder: 'reason for escalating', maxLength: 2000 });
  const box = el('div', { class: 'actions', 'data-order': o.id },
    el('strong', {}, 'Reroute to another team'), team, rerouteNote,
    el('button', { type: 'button', id: 'reroute', onclick: () => act(o.id, 'reroute', { team: team.value.trim(), ...(rerouteNote.value.trim() ? { note: rerouteNote.value.trim() } : {}) }, result) }, 'Reroute'),
    el('strong', {}, 'Cancel the order'), cancelNote,
    el('button', { type: 'button', id: 'cancel', onclick: () => act(o.id, 'cancel', { note: cancelNote.value.trim() }, result) }, 'Cancel order'),
    el('strong', {}, 'Add a note'), noteText,
    el('button', { type: 'button', id: 'add-note', onclick: () => act(o.id, 'note', { note: noteText.value.trim() }, result).then((ok) => { if (ok) noteText.value = ''; }) }, 'Add note'),
    el('strong', {}, 'Escalate'), escalateNote,
    el('button', { type: 'button', id: 'escalate', onclick: () => act(o.id, 'escalate', { note: escalateNote.value.trim() }, result).then((ok) => { if (ok) escalateNote.value = ''; }) }, 'Escalate'),
    result);
  return box;
}

/** Sends an operations-centre command and follows it; true once the operator applied it. */
async function act(id, action, body, result) {
  result.className = 'result';
  result.textContent = `${action}: sending…`;
  const r = await api(`/ops/v1/workorders/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: JSON.stringify(body) });
  if (r.status !== 202) {
    result.className = 'result refused';
    result.textContent = `${action} refused: ${(r.body && r.body.reason) || `HTTP ${r.status}`}`;
    return false;
  }
  const actionId = r.body.action_id;
  result.textContent = `${action}: queued, waiting for the work-order operator…`;
  for (let i = 0; i < 60; i++) {
    await new Promise((res) => setTimeout(res, 500));
    const o = await api(`/ops/v1/actions/${encodeURIComponent(actionId)}`);
    if (o.body && o.body.state === 'applied') {
      result.textContent = `${action}: applied`;
      return true;
    }
    if (o.body && o.body.state === 'refused') {
      result.className = 'result refused';
      result.textContent = `${action} refused by the operator (${o.body.code}): ${o.body.reason}`;
      return false;
    }
  }
  result.textContent = `${action}: still pending after 30 s (action ${actionId})`;
  return false;
}

// ---- sign-in ---------------------------------------------------------------------------------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  if (state.abort) state.abort.abort();
  $('#app').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
}

const mark = (name) => {
  (state.stats.marks ||= {})[name] = Math.round(performance.now() - (state.stats.signInAt || 0));
};

async function signIn(token) {
  state.token = token;
  state.stats.signInAt = performance.now();
  const r = await api('/console/v1/me');
  if (!r.ok) {
    signOut(r.status === 401 ? 'Unknown token.' : `The service answered ${r.status}; try again.`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  state.me = r.body;
  $('#who').textContent = r.body.kind === 'ops' ? `operations: ${r.body.id}` : `team: ${r.body.id}`;
  $('#login').hidden = true;
  $('#app').hidden = false;
  const tz = performance.now();
  const zones = await api('/console/v1/zones');
  state.stats.zonesFetchMs = Math.round(performance.now() - tz);
  mark('zones');
  state.zones = [];
  if (zones.ok) {
    for (const b of zones.body.blocks) {
      for (const z of b.zones) state.zones.push({ ...z, block: b.id, block_name: b.name });
    }
  }
  dirty.allZones = true;
  const view = readUrl();
  if (!map) initMap(view);
  map.invalidateSize();
  mark('mapReady');
  stream();
}

function start() {
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('#token').value.trim();
    $('#token').value = '';
    signIn(t);
  });
  $('#sign-out').addEventListener('click', () => signOut());
  for (const select of document.querySelectorAll('#filters select')) {
    select.addEventListener('change', () => {
      state.filters[select.dataset.key] = select.value;
      writeUrl();
      render();
    });
  }
  setInterval(tick, 1000);
  const saved = sessionStorage.getItem(TOKEN_KEY);
  if (saved) signIn(saved);
  else $('#login').hidden = false;
}

// For the browser tests and the curious: counters, and a way to drop the stream and reconnect
// with Last-Event-ID after a pause (changes made meanwhile must arrive once each).
window.streetsenseConsole = {
  stats: state.stats,
  lastEventId: () => state.lastEventId,
  orderIds: () => [...state.orders.keys()],
  markerCount: () => zoneMarkers.size,
  openZone(key) {
    const m = zoneMarkers.get(key);
    if (m) zoneLayer.fire('click', { layer: m, latlng: m.getLatLng() });
    return !!m;
  },
  mapView: () => (map ? [map.getCenter().lat, map.getCenter().lng, map.getZoom()] : null),
  zoneState: (key) => (zoneMarkers.get(key) || {}).zoneState || null,
  streetNow: () => (state.clock.known ? streetNow() : null),
  streetWarning: () => streetWarning(streetNow()),
  reconnect(pauseMs = 0) {
    state.pauseMs = pauseMs;
    if (state.abort) state.abort.abort();
  },
};

start();
