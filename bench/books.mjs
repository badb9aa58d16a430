// Generated books for the whole-book benchmarks: deterministic (seeded), mixed venues, several
// underlyings and expiries, every instrument a name a venue really lists. Used by the native
// benchmark (through files written by `node bench/books.mjs DIR`) and by the browser benchmark.
// The market matches www/samples/README.md (valuation 2026-11-23T12:00:00Z).

export const VALUATION = '2026-11-23T12:00:00Z';

const UNDERLYINGS = {
  BTC: { index: 91250.5, vol: 0.55, step: 1000 },
  ETH: { index: 3120.75, vol: 0.65, step: 50 },
  SOL: { index: 142.3, vol: 0.8, step: 5 },
};
// Deribit-style expiries (08:00 UTC): code, OKX/Binance yymmdd, days from the valuation.
const EXPIRIES = [
  ['27NOV26', '261127', 3.83], ['4DEC26', '261204', 10.83], ['25DEC26', '261225', 31.83],
  ['29JAN27', '270129', 66.83], ['26MAR27', '270326', 122.83], ['25JUN27', '270625', 213.83],
];
const BASIS = 0.06; // annual, for the forwards

/** mulberry32: a small seeded generator, so every run benchmarks the same book. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function market() {
  const underlyings = {};
  for (const [symbol, u] of Object.entries(UNDERLYINGS)) {
    const forwards = {};
    for (const [code, , days] of EXPIRIES) forwards[code] = Math.round(u.index * Math.exp(BASIS * days / 365) * 100) / 100;
    underlyings[symbol] = { index: u.index, vol: u.vol, forwards };
  }
  return { valuationTime: VALUATION, rate: 0, underlyings };
}

/** A smile in percent: the same contract always gets the same IV, so rows of one contract net. */
function ivPct(u, strike, days) {
  const k = Math.log(strike / u.index);
  const term = u.vol * (1 + 0.15 * Math.sqrt(30 / Math.max(days, 1)) - 0.15);
  return Math.round((term + 0.25 * k * k - 0.08 * k) * 1000) / 10;
}

/**
 * `n` positions as CSV (instrument, venue, size, entry, iv): about 70 % options on Deribit, OKX,
 * Bybit and Binance, the rest futures, perpetuals and coins held, on BTC, ETH and SOL.
 */
