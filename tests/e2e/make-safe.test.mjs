// End to end, "Make it safe" from the trader's side: on the short strangle, asking for more
// headroom and room before liquidation finds the trades the package finds for the same request,
// shows the account before and after, and one click puts them into the what-if, whose "after"
// meets the targets (the what-if takes no fees, which only lower it). Moving the index marks the
// answer as stale instead of recomputing it. Nothing leaves the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { env, root, openPage, waitForRecompute, textOf, num } from './harness.mjs';

test('make it safe: the cheapest trades, checked, into the what-if', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  const headroom = num(await textOf(page, '#m-headroom .value'));
  const target = Math.round(headroom + 15000);

  await page.click('#safe-section summary');
  await page.fill('#safe-headroom', String(target));
  await page.fill('#safe-liquidation', '10');
  await page.click('#safe-run');
  await waitForRecompute(page, () => !document.getElementById('safe-result').hidden);
  const request = await page.evaluate(() => window.__headroomLastRequest);
  assert.deepEqual(JSON.parse(JSON.stringify(request.rebalance.targets)), { headroomUsd: target, liquidationDistance: 0.1 });
  const { analyze, initSync } = await import('../../pkg/headroom.js');
  initSync({ module: readFileSync(new URL('../../pkg/headroom_bg.wasm', import.meta.url)) });
  const rb = analyze(request).rebalance;
  assert.equal(rb.status, 'solved', JSON.stringify(rb.notes));
  assert.equal(rb.verified, true);
  assert.match(await textOf(page, '#safe-answer'), /checked by re-valuing the account with them/);
  const shown = await page.$$eval('#safe-trades tbody tr', (rows) => rows.map((r) => r.cells[2].textContent));
  assert.deepEqual(shown, rb.trades.map((t) => t.instrument));
  assert.ok((await textOf(page, '#safe-hedges')).includes('BTC: delta'));
  await page.locator('#safe-section').screenshot({ path: join(root, 'docs', 'make-safe.png') });

  await page.click('#safe-apply');
  await waitForRecompute(page, () => !document.getElementById('what-if-result').hidden);
  assert.equal(await page.inputValue('#what-if'), rb.whatIf);
  const after = await page.evaluate(() => window.__headroomLastRequest);
  const whatIf = analyze(after).whatIf;
  assert.ok(whatIf.after.headroomUsd >= target, `${whatIf.after.headroomUsd} < ${target}`);
  // The question is not asked again on every edit: the answer stays, said to be stale.
  assert.equal(after.rebalance, undefined);
  await page.fill('input[data-symbol="BTC"][data-field="index"]', '90000');
  await waitForRecompute(page, () => /as it was when asked/.test(document.getElementById('safe-answer').textContent));

  // Under portfolio margin the same question is one exact linear program, and the page says so.
  const standardHeadroom = await textOf(page, '#m-headroom .value');
  await page.selectOption('#margin-model', 'deribit-pm');
  await waitForRecompute(page, (was) => document.querySelector('#m-headroom .value').textContent.trim() !== was, standardHeadroom);
  await page.fill('#safe-headroom', String(Math.round(num(await textOf(page, '#m-headroom .value')) + 15000)));
  await page.click('#safe-run');
  await waitForRecompute(page, () => /linear program/.test(document.getElementById('safe-answer').textContent)
    && !/as it was when asked/.test(document.getElementById('safe-answer').textContent));
  const pm = analyze(await page.evaluate(() => window.__headroomLastRequest)).rebalance;
  assert.equal(pm.method, 'exact', JSON.stringify(pm.notes));
  assert.match(await textOf(page, '#safe-answer'), /one linear program over every scenario of the margin model/);
  const pmShown = await page.$$eval('#safe-trades tbody tr', (rows) => rows.map((r) => r.cells[2].textContent));
  assert.deepEqual(pmShown, pm.trades.map((t) => t.instrument));
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(env.foreignRequests, []);
  await context.close();
});

