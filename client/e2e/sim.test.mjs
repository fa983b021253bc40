// Headless Chromium against the built app with the offline `sim` provider:
// every template renders its default world within the draw-call budget, a
// phone moves with the touch
// joystick, and with the iwer WebXR emulator "Enter VR" starts an immersive
// session whose controller teleports the member; with fake media devices your
// camera shows as a tile (a grid with your status in focus rooms) and a shared
// screen as a large tile you can stop. Run: npm run e2e (screenshots go to a
// temp folder, deleted after) or npm run screenshots (they replace the docs'
// pictures in docs/screenshots/, VIRTUBAR_SCREENSHOTS names that folder).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accessibilityProblems, framesAtLeast, launch, open, preview } from './browser.mjs';

const require = createRequire(import.meta.url);
const forDocs = process.env.VIRTUBAR_SCREENSHOTS;
const shotsDir = forDocs ? resolve(forDocs) : mkdtempSync(join(tmpdir(), 'vb-e2e-shots-'));
mkdirSync(shotsDir, { recursive: true });
const shot = (name) => join(shotsDir, name);
let server, browser;

before(async () => { server = await preview(); browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']); });
after(async () => {
  await browser?.close();
  server?.stop();
  if (!forDocs) rmSync(shotsDir, { recursive: true, force: true });
});

for (const template of ['bar', 'office', 'focus', 'world']) {
  test(`${template}: renders its world and members, at most 100 draw calls`, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await open(context, `${server.url}/?provider=sim&template=${template}&members=10&seed=3`);
    await framesAtLeast(page, 30);
    await page.waitForTimeout(2000);
    const seen = await page.evaluate(() => ({
      members: window.virtubar.view.members.list.length,
      calls: window.virtubar.view.stats.drawCalls,
      tags: document.querySelectorAll('.tag').length,
      zoneLabels: [...document.querySelectorAll('.label.zone')].map((e) => e.textContent),
    }));
    await page.screenshot({ path: shot(`${template}.png`) });
    assert.equal(seen.members, 10);
    assert.equal(seen.tags, 11);
    assert.ok(seen.calls > 0 && seen.calls <= 100, `draw calls ${seen.calls}`);
    if (template === 'office') assert.ok(seen.zoneLabels.includes('Meeting room A'), seen.zoneLabels.join(','));
    assert.deepEqual(errors, []);
    await context.close();
  });
}

const playing = (page, selector) => page.waitForFunction((s) => {
  const v = document.querySelector(`${s} video`);
  return v && v.videoWidth > 0 && v.currentTime > 0;
}, selector, { timeout: 20000 });

test('office: your camera shows as a tile, and a shared screen as a large tile with a stop button', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, errors } = await open(context, `${server.url}/?provider=sim&template=office&members=6&seed=3`);
  await framesAtLeast(page, 10);
  assert.equal(await page.locator('.vtile').count(), 0);
  await page.getByRole('button', { name: 'Start camera' }).click();
  const mine = page.locator('.video.strip .vtile.cam', { hasText: 'You' });
  await mine.waitFor({ timeout: 20000 });
  await playing(page, '.vtile.cam.mine');
  await page.getByRole('button', { name: 'Share screen' }).click();
  const stage = page.locator('.vstage .vtile.share', { hasText: 'You are sharing' });
  await stage.waitFor({ timeout: 20000 });
  await playing(page, '.vstage .vtile');
  await page.waitForTimeout(500);
  await page.screenshot({ path: shot('office-video.png') });
  await stage.getByRole('button', { name: 'Stop sharing' }).click();
  await stage.waitFor({ state: 'detached', timeout: 10000 });
  await page.getByRole('button', { name: 'Share screen', pressed: false }).waitFor();
  await page.getByRole('button', { name: 'Stop camera' }).click();
  await mine.waitFor({ state: 'detached', timeout: 10000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('focus: cameras form a grid with each status; no screen share offered', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const { page, errors } = await open(context, `${server.url}/?provider=sim&template=focus&members=6&seed=3`);
  await framesAtLeast(page, 10);
  assert.equal(await page.getByRole('button', { name: 'Share screen' }).count(), 0);
  await page.getByRole('button', { name: 'Start camera' }).click();
  const mine = page.locator('.video.grid .vtile.cam', { hasText: 'You' });
  await mine.locator('.chip.working').waitFor({ timeout: 20000 });
  await page.getByLabel('Your status').selectOption('break');
  await mine.locator('.chip.break').waitFor({ timeout: 10000 });
  await playing(page, '.vtile.cam.mine');
  await page.screenshot({ path: shot('focus-video.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a phone moves its member with the touch joystick', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const { page, errors } = await open(context, `${server.url}/?provider=sim&template=bar&members=4`);
  await framesAtLeast(page, 10);
  const before = await page.evaluate(() => window.virtubar.view.position);
  const box = await page.locator('.joystick').boundingBox();
  assert.ok(box, 'the joystick is on screen');
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: cx, y: cy }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: cx, y: cy - 45 }] });
  await page.waitForFunction((z0) => window.virtubar.view.position.z < z0 - 1, before.z, { timeout: 20000 });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  const afterMove = await page.evaluate(() => window.virtubar.view.position);
  assert.ok(Math.abs(afterMove.x - before.x) < 0.3, 'pushing the stick up walks straight ahead');
  await page.screenshot({ path: shot('phone.png') });
  assert.deepEqual(errors, []);
  await context.close();
});

