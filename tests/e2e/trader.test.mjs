// End to end, the trader's workflows: sorting, filtering and totals, the glossary on focus, Greeks
// by expiry, break-evens, the keyboard alone, and a 10,000-row book that keeps the page responsive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../pkg/headroom.js';
import { SAMPLE_MARKET, SAMPLES } from '../../www/samples-meta.js';
import { book } from '../../bench/books.mjs';
import { root, artifacts, openPage, waitForRecompute, textOf, num } from './harness.mjs';

mkdirSync(artifacts, { recursive: true });

/** The npm package's report of a sample, with the page's sample market and collateral. */
function sampleReport(file, extra = {}) {
  const meta = SAMPLES.find((s) => s.file === file);
  return analyze({
    positions: readFileSync(join(root, 'www', 'samples', file), 'utf8'),
    market: {
      valuationTime: `${SAMPLE_MARKET.valuation}Z`,
      underlyings: Object.fromEntries(Object.entries(SAMPLE_MARKET.underlyings).map(([s, u]) => [s, { index: u.index, vol: u.volPct / 100, forwards: u.forwards }])),
    },
    account: { collateral: Object.fromEntries(meta.collateral.map((c) => [c.currency, Number(c.amount)])) },
    margin: { model: meta.model || 'standard' },
    ...extra,
  });
}

const rowLines = (page) => page.$$eval('#positions-table tbody tr', (rows) => rows.map((r) => Number(r.dataset.line)));

test('the positions table sorts, filters and totals what it shows', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  const report = sampleReport('deribit-desk.csv');
  const byVega = [...report.positions].sort((a, b) => a.vega - b.vega || a.line - b.line).map((p) => p.line);
  await page.click('#positions-table thead button[data-sort="vega"]');
  assert.deepEqual(await rowLines(page), byVega);
  assert.equal(await page.getAttribute('#positions-table thead th:has(button[data-sort="vega"])', 'aria-sort'), 'ascending');
  await page.click('#positions-table thead button[data-sort="vega"]');
  const byVegaDown = [...report.positions].sort((a, b) => b.vega - a.vega || a.line - b.line).map((p) => p.line);
  assert.deepEqual(await rowLines(page), byVegaDown, 'descending; ties in line order');
  await page.fill('#positions-filter', 'eth');
  const eth = report.positions.filter((p) => p.underlying === 'ETH');
  assert.equal((await rowLines(page)).length, eth.length);
  // Totals of the filtered rows: one underlying, so its coin columns add up too; they equal the
  // core's own per-underlying sums.
  const total = (key) => textOf(page, `#positions-table tfoot td[data-total="${key}"]`).then(num);
  assert.ok(Math.abs((await total('vega')) - report.underlyings.ETH.vega) <= 0.005, 'vega total');
  assert.ok(Math.abs((await total('delta')) - report.underlyings.ETH.delta) <= 0.00005, 'delta total');
  assert.match(await textOf(page, '#positions-table tfoot'), /Total of 4 rows \(ETH\)/);
  // The view survives a reload.
  await page.reload();
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 4);
  assert.equal(await page.inputValue('#positions-filter'), 'eth');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('every Greek and margin term explains itself on keyboard focus', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  const tipOnFocus = async (selector) => {
    await page.focus(selector);
    return page.$eval(selector, (node) => getComputedStyle(node.closest('[data-tip]'), '::after').content);
  };
  assert.match(await tipOnFocus('#positions-table thead button[data-sort="vega"]'), /USD gained if implied volatility rises by 1 vol point/);
  assert.match(await tipOnFocus('#m-headroom'), /loss, in USD, the account can take before liquidation starts/);
  assert.match(await tipOnFocus('#expiries-table th[data-term="theta"]'), /per calendar day/);
  // Every header of the positions table has a sentence, and every figure its unit.
  const untipped = await page.$$eval('#positions-table thead th', (ths) => ths.filter((t) => !t.dataset.tip).map((t) => t.querySelector('button').dataset.sort));
  assert.deepEqual(untipped, ['instrument']);
  await context.close();
});

test('Greeks by expiry: the table and the bars follow the core', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="btc-market-maker.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#expiries-table tbody tr').length === 4);
  assert.equal(await page.inputValue('#margin-model'), 'deribit-pm', 'the market maker sample loads under portfolio margin');
  const report = sampleReport('btc-market-maker.csv');
  for (const e of report.underlyings.BTC.expiries) {
    const cells = await page.$$eval(`#expiries-table tr[data-expiry="${e.expiry}"] td`, (tds) => tds.map((t) => t.textContent));
    assert.equal(Number(cells[1]), e.positions, e.expiry);
    assert.equal(num(cells[8]), Number(e.vega.toFixed(2)), `${e.expiry} vega`);
    assert.equal(num(cells[10]), Number(e.theta.toFixed(2)), `${e.expiry} theta`);
  }
  assert.equal(await page.$$eval('#expiry-charts figure[data-underlying="BTC"] canvas', (c) => c.length), 1);
  await context.close();
});

