// Build mode end to end, against a running VirtuBar server
// (VIRTUBAR_E2E_URL): the owner of an office opens build mode, places a
// table, tries a plant and undoes it, draws a zone and sets its rules; a
// capacity the server refuses is shown next to the zone; after Save a second
// player in the room (no Build button for them) sees the table and the zone's
// label without reloading. build-mode.png and build-mode-zone.png go into
// VIRTUBAR_SCREENSHOTS when set (e.g. docs/screenshots), else a temporary
// folder that is removed.
// A second test: the owner of a town lets a guest build from the guest's
// profile card; back in the room (the isometric view), the builder places a
// portal, points it at a zone, saves, and the owner sees it without reloading.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/build.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const forDocs = process.env.VIRTUBAR_SCREENSHOTS;
const shotsDir = forDocs ? resolve(forDocs) : mkdtempSync(join(tmpdir(), 'vb-e2e-build-'));
mkdirSync(shotsDir, { recursive: true });
const suffix = Math.random().toString(36).slice(2, 7);
let browser;

before(async () => { browser = await launch(); });
after(async () => {
  await browser?.close();
  if (!forDocs) rmSync(shotsDir, { recursive: true, force: true });
});

/** The page position of the world point (x, z) on build mode's map (it fits the whole world, 12 px margin). */
function mapPoint(page, x, z) {
  return page.evaluate(([x, z]) => {
    const canvas = document.querySelector('.build-map');
    const r = canvas.getBoundingClientRect(), ratio = canvas.width / r.width;
    const world = window.virtubar.view.stage.world, ex = world.width * (world.cellSize ?? 1), ez = world.depth * (world.cellSize ?? 1);
    const scale = Math.max(1, Math.min((canvas.width - 24) / ex, (canvas.height - 24) / ez));
    const left = (canvas.width - ex * scale) / 2, top = (canvas.height - ez * scale) / 2;
    return [r.left + (left + x * scale) / ratio, r.top + (top + z * scale) / ratio];
  }, [x, z]);
}

async function clickMap(page, x, z) {
  const [px, py] = await mapPoint(page, x, z);
  await page.mouse.click(px, py);
}

const worldOf = (page) => page.evaluate(() => {
  const w = window.virtubar.view.stage.world;
  return { objects: w.objects.map((o) => `${o.kind}:${o.id}`), zones: w.zones.map((z) => ({ ...z })) };
});

test('the owner builds a table and a zone; the other player sees them without reloading', async () => {
  const a = await guest(browser, BASE, `Owner ${suffix}`), b = await guest(browser, BASE, `Guest ${suffix}`);
  const room = `build e2e ${suffix}`;
  await a.page.getByLabel('Room name').fill(room);
  await a.page.getByLabel('Template').selectOption('office');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(room);
  await b.page.locator('.room-row', { hasText: room }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  await b.page.evaluate(() => { window.stillTheSamePage = true; });
  assert.equal(await b.page.getByRole('button', { name: 'Build', exact: true }).count(), 0, 'only the owner may build');
  const before = await worldOf(b.page);
  assert.ok(!before.objects.includes('table:table-1'));

  await a.page.getByRole('button', { name: 'Build', exact: true }).click();
  const dialog = a.page.getByRole('dialog', { name: 'Build mode' });
  await dialog.waitFor();

  // a table on the open floor: placed, selected, shown in the panel
  await dialog.getByRole('button', { name: 'Table', exact: true }).click();
  await clickMap(a.page, 15.5, 12.5);
  await dialog.getByRole('heading', { name: 'Table (table-1)' }).waitFor();
  await dialog.getByRole('button', { name: '⟳ Turn right' }).click();
  await a.page.screenshot({ path: join(shotsDir, 'build-mode.png') });

  // a plant, undone with Ctrl+Z
  await dialog.getByRole('button', { name: 'Plant', exact: true }).click();
  await clickMap(a.page, 20.5, 12.5);
  await dialog.getByRole('heading', { name: 'Plant (plant-2)' }).waitFor();
  await a.page.locator('.build-map').focus();
  await a.page.keyboard.press('Control+z');
  await dialog.getByText('Select something on the map').waitFor();

  // a zone, dragged over four by three cells, with its rules
  await dialog.getByRole('button', { name: 'Draw zone' }).click();
  const [x0, y0] = await mapPoint(a.page, 18.2, 11.2), [x1, y1] = await mapPoint(a.page, 21.8, 13.8);
  await a.page.mouse.move(x0, y0);
  await a.page.mouse.down();
  await a.page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2);
  await a.page.mouse.move(x1, y1);
  await a.page.mouse.up();
  await dialog.getByRole('heading', { name: 'Zone: New zone 1' }).waitFor();
  await dialog.getByLabel('Name', { exact: true }).fill('Kitchen');
  await dialog.getByLabel('Name', { exact: true }).press('Tab');
  await dialog.getByLabel('Type', { exact: true }).selectOption('quiet');
  await dialog.getByLabel('Who hears a voice', { exact: true }).selectOption('zone');

  // a capacity the server refuses: said in plain words next to the zone, nothing saved
  await dialog.getByLabel('Capacity', { exact: true }).fill('0');
  await dialog.getByLabel('Capacity', { exact: true }).press('Tab');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.locator('.build-editor .build-problems', { hasText: 'Zone “Kitchen”: capacity must be at least 1' }).waitFor();
  await dialog.getByText(/^Not saved/).waitFor();
  await dialog.getByLabel('Capacity', { exact: true }).fill('4');
  await dialog.getByLabel('Capacity', { exact: true }).press('Tab');
  await a.page.screenshot({ path: join(shotsDir, 'build-mode-zone.png') });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByText('Saved: everyone in the room sees the new world now.').waitFor();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await a.page.locator('.overlay .label.zone', { hasText: 'Kitchen' }).waitFor();

  // the other player: the zone's label appears over their room and their world holds both, same page
  await b.page.locator('.overlay .label.zone', { hasText: 'Kitchen' }).waitFor({ timeout: 30000 });
  const seen = await worldOf(b.page);
  assert.ok(seen.objects.includes('table:table-1'));
  assert.ok(!seen.objects.includes('plant:plant-2'), 'the undone plant was not saved');
  const kitchen = seen.zones.find((z) => z.name === 'Kitchen');
  assert.deepEqual({ ...kitchen, id: undefined }, { id: undefined, name: 'Kitchen', type: 'quiet', capacity: 4, audio: 'zone', shape: { x: 18, z: 11, w: 4, d: 3 } });
  const table = await b.page.evaluate(() => window.virtubar.view.stage.world.objects.find((o) => o.id === 'table-1'));
  assert.deepEqual([table.x, table.z, table.w, table.d], [15.5, 12.5, 1, 2]);  // turned a quarter: its footprint too
  assert.equal(await b.page.evaluate(() => window.stillTheSamePage), true);
  await b.page.keyboard.press('v');  // the isometric view draws the same world
  await b.page.locator('.overlay .label.zone', { hasText: 'Kitchen' }).waitFor();

  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context.close();
  await b.context.close();
});

