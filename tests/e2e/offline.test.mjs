// End to end, offline: the served site reloads with the network gone (its service worker keeps
// the page's files), and the single-file build works opened from disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, env, openPage, waitForRecompute, textOf, watch } from './harness.mjs';

test('the served page reloads and computes with the network gone', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 10_000 });
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('#results[data-ready="true"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  // Files first loaded after going offline come from the cache too.
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  await waitForRecompute(page, () => document.querySelectorAll('#charts canvas').length >= 2);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the single file works opened from disk, with its own strict policy', async () => {
  const file = pathToFileURL(join(root, 'dist', 'headroom.html')).href;
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  watch(page, file);
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(file);
  await page.waitForSelector('#results[data-ready="true"]');
  const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.match(csp, /connect-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await page.click('button[data-sample="bad-rows.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#errors li').length === 12);
  assert.equal(await page.$$eval('img', (images) => images.length), 0, 'pasted markup stays text');
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  await waitForRecompute(page, () => document.querySelector('#charts figure.chart')?.dataset.breakEvens);
  assert.match(await textOf(page, '#status'), /3 positions computed/);
  const blocked = await page.evaluate(() => fetch('https://example.com/').then(() => 'allowed', () => 'blocked'));
  assert.equal(blocked, 'blocked');
  assert.deepEqual(pageErrors, []);
  await context.close();
});
