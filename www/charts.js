// Charts of the scenario engine's curves (uPlot, served from www/vendor): P&L against the index
// at each horizon with the current index, break-evens and liquidation points marked; MM usage
// against the index with 100 % marked; Greeks by expiry as bars.
// uPlot is loaded on the first chart, not with the page.
let uPlot = null;
const charts = [];
const expiryCharts = [];

async function loadUPlot() {
  if (!uPlot) uPlot = (await import('./vendor/uPlot.esm.js')).default;
  return uPlot;
}

/** Index levels where a P&L curve crosses zero, by linear interpolation between its points. */
export function breakEvens(prices, pnl) {
  const out = [];
  for (let i = 1; i < prices.length; i += 1) {
    const [a, b] = [pnl[i - 1], pnl[i]];
    if (a === null || b === null) continue;
    if (a === 0) out.push(prices[i - 1]);
    else if ((a < 0) !== (b < 0) && b !== 0) out.push(prices[i - 1] + (prices[i] - prices[i - 1]) * (a / (a - b)));
  }
  return out;
}

/** The theme's colours, read once per theme: reading computed style forces the browser to
 * recompute every style on the page, which each report would otherwise pay per chart. */
const palettes = new Map();
const darkScheme = matchMedia('(prefers-color-scheme: dark)');
function palette() {
  const key = `${document.documentElement.dataset.theme || 'system'} ${darkScheme.matches}`;
  if (palettes.has(key)) return palettes.get(key);
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  const colours = { text: v('--text'), muted: v('--muted'), line: v('--line'), danger: v('--danger'), accent: v('--accent'),
    series: [v('--accent'), '#8e6bd8', '#d8862f', '#2aa198', '#c2449a', '#6b8e23'] };
  palettes.set(key, colours);
  return colours;
}

/** A container's width, read from the layout once and then kept up to date by a
 * ResizeObserver, so drawing charts does not force a layout of the whole page each report. */
const widths = new WeakMap();
function widthOf(container) {
  if (!widths.has(container)) {
    widths.set(container, container.clientWidth);
    new ResizeObserver(() => widths.set(container, container.clientWidth)).observe(container);
  }
  return widths.get(container);
}

/** Vertical markers (current index, liquidation prices) drawn over the plot. */
function markers(lines) {
  return {
    hooks: {
      draw: [(u) => {
        const { ctx } = u;
        ctx.save();
        ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
        // Labels that would overlap one drawn before them (close break-evens) go a line further in.
        const ends = { true: [], false: [] };
        const shown = lines.filter(({ x }) => x !== null && x !== undefined && x >= u.scales.x.min && x <= u.scales.x.max);
        shown.sort((a, b) => a.x - b.x);
        for (const { x, color, dash, label, low } of shown) {
          const px = Math.round(u.valToPos(x, 'x', true));
          ctx.strokeStyle = color;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash(dash ? [5 * devicePixelRatio, 4 * devicePixelRatio] : []);
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillStyle = color;
          const left = px + 4 * devicePixelRatio;
          const row = ends[Boolean(low)];
          let level = row.findIndex((end) => end < left);
          if (level < 0) level = row.length;
          row[level] = left + ctx.measureText(label).width + 4 * devicePixelRatio;
          const step = 13 * devicePixelRatio * level;
          const y = low ? u.bbox.top + u.bbox.height - 6 * devicePixelRatio - step : u.bbox.top + 12 * devicePixelRatio + step;
          ctx.fillText(label, left, y);
        }
        ctx.restore();
      }],
    },
  };
}

