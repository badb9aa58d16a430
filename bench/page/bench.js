// The browser benchmark: Headroom's WebAssembly kernels and the JavaScript peers from npm timed
// in the same page and run, on the same inputs, after checking that they agree on the numbers.
// bench/run.mjs loads this page in headless Chromium and calls window.runBenchmarks().
import init, { priceChain, impliedVols, analyze, analyzeColumnar, ChainPricer } from './pkg/headroom.js';
import { request as bookRequest, accountsRequest } from './books.mjs';

const peers = window.peers; // peers.js: the npm packages, wrapped by bench/run.mjs
const log = (line) => { document.getElementById('log').textContent += `${line}\n`; };

/** The benchmark chain (as benches/kernels.rs): 10 expiries, 1 day to 2 years, strikes ±2.5 sd. */
function chain(n) {
  const c = { forward: new Float64Array(n), strike: new Float64Array(n), years: new Float64Array(n), vol: new Float64Array(n), isCall: new Uint8Array(n) };
  const expiries = [1, 3, 7, 14, 30, 60, 91, 182, 365, 730];
  const perExpiry = Math.floor(n / expiries.length);
  let i = 0;
  expiries.forEach((days, e) => {
    const t = days / 365;
    const f = 91250 * Math.exp(0.05 * t);
    for (let j = 0; j < perExpiry && i < n; j += 1, i += 1) {
      const u = ((j + 0.5) / perExpiry) * 2 - 1;
      const vol = 0.5 + 0.15 * u * u + 0.01 * e;
      const k = f * Math.exp(2.5 * u * vol * Math.sqrt(t));
      c.forward[i] = f; c.strike[i] = k; c.years[i] = t; c.vol[i] = vol; c.isCall[i] = k >= f ? 1 : 0;
    }
  });
  return c;
}

// ---------- implementations: price + delta, gamma, vega (per vol point), theta (per day) ----------

function headroomChain(c) {
  const g = priceChain(c.forward, c.strike, c.years, c.vol, c.isCall, 0);
  return { price: g.price, delta: g.delta, gamma: g.gamma, vega: g.vega, theta: g.theta };
}

/** ChainPricer: each call writes the five input columns into its views and prices in place;
 * the results are views of the module's memory. */
function inPlaceChain(c, pricer) {
  const views = pricer.inputs();
  views.forward.set(c.forward); views.strike.set(c.strike); views.years.set(c.years);
  views.vol.set(c.vol); views.isCall.set(c.isCall);
  return pricer.compute(0);
}

function uqeeChain(c) {
  const bs = new peers.uqee.BlackScholes({ sigmaToPricePrecision: 'double' });
  const n = c.forward.length;
  const out = { price: new Float64Array(n), delta: new Float64Array(n), gamma: new Float64Array(n), vega: new Float64Array(n), theta: new Float64Array(n) };
  for (let i = 0; i < n; i += 1) {
    const o = bs.sigmaToPrice(0, c.vol[i], c.strike[i], c.years[i], c.isCall[i] === 1, c.forward[i]);
    out.price[i] = o.price; out.delta[i] = o.delta; out.gamma[i] = o.gamma;
    out.vega[i] = o.vega / 100; // per 1.00 → per point
    out.theta[i] = -o.theta / 365; // +∂V/∂T per year → −∂V/∂T per day
  }
  return out;
}

function bsGreeksChain(c) {
  const { blackScholes } = peers.blackScholes;
  const greeks = peers.greeks;
  const n = c.forward.length;
  const out = { price: new Float64Array(n), delta: new Float64Array(n), gamma: new Float64Array(n), vega: new Float64Array(n), theta: new Float64Array(n) };
  for (let i = 0; i < n; i += 1) {
    const args = [c.forward[i], c.strike[i], c.years[i], c.vol[i], 0, c.isCall[i] === 1 ? 'call' : 'put'];
    out.price[i] = blackScholes(...args);
    out.delta[i] = greeks.getDelta(...args);
    out.gamma[i] = greeks.getGamma(...args);
    out.vega[i] = greeks.getVega(...args); // per point already
    out.theta[i] = greeks.getTheta(...args); // per day already
  }
  return out;
}

// ---------- implied volatility ----------

