// Export and share: the positions as CSV (units in the header) and the whole report as JSON,
// saved on this machine; the book, market and settings compressed into a link's fragment (the
// part after #, which browsers never send to a server).
import { $, el } from './dom.js';

const CSV_COLUMNS = [
  ['line', 'line'], ['instrument', 'instrument'], ['venue', 'venue'], ['size', 'size'], ['sizeUnit', 'size unit'],
  ['quantity', 'quantity (coins)'], ['iv', 'iv (fraction)'], ['markPrice', 'mark'], ['priceUnit', 'price unit'],
  ['valueUsd', 'value (USD)'], ['pnlUsd', 'P&L (USD)'], ['delta', 'delta (coins)'], ['coinDelta', 'coin delta (coins)'],
  ['gamma', 'gamma (coins/USD)'], ['vega', 'vega (USD/vol pt)'], ['theta', 'theta (USD/day)'], ['rho', 'rho (USD/pp)'],
  ['initialMarginUsd', 'IM (USD)'], ['maintenanceMarginUsd', 'MM (USD)'],
];

function csvCell(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Saves text as a file on this machine (a local download; nothing is sent anywhere). */
function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The positions of `report` (read in place from `positions`) as a CSV file. */
export function exportCsv(report, positions) {
  if (!report) return;
  const lines = [CSV_COLUMNS.map(([, label]) => csvCell(label)).join(',')];
  for (let i = 0; i < positions.count; i += 1) {
    const p = positions.row(i);
    lines.push(CSV_COLUMNS.map(([key]) => csvCell(p[key])).join(','));
  }
  download(`headroom-positions-${report.valuationTime.slice(0, 10)}.csv`, 'text/csv', `${lines.join('\n')}\n`);
}

/** The whole report as a JSON file. */
export function exportJson(report, positions) {
  if (!report) return;
  const rows = Array.from({ length: positions.count }, (_, i) => positions.row(i));
  download(`headroom-report-${report.valuationTime.slice(0, 10)}.json`, 'application/json', JSON.stringify({ ...report, positions: rows }, null, 1));
}

export const SHARE_PREFIX = '#state=';
const SHARE_WARN_CHARS = 8000;

async function deflate(text) {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export async function inflate(code) {
  const binary = atob(code.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(stream).text();
}

/** Copies a link holding `state` in its fragment (from a file, the fragment alone). */
export async function shareLink(state) {
  const fragment = `${SHARE_PREFIX}${await deflate(JSON.stringify(state))}`;
  // From the single file opened from disk a file:/// link would point into this machine: only
  // the fragment is copied, to put after the page's address wherever it is served or opened.
  const link = location.protocol === 'file:' ? fragment : `${location.origin}${location.pathname}${fragment}`;
  const size = link.length;
  const warning = size > SHARE_WARN_CHARS ? ` It is ${size.toLocaleString()} characters long: some chat apps and browsers cut links this long.` : '';
  try {
    await navigator.clipboard.writeText(link);
    $('share-status').textContent = location.protocol === 'file:'
      ? `Copied the part to put after the page's address (from a file, no link to this disk is made).${warning}`
      : `Link copied. The book travels in the part after #, which browsers never send to a server.${warning}`;
  } catch {
    $('share-status').textContent = `Copy this link: ${link}${warning}`;
  }
  $('share-status').dataset.link = link;
}
