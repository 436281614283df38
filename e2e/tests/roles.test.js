// Two roles log in and each sees its own part of the district (and its risk summary on the home page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, api, PHONE, DESKTOP } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('station sees its street: the tree is rooted at 春江街道 and the list counts its enterprises', async () => {
  const expected = (await api('station', '/api/v1/enterprises')).body.total;
  const risk = (await api('station', '/api/v1/risk/stats')).body.totals;
  const { context, page } = await loginPage(browser, 'station', DESKTOP);
  // the home page's risk summary counts the street's enterprises by level
  await page.locator(`[data-testid=home-risk-major][data-value="${risk.enterprises.major}"]`).waitFor();
  await page.goto(`${page.url().split('/').slice(0, 3).join('/')}/enterprises`);
  await page.getByTestId('enterprise-table').waitFor();
  await page.getByTestId('pager-total').filter({ hasText: `共 ${expected}` }).waitFor();
  assert.ok(expected > 100 && expected < 2400, `station total ${expected}`);
  await page.getByText('常州安泰化工有限公司').first().waitFor();
  await page.goto(page.url().replace('/enterprises', '/jurisdictions'));
  const tree = page.getByTestId('jurisdiction-tree');
  await tree.getByText('春江街道').first().waitFor();
  assert.equal(await tree.getByText('三井街道').count(), 0, 'another street is not in the station tree');
  await context.close();
});

test('enterprise on a phone sees only itself and another enterprise is not found', async () => {
  const mine = (await api('enterprise', '/api/v1/enterprises')).body;
  assert.equal(mine.total, 1);
  const other = (await api('committee', '/api/v1/enterprises?page_size=5')).body.items.find((e) => e.id !== mine.items[0].id);
  const own = (await api('enterprise', `/api/v1/enterprises/${mine.items[0].id}/risk`)).body;
  const { context, page } = await loginPage(browser, 'enterprise', PHONE);
  // the home page shows the enterprise's own risk level
  await page.locator(`[data-testid=home-risk-own-level][data-level="${own.level ?? ''}"]`).waitFor();
  const origin = new URL(page.url()).origin;
  await page.goto(`${origin}/enterprises/${mine.items[0].id}`);
  await page.getByTestId('enterprise-title').filter({ hasText: '常州安泰化工有限公司' }).waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width + 1, `page fits a phone: ${width}px`);
  // The menu lives in a drawer on a phone.
  await page.getByTestId('menu-toggle').click();
  await page.getByTestId('drawer-menu').waitFor();
  assert.equal(await page.getByTestId('drawer-menu').getByText('用户管理').count(), 0);
  await page.goto(`${origin}/enterprises/${other.id}`);
  await page.getByText(/不存在|权限范围/).first().waitFor();
  assert.equal(await page.getByText(other.name).count(), 0, 'no data of the other enterprise is shown');
  await context.close();
});