/** N(x) to double precision in absolute terms. */
function normCdf(x) {
  // Hart's double-precision algorithm (West, "Better approximations to cumulative normal
  // functions", 2005), as @uqee/black-scholes's CNDFd.
  const a = Math.abs(x);
  let p;
  if (a > 37) p = 0;
  else {
    const e = Math.exp(-a * a / 2);
    if (a < 7.07106781186547) {
      const n = ((((((0.0352624965998911 * a + 0.700383064443688) * a + 6.37396220353165) * a + 33.912866078383) * a + 112.079291497871) * a + 221.213596169931) * a + 220.206867912376);
      const d = (((((((0.0883883476483184 * a + 1.75566716318264) * a + 16.064177579207) * a + 86.7807322029461) * a + 296.564248779674) * a + 637.333633378831) * a + 793.826512519948) * a + 440.413735824752);
      p = e * n / d;
    } else {
      p = e / (2.506628274631 * (a + 1 / (a + 2 / (a + 3 / (a + 4 / (a + 0.65))))));
    }
  }
  return x > 0 ? 1 - p : p;
}

function black(f, k, t, v, call) {
  const s = v * Math.sqrt(t);
  const d1 = Math.log(f / k) / s + 0.5 * s;
  return call ? f * normCdf(d1) - k * normCdf(d1 - s) : k * normCdf(s - d1) - f * normCdf(-d1);
}

/** A safeguarded Newton in plain JS: Newton on the price, kept inside a shrinking bracket. */
function newtonVol(price, f, k, t, call) {
  let lo = 1e-6; let hi = 10; let v = 0.5;
  for (let i = 0; i < 100; i += 1) {
    const diff = black(f, k, t, v, call) - price;
    if (diff > 0) hi = v; else lo = v;
    const s = v * Math.sqrt(t);
    const d1 = Math.log(f / k) / s + 0.5 * s;
    const vega = f * Math.exp(-0.5 * d1 * d1) / Math.sqrt(2 * Math.PI) * Math.sqrt(t);
    let next = v - diff / vega;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - v) <= 1e-14 * v) return next;
    v = next;
  }
  return v;
}

// ---------- timing ----------

/** Median ns per option over `rounds` rounds of at least `minMs` each, implementations interleaved. */
function time(impls, n, { rounds = 7, minMs = 150 } = {}) {
  const samples = impls.map(() => []);
  for (let r = 0; r < rounds; r += 1) {
    impls.forEach((run, i) => {
      let reps = 0;
      const start = performance.now();
      let elapsed = 0;
      do { run(); reps += 1; elapsed = performance.now() - start; } while (elapsed < minMs);
      samples[i].push((elapsed * 1e6) / (reps * n));
    });
  }
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(s.length / 2)]);
}

function maxDiff(a, b, scale) {
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale(i));
  return worst;
}

function agreement(reference, other, c) {
  return {
    price: maxDiff(reference.price, other.price, (i) => c.forward[i]),
    delta: maxDiff(reference.delta, other.delta, () => 1),
    gamma: maxDiff(reference.gamma, other.gamma, (i) => Math.max(reference.gamma[i], 1e-300)),
    vega: maxDiff(reference.vega, other.vega, (i) => Math.max(reference.vega[i], 1e-300)),
    theta: maxDiff(reference.theta, other.theta, (i) => Math.max(Math.abs(reference.theta[i]), 1e-300)),
  };
}

/** Far out-of-the-money tails against the 60-digit mpmath golden file: worst relative price error. */
function tails(golden) {
  const rows = golden.trim().split('\n').slice(1).map((l) => l.split(',')).filter((r) => r[15].startsWith('otm-') && Number(r[4]) === 0);
  const c = { forward: new Float64Array(rows.map((r) => Number(r[1]))), strike: new Float64Array(rows.map((r) => Number(r[2]))),
    years: new Float64Array(rows.map((r) => Number(r[3]))), vol: new Float64Array(rows.map((r) => Number(r[5]))), isCall: new Uint8Array(rows.map((r) => (r[0] === 'C' ? 1 : 0))) };
  const reference = rows.map((r) => Number(r[6]));
  const worst = (prices) => Math.max(...prices.map((p, i) => Math.abs(p - reference[i]) / reference[i]));
  return { cases: rows.length, headroom: worst([...headroomChain(c).price]), uqee: worst([...uqeeChain(c).price]), blackScholes: worst([...bsGreeksChain(c).price]) };
}

