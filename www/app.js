// Headroom's page: collects the book, market and collateral, sends them to the worker, and shows
// the report. Everything typed is kept in localStorage; user text reaches the DOM only as text.
import { SAMPLE_MARKET, SAMPLES } from './samples-meta.js';
import { renderCharts, renderExpiryCharts } from './charts.js';
import { worker, startWorker } from './engine.js';
import { positionsView } from './positions-columns.js';
import { $, el } from './dom.js';
import { SIG, isNum, usd, coins, sig, pct, signedPct } from './format.js';
import { venueAccountsRequest, renderAccountEditors, renderVenueAccounts, newAccount, fillAccountChoice } from './venue-accounts.js';
import { defaultRisk, riskRequest, renderRisk } from './risk-panel.js';
import { attachTips } from './glossary.js';
import { ROW_LIMIT, visibleColumns, positionCell, columnValues, filterPositions, sortPositions } from './positions-table.js';
import { renderErrors, renderPreview } from './row-preview.js';
import { exportCsv, exportJson, shareLink, inflate, SHARE_PREFIX } from './share-export.js';
import { defaultSizing, defaultAttribution, sizingRequest, attributionRequest, renderSizing, renderAttribution } from './analysis-panels.js';
import { defaultSafe, safeRequest, renderSafe } from './make-safe.js';
import {
  renderAccount, renderLiquidation, renderWhatIf, renderMatrices, renderStress, renderMarginDetail, renderUnderlyings, renderExpiries,
} from './account-views.js';

/** "Find trades" asks for request.rebalance once: the next request carries it. The answer stays
 * on screen until asked again, said to be stale once the book or the market changed. */
let safeAsked = false;
let safeAnswer = null;
let safeBasis = '';

const STORAGE_KEY = 'headroom.v1';
const RECOMPUTE_DELAY_MS = 120;

// ---------- state ----------

const defaultState = () => ({
  positions: '',
  valuationNow: true,
  valuation: '',
  ratePct: '',
  /** Vol points added to every option's vol (request.market.volShift / 100). */
  volShiftPts: '',
  underlyings: {}, // SYMBOL -> { index, volPct, forwards: { CODE: value } } (all strings, as typed)
  collateral: [],
  /** The sample the market and collateral came from (null once the book is the user's own). */
  sample: null,
  venue: 'auto',
  marginModel: 'standard',
  whatIf: '',
  /** With venue accounts: the account (id) the what-if's trades go into. */
  whatIfAccount: '',
  /** A venue's market-data JSON as pasted (request.market.snapshot). */
  snapshot: '',
  /** The venue's balance response as pasted (request.account.balance). */
  balance: '',
  /** The risk panel's controls, as typed (request.risk when on). */
  risk: defaultRisk(),
  /** "How big may it be?" (request.sizing) and "P&L since…" (request.attribution), as typed. */
  sizing: defaultSizing(),
  attribution: defaultAttribution(),
  /** "Make it safe" (request.rebalance, sent when "Find trades" is pressed), as typed. */
  safe: defaultSafe(),
  /** Accounts on other venues, each on its venue's rules: { name, venue, marginMode, collateral, positions } (as typed). */
  accounts: [],
  theme: 'system',
  /** The charts' P&L: against the entry prices of the positions ('entry') or today's equity. */
  pnlBasis: 'entry',
  /** The charts' P&L in USD ('usd') or in the underlying's coin ('coin'), for coin-settled books. */
  pnlUnit: 'usd',
  positionsView: { sort: 'line', dir: 1, filter: '' },
});

/** The book is kept under its own key and written only when it changed: a 100,000-row paste is
 * megabytes, and sorting, filtering or switching the theme should not write it again. */
const POSITIONS_KEY = `${STORAGE_KEY}.positions`;

function loadState() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null');
    const loaded = saved && typeof saved === 'object' ? { ...defaultState(), ...saved } : defaultState();
    loaded.risk = { ...defaultRisk(), ...(loaded.risk || {}) };
    loaded.sizing = { ...defaultSizing(), ...(loaded.sizing || {}) };
    loaded.safe = { ...defaultSafe(), ...(loaded.safe || {}) };
    loaded.attribution = { ...defaultAttribution(), ...(loaded.attribution || {}) };
    const positions = localStorage.getItem(POSITIONS_KEY);
    if (positions !== null) loaded.positions = positions;
    return loaded;
  } catch {
    return defaultState();
  }
}

let state = loadState();
let lastReport = null;
/** The last report's positions, read in place from the worker's columns (positionsView). */
let lastPositions = null;
/** Whether the positions table draws every row (not kept across reloads: a big book starts capped). */
let showAllRows = false;
/** The book as last written to storage (null before the first write: an older save kept the book
 * in the state itself, and the next save moves it to its own key). */
let savedPositions = (() => {
  try {
    return localStorage.getItem(POSITIONS_KEY);
  } catch {
    return null;
  }
})();

/** A book opened from a shared link is not saved until the user keeps it or edits it. */
let sharedPending = false;

function saveState() {
  if (sharedPending) return;
  try {
    const { positions, ...rest } = state;
    localStorage.setItem(STORAGE_KEY, JSON.stringify(rest));
    if (positions !== savedPositions) {
      localStorage.setItem(POSITIONS_KEY, positions);
      savedPositions = positions;
    }
  } catch {
    showStatus('Could not save to local storage: your input will not survive a reload.', 'warn');
  }
}

/** Parses what a person types: "91,250.5", " 3 120 ", "−5". Empty → null; junk → NaN. */
function parseTyped(text) {
  const t = String(text ?? '').trim().replace(/\u2212/g, '-').replace(/[,\s_]/g, '');
  if (t === '') return null;
  const value = Number(t);
  return Number.isFinite(value) ? value : NaN;
}

// ---------- request ----------

