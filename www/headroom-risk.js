// <headroom-risk>: Headroom as an element a front end drops into its own page. Give it a request
// (the same object `analyze` takes) and it shows the account's headroom, margin usage and each
// underlying's Greeks and distance to liquidation, computed in its own worker; it fires
// `headroom-report` (detail: the report) or `headroom-error` (detail: the message) after each
// computation, and `headroom-error` when its worker cannot start. Rows that could not be read are
// listed with their line and reason. Attributes `model` ("standard" | "deribit-pm" | "span") and
// `venue` override the request's. Types: headroom-risk.d.ts. Everything reaches its shadow DOM as
// text. The npm package carries it as `headroom/element` (scripts/build-web.mjs): there its
// worker is element-worker.js, which loads headroom_bg.wasm by URL, the module's only copy.

import { positionsFromColumns } from './positions-columns.js';

/** The worker's script; the package's build points it at element-worker.js. */
const WORKER_URL = new URL('./pkg/worker.js', import.meta.url);

const CSS = `
:host { display: block; font: 13px/1.4 system-ui, sans-serif; color: inherit; }
.box { border: 1px solid color-mix(in srgb, currentColor 20%, transparent); border-radius: 8px; padding: 10px 12px; }
.figures { display: flex; flex-wrap: wrap; gap: 6px 18px; margin-bottom: 8px; }
.figure .label { display: block; font-size: 11px; opacity: 0.7; }
.figure .value { font: 16px ui-monospace, monospace; }
.unit { font-size: 11px; opacity: 0.7; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 3px 6px; text-align: right; white-space: nowrap; border-top: 1px solid color-mix(in srgb, currentColor 12%, transparent); }
th:first-child, td:first-child { text-align: left; }
thead th { font-size: 11px; font-weight: 600; opacity: 0.75; border-top: none; }
.error { color: #c0392b; }
.rows { margin: 6px 0 0; padding-left: 18px; font-size: 12px; }
.status { font-size: 11px; opacity: 0.7; margin-top: 6px; }
`;

const usd = (x) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : '—');
const coins = (x) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 }) : '—');
const move = (x) => (Number.isFinite(x) ? `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(2)} %` : 'none');

function node(tag, text, className) {
  const n = document.createElement(tag);
  if (text !== undefined) n.textContent = text;
  if (className) n.className = className;
  return n;
}

export class HeadroomRiskElement extends HTMLElement {
  static observedAttributes = ['model', 'venue'];

  #worker = null;
  #request = null;
  #report = null;
  #id = 0;
  #body;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    this.#body = node('div', 'Give this element a request to compute.', 'box');
    this.#body.setAttribute('part', 'box');
    root.append(this.#body);
  }

  /** The request computed: the object `analyze` takes. */
  get request() { return this.#request; }
  set request(value) { this.#request = value; this.#compute(); }

  /** The last report, or null. */
  get report() { return this.#report; }

  connectedCallback() {
    if (!this.#worker) {
      try {
        this.#worker = new Worker(WORKER_URL, { type: 'module' });
      } catch (error) {
        // A Content-Security-Policy without worker-src for the script throws here.
        this.#fail(`the calculation engine's worker could not start: ${(error && error.message) || error}`);
        return;
      }
      this.#worker.onmessage = (event) => this.#receive(event.data);
      // The script could not be loaded (or threw while loading): no report will come.
      this.#worker.onerror = (event) => {
        event.preventDefault?.();
        this.#fail(`the calculation engine's worker could not start${event.message ? `: ${event.message}` : ''}`);
      };
    }
    this.#compute();
  }

  #fail(text) {
    this.#body.replaceChildren(node('div', `Cannot compute: ${text}`, 'error'));
    this.dispatchEvent(new CustomEvent('headroom-error', { detail: text }));
  }

  disconnectedCallback() {
    this.#worker?.terminate();
    this.#worker = null;
  }

  attributeChangedCallback() { this.#compute(); }

  #compute() {
    if (!this.#worker || !this.#request) return;
    const request = { ...this.#request };
    const model = this.getAttribute('model');
    if (model) request.margin = { ...(request.margin || {}), model };
    const venue = this.getAttribute('venue');
    if (venue) request.venue = venue;
    this.#id += 1;
    this.#worker.postMessage({ id: this.#id, request });
  }

  #receive(message) {
    if (message.type === 'ready') return;
    if (message.type === 'fatal' || (message.id === this.#id && message.error)) {
      this.#fail(message.error);
      return;
    }
    if (message.id !== this.#id) return;
    message.report.positions = positionsFromColumns(message.positions);
    this.#report = message.report;
    this.#render(message.report);
    this.dispatchEvent(new CustomEvent('headroom-report', { detail: message.report }));
  }

  #render(report) {
    const a = report.account;
    const figure = (label, value, unit, name) => {
      const f = node('div', undefined, 'figure');
      f.dataset.figure = name;
      f.append(node('span', label, 'label'), node('span', value, 'value'), document.createTextNode(' '), node('span', unit, 'unit'));
      return f;
    };
    const figures = node('div', undefined, 'figures');
    figures.append(
      figure('Headroom', usd(a.headroomUsd), 'USD', 'headroom'),
      figure('MM usage', Number.isFinite(a.mmUsage) ? `${(a.mmUsage * 100).toFixed(1)} %` : (a.liquidatable ? 'liquidatable' : '—'), '', 'mm-usage'),
      figure('Equity', usd(a.equityUsd), 'USD', 'equity'),
      figure('Maintenance margin', usd(a.maintenanceMarginUsd), 'USD', 'mm'),
    );
    const table = node('table');
    const head = node('tr');
    for (const h of ['Underlying', 'Δ (coins)', 'Vega (USD/vol pt)', 'Θ (USD/day)', 'Liquidation down', 'Liquidation up']) head.append(node('th', h));
    table.append(node('thead'), node('tbody'));
    table.tHead.append(head);
    for (const [symbol, u] of Object.entries(report.underlyings)) {
      const l = a.liquidation[symbol] || {};
      const tr = node('tr');
      tr.dataset.underlying = symbol;
      for (const text of [symbol, coins(u.delta), usd(u.vega), usd(u.theta), move(l.down), move(l.up)]) tr.append(node('td', text));
      table.tBodies[0].append(tr);
    }
    const status = node('div', `${report.positions.length} positions, ${report.errors.length} rows not read, ${report.margin.model} margin, valued at ${report.valuationTime}`, 'status');
    // The rows that could not be read: line and reason, as text.
    const rows = node('ul', undefined, 'rows');
    rows.setAttribute('part', 'errors');
    for (const e of report.errors) {
      const li = node('li', `${e.account ? `${e.account}, ` : ''}line ${e.line}: ${e.message}`, 'error');
      li.dataset.line = String(e.line);
      rows.append(li);
    }
    this.#body.replaceChildren(figures, table, ...(report.errors.length ? [rows] : []), status);
  }
}

if (!customElements.get('headroom-risk')) customElements.define('headroom-risk', HeadroomRiskElement);