window.runBenchmarks = async ({ golden, books = [1000, 10000, 100000] }) => {
  await init({ module_or_path: './pkg/headroom_bg.wasm' });
  const results = { userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency };

  // 1. Price and first-order Greeks.
  const n = 100000;
  const c = chain(n);
  const small = chain(2000);
  const ref = headroomChain(c);
  results.agreement = { uqee: agreement(ref, uqeeChain(c), c), blackScholesGreeks: agreement(headroomChain(small), bsGreeksChain(small), small) };
  log(`agreement: ${JSON.stringify(results.agreement)}`);
  // ChainPricer gives priceChain's figures to the bit.
  const pricer = new ChainPricer(n);
  const inPlace = inPlaceChain(c, pricer);
  const same = ['price', 'delta', 'gamma', 'vega', 'theta'].every((k) => inPlace[k].every((v, i) => Object.is(v, ref[k][i])));
  if (!same) throw new Error('ChainPricer differs from priceChain');
  const [headroomNs, inPlaceNs, uqeeNs] = time([() => headroomChain(c), () => inPlaceChain(c, pricer), () => uqeeChain(c)], n);
  pricer.free();
  const [headroomSmallNs, bsNs] = time([() => headroomChain(small), () => bsGreeksChain(small)], small.forward.length, { rounds: 3, minMs: 300 });
  // A chain of 1,000 options: what a front end prices on each tick, where the cost of each call
  // (views handed out, the result object) weighs on every option.
  const thousand = chain(1000);
  const smallPricer = new ChainPricer(1000);
  const thousandPrices = headroomChain(thousand).price;
  if (!inPlaceChain(thousand, smallPricer).price.every((v, i) => Object.is(v, thousandPrices[i]))) throw new Error('ChainPricer differs from priceChain (1,000 options)');
  const [inPlace1000Ns, uqee1000Ns] = time([() => inPlaceChain(thousand, smallPricer), () => uqeeChain(thousand)], 1000);
  smallPricer.free();
  results.pricing = { options: n, headroomNs, inPlaceNs, uqeeNs, headroomSmallNs, blackScholesGreeksNs: bsNs, inPlace1000Ns, uqee1000Ns };
  log(`pricing: ${JSON.stringify(results.pricing)}`);
  results.tails = tails(golden);
  log(`tails: ${JSON.stringify(results.tails)}`);

  // 2. Implied volatility from the chain's prices (undiscounted: rate 0).
  const m = 20000;
  const iv = chain(m);
  const prices = headroomChain(iv).price;
  const check = (vols) => { let worst = 0; let failed = 0; for (let i = 0; i < m; i += 1) { const e = Math.abs(vols[i] - iv.vol[i]) / iv.vol[i]; if (!(e < 1e-6)) failed += 1; else worst = Math.max(worst, e); } return { worst, failed }; };
  const headroomIv = () => impliedVols(prices, iv.forward, iv.strike, iv.years, iv.isCall);
  const newtonIv = () => { const out = new Float64Array(m); for (let i = 0; i < m; i += 1) out[i] = newtonVol(prices[i], iv.forward[i], iv.strike[i], iv.years[i], iv.isCall[i] === 1); return out; };
  const ivSmall = 500;
  const npmIv = () => { const out = new Float64Array(ivSmall); for (let i = 0; i < ivSmall; i += 1) { const j = i * Math.floor(m / ivSmall); out[i] = peers.impliedVolatility.getImpliedVolatility(prices[j], iv.forward[j], iv.strike[j], iv.years[j], 0, iv.isCall[j] === 1 ? 'call' : 'put'); } return out; };
  const npmCheck = () => { const v = npmIv(); let worst = 0; let failed = 0; for (let i = 0; i < ivSmall; i += 1) { const j = i * Math.floor(m / ivSmall); const e = Math.abs(v[i] - iv.vol[j]) / iv.vol[j]; if (!(e < 1e-6)) failed += 1; else worst = Math.max(worst, e); } return { worst, failed, of: ivSmall }; };
  results.impliedAccuracy = { headroom: check(headroomIv()), newton: check(newtonIv()), npm: npmCheck() };
  const [headroomIvNs, newtonNs] = time([headroomIv, newtonIv], m);
  const [npmNs] = time([npmIv], ivSmall, { rounds: 3, minMs: 200 });
  results.implied = { options: m, headroomNs: headroomIvNs, newtonNs, npmNs };
  log(`implied: ${JSON.stringify(results.implied)} ${JSON.stringify(results.impliedAccuracy)}`);

  // 3. Whole books, one thread: `analyze` (a JS object per row) and `analyzeColumnar` (the
  // page's path: rows as typed arrays), interleaved. A first run of each warms the engine's
  // optimising tier; then the median of 3 runs (1 run at 100,000 positions).
  results.books = [];
  for (const size of books) {
    for (const model of ['standard', 'deribit-pm']) {
      const request = bookRequest(size, model);
      const runs = size > 10000 ? 1 : 3;
      const times = { objects: [], columns: [] };
      let report = analyze(request);
      analyzeColumnar(request);
      for (let i = 0; i < runs; i += 1) {
        let start = performance.now();
        report = analyze(request);
        times.objects.push(performance.now() - start);
        start = performance.now();
        analyzeColumnar(request);
        times.columns.push(performance.now() - start);
      }
      const median = (t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
      const ms = median(times.objects);
      const columnsMs = median(times.columns);
      results.books.push({ positions: size, model, ms, columnsMs, errors: report.errors.length, read: report.positions.length });
      log(`book ${size} ${model}: ${ms.toFixed(1)} ms, columns ${columnsMs.toFixed(1)} ms`);
    }
  }
  // 4. Venue accounts (issue 19): 10 accounts × 1,000 perpetuals on their venues' rules, every
  // position's liquidation price; a warm-up run, then the median of 5.
  {
    const request = accountsRequest(10, 1000);
    let report = analyzeColumnar(request);
    const times = [];
    for (let i = 0; i < 5; i += 1) {
      const start = performance.now();
      report = analyzeColumnar(request);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    results.accounts = { accounts: 10, positions: 10000, ms: times[2], errors: report.report.errors.length, pools: report.report.accounts.reduce((n, a) => n + a.pools.length, 0) };
    log(`accounts 10 x 1000: ${times[2].toFixed(1)} ms`);
  }
  // 5. Risk (issue 21): a 1,000-position book (PM), 10,000 full-revaluation paths — VaR, ES and
  // the probability of liquidation — and the delta-gamma preview; each against the same request
  // without risk, interleaved; the median of 5 after a warm-up.
  {
    const plain = bookRequest(1000, 'deribit-pm');
    const full = { ...plain, risk: { paths: 10000 } };
    const preview = { ...plain, risk: { paths: 10000, method: 'delta-gamma' } };
    const runs = { plain: [], full: [], preview: [] };
    let last = null;
    for (let i = 0; i < 6; i += 1) {
      for (const [name, request] of [['plain', plain], ['full', full], ['preview', preview]]) {
        const start = performance.now();
        const out = analyzeColumnar(request);
        if (i > 0) runs[name].push(performance.now() - start);
        if (name === 'full') last = out.report.risk;
      }
    }
    const median = (t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
    results.risk = {
      positions: 1000, paths: 10000, plainMs: median(runs.plain), fullMs: median(runs.full), previewMs: median(runs.preview),
      varUsd: last.varUsd, varSe: last.varStandardErrorUsd, verified: last.verifiedPaths, tableErrorUsd: last.tableErrorUsd,
    };
    log(`risk: ${JSON.stringify(results.risk)}`);
  }
  // 6. Rebalance (issue 22): the 1,000-position portfolio-margin book, 20,000 USD more headroom
  // than it has, from its auto candidates (40 names, of which its two spot rows are refused);
  // against the same request without rebalance, interleaved; the median of 5 after a warm-up.
  {
    const plain = bookRequest(1000, 'deribit-pm');
    const headroom = analyzeColumnar(plain).report.account.headroomUsd;
    const asked = { ...plain, rebalance: { targets: { headroomUsd: Math.round(headroom + 20000) } } };
    const runs = { plain: [], asked: [] };
    let last = null;
    for (let i = 0; i < 6; i += 1) {
      for (const [name, request] of [['plain', plain], ['asked', asked]]) {
        const start = performance.now();
        const out = analyzeColumnar(request);
        if (i > 0) runs[name].push(performance.now() - start);
        if (name === 'asked') last = out.report.rebalance;
      }
    }
    const median = (t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
    results.rebalance = {
      positions: 1000, candidates: last.candidates, plainMs: median(runs.plain), askedMs: median(runs.asked),
      status: last.status, verified: last.verified, trades: last.trades.length, costUsd: last.costUsd,
    };
    log(`rebalance: ${JSON.stringify(results.rebalance)}`);
  }
  return results;
};
window.benchReady = true;
