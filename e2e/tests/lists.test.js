// Lists that keep their place and act on ticked rows: Back from a hazard returns to the ledger's
// page, sort and row; a station ticks hazards and presses them (批量催办); the enterprise opens
// 本月自查 from its 工作台; the grid inspector's enterprise list is cards on a phone; a notice
// downloads as Word.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, api, field, PHONE, DESKTOP, BASE } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('Back from a hazard opened on page 2 of a sorted ledger returns to that page and row', async () => {
  const { context, page } = await loginPage(browser, 'station', DESKTOP);
  await page.goto(`${BASE}/hazards?sort=deadline_asc`);
  await page.getByTestId('hazard-link').first().waitFor();
  await page.getByTestId('pager-next').click();
  await page.waitForURL(/cursor=/);
  await page.getByText(/第 2/).waitFor();
  const link = page.getByTestId('hazard-link').nth(2);
  const number = (await link.textContent()).trim();
  await link.click();
  await page.waitForURL(/\/hazards\/\d+$/);
  await page.getByTestId('hazard-number').filter({ hasText: number }).waitFor();
  await page.goBack();
  await page.waitForURL(/\/hazards\?.*cursor=/);
  assert.match(page.url(), /sort=deadline_asc/);
  await page.getByText(/第 2/).waitFor();
  // the row it came from is marked, and the sort shows on its column
  await page.locator('tr.last-opened').filter({ hasText: number }).waitFor();
  assert.equal(await page.locator('th.ascending').filter({ hasText: '整改期限' }).count(), 1);
  // 上一页 still walks back to the first page
  await page.getByTestId('pager-prev').click();
  await page.waitForURL((url) => !url.search.includes('cursor='));
  await context.close();
});

test('a station ticks two open hazards of an enterprise and presses them at once', async () => {
  const ent = (await api('station', '/api/v1/enterprises?q=安泰化工')).body.items[0];
  const before = (await api('enterprise', '/api/v1/notifications?kind=urged&unread=true')).body.total;
  const { context, page } = await loginPage(browser, 'station', DESKTOP);
  // the enterprise's own step comes next in 已上报 and 整改中
  const waiting = (await api('station', `/api/v1/hazards?enterprise_id=${ent.id}&open=true&page_size=100`)).body.items
    .filter((h) => h.state === 'reported' || h.state === 'rectifying');
  assert.ok(waiting.length >= 2, 'the demo enterprise has open hazards waiting on it');
  await page.goto(`${BASE}/hazards?enterprise_id=${ent.id}&state=${waiting[0].state}`);
  await page.getByTestId('hazard-link').first().waitFor();
  const boxes = page.locator('.el-table__body-wrapper .el-checkbox');
  if ((await boxes.count()) < 2) {
    await page.goto(`${BASE}/hazards?enterprise_id=${ent.id}&open=true&sort=found_desc`);
    await page.getByTestId('hazard-link').first().waitFor();
  }
  await boxes.nth(0).click();
  await boxes.nth(1).click();
  await page.getByTestId('hazard-batch-bar').filter({ hasText: '已选 2 条' }).waitFor();
  assert.match(await page.getByTestId('hazard-export-picked').getAttribute('href'), /ids=\d+%2C\d+|ids=\d+,\d+/);
  await page.getByTestId('hazard-urge-btn').click();
  await page.locator('.el-message-box input').fill('请于本周五前完成整改并上传照片');
  await page.getByRole('button', { name: '发送催办' }).click();
  await page.getByText(/已催办 [12] 条/).waitFor();
  await context.close();
  const after = (await api('enterprise', '/api/v1/notifications?kind=urged&unread=true')).body.total;
  assert.ok(after >= before + 1, `the enterprise is told (${before} → ${after})`);
});

test('the enterprise opens 本月自查 from its 工作台 on a phone and sees its records as cards', async () => {
  const { context, page } = await loginPage(browser, 'enterprise', PHONE);
  const todo = page.getByTestId('todo-checklist.self_inspections_this_month');
  await todo.waitFor();
  const count = Number(await todo.getAttribute('data-count'));
  await todo.click();
  await page.waitForURL(/\/checklist-runs\?by=self&this_month=true/);
  await page.getByTestId('pager-total').filter({ hasText: `共 ${count} 条` }).waitFor();
  assert.equal(await page.getByTestId('list-card').count(), Math.min(count, 20));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width + 1, `the records fit a phone: ${width}px`);
  await context.close();
});

test('the grid inspector sees his enterprises as cards with their last visit, and 本周巡查 lists those due', async () => {
  const { context, page } = await loginPage(browser, 'grid', PHONE);
  await page.goto(`${BASE}/enterprises`);
  const card = page.getByTestId('list-card').first();
  await card.waitFor();
  assert.match(await card.textContent(), /最近巡查/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width + 1, `the list fits a phone: ${width}px`);
  await page.goto(`${BASE}/`);
  const due = page.getByTestId('todo-org.not_visited');
  await due.waitFor();
  const n = Number(await due.getAttribute('data-count'));
  await due.click();
  await page.waitForURL(/not_visited_days=7/);
  await page.getByTestId('pager-total').filter({ hasText: `共 ${n} 家` }).waitFor();
  await context.close();
});

test('a rectification notice downloads as a Word document named for the enterprise', async () => {
  const h = (await api('station', '/api/v1/hazards?open=true&page_size=1')).body.items[0];
  const { context, page } = await loginPage(browser, 'station', DESKTOP);
  await page.goto(`${BASE}/hazards/${h.id}/notice`);
  await page.getByTestId('notice-sheet').filter({ hasText: '安全生产事故隐患整改通知书' }).waitFor();
  assert.equal(await page.locator(field('notice-issuer')).inputValue(), '春江街道安监站');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('notice-docx').click()]);
  assert.match(download.suggestedFilename(), /^安全生产事故隐患整改通知书_.+\.docx$/);
  await context.close();
});
