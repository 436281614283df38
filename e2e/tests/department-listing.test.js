// 部门挂牌督办 (seed 001 三9, seed 003 一把手签字备案): the 应急管理局 lists a 重大 hazard of its
// sector with its head's signature and the signed file; the hazard page then names the
// department and the signer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, DESKTOP, BASE, api, field } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a department lists a major hazard of its sector with its head signature', async () => {
  const open = await api('department', '/api/v1/hazards?grade=%E9%87%8D%E5%A4%A7&listed=false&state=rectifying&page_size=1');
  const id = open.body.items[0].id;
  const { context, page } = await loginPage(browser, 'department', DESKTOP);
  await page.goto(`${BASE}/hazards/${id}`);
  await page.getByTestId('action-list').click();
  const form = page.getByTestId('listing-form');
  await form.waitFor();
  await page.locator(field('listing-unit')).fill('新北区应急管理局');
  await page.locator(field('listing-document')).fill('新应急督〔2026〕5号');
  await page.locator(field('listing-signed-by')).fill('王建国（局长）');
  // Without the signed file the server names what is missing.
  await page.locator(field('listing-signed-on')).fill('2026-01-05');
  await page.locator(field('listing-signed-on')).press('Enter');
  await page.getByTestId('action-confirm').click();
  await form.getByText('请上传签字的挂牌督办文件').waitFor();
  await page.locator('input[data-testid="listing-signed-file"]').setInputFiles({
    name: '挂牌督办签字件.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
  });
  await page.getByTestId('action-confirm').click();
  const panel = page.getByTestId('hazard-listing');
  await panel.getByText('新北区应急管理局').first().waitFor();
  await panel.getByText('王建国（局长）').waitFor();
  await panel.getByText('签字的督办文件').waitFor();
  const h = await api('department', `/api/v1/hazards/${id}`);
  assert.equal(h.body.listing.department_name, '新北区应急管理局');
  await context.close();
});
