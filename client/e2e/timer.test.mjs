// The focus room's shared timer end to end, against a running VirtuBar
// server (VIRTUBAR_E2E_URL, started with a short timer minute,
// VIRTUBAR_EDGE_TIMER_MINUTE_MS): two players in headless Chromium meet in a
// focus room, one starts a timer from the ring's controls, both rings count
// down the same time, and both get the chime event at its end; a player who
// switches the chime off hears no more (and the preference is saved); the
// owner keeps the timer to hosts and the other sees the controls disabled;
// a scheduled session the other took a place in calls him into the room at
// its start, where its timer already runs. Then the offline demo's focus
// room with a running 50/10 cycle is photographed (focus-timer.png: into
// VIRTUBAR_SCREENSHOTS when set, e.g. docs/screenshots, else a temporary
// folder that is removed).
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test --test-concurrency=1 e2e/timer.test.mjs
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
const roomName = `focus e2e ${suffix}`;
let browser;
const players = {};

const player = (name) => guest(browser, BASE, name);

/** Milliseconds left on the ring, on this page's estimate of the server clock, as of local time `at`. */
const leftAt = (page, at) => page.evaluate((t) => {
  const ends = Number(document.querySelector('.focus-timer').dataset.endsAtServerMs);
  return ends - (t + window.virtubar.view.o.provider.clockOffsetMs());
}, at);

/** A REST call as the page's signed-in player. */
const api = (page, method, path, body) => page.evaluate(async ([m, p, b]) => {
  const { accessToken } = JSON.parse(localStorage.getItem('virtubar.session'));
  const r = await fetch(`/api${p}`, { method: m, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: b ? JSON.stringify(b) : undefined });
  return { status: r.status, body: await r.json().catch(() => null) };
}, [method, path, body]);

/** Counts phase ends and chimes on the page from now on. */
const listen = (page) => page.evaluate(() => {
  window.chimes = []; window.phaseEnds = [];
  addEventListener('virtubar:chime', (e) => window.chimes.push(e.detail.type));
  addEventListener('virtubar:phase-end', (e) => window.phaseEnds.push(e.detail.type));
});

const startBreak = async (page) => {
  await page.locator('.focus-timer select').selectOption({ label: '5 min break' });
  await page.locator('.focus-timer').getByRole('button', { name: 'Start' }).click();
};

before(async () => { browser = await launch(); });
after(async () => {
  for (const p of Object.values(players)) assert.deepEqual(p.errors, []);
  await browser?.close();
  if (!forDocs) rmSync(shotsDir, { recursive: true, force: true });
});

