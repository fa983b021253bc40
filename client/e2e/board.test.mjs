// Whiteboards end to end, against a running VirtuBar server
// (VIRTUBAR_E2E_URL): two players in headless Chromium meet in an office,
// both open Whiteboard A, one draws a stroke with the mouse; the other's Yjs
// document holds its points soon after; a sticky note Ana puts up reaches
// Ben's document too; after a reload the stroke and the note are still
// there; a rectangle shows while it is dragged out; Ana's undo takes back
// her highlighter stroke and Ben's takes back nothing of hers; Ben selects
// the note, drags it and changes its words, and Ana sees both. A player
// who never opened the board sees its picture on the object in the room
// change as another draws. The board with two cursors (whiteboard.png) and
// the picture in the room (board-thumbnail.png) are photographed into
// VIRTUBAR_SCREENSHOTS when set, e.g. docs/screenshots, else a temporary
// folder that is removed.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/board.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const forDocs = process.env.VIRTUBAR_SCREENSHOTS;
const shotsDir = forDocs ? resolve(forDocs) : mkdtempSync(join(tmpdir(), 'vb-e2e-board-'));
mkdirSync(shotsDir, { recursive: true });
const suffix = Math.random().toString(36).slice(2, 7);
let browser;

/** Stands next to Whiteboard A (wb-a at 5.5, 1.5) and presses E; waits for the board's first state. */
async function openBoard(page) {
  await page.evaluate(() => {
    const view = window.virtubar.view;
    view.self.x = 5.5; view.self.z = 2.6;
    dispatchEvent(new KeyboardEvent('keydown', { key: 'e' }));
  });
  await page.locator('.board-panel[data-board="wb-a"]').waitFor();
  await page.waitForFunction(() => window.virtubar.view.boards.panel()?.sync.synced, null, { timeout: 15000 });
}

const strokes = (page) => page.evaluate(() => window.virtubar.view.boards.panel().sync.doc.getArray('strokes').toJSON());

before(async () => { browser = await launch(); });
after(async () => {
  await browser?.close();
  if (!forDocs) rmSync(shotsDir, { recursive: true, force: true });
});

