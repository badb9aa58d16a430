// End to end, first use and the traps around it (issue 23, items 1, 8 and 9): an empty page has
// no collateral row and no green "0.00 headroom"; a book without an index asks for it next to
// the box; a book pasted over a sample starts clean (the sample's market can be kept with one
// click); a shared link pasted into an open tab loads but does not overwrite the saved book
// until kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE_MARKET } from '../../www/samples-meta.js';
import { env, openPage, waitForRecompute, textOf } from './harness.mjs';

test('first use: no default collateral, no green empty account, the index asked for by name', async () => {
  const { page, context, pageErrors } = await openPage();
  assert.equal(await page.locator('#collateral-table tbody tr').count(), 0);
  await page.waitForSelector('#account .metric');
  assert.match(await page.getAttribute('#account', 'class'), /\bempty\b/);
  await page.fill('#positions', 'instrument,size\nBTC-PERPETUAL,10000');
  await waitForRecompute(page, () => /BTC needs its index price/.test(document.getElementById('book-prompts').textContent));
  assert.match(await textOf(page, '#book-prompts'), /^BTC needs its index price \(USD\): type it under Market, Index\./);
  await page.click('#book-prompts button');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.symbol), 'BTC');
  await page.keyboard.type('90000');
  await waitForRecompute(page, () => document.getElementById('book-prompts').children.length === 0);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a book pasted over a sample starts clean, and the sample market can be kept', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  // Select everything in the box and paste another book over it.
  await page.evaluate(() => {
    const box = document.getElementById('positions');
    box.focus();
    box.select();
    box.dispatchEvent(new ClipboardEvent('paste', { bubbles: true, cancelable: true }));
    box.value = 'instrument,size\nETH-PERPETUAL,5000';
    box.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await waitForRecompute(page, () => !document.getElementById('book-notice').hidden);
  assert.match(await textOf(page, '#book-notice-text'), /starts clean: the deribit-desk\.csv sample's valuation time, index, forwards and collateral were cleared/);
  assert.equal(await page.isChecked('#valuation-now'), true);
  assert.equal(await page.locator('#collateral-table tbody tr').count(), 0);
  await page.click('#book-notice-undo');
  await waitForRecompute(page, () => document.getElementById('book-notice').hidden);
  assert.equal(await page.isChecked('#valuation-now'), false);
  assert.equal(await page.inputValue('#valuation'), SAMPLE_MARKET.valuation.slice(0, 16));
  assert.ok(await page.locator('#collateral-table tbody tr').count() > 0);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a shared link pasted into an open tab loads, and the saved book stays until kept', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  await page.click('#share');
  await page.waitForFunction(() => document.getElementById('share-status').dataset.link);
  const link = await page.getAttribute('#share-status', 'data-link');
  const fragment = link.slice(link.indexOf('#'));
  // The saved book is another one.
  await page.fill('#positions', 'instrument,size\nBTC-PERPETUAL,10000');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 1);
  await page.evaluate((f) => { location.hash = f; }, fragment);
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  assert.equal(await page.isHidden('#shared-notice'), false);
  // Not kept: a reload shows the saved book.
  await page.reload();
  await page.waitForSelector('#results[data-ready="true"]');
  assert.equal(await page.inputValue('#positions'), 'instrument,size\nBTC-PERPETUAL,10000');
  // Kept: it becomes the saved book.
  await page.evaluate((f) => { location.hash = f; }, fragment);
  await waitForRecompute(page, () => !document.getElementById('shared-notice').hidden);
  await page.click('#shared-keep');
  await page.reload();
  await page.waitForSelector('#results[data-ready="true"]');
  assert.match(await page.inputValue('#positions'), /BTC-25DEC26-110000-C/);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(env.foreignRequests, []);
  await context.close();
});