/** "80000:62, 90,000:52.5%" (strike:IV %, separated by commas, semicolons, spaces or lines) → [[80000, 0.62], …]. */
function parseSmile(text, label, problems) {
  const pair = /([0-9][0-9,_]*(?:\.[0-9]+)?)\s*:\s*([0-9]+(?:\.[0-9]+)?)\s*%?/g;
  const input = String(text || '');
  const points = [...input.matchAll(pair)].map((m) => [parseTyped(m[1]), Number(m[2]) / 100]);
  const leftover = input.replace(pair, ' ').replace(/[\s,;]+/g, ' ').trim();
  if (leftover) problems.push(`${label}: “${leftover}” is not strike:IV% (e.g. 90000:52)`);
  return points;
}

function valuationIso() {
  if (state.valuationNow || !state.valuation) return new Date().toISOString();
  const v = state.valuation.length === 16 ? `${state.valuation}:00` : state.valuation;
  return `${v}Z`;
}

function buildRequest() {
  const problems = [];
  const number = (text, label, scale = 1) => {
    const v = parseTyped(text);
    if (Number.isNaN(v)) {
      problems.push(`${label}: “${text}” is not a number`);
      return null;
    }
    return v === null ? null : v * scale;
  };
  const underlyings = {};
  for (const [symbol, u] of Object.entries(state.underlyings)) {
    const forwards = {};
    // A forward typed is pinned; one loaded with a sample keeps its basis to the index (F/S), so
    // it moves when the index is changed.
    const index = parseTyped(u.index);
    for (const [code, ratio] of Object.entries(u.forwardBasis || {})) {
      if (isNum(index) && isNum(ratio) && String(u.forwards?.[code] ?? '').trim() === '') forwards[code] = index * ratio;
    }
    for (const [code, text] of Object.entries(u.forwards || {})) {
      const f = number(text, `${symbol} forward ${code}`);
      if (f !== null) forwards[code] = f;
    }
    const atmVols = {};
    for (const [code, text] of Object.entries(u.atm || {})) {
      const v = number(text, `${symbol} ATM vol ${code}`, 0.01);
      if (v !== null) atmVols[code] = v;
    }
    const smiles = {};
    for (const [code, text] of Object.entries(u.smile || {})) {
      const points = parseSmile(text, `${symbol} ${code} smile`, problems);
      if (points.length) smiles[code] = { points };
    }
    underlyings[symbol] = {
      index: number(u.index, `${symbol} index`),
      vol: number(u.volPct, `${symbol} default vol`, 0.01),
      forwards,
      atmVols,
      smiles,
    };
  }
  const collateral = {};
  for (const row of state.collateral) {
    const currency = String(row.currency || '').trim().toUpperCase();
    const amount = number(row.amount, `collateral ${currency || '(no currency)'}`);
    if (!currency || amount === null) continue;
    collateral[currency] = (collateral[currency] || 0) + amount;
  }
  const rate = number(state.ratePct, 'rate', 0.01);
  const volShift = number(state.volShiftPts, 'vol shift', 0.01);
  const market = {
    valuationTime: valuationIso(),
    rate: rate ?? 0,
    underlyings,
    ...(volShift ? { volShift } : {}),
    ...(String(state.snapshot || '').trim() ? { snapshot: state.snapshot } : {}),
  };
  const scenarios = {
    matrix: { moves: [-0.3, -0.2, -0.1, -0.05, 0, 0.05, 0.1, 0.2, 0.3], volShifts: [-0.2, -0.1, 0, 0.1, 0.2] },
    curves: { from: -0.5, to: 0.5, points: 61, horizonDays: [7] },
  };
  const risk = riskRequest(state.risk, parseTyped, problems);
  const sizing = sizingRequest(state.sizing, parseTyped, problems);
  const attribution = attributionRequest(state.attribution, parseTyped, problems);
  const accounts = venueAccountsRequest(state.accounts || [], { ...state, collateral }, parseTyped, problems);
  const ids = accounts ? accounts.map((a) => a.id) : null;
  const rebalance = safeAsked ? safeRequest(state.safe, parseTyped, problems, ids) : undefined;
  if (accounts) {
    const whatIf = String(state.whatIf || '').trim()
      ? { whatIf: state.whatIf, whatIfAccount: ids.includes(state.whatIfAccount) ? state.whatIfAccount : ids[0] } : {};
    return {
      problems,
      request: { market, accounts, scenarios, ...(risk ? { risk } : {}), ...whatIf, ...(rebalance ? { rebalance } : {}) },
    };
  }
  return {
    problems,
    request: {
      positions: state.positions,
      market,
      account: { collateral, ...(String(state.balance || '').trim() ? { balance: state.balance } : {}) },
      margin: { model: state.marginModel || 'standard' },
      venue: state.venue || 'auto',
      ...(String(state.whatIf || '').trim() ? { whatIf: state.whatIf } : {}),
      ...(risk ? { risk } : {}),
      ...(sizing ? { sizing } : {}),
      ...(attribution ? { attribution } : {}),
      ...(rebalance ? { rebalance } : {}),
      scenarios: {
        matrix: { moves: [-0.3, -0.2, -0.1, -0.05, 0, 0.05, 0.1, 0.2, 0.3], volShifts: [-0.2, -0.1, 0, 0.1, 0.2] },
        curves: { from: -0.5, to: 0.5, points: 61, horizonDays: [7] },
      },
    },
  };
}

// ---------- worker ----------

let nextId = 1;
let latestId = 0;
let timer = 0;
/** One request at a time: edits made while the engine works wait, and only the newest is sent. */
let inFlight = false;
let pending = false;
let slowTimer = 0;
const SLOW_MS = 100;

function finished() {
  inFlight = false;
  clearTimeout(slowTimer);
  document.body.classList.remove('busy', 'slow');
  $('progress').setAttribute('aria-busy', 'false');
  if (pending) {
    pending = false;
    compute();
    return true;
  }
  return false;
}