test('what one player draws on a whiteboard reaches the other and stays after a reload', async () => {
  const a = await guest(browser, BASE, `Ana ${suffix}`), b = await guest(browser, BASE, `Ben ${suffix}`);
  const room = `board e2e ${suffix}`;
  await a.page.getByLabel('Room name').fill(room);
  await a.page.getByLabel('Template').selectOption('office');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(room);
  await b.page.locator('.room-row', { hasText: room }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  await openBoard(a.page);
  await openBoard(b.page);

  const box = await a.page.locator('.board-canvas').boundingBox();
  await a.page.mouse.move(box.x + 100, box.y + 100);
  await a.page.mouse.down();
  for (let i = 1; i <= 10; i++) await a.page.mouse.move(box.x + 100 + i * 30, box.y + 100 + i * 12);
  await a.page.mouse.up();
  const drawn = Date.now();
  await b.page.waitForFunction(() => {
    const s = window.virtubar.view.boards.panel()?.sync.doc.getArray('strokes').toJSON() ?? [];
    return s.length === 1 && s[0].points.length >= 20;
  }, null, { timeout: 10000 });
  const took = Date.now() - drawn;
  assert.ok(took < 5000, `Ben saw the stroke after ${took} ms`);  // generous: the machine is shared
  const [mine, theirs] = [await strokes(a.page), await strokes(b.page)];
  assert.deepEqual(theirs[0].points, mine[0].points);

  // a sticky note: the tool, a click on the board, the text typed into the prompt
  await a.page.getByRole('button', { name: 'Sticky note' }).click();
  a.page.once('dialog', (d) => d.accept('Ship on Friday'));
  await a.page.mouse.click(box.x + 300, box.y + 60);
  await b.page.waitForFunction(() => {
    const items = window.virtubar.view.boards.panel()?.sync.doc.getArray('items').toJSON() ?? [];
    return items.length === 1 && items[0].kind === 'sticky' && items[0].text === 'Ship on Friday';
  }, null, { timeout: 10000 });

  // two cursors, then the picture for the docs
  await a.page.mouse.move(box.x + 420, box.y + 260);
  const boxB = await b.page.locator('.board-canvas').boundingBox();
  await b.page.mouse.move(boxB.x + 250, boxB.y + 330);
  await a.page.locator('.board-cursor', { hasText: `Ben ${suffix}` }).waitFor({ timeout: 10000 });
  await b.page.locator('.board-cursor', { hasText: `Ana ${suffix}` }).waitFor({ timeout: 10000 });
  await a.page.screenshot({ path: join(shotsDir, 'whiteboard.png') });

  // a shape is seen while it is dragged out, and kept when the button is let go
  await a.page.getByRole('button', { name: 'Rectangle' }).click();
  await a.page.mouse.move(box.x + 150, box.y + 250);
  await a.page.mouse.down();
  await a.page.mouse.move(box.x + 260, box.y + 320, { steps: 5 });
  await a.page.waitForTimeout(100);  // a frame
  const edge = await a.page.evaluate(() => {
    const c = document.querySelector('.board-canvas'), k = devicePixelRatio;
    return [...c.getContext('2d').getImageData(Math.round(200 * k), Math.round(250 * k), 1, 1).data];
  });
  assert.ok(edge[0] < 128, `the rectangle's top edge is drawn while dragging: ${edge}`);
  await a.page.mouse.up();
  const kinds = (page) => page.evaluate(() => window.virtubar.view.boards.panel().sync.doc.getArray('items').toJSON().map((i) => i.kind));
  await b.page.waitForFunction(() => window.virtubar.view.boards.panel().sync.doc.getArray('items').length === 2);

  // undo is each player's own: Ana's highlighter stroke goes, Ben's undo leaves Ana's work alone
  await a.page.getByRole('button', { name: 'Highlighter' }).click();
  await a.page.mouse.move(box.x + 100, box.y + 400);
  await a.page.mouse.down();
  await a.page.mouse.move(box.x + 300, box.y + 400, { steps: 5 });
  await a.page.mouse.up();
  await b.page.waitForFunction(() => window.virtubar.view.boards.panel().sync.doc.getArray('strokes').length === 2);
  await b.page.keyboard.press('Control+z');
  await a.page.keyboard.press('Control+z');
  await b.page.waitForFunction(() => {
    const s = window.virtubar.view.boards.panel().sync.doc.getArray('strokes').toJSON();
    return s.length === 1 && s[0].tool === 'pen';
  }, null, { timeout: 10000 });
  assert.deepEqual(await kinds(b.page), ['sticky', 'rect']);

  // Ben moves Ana's note and changes its words
  await b.page.getByRole('button', { name: 'Select and move' }).click();
  await b.page.mouse.move(boxB.x + 310, boxB.y + 75);
  await b.page.mouse.down();
  await b.page.mouse.move(boxB.x + 510, boxB.y + 175, { steps: 5 });
  await b.page.mouse.up();
  b.page.once('dialog', (d) => d.accept('Ship on Friday, 5 pm'));
  await b.page.mouse.dblclick(boxB.x + 520, boxB.y + 185);
  await a.page.waitForFunction((w) => {
    const note = window.virtubar.view.boards.panel().sync.doc.getArray('items').toJSON().find((i) => i.kind === 'sticky');
    return note?.text === 'Ship on Friday, 5 pm' && Math.abs(note.x * w - 500) < 3;
  }, boxB.width, { timeout: 10000 });

  await b.page.reload();  // the address is the room's link: back in the room, signed in still
  await inRoom(b.page);
  await openBoard(b.page);
  const again = await strokes(b.page);
  assert.deepEqual(again.map((s) => s.points), mine.map((s) => s.points));
  const notes = await b.page.evaluate(() => window.virtubar.view.boards.panel().sync.doc.getArray('items').toJSON());
  assert.deepEqual(notes.map((n) => n.text), ['Ship on Friday, 5 pm', undefined]);
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context.close();
  await b.context.close();
});

/** The non-white pixels of the picture of Whiteboard A on its object in the room (-1 before it is first drawn). */
const thumbInk = (page) => page.evaluate(() => {
  const c = window.virtubar.view.boards.thumbs?.face('wb-a')?.canvas;
  if (!c || !c.width) return -1;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) ink++;
  return ink;
});

