// 挂牌督办 per jurisdiction: the committee sees its district's quota (seed 001: 市级10、区级15、
// 街道级25) under the level names of the installation, then picks a street and sees that
// street's own quota; the station sees its street's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, DESKTOP, BASE } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the committee reads the district quota and then a street own, under the installation level names', async () => {
  const { context, page } = await loginPage(browser, 'committee', DESKTOP);
  await page.goto(`${BASE}/hazard-listings`);
  const street = page.getByTestId('listing-summary-街道');
  await street.getByText('新北区').waitFor();
  // 新北区 has five 街道 and 薛家镇: the level is named after both
  await street.getByText('街道（镇）级挂牌').waitFor();
  assert.match(await street.getByTestId('listing-used').textContent(), /\/ 25/);
  await page.getByTestId('listing-jurisdiction').locator('.el-select__wrapper, .el-select').first().click();
  await page.locator('.el-tree-node__content').filter({ hasText: '春江街道' }).first().click();
  await street.getByText('春江街道').waitFor();
  assert.match(await street.getByTestId('listing-used').textContent(), /\/ 5/);
  assert.match(await street.getByTestId('listing-due').textContent(), /到期 \d+ 项/);
  // the street's summary downloads as an Excel sheet
  const href = await page.getByTestId('listing-summary-export-btn').getAttribute('href');
  assert.match(href, /summary\.xlsx\?year=\d+&jurisdiction_id=\d+/);
  const file = await context.request.get(new URL(href, BASE).toString());
  assert.equal(file.status(), 200);
  assert.match(file.headers()['content-disposition'], /xlsx/);
  await context.close();
});

test('the station sees its street quota, and no button to set it', async () => {
  const { context, page } = await loginPage(browser, 'station', DESKTOP);
  await page.goto(`${BASE}/hazard-listings`);
  const district = page.getByTestId('listing-summary-区');
  await district.getByText('春江街道').waitFor();
  assert.match(await district.getByTestId('listing-used').textContent(), /\/ 3/);
  assert.equal(await page.getByTestId('quota-edit-btn').count(), 0);
  await context.close();
});
