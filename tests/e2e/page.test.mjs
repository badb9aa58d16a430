// End to end: the served page in headless Chromium (Debian's, through playwright-core). Checks
// figures on screen against independent closed forms and against the npm package, bad rows,
// persistence, and that nothing leaves the page but requests for its own files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../pkg/headroom.js';
import { SAMPLE_MARKET, SAMPLES } from '../../www/samples-meta.js';
import { root, env, openPage, waitForRecompute, textOf, num, watch } from './harness.mjs';

test('a typed book shows figures that match closed forms', async () => {
  const { page, context, pageErrors } = await openPage();
  // Long 200,000 USD of BTC-PERPETUAL at 90,000 with 0.5 BTC collateral, index 90,000.
  await page.fill('#positions', 'instrument,size,entry\nBTC-PERPETUAL,200000,90000');
  await page.waitForSelector('input[data-symbol="BTC"][data-field="index"]');
  await page.fill('input[data-symbol="BTC"][data-field="index"]', '90,000');
  await page.click('#add-collateral');
  await page.fill('#collateral-table tbody tr:first-child input[aria-label="Collateral currency"]', 'BTC');
  await page.fill('#collateral-table tbody tr:first-child td:nth-child(2) input', '0.5');
  // The report with the collateral in it (an earlier one, without, may already be on screen).
  await waitForRecompute(page, () => document.querySelector('#m-equity .value')?.textContent === '45,000.00'
    && document.querySelector('#liquidation tr[data-underlying="BTC"] td:nth-child(3)')?.textContent.includes('USD'));

  // Independent figures: MB = 0.5·90,000 = 45,000 USD; MM = (1 % + 0.005 %·200,000/90,000)·200,000.
  const mm = (0.01 + 0.00005 * 200000 / 90000) * 200000;
  assert.equal(await textOf(page, '#m-equity .value'), '45,000.00');
  assert.equal(num(await textOf(page, '#m-mm .value')), Number(mm.toFixed(2)));
  assert.equal(num(await textOf(page, '#m-headroom .value')), Number((45000 - mm).toFixed(2)));
  // Liquidation: a·P² − b·P − c = 0, a = W + N/E, b = 1.01·N, c = 0.00005·N² (margin.md §5).
  const [n, e, w] = [200000, 90000, 0.5];
  const [a, b, c] = [w + n / e, 1.01 * n, 0.00005 * n * n];
  const pLiq = (b + Math.sqrt(b * b + 4 * a * c)) / (2 * a);
  const down = await textOf(page, '#liquidation tr[data-underlying="BTC"] td:nth-child(3)');
  assert.match(down, /^−\d+\.\d\d %/);
  assert.equal(num(down.split('→')[1]), Number(pLiq.toFixed(2)), down);
  assert.equal(num(down.split('%')[0]), Number(((pLiq / 90000 - 1) * 100).toFixed(2)));
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the desk sample on screen equals the npm package’s report', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  const sample = SAMPLES.find((s) => s.file === 'deribit-desk.csv');
  const report = analyze({
    positions: readFileSync(join(root, 'www', 'samples', 'deribit-desk.csv'), 'utf8'),
    market: {
      valuationTime: `${SAMPLE_MARKET.valuation}Z`,
      underlyings: Object.fromEntries(Object.entries(SAMPLE_MARKET.underlyings).map(([s, u]) => [s, { index: u.index, vol: u.volPct / 100, forwards: u.forwards }])),
    },
    account: { collateral: Object.fromEntries(sample.collateral.map((c) => [c.currency, Number(c.amount)])) },
  });
  const usd = (x) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  assert.equal(await textOf(page, '#m-headroom .value'), usd(report.account.headroomUsd));
  assert.equal(await textOf(page, '#m-mm .value'), usd(report.account.maintenanceMarginUsd));
  const btcDown = await textOf(page, '#liquidation tr[data-underlying="BTC"] td:nth-child(3) .value');
  assert.equal(btcDown, `−${Math.abs(report.account.liquidation.BTC.down * 100).toFixed(2)} %`);
  const firstVega = await textOf(page, '#positions-table tbody tr[data-line="2"] td:nth-child(8)');
  assert.equal(firstVega, usd(report.positions[0].vega));
  // Units stand next to the numbers.
  assert.match(await textOf(page, '#positions-table thead'), /Vega \(USD\/vol pt\)/);
  assert.match(await textOf(page, '#m-headroom'), /USD/);
  // The README's screenshot comes from this run (copied from tests/e2e/artifacts/ by hand).
  mkdirSync(join(root, 'tests', 'e2e', 'artifacts'), { recursive: true });
  await page.screenshot({ path: join(root, 'tests', 'e2e', 'artifacts', 'desk.png'), fullPage: true });
  await context.close();
});