/** Where the board's picture shows on the room's canvas (CSS pixels), in the view shown now. */
const thumbOnScreen = (page) => page.evaluate(() => {
  const { stage, boards } = window.virtubar.view;
  const face = boards.thumbs.face('wb-a'), mesh = stage.view === 'top' ? face.flat : face.upright;
  const r = stage.canvas.getBoundingClientRect();
  const corners = [[-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5], [0.5, 0.5]].map(([u, v]) => mesh.localToWorld(mesh.position.clone().set(u, v, 0)).project(stage.camera));
  const xs = corners.map((p) => r.left + (p.x + 1) / 2 * r.width), ys = corners.map((p) => r.top + (1 - p.y) / 2 * r.height);
  return { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
});

test('a player who never opened a board sees its picture on the object change as another draws', async () => {
  const a = await guest(browser, BASE, `Ari ${suffix}`), b = await guest(browser, BASE, `Bea ${suffix}`);
  const room = `thumb e2e ${suffix}`;
  await a.page.getByLabel('Room name').fill(room);
  await a.page.getByLabel('Template').selectOption('office');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(room);
  await b.page.locator('.room-row', { hasText: room }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  await b.page.waitForFunction(() => window.virtubar.view.stage.view === 'top');  // Bea sees the whole office, never opening the board
  await b.page.waitForFunction(() => (window.virtubar.view.boards.thumbs?.face('wb-a')?.canvas.width ?? 0) > 0, null, { timeout: 10000 });
  assert.equal(await thumbInk(b.page), 0, 'an empty board is a white picture');
  await b.page.waitForTimeout(300);  // a frame with the white picture
  const where = await thumbOnScreen(b.page);
  assert.ok(where.width > 20 && where.height > 10, `the picture is on screen: ${JSON.stringify(where)}`);
  const blank = await b.page.screenshot({ clip: where });

  await openBoard(a.page);
  const box = await a.page.locator('.board-canvas').boundingBox();
  for (const [tool, y] of [['Highlighter', 0.3], ['Highlighter', 0.5], ['Highlighter', 0.7]]) {
    await a.page.getByRole('button', { name: tool }).click();
    await a.page.mouse.move(box.x + box.width * 0.15, box.y + box.height * y);
    await a.page.mouse.down();
    await a.page.mouse.move(box.x + box.width * 0.85, box.y + box.height * (y + 0.05), { steps: 12 });
    await a.page.mouse.up();
  }
  await a.page.getByRole('button', { name: 'Pen #ef4444' }).click();
  await a.page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.8);
  await a.page.mouse.down();
  for (let i = 1; i <= 10; i++) await a.page.mouse.move(box.x + box.width * (0.2 + i * 0.06), box.y + box.height * (0.8 - i * 0.06));
  await a.page.mouse.up();
  await b.page.waitForFunction(() => window.virtubar.view.boards.shelf.get('wb-a').doc.getArray('strokes').length === 4,
    null, { timeout: 10000 });
  assert.equal(await b.page.locator('.board-panel').count(), 0, 'Bea never opened the board');
  await b.page.waitForFunction(() => {
    const c = window.virtubar.view.boards.thumbs.face('wb-a').canvas;
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) return true;
    return false;
  }, null, { timeout: 5000 });
  assert.ok(await thumbInk(b.page) > 500, 'the strokes are in the picture');
  await b.page.waitForTimeout(300);  // a frame with the new picture
  const drawn = await b.page.screenshot({ clip: where });
  assert.ok(!drawn.equals(blank), 'the picture on the object in the room changed');
  // The picture: Bea's room drawn by its own renderer through a camera standing before the board (a close-up the
  // top-down view is too far out for).
  const closeUp = await b.page.evaluate(() => {
    const { stage, boards } = window.virtubar.view;
    const face = boards.thumbs.face('wb-a'), cam = stage.perspective.clone();
    cam.position.set(5.5, 1.5, 4.6);
    cam.lookAt(5.5, 1.1, 1.5);
    cam.aspect = stage.canvas.width / stage.canvas.height;
    cam.updateProjectionMatrix();
    face.show(false);
    stage.renderer.render(stage.scene, cam);
    return stage.canvas.toDataURL('image/png');
  });
  writeFileSync(join(shotsDir, 'board-thumbnail.png'), Buffer.from(closeUp.split(',')[1], 'base64'));
  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context.close();
  await b.context.close();
});

