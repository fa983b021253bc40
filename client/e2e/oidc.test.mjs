// Signing in with an OpenID Connect provider in real headless Chromium, against
// a VirtuBar server configured with the tests' provider (VIRTUBAR_E2E_URL;
// tests/embedded/test_oidc_browser.py starts both): the sign-in screen offers
// "Sign in with Test ID", the provider's own login page signs the player in and
// sends them back with the app's own tokens; a guest already in the room
// browser signs in the same way and keeps their name and friends.
// VIRTUBAR_SCREENSHOTS (a folder) also saves the docs' picture of the sign-in
// screen; tests never write docs/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { guest, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const SHOTS = process.env.VIRTUBAR_SCREENSHOTS;
const suffix = Math.random().toString(36).slice(2, 7);
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** At the provider's login page: types the username and signs in there. */
async function atProvider(page, username) {
  await page.getByRole('heading', { name: 'Test ID' }).waitFor({ timeout: 15000 });
  assert.notEqual(new URL(page.url()).origin, new URL(BASE).origin);  // the provider's own page
  await page.getByLabel('Username').fill(username);
  await page.getByRole('button', { name: 'Sign in to Test ID' }).click();
  await page.getByRole('heading', { name: 'Create a room' }).waitFor({ timeout: 20000 });
}

const session = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('virtubar.session')));
const asPlayer = (page, method, path, body) => page.evaluate(async ([m, p, b]) => {
  const token = JSON.parse(localStorage.getItem('virtubar.session')).accessToken;
  const r = await fetch(`/api${p}`, { method: m, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: b ? JSON.stringify(b) : undefined });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}, [method, path, body]);

test('the sign-in screen offers the provider, whose login page signs the player in', async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 750 } });
  const page = await context.newPage();
  await page.goto(BASE);
  const button = page.getByRole('button', { name: 'Sign in with Test ID' });
  await button.waitFor();
  if (SHOTS) await page.screenshot({ path: join(resolve(SHOTS), 'sign-in-oidc.png') });
  await button.click();
  await atProvider(page, `olga${suffix}`);
  assert.equal(new URL(page.url()).hash, '');  // the one-time code is gone from the address
  const s = await session(page);
  assert.match(s.user.displayName, /^Olga.* Example$/);  // the name the provider gave
  await page.locator('.bar-top .me').getByText(s.user.displayName, { exact: true }).waitFor();
  assert.equal(s.user.anonymous, false);
  assert.ok(s.accessToken && s.refreshToken);  // the app's own tokens
  assert.equal((await asPlayer(page, 'GET', '/auth/session')).status, 200);
  await context.close();
});

test('a guest in the room browser signs in and keeps their name and friends', async () => {
  const gia = await guest(browser, BASE, `Gia ${suffix}`);
  const hal = await guest(browser, BASE, `Hal ${suffix}`);
  const giaId = (await session(gia.page)).user.id;
  const halId = (await session(hal.page)).user.id;
  assert.equal((await asPlayer(gia.page, 'POST', '/friends/requests', { userId: halId })).status, 201);
  assert.equal((await asPlayer(hal.page, 'POST', `/friends/requests/${giaId}/accept`)).status, 200);
  await gia.page.locator('.bar-top .me').getByText(`Gia ${suffix} (guest)`).waitFor();

  await gia.page.locator('.bar-top').getByRole('button', { name: 'Sign in with Test ID' }).click();
  await atProvider(gia.page, `gia${suffix}`);
  await gia.page.locator('.bar-top .me').getByText(`Gia ${suffix}`, { exact: true }).waitFor();
  const s = await session(gia.page);
  assert.equal(s.user.id, giaId);  // the guest became the account
  assert.equal(s.user.anonymous, false);
  await gia.page.locator('.bar-top').getByRole('button', { name: 'Friends' }).click();
  await gia.page.getByRole('region', { name: 'Friends' }).locator('.person.friend', { hasText: hal.name }).waitFor();
  await gia.context.close();
  await hal.context.close();
});
