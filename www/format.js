// Number formatting for the page: units stand next to every number, in the caller.
export const nf = (digits) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const NF2 = nf(2);
export const NF4 = nf(4);
export const SIG = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 4 });

export const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
export const usd = (x) => (isNum(x) ? NF2.format(x) : '—');
export const coins = (x) => (isNum(x) ? NF4.format(x) : '—');
export const sig = (x) => (isNum(x) ? (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(3) : SIG.format(x)) : '—');
export const pct = (x, digits = 1) => (isNum(x) ? `${(x * 100).toFixed(digits)} %` : '—');
/** A signed percentage to 2 decimals; what rounds to 0.00 has no sign. */
export const signedPct = (x) => {
  if (!isNum(x)) return '—';
  const shown = Math.abs(x * 100).toFixed(2);
  return `${shown === '0.00' ? '' : x > 0 ? '+' : '−'}${shown} %`;
};
