// Charts of the scenario engine's curves (uPlot, served from www/vendor): P&L against the index
// at each horizon, and MM usage against the index with 100 % and the liquidation points marked.
// uPlot is loaded on the first chart, not with the page.
let uPlot = null;
const charts = [];

function palette() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { text: v('--text'), muted: v('--muted'), line: v('--line'), danger: v('--danger'), accent: v('--accent'),
    series: [v('--accent'), '#8e6bd8', '#d8862f', '#2aa198', '#c2449a', '#6b8e23'] };
}

/** Vertical markers (current index, liquidation prices) drawn over the plot. */
function markers(lines) {
  return {
    hooks: {
      draw: [(u) => {
        const { ctx } = u;
        ctx.save();
        for (const { x, color, dash, label } of lines) {
          if (x === null || x === undefined || x < u.scales.x.min || x > u.scales.x.max) continue;
          const px = Math.round(u.valToPos(x, 'x', true));
          ctx.strokeStyle = color;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash(dash ? [5 * devicePixelRatio, 4 * devicePixelRatio] : []);
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillStyle = color;
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.fillText(label, px + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
        }
        ctx.restore();
      }],
    },
  };
}

const usdTick = (v) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(Math.abs(v) >= 1e5 ? 0 : 1)}k` : v.toFixed(0));

export async function renderCharts(container, report) {
  if (!uPlot) uPlot = (await import('./vendor/uPlot.esm.js')).default;
  for (const c of charts.splice(0)) c.destroy();
  container.replaceChildren();
  const colors = palette();
  const width = Math.max(320, Math.min(container.clientWidth || 640, 900));
  for (const curve of report.scenarios.curves) {
    const liq = report.account.liquidation[curve.underlying] || {};
    const index = report.underlyings[curve.underlying]?.index;
    const lines = [
      { x: index, color: colors.text, dash: true, label: 'now' },
      { x: liq.downPrice, color: colors.danger, label: 'liquidation' },
      { x: liq.upPrice, color: colors.danger, label: 'liquidation' },
    ];
    const axis = (label, values) => ({ stroke: colors.muted, grid: { stroke: colors.line }, ticks: { stroke: colors.line }, label, values });
    const box = document.createElement('figure');
    box.className = 'chart';
    box.dataset.underlying = curve.underlying;
    const caption = document.createElement('figcaption');
    caption.textContent = `${curve.underlying}: P&L (USD) against the index (USD), now, later and at each expiry; margin usage against the index`;
    box.append(caption);
    container.append(box);
    const pnl = new uPlot({
      width, height: 240,
      plugins: [markers(lines)],
      scales: { x: { time: false } },
      axes: [axis(`${curve.underlying} index (USD)`, (u, ticks) => ticks.map(usdTick)), axis('P&L (USD)', (u, ticks) => ticks.map(usdTick))],
      series: [{ label: 'index', value: (u, v) => (v === null ? '—' : `${v.toFixed(0)} USD`) },
        ...curve.horizons.map((h, i) => ({ label: h.label, stroke: colors.series[i % colors.series.length], width: 1.6, points: { show: false },
          value: (u, v) => (v === null ? '—' : `${v.toFixed(0)} USD`) }))],
    }, [curve.prices, ...curve.horizons.map((h) => h.pnlUsd)], box);
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
