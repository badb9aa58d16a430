// End to end, the npm package's element (`headroom/element`, pkg/element.js) in a front end's
// page that serves the package as its own files: it shows the report of its request with the
// rows that could not be read (line and reason), its worker loads the package's one copy of the
// module by URL (the worker script itself is small), and it fires `headroom-error` when its
// worker cannot start. Nothing leaves the page's origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../pkg/headroom.js';
import { env, root, watch } from './harness.mjs';

const REQUEST = {
  positions: 'instrument,size,entry\nBTC-PERPETUAL,25000,88000\nBTC-NOPE-1,1,\nBTC-25DEC26-80000-P,-2,0.011',
  market: { valuationTime: '2026-11-23T12:00:00Z', underlyings: { BTC: { index: 91250.5, vol: 0.55 } } },
  account: { collateral: { BTC: 1.5 } },
};

// A front end's page: the package under /node_modules/headroom/, its own policy (the module is
// fetched from its own origin: connect-src 'self').
const PAGE = '<!doctype html><meta charset="utf-8"><script type="module" src="main.js"></script>';
const MAIN = `import './node_modules/headroom/element.js';
const el = document.createElement('headroom-risk');
el.addEventListener('headroom-report', (e) => { document.body.dataset.report = 'yes'; });
el.addEventListener('headroom-error', (e) => { document.body.dataset.error = e.detail; });
el.request = ${JSON.stringify(REQUEST)};
document.body.append(el);
`;
const POLICY = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'";

async function openFrontEnd(workerMissing = false) {
  const context = await env.browser.newContext();
  const served = [];
  await context.route(`${env.origin}/app/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.replace(/^\/app\//, '');
    served.push(path);
    if (path === '' || path === 'index.html') {
      return route.fulfill({ status: 200, headers: { 'content-type': 'text/html', 'content-security-policy': POLICY }, body: PAGE });
    }
    if (path === 'main.js') return route.fulfill({ status: 200, headers: { 'content-type': 'text/javascript' }, body: MAIN });
    const file = path.replace(/^node_modules\/headroom\//, '');
    if (workerMissing && file === 'element-worker.js') return route.fulfill({ status: 404, body: 'not found' });
    const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    try {
      return route.fulfill({ status: 200, headers: { 'content-type': type, 'content-security-policy': POLICY }, body: readFileSync(join(root, 'pkg', file)) });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
  const page = await context.newPage();
  watch(page);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${env.origin}/app/index.html`);
  return { page, context, served, pageErrors };
}

test('the package\u2019s element shows the report, lists bad rows, and loads the module once', async () => {
  const { page, context, served, pageErrors } = await openFrontEnd();
  await page.waitForSelector('body[data-report="yes"]', { state: 'attached', timeout: 30_000 });
  const expected = analyze(REQUEST);
  const headroom = await page.textContent('headroom-risk [data-figure="headroom"] .value');
  assert.equal(headroom, expected.account.headroomUsd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  const bad = await page.$$eval('headroom-risk .rows li', (items) => items.map((li) => [li.dataset.line, li.textContent]));
  assert.deepEqual(bad.map((b) => b[0]), expected.errors.map((e) => String(e.line)));
  assert.ok(bad.length === 1 && bad[0][1].startsWith('line 3: '), JSON.stringify(bad));
  // The module is fetched once, by the worker; the worker script carries no copy of it.
  assert.equal(served.filter((p) => p.endsWith('headroom_bg.wasm')).length, 1);
  assert.ok(readFileSync(join(root, 'pkg', 'element-worker.js')).length < 5000);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(env.foreignRequests, []);
  await context.close();
});

test('the package\u2019s element fires headroom-error when its worker cannot start', async () => {
  const { page, context } = await openFrontEnd(true);
  await page.waitForSelector('body[data-error]', { state: 'attached', timeout: 30_000 });
  assert.match(await page.getAttribute('body', 'data-error'), /worker could not start/);
  assert.match(await page.textContent('headroom-risk .error'), /^Cannot compute: /);
  await context.close();
});
