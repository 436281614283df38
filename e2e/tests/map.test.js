// The risk one-map: open it, filter to 红 (重大), click a point, follow the card to the enterprise.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, api, DESKTOP } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('committee filters the map to 重大 and opens an enterprise from a point', async () => {
  const red = (await api('committee', '/api/v1/map/layers/enterprises?level=重大')).body.features;
  assert.ok(red.length > 0, 'the demo district has red enterprises');
  const { context, page } = await loginPage(browser, 'committee', DESKTOP);
  await page.goto(`${new URL(page.url()).origin}/risk/map`);
  await page.getByTestId('risk-map').waitFor();
  await page.waitForFunction(() => (window.__anjianMap?.enterpriseCount ?? 0) > 0);
  const all = await page.evaluate(() => window.__anjianMap.enterpriseCount);

  await page.getByTestId('map-filter-level').click();
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '重大' }).first().click();
  await page.waitForFunction((n) => window.__anjianMap.enterpriseCount === n, red.length);
  assert.ok(red.length < all, `filtered ${red.length} of ${all}`);

  // Centre the map on the first red enterprise, close enough that it stands alone, and click it.
  const [lon, lat] = red[0].geometry.coordinates;
  await page.evaluate(([lo, la]) => window.__anjianMap.focus(lo, la), [lon, lat]);
  await page.waitForFunction((n) => window.__anjianMap.enterpriseCount > 0 && window.__anjianMap.enterpriseCount <= n, red.length);
  await page.waitForTimeout(500);
  const at = await page.evaluate(([lo, la]) => window.__anjianMap.screenPoint(lo, la), [lon, lat]);
  await page.mouse.click(at.x, at.y);
  const card = page.getByTestId('map-card');
  await card.waitFor();
  await card.getByText('重大').first().waitFor();
  await page.getByTestId('map-card-link').click();
  await page.waitForURL(/\/enterprises\/\d+$/);
  await page.getByTestId('enterprise-title').waitFor();
  await context.close();
});