/**
 * A second worker, started after the first report, computes each request's scenarios (risk
 * matrices and curves) while the first computes the rest: on two cores a portfolio-margin book
 * answers in the longer of the two instead of their sum. Both give the same numbers to the bit.
 */
let helper = null;
function startHelper() {
  if (helper || (navigator.hardwareConcurrency || 1) < 2) return;
  helper = startWorker();
  helper.onmessage = (event) => (event.data.type === 'fatal' ? withoutHelper() : receive(event.data));
  helper.onerror = withoutHelper;
}

/** The second worker could not start or stopped: carry on with the first alone, asking it again
 * for whatever was waiting on the second. */
function withoutHelper() {
  if (!helper) return;
  helper.terminate();
  helper = null;
  if (awaited) {
    awaited = null;
    inFlight = false;
    clearTimeout(slowTimer);
    compute();
  }
}

/** What the request in flight still waits for: the report, and its scenarios when split. */
let awaited = null;

function receive(message) {
  if (message.type === 'ready') return;
  if (message.type === 'fatal') {
    showRequestError(`The calculation engine failed to start: ${message.error}`);
    return;
  }
  if (!awaited || message.id !== awaited.id || message.id !== latestId) return;
  if (message.error) {
    awaited.error = message.error;
  } else if (message.part === 'scenarios') {
    awaited.scenarios = message.scenarios;
    awaited.ms = Math.max(awaited.ms, message.ms);
  } else {
    awaited.report = message.report;
    awaited.positions = positionsView(message.positions);
    awaited.ms = Math.max(awaited.ms, message.ms);
  }
  if (!awaited.error && !(awaited.report && awaited.scenarios !== undefined)) return;
  const answer = awaited;
  awaited = null;
  if (finished()) return; // a newer edit is on its way
  if (answer.error) {
    showRequestError(answer.error);
    return;
  }
  showRequestError('');
  if (answer.scenarios) answer.report.scenarios = answer.scenarios;
  $('results').dataset.workers = answer.scenarios ? '2' : '1';
  render(answer.report, answer.positions, answer.ms, answer.started);
}

worker.onmessage = (event) => receive(event.data);

worker.onerror = (event) => showRequestError(`The calculation engine stopped: ${event.message || 'unknown error'}`);

/** The venue-account choices (the what-if's, Make it safe's) for the accounts the request holds. */
function showAccountChoices(ids) {
  fillAccountChoice($('what-if-account-label'), $('what-if-account'), ids, state.whatIfAccount, null);
  fillAccountChoice($('safe-account-label'), $('safe-account'), ids, state.safe.account, 'the one nearest to liquidation');
  $('safe-transfers-label').hidden = !ids || ids.length < 2;
}

/** What the rebalance answer depends on: the request without its what-if and analyses. */
function safeKey(request) {
  const { whatIf, whatIfAccount, rebalance, sizing, attribution, risk, scenarios, ...rest } = request;
  return JSON.stringify(rest);
}

function scheduleCompute() {
  saveState();
  clearTimeout(timer);
  timer = setTimeout(compute, RECOMPUTE_DELAY_MS);
}

function compute() {
  if (inFlight) {
    pending = true;
    return;
  }
  const { problems, request } = buildRequest();
  if (safeAsked) safeBasis = safeKey(request);
  safeAsked = false;
  // The request as sent, for the end-to-end tests to recompute it with the package.
  window.__headroomLastRequest = request;
  $('input-problems').replaceChildren(...problems.map((p) => el('li', { text: p })));
  showAccountChoices(request.accounts ? request.accounts.map((a) => a.id) : null);
  latestId = nextId++;
  inFlight = true;
  document.body.classList.add('busy');
  // Anything slower than ~100 ms shows progress.
  slowTimer = setTimeout(() => {
    document.body.classList.add('slow');
    $('progress').setAttribute('aria-busy', 'true');
  }, SLOW_MS);
  const started = performance.now();
  if (helper && request.scenarios) {
    const rest = { ...request };
    delete rest.scenarios;
    awaited = { id: latestId, ms: 0, started };
    worker.postMessage({ id: latestId, request: rest });
    helper.postMessage({ id: latestId, request, part: 'scenarios' });
  } else {
    awaited = { id: latestId, ms: 0, scenarios: null, started };
    worker.postMessage({ id: latestId, request });
  }
}

// ---------- rendering ----------

function showRequestError(message) {
  const box = $('request-error');
  box.hidden = !message;
  box.textContent = message ? `Cannot compute: ${message}` : '';
}

function showStatus(text, kind = '') {
  const status = $('status');
  status.textContent = text;
  status.className = kind;
}

