// Objects a player uses and rooms a player reaches, two players in real
// headless Chromium (each with a fake microphone) against a running VirtuBar
// server (embedded mode, VIRTUBAR_E2E_URL): a seat you sit on, seen sitting by
// the other, who is told it is taken; another microphone chosen in the room's
// settings, sent on the same connection; a moderator's mute shown on the mic
// button; a portal in the town that takes you into an office room; an
// unlisted room that only its link opens. VIRTUBAR_SCREENSHOTS (a folder)
// also saves the docs' pictures; tests never write docs/screenshots/.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/objects.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { accessibilityProblems, guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const SHOTS = process.env.VIRTUBAR_SCREENSHOTS;
const shot = async (page, name) => { if (SHOTS) await page.screenshot({ path: join(resolve(SHOTS), name) }); };

const suffix = Math.random().toString(36).slice(2, 7);
let browser;
const players = {};
const withMic = { permissions: ['microphone'] };

async function create(player, name, template, listed = true) {
  await player.page.getByLabel('Room name').fill(name);
  await player.page.getByLabel('Template').selectOption(template);
  if (!listed) await player.page.getByRole('checkbox', { name: /Listed publicly/ }).uncheck();
  await player.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(player.page);
}

const seesMember = (page, name) => page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), name, { timeout: 20000 });

/** Click-to-walk to (x, z), as a click on the floor there would. */
const walkTo = (page, x, z) => page.evaluate(([x, z]) => { const v = window.virtubar.view; v.walkTo.set(x, 0, z); v.walking = true; }, [x, z]);
async function walk(page, x, z) {
  await walkTo(page, x, z);
  await page.waitForFunction(([x, z]) => Math.hypot(window.virtubar.view.position.x - x, window.virtubar.view.position.z - z) < 0.3,
    [x, z], { timeout: 30000 });
}

before(async () => {
  browser = await launch(['--use-fake-device-for-media-stream']);
  players.a = await guest(browser, BASE, `Ada ${suffix}`, withMic);
  players.b = await guest(browser, BASE, `Bo ${suffix}`, withMic);
  await create(players.a, `e2e stools ${suffix}`, 'bar');
  await players.b.page.getByLabel('Search rooms').fill(`e2e stools ${suffix}`);
  await players.b.page.locator('.room-row', { hasText: `e2e stools ${suffix}` }).getByRole('button', { name: 'Join' }).click();
  await inRoom(players.b.page);
  await seesMember(players.b.page, players.a.name);
});
after(async () => { await browser?.close(); });

