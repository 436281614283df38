// The hazard loop in the browser: an enterprise reports a hazard with a photo on a phone,
// rectifies and submits it; the station finds it under the ledger's 待验收 tab, verifies and closes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, loginPage, api, PHONE, DESKTOP, field } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A 1×1 PNG, as a phone camera would hand over a JPEG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function photoFile() {
  const path = join(await mkdtemp(join(tmpdir(), 'anjian-photo-')), '现场.png');
  await writeFile(path, PNG);
  return path;
}

test('enterprise reports on a phone, station verifies and closes', async () => {
  const description = `浏览器测试：配电箱门未关闭 ${Date.now()}`;
  const { context, page } = await loginPage(browser, 'enterprise', PHONE);
  const origin = new URL(page.url()).origin;
  await page.goto(`${origin}/hazards/report`);
  await page.locator(`:is(textarea[data-testid="report-description"], [data-testid="report-description"] textarea)`).fill(description);
  await page.locator(field('report-photo-input')).setInputFiles(await photoFile());
  await page.locator('[data-testid="report-form"] img').first().waitFor();
  await page.getByTestId('report-submit').click();
  await page.waitForURL(/\/hazards\/\d+$/);
  const number = (await page.getByTestId('hazard-number').textContent()).trim();
  assert.match(number, /^YH-\d{4}-\d{6}$/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width + 1, `report flow fits a phone: ${width}px`);

  // The enterprise rectifies and submits with an after-photo.
  await page.getByTestId('action-rectify').click();
  await page.getByTestId('action-confirm').click();
  await page.getByTestId('hazard-state').filter({ hasText: '整改中' }).waitFor();
  await page.getByTestId('action-submit').click();
  await page.locator(field('photo-input')).setInputFiles(await photoFile());
  await page.locator('.el-dialog img').first().waitFor();
  await page.getByTestId('action-confirm').click();
  await page.getByTestId('hazard-state').filter({ hasText: '待验收' }).waitFor();
  const id = page.url().split('/').pop();
  await context.close();

  // The station finds it under the ledger's 待验收 tab, whose count is the list's total, and closes it.
  const s = await loginPage(browser, 'station', DESKTOP);
  await s.page.goto(`${origin}/hazards`);
  const pending = (await api('station', '/api/v1/hazards?state=pending_verification&page_size=1')).body.total;
  const tab = s.page.getByTestId('hazard-tabs').getByRole('tab', { name: /^待验收 \d+/ });
  assert.equal((await tab.textContent()).trim(), `待验收 ${pending}`);
  await tab.click();
  await s.page.waitForURL(/state=pending_verification/);
  await s.page.getByTestId('hazard-table').getByText(number).click();
  await s.page.waitForURL(new RegExp(`/hazards/${id}$`));
  await s.page.getByTestId('hazard-number').filter({ hasText: number }).waitFor();
  await s.page.getByTestId('action-verify-pass').click();
  await s.page.getByTestId('action-confirm').click();
  await s.page.getByTestId('hazard-state').filter({ hasText: '已销号' }).waitFor();
  await s.context.close();

  const h = (await api('station', `/api/v1/hazards/${id}`)).body;
  assert.equal(h.state, 'closed');
  assert.equal(h.description, description);
  assert.deepEqual(h.photos.map((p) => p.kind).sort(), ['after', 'before']);
  assert.deepEqual(h.events.map((e) => e.action), ['report', 'rectify', 'submit', 'verify_pass']);
});
