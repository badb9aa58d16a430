// "Make it safe": the cheapest trades that bring the account to its targets under its margin
// model (request.rebalance, sent only when "Find trades" is pressed: it re-values the account
// hundreds of times), the account before → after as the what-if re-values it, the Greek hedges,
// and one click to put the trades into the what-if. Text reaches the DOM only as text.
import { el } from './dom.js';
import { usd, isNum, SIG, pct } from './format.js';

export const defaultSafe = () => ({ headroom: '', liquidation: '', mmUsage: '', maxTrades: '4', candidates: '', account: '', transfers: true });

/** request.rebalance from the controls (every target optional, but one is needed). With venue
 * accounts (`accountIds`), the account to make safe (default: the engine picks the one nearest to
 * liquidation) and whether stablecoin moves from the others count. */
export function safeRequest(s, parse, problems, accountIds = null) {
  const number = (text, label, scale = 1) => {
    const v = parse(text);
    if (Number.isNaN(v)) {
      problems.push(`Make it safe, ${label}: “${text}” is not a number`);
      return undefined;
    }
    return v === null ? undefined : v * scale;
  };
  const targets = {
    headroomUsd: number(s.headroom, 'headroom'),
    liquidationDistance: number(s.liquidation, 'liquidation distance', 0.01),
    maxMmUsage: number(s.mmUsage, 'MM usage', 0.01),
  };
  const list = String(s.candidates || '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((line) => {
    const [instrument, price, halfSpread] = line.split(/[\s,;]+/);
    const out = { instrument };
    const p = price === undefined ? null : parse(price);
    const h = halfSpread === undefined ? null : parse(halfSpread);
    if (Number.isNaN(p) || Number.isNaN(h)) problems.push(`Make it safe, candidate “${line}”: not “instrument[, mid price[, half-spread]]”`);
    if (isNum(p)) out.price = p;
    if (isNum(h)) out.halfSpread = h;
    return out;
  });
  const maxTrades = number(s.maxTrades, 'max trades');
  const common = {
    targets,
    candidates: list.length ? list : 'auto',
    ...(isNum(maxTrades) && maxTrades >= 1 ? { maxTrades: Math.round(maxTrades) } : {}),
  };
  if (!accountIds) return { ...common, hedge: {} };
  return { ...common, hedge: {}, ...(accountIds.includes(s.account) ? { account: s.account } : {}), transfers: s.transfers !== false };
}

/** How the trades were found (report.rebalance.method). */
const METHOD = {
  exact: ' The cheapest of these candidates before rounding to lots: one linear program over every scenario of the margin model.',
  successive: ' Found by successive linear programs on the margin engine: cheap, not proven the cheapest.',
};

const distance = (u) => `${isNum(u.down) ? pct(u.down) : 'none'} / ${isNum(u.up) ? `+${pct(u.up)}` : 'none'}`;

/** Draws report.rebalance (kept when a later report has none: it is computed on request);
 * `apply(lines)` puts the trades into the what-if. `stale` says the book changed since. */
export function renderSafe(rb, els, apply, stale) {
  const { result, answer, trades, moves, compare, hedges, hedgesHead, notes, button } = els;
  result.hidden = !rb;
  if (!rb) return;
  result.dataset.status = rb.status;
  const staleNote = stale ? ' (for the book as it was when asked: press “Find trades” again)' : '';
  answer.textContent = {
    'met already': 'The account meets every target already: no trade needed.',
    solved: `${rb.account ? `${rb.account}: ` : ''}${rb.trades.length} trade${rb.trades.length === 1 ? '' : 's'}${rb.transfers.length ? ` and ${rb.transfers.length} collateral move${rb.transfers.length === 1 ? '' : 's'}` : ''} for ${usd(rb.costUsd)} USD of spread and fees, checked by re-valuing the account with them${rb.binding.length ? `; binding: ${rb.binding.join(', ')}` : ''}.`,
    'not found': 'No trades found that meet every target with these candidates.',
    'not verified': 'The trades found did not meet every target when re-valued, so none are shown.',
  }[rb.status] + (METHOD[rb.method] ?? '') + staleNote;
  trades.hidden = !rb.trades.length;
  trades.tBodies[0].replaceChildren(...rb.trades.map((t) => el('tr', {},
    el('td', { text: t.side }),
    el('td', { text: `${SIG.format(t.size)} ${t.sizeUnit}` }),
    el('th', { scope: 'row', text: t.instrument }),
    el('td', { text: `${SIG.format(t.price)} ${t.priceUnit}` }),
    el('td', { text: usd(t.costUsd) }))));
  moves.replaceChildren(...rb.transfers.map((m) => el('li', {
    text: `Move ${usd(m.amountUsd)} USD of stablecoins from ${m.from} to ${m.to}`,
  })));
  const rows = [
    ['Headroom (USD)', usd(rb.before.headroomUsd), usd(rb.after.headroomUsd)],
    ['MM usage', pct(rb.before.mmUsage), pct(rb.after.mmUsage)],
    ...Object.keys(rb.after.underlyings).map((u) => [`${u} liquidation, down / up`,
      rb.before.underlyings[u] ? distance(rb.before.underlyings[u]) : '—', distance(rb.after.underlyings[u])]),
    ...Object.keys(rb.after.underlyings).map((u) => [`${u} delta of the positions (coins)`,
      rb.before.underlyings[u] ? SIG.format(rb.before.underlyings[u].delta) : '—', SIG.format(rb.after.underlyings[u].delta)]),
  ];
  // With stablecoin moves, what each source keeps available (margin balance − IM).
  for (const t of rb.targets.filter((x) => x.target.startsWith('available '))) {
    rows.push([`${t.target.slice('available '.length)} available after the move (USD)`, usd(t.before), usd(t.after)]);
  }
  compare.tBodies[0].replaceChildren(...rows.map(([label, before, after]) => el('tr', {},
    el('th', { scope: 'row', text: label }), el('td', { text: before }), el('td', { text: after }))));
  hedgesHead.hidden = !rb.hedges.length;
  hedges.replaceChildren(...rb.hedges.map((h) => el('li', {},
    `${h.underlying}: delta with the coin collateral ${SIG.format(h.delta)} coins`,
    isNum(h.minVarianceDelta) ? `, minimum-variance ${SIG.format(h.minVarianceDelta)}` : '',
    h.band ? `; no-trade band ±${SIG.format(h.band.halfWidth)} coins (${h.band.inside ? 'inside: no hedge' : `outside: trade ${SIG.format(h.band.tradeCoins)} coins`}, ≈ ${usd(h.band.expectedCostUsdPerDay)} USD a day to keep)` : '',
    h.trades.length ? `; ${h.greeks.join('-')}-neutral: ${h.trades.map((t) => `${t.side} ${SIG.format(t.size)} ${t.sizeUnit} ${t.instrument}`).join(', ')} (${usd(h.costUsd)} USD)` : '')));
  notes.replaceChildren(...[...rb.notes, ...rb.rejected.map((r) => `Candidate not used: ${r}`), `Costs: ${rb.costPack}`].map((n) => el('li', { text: n })));
  button.disabled = !(rb.status === 'solved' && rb.trades.length);
  button.onclick = () => apply(rb.whatIf, rb.account);
}