test('walking onto a stool sits you down, the other sees it, and is told the stool is taken', async () => {
  const { a, b } = players;
  await walk(a.page, 10.5, 4.0);  // stool 5, straight north of the first spawn
  await a.page.waitForFunction(() => window.virtubar.view.self.anim === 'sit');
  await b.page.waitForFunction((n) => window.virtubar.view.members.list.find((m) => m.displayName === n)?.track.pose.anim === 'sit',
    a.name, { timeout: 10000 });
  await walkTo(b.page, 10.6, 4.1);  // onto the same stool
  await b.page.locator('.hint.on', { hasText: 'Someone is sitting there.' }).waitFor({ timeout: 15000 });
  await walk(b.page, 12.0, 5.5);
  await walk(b.page, 12.0, 4.0);  // stool 6 is free
  await b.page.waitForFunction(() => window.virtubar.view.self.anim === 'sit');
  await a.page.waitForFunction((n) => window.virtubar.view.members.list.find((m) => m.displayName === n)?.track.pose.anim === 'sit',
    b.name, { timeout: 10000 });
  await shot(b.page, 'sitting.png');
  await walk(a.page, 10.5, 6.5);  // moving stands you up
  await b.page.waitForFunction((n) => window.virtubar.view.members.list.find((m) => m.displayName === n)?.track.pose.anim !== 'sit',
    a.name, { timeout: 10000 });
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

/** In the page: the audio packets this player received so far, and the microphone it sends (its sender's track). */
async function voiceNow() {
  const pc = window.virtubar.transport.connection;
  let received = 0;
  (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') received += s.packetsReceived ?? 0; });
  const track = pc.getTransceivers().find((t) => t.sender.track?.kind === 'audio')?.sender.track;
  return { received, micId: track?.id ?? null, micLabel: track?.label ?? null, sameConnection: window.firstConnection === pc };
}

test("from the room's settings a player picks another microphone: the same connection sends it at once, the other keeps hearing, and it is remembered", async () => {
  const { a, b } = players;
  await a.page.evaluate(() => { window.firstConnection = window.virtubar.transport.connection; });
  const before = await a.page.evaluate(voiceNow);
  assert.equal(before.micLabel, 'Fake Default Audio Input');
  await a.page.getByRole('button', { name: 'Settings', exact: true }).click();
  const mic = a.page.getByLabel('Microphone');
  await mic.locator('option', { hasText: 'Fake Audio Input 2' }).waitFor({ state: 'attached', timeout: 10000 });
  assert.deepEqual(await mic.locator('option').allTextContents(), ['Default microphone', 'Fake Audio Input 1', 'Fake Audio Input 2']);
  assert.deepEqual(await a.page.getByLabel('Speaker').locator('option').allTextContents(), ['Default speaker', 'Fake Audio Output 1', 'Fake Audio Output 2']);
  const heard = (await b.page.evaluate(voiceNow)).received;
  await mic.selectOption({ label: 'Fake Audio Input 2' });
  await a.page.locator('.toast', { hasText: 'Now using: Fake Audio Input 2' }).waitFor({ timeout: 10000 });
  const after = await a.page.evaluate(voiceNow);
  assert.notEqual(after.micId, before.micId, 'the sender carries a new track');
  assert.equal(after.micLabel, 'Fake Audio Input 2');
  assert.ok(after.sameConnection, 'no rejoin: the same peer connection');
  assert.equal(await a.page.locator('.hud-top button', { hasText: /^(Mic on|Muted|No mic|Mic denied)$/ }).textContent(), 'Mic on');
  for (const until = Date.now() + 20000; (await b.page.evaluate(voiceNow)).received < heard + 50; await b.page.waitForTimeout(500)) {
    assert.ok(Date.now() < until, 'the other player hears the new microphone');
  }
  const saved = await a.page.evaluate(() => JSON.parse(localStorage.getItem('virtubar.devices')));
  assert.equal(saved.mic, await mic.inputValue());
  await a.page.getByLabel('Speaker').selectOption({ label: 'Fake Audio Output 1' });
  await a.page.locator('.toast', { hasText: 'Now using: Fake Audio Output 1' }).waitFor({ timeout: 10000 });
  assert.equal(await a.page.evaluate(() => window.virtubar.voice.ctx.sinkId), await a.page.getByLabel('Speaker').inputValue());
  await a.page.getByRole('button', { name: 'Settings', exact: true }).click();  // closed again
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test("a room owner's mute turns the muted player's mic button to Muted", async () => {
  const { a, b } = players;
  const micButton = b.page.locator('.hud-top button', { hasText: /^(Mic on|Muted|No mic|Mic denied)$/ });
  assert.equal(await micButton.textContent(), 'Mic on');
  const status = await a.page.evaluate(async (n) => {
    const v = window.virtubar.view;
    const userId = v.members.list.find((m) => m.displayName === n).userId;
    const { accessToken } = JSON.parse(localStorage.getItem('virtubar.session'));
    const r = await fetch('/api/moderation/actions', { method: 'POST', headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'mute', userId, roomId: v.o.ticket.roomId, channels: 'voice', reason: 'Too loud for the bar' }) });
    return r.status;
  }, b.name);
  assert.equal(status, 201);
  await b.page.locator('.toast', { hasText: 'A moderator muted you' }).waitFor({ timeout: 15000 });
  await b.page.waitForFunction(() => [...document.querySelectorAll('.hud-top button')].some((x) => x.textContent === 'Muted'), null, { timeout: 5000 });
});

test("the town's portal takes you into an office room, joined as any join is", async () => {
  const c = await guest(browser, BASE, `Cam ${suffix}`, withMic);
  await create(c, `e2e town ${suffix}`, 'world');
  const town = c.page.url();
  await walkTo(c.page, 20.5, 37.5);  // "To the office", straight south of the spawn
  await c.page.locator('.portal-veil', { hasText: 'Going to the office' }).waitFor({ timeout: 30000 });
  await c.page.waitForFunction(() => window.virtubar.view?.o.world.template === 'office' && window.virtubar.view.stats.frames > 5, null, { timeout: 30000 });
  assert.notEqual(c.page.url(), town);
  assert.match(c.page.url(), /\/r\/[A-Za-z0-9_.-]+$/);
  assert.equal(await c.page.locator('.room').count(), 1);  // the town was left, not kept underneath
  assert.deepEqual(c.errors, []);
  await c.context.close();
});

test('an unlisted room is not in the room browser, and its link, opened signed out, lands in it', async () => {
  const d = await guest(browser, BASE, `Dee ${suffix}`, withMic);
  const name = `e2e unlisted ${suffix}`;
  await create(d, name, 'office', false);
  const link = await d.page.getByRole('button', { name: 'Invite' }).getAttribute('data-link');
  const e = await guest(browser, BASE, `Eve ${suffix}`, { ...withMic, bypassCSP: true });  // axe is injected as a script the app's CSP refuses
  assert.deepEqual(await accessibilityProblems(e.page), []);  // the room browser
  await e.page.getByLabel('Search rooms').fill(name);
  await e.page.locator('.rooms li', { hasText: 'No rooms match' }).waitFor({ timeout: 10000 });
  assert.equal(await e.page.locator('.room-row', { hasText: name }).count(), 0);
  await e.context.close();
  const context = await browser.newContext({ viewport: { width: 1100, height: 750 }, ...withMic });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel('Display name').fill(`Flo ${suffix}`);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await inRoom(page);
  await seesMember(page, d.name);
  assert.equal(await page.locator('.hud .place').textContent(), name);
  await context.close();
  await d.context.close();
});