const usdTick = (v) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(Math.abs(v) >= 1e5 ? 0 : 1)}k` : v.toFixed(0));

/** A horizon's P&L against the entry prices of the positions alone: today's-equity P&L less the
 * coin collateral's own move, plus the positions' P&L against entry today. */
export function pnlAgainstEntry(prices, pnl, index, collateralCoins, pnlToday) {
  return pnl.map((v, i) => (v === null ? null : v - collateralCoins * (prices[i] - index) + pnlToday));
}

/** A P&L curve in coin of the underlying: against entry, the USD P&L's worth in coin at each
 * index (P&L ÷ index); against today's equity, the change of the account's equity counted in
 * coin, (E₀ + P&L(S))/S − E₀/S₀ — how a coin-margined trader counts it. */
export function pnlInCoin(prices, pnlUsd, basis, equityUsd, index) {
  return prices.map((s, i) => {
    const p = pnlUsd[i];
    if (p === null || !(s > 0)) return null;
    return basis === 'entry' ? p / s : (equityUsd + p) / s - equityUsd / index;
  });
}

export async function renderCharts(container, report, basis = 'entry', unit = 'usd') {
  await loadUPlot();
  for (const c of charts.splice(0)) c.destroy();
  container.replaceChildren();
  const colors = palette();
  const width = Math.max(320, Math.min(widthOf(container) || 640, 900));
  for (const curve of report.scenarios.curves) {
    const liq = report.account.liquidation[curve.underlying] || {};
    const box = document.createElement('figure');
    box.className = 'chart';
    box.dataset.underlying = curve.underlying;
    const u = report.underlyings[curve.underlying];
    const index = u?.index;
    const usdSeries = curve.horizons.map((h) => (basis === 'entry' && u && isFinite(index)
      ? pnlAgainstEntry(curve.prices, h.pnlUsd, index, u.collateral, u.pnlUsd) : h.pnlUsd));
    const inCoin = unit === 'coin' && isFinite(index);
    const money = inCoin ? curve.underlying : 'USD';
    const series = inCoin ? usdSeries.map((p) => pnlInCoin(curve.prices, p, basis, report.account.equityUsd, index)) : usdSeries;
    box.dataset.unit = money;
    box.dataset.palette = colors.text;
    // Break-evens of the P&L at the first expiry (today's curve for a book without expiries).
    const first = Math.max(0, curve.horizons.findIndex((h) => !/^(now|\+)/.test(h.label)));
    const horizon = curve.horizons[first];
    const even = breakEvens(curve.prices, series[first]);
    box.dataset.breakEvens = even.map((x) => x.toFixed(2)).join(' ');
    const lines = [
      { x: index, color: colors.text, dash: true, label: 'now' },
      { x: liq.downPrice, color: colors.danger, label: 'liquidation' },
      { x: liq.upPrice, color: colors.danger, label: 'liquidation' },
      ...even.map((x) => ({ x, color: colors.muted, dash: true, label: `break-even ${usdTick(x)}`, low: true })),
    ];
    const axis = (label, values) => ({ stroke: colors.muted, grid: { stroke: colors.line }, ticks: { stroke: colors.line }, label, values });
    const caption = document.createElement('figcaption');
    const how = basis === 'entry'
      ? `against the entry prices, positions alone${inCoin ? ', worth in coin at each index' : ''}`
      : `against today\u2019s equity, collateral included${inCoin ? ', the equity counted in coin' : ''}`;
    caption.textContent = `${curve.underlying}: P&L (${money}) ${how}, against the index (USD), now, later and at each expiry, break-evens at ${horizon.label}; margin usage against the index`;
    box.append(caption);
    container.append(box);
    const pnl = new uPlot({
      width, height: 240,
      plugins: [markers(lines)],
      scales: { x: { time: false } },
      axes: [axis(`${curve.underlying} index (USD)`, (u, ticks) => ticks.map(usdTick)),
        axis(`P&L (${money})`, (u, ticks) => ticks.map((t) => (inCoin ? `${+t.toPrecision(4)}` : usdTick(t))))],
      series: [{ label: 'index', value: (u, v) => (v === null ? '—' : `${v.toFixed(0)} USD`) },
        ...curve.horizons.map((h, i) => ({ label: h.label, stroke: colors.series[i % colors.series.length], width: 1.6, points: { show: false },
          value: (u, v) => (v === null ? '—' : inCoin ? `${v.toFixed(4)} ${money}` : `${v.toFixed(0)} USD`) }))],
    }, [curve.prices, ...series], box);
    const usage = new uPlot({
      width, height: 170,
      plugins: [markers(lines)],
      scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(1.2, Math.min(max ?? 1.2, 3))] } },
      axes: [axis(`${curve.underlying} index (USD)`, (u, ticks) => ticks.map(usdTick)), axis('MM usage', (u, ticks) => ticks.map((t) => `${Math.round(t * 100)} %`))],
      series: [{ label: 'index', value: (u, v) => (v === null ? '—' : `${v.toFixed(0)} USD`) },
        { label: 'MM usage', stroke: colors.accent, width: 1.6, points: { show: false }, value: (u, v) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`) },
        { label: 'liquidation (100 %)', stroke: colors.danger, dash: [4, 4], width: 1, points: { show: false }, value: () => '100 %' }],
    }, [curve.prices, curve.mmUsage.map((x) => (x === null ? null : x)), curve.prices.map(() => 1)], box);
    charts.push(pnl, usage);
  }
}

/** Greeks by expiry, one chart per underlying: vega (USD per vol point) and theta (USD per day) as bars. */
export async function renderExpiryCharts(container, report) {
  const withExpiries = Object.entries(report.underlyings).map(([u, r]) => [u, r.expiries.filter((e) => e.positions && !e.expired)]).filter(([, e]) => e.length);
  for (const c of expiryCharts.splice(0)) c.destroy();
  container.replaceChildren();
  if (!withExpiries.length) return;
  await loadUPlot();
  const colors = palette();
  const width = Math.max(300, Math.min(((widthOf(container) || 900) - 24) / Math.min(withExpiries.length, 2), 560));
  for (const [underlying, expiries] of withExpiries) {
    const box = document.createElement('figure');
    box.className = 'chart';
    box.dataset.underlying = underlying;
    box.dataset.palette = colors.text;
    const caption = document.createElement('figcaption');
    caption.textContent = `${underlying}: vega (USD per vol point) and theta (USD per day) by expiry`;
    box.append(caption);
    container.append(box);
    const labels = expiries.map((e) => e.expiry);
    const x = labels.map((_, i) => i);
    const bars = (align) => uPlot.paths.bars({ size: [0.38, 60], align });
    const money = (u, v) => (v === null ? '—' : `${v.toFixed(2)}`);
    const chart = new uPlot({
      width, height: 200,
      scales: { x: { time: false, range: [-0.6, labels.length - 0.4] } },
      axes: [
        { stroke: colors.muted, grid: { show: false }, ticks: { stroke: colors.line }, splits: () => x, values: (u, ticks) => ticks.map((t) => labels[t] ?? '') },
        { stroke: colors.muted, grid: { stroke: colors.line }, ticks: { stroke: colors.line }, label: 'USD', values: (u, ticks) => ticks.map(usdTick) },
      ],
      series: [{ label: 'expiry', value: (u, v) => (v === null ? '—' : labels[v]) },
        { label: 'vega (USD/vol pt)', stroke: colors.accent, fill: colors.accent, paths: bars(-1), points: { show: false }, value: money },
        { label: 'theta (USD/day)', stroke: colors.series[2], fill: colors.series[2], paths: bars(1), points: { show: false }, value: money }],
    }, [x, expiries.map((e) => e.vega), expiries.map((e) => e.theta)], box);
    expiryCharts.push(chart);
  }
}