test('bad rows are listed with their lines, markup stays text, good rows compute', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="bad-rows.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#errors li').length === 12);
  const lines = await page.$$eval('#errors li', (items) => items.map((li) => Number(li.dataset.line)));
  assert.deepEqual(lines, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  assert.match(await textOf(page, '#errors li[data-line="3"]'), /Line 3: .*31FEB27 is not a calendar date/);
  assert.match(await textOf(page, '#errors li[data-line="10"]'), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.$$eval('img', (images) => images.length), 0, 'pasted markup must not become an element');
  assert.equal(await page.$$eval('#positions-table tbody tr', (rows) => rows.length), 1, 'line 2 still computes');
  await context.close();
});

test('typed text and market survive a reload', async () => {
  const { page, context } = await openPage();
  const book = 'instrument\tamount\tavg price\nETH\t3\t2500';
  await page.fill('#positions', book);
  await page.waitForSelector('input[data-symbol="ETH"][data-field="index"]');
  await page.fill('input[data-symbol="ETH"][data-field="index"]', '3000');
  await waitForRecompute(page, () => document.querySelector('#positions-table tbody tr td:nth-child(6)')?.textContent === '1,500.00');
  await page.reload();
  await page.waitForSelector('#results[data-ready="true"]');
  assert.equal(await page.inputValue('#positions'), book);
  assert.equal(await page.inputValue('input[data-symbol="ETH"][data-field="index"]'), '3000');
  await waitForRecompute(page, () => document.querySelector('#positions-table tbody tr td:nth-child(6)')?.textContent === '1,500.00');
  // Sorting and the theme save the view, not the book again (a big paste is megabytes).
  await page.evaluate(() => {
    window.writes = [];
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function spy(key, value) { window.writes.push(key); return set.call(this, key, value); };
  });
  await page.click('#positions-table thead button[data-sort="size"]');
  await page.selectOption('#theme', 'dark');
  const writes = await page.evaluate(() => window.writes);
  assert.ok(writes.length >= 2 && writes.every((k) => k === 'headroom.v1'), `writes: ${writes}`);
  // A book saved by an older version, inside the state itself, is kept and moved to its own key.
  await page.evaluate((text) => {
    localStorage.removeItem('headroom.v1.positions');
    localStorage.setItem('headroom.v1', JSON.stringify({ ...JSON.parse(localStorage.getItem('headroom.v1')), positions: text }));
  }, book);
  await page.reload();
  await page.waitForSelector('#results[data-ready="true"]');
  assert.equal(await page.inputValue('#positions'), book);
  await page.selectOption('#theme', 'light');
  await page.reload();
  await page.waitForSelector('#results[data-ready="true"]');
  assert.equal(await page.inputValue('#positions'), book);
  await context.close();
});

test('the Content-Security-Policy blocks every connection, even to the page’s own origin', async () => {
  const { page, context } = await openPage();
  const outcome = await page.evaluate(async (url) => {
    const tries = [`${url}/index.html`, 'https://example.com/'];
    return Promise.all(tries.map((u) => fetch(u).then(() => 'allowed', () => 'blocked')));
  }, env.origin);
  assert.deepEqual(outcome, ['blocked', 'blocked']);
  const csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.match(csp, /connect-src 'none'/);
  assert.match(csp, /'wasm-unsafe-eval'/);
  await context.close();
});

