// End-to-end against a running VirtuBar server (embedded mode: API, edge, SFU
// and this client at VIRTUBAR_E2E_URL): two players in real headless Chromium
// with fake media devices sign in as guests, meet in one room, see each
// other, see movement, exchange chat, and the second hears the first (WebRTC
// inbound audio); two more stand together in an office, where one's camera
// reaches the other as a named tile until it is switched off.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 npm run e2e:server
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');

const suffix = Math.random().toString(36).slice(2, 7);
const roomName = `e2e room ${suffix}`;
let browser;
const players = {};

const player = (name) => guest(browser, BASE, name, { permissions: ['microphone', 'camera'] });
const remote = (page, name) => page.evaluate((n) => {
  const d = window.virtubar.view.members.list.find((m) => m.displayName === n);
  return d ? { x: d.track.pose.x, z: d.track.pose.z } : null;
}, name);

/** `host` creates a room of `template`, `guest` finds and joins it, and each sees the other. */
async function meet(host, guest, name, template) {
  await host.page.getByLabel('Room name').fill(name);
  await host.page.getByLabel('Template').selectOption(template);
  await host.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(host.page);
  await guest.page.getByLabel('Search rooms').fill(name);
  await guest.page.locator('.room-row', { hasText: name }).getByRole('button', { name: 'Join' }).click();
  await inRoom(guest.page);
  await guest.page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), host.name, { timeout: 20000 });
  await host.page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), guest.name, { timeout: 20000 });
}

before(async () => {
  // Three fake cameras (the second is a 16-bit depth camera), so choosing one in settings is seen to matter.
  browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=device-count=3', '--autoplay-policy=no-user-gesture-required']);
  players.a = await player(`Ana ${suffix}`);
  players.b = await player(`Ben ${suffix}`);
});
after(async () => { await browser?.close(); });

test('two players meet in the same room and see each other', async () => {
  await meet(players.a, players.b, roomName, 'bar');
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

test('after a dropped connection the player rejoins, resyncs and gets the chat it missed', async () => {
  const { a, b } = players;
  // Hold B's reconnect until A has spoken, so the message surely falls in the gap.
  await b.page.evaluate(() => {
    const p = window.virtubar.view.o.provider;
    window.heldOpen = p.open;
    p.open = () => { window.reconnectWanted = true; };
    p.socket.close();
  });
  await b.page.waitForFunction(() => window.reconnectWanted === true, null, { timeout: 20000 });
  const missed = `while Ben was away ${suffix}`;
  await a.page.getByLabel('Chat message').fill(missed);
  await a.page.getByRole('button', { name: 'Send' }).click();
  await a.page.locator('.chatlog', { hasText: missed }).waitFor({ timeout: 20000 });
  await b.page.evaluate(() => {
    const p = window.virtubar.view.o.provider;
    p.open = window.heldOpen;
    p.open();
  });
  await b.page.locator('.chatlog', { hasText: missed }).waitFor({ timeout: 30000 });
  await b.page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), a.name, { timeout: 20000 });
  const states = await b.page.locator('.conn').textContent();
  assert.equal(states, '');
});

test('a refused realtime token (auth_error) is renewed through /api/rooms/join and the player rejoins', async () => {
  const { a, b } = players;
  const joins = [];
  b.page.on('request', (r) => { if (r.url().endsWith('/api/rooms/join')) joins.push(r.url()); });
  await b.page.evaluate(() => {
    const p = window.virtubar.view.o.provider;
    window.authErrors = 0;
    p.on('auth_error', () => { window.authErrors++; });
    p.ticket = { ...p.ticket, realtimeToken: 'not-a-valid-token' };
    p.socket.close();
  });
  await b.page.waitForFunction(() => window.authErrors >= 1, null, { timeout: 30000 });
  await b.page.waitForFunction(() => document.querySelector('.conn')?.textContent === '', null, { timeout: 30000 });
  assert.equal(joins.length, 1);
  const text = `after renewal ${suffix}`;
  await b.page.getByLabel('Chat message').fill(text);
  await b.page.getByRole('button', { name: 'Send' }).click();
  await a.page.locator('.chatlog', { hasText: text }).waitFor({ timeout: 20000 });
});

