// The player's experience, two players in real headless Chromium against a
// running VirtuBar server (embedded mode, VIRTUBAR_E2E_URL): a private meeting
// room seen from outside and from inside; a block that hides both players
// from each other, live and after a reconnect; a room's link, opened by a
// signed-out browser, lands in the room, and a reload keeps it there. VIRTUBAR_SCREENSHOTS (a folder)
// also saves the docs' pictures of it; tests never write docs/screenshots/.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/player.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const SHOTS = process.env.VIRTUBAR_SCREENSHOTS;
const shot = async (page, name) => { if (SHOTS) await page.screenshot({ path: join(resolve(SHOTS), name) }); };

const suffix = Math.random().toString(36).slice(2, 7);
let browser;
const players = {};

/** `host` creates a room of `template`; `other` finds and joins it; each sees the other. */
async function meet(host, other, name, template) {
  await host.page.getByLabel('Room name').fill(name);
  await host.page.getByLabel('Template').selectOption(template);
  await host.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(host.page);
  await other.page.getByLabel('Search rooms').fill(name);
  await other.page.locator('.room-row', { hasText: name }).getByRole('button', { name: 'Join' }).click();
  await inRoom(other.page);
  await seesMember(other.page, host.name);
  await seesMember(host.page, other.name);
}

const seesMember = (page, name) => page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), name, { timeout: 20000 });

/** Click-to-walk to (x, z), as a click on the floor there would. */
async function walk(page, x, z) {
  await page.evaluate(([x, z]) => { const v = window.virtubar.view; v.walkTo.set(x, 0, z); v.walking = true; }, [x, z]);
  await page.waitForFunction(([x, z]) => Math.hypot(window.virtubar.view.position.x - x, window.virtubar.view.position.z - z) < 0.3,
    [x, z], { timeout: 30000 });
}

/** Is `name`'s name tag shown on `page` (a hidden avatar's tag is hidden too)? */
const tagShown = (page, name) => page.evaluate((n) => [...document.querySelectorAll('.tag:not(.self)')]
  .some((t) => t.querySelector('.name')?.textContent === n && !t.hidden), name);

const people = (page) => page.getByRole('button', { name: /^People/ }).textContent();

before(async () => {
  browser = await launch();
  players.a = await guest(browser, BASE, `Ana ${suffix}`);
  players.b = await guest(browser, BASE, `Ben ${suffix}`);
  await meet(players.a, players.b, `e2e meeting ${suffix}`, 'office');
});
after(async () => { await browser?.close(); });

test('a player who walks into a meeting room disappears for those outside, who see the room is occupied', async () => {
  const { a, b } = players;
  assert.equal(await tagShown(b.page, a.name), true);
  await walk(a.page, 15.5, 5.5);
  await walk(a.page, 5.5, 5.5);  // through the door, into Meeting room A
  await b.page.waitForFunction((n) => ![...document.querySelectorAll('.tag:not(.self)')]
    .some((t) => t.querySelector('.name')?.textContent === n && !t.hidden), a.name, { timeout: 10000 });
  await b.page.locator('.label.zone', { hasText: 'Meeting room A · 1 inside' }).waitFor({ timeout: 10000 });
  assert.equal(await people(b.page), 'People 2');
  await b.page.getByRole('button', { name: /^People/ }).click();
  await b.page.locator('.person', { hasText: a.name }).getByText('in Meeting room A').waitFor();
  await b.page.getByRole('button', { name: /^People/ }).click();
  await shot(b.page, 'private-zone-outside.png');
});

test('inside, the player keeps the member list and sees who speaks in room chat', async () => {
  const { a, b } = players;
  assert.equal(await people(a.page), 'People 2');
  assert.equal(await tagShown(a.page, b.name), false);  // the floor is another space: no frozen avatar there either
  const text = `room-wide from the floor ${suffix}`;
  await b.page.getByLabel('Chat mode').selectOption('room');
  await b.page.getByLabel('Chat message').fill(text);
  await b.page.getByRole('button', { name: 'Send' }).click();
  const line = a.page.locator('.chatlog li', { hasText: text });
  await line.waitFor({ timeout: 10000 });
  assert.equal(await line.locator('b').textContent(), b.name);
  await shot(a.page, 'private-zone-inside.png');
});

