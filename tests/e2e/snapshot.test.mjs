// End to end, the market seeded from what the trader pastes: a Deribit positions response with
// no index typed is valued at the response's index price (said under Warnings, shown in the
// index box's placeholder); an option with neither IV nor mark is refused until a market
// snapshot is pasted, whose mark IV then values it and whose index outranks the positions'.
// A pasted account summary then gives the collateral. Nothing is fetched: every document is
// text the trader pasted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, openPage, waitForRecompute, textOf, num } from './harness.mjs';

const positions = JSON.stringify({
  jsonrpc: '2.0',
  id: 2236,
  result: [
    { instrument_name: 'BTC-PERPETUAL', kind: 'future', direction: 'buy', size: 10000, average_price: 90000, mark_price: 91010, index_price: 91000 },
    { instrument_name: 'BTC-25DEC26-100000-C', kind: 'option', direction: 'sell', size: -1, average_price: 0.01 },
  ],
});
const snapshot = JSON.stringify({
  jsonrpc: '2.0',
  result: [{ instrument_name: 'BTC-25DEC26-100000-C', mark_iv: 52.1, underlying_price: 92010, estimated_delivery_price: 91250.5 }],
});

test('a pasted response and market snapshot fill the market the trader did not type', async () => {
  const { page, context, pageErrors } = await openPage();
  await page.fill('#positions', positions);
  await waitForRecompute(page, () => /BTC index 91000\.00 USD from the index price of line 1/.test(document.getElementById('warnings').textContent));
  assert.equal(await page.getAttribute('input[data-symbol="BTC"][data-field="index"]', 'placeholder'), '91,000.00 (pasted)');
  // The option has no IV, no mark and no smile yet: listed with its reason, the perpetual computes.
  assert.match(await textOf(page, '#errors'), /no volatility/);
  assert.equal(await page.locator('#positions-table tbody tr').count(), 1);

  await page.click('#snapshot-section summary');
  await page.fill('#snapshot', snapshot);
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 2);
  const warnings = await textOf(page, '#warnings');
  assert.match(warnings, /BTC index 91250\.50 USD from the index price in the Deribit snapshot \(line 1\)/);
  assert.match(warnings, /BTC 25DEC26 smile from the mark IVs in the Deribit snapshot: 1 strikes/);
  assert.match(warnings, /25DEC26 92010\.00 USD \(the forward quoted in the Deribit snapshot\)/);
  assert.equal(await page.isHidden('#errors-section'), true);
  assert.match(await page.getAttribute('input[data-symbol="BTC"][data-forward="25DEC26"]', 'placeholder'), /92,010\.00 \(venue\)/);

  // The snapshot is kept with the rest of the input.
  await page.reload();
  await page.waitForSelector('#results[data-ready="true"]');
  assert.equal(await page.inputValue('#snapshot'), snapshot);
  await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length === 2);

  // The venue's account summary becomes the collateral: its equity less the positions settled in
  // BTC, so the account's equity is the venue's 1.25 BTC at the index.
  await page.click('#balance-section summary');
  await page.fill('#balance', JSON.stringify({ jsonrpc: '2.0', result: { currency: 'BTC', balance: 1.2, equity: 1.25 } }));
  await waitForRecompute(page, () => /from Deribit get_account_summary `equity` less/.test(document.getElementById('warnings').textContent));
  // 1.25 BTC × 91,250.50 USD = 114,063.125, shown to the cent either way of the half.
  const equity = num(await textOf(page, '#m-equity .value'));
  assert.ok(Math.abs(equity - 114063.125) <= 0.0051, `${equity}`);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(env.foreignRequests, []);
  await context.close();
});