test('safety controls: mute for me, block and report reach the server', async () => {
  const { a, b } = players;
  await a.page.getByRole('button', { name: /^People/ }).click();
  const row = a.page.locator('.person', { hasText: b.name });
  await row.getByRole('button', { name: 'Mute for me' }).click();
  await row.getByRole('button', { name: 'Unmute' }).waitFor();
  assert.equal(await a.page.evaluate((n) => window.virtubar.view.members.list.find((m) => m.displayName === n).mutedForMe, b.name), true);
  const clear = /Blocked\.|Thanks, our moderators/;
  await row.getByRole('button', { name: 'Report' }).click();
  await a.page.getByLabel('What happened').selectOption('spam');
  await a.page.getByRole('button', { name: 'Send report' }).click();
  await a.page.locator('.chatlog .system').filter({ hasText: clear }).first().waitFor({ timeout: 10000 });
  await row.getByRole('button', { name: 'Block' }).click();
  await a.page.waitForFunction(() => document.querySelectorAll('.chatlog .system').length >= 2, null, { timeout: 10000 });
  const lines = await a.page.locator('.chatlog .system').allTextContents();
  assert.ok(lines.slice(-2).every((l) => clear.test(l)), lines.join(' | '));
  await row.waitFor({ state: 'detached', timeout: 10000 }); // blocked: gone from Ana's people list
});

test('a player whose voice server cannot be reached is told so, and still chats', async () => {
  const d = await player(`Dov ${suffix}`);
  await d.page.route('**/api/rooms/join', async (route) => {
    const answer = await (await route.fetch()).json();
    await route.fulfill({ json: { ...answer, sfuUrl: 'ws://127.0.0.1:9/sfu' } });  // nothing listens there
  });
  await d.page.getByLabel('Search rooms').fill(roomName);
  await d.page.locator('.room-row', { hasText: roomName }).getByRole('button', { name: 'Join' }).click();
  await d.page.locator('#toast', { hasText: 'Voice and video are not connected' }).waitFor({ timeout: 20000 });
  await inRoom(d.page);
  const text = `no voice here ${suffix}`;
  await d.page.getByLabel('Chat message').fill(text);
  await d.page.getByRole('button', { name: 'Send' }).click();
  await players.a.page.locator('.chatlog', { hasText: text }).waitFor({ timeout: 20000 });
  assert.deepEqual(d.errors, []);
  await d.context.close();
});

test('no page errors on either side', async () => {
  assert.deepEqual(players.a.errors, []);
  assert.deepEqual(players.b.errors, []);
  await players.a.context.close();
  await players.b.context.close();
});

// In the page: video frames decoded so far over every incoming track.
async function decodedVideo() {
  let frames = 0;
  (await window.virtubar.transport.connection.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
  });
  return frames;
}

test("in the office, one player's camera (chosen in settings) reaches the other nearby as a tile with their name, until it is switched off", async () => {
  const c = await player(`Cai ${suffix}`);
  const d = await player(`Dee ${suffix}`);
  // Cai picks a camera in settings, next to the microphone.
  await c.page.getByRole('button', { name: /Settings/ }).click();
  await c.page.getByRole('button', { name: 'Allow microphone and camera to list devices' }).click();
  await c.page.getByLabel('Camera').locator('option', { hasText: 'fake_device_2' }).waitFor({ state: 'attached', timeout: 20000 });
  const camera = 'fake_device_2';
  await c.page.getByLabel('Camera').selectOption({ label: camera });
  await c.page.getByRole('button', { name: 'Save' }).click();
  await c.page.getByRole('heading', { name: 'Create a room' }).waitFor();
  await meet(c, d, `e2e office ${suffix}`, 'office');
  const near = await d.page.evaluate((n) => {
    const v = window.virtubar.view, m = v.members.list.find((x) => x.displayName === n);
    return Math.hypot(m.track.pose.x - v.position.x, m.track.pose.z - v.position.z);
  }, c.name);
  assert.ok(near < 4, `the two stand ${near} m apart, within the office's hearing radius`);

  await c.page.getByRole('button', { name: 'Start camera' }).click();
  await c.page.locator('.vtile.cam.mine', { hasText: 'You' }).waitFor({ timeout: 20000 });
  assert.equal(await c.page.evaluate(() => document.querySelector('.vtile.cam.mine video').srcObject.getVideoTracks()[0].label), camera);
  const tile = d.page.locator('.video .vtile.cam', { hasText: c.name });
  await tile.waitFor({ timeout: 60000 });
  const before = await d.page.evaluate(decodedVideo);
  await d.page.waitForFunction(`(${decodedVideo})().then((n) => n > ${before + 5})`, null, { timeout: 30000, polling: 1000 });
  await d.page.waitForFunction(() => document.querySelector('.video .vtile.cam video')?.videoWidth > 0, null, { timeout: 20000 });

  await c.page.getByRole('button', { name: 'Stop camera' }).click();
  await c.page.locator('.vtile.cam.mine').waitFor({ state: 'detached', timeout: 10000 });
  await tile.waitFor({ state: 'detached', timeout: 30000 });
  assert.deepEqual(c.errors, []);
  assert.deepEqual(d.errors, []);
  await c.context.close();
  await d.context.close();
});
