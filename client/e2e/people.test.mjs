// People, two guests in real headless Chromium against a running VirtuBar
// server (embedded mode, VIRTUBAR_E2E_URL): one edits their avatar in the room
// and the other sees the new look; the profile card's status, live as the
// player changes it; a friend request from the profile card,
// accepted from the Friends panel; the friend seen online from the room
// browser and joined with the Join button; the room's owner kicks from the
// profile card opened by a click on the avatar. VIRTUBAR_SCREENSHOTS (a folder)
// also saves the docs' pictures of the editor and the card; tests never write
// docs/screenshots/.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/people.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const SHOTS = process.env.VIRTUBAR_SCREENSHOTS;
const shot = async (page, name) => { if (SHOTS) await page.screenshot({ path: join(resolve(SHOTS), name) }); };

const suffix = Math.random().toString(36).slice(2, 7);
const ROOM = `e2e people ${suffix}`;
let browser;
const players = {};

const seesMember = (page, name) => page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), name, { timeout: 20000 });

/** Opens the People list and clicks `name`'s row, which opens their profile card. */
async function cardFromPeople(page, name) {
  await page.getByRole('button', { name: /^People/ }).click();
  await page.locator('.people .person').getByRole('button', { name }).click();
  await page.getByRole('dialog', { name: `Profile of ${name}` }).waitFor();
  await page.getByRole('button', { name: /^People/ }).click();  // the list closes; the card stays
}

before(async () => {
  browser = await launch();
  players.a = await guest(browser, BASE, `Ana ${suffix}`);
  players.b = await guest(browser, BASE, `Ben ${suffix}`);
  const { a, b } = players;
  await a.page.getByLabel('Room name').fill(ROOM);
  await a.page.getByLabel('Template').selectOption('bar');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(ROOM);
  await b.page.locator('.room-row', { hasText: ROOM }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  await seesMember(b.page, a.name);
  await seesMember(a.page, b.name);
});
after(async () => { await browser?.close(); });

test('a player changes their look in the room and the other player sees it', async () => {
  const { a, b } = players;
  const before = await b.page.evaluate((n) => window.virtubar.view.members.list.find((m) => m.displayName === n).look, a.name);
  assert.equal(before.hat, 'none');
  await a.page.getByRole('button', { name: 'Look', exact: true }).click();
  const editor = a.page.getByRole('dialog', { name: 'Avatar editor' });
  await editor.waitFor();
  assert.equal(await editor.getByRole('radio', { name: 'Crown (locked)' }).isDisabled(), true);  // not owned: locked
  await editor.getByRole('radio', { name: 'Slim' }).click();
  await editor.getByRole('radio', { name: 'Long' }).click();
  await editor.getByRole('radio', { name: 'Cap' }).click();
  await editor.getByRole('radio', { name: 'Outfit colour #06d6a0' }).click();
  await editor.getByRole('radio', { name: 'Hat colour #e63946' }).click();
  await shot(a.page, 'avatar-editor.png');
  await editor.getByRole('button', { name: 'Save look' }).click();
  await editor.waitFor({ state: 'detached' });
  await b.page.waitForFunction((n) => {
    const l = window.virtubar.view.members.list.find((m) => m.displayName === n)?.look;
    return l && l.body === 'slim' && l.hair === 'long' && l.hat === 'cap' && l.outfitColour === '#06d6a0' && l.hatColour === '#e63946';
  }, a.name, { timeout: 20000 });
});

test('a friend request from the profile card, accepted from the Friends panel', async () => {
  const { a, b } = players;
  await cardFromPeople(b.page, a.name);
  const card = b.page.getByRole('dialog', { name: `Profile of ${a.name}` });
  await card.getByText('No mutual friends').waitFor();
  const status = card.getByRole('status', { name: 'Status' });
  assert.equal(await status.textContent(), 'Available');  // no status set: available, as the room sees Ana
  await a.page.evaluate(() => window.virtubar.view.o.provider.sendStatus('break'));
  await b.page.waitForFunction((n) => document.querySelector(`[aria-label="Profile of ${n}"] .chip.status`)?.textContent === 'Break', a.name, { timeout: 15000 });  // live, the card still open
  await card.getByRole('button', { name: 'Add friend' }).click();
  await card.getByText('Friend request sent.').waitFor();
  await card.getByRole('button', { name: 'Close card' }).click();
  await a.page.getByRole('button', { name: 'Friends', exact: true }).click();
  const panel = a.page.getByRole('region', { name: 'Friends' });
  await panel.locator('.person.request', { hasText: b.name }).getByRole('button', { name: 'Accept' }).click();
  await panel.locator('.person.friend', { hasText: b.name }).getByText(`Online in ${ROOM}`).waitFor({ timeout: 15000 });
  await panel.getByRole('button', { name: 'Close friends' }).click();
});

test('from the room browser, the friend is seen online and joined with Join', async () => {
  const { a, b } = players;
  await b.page.getByRole('button', { name: 'Leave' }).click();
  await b.page.getByRole('heading', { name: 'Create a room' }).waitFor();
  await b.page.getByRole('button', { name: 'Friends', exact: true }).click();
  const row = b.page.locator('.friends-panel .person.friend', { hasText: a.name });
  await row.getByText(`Online in ${ROOM}`).waitFor({ timeout: 15000 });
  await row.getByRole('button', { name: `Join ${a.name}` }).click();
  await inRoom(b.page);
  await seesMember(b.page, a.name);
  await seesMember(a.page, b.name);
});

test('the owner clicks an avatar and kicks from the profile card', async () => {
  const { a, b } = players;
  // A click on Ben's avatar where Ana's camera draws it.
  await a.page.evaluate((n) => {
    const view = window.virtubar.view;
    const d = view.members.list.find((m) => m.displayName === n);
    const p = d.track.sample(Date.now() + view.o.provider.clockOffsetMs());
    const cam = view.stage.camera;
    const v = cam.position.clone().set(p.x, p.y + 0.8 * view.stage.crowd.sizeScale, p.z).project(cam);
    const r = view.stage.canvas.getBoundingClientRect();
    view.stage.canvas.dispatchEvent(new MouseEvent('click', { bubbles: true,
      clientX: r.left + (v.x + 1) / 2 * r.width, clientY: r.top + (1 - v.y) / 2 * r.height }));
  }, b.name);
  const card = a.page.getByRole('dialog', { name: `Profile of ${b.name}` });
  await card.waitFor({ timeout: 15000 });
  await card.getByRole('button', { name: 'Remove friend' }).waitFor();
  await card.getByRole('button', { name: 'Kick' }).click();
  await card.getByText('Give a reason').waitFor();  // nothing sent without one
  await card.getByLabel('Reason').fill('e2e: time for a break');
  await shot(a.page, 'profile-card.png');
  await card.getByRole('button', { name: 'Kick' }).click();
  await card.getByText(`${b.name} was removed from the room.`).waitFor();
  await b.page.getByRole('heading', { name: 'Create a room' }).waitFor({ timeout: 20000 });
  await b.page.getByText(/removed from the room: e2e: time for a break/).waitFor();
  await a.page.waitForFunction((n) => !window.virtubar.view.members.list.some((m) => m.displayName === n), b.name, { timeout: 20000 });
});
