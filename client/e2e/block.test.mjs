// Block, as the player notices it, in real headless Chromium against a running
// VirtuBar server (embedded mode with its SFU, VIRTUBAR_E2E_URL): three guests
// with fake microphones stand together in a bar and hear each other (WebRTC
// inbound audio, attributed to a speaker by the SFU's track_owner). Ana blocks
// Ben from his profile card: his avatar and name tag leave her room, the
// People count drops, and the SFU stops forwarding his voice to her (the
// packets on the line that carried him stop growing while he still sends),
// and hers to him; Cai, whom both still hear, shows their voices work. It all
// holds after Ana reloads the page.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/block.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');

const suffix = Math.random().toString(36).slice(2, 7);
const ROOM = `e2e block ${suffix}`;
let browser;
const players = {};
const ids = {};

const player = (name) => guest(browser, BASE, name, { permissions: ['microphone'] });
const seesMember = (page, name) => page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), name, { timeout: 20000 });
const people = (page) => page.getByRole('button', { name: /^People/ }).textContent();

/** What `page` draws of `name`: a member entry, a shown name tag, and how many avatars the crowd draws (self included). */
const drawn = (page, name) => page.evaluate((n) => ({
  member: window.virtubar.view.members.list.some((m) => m.displayName === n),
  tag: [...document.querySelectorAll('.tag:not(.self)')].some((t) => t.querySelector('.name')?.textContent === n && !t.hidden),
  avatars: window.virtubar.view.stage.crowd.count,
}), name);

/** Resolves once `page` shows nothing of `name` and counts `count` people. */
const gone = (page, name, count) => page.waitForFunction(([n, c]) => !window.virtubar.view.members.list.some((m) => m.displayName === n)
  && ![...document.querySelectorAll('.tag .name')].some((t) => t.textContent === n)
  && window.virtubar.view.stage.crowd.count === c
  && [...document.querySelectorAll('.hud button')].some((x) => x.textContent === `People ${c}`), [name, count], { timeout: 20000 });

/** Click-to-walk to (x, z), as a click on the floor there would. */
async function walk(page, x, z) {
  await page.evaluate(([x, z]) => { const v = window.virtubar.view; v.walkTo.set(x, 0, z); v.walking = true; }, [x, z]);
  await page.waitForFunction(([x, z]) => Math.hypot(window.virtubar.view.position.x - x, window.virtubar.view.position.z - z) < 0.6,
    [x, z], { timeout: 30000 });
}

/** In the page: packets received so far on each incoming audio line, by mid, with the member the SFU says it carries. */
async function audioLines() {
  const pc = window.virtubar.transport?.connection;
  if (!pc) return {};
  const owner = new Map([...window.virtubar.voice.mixer.slots].map(([mid, s]) => [mid, s.owner]));
  const out = {};
  for (const t of pc.getTransceivers()) {
    if (!t.mid || !owner.has(t.mid)) continue;  // our own microphone's line carries nobody in
    let packets = 0;
    (await t.receiver.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') packets += s.packetsReceived ?? 0; });
    out[t.mid] = { owner: owner.get(t.mid), packets };
  }
  return out;
}

/** In the page: audio packets this player's microphone has sent. */
async function audioSent() {
  let packets = 0;
  (await window.virtubar.transport.connection.getStats()).forEach((s) => {
    if (s.type === 'outbound-rtp' && s.kind === 'audio') packets += s.packetsSent ?? 0;
  });
  return packets;
}

const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/** Audio that reached `page` over a few seconds: packets by the member each
 * line carried (`null`: a line that carries nobody, by the SFU's word or
 * because the client let go of a member it no longer draws; any packet there
 * is audio the SFU still forwards). */
async function heard(page) {
  const first = await page.evaluate(audioLines);
  await pause(2500);
  const second = await page.evaluate(audioLines);
  const by = {};
  for (const [mid, { owner, packets }] of Object.entries(second)) {
    const grew = packets - (first[mid]?.packets ?? 0);
    by[owner ?? 'null'] = (by[owner ?? 'null'] ?? 0) + grew;
  }
  return by;
}

/** Polls `heard(page)` until `ok` holds of it; fails with the last sample after `timeoutMs`. */
async function hearsUntil(page, ok, what, timeoutMs = 45000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await heard(page);
    if (ok(last)) return last;
  }
  assert.fail(`${what}; audio packets by speaker over 2.5 s: ${JSON.stringify(last)}`);
}

