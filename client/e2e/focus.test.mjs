// End-to-end against a running VirtuBar server (embedded mode at
// VIRTUBAR_E2E_URL): in a focus room one player declares goals, the other
// sees "3 goals, 1 done" under her name (never the text), she checks them
// off and completes the session to a summary with achievements; her history
// page then shows the week's minutes and the streak, and high contrast from
// the preferences page applies at once.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/focus.test.mjs
// (screenshots go to a temp folder, deleted after); with
// VIRTUBAR_SCREENSHOTS=../docs/screenshots they replace the docs' pictures
// focus-summary.png and focus-history.png (and writes focus-phone.png), and for the
// history to show real minutes she first completes two more sessions through
// the API that last a minute and two (about three minutes more).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');

const forDocs = process.env.VIRTUBAR_SCREENSHOTS;
const shotsDir = forDocs ? resolve(forDocs) : mkdtempSync(join(tmpdir(), 'vb-e2e-focus-'));
mkdirSync(shotsDir, { recursive: true });
const shot = (name) => join(shotsDir, name);
const suffix = Math.random().toString(36).slice(2, 7);
const roomName = `focus e2e ${suffix}`;
const GOALS = ['Write the intro', 'Answer email', 'Plan tomorrow'];
let browser;
const players = {};

/** A REST call as the page's signed-in player. */
const api = (page, method, path, body) => page.evaluate(async ([m, p, b]) => {
  const { accessToken } = JSON.parse(localStorage.getItem('virtubar.session'));
  const r = await fetch(`/api${p}`, { method: m, headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: b ? JSON.stringify(b) : undefined });
  return { status: r.status, body: await r.json().catch(() => null) };
}, [method, path, body]);

/** A focus session with `goals`, all checked off, completed after `seconds`: a real one, through the API. */
async function focusFor(page, roomId, goals, seconds) {
  const started = await api(page, 'POST', '/sessions', { roomId, goals, shareGoals: false });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  await page.waitForTimeout(seconds * 1000);
  assert.equal((await api(page, 'PUT', `/sessions/${started.body.id}`, { done: goals.map(() => true) })).status, 200);
  const offset = -new Date().getTimezoneOffset();
  assert.equal((await api(page, 'POST', `/sessions/${started.body.id}/complete?utcOffsetMin=${offset}`)).status, 200);
}

const player = (name, viewport) => guest(browser, BASE, name, viewport ? { viewport } : {});

/** The note under `name`'s tag as `page` shows it. */
const noteOf = (page, name) => page.locator('.tag', { has: page.locator('.name', { hasText: name }) }).locator('.note');

before(async () => {
  browser = await launch();
  players.a = await player(`Ada ${suffix}`);
  players.b = await player(`Ben ${suffix}`, { width: 390, height: 800 }); // a phone
});
after(async () => {
  await browser?.close();
  if (!forDocs) rmSync(shotsDir, { recursive: true, force: true });
});

test('both enter a focus room; the goals panel is there at the start', async () => {
  const { a, b } = players;
  await a.page.getByLabel('Room name').fill(roomName);
  await a.page.getByLabel('Template').selectOption('focus');
  await a.page.getByLabel('Work style').selectOption('quiet');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(roomName);
  await b.page.locator('.room-row', { hasText: roomName }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  await b.page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), a.name, { timeout: 20000 });
  await a.page.getByLabel('Your goals, one per line').waitFor();
  await b.page.getByLabel('Your goals, one per line').waitFor();
});

test('others see her goal counts, not the text, as she checks them off', async () => {
  const { a, b } = players;
  await a.page.getByLabel('Your goals, one per line').fill(GOALS.join('\n'));
  await a.page.getByRole('button', { name: 'Start focusing' }).click();
  await noteOf(b.page, a.name).filter({ hasText: '3 goals, 0 done' }).waitFor({ timeout: 20000 });
  await a.page.getByRole('checkbox', { name: GOALS[0] }).check();
  await noteOf(b.page, a.name).filter({ hasText: '3 goals, 1 done' }).waitFor({ timeout: 20000 });
  await b.page.screenshot({ path: shot('focus-phone.png') });
  assert.equal(await b.page.getByText(GOALS[0]).count(), 0);
});

test('completing shows a summary with achievements, and the room stops showing the session', async () => {
  const { a, b } = players;
  await a.page.getByRole('checkbox', { name: GOALS[1] }).check();
  await a.page.getByRole('checkbox', { name: GOALS[2] }).check();
  await a.page.waitForFunction(() => document.querySelector('.focus-goals progress')?.value === 100, null, { timeout: 20000 });
  await a.page.getByRole('button', { name: 'Complete session' }).click();
  const summary = a.page.locator('.focus-summary');
  await summary.waitFor({ timeout: 20000 });
  assert.match(await summary.textContent(), /3 of 3 goals done/);
  await summary.getByText('All goals done').waitFor();
  await summary.getByText('First session').waitFor();
  await a.page.screenshot({ path: shot('focus-summary.png') });
  await noteOf(b.page, a.name).waitFor({ state: 'hidden', timeout: 20000 });
  if (forDocs) { // the history page's picture: sessions with real minutes
    const roomId = await a.page.evaluate(() => window.virtubar.view.o.ticket.roomId);
    await focusFor(a.page, roomId, ['Outline chapter 2', 'Review the pull requests'], 125);
    await focusFor(a.page, roomId, ['Inbox zero'], 65);
  }
});

test('her history page shows the session, the week and the streak', async () => {
  const { a } = players;
  await a.page.getByRole('button', { name: 'Leave' }).click();
  await a.page.getByRole('button', { name: 'Focus history' }).click();
  const row = a.page.locator('.history-row.completed');
  await row.first().waitFor({ timeout: 20000 });
  assert.match(await row.last().textContent(), /3\/3 goals/);
  const totals = await a.page.locator('.totals').textContent();
  assert.match(totals, /1 day/);
  if (forDocs) assert.match(totals, /3 min/);
  assert.match(totals, /Sessions completed/);
  await a.page.screenshot({ path: shot('focus-history.png') });
});

test('high contrast chosen on the preferences page applies at once', async () => {
  const { a } = players;
  await a.page.getByRole('button', { name: 'Back' }).click();
  await a.page.getByRole('button', { name: 'Preferences' }).click();
  await a.page.getByLabel('High contrast').check();
  await a.page.getByRole('button', { name: 'Save' }).click();
  await a.page.getByRole('heading', { name: 'Create a room' }).waitFor();
  assert.ok(await a.page.evaluate(() => document.documentElement.classList.contains('a11y-contrast')));
  assert.deepEqual([...players.a.errors, ...players.b.errors], []);
});