/** Shows a report; its positions come as `positions` (positionsView), `report.positions` is []. */
function render(report, positions, ms, started) {
  lastReport = report;
  lastPositions = positions;
  syncMarketFromReport(report);
  renderAccount(report);
  renderLiquidation(report);
  renderMarginDetail(report);
  renderStress(report);
  drawRisk(report);
  drawAnalysis(report);
  renderMatrices(report);
  $('charts-section').hidden = report.scenarios.curves.length === 0;
  const drawing = [report.scenarios.curves.length ? renderCharts($('charts'), report, state.pnlBasis || 'entry', state.pnlUnit || 'usd') : null];
  renderWhatIf(report);
  renderVenueAccounts($('venue-accounts-section'), $('first-to-liquidate'), $('venue-accounts'), report, $('collateral-transfer'), positions);
  $('account-sub').textContent = report.accounts.length
    ? `all ${report.accounts.length} venue accounts, USD sums; each on its venue's rules below`
    : `${{ standard: 'standard margin', 'deribit-pm': 'portfolio margin', span: 'SPAN-16' }[report.margin.model]}, cross-margined in USD`;
  renderUnderlyings(report);
  renderExpiries(report);
  drawing.push(renderExpiryCharts($('expiry-charts'), report));
  renderPositions();
  renderErrors(report, positions);
  renderPreview(report, positions);
  $('warnings').replaceChildren(...report.warnings.map((w) => el('li', { text: w })));
  renderBookPrompts(report);
  const rows = positions.count;
  const total = `${rows} position${rows === 1 ? '' : 's'} computed, ${report.errors.length} row${report.errors.length === 1 ? '' : 's'} not read`;
  showStatus(`${total} · valued at ${report.valuationTime} · ${isNum(ms) ? ms.toFixed(1) : '?'} ms in WebAssembly`);
  // Request sent to report on screen (the benchmark reads it): compute, transfer, rows, DOM, the
  // charts (drawn after this function returns), then the frame that lays them out and paints.
  const first = $('results').dataset.ready !== 'true';
  Promise.all(drawing).then(() => requestAnimationFrame(() => setTimeout(() => {
    performance.measure('headroom-report', { start: started, end: performance.now() });
    if (first) performance.mark('headroom-first-report');
  })));
  if (first) setTimeout(() => { keepOffline(); startHelper(); }, 0);
  $('results').dataset.ready = 'true';
}

/** Next to the box, what the book still needs in words a trader reads: an underlying with no
 * index is asked for by name, with a button to the field. */
function renderBookPrompts(report) {
  const missing = [...new Set(report.errors.map((e) => /^no index price for ([A-Z0-9]+)/.exec(e.message)?.[1]).filter(Boolean))];
  $('book-prompts').replaceChildren(...missing.map((u) => el('li', {},
    `${u} needs its index price (USD): type it under Market, Index. `,
    el('button', { type: 'button', className: 'link', text: `Go to ${u}'s index`, onclick: () => {
      if (!state.underlyings[u]) {
        state.underlyings[u] = { index: '', volPct: '', forwards: {}, atm: {}, smile: {} };
        marketShape = '';
        renderMarket(null);
      }
      document.querySelector(`input[data-symbol="${CSS.escape(u)}"][data-field="index"]`)?.focus();
    } }))));
}

function drawRisk(report) {
  renderRisk(report, {
    section: $('risk-section'), metrics: $('risk-metrics'), histogram: $('risk-histogram'), underlyings: $('risk-underlyings'),
    forecastsBox: $('risk-forecasts-box'), forecasts: $('risk-forecasts'), backtest: $('risk-backtest'), model: $('risk-model'),
    horizonLabel: $('risk-horizon-label'), sub: $('risk-sub'),
  });
}

function drawSafe(report) {
  if (report.rebalance) safeAnswer = report.rebalance;
  const current = window.__headroomLastRequest ? safeKey(window.__headroomLastRequest) : '';
  renderSafe(safeAnswer, {
    result: $('safe-result'), answer: $('safe-answer'), trades: $('safe-trades'), compare: $('safe-compare'),
    hedges: $('safe-hedges'), notes: $('safe-notes'), button: $('safe-apply'), moves: $('safe-moves'), hedgesHead: $('safe-hedges-head'),
  }, (lines, account) => {
    state.whatIf = lines;
    if (account) state.whatIfAccount = account;
    $('what-if').value = lines;
    $('what-if-section').open = true;
    scheduleCompute();
  }, Boolean(safeAnswer) && current !== safeBasis);
}

function drawAnalysis(report) {
  drawSafe(report);
  renderSizing(report, {
    section: $('sizing-result'), sub: $('sizing-sub'), answer: $('sizing-answer'), caps: $('sizing-caps'), notes: $('sizing-notes'), button: $('sizing-apply'),
  }, (trade) => {
    state.whatIf = trade;
    $('what-if').value = trade;
    scheduleCompute();
  });
  renderAttribution(report, {
    section: $('attribution-section'), from: $('attribution-from'), sub: $('attribution-sub'), chartBox: $('attribution-chart'),
    table: $('attribution-table'), notes: $('attribution-notes'),
  });
}

/** Controls of the sizing and attribution panels: id → [state key, field]. */
const ANALYSIS_CONTROLS = {
  'sizing-instrument': ['sizing', 'instrument'], 'sizing-side': ['sizing', 'side'], 'sizing-vol': ['sizing', 'vol'], 'sizing-es': ['sizing', 'es'],
  'sizing-liquidation': ['sizing', 'liquidation'], 'sizing-edge': ['sizing', 'edge'], 'sizing-kelly': ['sizing', 'kelly'],
  'attribution-time': ['attribution', 'time'], 'attribution-method': ['attribution', 'method'], 'attribution-market': ['attribution', 'market'],
};

/** The "Make it safe" controls: id → the state.safe field each one holds. */
const SAFE_CONTROLS = { 'safe-headroom': 'headroom', 'safe-liquidation': 'liquidation', 'safe-mm': 'mmUsage', 'safe-max': 'maxTrades', 'safe-candidates': 'candidates' };

/** The risk controls: id → the state.risk field each one holds. */
const RISK_CONTROLS = {
  'risk-on': 'on', 'risk-horizon': 'horizon', 'risk-confidence': 'confidence', 'risk-method': 'method', 'risk-paths': 'paths',
  'risk-volofvol': 'volOfVol', 'risk-correlation': 'correlation', 'risk-seed': 'seed', 'risk-history': 'history',
  'risk-forecast': 'forecast', 'risk-scenarios': 'scenarios',
};

// ---------- positions table: sortable, filterable, capped, with totals ----------

