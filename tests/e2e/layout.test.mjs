// End to end, layout (issue 23, item 10): at 1,400 px every number table of the results — the
// distance to liquidation with its vol-up columns, the positions' key columns, the tables by
// underlying and by expiry — fits the results column without scrolling sideways (the other
// columns one click away); at 390 px (a phone) nothing
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
      return { page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth, liquidation: table('liquidation'), positions: table('positions-table'),
        underlyings: table('underlyings'), expiries: table('expiries-table') };
    });
    assert.ok(sizes.page <= sizes.view, `the page scrolls sideways: ${sizes.page} > ${sizes.view}`);
    if (width === 1400) {
      assert.ok(sizes.liquidation.width <= sizes.liquidation.box, `liquidation ${sizes.liquidation.width} in ${sizes.liquidation.box}`);
      for (const name of ['positions', 'underlyings', 'expiries']) {
        assert.ok(sizes[name].width <= sizes[name].box, `${name} ${sizes[name].width} in ${sizes[name].box}`);
      }
      const keyColumns = await page.locator('#positions-table thead th').count();
      await page.click('#positions-columns');
      await waitForRecompute(page, (n) => document.querySelectorAll('#positions-table thead th').length > n, keyColumns);
      assert.match(await page.textContent('#positions-table thead'), /Vanna/);
      await page.click('#aggregate-columns');
      assert.ok(await page.locator('#underlyings th:has-text("Weighted vega")').isVisible());
    }
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(env.foreignRequests, []);
    await context.close();
  });
}