test('two players in a focus room see one timer count down alike and both hear its end', async () => {
  const a = players.a = await player(`Ana ${suffix}`), b = players.b = await player(`Ben ${suffix}`);
  await a.page.getByLabel('Room name').fill(roomName);
  await a.page.getByLabel('Template').selectOption('focus');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(roomName);
  await b.page.locator('.room-row', { hasText: roomName }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  for (const p of [a, b]) {
    await listen(p.page);
    await p.page.locator('.focus-timer .clock', { hasText: '--:--' }).waitFor();
  }
  await a.page.waitForTimeout(2500); // a heartbeat round trip or two: each page knows the server's clock
  await startBreak(a.page);
  for (const p of [a, b]) await p.page.waitForFunction(() => document.querySelector('.focus-timer')?.dataset.endsAtServerMs, null, { timeout: 10000 });
  const at = Date.now(); // both pages run in this machine's browser: one local clock
  const [left, right] = [await leftAt(a.page, at), await leftAt(b.page, at)];
  assert.ok(left > 0, `time left ${left}`);
  assert.ok(Math.abs(left - right) < 100, `Ana's ring shows ${left} ms left, Ben's ${right} ms`);
  const shown = async (p) => { const [m, s] = (await p.page.locator('.focus-timer .clock').textContent()).split(':'); return Number(m) * 60 + Number(s); };
  const [shownA, shownB] = [await shown(a), await shown(b)]; // read one after the other: a second may tick between
  assert.ok(Math.abs(shownA - shownB) <= 1, `Ana's ring reads ${shownA} s, Ben's ${shownB} s`);
  for (const p of [a, b]) await p.page.waitForFunction(() => window.chimes.length === 1, null, { timeout: 30000 });
  await a.page.waitForTimeout(1500);
  for (const p of [a, b]) {
    assert.deepEqual(await p.page.evaluate(() => window.chimes), ['break']);
    assert.equal(await p.page.locator('.focus-timer .clock').textContent(), '--:--');
  }
});

test('with the chime switched off a player gets no chime at the next phase end, and the choice is saved', async () => {
  const { a, b } = players;
  await b.page.locator('.focus-timer').getByRole('button', { name: 'Chime on' }).click();
  await b.page.locator('.focus-timer').getByRole('button', { name: 'Chime off' }).waitFor();
  await b.page.waitForFunction(async () => {
    const { accessToken } = JSON.parse(localStorage.getItem('virtubar.session'));
    const r = await fetch('/api/users/preferences', { headers: { authorization: `Bearer ${accessToken}` } });
    return (await r.json()).notifications.phaseEndSound === false;
  }, null, { timeout: 10000 });
  await startBreak(a.page);
  for (const p of [a, b]) await p.page.waitForFunction(() => window.phaseEnds.length === 2, null, { timeout: 30000 });
  await a.page.waitForTimeout(500);
  assert.deepEqual(await a.page.evaluate(() => window.chimes), ['break', 'break']);
  assert.deepEqual(await b.page.evaluate(() => window.chimes), ['break'], 'Ben switched the chime off: no chime this time');
  await b.page.locator('.focus-timer').getByRole('button', { name: 'Chime off' }).click(); // on again
  await b.page.locator('.focus-timer').getByRole('button', { name: 'Chime on' }).waitFor();
});

test('the owner keeps the timer to hosts: the other sees that and his controls disabled', async () => {
  const { a, b } = players;
  const start = (p) => p.page.locator('.focus-timer').getByRole('button', { name: 'Start' });
  assert.equal(await b.page.getByLabel('Only hosts control the timer').isVisible(), false);
  await a.page.getByLabel('Only hosts control the timer').check();
  await b.page.getByText("Only the room's hosts can start the timer.").waitFor({ timeout: 20000 });
  assert.ok(await start(b).isDisabled());
  assert.ok(await b.page.locator('.focus-timer select').isDisabled());
  assert.ok(await start(a).isEnabled());
  await startBreak(a.page); // the owner still may (5 s: over by itself)
  await b.page.waitForFunction(() => document.querySelector('.focus-timer')?.dataset.endsAtServerMs, null, { timeout: 10000 });
  await a.page.getByLabel('Only hosts control the timer').uncheck();
  await b.page.waitForFunction(() => !document.querySelector('.focus-timer button.primary').disabled, null, { timeout: 20000 });
  assert.equal(await b.page.getByText("Only the room's hosts can start the timer.").isVisible(), false);
});

test('at a scheduled session\'s start the player who took a place is called into the room, where its timer runs', async () => {
  const { a, b } = players;
  await b.page.getByRole('button', { name: 'Leave' }).click();
  await b.page.getByRole('heading', { name: 'Create a room' }).waitFor();
  const roomId = await a.page.evaluate(() => window.virtubar.view.o.ticket.roomId);
  const startsAt = new Date(Date.now() + 15000).toISOString();
  const made = await api(a.page, 'POST', '/schedule', { roomId, title: `Sprint ${suffix}`, startsAt, duration: 50, breakDuration: 10, cycles: 2 });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await b.page.getByRole('button', { name: 'Schedule', exact: true }).click();
  const row = b.page.locator('.session-row', { hasText: `Sprint ${suffix}` });
  await row.getByRole('button', { name: 'RSVP' }).click();
  await row.getByRole('button', { name: 'Cancel my place' }).waitFor();
  const notice = b.page.locator('.session-alert');
  await notice.waitFor({ timeout: 30000 });
  assert.match(await notice.textContent(), new RegExp(`Sprint ${suffix}.*is starting in ${roomName}`));
  await notice.getByRole('button', { name: 'Go to the room' }).click();
  await inRoom(b.page);
  await b.page.locator('.focus-timer .title', { hasText: `Sprint ${suffix}` }).waitFor({ timeout: 10000 });
  assert.match(await b.page.locator('.focus-timer .phase').textContent(), /Work · 1 of 2/);
  assert.notEqual(await b.page.locator('.focus-timer .clock').textContent(), '--:--');
  await a.page.locator('.focus-timer .title', { hasText: `Sprint ${suffix}` }).waitFor(); // started by itself for Ana too
  for (const p of [a, b]) await p.context.close();
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
