// The report's account-level views: the account's figures, distances to liquidation, the
// what-if, risk matrices, stress tests, the margin detail, and the tables by underlying and by
// expiry. Each takes the report and draws into its own section; text reaches the DOM as text.
import { $, el } from './dom.js';
import { isNum, usd, coins, sig, pct, signedPct } from './format.js';
import { GLOSSARY } from './glossary.js';

function metric(label, value, unit, title, id, term) {
  return el('div', { className: 'metric', dataset: { tip: GLOSSARY[term] || title }, tabindex: 0, id },
    el('dt', { text: label }),
    el('dd', {}, el('span', { className: 'value', text: value }), ' ', el('span', { className: 'unit', text: unit })));
}

export function renderAccount(report) {
  const a = report.account;
  const usage = a.mmUsage;
  // An empty account (no position, no collateral) is neither safe nor in danger: no colour.
  const empty = report.input.rowsRead === 0 && a.collateralUsd === 0 && report.accounts.length === 0;
  const level = empty ? 'empty' : a.liquidatable ? 'danger' : isNum(usage) && usage > 0.7 ? 'warn' : 'ok';
  $('account').className = `metrics ${level}`;
  $('account').replaceChildren(
    metric('Headroom', usd(a.headroomUsd), 'USD', '', 'm-headroom', 'headroom'),
    metric('MM usage', isNum(usage) ? pct(usage) : (a.liquidatable ? 'liquidatable' : '—'), '', '', 'm-mm-usage', 'mmUsage'),
    metric('Equity', usd(a.equityUsd), 'USD', '', 'm-equity', 'equity'),
    metric('Margin balance', usd(a.marginBalanceUsd), 'USD', `${GLOSSARY.marginBalance} Here: ${report.margin.marginBalanceRule}.`, 'm-margin-balance'),
    metric('Initial margin', usd(a.initialMarginUsd), 'USD', `${GLOSSARY.im} Model: ${report.margin.pack}.`, 'm-im'),
    metric('Maintenance margin', usd(a.maintenanceMarginUsd), 'USD', '', 'm-mm', 'mm'),
    metric('Available', usd(a.availableUsd), 'USD', '', 'm-available', 'available'),
    metric('Collateral', usd(a.collateralUsd), 'USD', '', 'm-collateral', 'collateral'),
  );
}

export function renderLiquidation(report) {
  const side = (move, price) => (move === null
    ? el('td', { text: 'none within −99 % … +1000 %', className: 'muted' })
    : el('td', {}, el('span', { className: 'value', text: signedPct(move) }), ...(price === null || price === undefined ? [] : [' ', el('span', { className: 'unit', text: `→ ${usd(price)} USD` })])));
  const brief = (move) => el('td', { className: move === null ? 'muted' : '', text: move === null ? 'none' : signedPct(move) });
  const row = (label, l, index) => el('tr', { dataset: { underlying: label } },
    el('th', { scope: 'row', text: label }),
    index === null ? el('td', { text: '—', className: 'muted' }) : el('td', {}, `${usd(index)} `, el('span', { className: 'unit', text: 'USD' })),
    side(l.down, l.downPrice), side(l.up, l.upPrice), brief(l.downVolUp), brief(l.upVolUp));
  const rows = Object.entries(report.account.liquidation).map(([symbol, l]) => row(symbol, l, report.underlyings[symbol]?.index ?? null));
  if (rows.length > 1) rows.push(row('All together', report.account.liquidationAll, null));
  const points = `+${Math.round(report.account.volShockUp * 100)} vol pts`;
  $('vol-down-head').textContent = `Down, ${points}`;
  $('vol-up-head').textContent = `Up, ${points}`;
  $('liquidation').tBodies[0].replaceChildren(...rows);
}