/** Rows drawn at once; "Show every row" lifts it (a 10,000-row book stays responsive). */
function renderPositionsHead() {
  const view = state.positionsView;
  $('positions-columns').textContent = view.allColumns ? 'Key columns only' : 'All columns (line, Γ, IM, coin value, coin Δ, ρ, vanna, volga, charm)';
  $('positions-columns').setAttribute('aria-pressed', view.allColumns ? 'true' : 'false');
  $('positions-table').tHead.replaceChildren(el('tr', {}, ...visibleColumns(view.allColumns).map((c) => {
    const active = view.sort === c.key;
    const sort = active ? (view.dir > 0 ? 'ascending' : 'descending') : 'none';
    return el('th', { scope: 'col', 'aria-sort': sort, dataset: { term: c.term } },
      el('button', { type: 'button', className: 'sort', dataset: { sort: c.key },
        onclick: () => {
          state.positionsView = { ...view, sort: c.key, dir: active ? -view.dir : 1 };
          saveState();
          if (lastPositions) renderPositions();
        } }, c.label, el('span', { className: 'arrow', 'aria-hidden': 'true', text: active ? (view.dir > 0 ? ' ▲' : ' ▼') : '' })));
  })));
  attachTips($('positions-table').tHead);
}

function renderPositions() {
  const positions = lastPositions;
  const view = state.positionsView;
  renderPositionsHead();
  const kept = sortPositions(positions, filterPositions(positions, view.filter), view.sort, view.dir);
  const columns = visibleColumns(view.allColumns);
  const drawn = showAllRows ? kept : kept.slice(0, ROW_LIMIT);
  const all = positions.count;
  $('positions-count').textContent = `${all} computed`;
  $('positions-shown').textContent = kept.length === all && drawn.length === kept.length
    ? '' : `showing ${drawn.length} of ${kept.length}${kept.length === all ? '' : ` matching (${all} in all)`}`;
  $('positions-all').hidden = drawn.length === kept.length;
  $('positions-table').tBodies[0].replaceChildren(...drawn.map((i) => {
    const p = positions.row(i);
    return el('tr', { dataset: { line: String(p.line) }, className: p.expired ? 'expired' : '' }, ...columns.map((c) => positionCell(c, p)));
  }));
  // Totals of the rows the filter keeps: USD columns always, coin columns for one underlying.
  const underlying = positions.text('underlying');
  const underlyings = new Set();
  for (const i of kept) {
    underlyings.add(underlying(i));
    if (underlyings.size > 1) break;
  }
  const oneCoin = underlyings.size === 1 ? [...underlyings][0] : null;
  const cells = columns.map((c) => {
    if (c.key === 'line') return el('td', { text: '' });
    if (c.key === 'instrument') return el('th', { scope: 'row', text: `Total of ${kept.length} row${kept.length === 1 ? '' : 's'}${oneCoin ? ` (${oneCoin})` : ''}` });
    if (!c.total || (c.total === 'coin' && !oneCoin)) return el('td', { className: 'muted', text: c.total ? 'mixed coins' : '' });
    const value = columnValues(positions, c);
    let sum = 0;
    for (const row of kept) {
      const v = value(row);
      if (Number.isFinite(v)) sum += v;
    }
    const text = c.total === 'usd' ? usd(sum) : c.key === 'gamma' ? sig(sum) : coins(sum);
    return el('td', { dataset: { total: c.key }, text });
  });
  $('positions-table').tFoot.replaceChildren(el('tr', { className: 'totals' }, ...cells));
}

// ---------- market and collateral editors ----------

let marketShape = '';

/** Adds an underlying row for every underlying the book mentions, and a forward field per expiry. */
function syncMarketFromReport(report) {
  let changed = false;
  for (const [symbol, u] of Object.entries(report.underlyings)) {
    if (!state.underlyings[symbol]) {
      state.underlyings[symbol] = { index: '', volPct: '', forwards: {}, atm: {}, smile: {} };
      changed = true;
    }
    for (const e of u.expiries) {
      if (!(e.expiry in state.underlyings[symbol].forwards)) {
        state.underlyings[symbol].forwards[e.expiry] = '';
        changed = true;
      }
    }
  }
  if (changed) saveState();
  renderMarket(report);
}

