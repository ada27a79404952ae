/* global document, window */
// The local stack's dashboard: polls GET /api/status (local/status-schema.ts) every second
// and redraws. Data only ever reaches the page through textContent and attributes, so a
// display name or a guard message can never become markup. Making an account, setting its
// policy, pausing and resuming it go through the config API (manage.js).
import { el, lineChart } from './chart.js';
import { accountManager, setupAccountsCard } from './manage.js';

const POLL_MS = 1000;
const panels = new Map();
/** Accounts made on this page whose section should open its "Manage" part when it appears. */
const openWhenShown = new Set();
let lastBody = '';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const usdCompact = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
const usdWhole = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
// Axis labels: whole dollars while they fit, compact beyond (a tick step is never below $1 here).
const usdAxis = (v) => (Math.abs(v) >= 100_000 ? usdCompact.format(v) : usdWhole.format(v));
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const num = (v, digits = 2) => (isNum(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—');
const money = (v) => (isNum(v) ? usd.format(v) : '—');
const list = (v) => (Array.isArray(v) ? v : []);

function time(t) {
  if (!isNum(t)) return '—';
  const d = new Date(t);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function shortHash(h) {
  if (typeof h !== 'string' || h === '') return '—';
  return h.length > 16 ? `${h.slice(0, 8)}…${h.slice(-6)}` : h;
}

const $ = (id) => document.getElementById(id);
const setText = (id, text) => {
  const node = $(id);
  if (node) node.textContent = text;
};

// ---- header ----------------------------------------------------------------------------

function renderHeader(s) {
  const m = s.market ?? {};
  setText('chain', `${s.chain?.chainId ?? '—'}`);
  setText('block', `#${s.chain?.blockNumber ?? '—'}`);
  setText('oracle', money(m.oracle));
  setText('pool', money(m.pool));
  const bps = isNum(m.oracle) && isNum(m.pool) && m.oracle !== 0 ? ((m.pool - m.oracle) / m.oracle) * 1e4 : NaN;
  setText('spread', isNum(bps) ? `${bps >= 0 ? '+' : ''}${num(bps, 1)} bps` : '—');
  setText('vol', isNum(m.vol) ? `${num(m.vol * 100, 1)} %` : '—');
  setText('ticks', String(s.ticks ?? '—'));
  setText('uptime', isNum(s.now) && isNum(s.startedAt) ? `${Math.round((s.now - s.startedAt) / 1000)} s` : '—');
  const crashing = m.crashing === true;
  const badge = $('market-state');
  badge.textContent = crashing ? 'Flash crash in progress' : 'Market calm';
  badge.className = crashing ? 'badge bad' : 'badge ok';
  const button = $('crash');
  if (!button.dataset.pending) button.disabled = crashing;
}

function setConnection(ok, detail) {
  const node = $('connection');
  node.textContent = ok ? `Live · updated ${time(Date.now())}` : `Disconnected: ${detail}`;
  node.className = ok ? 'conn ok' : 'conn bad';
}

async function startCrash() {
  const button = $('crash');
  button.dataset.pending = '1';
  button.disabled = true;
  setText('crash-result', 'Starting a flash crash…');
  try {
    const res = await window.fetch('/api/crash', { method: 'POST' });
    const body = await res.text();
    setText('crash-result', res.ok ? 'Flash crash started.' : `Crash refused (${res.status}): ${body.slice(0, 200)}`);
  } catch (error) {
    setText('crash-result', `Crash request failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    delete button.dataset.pending;
    button.disabled = false;
    void poll(false);
  }
}

// ---- per account -----------------------------------------------------------------------

/** One section per account, created once and kept, so <details> and scroll positions survive the polling. */
function panelFor(account) {
  let panel = panels.get(account.accountId);
  if (panel) return panel;
  const slot = (name) => el('div', { class: `slot slot-${name}`, 'data-panel': name });
  const title = el('h2');
  const status = el('span', { class: 'badge' });
  const facts = el('p', { class: 'facts' });
  const slots = { exposure: slot('exposure'), price: slot('price'), pnl: slot('pnl'), decision: slot('decision'), hedges: slot('hedges'), guards: slot('guards') };
  const config = el('pre', { class: 'config-json', 'data-config': '' });
  const details = el('details', { class: 'config', open: true }, [el('summary', { text: 'Configuration' }), config]);
  const manager = accountManager(account.accountId);
  if (openWhenShown.delete(account.accountId)) manager.open();
  const card = (heading, body) => el('section', { class: 'card' }, [el('h3', { text: heading }), body]);
  const root = el('article', { class: 'account', 'data-account': account.accountId }, [
    el('header', { class: 'account-head' }, [title, status]),
    facts,
    el('div', { class: 'grid charts' }, [
      card('Exposure against the band', slots.exposure),
      card('Price and hedges', slots.price),
      card('P&L attribution', slots.pnl),
    ]),
    el('div', { class: 'grid tables' }, [
      card('Latest decision', slots.decision),
      card('Recent hedges', slots.hedges),
      card('Guards tripped', slots.guards),
    ]),
    details,
    manager.node,
  ]);
  panel = { root, title, status, facts, slots, config, manager };
  panels.set(account.accountId, panel);
  return panel;
}

function nearest(points, t, pick) {
  // Series are in time order; a binary search keeps a marker on the price at its time.
  let lo = 0;
  let hi = points.length - 1;
  if (hi < 0) return NaN;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  const best = lo > 0 && Math.abs(points[lo - 1].t - t) < Math.abs(points[lo].t - t) ? points[lo - 1] : points[lo];
  return pick(best);
}

/** What a hedge traded, as one short label: "perp", "spot", "option lyra-call-3000". */
function instrumentLabel(h) {
  const kind = typeof h.instrument === 'string' ? h.instrument : 'spot';
  return kind === 'option' && h.instrumentId ? `option ${h.instrumentId}` : kind;
}

/** Where it was filled: the venue, and for a routed fill how many pools it was split across. */
function venueLabel(h) {
  if (typeof h.venueId !== 'string') return '—';
  return isNum(h.legs) && h.legs > 1 ? `${h.venueId} (${h.legs} legs)` : h.venueId;
}

function hedgeMarker(h, market, series) {
  const at = (t) => (market.length ? nearest(market, t, (p) => p.oracle) : nearest(series, t, (p) => p.spot));
  const qty = num(h.quantity, 4);
  const what = instrumentLabel(h);
  if (h.stage === 'confirmed') {
    // An option's price is its premium, not the underlying's: its marker sits on the oracle at its time.
    const option = h.instrument === 'option';
    const price = !option && isNum(h.priceUsd) ? h.priceUsd : at(h.t);
    const paid = option ? `premium ${money(h.priceUsd)}` : `@ ${money(h.priceUsd)}`;
    return {
      t: h.t, v: price, shape: h.side === 'buy' ? 'up' : 'down', key: h.side, legend: `${h.side} (confirmed)`,
      title: `${h.side} ${qty} ${what} ${paid} at ${time(h.t)} on ${venueLabel(h)} (confirmed)${h.txHash ? `\ntx ${h.txHash}` : ''}`,
    };
  }
  if (h.stage === 'failed' || h.stage === 'skipped') {
    return {
      t: h.t, v: at(h.t), shape: 'cross', key: h.stage, legend: h.stage,
      title: `${h.stage} ${h.side} ${qty} ${what} at ${time(h.t)}: ${h.code ?? 'no code'} — ${h.message}`,
    };
  }
  return { t: h.t, v: at(h.t), shape: 'dot', key: 'pending', legend: 'in flight', title: `${h.side} ${qty} ${what}: ${h.stage} at ${time(h.t)}` };
}

function table(columns, rows, empty) {
  if (!rows.length) return el('p', { class: 'empty', text: empty });
  const head = el('tr', {}, columns.map((c) => el('th', { scope: 'col', text: c.label })));
  const body = rows.map((r) => el('tr', {}, columns.map((c) => {
    const cell = c.cell(r);
    return el('td', { class: c.cls, title: cell.title }, [cell.node ?? String(cell.text ?? cell)]);
  })));
  return el('div', { class: 'scroll' }, [el('table', {}, [el('thead', {}, [head]), el('tbody', {}, body)])]);
}

function decisionView(exposure) {
  if (!exposure) return el('p', { class: 'empty', text: 'No evaluation yet.' });
  const rows = [['Evaluated', exposure.at ? time(Date.parse(exposure.at)) : '—'], ['Status', exposure.status]];
  if (exposure.problem) rows.push(['Problem', `${exposure.problem.code}: ${exposure.problem.message}`]);
  const d = exposure.decision;
  if (d) {
    rows.push(['Action', d.action], ['Reason', d.reason], ['Message', d.message]);
    rows.push(['Mode', `${d.dryRun ? 'dry run' : 'live'}, ${d.dispatched ? 'dispatched' : 'not dispatched'}`]);
  }
  const r = exposure.risk;
  if (r) rows.push(['Net delta', `${num(r.delta, 4)} (in flight ${num(r.inFlightUnits, 4)})`], ['Option value', money(r.optionValueUsd)]);
  const dl = el('dl', { class: 'decision' });
  for (const [k, v] of rows) dl.append(el('dt', { text: k }), el('dd', { text: v ?? '—', 'data-field': k.toLowerCase() }));
  return dl;
}

function renderAccount(a, s, xDomain) {
  const p = panelFor(a);
  p.title.textContent = a.displayName || a.accountId;
  p.title.title = a.accountId;
  // The crash breaker's mode beside the account's status: the plan in force, the reason on hover.
  const crash = a.crashMode && a.crashMode.mode === 'crash';
  p.status.textContent = crash ? `${a.status} · crash mode (${a.crashMode.plan})` : a.status;
  p.status.className = `badge ${crash ? 'bad' : a.status === 'active' ? 'ok' : 'warn'}`;
  p.status.title = crash ? `since ${time(a.crashMode.since)}: ${a.crashMode.reason}` : '';
  p.status.dataset.crashMode = crash ? 'crash' : 'normal';
  p.manager.update(a);

  const series = list(a.series);
  const market = list(s.market?.series);
  const pnl = list(a.pnl);
  const hedges = list(a.hedges);
  const last = series[series.length - 1];
  const lastPnl = pnl[pnl.length - 1];
  const band = last && isNum(last.bandLower) && isNum(last.bandUpper) ? `[${num(last.bandLower)}, ${num(last.bandUpper)}]` : 'none';
  const confirmed = hedges.filter((h) => h.stage === 'confirmed');
  const byInstrument = ['spot', 'perp', 'option'].map((k) => [k, confirmed.filter((h) => h.instrument === k).length]).filter(([, n]) => n > 0);
  const mix = byInstrument.length ? ` (confirmed: ${byInstrument.map(([k, n]) => `${n} ${k}`).join(', ')})` : '';
  p.facts.textContent = `Account ${a.accountId} · delta ${num(last?.delta, 3)} · band ${band} · P&L ${money(lastPnl?.totalUsd)} · ${hedges.length} hedges${mix}`;

  p.slots.exposure.replaceChildren(lineChart({
    label: `${a.displayName}: net delta over time against the hedging band`,
    xDomain, zeroLine: true, yFormat: (v) => num(v, Math.abs(v) < 10 ? 1 : 0),
    bands: [{ key: 'band', name: 'Band', points: series.map((q) => ({ t: q.t, lo: q.bandLower, hi: q.bandUpper })) }],
    lines: [{ key: 'delta', name: 'Net delta (units)', points: series.map((q) => ({ t: q.t, v: q.delta })) }],
  }));
  p.slots.price.replaceChildren(lineChart({
    label: `${a.displayName}: oracle and pool price with hedges`,
    xDomain, yFormat: usdAxis,
    lines: [
      { key: 'oracle', name: 'Oracle', points: market.map((q) => ({ t: q.t, v: q.oracle })) },
      { key: 'pool', name: 'Pool', points: market.map((q) => ({ t: q.t, v: q.pool })) },
    ],
    markers: hedges.map((h) => hedgeMarker(h, market, series)),
  }));
  p.slots.pnl.replaceChildren(lineChart({
    label: `${a.displayName}: P&L attribution in USD`,
    xDomain, zeroLine: true, yFormat: usdAxis,
    lines: [
      { key: 'options', name: 'Options', points: pnl.map((q) => ({ t: q.t, v: q.optionsUsd })) },
      { key: 'hedge', name: 'Hedge', points: pnl.map((q) => ({ t: q.t, v: q.hedgeUsd })) },
      { key: 'funding', name: 'Funding', points: pnl.map((q) => ({ t: q.t, v: q.fundingUsd ?? 0 })) },
      { key: 'costs', name: 'Costs', points: pnl.map((q) => ({ t: q.t, v: q.costsUsd })) },
      { key: 'total', name: 'Total', points: pnl.map((q) => ({ t: q.t, v: q.totalUsd })) },
    ],
  }));
  p.slots.decision.replaceChildren(decisionView(a.exposure));

  const newest = (rows) => [...rows].sort((x, y) => y.t - x.t);
  p.slots.hedges.replaceChildren(table([
    { label: 'Time', cell: (h) => time(h.t) },
    { label: 'Instrument', cls: 'mono', cell: (h) => ({ node: el('span', { class: `instrument ${h.instrument ?? 'spot'}`, text: instrumentLabel(h), 'data-field': 'instrument' }) }) },
    { label: 'Venue', cls: 'mono', cell: (h) => ({ node: el('span', { text: typeof h.venueId === 'string' ? h.venueId : '—', 'data-field': 'venue' }) }) },
    { label: 'Legs', cls: 'num', cell: (h) => ({ node: el('span', { text: isNum(h.legs) ? String(h.legs) : '—', 'data-field': 'legs' }), title: isNum(h.legs) ? `split across ${h.legs} pool(s) in one transaction` : undefined }) },
    { label: 'Side', cell: (h) => ({ node: el('span', { class: `side ${h.side}`, text: h.side }) }) },
    { label: 'Qty', cls: 'num', cell: (h) => num(h.quantity, 4) },
    { label: 'Price', cls: 'num', cell: (h) => ({ text: money(h.priceUsd), title: h.instrument === 'option' ? 'premium per contract' : undefined }) },
    { label: 'Stage', cell: (h) => ({ node: el('span', { class: `stage ${h.stage}`, text: h.stage }), title: h.code ? `${h.code}: ${h.message}` : h.message }) },
    { label: 'Tx', cls: 'mono', cell: (h) => ({ text: shortHash(h.txHash), title: h.txHash ?? undefined }) },
  ], newest(hedges), 'No hedges yet.'));
  p.slots.guards.replaceChildren(table([
    { label: 'Time', cell: (g) => time(g.t) },
    { label: 'Code', cls: 'mono', cell: (g) => g.code },
    { label: 'Message', cell: (g) => ({ text: g.message, title: `hedge ${g.hedgeId}` }) },
  ], newest(list(a.guards)), 'No guard has tripped.'));

  const json = JSON.stringify(a.config ?? {}, null, 2);
  if (p.config.textContent !== json) p.config.textContent = json;
  return p.root;
}

// ---- the page --------------------------------------------------------------------------

function render(s) {
  renderHeader(s);
  // One time axis for every chart, so a hedge lines up with the move that caused it.
  const ts = [...list(s.market?.series), ...list(s.accounts).flatMap((a) => [...list(a.series), ...list(a.pnl), ...list(a.hedges)])]
    .map((p) => p.t).filter(isNum);
  const xDomain = ts.length > 1 ? [Math.min(...ts), Math.max(...ts)] : undefined;
  const accounts = list(s.accounts);
  const container = $('accounts');
  const nodes = accounts.map((a) => renderAccount(a, s, xDomain));
  for (const id of panels.keys()) if (!accounts.some((a) => a.accountId === id)) panels.delete(id);
  // The same sections in the same order stay where they are: moving them would take the
  // focus (and the caret) out of a field someone is typing in.
  const current = [...container.children];
  const same = nodes.length > 0 && current.length === nodes.length && nodes.every((node, i) => current[i] === node);
  if (!same) container.replaceChildren(...(nodes.length ? nodes : [el('p', { class: 'empty', text: 'No accounts configured.' })]));

  const events = [...list(s.events)].sort((x, y) => y.t - x.t).slice(0, 15);
  $('events').replaceChildren(table([
    { label: 'Time', cell: (e) => time(e.t) },
    { label: 'Type', cls: 'mono', cell: (e) => e.type },
    { label: 'Account', cell: (e) => e.accountId ?? '—' },
    { label: 'Summary', cell: (e) => e.summary },
  ], events, 'No events yet.'));
}

async function poll(again = true) {
  try {
    const res = await window.fetch('/api/status', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = await res.text();
    // Unchanged status: leave the DOM alone so an open tooltip or a hover is not reset.
    if (body !== lastBody) {
      render(JSON.parse(body));
      lastBody = body;
    }
    setConnection(true);
  } catch (error) {
    setConnection(false, error instanceof Error ? error.message : String(error));
  } finally {
    if (again) window.setTimeout(() => void poll(), POLL_MS);
  }
}

$('crash').addEventListener('click', () => void startCrash());
setupAccountsCard((accountId) => {
  const panel = panels.get(accountId);
  if (panel) panel.manager.open();
  else openWhenShown.add(accountId);
  void poll(false);
});
void poll();
