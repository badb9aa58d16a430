// The positions table's columns and the pure steps of drawing it: each column's cell, the
// filter (every word typed must match), the sort, and the values a totals row adds.
import { el } from './dom.js';
import { SIG, usd, coins, sig } from './format.js';

export const ROW_LIMIT = 400;
export const IV_LABEL = { row: '', mark: ' (from mark)', smile: ' (smile)', term: ' (ATM term)', default: ' (default)' };

/** Columns: label, the glossary term its header explains, the position field sorted on, the cell drawn, and whether a total makes sense (USD sums always; coin sums only for one underlying). */
export const COLUMNS = [
  { key: 'line', more: true, label: 'Line', field: 'line', cell: (p) => String(p.line) },
  { key: 'instrument', label: 'Instrument', field: 'instrument', text: true },
  { key: 'size', label: 'Size', term: 'size', field: 'size' },
  { key: 'iv', label: 'IV (%)', term: 'iv', field: 'iv', cell: (p) => (p.iv === null ? '—' : `${(p.iv * 100).toFixed(1)}${IV_LABEL[p.ivSource] ?? ''}`) },
  { key: 'mark', label: 'Mark', term: 'mark', field: 'markPrice' },
  { key: 'valueUsd', label: 'Value (USD)', term: 'value', field: 'valueUsd', cell: (p) => usd(p.valueUsd), total: 'usd' },
  { key: 'valueCoin', more: true, label: 'Value (coin)', term: 'valueCoin', field: 'valueCoin', total: 'coin' },
  { key: 'pnlUsd', label: 'P&L (USD)', term: 'pnl', field: 'pnlUsd', cell: (p) => usd(p.pnlUsd), total: 'usd' },
  { key: 'delta', label: 'Δ (coins)', term: 'delta', field: 'delta', cell: (p) => coins(p.delta), total: 'coin' },
  { key: 'coinDelta', more: true, label: 'Coin Δ (coins)', term: 'coinDelta', field: 'coinDelta', cell: (p) => (p.coinDelta === null ? '—' : coins(p.coinDelta)), total: 'coin' },
  { key: 'gamma', more: true, label: 'Γ (coins/USD)', term: 'gamma', field: 'gamma', cell: (p) => sig(p.gamma), total: 'coin' },
  { key: 'vega', label: 'Vega (USD/vol pt)', term: 'vega', field: 'vega', cell: (p) => usd(p.vega), total: 'usd' },
  { key: 'theta', label: 'Θ (USD/day)', term: 'theta', field: 'theta', cell: (p) => usd(p.theta), total: 'usd' },
  { key: 'rho', more: true, label: 'ρ (USD/pp)', term: 'rho', field: 'rho', cell: (p) => usd(p.rho), total: 'usd' },
  { key: 'vanna', more: true, label: 'Vanna (coins/vol pt)', term: 'vanna', field: 'vanna', cell: (p) => coins(p.vanna), total: 'coin' },
  { key: 'volga', more: true, label: 'Volga (USD/pt²)', term: 'volga', field: 'volga', cell: (p) => usd(p.volga), total: 'usd' },
  { key: 'charm', more: true, label: 'Charm (coins/day)', term: 'charm', field: 'charm', cell: (p) => coins(p.charm), total: 'coin' },
  { key: 'im', more: true, label: 'IM (USD)', term: 'im', field: 'initialMarginUsd', cell: (p) => usd(p.initialMarginUsd), total: 'usd' },
  { key: 'mm', label: 'MM (USD)', term: 'mm', field: 'maintenanceMarginUsd', cell: (p) => usd(p.maintenanceMarginUsd), total: 'usd' },
];

export function positionCell(column, p) {
  if (column.key === 'instrument') {
    return el('th', { scope: 'row', title: [`line ${p.line}`, p.readAs, ...p.notes].join('\n') }, p.instrument,
      el('span', { className: 'badge', text: p.venue }), p.expired ? el('span', { className: 'badge', text: 'expired' }) : null);
  }
  if (column.key === 'size') return el('td', {}, `${SIG.format(p.size)} `, el('span', { className: 'unit', text: p.sizeUnit }));
  if (column.key === 'mark') return el('td', {}, `${p.priceUnit === 'USD' ? usd(p.markPrice) : coins(p.markPrice)} `, el('span', { className: 'unit', text: p.priceUnit }));
  if (column.key === 'valueCoin') {
    return el('td', {}, p.valueCoin === null ? '—' : `${coins(p.valueCoin)} `, p.valueCoin === null ? null : el('span', { className: 'unit', text: p.underlying }));
  }
  return el('td', { text: column.cell(p) });
}

/** A column's values row by row, read from the positions' columns: text, or numbers with null as −∞. */
export function columnValues(positions, column) {
  if (column.text) return positions.text(column.field);
  const values = positions.numbers[column.field];
  return (i) => (Number.isNaN(values[i]) ? -Infinity : values[i]);
}

/** The rows (indexes) the filter keeps: every word must appear in the instrument, underlying, venue, expiry or kind. */
export function filterPositions(positions, text) {
  const all = Array.from({ length: positions.count }, (_, i) => i);
  const words = String(text || '').toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return all;
  const fields = ['instrument', 'underlying', 'venue', 'kind', 'optionType', 'expiry', 'settlement'].map((f) => positions.text(f));
  return all.filter((i) => {
    const hay = fields.map((f) => f(i) ?? '').join(' ').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** The rows (indexes) in the column's order, ties in line order. */
export function sortPositions(positions, rows, key, dir) {
  const column = COLUMNS.find((c) => c.key === key) || COLUMNS[0];
  const value = columnValues(positions, column);
  const keys = column.text ? new Array(positions.count) : new Float64Array(positions.count);
  for (const i of rows) keys[i] = value(i);
  const { line, item } = positions.numbers;
  return [...rows].sort((a, b) => {
    const [x, y] = [keys[a], keys[b]];
    const order = column.text ? String(x).localeCompare(String(y)) : (x > y) - (x < y);
    return dir * order || line[a] - line[b] || item[a] - item[b];
  });
}

/** The columns drawn: the key ones (fit a 1,400 px screen without sideways scrolling), or all of
 * them (coin value and delta, ρ, vanna, volga, charm too). */
export function visibleColumns(all) {
  return all ? COLUMNS : COLUMNS.filter((c) => !c.more);
}
