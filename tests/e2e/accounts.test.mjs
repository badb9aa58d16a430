// End to end, venue accounts: the trader adds an account on another venue, names it, gives its
// collateral and book; the page shows a card per account on its venue's rules (the pack named and
// dated), the first account to go, and keeps the accounts across a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../pkg/headroom.js';
import { SAMPLE_MARKET } from '../../www/samples-meta.js';
import { root, artifacts, openPage, waitForRecompute, textOf, num } from './harness.mjs';

mkdirSync(artifacts, { recursive: true });

test('a Binance account beside the book is margined by its own rules and liquidated first', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  assert.equal(await page.isHidden('#venue-accounts-section'), true, 'no venue accounts yet');

  await page.click('#add-venue-account');
  const editor = '#venue-accounts-editor fieldset[data-account="0"]';
  await page.fill(`${editor} input[aria-label="Account name"]`, 'Perps');
  await page.selectOption(`${editor} select[aria-label="Venue"]`, 'binance');
  await page.fill(`${editor} input[aria-label="Collateral, currency and amount"]`, 'USDT 3000');
  const book = `instrument,size,entry\nBTCUSDT,1,${SAMPLE_MARKET.underlyings.BTC.index}`;
  await page.fill(`${editor} textarea[aria-label^="Positions of"]`, book);
  await waitForRecompute(page, () => document.querySelectorAll('#venue-accounts article').length === 2);

  // The card shows what the package computes for the same account (Binance's brackets: notional
  // 91,250.5 USD is in the second bracket, MMR 0.5 %, maintenance amount 50).
  const alone = analyze({
    market: { valuationTime: `${SAMPLE_MARKET.valuation}Z`, underlyings: { BTC: { index: SAMPLE_MARKET.underlyings.BTC.index } } },
    accounts: [{ id: 'Perps', venue: 'binance', collateral: { USDT: 3000 }, positions: book }],
  }).accounts[0];
  const card = '#venue-accounts article[data-account="Perps"]';
  assert.match(await textOf(page, `${card} h3`), /Perps\s+Binance · cross · 1 position/);
  const headroom = num(await textOf(page, `${card} .metric:first-child .value`));
  assert.ok(Math.abs(headroom - alone.headroomUsd) < 0.006, `${headroom} vs ${alone.headroomUsd}`);
  assert.ok(Math.abs(alone.maintenanceMarginUsd - (91250.5 * 0.005 - 50)) < 1e-9, 'bracket 2');
  assert.match(await textOf(page, `${card} .pack`), /binance-usdm-brackets-faq \(2021/);
  // The account's own Greeks: 1 BTC of perpetual is 1 BTC of delta.
  assert.match(await textOf(page, `${card} [data-greeks="BTC"]`), /Δ 1\.0000 BTC/);
  assert.match(await textOf(page, `${card} [data-underlying="BTC"]`), /down −\d+\.\d\d % → [\d,]+\.\d\d USD, up none/);
  // The thin Binance account goes first when every index falls.
  assert.match(await textOf(page, '#first-to-liquidate'), /down: Perps \(Binance, cross\)/);
  assert.match(await textOf(page, '#account-sub'), /all 2 venue accounts/);
  // Stablecoins from the book's account to the thin one would keep liquidation further away; the
  // book holds BTC and ETH collateral and no USD, so no transfer is possible from it.
  assert.match(await textOf(page, '#collateral-transfer'), /(Suggested transfer|No transfer)/);

  await page.screenshot({ path: join(artifacts, 'venue-accounts.png'), fullPage: false });
  await page.$eval('#venue-accounts-section', (s) => s.scrollIntoView());
  await page.screenshot({ path: join(root, 'docs', 'venue-accounts.png') });

  // The accounts survive a reload, and removing the last one returns to the single book.
  await page.reload();
  await waitForRecompute(page, () => document.querySelectorAll('#venue-accounts article').length === 2);
  assert.equal(await page.inputValue(`${editor} input[aria-label="Account name"]`), 'Perps');
  await page.click(`${editor} button.link`);
  await waitForRecompute(page, () => document.getElementById('venue-accounts-section').hidden);
  assert.doesNotMatch(await textOf(page, '#account-sub'), /venue accounts/);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a bad account row is listed with its account and the other rows compute', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('#add-venue-account');
  const editor = '#venue-accounts-editor fieldset[data-account="0"]';
  await page.selectOption(`${editor} select[aria-label="Venue"]`, 'hyperliquid');
  await page.fill(`${editor} input[aria-label="Collateral, currency and amount"]`, 'USDC 5000, nonsense');
  await page.fill(`${editor} textarea[aria-label^="Positions of"]`, 'coin,size,entry\nBTC,-0.1,90000\nBTC-27NOV26-90000-C,1,');
  // A book without an index: the market editor asks for BTC's.
  await page.waitForSelector('input[data-symbol="BTC"][data-field="index"]');
  await page.fill('input[data-symbol="BTC"][data-field="index"]', '91250.5');
  await waitForRecompute(page, () => document.querySelectorAll('#venue-accounts article').length === 1
    && /1 position/.test(document.querySelector('#venue-accounts article h3').textContent));
  assert.match(await textOf(page, '#input-problems'), /“nonsense” is not a currency and an amount/);
  // The option is refused by name, with its account and line; the perpetual computes.
  assert.match(await textOf(page, '#errors-section'), /Account 1, line 3: BTC-27NOV26-90000-C is not a Hyperliquid name/);
  assert.match(await textOf(page, '#venue-accounts article h3'), /Hyperliquid · cross · 1 position/);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a pasted venue response shows the venue\'s liquidation price beside Headroom\'s', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('#add-venue-account');
  const editor = '#venue-accounts-editor fieldset[data-account="0"]';
  await page.fill(`${editor} input[aria-label="Account name"]`, 'Bybit iso');
  await page.selectOption(`${editor} select[aria-label="Venue"]`, 'bybit');
  await page.selectOption(`${editor} select[aria-label="Margin mode"]`, 'isolated');
  await page.fill(`${editor} input[aria-label="Collateral, currency and amount"]`, '');
  // Bybit's published isolated example: 1 BTC at 20,000, 50x, liquidated at 19,700.
  await page.fill(`${editor} textarea[aria-label^="Positions of"]`, '{"retCode":0,"retMsg":"OK","result":{"list":[{"symbol":"BTCUSDT","side":"Buy","size":"1","avgPrice":"20000","leverage":"50","liqPrice":"19700","positionIM":"400","positionMM":"100"}]}}');
  await page.waitForSelector('input[data-symbol="BTC"][data-field="index"]');
  await page.fill('input[data-symbol="BTC"][data-field="index"]', '20000');
  await waitForRecompute(page, () => /venue 19,700\.00 USD · Headroom 19,700\.00 USD \(0\.00 %\)/.test(document.querySelector('#venue-accounts')?.textContent || ''));
  assert.match(await textOf(page, '#venue-accounts article .reconciliation'), /BTCUSDT venue 19,700\.00 USD · Headroom 19,700\.00 USD/);
  assert.deepEqual(pageErrors, []);
  await context.close();
});
