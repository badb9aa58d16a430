// The example of embedding: the <headroom-risk> element given a request, and the package's
// functions called directly (a chain priced in typed arrays, its vols implied back).
import './headroom-risk.js';
import init, { priceChain, impliedVols } from './pkg/headroom.js';
import wasmBase64 from './pkg/headroom_wasm.js';

export const EXAMPLE_REQUEST = {
  positions: 'instrument,size,entry,iv\nBTC-25DEC26-100000-C,-2,0.012,51.3\nBTC-25DEC26-80000-P,-2,0.011,58\nBTC-PERPETUAL,25000,88000,',
  market: { valuationTime: '2026-11-23T12:00:00Z', underlyings: { BTC: { index: 91250.5, vol: 0.55, forwards: { '25DEC26': 91880 } } } },
  account: { collateral: { BTC: 1.5, USDC: 5000 } },
};

const risk = document.getElementById('risk');
risk.addEventListener('headroom-report', (event) => {
  document.getElementById('risk-event').textContent = `headroom-report: headroom ${event.detail.account.headroomUsd.toFixed(2)} USD under ${event.detail.margin.model} margin`;
});
risk.addEventListener('headroom-error', (event) => { document.getElementById('risk-event').textContent = `headroom-error: ${event.detail}`; });
risk.request = EXAMPLE_REQUEST;
document.getElementById('risk-model').addEventListener('change', (event) => risk.setAttribute('model', event.target.value));

// The core on this thread: a page whose CSP forbids fetch gives init the module's bytes.
const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
await init({ module_or_path: bytes });
const strikes = [80000, 85000, 90000, 95000, 100000, 110000];
const n = strikes.length;
const forward = new Float64Array(n).fill(91880);
const strike = Float64Array.from(strikes);
const years = new Float64Array(n).fill(32 / 365);
const vol = Float64Array.from(strikes, (k) => 0.52 + 0.25 * Math.log(k / 91880) ** 2);
const isCall = Uint8Array.from(strikes, (k) => (k >= 91880 ? 1 : 0));
const q = priceChain(forward, strike, years, vol, isCall, 0);
const back = impliedVols(q.price, forward, strike, years, isCall);
const rows = strikes.map((k, i) => {
  const tr = document.createElement('tr');
  tr.dataset.strike = String(k);
  for (const text of [k.toLocaleString('en-US'), isCall[i] ? 'call' : 'put', q.price[i].toFixed(2), q.delta[i].toFixed(4), q.vega[i].toFixed(2), q.theta[i].toFixed(2), (back[i] * 100).toFixed(4)]) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
});
document.querySelector('#chain tbody').replaceChildren(...rows);
document.body.dataset.ready = 'true';