function renderMarket(report) {
  const shape = JSON.stringify(Object.entries(state.underlyings).map(([s, u]) => [s, Object.keys(u.forwards)]));
  if (shape !== marketShape) {
    marketShape = shape;
    const rows = Object.entries(state.underlyings).map(([symbol, u]) => {
      u.atm = u.atm || {};
      u.smile = u.smile || {};
      const edit = (bucket, code) => (ev) => { state.underlyings[symbol][bucket][code] = ev.target.value; scheduleCompute(); };
      const forwards = Object.keys(u.forwards).map((code) => el('tr', { dataset: { expiry: code } },
        el('th', { scope: 'row', text: code }),
        el('td', {}, el('input', { type: 'text', inputmode: 'decimal', value: u.forwards[code], placeholder: '= index',
          'aria-label': `${symbol} forward for ${code}, USD`, dataset: { symbol, forward: code }, oninput: edit('forwards', code) })),
        el('td', {}, el('input', { type: 'text', inputmode: 'decimal', value: u.atm[code] || '', placeholder: '—',
          'aria-label': `${symbol} ATM vol for ${code}, percent`, dataset: { symbol, atm: code }, oninput: edit('atm', code) })),
        el('td', {}, el('input', { type: 'text', value: u.smile[code] || '', placeholder: 'e.g. 80000:62, 90000:52',
          'aria-label': `${symbol} smile for ${code}: strike:IV percent pairs`, dataset: { symbol, smile: code }, oninput: edit('smile', code) })),
        el('td', { className: 'basis muted', dataset: { basis: `${symbol} ${code}` } })));
      const main = el('tr', { dataset: { underlying: symbol } },
        el('th', { scope: 'row', rowspan: forwards.length ? 2 : 1, text: symbol }),
        el('td', {}, el('input', { type: 'text', inputmode: 'decimal', value: u.index, placeholder: 'required',
          'aria-label': `${symbol} index, USD`, dataset: { symbol, field: 'index' },
          oninput: (ev) => { state.underlyings[symbol].index = ev.target.value; scheduleCompute(); } })),
        el('td', {}, el('input', { type: 'text', inputmode: 'decimal', value: u.volPct, placeholder: 'e.g. 55',
          'aria-label': `${symbol} default vol, percent`, dataset: { symbol, field: 'vol' },
          oninput: (ev) => { state.underlyings[symbol].volPct = ev.target.value; scheduleCompute(); } })));
      if (!forwards.length) return [main];
      const head = el('thead', {}, el('tr', {}, ...['Expiry', 'Forward (USD)', 'ATM (%)', 'Smile (K:IV %)', 'Basis'].map((t) => el('th', { scope: 'col', text: t }))));
      return [main, el('tr', { className: 'forwards-row' }, el('td', { colspan: 2 },
        el('table', { className: 'expiries' }, head, el('tbody', {}, forwards))))];
    }).flat();
    $('market-table').tBodies[0].replaceChildren(...rows);
  }
  // Placeholders show what the engine used where the user typed nothing.
  if (!report) return;
  for (const [symbol, u] of Object.entries(report.underlyings)) {
    for (const e of u.expiries) {
      const input = document.querySelector(`input[data-symbol="${CSS.escape(symbol)}"][data-forward="${CSS.escape(e.expiry)}"]`);
      if (!input) continue;
      const moving = isNum(state.underlyings[symbol]?.forwardBasis?.[e.expiry]) && !String(state.underlyings[symbol]?.forwards?.[e.expiry] ?? '').trim();
      const source = moving ? ' (moves with index)' : { future: ' (future)', basis: ' (= index)', quoted: ' (venue)' }[e.forwardSource] ?? '';
      input.placeholder = e.forward === null ? '= index' : `${usd(e.forward)}${source}`;
      const basis = document.querySelector(`td[data-basis="${CSS.escape(symbol)} ${CSS.escape(e.expiry)}"]`);
      if (basis) {
        basis.textContent = e.expired ? `expired${e.settlement ? ` @ ${usd(e.settlement)}` : ''}` : isNum(e.basisAnnualized) ? `${(e.basis * 100).toFixed(2)} % · ${(e.basisAnnualized * 100).toFixed(1)} %/yr` : '—';
        basis.title = 'Basis: forward over index − 1, and ln(F/S)/T per year';
      }
    }
    const indexInput = document.querySelector(`input[data-symbol="${CSS.escape(symbol)}"][data-field="index"]`);
    if (indexInput) {
      indexInput.setAttribute('aria-invalid', u.index === null ? 'true' : 'false');
      // An index seeded from a pasted response or snapshot shows as the placeholder, not typed.
      indexInput.placeholder = u.index === null ? 'required' : `${usd(u.index)} (pasted)`;
    }
  }
}

function renderCollateral() {
  const rows = state.collateral.map((row, i) => el('tr', {},
    el('td', {}, el('input', { type: 'text', value: row.currency, 'aria-label': 'Collateral currency', size: 6, placeholder: 'BTC',
      oninput: (ev) => { state.collateral[i].currency = ev.target.value; scheduleCompute(); } })),
    el('td', {}, el('input', { type: 'text', inputmode: 'decimal', value: row.amount, 'aria-label': `Collateral amount, units of ${row.currency || 'the currency'}`, placeholder: '0',
      oninput: (ev) => { state.collateral[i].amount = ev.target.value; scheduleCompute(); } })),
    el('td', {}, el('button', { type: 'button', className: 'link', text: 'remove', 'aria-label': `Remove ${row.currency || 'this'} collateral`,
      onclick: () => { state.collateral.splice(i, 1); renderCollateral(); scheduleCompute(); } }))));
  $('collateral-table').tBodies[0].replaceChildren(...rows);
}

// ---------- samples ----------

async function loadSample(name) {
  const meta = SAMPLES.find((s) => s.file === name);
  const { default: samples } = await import('./pkg/samples.js');
  state.positions = samples[name];
  state.valuationNow = false;
  state.valuation = SAMPLE_MARKET.valuation;
  for (const [symbol, u] of Object.entries(SAMPLE_MARKET.underlyings)) {
    // The sample's forwards as their basis to its index: they move with the index until typed.
    state.underlyings[symbol] = {
      index: String(u.index), volPct: String(u.volPct),
      forwards: Object.fromEntries(Object.keys(u.forwards).map((k) => [k, ''])),
      forwardBasis: Object.fromEntries(Object.entries(u.forwards).map(([k, v]) => [k, v / u.index])),
      atm: {}, smile: {},
    };
  }
  state.collateral = meta.collateral.map((c) => ({ ...c }));
  if (meta.model) state.marginModel = meta.model;
  state.pnlBasis = meta.pnlBasis || 'entry';
  state.sample = name;
  $('book-notice').hidden = true;
  marketShape = '';
  applyStateToControls();
  renderCollateral();
  renderMarket(null);
  scheduleCompute();
}

function applyStateToControls() {
  $('positions').value = state.positions;
  $('valuation-now').checked = state.valuationNow;
  $('valuation').value = state.valuation;
  $('valuation').disabled = state.valuationNow;
  $('rate').value = state.ratePct;
  $('vol-shift').value = state.volShiftPts || '';
  $('venue').value = state.venue || 'auto';
  $('what-if').value = state.whatIf || '';
  $('what-if-section').open = Boolean(state.whatIf);
  $('snapshot').value = state.snapshot || '';
  $('pnl-basis').value = state.pnlBasis || 'entry';
  $('pnl-unit').value = state.pnlUnit || 'usd';
  $('snapshot-section').open = Boolean(state.snapshot);
  $('balance').value = state.balance || '';
  $('balance-section').open = Boolean(state.balance);
  for (const [id, field] of Object.entries(RISK_CONTROLS)) {
    if (field === 'on') $(id).checked = Boolean(state.risk.on);
    else $(id).value = state.risk[field] ?? '';
  }
  $('risk-inputs').open = Boolean(state.risk.on);
  for (const [id, [key, field]] of Object.entries(ANALYSIS_CONTROLS)) $(id).value = state[key][field] ?? '';
  for (const [id, field] of Object.entries(SAFE_CONTROLS)) $(id).value = state.safe[field] ?? '';
  $('safe-transfers').checked = state.safe.transfers !== false;
  $('attribution-inputs').open = Boolean(state.attribution.time || state.attribution.market);
  $('margin-model').value = state.marginModel || 'standard';
  $('positions-filter').value = state.positionsView?.filter || '';
  renderAccounts();
}

