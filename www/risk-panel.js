// The risk panel: the request's `risk` from its controls, and report.risk drawn (VaR, ES and
// the probability of liquidation with their standard errors, the P&L histogram, each
// underlying alone, vol forecasts and the backtest, and the model in words). Text reaches the DOM
// only as text.
import { el } from './dom.js';
import { usd, pct, isNum } from './format.js';

/** The risk controls' state, as typed (strings). */
export const defaultRisk = () => ({
  on: false, horizon: '', confidence: '0.99', method: 'full', paths: '10000',
  volOfVol: '', correlation: '', seed: '', history: '', forecast: 'ewma', scenarios: 'model',
});

/** Daily closes from pasted CSV/TSV: a header naming each underlying (a date or time column is
 * skipped; "BTC high" and "BTC low" columns, if any, are its daily range), oldest first.
 * Returns { closes, ranges }; problems are pushed as sentences. */
export function parseHistory(text, problems) {
  const lines = String(text || '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const closes = {};
  const ranges = {};
  if (lines.length === 0) return { closes, ranges };
  const split = (line) => line.split(/[,\t;]/).map((c) => c.trim());
  const header = split(lines[0]).map((h) => h.toUpperCase().replace(/[\s_.-]+/g, ' ').trim());
  const columns = header.map((h, i) => {
    const m = /^([A-Z0-9]+)(?: (HIGH|LOW|CLOSE))?$/.exec(h);
    if (!m || /^(DATE|TIME|DAY|TIMESTAMP)$/.test(h)) return null;
    return { symbol: m[1], kind: m[2] === 'HIGH' ? 'high' : m[2] === 'LOW' ? 'low' : 'close', i };
  }).filter(Boolean);
  const highs = {};
  const lows = {};
  for (const c of columns) ({ close: closes, high: highs, low: lows })[c.kind][c.symbol] = [];
  lines.slice(1).forEach((line, k) => {
    const cells = split(line);
    for (const c of columns) {
      const v = Number(String(cells[c.i] ?? '').replace(/[$,\s]/g, ''));
      if (Number.isFinite(v) && v > 0) ({ close: closes, high: highs, low: lows })[c.kind][c.symbol].push(v);
      else problems.push(`daily closes, line ${k + 2}: ${header[c.i]} “${cells[c.i] ?? ''}” is not a positive price`);
    }
  });
  for (const symbol of Object.keys(highs)) {
    if (lows[symbol] && lows[symbol].length === highs[symbol].length) ranges[symbol] = highs[symbol].map((h, i) => [h, lows[symbol][i]]);
  }
  return { closes, ranges };
}

/** request.risk from the controls, or undefined when off. */
export function riskRequest(risk, parse, problems) {
  if (!risk || !risk.on) return undefined;
  const number = (text, label, scale = 1) => {
    const v = parse(text);
    if (Number.isNaN(v)) {
      problems.push(`risk ${label}: “${text}” is not a number`);
      return undefined;
    }
    return v === null ? undefined : v * scale;
  };
  const out = {
    horizonDays: number(risk.horizon, 'horizon'),
    confidence: Number(risk.confidence),
    method: risk.method,
    paths: Number(risk.paths),
    volOfVol: number(risk.volOfVol, 'vol of vol', 0.01),
    correlation: { underlyings: number(risk.correlation, 'correlation') },
    seed: number(risk.seed, 'seed'),
  };
  const { closes: history, ranges } = parseHistory(risk.history, problems);
  if (Object.keys(history).length) {
    out.history = history;
    if (Object.keys(ranges).length) out.ranges = ranges;
    out.forecast = risk.forecast;
    out.scenarios = risk.scenarios;
  }
  return out;
}

const money = (x) => (isNum(x) ? usd(x) : '—');

/** Draws report.risk into the section (hidden without one). */
export async function renderRisk(report, { section, metrics, histogram, underlyings, forecastsBox, forecasts, backtest, model, horizonLabel, sub }) {
  const r = report.risk;
  section.hidden = !r;
  if (!r) return;
  horizonLabel.textContent = `${r.horizonDays} day${r.horizonDays === 1 ? '' : 's'}`;
  sub.textContent = `${r.method === 'full' ? 'full revaluation' : 'delta-gamma'}, ${pct(r.confidence, 1)}, ${r.paths.toLocaleString('en-US')} paths, seed ${r.seed}`;
  const metric = (label, value, unit, id, title = '') => el('div', { className: 'metric', id, title },
    el('dt', { text: label }), el('dd', {}, el('span', { className: 'value', text: value }), ' ', el('span', { className: 'unit', text: unit })));
  const pm = (se) => (isNum(se) ? ` ± ${usd(se)}` : '');
  const items = [
    metric(`VaR ${pct(r.confidence, 1)}`, `${money(r.varUsd)}${pm(r.varStandardErrorUsd)}`, 'USD', 'risk-var', 'The loss not exceeded with this probability over the horizon (± its Monte Carlo standard error)'),
    metric('Expected shortfall', `${money(r.esUsd)}${pm(r.esStandardErrorUsd)}`, 'USD', 'risk-es', 'The mean loss in the paths beyond the VaR'),
  ];
  if (isNum(r.liquidationProbability)) {
    const se = isNum(r.liquidationStandardError) ? ` ± ${pct(r.liquidationStandardError, 2)}` : '';
    items.push(metric('Liquidation probability', `${pct(r.liquidationProbability, 2)}${se}`, 'of paths', 'risk-liquidation', 'Share of paths in which the account is at or below maintenance margin at the horizon'));
  }
  if (isNum(r.cornishFisherVarUsd)) {
    items.push(metric('Cornish–Fisher VaR', money(r.cornishFisherVarUsd), 'USD', 'risk-cf', 'From the P&L\'s first four moments: it misstates short-gamma tails, so it is shown beside the simulated VaR, never alone'));
  }
  metrics.replaceChildren(...items);
  // With venue accounts: each account's probability of liquidation, as rows after the underlyings.
  const accounts = (r.perAccount || []).map((a) => el('tr', { dataset: { account: a.account } },
    el('th', { scope: 'row', text: `${a.account} (${a.venue})` }), el('td', { colspan: 2, text: 'liquidation probability' }),
    el('td', { colspan: 2, text: `${pct(a.liquidationProbability, 2)} ± ${pct(a.liquidationStandardError, 2)}` })));
  underlyings.tBodies[0].replaceChildren(...accounts, ...r.perUnderlying.map((u) => el('tr', {},
    el('th', { scope: 'row', text: u.underlying }), el('td', { text: pct(u.vol, 1) }), el('td', { text: u.volSource }),
    el('td', { text: money(u.varUsd) }), el('td', { text: money(u.esUsd) }))));
  forecastsBox.hidden = r.forecasts.length === 0;
  forecasts.tBodies[0].replaceChildren(...r.forecasts.map((f) => el('tr', {},
    el('th', { scope: 'row', text: f.underlying }), el('td', { text: String(f.observations) }),
    el('td', { text: pct(f.realizedVol, 1) }), el('td', { text: pct(f.ewmaVol, 1) }),
    el('td', { text: pct(f.garch?.nextDayVol, 1) }), el('td', { text: pct(f.garch?.horizonVol, 1) }),
    el('td', { text: pct(f.garch?.longRunVol, 1) }), el('td', { text: pct(f.har?.nextDayVol, 1) }), el('td', { text: pct(f.impliedVol, 1) }))));
  const b = r.backtest;
  backtest.textContent = b
    ? `Backtest of the 1-day VaR on the last ${b.observations} days of closes, this book held: ${b.exceptions} exceptions (${b.expectedExceptions.toFixed(1)} expected); Kupiec p-value ${b.kupiecPValue.toFixed(3)}; Basel zone ${b.zone}.`
    : '';
  model.textContent = `Model: ${r.model}`;
  await drawHistogram(histogram, r);
}

let chart = null;

async function drawHistogram(box, r) {
  const uPlot = (await import('./vendor/uPlot.esm.js')).default;
  if (chart) chart.destroy();
  const edges = r.distribution.edgesUsd;
  const mids = r.distribution.counts.map((_, i) => (edges[i] + edges[i + 1]) / 2);
  const style = getComputedStyle(document.documentElement);
  const accent = style.getPropertyValue('--accent').trim() || '#2563eb';
  const muted = style.getPropertyValue('--muted').trim() || '#666';
  const warn = style.getPropertyValue('--danger').trim() || '#c0392b';
  const width = Math.max(300, Math.min((box.parentElement?.clientWidth || 700) - 24, 720));
  chart = new uPlot({
    width, height: 200,
    scales: { x: { time: false } },
    axes: [{ stroke: muted, label: 'P&L at the horizon (USD)' }, { stroke: muted, label: 'paths' }],
    series: [{ label: 'P&L (USD)', value: (u, v) => money(v) },
      { label: 'paths', stroke: accent, fill: accent, paths: uPlot.paths.bars({ size: [0.9, 40] }), points: { show: false } }],
    hooks: { draw: [(u) => {
      // The VaR: a loss of varUsd is P&L −varUsd.
      const x = u.valToPos(-r.varUsd, 'x', true);
      const { ctx } = u;
      ctx.save();
      ctx.strokeStyle = warn;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.restore();
    }] },
  }, [mids, r.distribution.counts], box);
}
