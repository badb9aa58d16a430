// Venue accounts on the page: the accounts a trader holds on other venues, each margined and
// liquidated by its venue's own rules in the core. Controls → request (venueAccountsRequest),
// report → view (renderVenueAccounts); the editors write into the state they are given.
import { el } from './dom.js';
import { isNum, usd, coins, pct, signedPct } from './format.js';

/** The venues the core margins by their own rules, with the margin modes it models (default first). */
export const VENUES = {
  binance: { label: 'Binance', modes: ['cross', 'isolated'], example: 'instrument,size,entry\nBTCUSDT,0.5,91000' },
  okx: { label: 'OKX', modes: ['cross', 'isolated'], example: 'instId,pos,avgPx\nBTC-USDT-SWAP,50,91000' },
  bybit: { label: 'Bybit', modes: ['cross', 'isolated'], example: 'symbol,size,entry,leverage\nBTCUSDT,0.5,91000,20' },
  hyperliquid: { label: 'Hyperliquid', modes: ['cross', 'isolated'], example: 'coin,size,entry\nBTC,-0.2,92000' },
  dydx: { label: 'dYdX', modes: ['cross', 'isolated'], example: 'market,size,entry\nETH-USD,3,3100' },
  deribit: { label: 'Deribit', modes: ['cross', 'segregated', 'portfolio'], example: 'instrument,size\nBTC-PERPETUAL,10000' },
  derive: { label: 'Derive', modes: ['cross', 'portfolio'], example: 'instrument,size,entry\nETH-PERP,2,3000\nETH-20261225-4000-C,-1,' },
};

export const newAccount = (n) => ({ name: `Account ${n}`, venue: 'binance', marginMode: 'cross', collateral: 'USDT 10000', positions: '' });

/**
 * "USDT 5000, BTC 0.1" → { USDT: 5000, BTC: 0.1 }. What does not read is named in `problems`
 * (`parse` reads a typed number: null for empty, NaN for junk).
 */
export function parseCollateral(text, label, parse, problems) {
  const out = {};
  for (const part of String(text || '').split(/[,;\n]/)) {
    const t = part.trim();
    if (!t) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*)\s*[:=]?\s*(.+)$/.exec(t);
    const amount = m ? parse(m[2]) : NaN;
    if (!m || amount === null || Number.isNaN(amount)) {
      problems.push(`${label}: “${t}” is not a currency and an amount (e.g. USDT 5000)`);
      continue;
    }
    const currency = m[1].toUpperCase();
    out[currency] = (out[currency] || 0) + amount;
  }
  return out;
}

/**
 * The request's `accounts`, or null while the trader has added none (the page then sends one
 * book, as before). With accounts, the pasted book is the account "Book" on the venue chosen for
 * it (Deribit when that is "decide per row"), margined by the model chosen where Deribit has it.
 */
export function venueAccountsRequest(accounts, book, parse, problems) {
  if (!accounts.length) return null;
  const out = [];
  const used = new Set();
  const unique = (name) => {
    let id = String(name || '').trim() || 'Account';
    for (let n = 2; used.has(id); n += 1) id = `${String(name || 'Account').trim()} (${n})`;
    used.add(id);
    return id;
  };
  if (String(book.positions || '').trim()) {
    const venue = VENUES[book.venue] ? book.venue : 'deribit';
    if (book.marginModel === 'span') problems.push('SPAN-16 applies to a single book: with venue accounts the book is margined by its venue\'s rules');
    out.push({
      id: unique('Book'),
      venue,
      marginMode: venue === 'deribit' && book.marginModel === 'deribit-pm' ? 'portfolio' : 'cross',
      collateral: book.collateral,
      positions: book.positions,
      ...(String(book.balance || '').trim() ? { balance: book.balance } : {}),
    });
  }
  for (const a of accounts) {
    const venue = VENUES[a.venue] ? a.venue : 'binance';
    const id = unique(a.name);
    out.push({
      id,
      venue,
      marginMode: VENUES[venue].modes.includes(a.marginMode) ? a.marginMode : VENUES[venue].modes[0],
      collateral: parseCollateral(a.collateral, `${id} collateral`, parse, problems),
      positions: a.positions || '',
      ...(String(a.balance || '').trim() ? { balance: a.balance } : {}),
    });
  }
  return out;
}