/** The venue-account editors; a change of venue or the list redraws them, typing does not. */
function renderAccounts() {
  if (!Array.isArray(state.accounts)) state.accounts = [];
  renderAccountEditors($('venue-accounts-editor'), state.accounts, (redraw) => {
    if (redraw) renderAccounts();
    scheduleCompute();
  });
}

// ---------- export, share, files, theme ----------

/** A shared link's book is shown, not saved: the saved book stays until the user keeps the
 * shared one (or edits it), and "Back to my saved book" restores it. The fragment is cleared. */
async function loadSharedState() {
  if (!location.hash.startsWith(SHARE_PREFIX)) return;
  try {
    const shared = JSON.parse(await inflate(location.hash.slice(SHARE_PREFIX.length)));
    if (shared && typeof shared === 'object') {
      state = { ...defaultState(), ...shared };
      sharedPending = true;
      $('shared-notice').hidden = false;
      $('share-status').textContent = 'Loaded the book from the shared link.';
    }
  } catch {
    $('share-status').textContent = 'The shared link could not be read; your saved book is unchanged.';
  }
  history.replaceState(null, '', location.pathname);
}

/** Keeps the shared book (saves it) or goes back to the saved one. */
function settleShared(keep) {
  sharedPending = false;
  $('shared-notice').hidden = true;
  if (!keep) state = loadState();
  marketShape = '';
  applyStateToControls();
  renderCollateral();
  renderMarket(null);
  saveState();
  scheduleCompute();
}

/** A book pasted or opened over a sample's starts clean: the sample's valuation time, market
 * and collateral are cleared (one click brings them back). */
function startCleanAfterSample() {
  if (!state.sample) return;
  const kept = { sample: state.sample, valuationNow: state.valuationNow, valuation: state.valuation, underlyings: state.underlyings, collateral: state.collateral, marginModel: state.marginModel };
  state = { ...state, sample: null, valuationNow: true, valuation: '', underlyings: {}, collateral: [], marginModel: 'standard' };
  marketShape = '';
  applyStateToControls();
  renderCollateral();
  renderMarket(null);
  $('book-notice-text').textContent = `Your book starts clean: the ${kept.sample} sample's valuation time, index, forwards and collateral were cleared.`;
  $('book-notice-undo').textContent = 'Keep the sample\u2019s market';
  $('book-notice-undo').onclick = () => {
    state = { ...state, ...kept, sample: null };
    marketShape = '';
    applyStateToControls();
    renderCollateral();
    renderMarket(null);
    $('book-notice').hidden = true;
    scheduleCompute();
  };
  $('book-notice').hidden = false;
}

async function readFile(file) {
  if (!file) return;
  if (file.size > 20 * 1024 * 1024) {
    showStatus(`${file.name} is larger than 20 MB; not loaded.`, 'warn');
    return;
  }
  state.positions = await file.text();
  $('positions').value = state.positions;
  startCleanAfterSample();
  scheduleCompute();
}

function applyTheme() {
  const theme = state.theme || 'system';
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  $('theme').value = theme;
  // Every chart is drawn in the theme's colours: redraw them all.
  if (!lastReport) return;
  if (lastReport.scenarios.curves.length) renderCharts($('charts'), lastReport, state.pnlBasis || 'entry', state.pnlUnit || 'usd');
  renderExpiryCharts($('expiry-charts'), lastReport);
  drawRisk(lastReport);
  renderAttribution(lastReport, {
    section: $('attribution-section'), from: $('attribution-from'), sub: $('attribution-sub'), chartBox: $('attribution-chart'),
    table: $('attribution-table'), notes: $('attribution-notes'),
  });
}

// ---------- wiring ----------

