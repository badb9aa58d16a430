// End to end, risk over a horizon: the trader opens "Risk over a horizon" on the short strangle,
// ticks Compute, and sees VaR, expected shortfall and the probability of liquidation with their
// standard errors, the P&L histogram and the model in words — the same figures the npm package
// computes for the same request and seed. Pasting daily closes adds the vol forecasts and a
// backtest. Nothing leaves the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { env, openPage, waitForRecompute, textOf, num, artifacts, root } from './harness.mjs';

test('VaR, ES and the probability of liquidation of the strangle, as the package computes them', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.click('button[data-sample="btc-short-strangle.json"]');
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length > 0);
  assert.equal(await page.isHidden('#risk-section'), true, 'no risk until asked');

  await page.click('#risk-inputs summary');
  await page.fill('#risk-horizon', '7');
  await page.check('#risk-on');
  await waitForRecompute(page, () => !document.getElementById('risk-section').hidden
    && /7 days/.test(document.getElementById('risk-horizon-label').textContent));
  // The request the page sent, recomputed by the package in Node with the same seed.
  const request = await page.evaluate(() => window.__headroomLastRequest);
  assert.ok(request && request.risk, 'the page exposes its last request for this test');
  const { analyze, initSync } = await import('../../pkg/headroom.js');
  const { readFileSync } = await import('node:fs');
  initSync({ module: readFileSync(new URL('../../pkg/headroom_bg.wasm', import.meta.url)) });
  const risk = analyze(request).risk;
  assert.equal(num((await textOf(page, '#risk-var .value')).split(' ± ')[0]), Number(risk.varUsd.toFixed(2)));
  assert.match(await textOf(page, '#risk-var .value'), /± [\d,]+\.\d\d/);
  assert.match(await textOf(page, '#risk-es .value'), /[\d,]+\.\d\d ± [\d,]+\.\d\d/);
  assert.ok(risk.esUsd > risk.varUsd);
  assert.match(await textOf(page, '#risk-liquidation .value'), /\d+\.\d\d % ± \d+\.\d\d %/);
  assert.match(await textOf(page, '#risk-model'), /martingale.*10000 paths in antithetic pairs, seed 1/);
  assert.equal(await page.locator('#risk-histogram canvas').count(), 1);
  assert.match(await textOf(page, '#risk-underlyings tbody'), /BTC/);
  await page.$eval('#risk-section', (s) => s.scrollIntoView());
  await page.screenshot({ path: join(artifacts, 'risk.png') });
  await page.locator('#risk-section').screenshot({ path: join(root, 'docs', 'risk.png') });

  // Daily closes: forecasts beside the typed vol, and a backtest of the 1-day VaR.
  let price = 90000;
  const lines = ['date,BTC'];
  for (let d = 0; d < 120; d += 1) {
    price *= Math.exp(0.025 * Math.sin(d * 1.7) + 0.01 * Math.cos(d * 0.3));
    lines.push(`2026-07-${String((d % 28) + 1).padStart(2, '0')},${price.toFixed(2)}`);
  }
  await page.fill('#risk-history', lines.join('\n'));
  await waitForRecompute(page, () => !document.getElementById('risk-forecasts-box').hidden);
  assert.match(await textOf(page, '#risk-forecasts tbody'), /BTC\s*119/);
  assert.match(await textOf(page, '#risk-backtest'), /Backtest of the 1-day VaR on the last 119 days .* exceptions .* Basel zone (green|yellow|red)/);
  // The settings survive a reload.
  await page.reload();
  await page.waitForSelector('#results[data-ready="true"]');
  assert.equal(await page.isChecked('#risk-on'), true);
  assert.equal(await page.inputValue('#risk-horizon'), '7');
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(env.foreignRequests, []);
  await context.close();
});