/** The account editors: name, venue, margin mode, collateral and book of each account. */
export function renderAccountEditors(container, accounts, changed) {
  const editors = accounts.map((a, i) => {
    const venue = VENUES[a.venue] ? a.venue : 'binance';
    const field = (label, control) => el('label', {}, `${label} `, control);
    return el('fieldset', { className: 'venue-account-editor', dataset: { account: String(i) } },
      el('legend', { text: a.name || `Account ${i + 1}` }),
      el('div', { className: 'row' },
        field('Name', el('input', { type: 'text', value: a.name, size: 14, 'aria-label': 'Account name',
          oninput: (ev) => { a.name = ev.target.value; changed(false); } })),
        field('Venue', el('select', { 'aria-label': 'Venue',
          onchange: (ev) => { a.venue = ev.target.value; a.marginMode = VENUES[a.venue].modes[0]; changed(true); } },
        ...Object.entries(VENUES).map(([key, v]) => el('option', { value: key, text: v.label, selected: key === venue })))),
        field('Margin', el('select', { 'aria-label': 'Margin mode', onchange: (ev) => { a.marginMode = ev.target.value; changed(false); } },
          ...VENUES[venue].modes.map((m) => el('option', { value: m, text: m, selected: m === a.marginMode })))),
        field('Collateral', el('input', { type: 'text', value: a.collateral, size: 18, placeholder: 'USDT 10000, BTC 0.1', 'aria-label': 'Collateral, currency and amount',
          oninput: (ev) => { a.collateral = ev.target.value; changed(false); } })),
        el('button', { type: 'button', className: 'link', text: 'remove', 'aria-label': `Remove ${a.name || 'this account'}`,
          onclick: () => { accounts.splice(i, 1); changed(true); } })),
      el('textarea', { rows: 4, spellcheck: 'false', 'aria-label': `Positions of ${a.name || 'this account'}, in ${VENUES[venue].label}'s names`,
        placeholder: VENUES[venue].example, oninput: (ev) => { a.positions = ev.target.value; changed(false); } }, a.positions),
      el('textarea', { rows: 2, spellcheck: 'false', className: 'balance', 'aria-label': `Balance response of ${a.name || 'this account'} (optional)`,
        placeholder: `Optional: ${VENUES[venue].label}'s balance or account-summary response; fills the collateral not typed`,
        oninput: (ev) => { a.balance = ev.target.value; changed(false); } }, a.balance || ''));
  });
  container.replaceChildren(...editors);
}

const VENUE_LABEL = (v) => VENUES[v]?.label || v;

/** The first account to be liquidated, down and up, when every index moves together. */
function firstLine(report) {
  const first = report.account.firstToLiquidate;
  const part = (label, e) => (e
    ? `${label}: ${e.account} (${VENUE_LABEL(e.venue)}, ${e.pool}) at ${signedPct(e.move)} of every index`
    : `${label}: none within −99 % … +1000 %`);
  return first ? `First to liquidate — ${part('down', first.down)}; ${part('up', first.up)}.` : '';
}

/** The venue's own liquidation prices beside Headroom's, for the positions of `account` that
 * came with one (a pasted API response), at most `limit`. */
function reconciliation(account, positions, limit = 8) {
  if (!positions) return null;
  const out = [];
  const venue = positions.numbers.venueLiquidationPrice;
  const ours = positions.numbers.liquidationPrice;
  const difference = positions.numbers.venueLiquidationPriceDifference;
  for (let i = 0; i < positions.count && out.length < limit; i += 1) {
    if (Number.isNaN(venue[i]) || positions.text('account')(i) !== account) continue;
    const diff = difference[i];
    out.push(el('li', { dataset: { line: String(positions.numbers.line[i]) } },
      el('b', { text: positions.text('instrument')(i) }),
      ` venue ${usd(venue[i])} USD · Headroom ${isNum(ours[i]) ? `${usd(ours[i])} USD` : 'none within −99 % … +1000 %'}`,
      isNum(diff) ? ` (${signedPct(diff)})` : ''));
  }
  return out.length ? el('div', { className: 'reconciliation' },
    el('p', { className: 'muted', text: 'Liquidation price, the venue\'s against Headroom\'s:' }),
    el('ul', { className: 'liquidation-list' }, out)) : null;
}

