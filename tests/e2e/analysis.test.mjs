// End to end, sizing and attribution from the trader's side: on the short strangle, "How big may
// it be?" for a protective put under a liquidation floor answers with the size and the cap that
// binds (as the package computes it), and one click puts that size into the what-if; "P&L
// since…" with yesterday's index and vol draws where the P&L came from, the terms summing to the
// total. Nothing leaves the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { env, openPage, waitForRecompute, textOf, num } from './harness.mjs';

test('sizing a protective put and attributing the P&L since yesterday', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length > 0);

  await page.click('#what-if-section summary');
  await page.fill('#sizing-liquidation', '5');
  await page.fill('#sizing-instrument', 'BTC-25DEC26-80000-P');
  await waitForRecompute(page, () => !document.getElementById('sizing-result').hidden);
  const request = await page.evaluate(() => window.__headroomLastRequest);
  const { analyze, initSync } = await import('../../pkg/headroom.js');
  initSync({ module: readFileSync(new URL('../../pkg/headroom_bg.wasm', import.meta.url)) });
  const sizing = analyze(request).sizing;
  const answer = await textOf(page, '#sizing-answer');
  assert.match(answer, new RegExp(`of BTC-25DEC26-80000-P \\(buy\\): the ${sizing.binding} cap binds`));
  assert.match(await textOf(page, '#sizing-caps'), /liquidation distance/);
  await page.click('#sizing-apply');
  await waitForRecompute(page, () => !document.getElementById('what-if-result').hidden);
  assert.match(await page.inputValue('#what-if'), /^instrument,size\nBTC-25DEC26-80000-P,[\d.e+-]+$/);

  await page.click('#attribution-inputs summary');
  await page.fill('#attribution-time', '2026-11-22T12:00');
  await page.fill('#attribution-market', 'BTC 89000 52');
  await waitForRecompute(page, () => !document.getElementById('attribution-section').hidden);
  const rows = await page.$$eval('#attribution-table tbody tr', (r) => r.map((x) => [x.cells[0].textContent, x.cells[1].textContent]));
  const value = (label) => num(rows.find((r) => r[0].startsWith(label))[1]);
  const terms = ['Delta', 'Gamma', 'Vega', 'Theta', 'Vanna', 'Volga', 'Rho', 'Basis', 'Unexplained'].reduce((t, k) => t + value(k), 0);
  const collateral = rows.filter((r) => / collateral /.test(r[0])).reduce((t, r) => t + num(r[1]), 0);
  assert.ok(Math.abs(terms + collateral - value('Total P&L')) < 0.1, `${terms} + ${collateral} vs ${value('Total P&L')}`);
  assert.equal(await page.locator('#attribution-chart canvas').count(), 1);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(env.foreignRequests, []);
  await context.close();
});

test('a vol shift for the whole book revalues every option and says so', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  const equity = num(await textOf(page, '#m-equity .value'));
  await page.fill('#vol-shift', '5');
  await waitForRecompute(page, () => /vols shifted by \+5\.0 vol points/.test(document.getElementById('warnings').textContent));
  // Short options lose value to the holder when vols rise: equity falls.
  assert.ok(num(await textOf(page, '#m-equity .value')) < equity);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a sample\u2019s forwards move with the index until typed, keeping their basis', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => /7\.9 %\/yr/.test(document.querySelector('td[data-basis="BTC 25DEC26"]')?.textContent || ''));
  await page.fill('input[data-symbol="BTC"][data-field="index"]', '80000');
  const expected = (80000 * 91880) / 91250.5;
  await waitForRecompute(page, (f) => (document.querySelector('input[data-symbol="BTC"][data-forward="25DEC26"]')?.placeholder || '').startsWith(f),
    expected.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
  assert.match(await page.getAttribute('input[data-symbol="BTC"][data-forward="25DEC26"]', 'placeholder'), /\(moves with index\)$/);
  // The basis is kept (not 159 %/yr as when forwards stayed put).
  assert.match(await textOf(page, 'td[data-basis="BTC 25DEC26"]'), /7\.9 %\/yr/);
  // Typed, it is pinned.
  await page.fill('input[data-symbol="BTC"][data-forward="25DEC26"]', '81000');
  await waitForRecompute(page, () => !/7\.9 %\/yr/.test(document.querySelector('td[data-basis="BTC 25DEC26"]')?.textContent || ''));
  assert.deepEqual(pageErrors, []);
  await context.close();
});
