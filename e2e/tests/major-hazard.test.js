// 重大危险源: the 应急管理局 (危险化学品) clerk registers a storage unit with 氯 10 t (found in 表1 by
// its CAS) and a W5.3 liquid 300 t, 120 people within 500 m: the preview shows the working
// (S = 10/5 + 300/1000 = 2.3, α = 2, R = 2 × (4 × 2 + 1 × 0.3) = 16.6, 三级), and after saving the
// unit is in the list with the same figures. Then it is deleted again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, field, DESKTOP } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('department registers a storage unit and sees S = 2.3, R = 16.6, 三级', async () => {
  const { context, page } = await loginPage(browser, 'department', DESKTOP);
  await page.getByTestId('side-menu').getByText('重大危险源', { exact: true }).click();
  await page.waitForURL(/\/risk\/major-hazards/);
  await page.getByTestId('mh-table').waitFor();

  await page.getByTestId('mh-create-btn').click();
  const dialog = page.getByTestId('mh-dialog');
  await dialog.getByTestId('mh-form').waitFor();

  // 企业: remote search
  await dialog.getByTestId('mhs-enterprise').click();
  await page.keyboard.type('安泰');
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '常州安泰化工有限公司' }).first().click();

  const name = `液氯及溶剂储存区-${Date.now().toString(36)}`;
  await page.locator(field('mhs-name')).fill(name);
  await dialog.getByTestId('mhs-unit-kind').getByText('储存单元').click();
  await page.locator(field('mhs-people')).fill('120');

  // Row 1: 氯 picked from the 表1 suggestions by its CAS; the CAS and 表1 critical quantity show.
  await page.locator(field('mh-name-0')).fill('7782-50-5');
  await page.locator('.mh-suggest-popper li:visible').filter({ hasText: '氯' }).first().click();
  assert.equal(await page.locator(field('mh-name-0')).inputValue(), '氯');
  assert.equal(await page.locator(field('mh-cas-0')).inputValue(), '7782-50-5');
  await dialog.getByTestId('mh-hint-0').filter({ hasText: '表1「氯」临界量 Q = 5 t' }).waitFor();
  await page.locator(field('mh-qty-0')).fill('10');

  // Row 2: a W5.3 flammable liquid, 300 t.
  await dialog.getByTestId('mh-add-row').click();
  await dialog.getByTestId('mh-category-1').click();
  await page.keyboard.type('W5.3');
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: 'W5.3' }).first().click();
  await page.locator(field('mh-qty-1')).fill('300');
  await page.locator(field('mh-qty-1')).blur();

  // The preview: the server's working, term by term.
  const preview = dialog.getByTestId('mhs-preview');
  await preview.locator('[data-testid="mh-grade"][data-grade="三级"]').waitFor();
  assert.equal(await preview.getByTestId('mh-s').getAttribute('data-s'), '2.3');
  assert.equal(await preview.getByTestId('mh-r').getAttribute('data-r'), '16.6');
  assert.match(await preview.getByTestId('mh-s').innerText(), /= 2\.3/);
  assert.match(await preview.getByTestId('mh-r').innerText(), /= 16\.6/);
  assert.match(await preview.getByTestId('mh-alpha').innerText(), /α = 2/);
  assert.equal(await preview.getByTestId('mh-terms').locator('tbody tr').count(), 2);

  await dialog.getByTestId('mhs-save').click();
  await dialog.waitFor({ state: 'hidden' });

  // In the list (the page shows the enterprise's units when the new one is on a later page).
  const row = page.getByTestId('mh-table').locator('tr').filter({ hasText: name });
  await row.waitFor();
  assert.equal(await row.getByTestId('mh-item-s').innerText(), '2.3');
  assert.equal(await row.getByTestId('mh-item-r').innerText(), '16.6');
  assert.equal(await row.getByTestId('mh-item-grade').getAttribute('data-grade'), '三级');
  assert.match(await row.innerText(), /储存单元/);
  assert.match(await row.innerText(), /常州安泰化工有限公司/);

  // Clean up through the UI: 删除 with the confirmation.
  await row.getByTestId('mh-delete').click();
  await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click();
  await row.waitFor({ state: 'detached' });
  await context.close();
});