function accountCard(a, report, positions) {
  const level = a.liquidatable ? 'danger' : isNum(a.mmUsage) && a.mmUsage > 0.7 ? 'warn' : 'ok';
  const figure = (label, value, unit) => el('div', { className: 'metric' },
    el('dt', { text: label }), el('dd', {}, el('span', { className: 'value', text: value }), ' ', el('span', { className: 'unit', text: unit })));
  const side = (move, price) => (move === null ? 'none' : `${signedPct(move)}${isNum(price) ? ` → ${usd(price)} USD` : ''}`);
  const liquidation = Object.entries(a.liquidation).map(([u, l]) => el('li', { dataset: { underlying: u } },
    el('b', { text: u }), ` down ${side(l.down, l.downPrice)}, up ${side(l.up, l.upPrice)}`));
  const greeks = Object.entries(a.underlyings).map(([u, g]) => el('li', { dataset: { greeks: u } },
    el('b', { text: u }), ` Δ ${coins(g.delta)} ${u} · Γ ${coins(g.gamma * (report.underlyings[u]?.index ?? 0) / 100)} ${u}/1 % · vega ${usd(g.vega)} USD · theta ${usd(g.theta)} USD/day`));
  const isolated = a.isolatedPositions;
  return el('article', { className: `venue-account ${level}`, dataset: { account: a.id } },
    el('h3', {}, `${a.id} `, el('span', { className: 'sub', text: `${VENUE_LABEL(a.venue)} · ${a.marginMode}${isolated ? ` · ${isolated} isolated` : ''} · ${a.positions} position${a.positions === 1 ? '' : 's'}` })),
    el('dl', { className: `metrics ${level}` },
      figure('Headroom', usd(a.headroomUsd), 'USD'),
      figure('MM usage', isNum(a.mmUsage) ? pct(a.mmUsage) : (a.liquidatable ? 'liquidatable' : '—'), ''),
      figure('Equity', usd(a.equityUsd), 'USD'),
      figure('Maintenance margin', usd(a.maintenanceMarginUsd), 'USD'),
      figure('Initial margin', usd(a.initialMarginUsd), 'USD'),
      figure('Available', usd(a.availableUsd), 'USD')),
    el('ul', { className: 'liquidation-list' }, liquidation),
    el('ul', { className: 'liquidation-list greeks-list' }, greeks),
    el('p', { className: 'pack muted', title: `${a.pack.source}. ${a.pack.rules.join('. ')}` },
      `Rules: ${a.pack.name} (${a.pack.date})`),
    reconciliation(a.id, positions),
    a.approximations.length ? el('ul', { className: 'warnings' }, a.approximations.map((t) => el('li', { text: `Approximated: ${t}` }))) : null,
    report.errors.some((e) => e.account === a.id)
      ? el('p', { className: 'muted', text: `${report.errors.filter((e) => e.account === a.id).length} row(s) not read: see “Rows not read”.` }) : null);
}

/** The stablecoin transfer between accounts that keeps the nearest liquidation furthest away. */
function transferLine(report) {
  const t = report.account.collateralTransfer;
  if (!t) return '';
  const distance = (d, account) => (isNum(d) ? `${pct(d)} (${account})` : 'none within −99 % … +1000 %');
  if (!t.transfers.length) return `No transfer of stablecoins between the accounts brings the nearest liquidation further than ${distance(t.smallestDistanceBefore, t.accountBefore)}.`;
  const moves = t.transfers.map((x) => `${usd(x.amountUsd)} USD from ${x.from} to ${x.to}`).join('; ');
  return `Suggested transfer: ${moves} — the nearest liquidation moves from ${distance(t.smallestDistanceBefore, t.accountBefore)} to ${distance(t.smallestDistanceAfter, t.accountAfter)} away.`;
}

/** The accounts section: hidden without venue accounts. */
export function renderVenueAccounts(section, line, list, report, transfer, positions) {
  const accounts = report.accounts || [];
  section.hidden = accounts.length === 0;
  if (!accounts.length) return;
  line.textContent = firstLine(report);
  transfer.textContent = transferLine(report);
  list.replaceChildren(...accounts.map((a) => accountCard(a, report, positions)));
}

/** Fills a venue-account choice (the what-if's, "Make it safe"'s) with the accounts' ids, keeping
 * the chosen one; `first` is the option for no choice (`null`: none, the first account is it). */
export function fillAccountChoice(label, select, ids, chosen, first) {
  label.hidden = !ids;
  if (!ids) return;
  const options = [...(first ? [['', first]] : []), ...ids.map((id) => [id, id])];
  const same = select.options.length === options.length
    && options.every(([value], i) => select.options[i].value === value);
  if (!same) {
    select.replaceChildren(...options.map(([value, text]) => el('option', { value, text })));
  }
  select.value = ids.includes(chosen) ? chosen : (first ? '' : ids[0]);
}