test('make it safe on venue accounts: a stablecoin move or trades, on the account’s own rules', async () => {
  const { page, context, pageErrors } = await openPage();
  const { analyze, initSync } = await import('../../pkg/headroom.js');
  initSync({ module: readFileSync(new URL('../../pkg/headroom_bg.wasm', import.meta.url)) });
  const accounts = [
    ['Perps', 'binance', 'USDT 9000', 'instrument,size,entry\nBTCUSDT,-2,90000'],
    ['Cash', 'bybit', 'USDC 40000', 'instrument,size,entry\nBTCUSDT,0.1,90000'],
  ];
  for (const [k, [name, venue, collateral, book]] of accounts.entries()) {
    await page.click('#add-venue-account');
    const editor = `#venue-accounts-editor fieldset[data-account="${k}"]`;
    await page.fill(`${editor} input[aria-label="Account name"]`, name);
    await page.selectOption(`${editor} select[aria-label="Venue"]`, venue);
    await page.fill(`${editor} input[aria-label="Collateral, currency and amount"]`, collateral);
    await page.fill(`${editor} textarea[aria-label^="Positions of"]`, book);
  }
  await page.waitForSelector('input[data-symbol="BTC"][data-field="index"]');
  await page.fill('input[data-symbol="BTC"][data-field="index"]', '92000');
  await waitForRecompute(page, () => document.querySelectorAll('#venue-accounts article').length === 2);

  await page.click('#safe-section summary');
  assert.equal(await page.isHidden('#safe-account-label'), false, 'the account is chosen with accounts');
  await page.selectOption('#safe-account', 'Perps');
  await page.fill('#safe-liquidation', '10');
  await page.click('#safe-run');
  await waitForRecompute(page, () => !document.getElementById('safe-result').hidden);
  const request = await page.evaluate(() => window.__headroomLastRequest);
  assert.equal(request.rebalance.account, 'Perps');
  assert.equal(request.rebalance.transfers, true);
  const rb = analyze(request).rebalance;
  assert.equal(rb.status, 'solved', JSON.stringify(rb.notes));
  assert.equal(rb.transfers.length, 1);
  assert.match(await textOf(page, '#safe-moves'), /Move [\d,.]+ USD of stablecoins from Cash to Perps/);
  assert.match(await textOf(page, '#safe-answer'), /^Perps: 0 trades and 1 collateral move/);
  // The account's own hedges: its delta is the short perpetual's, −2 BTC.
  assert.match(await textOf(page, '#safe-hedges'), /BTC: delta with the coin collateral -2 coins/);
  await page.locator('#safe-section').screenshot({ path: join(root, 'docs', 'make-safe-accounts.png') });

  // Without moves: trades on Binance's own rules, one click into the what-if of that account.
  await page.uncheck('#safe-transfers');
  await page.click('#safe-run');
  await waitForRecompute(page, () => /trade/.test(document.getElementById('safe-answer').textContent)
    && document.querySelectorAll('#safe-trades tbody tr').length > 0);
  const trades = analyze(await page.evaluate(() => window.__headroomLastRequest)).rebalance;
  assert.equal(trades.transfers.length, 0);
  assert.ok(trades.trades.length > 0);
  await page.click('#safe-apply');
  await waitForRecompute(page, () => !document.getElementById('what-if-result').hidden);
  assert.equal(await page.inputValue('#what-if-account'), 'Perps');
  const after = await page.evaluate(() => window.__headroomLastRequest);
  assert.equal(after.whatIfAccount, 'Perps');
  const w = analyze(after).whatIf;
  // The what-if takes no fees, which only lower the answer's figures.
  assert.ok(w.after.headroomUsd >= trades.after.headroomUsd, `${w.after.headroomUsd} < ${trades.after.headroomUsd}`);
  const btc = w.after.underlyings.BTC;
  assert.ok(btc.up === null || btc.up >= 0.1, JSON.stringify(btc));
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(env.foreignRequests, []);
  await context.close();
});
