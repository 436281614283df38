// The risk register in the browser: an enterprise opens 风险清单, adds a risk point assessed by
// LEC 6 × 3 × 15 = 270 (较大, orange) with the live preview, finds it in the list and opens its
// 风险告知卡.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, api, DESKTOP, PHONE, field } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const textarea = (testid) => `:is(textarea[data-testid="${testid}"], [data-testid="${testid}"] textarea)`;

/**
 * Opens an Element Plus select, picks the option whose value part (`.opt-value`) or text matches,
 * and waits for the dropdown to close (a multi-select is closed by clicking the dialog's title).
 */
async function pick(page, testid, { value, text, multiple = false }) {
  await page.getByTestId(testid).click();
  const items = page.locator('.el-select-dropdown__item:visible');
  const option = value !== undefined
    ? items.filter({ has: page.locator('.opt-value', { hasText: new RegExp(`^${value}$`) }) })
    : items.filter({ hasText: text });
  await option.first().click();
  if (multiple) await page.locator('.el-dialog__title:visible').click();
  await option.first().waitFor({ state: 'hidden' });
}

test('enterprise adds a LEC risk point and opens its 告知卡', async () => {
  const name = `浏览器测试冲压机 ${Date.now()}`;
  const measure = '安装双手操作按钮和光电保护装置';
  const { context, page } = await loginPage(browser, 'enterprise', DESKTOP);

  await page.getByTestId('side-menu').getByText('风险清单').click();
  await page.waitForURL(/\/risk\/points$/);
  await page.getByTestId('risk-point-table').waitFor();

  await page.getByTestId('create-risk-point-btn').click();
  const dialog = page.getByTestId('risk-point-dialog');
  await dialog.waitFor();
  await page.locator(field('rp-name')).fill(name);
  await page.getByTestId('rp-kind').getByText('设备').click();
  await page.locator(field('rp-location')).fill('冲压车间 2 号线');
  await page.locator(textarea('rp-factors')).fill('机械运动部件无防护、误操作');
  await pick(page, 'rp-accident-types', { text: '机械伤害', multiple: true });

  await pick(page, 'rp-l', { value: '6' });
  await pick(page, 'rp-e', { value: '3' });
  await pick(page, 'rp-c', { value: '15' });
  const preview = page.locator('[data-testid="rp-preview"][data-level="较大"]');
  await preview.waitFor();
  assert.equal(await preview.getAttribute('data-color'), 'orange');
  assert.match(await page.getByTestId('rp-preview-score').textContent(), /D = 6 × 3 × 15 = 270/);

  await page.locator(textarea('rp-engineering')).fill(measure);
  await page.locator(textarea('rp-emergency')).fill('立即停机断电，组织救护');
  await pick(page, 'rp-control-level', { text: '车间级' });
  await page.locator(field('rp-responsible')).fill('张工');
  await page.getByTestId('rp-save').click();
  await dialog.waitFor({ state: 'hidden' });

  // The new point is in the register, 较大.
  const row = page.getByTestId('risk-point-table').locator('tr', { hasText: name });
  await row.waitFor();
  const tag = row.getByTestId('risk-level');
  assert.equal(await tag.getAttribute('data-level'), '较大');
  assert.equal(await tag.getAttribute('data-color'), 'orange');

  const found = (await api('enterprise', `/api/v1/risk/points?q=${encodeURIComponent(name)}`)).body.items;
  assert.equal(found.length, 1);
  assert.equal(found[0].score, 270);
  assert.equal(found[0].level, '较大');
  assert.deepEqual(found[0].accident_types, ['机械伤害']);

  // Its 告知卡: the name, the level band and a measure.
  await row.getByTestId('risk-point-card-btn').click();
  await page.waitForURL(new RegExp(`/risk/points/${found[0].id}/card$`));
  const card = page.getByTestId('risk-card');
  await card.waitFor();
  assert.equal((await card.getByTestId('risk-card-name').textContent()).trim(), name);
  const band = card.getByTestId('risk-card-level');
  assert.equal(await band.getAttribute('data-level'), '较大');
  assert.match(await band.textContent(), /橙色\s*较大风险/);
  assert.match(await card.getByTestId('risk-card-measures').textContent(), new RegExp(measure));
  assert.match(await card.getByTestId('risk-card-phones').textContent(), /119[\s\S]*120[\s\S]*12350/);
  assert.equal(await page.getByTestId('side-menu').count(), 0, 'the card prints without the menu');
  await context.close();
});

test('enterprise on a phone follows a review reminder from the bell to the point\'s 告知卡', async () => {
  // The demo line's first risk point is past its review date; the reminder job runs at start.
  let reminder;
  for (let i = 0; i < 40 && !reminder; i++) {
    const inbox = (await api('enterprise', '/api/v1/notifications?page_size=50')).body.items;
    reminder = inbox.find((n) => n.risk_point_id !== null && n.title.includes('评审已逾期'));
    if (!reminder) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(reminder, 'the enterprise has a review reminder');
  const point = (await api('enterprise', `/api/v1/risk/points/${reminder.risk_point_id}`)).body;
  assert.equal(point.review_overdue, true);

  const { context, page } = await loginPage(browser, 'enterprise', PHONE);
  await page.getByTestId('notification-bell').click();
  await page.getByTestId('notification-item').filter({ hasText: '评审已逾期' }).first().click();
  await page.waitForURL(new RegExp(`/risk/points/${reminder.risk_point_id}/card$`));
  await page.getByTestId('risk-card-name').filter({ hasText: point.name }).waitFor();
  await context.close();
});