test('break-evens at the first expiry are where the positions\u2019 P&L against entry crosses zero', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelector('#charts figure.chart')?.dataset.breakEvens);
  const evens = (await page.getAttribute('#charts figure.chart', 'data-break-evens')).split(' ').map(Number);
  assert.equal(evens.length, 2, 'a short strangle has two break-evens');
  // As a trader reads them (issue 23, item 6): about 74.0k and 111.5k.
  assert.ok(Math.abs(evens[0] / 74000 - 1) < 0.01 && Math.abs(evens[1] / 111500 - 1) < 0.01, `${evens}`);
  // On two cores or more the curves came from the second worker (the request was split).
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(await page.getAttribute('#results', 'data-workers'), cores >= 2 ? '2' : '1');
  // Independent: the book at its first expiry, from analyze run at that expiry with the index
  // (and the settlement) at each break-even; the positions' P&L against entry is the equity's
  // change less the 2 BTC of collateral's own move, plus today's P&L against entry.
  const today = sampleReport('btc-short-strangle.json');
  const first = [...new Set(today.positions.filter((p) => p.expiry).map((p) => p.expiry))].sort()[0];
  const code = today.underlyings.BTC.expiries.find((e) => e.expiryTime === first).expiry;
  const index = today.underlyings.BTC.index;
  const later = (price) => sampleReport('btc-short-strangle.json', {
    // At the expiry the legs settle at the index: no basis is left, every forward is the price.
    market: { valuationTime: first, underlyings: { BTC: { index: price, vol: 0.55, settlements: { [code]: price },
      forwards: Object.fromEntries(Object.keys(SAMPLE_MARKET.underlyings.BTC.forwards).map((k) => [k, price])) } } },
  });
  for (const price of evens) {
    const pnl = later(price).account.equityUsd - today.account.equityUsd
      - today.underlyings.BTC.collateral * (price - index) + today.underlyings.BTC.pnlUsd;
    // The curve has 61 points on ±50 %: linear interpolation between them is within a few USD.
    assert.ok(Math.abs(pnl) < 0.002 * today.account.equityUsd, `P&L ${pnl} at break-even ${price}`);
  }
  // Against today's equity (collateral included) the crossings are the equity's.
  const before = await page.getAttribute('#charts figure.chart', 'data-break-evens');
  await page.selectOption('#pnl-basis', 'today');
  await page.waitForFunction((b) => document.querySelector('#charts figure.chart')?.dataset.breakEvens !== b, before);
  for (const price of (await page.getAttribute('#charts figure.chart', 'data-break-evens')).split(' ').map(Number)) {
    const pnl = later(price).account.equityUsd - today.account.equityUsd;
    assert.ok(Math.abs(pnl) < 0.002 * today.account.equityUsd, `equity P&L ${pnl} at ${price}`);
  }
  // In coin (a coin-margined trader's count): where the equity counted in BTC is today's.
  const inUsd = await page.getAttribute('#charts figure.chart', 'data-break-evens');
  await page.selectOption('#pnl-unit', 'coin');
  await page.waitForFunction(() => document.querySelector('#charts figure.chart')?.dataset.unit === 'BTC');
  assert.match(await textOf(page, '#charts figure.chart figcaption'), /P&L \(BTC\) against today.s equity, collateral included, the equity counted in coin/);
  const coinEvens = (await page.getAttribute('#charts figure.chart', 'data-break-evens')).split(' ').map(Number);
  assert.notEqual(coinEvens.join(' '), inUsd);
  const coinsToday = today.account.equityUsd / index;
  for (const price of coinEvens) {
    const change = later(price).account.equityUsd / price - coinsToday;
    assert.ok(Math.abs(change) < 0.002 * coinsToday, `coin equity change ${change} at ${price}`);
  }
  // Against entry, a P&L's worth in coin crosses zero where the USD P&L does (up to the linear
  // interpolation between the curve's points).
  await page.selectOption('#pnl-basis', 'entry');
  await page.waitForFunction((b) => document.querySelector('#charts figure.chart')?.dataset.breakEvens !== b, coinEvens.map((x) => x.toFixed(2)).join(' '));
  const entryCoin = (await page.getAttribute('#charts figure.chart', 'data-break-evens')).split(' ').map(Number);
  assert.equal(entryCoin.length, 2);
  entryCoin.forEach((x, i) => assert.ok(Math.abs(x / evens[i] - 1) < 1e-3, `${x} against ${evens[i]}`));
  await context.close();
});