test('a venue book is previewed row by row, and the venue setting decides shared names', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="bybit-book.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#preview li').length === 5);
  const line2 = await textOf(page, '#preview li[data-line="2"]');
  assert.match(line2, /^2readBybit USD-settled option: -1.5 BTC/);
  assert.match(line2, /same name is a Deribit instrument/);
  assert.match(await textOf(page, '#preview li[data-line="5"]'), /Bybit coin-settled perpetual: -20000 USD notional/);
  await page.screenshot({ path: join(root, 'tests', 'e2e', 'artifacts', 'bybit.png'), fullPage: true });
  await page.selectOption('#venue', 'deribit');
  await waitForRecompute(page, () => document.querySelector('#preview li[data-line="2"]')?.dataset.status === 'rejected');
  assert.match(await textOf(page, '#preview li[data-line="2"]'), /Deribit BTC options are in BTC, not USD/);
  await context.close();
});

test('a smile typed per expiry prices an option without IV, and contradictions are warned', async () => {
  const { page, context } = await openPage();
  await page.fill('#positions', 'instrument,size\nBTC-25DEC26-95000-C,1');
  await page.waitForSelector('input[data-symbol="BTC"][data-field="index"]');
  await page.fill('input[data-symbol="BTC"][data-field="index"]', '91250.5');
  await page.fill('input[data-symbol="BTC"][data-forward="25DEC26"]', '91880');
  await page.fill('input[data-symbol="BTC"][data-smile="25DEC26"]', '90000:52, 100000:50');
  await waitForRecompute(page, () => /\(smile\)/.test(document.querySelector('#positions-table tbody tr td:nth-child(3)')?.textContent || ''));
  // Independent: total variance linear in ln(K/F) between the two points.
  const f = 91880;
  const [k0, k1, k] = [Math.log(90000 / f), Math.log(100000 / f), Math.log(95000 / f)];
  const vol = Math.sqrt(0.52 ** 2 + (0.50 ** 2 - 0.52 ** 2) * (k - k0) / (k1 - k0));
  assert.equal(await textOf(page, '#positions-table tbody tr td:nth-child(3)'), `${(vol * 100).toFixed(1)} (smile)`);
  await page.fill('input[data-symbol="BTC"][data-smile="25DEC26"]', '90000:40, 95000:52, 100000:40');
  await waitForRecompute(page, () => /butterfly/.test(document.querySelector('#warnings')?.textContent || ''));
  await page.fill('input[data-symbol="BTC"][data-smile="25DEC26"]', '90000:40, oops');
  await waitForRecompute(page, () => /oops/.test(document.querySelector('#input-problems')?.textContent || ''));
  await context.close();
});

test('portfolio margin explains its requirement on the page', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  await page.selectOption('#margin-model', 'deribit-pm');
  await waitForRecompute(page, () => !document.querySelector('#detail-section').hidden);
  const pools = await page.$$eval('#margin-detail tbody tr th', (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(pools, ['BTC (BTC)', 'BTC (USD)', 'ETH (ETH)']);
  assert.match(await textOf(page, '#margin-detail tbody tr:first-child td:nth-child(2)'), /deribit-pm BTC \(June 2024\)/);
  assert.match(await textOf(page, '#account-sub'), /portfolio margin/);
  assert.match(await textOf(page, '#liquidation tbody'), /All together/);
  await page.screenshot({ path: join(root, 'tests', 'e2e', 'artifacts', 'portfolio-margin.png'), fullPage: true });
  await context.close();
});

test('a hypothetical trade shows its effect before it is made', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await page.selectOption('#margin-model', 'deribit-pm');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  await page.click('#what-if-section summary');
  await page.fill('#what-if', 'instrument,size\nBTC-25DEC26-70000-P,5');
  await waitForRecompute(page, () => !document.querySelector('#what-if-result').hidden);
  const table = await textOf(page, '#what-if-table');
  assert.match(table, /Maintenance margin \(USD\)/);
  assert.match(table, /BTC liquidation down/);
  // The protective puts cut the maintenance margin: the change is negative.
  const mmChange = await textOf(page, '#what-if-table tbody tr:nth-child(3) td:nth-child(4)');
  assert.match(mmChange, /^-/);
  // The puts are paid for: their premium leaves the collateral (issue 23, item 2).
  assert.match(await textOf(page, '#what-if-premium'), /^The trades pay [\d,]+\.\d\d USD of premium/);
  await context.close();
});

