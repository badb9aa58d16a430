// End to end, layout (issue 23, item 10): at 1,400 px the distance-to-liquidation table (its
// vol-up columns included) fits the results column, and the positions table shows its key
// columns (the rest one click away) instead of a 2,000 px table; at 390 px (a phone) nothing
// overflows the page sideways. Each width asserts no request leaves the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { env, openPage, waitForRecompute } from './harness.mjs';

for (const width of [1400, 390]) {
  test(`the market maker at ${width} px`, async () => {
    const { page, context, pageErrors } = await openPage({ viewport: { width, height: 900 } });
    await page.click('button[data-sample="btc-market-maker.csv"]');
    await waitForRecompute(page, () => document.querySelectorAll('#positions-table tbody tr').length > 0);
    const sizes = await page.evaluate(() => {
      const table = (id) => { const t = document.getElementById(id); return { width: t.scrollWidth, box: (t.closest('.scroll') || t.parentElement).clientWidth }; };
      return { page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth, liquidation: table('liquidation'), positions: table('positions-table') };
    });
    assert.ok(sizes.page <= sizes.view, `the page scrolls sideways: ${sizes.page} > ${sizes.view}`);
    if (width === 1400) {
      assert.ok(sizes.liquidation.width <= sizes.liquidation.box, `liquidation ${sizes.liquidation.width} in ${sizes.liquidation.box}`);
      assert.ok(sizes.positions.width < 1400, `positions ${sizes.positions.width}`);
      const keyColumns = await page.locator('#positions-table thead th').count();
      await page.click('#positions-columns');
      await waitForRecompute(page, (n) => document.querySelectorAll('#positions-table thead th').length > n, keyColumns);
      assert.match(await page.textContent('#positions-table thead'), /Vanna/);
    }
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(env.foreignRequests, []);
    await context.close();
  });
}
