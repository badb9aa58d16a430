// End to end, embedding: the <headroom-risk> element on the example page shows what `analyze`
// reports for its request, follows its `model` attribute and fires its events; the page's direct
// call of priceChain equals the package's in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, priceChain } from '../../pkg/headroom.js';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { env, artifacts, watch, textOf, waitForRecompute } from './harness.mjs';

async function openEmbed() {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  watch(page);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${env.origin}/embed.html`);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, context, pageErrors };
}

const usd = (x) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

test('the element shows the report of its request and follows its model attribute', async () => {
  const { page, context, pageErrors } = await openEmbed();
  // The example's request, read from the page itself.
  const request = await page.evaluate(async () => (await import('./embed.js')).EXAMPLE_REQUEST);
  await page.waitForSelector('headroom-risk [data-figure="headroom"]');
  const pm = analyze({ ...request, margin: { model: 'deribit-pm' } });
  assert.equal(await textOf(page, 'headroom-risk [data-figure="headroom"] .value'), usd(pm.account.headroomUsd));
  assert.match(await textOf(page, '#risk-event'), new RegExp(`headroom ${pm.account.headroomUsd.toFixed(2)} USD under deribit-pm`));
  const down = await textOf(page, 'headroom-risk tr[data-underlying="BTC"] td:nth-child(5)');
  assert.equal(down, `−${Math.abs(pm.account.liquidation.BTC.down * 100).toFixed(2)} %`);
  await page.selectOption('#risk-model', 'standard');
  const standard = analyze({ ...request, margin: { model: 'standard' } });
  await waitForRecompute(page, (v) => document.querySelector('headroom-risk').shadowRoot.querySelector('[data-figure="headroom"] .value')?.textContent === v, usd(standard.account.headroomUsd));
  // A malformed request is an error event, shown as text.
  await page.evaluate(() => { document.querySelector('headroom-risk').request = { positions: '', market: {} }; });
  await waitForRecompute(page, () => /headroom-error: market: missing field `valuationTime`/.test(document.querySelector('#risk-event').textContent));
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the direct call prices the chain as the package does', async () => {
  const { page, context } = await openEmbed();
  const strikes = [80000, 85000, 90000, 95000, 100000, 110000];
  const n = strikes.length;
  const q = priceChain(new Float64Array(n).fill(91880), Float64Array.from(strikes), new Float64Array(n).fill(32 / 365),
    Float64Array.from(strikes, (k) => 0.52 + 0.25 * Math.log(k / 91880) ** 2), Uint8Array.from(strikes, (k) => (k >= 91880 ? 1 : 0)), 0);
  for (const [i, k] of strikes.entries()) {
    const cells = await page.$$eval(`#chain tr[data-strike="${k}"] td`, (tds) => tds.map((t) => t.textContent));
    assert.equal(cells[2], q.price[i].toFixed(2), `price at ${k}`);
    assert.equal(cells[4], q.vega[i].toFixed(2), `vega at ${k}`);
    assert.equal(Number(cells[6]), Number(((0.52 + 0.25 * Math.log(k / 91880) ** 2) * 100).toFixed(4)), 'implied back to the vol');
  }
  await page.waitForSelector('headroom-risk [data-figure="headroom"]');
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'embed.png'), fullPage: true });
  await context.close();
});