export function renderWhatIf(report) {
  const w = report.whatIf;
  $('what-if-result').hidden = !w;
  if (!w) return;
  const rows = [
    ['Equity (USD)', w.before.equityUsd, w.after.equityUsd, usd],
    ['Headroom (USD)', w.before.headroomUsd, w.after.headroomUsd, usd],
    ['Maintenance margin (USD)', w.before.maintenanceMarginUsd, w.after.maintenanceMarginUsd, usd],
    ['Initial margin (USD)', w.before.initialMarginUsd, w.after.initialMarginUsd, usd],
    ['MM usage', w.before.mmUsage, w.after.mmUsage, (x) => pct(x)],
  ];
  for (const u of Object.keys(w.after.underlyings)) {
    const b = w.before.underlyings[u] || {};
    const a = w.after.underlyings[u];
    rows.push([`${u} Δ (coins)`, b.delta ?? 0, a.delta, coins], [`${u} vega (USD/vol pt)`, b.vega ?? 0, a.vega, usd],
      [`${u} liquidation down`, b.down ?? null, a.down, signedPct], [`${u} liquidation up`, b.up ?? null, a.up, signedPct]);
  }
  $('what-if-table').tBodies[0].replaceChildren(...rows.map(([label, before, after, fmt]) => {
    const change = isNum(before) && isNum(after) ? after - before : null;
    return el('tr', {}, el('th', { scope: 'row', text: label }), el('td', { text: fmt(before) }), el('td', { text: fmt(after) }),
      el('td', { text: change === null ? '—' : fmt === signedPct || label === 'MM usage' ? `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(2)} pts` : fmt(change) }));
  }));
  const paid = w.premiumUsd > 0 ? `The trades pay ${usd(w.premiumUsd)} USD of premium` : w.premiumUsd < 0 ? `The trades receive ${usd(-w.premiumUsd)} USD of premium` : 'No premium';
  const into = w.positions.find((p) => p.account)?.account;
  $('what-if-premium').textContent = `${into ? `Into the account ${into}. ` : ''}${paid} (options at their entry price, else their mark), taken from the collateral in "after".${w.longOptionsRule ? ` Note: ${w.longOptionsRule}.` : ''}`;
  $('what-if-errors').replaceChildren(...w.errors.map((e) => el('li', {}, el('strong', { text: `What-if line ${e.line}: ` }), e.message)));
}

export function renderMatrices(report) {
  const matrices = report.scenarios.matrix;
  $('matrix-section').hidden = matrices.length === 0;
  $('matrices').replaceChildren(...matrices.map((m) => {
    const worst = Math.max(1, ...m.pnlUsd.flat().map(Math.abs));
    const head = el('tr', {}, el('th', { scope: 'col', text: `${m.underlying}: vol ↓ / move →` }),
      ...m.moves.map((x) => el('th', { scope: 'col', text: signedPct(x) })));
    const rows = m.volShifts.map((shift, i) => el('tr', {},
      el('th', { scope: 'row', text: `${shift > 0 ? '+' : shift < 0 ? '−' : ''}${Math.abs(shift * 100).toFixed(0)} vol pts` }),
      ...m.pnlUsd[i].map((pnl, j) => {
        const current = shift === 0 && m.moves[j] === 0;
        const strength = Math.round(Math.min(1, Math.abs(pnl) / worst) * 5);
        return el('td', { className: `heat ${pnl < 0 ? 'loss' : 'gain'}-${strength}${current ? ' current' : ''}`, text: usd(pnl), title: `${m.underlying} ${signedPct(m.moves[j])}, vol ${shift >= 0 ? '+' : '−'}${Math.abs(shift * 100).toFixed(0)} points: ${usd(pnl)} USD` });
      })));
    return el('div', { className: 'scroll' }, el('table', { className: 'numbers matrix', dataset: { underlying: m.underlying } }, el('thead', {}, head), el('tbody', {}, rows)));
  }));
}