test('a player the owner lets build places a portal in the isometric view and points it at a zone', async () => {
  const a = await guest(browser, BASE, `Townowner ${suffix}`), b = await guest(browser, BASE, `Builder ${suffix}`);
  const room = `build town ${suffix}`;
  await a.page.getByLabel('Room name').fill(room);
  await a.page.getByLabel('Template').selectOption('world');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  const join = async () => {
    await b.page.getByLabel('Search rooms').fill(room);
    await b.page.locator('.room-row', { hasText: room }).getByRole('button', { name: 'Join' }).click();
    await inRoom(b.page);
  };
  await join();
  assert.equal(await b.page.getByRole('button', { name: 'Build', exact: true }).count(), 0);

  // the owner lets them build, from their card in the People list
  await a.page.waitForFunction((n) => window.virtubar.view.members.list.some((m) => m.displayName === n), `Builder ${suffix}`, { timeout: 20000 });
  await a.page.getByRole('button', { name: /^People/ }).click();
  await a.page.locator('.people .person').getByRole('button', { name: `Builder ${suffix}` }).click();
  const card = a.page.getByRole('dialog', { name: `Profile of Builder ${suffix}` });
  await card.getByRole('button', { name: 'Let build here' }).click();
  await card.getByText('may build here from their next visit').waitFor();
  await a.page.evaluate(() => { window.stillTheSamePage = true; });

  // next visit: the Build button, over the isometric view
  await b.page.getByRole('button', { name: 'Leave', exact: true }).click();
  await join();
  assert.equal(await b.page.evaluate(() => window.virtubar.view.stage.view), 'iso');
  await b.page.getByRole('button', { name: 'Build', exact: true }).click();
  const dialog = b.page.getByRole('dialog', { name: 'Build mode' });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Portal', exact: true }).click();
  await clickMap(b.page, 6.5, 6.5);
  await dialog.getByRole('heading', { name: /^Portal \(portal-\d+\)$/ }).waitFor();
  const id = (await dialog.getByRole('heading', { name: /^Portal/ }).textContent()).match(/\((portal-\d+)\)/)[1];
  await dialog.getByRole('combobox', { name: 'Leads to' }).selectOption('zone');
  const zone = await b.page.evaluate(() => window.virtubar.view.stage.world.zones.at(-1).id);
  await dialog.getByRole('combobox', { name: 'Zone' }).selectOption(zone);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.getByText('Saved: everyone in the room sees the new world now.').waitFor();

  // the owner's room has it, same page
  await a.page.waitForFunction((id) => window.virtubar.view.stage.world.objects.some((o) => o.id === id), id, { timeout: 30000 });
  const portal = await a.page.evaluate((id) => window.virtubar.view.stage.world.objects.find((o) => o.id === id), id);
  assert.deepEqual([portal.kind, portal.target, portal.x, portal.z], ['portal', zone, 6.5, 6.5]);
  assert.equal(await a.page.evaluate(() => window.stillTheSamePage), true);
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context.close();
  await b.context.close();
});