test('leaving the meeting room, the player reappears where they are', async () => {
  const { a, b } = players;
  await walk(a.page, 15.5, 5.5);
  await b.page.waitForFunction((n) => {
    const d = window.virtubar.view.members.list.find((m) => m.displayName === n);
    return d && !d.tag.el.hidden && Math.hypot(d.track.pose.x - 15.5, d.track.pose.z - 5.5) < 1.5;
  }, a.name, { timeout: 10000 });
  await b.page.locator('.label.zone', { hasText: /^Meeting room A$/ }).waitFor({ timeout: 10000 });
  assert.equal(await tagShown(a.page, b.name), true);
});

/** Drops the page's realtime socket and resolves once the room's state came again. */
async function reconnect(page) {
  await page.evaluate(() => new Promise((done) => {
    const p = window.virtubar.view.o.provider;
    const off = p.on('room_state', () => { off(); done(); });
    p.socket.close();
  }));
}

const gone = (page, name) => page.waitForFunction((n) => !window.virtubar.view.members.list.some((m) => m.displayName === n)
  && ![...document.querySelectorAll('.tag .name')].some((t) => t.textContent === n)
  && [...document.querySelectorAll('.hud button')].some((x) => x.textContent === 'People 1'), name, { timeout: 10000 });

test('a block takes each player out of the other\'s room, live and after a reconnect', async () => {
  const { a, b } = players;
  await a.page.getByRole('button', { name: /^People/ }).click();
  await a.page.locator('.person', { hasText: b.name }).getByRole('button', { name: 'Block' }).click();
  await a.page.locator('.chatlog .system', { hasText: 'Blocked.' }).waitFor({ timeout: 10000 });
  await gone(a.page, b.name);
  await gone(b.page, a.name);
  await reconnect(b.page);
  await reconnect(a.page);
  await walk(b.page, 15.5, 12.5);  // moving, and being seen to move, would bring the avatar back
  await gone(a.page, b.name);
  await gone(b.page, a.name);
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
});

test("the room's address is its link: Invite copies it, a signed-out browser opens it after guest sign-in, a reload stays", async () => {
  const { a } = players;
  const link = await a.page.getByRole('button', { name: 'Invite' }).getAttribute('data-link');
  assert.match(link, /\/r\/[A-Za-z0-9_.-]+$/);
  assert.equal(a.page.url(), link);
  const context = await browser.newContext({ viewport: { width: 1100, height: 750 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(link);
  const name = `Cy ${suffix}`;
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await inRoom(page);
  await seesMember(page, a.name);
  await seesMember(a.page, name);
  await page.reload();
  await inRoom(page);
  assert.equal(page.url(), link);
  await seesMember(page, a.name);
  await page.getByRole('button', { name: 'Leave' }).click();
  await page.getByRole('heading', { name: 'Create a room' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the mic button tells the truth: no microphone says "No mic", a refused one "Mic denied"; deafen silences the room', async () => {
  const { a } = players;
  const link = await a.page.getByRole('button', { name: 'Invite' }).getAttribute('data-link');
  const micButton = (page) => page.locator('.hud-top button', { hasText: /^(Mic on|Muted|No mic|Mic denied)$/ });
  const granted = await guest(browser, BASE, `Dot ${suffix}`, { permissions: ['microphone'] });  // allowed, but this machine has none
  await granted.page.goto(link);
  await inRoom(granted.page);
  assert.equal(await micButton(granted.page).textContent(), 'No mic');
  await micButton(granted.page).click();
  assert.equal(await micButton(granted.page).textContent(), 'No mic');  // clicking cannot make a missing mic "Muted"
  await granted.page.getByRole('button', { name: 'Deafen' }).click();
  await granted.page.getByRole('button', { name: 'Undeafen' }).waitFor();
  await granted.page.waitForFunction(() => window.virtubar.voice.ctx.state === 'suspended');
  await granted.page.getByRole('button', { name: 'Undeafen' }).click();
  await granted.page.waitForFunction(() => window.virtubar.voice.ctx.state !== 'suspended');
  const withMic = await launch(['--use-fake-device-for-media-stream']);  // a microphone, but no permission given
  const refused = await guest(withMic, BASE, `Eli ${suffix}`);
  await refused.page.goto(link);
  await inRoom(refused.page);
  assert.equal(await micButton(refused.page).textContent(), 'Mic denied');
  assert.deepEqual(granted.errors, []);
  assert.deepEqual(refused.errors, []);
  await granted.context.close();
  await withMic.close();
});