test('with the iwer WebXR emulator, Enter VR starts an immersive session and the controller teleports', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ path: require.resolve('iwer/build/iwer.min.js') });
  await context.addInitScript(() => {
    const device = new window.IWER.XRDevice(window.IWER.metaQuest3);
    device.installRuntime({ forceInstall: true });
    window.xrDevice = device;
  });
  const { page, errors } = await open(context, `${server.url}/?provider=sim&template=bar&members=4`);
  await framesAtLeast(page, 10);
  const button = page.getByRole('button', { name: 'Enter VR' });
  await button.waitFor({ state: 'visible', timeout: 20000 });
  await button.click();
  await page.waitForFunction(() => window.virtubar.view.stage.renderer.xr.isPresenting, null, { timeout: 20000 });
  const start = await page.evaluate(() => window.virtubar.view.position);
  // Aim the right controller 45° down ahead of the member and pull the trigger.
  await page.evaluate(() => {
    const right = window.xrDevice.controllers.right;
    right.position.set(0.2, 1.2, -0.3);
    right.quaternion.set(-0.3826834, 0, 0, 0.9238795);
    right.updateButtonValue('trigger', 1);
  });
  await page.waitForFunction(() => window.virtubar.view.stage.scene.children.some((c) => c.geometry?.type === 'RingGeometry' && c.visible), null, { timeout: 20000 });
  await page.evaluate(() => window.xrDevice.controllers.right.updateButtonValue('trigger', 0));
  await page.waitForFunction((z0) => window.virtubar.view.position.z < z0 - 1, start.z, { timeout: 20000 });
  const end = await page.evaluate(() => window.virtubar.view.position);
  assert.ok(start.z - end.z > 1 && start.z - end.z < 2.5, `teleported from z=${start.z} to z=${end.z}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('without WebXR the VR button stays, dimmed, and says what VR needs', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'xr', { get: () => undefined }));
  const { page, errors } = await open(context, `${server.url}/?provider=sim&template=office&members=2`);
  await framesAtLeast(page, 10);
  const button = page.getByRole('button', { name: 'Enter VR' });
  await button.waitFor({ state: 'visible', timeout: 20000 });
  assert.match(await button.getAttribute('title'), /^VR needs a headset and a browser with WebXR/);
  await button.click();
  await page.locator('#toast', { hasText: 'VR needs a headset and a browser with WebXR' }).waitFor({ timeout: 5000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('with the iwer WebXR emulator but no session to be had, Enter VR says the headset was not found', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript({ path: require.resolve('iwer/build/iwer.min.js') });
  await context.addInitScript(() => {
    new window.IWER.XRDevice(window.IWER.metaQuest3).installRuntime({ forceInstall: true });
    navigator.xr.requestSession = () => Promise.reject(new DOMException('No XR hardware found.', 'NotSupportedError'));
  });
  const { page, errors } = await open(context, `${server.url}/?provider=sim&template=bar&members=2`);
  await framesAtLeast(page, 10);
  const button = page.getByRole('button', { name: 'Enter VR' });
  await button.waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await button.getAttribute('title'), 'Enter VR with your headset');  // WebXR says a session is supported
  await button.click();
  await page.locator('#toast', { hasText: 'VR could not start: no headset was found.' }).waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() => window.virtubar.view.stage.renderer.xr.isPresenting), false);
  assert.deepEqual(errors, []);  // nothing thrown to the console
  await context.close();
});

test('axe-core finds no serious or critical problem in a room of any template', async () => {
  for (const template of ['bar', 'office', 'focus', 'world']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page } = await open(context, `${server.url}/?provider=sim&template=${template}&members=6&seed=3`);
    await framesAtLeast(page, 20);
    assert.deepEqual(await accessibilityProblems(page), [], template);
    await context.close();
  }
});

test('every template has a mini-map with you on it and a hearing ring around you', async () => {
  for (const template of ['bar', 'office', 'focus', 'world']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const { page, errors } = await open(context, `${server.url}/?provider=sim&template=${template}&members=6&seed=3`);
    await framesAtLeast(page, 20);
    const map = page.getByRole('img', { name: /^Map of the room/ });
    await map.waitFor({ timeout: 10000 });
    const seen = await page.evaluate(() => {
      const c = document.querySelector('canvas.minimap');
      const { x, z } = window.virtubar.view.position;
      const k = c.width / (window.virtubar.view.stage.world.width * (window.virtubar.view.stage.world.cellSize ?? 1));
      const [r, g, b] = c.getContext('2d').getImageData(Math.round(x * k), Math.round(z * k), 1, 1).data;
      const ring = window.virtubar.view.stage.scene.getObjectByName('hearing-ring');
      return { you: [r, g, b], ring: ring && [ring.position.x, ring.position.z], x, z };
    });
    assert.deepEqual(seen.you, [255, 214, 102], `${template}: your dot on the map`);
    assert.ok(seen.ring && Math.hypot(seen.ring[0] - seen.x, seen.ring[1] - seen.z) < 0.5, `${template}: the ring is around you`);
    if (template === 'office') await page.screenshot({ path: shot('minimap.png') });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the service worker caches the shell, and offline the app shows its offline page', async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context, `${server.url}/?provider=sim&template=office&members=2`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  const manifest = await (await page.request.get(`${server.url}/manifest.webmanifest`)).json();
  assert.deepEqual(manifest.icons.map((i) => i.sizes), ['192x192', '512x512']);
  const cached = await page.evaluate(async () => {
    const keys = await caches.keys();
    const cache = await caches.open(keys.find((k) => k.startsWith('virtubar-')));
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
  assert.ok(cached.includes('/offline.html') && cached.some((p) => p.startsWith('/assets/index-')), cached.join(','));
  await context.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: 'You are offline' }).waitFor({ timeout: 10000 });
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)), []);
  await context.close();
});
