// End-to-end against a running VirtuBar server (embedded mode: API, edge, SFU
// and this client at VIRTUBAR_E2E_URL): two players in real headless Chromium
// with fake media devices sign in as guests, meet in one room, see each
// other, see movement, exchange chat, and the second hears the first (WebRTC
// inbound audio). Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 npm run e2e:server
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');

const suffix = Math.random().toString(36).slice(2, 7);
const roomName = `e2e room ${suffix}`;
let browser;
const players = {};

async function player(name) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 750 }, permissions: ['microphone'] });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(BASE);
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await page.getByRole('heading', { name: 'Create a room' }).waitFor();
  return { context, page, errors, name };
}

const inRoom = (page) => page.waitForFunction(() => window.virtubar?.view?.stats.frames > 5, null, { timeout: 60000 });
const remote = (page, name) => page.evaluate((n) => {
  const d = window.virtubar.view.members.list.find((m) => m.displayName === n);
  return d ? { x: d.track.pose.x, z: d.track.pose.z } : null;
}, name);

before(async () => {
  browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
  players.a = await player(`Ana ${suffix}`);
  players.b = await player(`Ben ${suffix}`);
});
after(async () => { await browser?.close(); });

test('two players meet in the same room and see each other', async () => {
  const { a, b } = players;
  await a.page.getByLabel('Room name').fill(roomName);
  await a.page.getByLabel('Template').selectOption('bar');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(roomName);
  await b.page.locator('.room-row', { hasText: roomName }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  await b.page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), a.name, { timeout: 20000 });
  await a.page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), b.name, { timeout: 20000 });
});

test('one moves, the other sees the avatar move', async () => {
  const { a, b } = players;
  const start = await remote(b.page, a.name);
  await a.page.keyboard.down('KeyW');
  await b.page.waitForFunction(({ n, z0 }) => {
    const d = window.virtubar.view.members.list.find((m) => m.displayName === n);
    return d && Math.abs(d.track.pose.z - z0) > 1;
  }, { n: a.name, z0: start.z }, { timeout: 20000 });
  await a.page.keyboard.up('KeyW');
});

test('chat reaches the other player', async () => {
  const { a, b } = players;
  const text = `hello from Ana ${suffix}`;
  await a.page.getByLabel('Chat mode').selectOption('room');
  await a.page.getByLabel('Chat message').fill(text);
  await a.page.getByRole('button', { name: 'Send' }).click();
  await b.page.locator('.chatlog', { hasText: text }).waitFor({ timeout: 20000 });
});

test("the second player's WebRTC stats show inbound audio from the first", async () => {
  const { b } = players;
  await b.page.waitForFunction(async () => {
    const pc = window.virtubar.transport?.connection;
    if (!pc) return false;
    const stats = await pc.getStats();
    let packets = 0;
    stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived ?? 0; });
    return packets > 20;
  }, null, { timeout: 45000, polling: 1000 });
});

test('no page errors on either side', () => {
  assert.deepEqual(players.a.errors, []);
  assert.deepEqual(players.b.errors, []);
});