before(async () => {
  browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
  players.a = await player(`Ana ${suffix}`);
  players.b = await player(`Ben ${suffix}`);
  players.c = await player(`Cai ${suffix}`);
  const { a, b, c } = players;
  await a.page.getByLabel('Room name').fill(ROOM);
  await a.page.getByLabel('Template').selectOption('bar');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  for (const p of [b, c]) {
    await p.page.getByLabel('Search rooms').fill(ROOM);
    await p.page.locator('.room-row', { hasText: ROOM }).getByRole('button', { name: 'Join' }).click();
    await inRoom(p.page);
  }
  for (const [p, others] of [[a, [b, c]], [b, [a, c]], [c, [a, b]]]) for (const o of others) await seesMember(p.page, o.name);
  for (const p of [a, b, c]) ids[p.name] = await p.page.evaluate(() => window.virtubar.view.members.selfId);
  // Ben and Cai walk up to Ana, well inside the hearing radius.
  const at = await a.page.evaluate(() => ({ x: window.virtubar.view.position.x, z: window.virtubar.view.position.z }));
  await walk(b.page, at.x + 1, at.z);
  await walk(c.page, at.x - 1, at.z);
});
after(async () => { await browser?.close(); });

test('before the block, Ana sees Ben and hears him, and he hears her', async () => {
  const { a, b, c } = players;
  assert.deepEqual(await drawn(a.page, b.name), { member: true, tag: true, avatars: 3 });
  assert.equal(await people(a.page), 'People 3');
  const radius = await a.page.evaluate(() => window.virtubar.voice.mixer.hearingRadius);
  const apart = await a.page.evaluate((n) => {
    const v = window.virtubar.view, m = v.members.list.find((x) => x.displayName === n);
    return Math.hypot(m.track.pose.x - v.position.x, m.track.pose.z - v.position.z);
  }, b.name);
  assert.ok(apart < radius, `Ben stands ${apart} m from Ana, inside the hearing radius of ${radius} m`);
  await hearsUntil(a.page, (by) => by[ids[b.name]] > 20 && by[ids[c.name]] > 20, 'Ana should hear Ben and Cai');
  await hearsUntil(b.page, (by) => by[ids[a.name]] > 20 && by[ids[c.name]] > 20, 'Ben should hear Ana and Cai');
});

test("Ana blocks Ben from his profile card: his avatar, tag and voice leave her room, and hers leave his; both still hear Cai", async () => {
  const { a, b, c } = players;
  await a.page.getByRole('button', { name: /^People/ }).click();
  await a.page.locator('.people .person').getByRole('button', { name: b.name }).click();
  const card = a.page.getByRole('dialog', { name: `Profile of ${b.name}` });
  await card.getByRole('button', { name: 'Block' }).click();
  await card.getByText('Blocked. You will not see or hear them.').waitFor({ timeout: 10000 });
  await gone(a.page, b.name, 2);
  await gone(b.page, a.name, 2);
  assert.deepEqual(await drawn(a.page, b.name), { member: false, tag: false, avatars: 2 });
  assert.equal(await people(a.page), 'People 2');
  assert.equal(await people(c.page), 'People 3');  // Cai still has both

  const sentBefore = await b.page.evaluate(audioSent);
  await hearsUntil(a.page, (by) => !(ids[b.name] in by) && (by.null ?? 0) === 0 && by[ids[c.name]] > 20,
    'Ana should hear Cai and nothing of Ben');
  await hearsUntil(b.page, (by) => !(ids[a.name] in by) && (by.null ?? 0) === 0 && by[ids[c.name]] > 20,
    'Ben should hear Cai and nothing of Ana');
  assert.ok(await b.page.evaluate(audioSent) > sentBefore + 20, 'Ben kept talking: the SFU, not his silence, keeps him from Ana');
  await hearsUntil(c.page, (by) => by[ids[a.name]] > 20 && by[ids[b.name]] > 20, 'Cai should still hear both');
});

test('after Ana reloads the page, Ben is still gone from her room and her ears, and she from his', async () => {
  const { a, b, c } = players;
  const link = a.page.url();
  await a.page.reload();
  await inRoom(a.page);
  assert.equal(a.page.url(), link);
  await seesMember(a.page, c.name);
  await seesMember(c.page, a.name);
  await pause(3000);  // time for Ben's avatar to come back, were the block forgotten
  assert.deepEqual(await drawn(a.page, b.name), { member: false, tag: false, avatars: 2 });
  assert.equal(await people(a.page), 'People 2');
  await gone(b.page, a.name, 2);
  await hearsUntil(a.page, (by) => by[ids[c.name]] > 20, 'Ana, back, should hear Cai again');
  const after = await heard(a.page);
  assert.ok(!(ids[b.name] in after) && (after.null ?? 0) === 0, `nothing of Ben reaches Ana: ${JSON.stringify(after)}`);
  await hearsUntil(b.page, (by) => !(ids[a.name] in by) && (by.null ?? 0) === 0 && by[ids[c.name]] > 20,
    'Ben should hear Cai and nothing of Ana');
  assert.deepEqual(await drawn(a.page, b.name), { member: false, tag: false, avatars: 2 });
});

test('no page errors', () => {
  for (const p of Object.values(players)) assert.deepEqual(p.errors, [], p.name);
});
