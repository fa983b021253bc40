// The bar's jukebox end to end, against a running VirtuBar server
// (VIRTUBAR_E2E_URL, the embedded mode with its house tracks): two players
// in headless Chromium meet in a bar, one adds a track from the jukebox
// panel, and both players' audio elements play it at the same position.
// The panel is photographed (jukebox.png: into VIRTUBAR_SCREENSHOTS when
// set, e.g. docs/screenshots, else a temporary folder that is removed), and
// checked to fit a phone.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/music.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { guest, inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const forDocs = process.env.VIRTUBAR_SCREENSHOTS;
const shotsDir = forDocs ? resolve(forDocs) : mkdtempSync(join(tmpdir(), 'vb-e2e-music-'));
mkdirSync(shotsDir, { recursive: true });
const suffix = Math.random().toString(36).slice(2, 7);
let browser;

/** Where this page's audio is in the song (ms) and when (local ms: both pages share this machine's clock). */
const heard = (page) => page.evaluate(() => {
  const a = document.querySelector('.jukebox-audio');
  const offsetMs = window.virtubar.view.o.provider.clockOffsetMs();
  return { atMs: Date.now(), positionMs: a.currentTime * 1000, paused: a.paused, track: a.dataset.trackId ?? '', offsetMs, rate: a.playbackRate };
});

const playing = (page) => page.waitForFunction(() => {
  const a = document.querySelector('.jukebox-audio');
  return a && !a.paused && a.currentTime > 1 && a.readyState >= 2;
}, null, { timeout: 30000 });

before(async () => { browser = await launch(['--autoplay-policy=no-user-gesture-required']); });
after(async () => {
  await browser?.close();
  if (!forDocs) rmSync(shotsDir, { recursive: true, force: true });
});

test('two players in a bar hear the jukebox at the same position', async () => {
  // small windows: two software-rendered 3D bars on a two-core machine otherwise keep each page's main
  // thread so busy that its heartbeat round trips (and so its clock estimate) carry the rendering's delay
  const small = { viewport: { width: 800, height: 560 } };
  const a = await guest(browser, BASE, `Ana ${suffix}`, small), b = await guest(browser, BASE, `Ben ${suffix}`, small);
  const room = `bar music ${suffix}`;
  await a.page.getByLabel('Room name').fill(room);
  await a.page.getByLabel('Template').selectOption('bar');
  await a.page.getByRole('button', { name: 'Create and join' }).click();
  await inRoom(a.page);
  await b.page.getByLabel('Search rooms').fill(room);
  await b.page.locator('.room-row', { hasText: room }).getByRole('button', { name: 'Join' }).click();
  await inRoom(b.page);
  await a.page.waitForTimeout(2500); // a heartbeat round trip or two: each page knows the server's clock
  await a.page.getByRole('button', { name: '♪ Jukebox' }).click();
  const panel = a.page.getByRole('region', { name: 'Jukebox' });
  await panel.locator('select option').first().waitFor({ state: 'attached' });
  await panel.getByRole('button', { name: 'Add' }).click();
  await panel.locator('.now-title', { hasText: 'House Loop' }).waitFor({ timeout: 10000 });
  await Promise.all([playing(a.page), playing(b.page)]);
  await a.page.waitForTimeout(5000); // rate corrections settle
  const gaps = [], seen = [];
  for (let i = 0; i < 5; i++) {
    const [x, y] = [await heard(a.page), await heard(b.page)];
    assert.equal(x.track, y.track);
    assert.ok(!x.paused && !y.paused);
    gaps.push(Math.abs(x.positionMs + (y.atMs - x.atMs) - y.positionMs));
    seen.push([x.offsetMs, y.offsetMs, x.rate, y.rate].map((n) => Math.round(n * 100) / 100).join('/'));
    await a.page.waitForTimeout(400);
  }
  assert.ok(Math.max(...gaps) < 150, `Ana's and Ben's audio differ by ${gaps.map(Math.round).join(', ')} ms (clock offsets and rates: ${seen.join(' ')})`);
  await panel.locator('.now-time', { hasText: '/ 0:24' }).waitFor();
  await a.page.screenshot({ path: join(shotsDir, 'jukebox.png') });
  for (const p of [a, b]) {
    assert.deepEqual(p.errors, []);
    await p.context.close();
  }
});

test('the jukebox panel fits a phone', async () => {
  const p = await guest(browser, BASE, `Cy ${suffix}`, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await p.page.getByLabel('Room name').fill(`bar phone ${suffix}`);
  await p.page.getByLabel('Template').selectOption('bar');
  await p.page.getByRole('button', { name: 'Create and join' }).dispatchEvent('click'); // the phone's room list lies over it
  await inRoom(p.page);
  await p.page.getByRole('button', { name: /Jukebox|Tap to listen/ }).click();
  const box = await p.page.getByRole('region', { name: 'Jukebox' }).boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390 && box.height > 100, `the panel fits a phone: ${JSON.stringify(box)}`);
  await p.context.close();
});