export function renderStress(report) {
  $('stress-section').hidden = report.stress.length === 0;
  const list = (map) => Object.entries(map).map(([u, v]) => `${u}\u00a0${signedPct(v).replace(' ', '\u00a0')}`).join(', ');
  $('stress').tBodies[0].replaceChildren(...report.stress.map((s) => el('tr', { className: s.liquidatable ? 'liquidated' : '', title: [s.source, ...s.assumed].join('\n') },
    el('th', { scope: 'row', text: s.name }),
    el('td', { text: s.date, className: 'muted' }),
    el('td', { text: list(s.moves) + (s.assumed.length ? ' *' : '') }),
    el('td', { text: list(s.volChange) }),
    el('td', { text: usd(s.pnlUsd) }),
    el('td', { text: s.liquidatable ? 'liquidated' : pct(s.mmUsage) }))));
}

export function renderMarginDetail(report) {
  const details = report.account.marginDetail;
  $('detail-section').hidden = details.length === 0;
  const amount = (x, currency) => (x === null ? '—' : currency === 'USD' ? usd(x) : coins(x));
  $('margin-detail').tBodies[0].replaceChildren(...details.map((d) => {
    const w = d.worstScenario;
    const scenario = w ? `${signedPct(w.move)}, vol ${w.vol}${w.extended ? ' (extended)' : ''}` : 'no loss';
    return el('tr', {},
      el('th', { scope: 'row', text: `${d.underlying} (${d.currency})` }),
      el('td', { text: d.method, className: 'muted' }),
      el('td', { text: scenario }),
      el('td', {}, `${amount(d.worstCase, d.currency)} `, el('span', { className: 'unit', text: d.currency })),
      el('td', { text: amount(d.rollShock ?? d.spreadCharge, d.currency) }),
      el('td', { text: amount(d.deltaShock ?? d.shortOptionMinimum, d.currency) }),
      el('td', { text: amount(d.initialMargin, d.currency) }),
      el('td', { text: amount(d.maintenanceMargin, d.currency) }),
      el('td', { text: usd(d.maintenanceMarginUsd) }));
  }));
}

export function renderUnderlyings(report) {
  const rows = Object.entries(report.underlyings).map(([symbol, u]) => el('tr', { dataset: { underlying: symbol } },
    el('th', { scope: 'row', text: symbol }),
    el('td', { text: String(u.positions) }),
    el('td', { text: usd(u.valueUsd) }),
    el('td', { text: usd(u.pnlUsd) }),
    el('td', { className: 'extra', text: coins(u.delta) }),
    el('td', { className: 'extra', text: coins(u.coinDelta) }),
    el('td', { className: 'extra', text: coins(u.collateral) }),
    el('td', { text: coins(u.deltaWithCollateral) }),
    el('td', { className: 'extra', text: sig(u.gamma) }),
    el('td', { text: coins(u.gammaPct) }),
    el('td', { text: usd(u.vega) }),
    el('td', { className: 'extra', text: usd(u.weightedVega) }),
    el('td', { text: usd(u.theta) }),
    el('td', { text: usd(u.initialMarginUsd) }),
    el('td', { text: usd(u.maintenanceMarginUsd) })));
  $('underlyings').tBodies[0].replaceChildren(...rows);
}


export function renderExpiries(report) {
  const rows = [];
  for (const [symbol, u] of Object.entries(report.underlyings)) {
    for (const e of u.expiries) {
      if (!e.positions) continue;
      rows.push(el('tr', { dataset: { underlying: symbol, expiry: e.expiry } },
        el('th', { scope: 'row', text: symbol }),
        el('td', { text: e.expired ? `${e.expiry} (expired)` : e.expiry }),
        el('td', { text: String(e.positions) }),
        el('td', { text: usd(e.forward) }),
        el('td', { text: isNum(e.basisAnnualized) ? (e.basisAnnualized * 100).toFixed(2) : '—' }),
        el('td', { text: usd(e.valueUsd) }),
        el('td', { text: usd(e.pnlUsd) }),
        el('td', { text: coins(e.delta) }),
        el('td', { className: 'extra', text: sig(e.gamma) }),
        el('td', { text: usd(e.vega) }),
        el('td', { className: 'extra', text: usd(e.weightedVega) }),
        el('td', { text: usd(e.theta) })));
    }
  }
  $('expiries-table').tBodies[0].replaceChildren(...rows);
}

/** The lines that hold several rows, per report (several when JSON is pasted on one line). */