export function book(n, seed = 1) {
  const rnd = random(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const lines = ['instrument,venue,size,entry,iv'];
  for (let i = 0; i < n; i += 1) {
    const symbol = rnd() < 0.5 ? 'BTC' : rnd() < 0.7 ? 'ETH' : 'SOL';
    const u = UNDERLYINGS[symbol];
    const [code, ymd, days] = pick(EXPIRIES);
    const sign = rnd() < 0.55 ? -1 : 1;
    const r = rnd();
    if (r < 0.7) {
      const width = u.vol * Math.sqrt(days / 365) * 2.2;
      const strike = Math.max(u.step, Math.round(u.index * Math.exp((rnd() * 2 - 1) * width) / u.step) * u.step);
      const cp = strike >= u.index ? 'C' : 'P';
      const iv = ivPct(u, strike, days);
      const venue = symbol === 'SOL' ? pick(['deribit', 'binance']) : pick(['deribit', 'deribit', 'okx', 'bybit', 'binance']);
      const coins = sign * (1 + Math.floor(rnd() * 10)) * (symbol === 'BTC' ? 0.1 : symbol === 'ETH' ? 1 : 10);
      if (venue === 'deribit' && symbol !== 'SOL') {
        lines.push(`${symbol}-${code}-${strike}-${cp},deribit,${coins},,${iv}`);
      } else if (venue === 'deribit') {
        lines.push(`SOL_USDC-${code}-${strike}-${cp},deribit,${sign * (1 + Math.floor(rnd() * 10))},,${iv}`);
      } else if (venue === 'okx') {
        const perContract = symbol === 'BTC' ? 0.01 : 0.1;
        lines.push(`${symbol}-USD-${ymd}-${strike}-${cp},okx,${Math.round(coins / perContract)},,${iv}`);
      } else if (venue === 'bybit') {
        lines.push(`${symbol}-${code}-${strike}-${cp}-USDT,bybit,${coins},,${iv}`);
      } else {
        lines.push(`${symbol}-${ymd}-${strike}-${cp},binance,${coins},,${iv}`);
      }
    } else if (r < 0.8) {
      const usd = sign * (1 + Math.floor(rnd() * 20)) * (symbol === 'BTC' ? 10000 : 1000);
      const entry = Math.round(u.index * (0.9 + 0.2 * rnd()) * 100) / 100;
      if (symbol === 'SOL') lines.push(`SOL_USDC-PERPETUAL,deribit,${usd / 1000},${entry},`);
      else lines.push(`${symbol}-${rnd() < 0.5 ? 'PERPETUAL' : code},deribit,${usd},${entry},`);
    } else if (r < 0.95) {
      const coins = sign * (1 + Math.floor(rnd() * 10)) * (symbol === 'BTC' ? 0.05 : symbol === 'ETH' ? 0.5 : 5);
      const entry = Math.round(u.index * (0.9 + 0.2 * rnd()) * 100) / 100;
      lines.push(`${symbol}USDT,${rnd() < 0.5 ? 'bybit' : 'binance'},${coins},${entry},`);
    } else {
      lines.push(`${symbol},,${(1 + Math.floor(rnd() * 5)) * (symbol === 'BTC' ? 0.1 : symbol === 'ETH' ? 1 : 10)},,`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Collateral large enough that the book is not liquidatable at the valuation (so the searches run). */
export function collateral(n) {
  return { USDC: 2000 * n, BTC: n / 100 };
}

/** The whole `analyze` request for a book of `n` positions. */
export function request(n, model = 'standard', seed = 1) {
  return { positions: book(n, seed), market: market(), account: { collateral: collateral(n) }, margin: { model } };
}

/**
 * `accounts` venue accounts of `perAccount` perpetuals and futures each, on their venues' rules
 * (every venue in turn; every other account isolated), for the accounts benchmark (issue 19:
 * 10 × 1,000 positions with every liquidation price).
 */
export function accountsRequest(accounts = 10, perAccount = 1000, seed = 7) {
  const rnd = random(seed);
  const venues = [
    ['binance', (s) => `${s}USDT`], ['okx', (s) => `${s}-USDT-SWAP`], ['bybit', (s) => `${s}USDT`],
    ['hyperliquid', (s) => s], ['dydx', (s) => `${s}-USD`], ['deribit', (s) => `${s}_USDC-PERPETUAL`],
  ];
  const list = [];
  for (let a = 0; a < accounts; a += 1) {
    const [venue, name] = venues[a % venues.length];
    const lines = ['instrument,size,entry,leverage'];
    for (let i = 0; i < perAccount; i += 1) {
      const symbol = rnd() < 0.6 ? 'BTC' : 'ETH';
      const u = UNDERLYINGS[symbol];
      const sign = rnd() < 0.5 ? -1 : 1;
      const okx = venue === 'okx' ? (symbol === 'BTC' ? 100 : 10) : 1;
      const coins = sign * (1 + Math.floor(rnd() * 10)) * (symbol === 'BTC' ? 0.01 : 0.1) * okx;
      const entry = Math.round(u.index * (0.95 + 0.1 * rnd()) * 100) / 100;
      lines.push(`${name(symbol)},${Math.round(coins * 1e4) / 1e4},${entry},${5 + Math.floor(rnd() * 15)}`);
    }
    list.push({ id: `${venue}-${a + 1}`, venue, marginMode: venue !== 'deribit' && a % 2 === 1 ? 'isolated' : 'cross',
      collateral: { USDC: 200 * perAccount }, positions: `${lines.join('\n')}\n` });
  }
  return { market: market(), accounts: list, stress: { library: false } };
}

// `node bench/books.mjs DIR`: writes DIR/book-N.json requests for the native benchmark.
if (typeof process !== 'undefined' && process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const dir = process.argv[2] || 'target/bench-books';
  mkdirSync(dir, { recursive: true });
  for (const n of [1000, 10000, 100000]) {
    for (const model of ['standard', 'deribit-pm']) writeFileSync(`${dir}/book-${n}-${model}.json`, JSON.stringify(request(n, model)));
  }
  writeFileSync(`${dir}/accounts-10x1000.json`, JSON.stringify(accountsRequest()));
  console.log(`wrote ${dir}/book-{1000,10000,100000}-{standard,deribit-pm}.json, accounts-10x1000.json`);
}
