// Two analysis panels: sizing ("How big may it be?", request.sizing from its controls, the caps
// drawn, one click to put the size into the what-if) and P&L attribution ("P&L since…",
// request.attribution from the earlier index and vol typed, the terms drawn as bars). Text
// reaches the DOM only as text.
import { el } from './dom.js';
import { usd, isNum, SIG } from './format.js';

export const defaultSizing = () => ({ instrument: '', side: 'buy', vol: '', es: '', liquidation: '', edge: '', kelly: '' });
export const defaultAttribution = () => ({ time: '', method: 'taylor', market: '' });

/** request.sizing from the controls, or undefined without an instrument. */
export function sizingRequest(s, parse, problems) {
  if (!s || !String(s.instrument || '').trim()) return undefined;
  const number = (text, label, scale = 1) => {
    const v = parse(text);
    if (Number.isNaN(v)) {
      problems.push(`sizing ${label}: “${text}” is not a number`);
      return undefined;
    }
    return v === null ? undefined : v * scale;
  };
  const out = {
    instrument: s.instrument.trim(),
    side: s.side === 'sell' ? 'sell' : 'buy',
    volTargetUsd: number(s.vol, 'vol target'),
    esBudgetUsd: number(s.es, 'ES budget'),
    liquidationDistance: number(s.liquidation, 'liquidation distance', 0.01),
  };
  const edge = number(s.edge, 'Kelly edge', 0.01);
  if (edge !== undefined) out.kelly = { edge, fraction: number(s.kelly, 'Kelly fraction') ?? 0.25 };
  return out;
}

/** request.attribution from the controls, or undefined until a time and a market are typed. */
export function attributionRequest(a, parse, problems) {
  if (!a || !a.time || !String(a.market || '').trim()) return undefined;
  const underlyings = {};
  String(a.market).split(/\r?\n/).map((l) => l.trim()).filter(Boolean).forEach((line, i) => {
    const [symbol, index, vol] = line.split(/[\s,;]+/);
    const s = parse(index);
    const v = vol === undefined ? null : parse(vol);
    if (!symbol || Number.isNaN(s) || s === null || Number.isNaN(v)) {
      problems.push(`P&L since, line ${i + 1}: “${line}” is not “SYMBOL index vol%”`);
      return;
    }
    underlyings[symbol.toUpperCase()] = { index: s, ...(v === null ? {} : { vol: v / 100 }) };
  });
  if (!Object.keys(underlyings).length) return undefined;
  const time = a.time.length === 16 ? `${a.time}:00` : a.time;
  return { method: a.method, from: { market: { valuationTime: `${time}Z`, underlyings } } };
}

/** Draws report.sizing; `apply(size)` puts the size into the what-if. */
export function renderSizing(report, { section, sub, answer, caps, notes, button }, apply) {
  const s = report.sizing;
  section.hidden = !s;
  if (!s) return;
  sub.textContent = `${s.side} ${s.instrument}, sizes in ${s.sizeUnit}`;
  const size = SIG.format(s.maxSize);
  answer.textContent = s.maxSize > 0
    ? `Up to ${size} ${s.sizeUnit} of ${s.instrument} (${s.side}): the ${s.binding} cap binds.`
    : `None: the ${s.binding} cap is already breached before any trade.`;
  caps.tBodies[0].replaceChildren(...s.caps.map((c) => el('tr', { dataset: { cap: c.cap } },
    el('th', { scope: 'row', text: `${c.cap}${c.breachedNow ? ' (breached now)' : ''}` }),
    el('td', { text: `${isNum(c.limit) ? SIG.format(c.limit) : '—'} ${c.unit}` }),
    el('td', { text: c.maxSize === null ? `not reached up to ${SIG.format(s.searchedTo)}` : `${SIG.format(c.maxSize)} ${s.sizeUnit}` }))));
  notes.replaceChildren(...s.notes.map((n) => el('li', { text: n })));
  button.disabled = !(s.maxSize > 0);
  button.onclick = () => apply(`instrument,size\n${s.instrument},${s.side === 'sell' ? -s.maxSize : s.maxSize}`);
}

const TERMS = [['deltaUsd', 'Delta'], ['gammaUsd', 'Gamma'], ['vegaUsd', 'Vega'], ['thetaUsd', 'Theta'], ['vannaUsd', 'Vanna'],
  ['volgaUsd', 'Volga'], ['rhoUsd', 'Rho'], ['basisUsd', 'Basis / other'], ['unexplainedUsd', 'Unexplained']];

let chart = null;

/** Draws report.attribution: the terms as bars, then the total; a table of the same figures. */
export async function renderAttribution(report, { section, from, sub, chartBox, table, notes }) {
  const a = report.attribution;
  section.hidden = !a;
  if (!a) return;
  from.textContent = a.from.replace('T', ' ').replace('Z', ' UTC');
  sub.textContent = `${{ taylor: 'Greeks at the start', 'average-greeks': 'average Greeks', waterfall: 'exact steps' }[a.method]}; positions held`;
  const rows = [...TERMS.map(([k, label]) => [label, a.total[k]]),
    ...a.collateral.map((c) => [`${c.currency} collateral (${SIG.format(c.amount)} coins)`, c.pnlUsd]),
    ['Total P&L', a.total.pnlUsd + a.collateral.reduce((t, c) => t + c.pnlUsd, 0)]];
  table.tBodies[0].replaceChildren(...rows.map(([label, v]) => el('tr', {}, el('th', { scope: 'row', text: label }), el('td', { text: usd(v) }))));
  notes.replaceChildren(...a.notes.map((n) => el('li', { text: n })), ...(a.newPositions.length ? [el('li', { text: `Traded since, not attributed: ${a.newPositions.join(', ')}` })] : []));
  const uPlot = (await import('./vendor/uPlot.esm.js')).default;
  if (chart) chart.destroy();
  const style = getComputedStyle(document.documentElement);
  const accent = style.getPropertyValue('--accent').trim() || '#2563eb';
  const muted = style.getPropertyValue('--muted').trim() || '#666';
  const labels = rows.map((r) => r[0]);
  const x = labels.map((_, i) => i);
  const width = Math.max(300, Math.min((chartBox.parentElement?.clientWidth || 700) - 24, 720));
  chart = new uPlot({
    width, height: 220,
    scales: { x: { time: false, range: [-0.6, labels.length - 0.4] } },
    axes: [{ stroke: muted, splits: () => x, values: (u, ticks) => ticks.map((t) => (labels[t] ?? '').split(' ')[0]) }, { stroke: muted, label: 'USD' }],
    series: [{ label: 'term', value: (u, v) => (v === null ? '—' : labels[v]) },
      { label: 'USD', stroke: accent, fill: accent, paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false }, value: (u, v) => usd(v) }],
  }, [x, rows.map((r) => r[1])], chartBox);
}
