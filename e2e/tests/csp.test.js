// The real bundle under the server's Content-Security-Policy: the main pages (the map with its
// Leaflet layers, the charts, swagger-ui on 接口文档) render and the browser reports no violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, loginPage, BASE, DESKTOP } from './helpers.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('pages render under the CSP without a single violation', async () => {
  const res = await fetch(`${BASE}/`);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self';/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');

  // The administrator: 接口文档 is its page.
  const { context, page } = await loginPage(browser, 'admin', DESKTOP);
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.exposeFunction('__cspViolation', (v) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const origin = new URL(page.url()).origin;

  await page.goto(`${origin}/`);
  await page.locator('[data-testid=home-risk-major]').waitFor();
  await page.goto(`${origin}/risk/map`);
  await page.getByTestId('risk-map').waitFor();
  await page.waitForFunction(() => (window.__anjianMap?.enterpriseCount ?? 0) > 0);
  await page.locator('.map-boundary-label').first().waitFor();
  await page.goto(`${origin}/hazards/stats`);
  await page.locator('canvas').first().waitFor();
  await page.goto(`${origin}/api-docs`);
  await page.locator('[data-testid=api-docs] .opblock').first().waitFor({ timeout: 30000 });
  await page.waitForTimeout(300);

  assert.deepEqual(violations, [], 'no CSP violations');
  await context.close();
});