test('the page carries on with one worker when the second cannot start', async () => {
  // The second worker's script fails to load (no service worker, so the route sees every load).
  let workerScripts = 0;
  const { page, context, pageErrors } = await openPage({ serviceWorkers: 'block' }, (c) => c.route('**/worker.js', (route) => {
    workerScripts += 1;
    return workerScripts === 2 ? route.abort() : route.continue();
  }));
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelector('#charts figure.chart')?.dataset.breakEvens
    && document.querySelectorAll('#positions-table tbody tr').length === 3);
  assert.equal(workerScripts, 2, 'the second worker was tried');
  assert.equal(await page.getAttribute('#results', 'data-workers'), '1');
  assert.equal(await page.isHidden('#request-error'), true);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('the page works from the keyboard alone', async () => {
  const { page, context } = await openPage();
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.dataset.sample === 'eth-covered-calls.tsv')) break;
  }
  await page.keyboard.press('Enter');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length > 0);
  await page.focus('#margin-model');
  await page.keyboard.press('ArrowDown');
  await waitForRecompute(page, () => /portfolio margin/.test(document.querySelector('#account-sub').textContent));
  // Every control has a label a screen reader can read.
  const unlabelled = await page.$$eval('input, select, textarea, button', (nodes) => nodes.filter((n) => {
    if (n.type === 'hidden' || n.closest('[hidden]')) return false;
    const label = n.labels?.length || n.getAttribute('aria-label') || n.textContent.trim() || n.title;
    return !label;
  }).map((n) => n.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, []);
  await context.close();
});

test('a 10,000-row book shows progress, caps the rows drawn and keeps typing responsive', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });
  });
  await page.click('#add-collateral');
  await page.fill('input[aria-label="Collateral currency"]', 'USDC');
  await page.fill('input[aria-label^="Collateral amount"]', '20000000');
  // As a paste: the whole text arrives in one input event.
  await page.$eval('#positions', (box, text) => { box.value = text; box.dispatchEvent(new Event('input', { bubbles: true })); }, book(10000));
  for (const [symbol, index] of [['BTC', '91250.5'], ['ETH', '3120.75'], ['SOL', '142.3']]) {
    await page.waitForSelector(`input[data-symbol="${symbol}"][data-field="index"]`, { timeout: 60_000 });
    await page.fill(`input[data-symbol="${symbol}"][data-field="index"]`, index);
  }
  // Progress shows while the engine works past 100 ms: watched from before the edit, so a
  // recompute that ends between two polls is not missed.
  await page.evaluate(() => {
    window.__sawSlow = document.body.classList.contains('slow');
    new MutationObserver(() => { if (document.body.classList.contains('slow')) window.__sawSlow = true; })
      .observe(document.body, { attributes: true, attributeFilter: ['class'] });
  });
  await page.fill('input[data-symbol="BTC"][data-field="vol"]', '55');
  await waitForRecompute(page, () => window.__sawSlow);
  // While the engine works, keystrokes still land at once.
  await page.click('#what-if-section summary');
  const typed = await page.evaluate(async () => {
    const box = document.querySelector('#positions-filter');
    box.focus();
    const start = performance.now();
    box.value = 'BTC';
    box.dispatchEvent(new Event('input'));
    await new Promise((r) => requestAnimationFrame(() => r()));
    return performance.now() - start;
  });
  await page.waitForFunction(() => /10000 positions computed/.test(document.querySelector('#status').textContent), null, { timeout: 60_000 });
  assert.ok(!(await page.evaluate(() => document.body.classList.contains('slow'))), 'progress is hidden once done');
  const drawn = await page.$$eval('#positions-table tbody tr', (rows) => rows.length);
  assert.equal(drawn, 400, 'rows drawn are capped');
  assert.match(await textOf(page, '#positions-shown'), /showing 400 of \d+ matching \(10000 in all\)/);
  assert.equal(await page.isVisible('#positions-all'), true);
  const longest = Math.max(0, ...(await page.evaluate(() => window.longTasks)));
  // Generous bounds: they catch work that grows with the square of the book, not a slow machine.
  assert.ok(typed < 500, `a keystroke took ${typed} ms to reach the screen`);
  assert.ok(longest < 1500, `the main thread was blocked for ${longest} ms`);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('a recompute does not move the page around', async () => {
  const { page, context } = await openPage();
  await page.click('button[data-sample="deribit-desk.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 13);
  await waitForRecompute(page, () => document.querySelectorAll('#charts canvas').length >= 2);
  const layout = () => page.evaluate(() => ['#account', '#liquidation', '#charts', '#positions-table', '#stress']
    .map((s) => { const r = document.querySelector(s).getBoundingClientRect(); return [s, Math.round(r.top + scrollY), Math.round(r.height)]; }));
  const before = await layout();
  await page.fill('#rate', '1');
  await waitForRecompute(page, () => !document.body.classList.contains('busy'));
  await page.waitForTimeout(200);
  assert.deepEqual(await layout(), before, 'same sections at the same places after a recompute');
  await context.close();
});

test('screenshots of the main views, light and dark (the README copies them from artifacts/)', async () => {
  const { page, context } = await openPage({ viewport: { width: 1400, height: 1000 } });
  await page.click('button[data-sample="btc-market-maker.csv"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 16);
  await waitForRecompute(page, () => document.querySelectorAll('#charts canvas').length >= 2 && document.querySelectorAll('#expiry-charts canvas').length >= 1);
  await page.selectOption('#theme', 'light');
  await page.screenshot({ path: join(artifacts, 'light.png'), fullPage: true });
  await page.selectOption('#theme', 'dark');
  await waitForRecompute(page, () => getComputedStyle(document.body).backgroundColor === 'rgb(17, 19, 23)');
  await page.screenshot({ path: join(artifacts, 'dark.png'), fullPage: true });
  await context.close();
});