async function init() {
  await loadSharedState();
  applyTheme();
  $('theme').addEventListener('change', (ev) => { state.theme = ev.target.value; saveState(); applyTheme(); });
  // The system's scheme changing redraws the charts of the "system" theme.
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { if ((state.theme || 'system') === 'system') applyTheme(); });
  $('export-csv').addEventListener('click', () => exportCsv(lastReport, lastPositions));
  $('export-json').addEventListener('click', () => exportJson(lastReport, lastPositions));
  $('share').addEventListener('click', () => shareLink(state));
  $('file').addEventListener('change', (ev) => readFile(ev.target.files[0]));
  const box = $('positions');
  box.addEventListener('dragover', (ev) => { ev.preventDefault(); box.classList.add('dragging'); });
  box.addEventListener('dragleave', () => box.classList.remove('dragging'));
  box.addEventListener('drop', (ev) => { ev.preventDefault(); box.classList.remove('dragging'); readFile(ev.dataTransfer.files[0]); });
  const sampleButtons = SAMPLES.map((s) => el('button', { type: 'button', text: s.label, title: s.description, dataset: { sample: s.file }, onclick: () => loadSample(s.file) }));
  $('samples').append(...sampleButtons);
  applyStateToControls();
  renderCollateral();
  renderMarket(null);
  $('positions').addEventListener('paste', (ev) => {
    const box = ev.target;
    const whole = box.value.trim() === '' || (box.selectionStart === 0 && box.selectionEnd === box.value.length);
    if (whole) setTimeout(startCleanAfterSample, 0);
  });
  $('positions').addEventListener('input', (ev) => { state.positions = ev.target.value; scheduleCompute(); });
  $('shared-keep').addEventListener('click', () => settleShared(true));
  $('shared-back').addEventListener('click', () => settleShared(false));
  // A link pasted into an open tab loads too.
  window.addEventListener('hashchange', async () => {
    if (!location.hash.startsWith(SHARE_PREFIX)) return;
    await loadSharedState();
    marketShape = '';
    applyStateToControls();
    renderCollateral();
    renderMarket(null);
    scheduleCompute();
  });
  $('valuation-now').addEventListener('change', (ev) => {
    state.valuationNow = ev.target.checked;
    if (!state.valuationNow && !state.valuation) state.valuation = new Date().toISOString().slice(0, 19);
    applyStateToControls();
    scheduleCompute();
  });
  $('valuation').addEventListener('input', (ev) => { state.valuation = ev.target.value; scheduleCompute(); });
  $('rate').addEventListener('input', (ev) => { state.ratePct = ev.target.value; scheduleCompute(); });
  $('vol-shift').addEventListener('input', (ev) => { state.volShiftPts = ev.target.value; scheduleCompute(); });
  $('venue').addEventListener('change', (ev) => { state.venue = ev.target.value; scheduleCompute(); });
  $('what-if').addEventListener('input', (ev) => { state.whatIf = ev.target.value; scheduleCompute(); });
  $('snapshot').addEventListener('input', (ev) => { state.snapshot = ev.target.value; scheduleCompute(); });
  $('pnl-unit').addEventListener('change', (ev) => {
    state.pnlUnit = ev.target.value;
    saveState();
    if (lastReport && lastReport.scenarios.curves.length) renderCharts($('charts'), lastReport, state.pnlBasis || 'entry', state.pnlUnit);
  });
  $('pnl-basis').addEventListener('change', (ev) => {
    state.pnlBasis = ev.target.value;
    saveState();
    if (lastReport && lastReport.scenarios.curves.length) renderCharts($('charts'), lastReport, state.pnlBasis, state.pnlUnit || 'usd');
  });
  $('balance').addEventListener('input', (ev) => { state.balance = ev.target.value; scheduleCompute(); });
  for (const [id, [key, field]] of Object.entries(ANALYSIS_CONTROLS)) {
    $(id).addEventListener($(id).tagName === 'SELECT' ? 'change' : 'input', (ev) => {
      state[key] = { ...state[key], [field]: ev.target.value };
      scheduleCompute();
    });
  }
  for (const [id, field] of Object.entries(SAFE_CONTROLS)) {
    $(id).addEventListener('input', (ev) => {
      state.safe = { ...state.safe, [field]: ev.target.value };
      saveState();
    });
  }
  $('what-if-account').addEventListener('change', (ev) => { state.whatIfAccount = ev.target.value; scheduleCompute(); });
  $('safe-account').addEventListener('change', (ev) => { state.safe = { ...state.safe, account: ev.target.value }; saveState(); });
  $('safe-transfers').addEventListener('change', (ev) => { state.safe = { ...state.safe, transfers: ev.target.checked }; saveState(); });
  $('safe-run').addEventListener('click', () => {
    safeAsked = true;
    saveState();
    clearTimeout(timer);
    compute();
  });
  for (const [id, field] of Object.entries(RISK_CONTROLS)) {
    $(id).addEventListener(field === 'on' ? 'change' : 'input', (ev) => {
      state.risk = { ...state.risk, [field]: field === 'on' ? ev.target.checked : ev.target.value };
      scheduleCompute();
    });
  }
  $('margin-model').addEventListener('change', (ev) => { state.marginModel = ev.target.value; scheduleCompute(); });
  $('positions-filter').addEventListener('input', (ev) => {
    state.positionsView = { ...state.positionsView, filter: ev.target.value };
    saveState();
    if (lastPositions) renderPositions();
  });
  $('positions-all').addEventListener('click', () => { showAllRows = true; if (lastPositions) renderPositions(); });
  $('aggregate-columns').addEventListener('click', (ev) => {
    const all = ev.currentTarget.getAttribute('aria-pressed') !== 'true';
    ev.currentTarget.setAttribute('aria-pressed', String(all));
    ev.currentTarget.textContent = all ? 'Key columns only' : 'All columns (Δ without collateral, coin Δ, collateral, Γ per USD, weighted vega)';
    for (const id of ['underlyings', 'expiries-table']) $(id).classList.toggle('compact', !all);
  });
  $('positions-columns').addEventListener('click', () => {
    state.positionsView = { ...state.positionsView, allColumns: !state.positionsView.allColumns };
    saveState();
    if (lastPositions) renderPositions();
  });
  attachTips(document);
  $('add-collateral').addEventListener('click', () => { state.collateral.push({ currency: '', amount: '' }); renderCollateral(); });
  $('add-venue-account').addEventListener('click', () => {
    state.accounts.push(newAccount(state.accounts.length + 1));
    renderAccounts();
    scheduleCompute();
  });
  $('clear').addEventListener('click', () => {
    if (!confirm('Clear the book, market and collateral?')) return;
    state = defaultState();
    marketShape = '';
    applyStateToControls();
    renderCollateral();
    renderMarket(null);
    scheduleCompute();
  });
  // Every control answers from here on; the first report follows when the engine has run.
  performance.mark('headroom-interactive');
  compute();
}

/** Served over http(s), the page keeps its files for offline use (opened from disk it is one
 * file). Registered after the first report, so caching never competes with the page's start. */
function keepOffline() {
  if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
    navigator.serviceWorker.register('./sw.js').catch(() => {});
  }
}

init();