test('curves are drawn with the liquidation points marked, from the page’s own files', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#charts figure.chart canvas').length >= 2);
  const figures = await page.$$eval('#charts figure.chart', (f) => f.map((x) => x.dataset.underlying));
  assert.deepEqual(figures, ['BTC']);
  assert.match(await textOf(page, '#charts figure.chart'), /MM usage/);
  await page.screenshot({ path: join(root, 'tests', 'e2e', 'artifacts', 'charts.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('results export as CSV and JSON, locally', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csvText = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.equal(csvText.length, 14);
  assert.match(csvText[0], /^line,instrument,venue,size,size unit,quantity \(coins\)/);
  assert.match(csvText[1], /^2,BTC-27NOV26-90000-C,deribit,2\.5,coin,2\.5,0\.482,/);
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#export-json')]);
  const report = JSON.parse(readFileSync(await json.path(), 'utf8'));
  assert.equal(report.positions.length, 13);
  assert.equal(report.units.vega, 'USD per 1 vol point');
  await context.close();
});

test('a share link carries the book in its fragment and restores it elsewhere', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 3);
  await page.click('#share');
  await page.waitForFunction(() => document.querySelector('#share-status').dataset.link);
  const link = await page.$eval('#share-status', (e) => e.dataset.link);
  assert.ok(link.startsWith(`${env.origin}/#state=`), link);
  await context.close();
  const other = await env.browser.newContext();
  const fresh = await other.newPage();
  watch(fresh);
  await fresh.goto(link);
  await fresh.waitForFunction(() => document.querySelectorAll('#positions-table tbody tr').length === 3);
  assert.equal(await fresh.inputValue('#positions'), readFileSync(join(root, 'www', 'samples', 'btc-short-strangle.json'), 'utf8'));
  assert.equal(new URL(fresh.url()).hash, '', 'the fragment is cleared once loaded');
  await other.close();
});

test('a file opens into the book, and the theme can be forced', async () => {
  const { page, context } = await openPage();
  await page.setInputFiles('#file', { name: 'book.csv', mimeType: 'text/csv', buffer: Buffer.from('instrument,size\nETH,2\n') });
  await page.waitForFunction(() => document.querySelector('#positions').value.startsWith('instrument,size'));
  await page.waitForSelector('input[data-symbol="ETH"][data-field="index"]');
  await page.selectOption('#theme', 'dark');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(17, 19, 23)');
  await context.close();
});

test('switching the theme redraws every chart in its colours (issue 23, item 10)', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="btc-market-maker.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#charts figure.chart, #expiry-charts figure.chart').length >= 2);
  const palettes = () => page.$$eval('#charts figure.chart, #expiry-charts figure.chart', (f) => f.map((x) => x.dataset.palette));
  const text = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--text').trim());
  await page.selectOption('#theme', 'light');
  await page.waitForFunction(() => [...document.querySelectorAll('#charts figure.chart, #expiry-charts figure.chart')]
    .every((f) => f.dataset.palette === getComputedStyle(document.documentElement).getPropertyValue('--text').trim()));
  const light = await text();
  await page.selectOption('#theme', 'dark');
  const dark = await text();
  assert.notEqual(dark, light);
  await page.waitForFunction((d) => [...document.querySelectorAll('#charts figure.chart, #expiry-charts figure.chart')].every((f) => f.dataset.palette === d), dark);
  assert.ok((await palettes()).length >= 2);
  await context.close();
});
