// The focus room's shared timer end to end, against a running VirtuBar
// server (VIRTUBAR_E2E_URL, started with a short timer minute,
// VIRTUBAR_EDGE_TIMER_MINUTE_MS): two players in headless Chromium meet in a
// focus room, one starts a timer from the ring's controls, both rings count
// down the same time, and both get the chime event at its end. Then the
// offline demo's focus room with a running 50/10 cycle is photographed
// (focus-timer.png: into VIRTUBAR_SCREENSHOTS when set, e.g. docs/screenshots,
// else a temporary folder that is removed).
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/timer.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const forDocs = process.env.VIRTUBAR_SCREENSHOTS;
const shotsDir = forDocs ? resolve(forDocs) : mkdtempSync(join(tmpdir(), 'vb-e2e-timer-'));
mkdirSync(shotsDir, { recursive: true });
const suffix = Math.random().toString(36).slice(2, 7);
let browser;

const player = (name) => guest(browser, BASE, name);

/** Milliseconds left on the ring, on this page's estimate of the server clock, as of local time `at`. */
const leftAt = (page, at) => page.evaluate((t) => {
  const ends = Number(document.querySelector('.focus-timer').dataset.endsAtServerMs);
  return ends - (t + window.virtubar.view.o.provider.clockOffsetMs());
}, at);

before(async () => { browser = await launch(); });
after(async () => {
  await browser?.close();
  if (!forDocs) rmSync(shotsDir, { recursive: true, force: true });
});

test('two players in a focus room see one timer count down alike and both hear its end', async () => {
  const a = await player(`Ana ${suffix}`), b = await player(`Ben ${suffix}`);
  const room = `focus e2e ${suffix}`;
  await a.page.getByLabel('Room name').fill(room);
  await a.page.getByLabel('Template').selectOption('focus');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(room);
  await b.page.locator('.room-row', { hasText: room }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  for (const p of [a, b]) {
    await p.page.evaluate(() => { window.chimes = []; addEventListener('virtubar:chime', (e) => window.chimes.push(e.detail.type)); });
    await p.page.locator('.focus-timer .clock', { hasText: '--:--' }).waitFor();
  }
  await a.page.waitForTimeout(2500); // a heartbeat round trip or two: each page knows the server's clock
  await a.page.locator('.focus-timer select').selectOption({ label: '5 min break' });
  await a.page.locator('.focus-timer').getByRole('button', { name: 'Start' }).click();
  for (const p of [a, b]) await p.page.waitForFunction(() => document.querySelector('.focus-timer')?.dataset.endsAtServerMs, null, { timeout: 10000 });
  const at = Date.now(); // both pages run in this machine's browser: one local clock
  const [left, right] = [await leftAt(a.page, at), await leftAt(b.page, at)];
  assert.ok(left > 0, `time left ${left}`);
  assert.ok(Math.abs(left - right) < 100, `Ana's ring shows ${left} ms left, Ben's ${right} ms`);
  assert.equal(await a.page.locator('.focus-timer .clock').textContent(), await b.page.locator('.focus-timer .clock').textContent());
  for (const p of [a, b]) await p.page.waitForFunction(() => window.chimes.length === 1, null, { timeout: 30000 });
  await a.page.waitForTimeout(1500);
  for (const p of [a, b]) {
    assert.deepEqual(await p.page.evaluate(() => window.chimes), ['break']);
    assert.equal(await p.page.locator('.focus-timer .clock').textContent(), '--:--');
    assert.deepEqual(p.errors, []);
    await p.context.close();
  }
});

test('the focus room with a running timer, on a laptop and on a phone', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/?provider=sim&template=focus&members=6`);
  await inRoom(page);
  await page.locator('.focus-timer select').selectOption({ label: '50 / 10' });
  await page.locator('.focus-timer').getByRole('button', { name: 'Start' }).click();
  await page.locator('.focus-timer .clock', { hasText: '49:5' }).waitFor({ timeout: 15000 });
  await page.screenshot({ path: join(shotsDir, 'focus-timer.png') });
  await context.close();
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  await small.goto(`${BASE}/?provider=sim&template=focus&members=4`);
  await inRoom(small);
  const box = await small.locator('.focus-timer').boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the ring fits a phone: ${JSON.stringify(box)}`);
  await phone.close();
});