/** Walks the player to (x, z) at walking pace (the edge corrects a jump). */
async function walkTo(page, x, z) {
  await page.evaluate(async ([tx, tz]) => {
    const self = window.virtubar.view.self;
    while (Math.hypot(tx - self.x, tz - self.z) > 0.05) {
      const d = Math.hypot(tx - self.x, tz - self.z), step = Math.min(0.2, d);
      self.x += (tx - self.x) / d * step; self.z += (tz - self.z) / d * step;
      await new Promise((r) => setTimeout(r, 70));
    }
  }, [x, z]);
}

test('the owner puts slides on the stage screen and everyone on the stage sees the slide the presenter shows', async () => {
  const a = await guest(browser, BASE, `Ada ${suffix}`), b = await guest(browser, BASE, `Bo ${suffix}`);
  const room = `slides e2e ${suffix}`;
  await a.page.getByLabel('Room name').fill(room);
  await a.page.getByLabel('Template').selectOption('office');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(room);
  await b.page.locator('.room-row', { hasText: room }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  await Promise.all([walkTo(a.page, 24, 20), walkTo(b.page, 25, 19.5)]);  // onto the stage, by its screen
  await a.page.locator('.slides-panel[data-screen="stage-screen"]').waitFor();

  const pictures = [await a.page.screenshot({ clip: { x: 0, y: 0, width: 64, height: 48 } }),
    await a.page.screenshot({ clip: { x: 64, y: 0, width: 64, height: 48 } })];
  await a.page.getByLabel('Add slides').setInputFiles(pictures.map((buffer, i) => ({ name: `s${i}.png`, mimeType: 'image/png', buffer })));
  await a.page.locator('.slides-count', { hasText: '1 / 2' }).waitFor();
  await a.page.getByLabel('Add slides').setInputFiles([{ name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n') }]);
  await a.page.locator('.slides-note', { hasText: 'could not be read' }).waitFor();  // a PDF's header and nothing after it

  await a.page.getByRole('button', { name: 'Next slide' }).click();  // Bo read the deck while it was empty: the flip brings it
  await b.page.locator('.slides-panel[data-slide="1"] .slides-count', { hasText: '2 / 2' }).waitFor({ timeout: 10000 });
  const shown = await b.page.evaluate(() => {
    const img = document.querySelector('.slides-image');
    return { complete: img.complete, width: img.naturalWidth, src: img.src };
  });
  assert.ok(shown.width > 0, `Bo's slide image loaded: ${JSON.stringify(shown)}`);

  const c = await guest(browser, BASE, `Cy ${suffix}`);  // a late joiner finds the slide shown now
  await c.page.getByLabel('Search rooms').fill(room);
  await c.page.locator('.room-row', { hasText: room }).getByRole('button', { name: 'Join' }).click();
  await inRoom(c.page);
  await walkTo(c.page, 24.5, 20.5);
  await c.page.locator('.slides-panel[data-slide="1"] .slides-count', { hasText: '2 / 2' }).waitFor({ timeout: 10000 });
  for (const p of [a, b, c]) assert.deepEqual(p.errors.filter((e) => !e.includes('422')), []);
  await a.context.close();
  await b.context.close();
  await c.context.close();
});
