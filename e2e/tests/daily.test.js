// A day's work around the loop: the grid inspector reports from an enterprise's page on a phone
// (the enterprise comes prefilled), the enterprise finds the notice of it in the message centre,
// and a page the role may not open says so instead of silently going home.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, api, PHONE, DESKTOP, BASE } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('grid inspector reports from an enterprise page on a phone and the enterprise is told', async () => {
  const ent = (await api('grid', '/api/v1/enterprises?q=安泰化工')).body.items[0];
  const description = `浏览器测试：消防通道堆放纸箱 ${Date.now()}`;
  const { context, page } = await loginPage(browser, 'grid', PHONE);
  await page.goto(`${BASE}/enterprises/${ent.id}`);
  await page.getByTestId('enterprise-title').filter({ hasText: ent.name }).waitFor();
  await page.getByTestId('enterprise-report-hazard').click();
  await page.waitForURL(/\/hazards\/report\?enterprise_id=\d+/);
  // The enterprise of the page is chosen, by name.
  await page.getByTestId('report-enterprise').getByText(ent.name).waitFor();
  await page.locator(`:is(textarea[data-testid="report-description"], [data-testid="report-description"] textarea)`).fill(description);
  await page.getByTestId('report-submit').click();
  await page.waitForURL(/\/hazards\/\d+$/);
  const number = (await page.getByTestId('hazard-number').textContent()).trim();
  assert.equal(await page.getByTestId('report-error').count(), 0);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width + 1, `the hazard page fits a phone: ${width}px`);
  await context.close();

  // The enterprise: the bell leads to the message centre, where the notice names the hazard.
  const e = await loginPage(browser, 'enterprise', DESKTOP);
  await e.page.getByTestId('notification-bell').click();
  await e.page.getByTestId('notification-all').click();
  await e.page.waitForURL(/\/messages/);
  await e.page.getByTestId('messages-kind-reported').click();
  await e.page.waitForURL(/kind=reported/);
  const item = e.page.getByTestId('message-item').filter({ hasText: number });
  await item.waitFor();
  assert.match(await item.textContent(), /新隐患/);
  // 全部已读 of this kind; the list under 只看未读 empties.
  await e.page.getByTestId('messages-read-all').click();
  await e.page.getByText(/已将 \d+ 条消息标记为已读/).waitFor();
  const unread = (await api('enterprise', '/api/v1/notifications?unread=true&kind=reported')).body.total;
  assert.equal(unread, 0);
  // Opening it leads to the hazard.
  await item.click();
  await e.page.waitForURL(/\/hazards\/\d+$/);
  await e.page.getByTestId('hazard-number').filter({ hasText: number }).waitFor();
  await e.context.close();
});

test('a page the role may not open says so', async () => {
  const { context, page } = await loginPage(browser, 'grid', PHONE);
  await page.goto(`${BASE}/api-docs`);
  await page.getByText('您没有访问「接口文档」的权限，已返回工作台').waitFor();
  await page.waitForURL((url) => url.pathname === '/');
  await context.close();
});

test('the audit log reads in Chinese: actions, objects and the change field by field', async () => {
  const { context, page } = await loginPage(browser, 'committee', DESKTOP);
  await page.goto(`${BASE}/audit`);
  await page.getByTestId('filter-action').click();
  await page.locator('.el-select-dropdown__item').filter({ hasText: '验收通过（销号）' }).click();
  const table = page.getByTestId('audit-table');
  await table.locator('tbody tr').first().filter({ hasText: '验收通过（销号）' }).waitFor();
  const first = table.locator('tbody tr').first();
  assert.match(await first.textContent(), /隐患 #\d+/);
  assert.doesNotMatch(await first.textContent(), /verify_pass|hazard/);
  await first.locator('.el-table__expand-icon').click();
  const changes = page.getByTestId('audit-changes').first();
  await changes.waitFor();
  const text = await changes.textContent();
  assert.match(text, /状态/);
  assert.match(text, /待验收/);
  assert.match(text, /已销号/);
  await context.close();
});

test('the committee sees streets ranked by overdue hazards, each count opening its ledger', async () => {
  const { context, page } = await loginPage(browser, 'committee', DESKTOP);
  const row = page.getByTestId('home-ranking-row').first();
  await row.waitFor();
  const link = row.locator('a');
  const shown = Number(await link.getAttribute('data-count'));
  await link.click();
  await page.waitForURL(/\/hazards\?.*overdue=true/);
  const jurisdiction = new URL(page.url()).searchParams.get('jurisdiction_id');
  const listed = (await api('committee', `/api/v1/hazards?jurisdiction_id=${jurisdiction}&overdue=true&page_size=1`)).body.total;
  assert.equal(listed, shown);
  assert.ok(shown > 0, 'the demo district has overdue hazards in its first street');
  await context.close();
});

test('the station prints a hazard\'s 整改通知书 and 挂牌督办通知书 from its data', async () => {
  const listed = (await api('committee', '/api/v1/hazard-listings?page_size=1')).body.items[0];
  const { context, page } = await loginPage(browser, 'committee', DESKTOP);
  await page.goto(`${BASE}/hazards/${listed.id}`);
  await page.getByTestId('print-listing-notice').click();
  await page.waitForURL(/\/notice\?kind=listing/);
  const sheet = page.getByTestId('notice-sheet');
  await sheet.waitFor();
  const text = await sheet.textContent();
  assert.match(text, /重大事故隐患挂牌督办通知书/);
  assert.ok(text.includes(listed.listing.document_number), text);
  assert.ok(text.includes(listed.enterprise_name));
  assert.ok(text.includes(`督办单位：${listed.listing.supervising_unit}`), text);
  await page.getByTestId('notice-back').click();
  await page.waitForURL(new RegExp(`/hazards/${listed.id}$`));
  await page.getByTestId('print-rectification-notice').click();
  await page.getByTestId('notice-sheet').filter({ hasText: '安全生产事故隐患整改通知书' }).waitFor();
  // The issuing unit is the caller's, and edits show on the sheet.
  const issuer = page.locator(':is(input[data-testid="notice-issuer"], [data-testid="notice-issuer"] input)');
  assert.equal(await issuer.inputValue(), '新北区安委办');
  await issuer.fill('新北区应急管理局');
  await page.getByTestId('notice-sheet').filter({ hasText: '检查单位：新北区应急管理局' }).waitFor();
  await context.close();
});
