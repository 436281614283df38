// Shared helpers of the browser tests: launch Debian's chromium, log in through the UI,
// and call the API directly to learn what the UI should show.
import { chromium } from 'playwright-core';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:18765';
export const PASSWORD = 'Demo@2026!';
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 860 };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context of the given size, logged in through the login page. */
export async function loginPage(browser, username, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.locator(field('login-username')).fill(username);
  await page.locator(field('login-password')).fill(PASSWORD);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  return { context, page };
}

/** The native input of an Element Plus field marked with a test id. */
export function field(testid) {
  return `:is(input[data-testid="${testid}"], [data-testid="${testid}"] input)`;
}

/** Calls the API as a demo user. */
export async function api(username, path) {
  const login = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  const { token } = await login.json();
  const res = await fetch(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}
