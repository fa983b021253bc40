// Phones in real headless Chromium against a running VirtuBar server
// (embedded mode, VIRTUBAR_E2E_URL): at 360, 390 and 430 px wide the sign-in
// screen, the room browser, the settings and a room (bar and office) fit the
// width with nothing cut off, the HUD's controls do not cover each other, a
// toast never covers the mic, camera or share buttons, and the room's device
// settings keep a long microphone name inside the screen. VIRTUBAR_SCREENSHOTS
// (a folder) also saves the docs' picture of the browser; tests never write docs/screenshots/.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 node --test e2e/phones.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { inRoom, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const SHOTS = process.env.VIRTUBAR_SCREENSHOTS;
const WIDTHS = [360, 390, 430];
const suffix = Math.random().toString(36).slice(2, 7);
const LONG_NAME = `Friday night phones lounge ${suffix}`;
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A phone-sized page, signed out, at the sign-in screen. */
async function phone(width) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, hasTouch: true, isMobile: true, permissions: ['microphone', 'camera'] });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(BASE);
  await page.getByLabel('Display name').waitFor();
  return { context, page, errors };
}

/** What does not fit: a page wider than the screen, or a visible control
 * reaching past its edges (a strip that scrolls by itself may hold more). */
const outsideScreen = (page) => page.evaluate(() => {
  const problems = [];
  const width = window.innerWidth;
  if (document.scrollingElement.scrollWidth > width) problems.push(`page scrolls sideways: ${document.scrollingElement.scrollWidth} > ${width}`);
  for (const el of document.querySelectorAll('button, input, select, h1, .room-row .name')) {
    const r = el.getBoundingClientRect();
    if (!r.width || el.closest('[hidden]') || getComputedStyle(el).visibility === 'hidden') continue;
    const strip = el.parentElement && getComputedStyle(el.parentElement).overflowX === 'auto' ? el.parentElement.getBoundingClientRect() : null;
    const box = strip ?? r;
    if (box.left < -1 || box.right > width + 1) problems.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 30)}" spans ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return problems;
});

/** Form fields with no name on screen: a placeholder or a name only screen readers hear does not count. */
const unlabelled = (page) => page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.getClientRects().length && ![...el.labels].some((l) => {
    const named = l.cloneNode(true);
    named.querySelectorAll('input, select, textarea').forEach((c) => c.remove());
    return l.getClientRects().length && named.textContent.trim();
  }))
  .map((el) => el.getAttribute('aria-label') || el.placeholder || el.outerHTML.slice(0, 60)));

const box = (locator) => locator.boundingBox();
const overlaps = (a, b) => a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;

test('signing in and the room browser fit a phone: one page wide, sign out in reach, readable room names, tabs in one strip', async () => {
  for (const width of WIDTHS) {
    const { context, page, errors } = await phone(width);
    assert.deepEqual(await outsideScreen(page), [], `sign-in at ${width}px`);
    assert.deepEqual(await unlabelled(page), [], `sign-in fields without a visible label at ${width}px`);
    await page.getByLabel('Display name').fill(`Pia ${width}`);
    await page.getByRole('button', { name: 'Continue as guest' }).click();
    await page.getByRole('heading', { name: 'Create a room' }).waitFor();
    if (width === WIDTHS[0]) {  // a room with a long name, for every width's list
      await page.getByLabel('Room name').fill(LONG_NAME);
      await page.getByRole('button', { name: 'Create and join' }).click();
      await page.getByRole('button', { name: 'Leave' }).click();
      await page.getByRole('heading', { name: 'Create a room' }).waitFor();
    }
    await page.getByLabel('Search rooms').fill(LONG_NAME);
    const name = page.locator('.room-row .name', { hasText: LONG_NAME });
    await name.waitFor({ timeout: 20000 });
    assert.deepEqual(await outsideScreen(page), [], `room browser at ${width}px`);
    assert.deepEqual(await unlabelled(page), [], `room browser fields without a visible label at ${width}px`);

    const signOut = await box(page.getByRole('button', { name: 'Sign out' }));
    assert.ok(signOut && signOut.x >= 0 && signOut.x + signOut.width <= width, `Sign out is off screen at ${width}px`);
    // the list refreshes itself: measure the row as it is now, in one go
    const lines = await name.evaluate((el) => el.getBoundingClientRect().height / (parseFloat(getComputedStyle(el).lineHeight) || 21));
    assert.ok(lines <= 2.5, `"${LONG_NAME}" takes ${Math.round(lines)} lines at ${width}px`);
    const tabTops = await page.getByRole('tab').evaluateAll((tabs) => tabs.map((t) => Math.round(t.getBoundingClientRect().top)));
    assert.equal(new Set(tabTops).size, 1, `filter tabs wrap to ${new Set(tabTops).size} rows at ${width}px`);
    if (SHOTS && width === 390) {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(resolve(SHOTS), 'phone-browser.png') });
    }

    await page.getByRole('button', { name: /Settings/ }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    assert.deepEqual(await outsideScreen(page), [], `settings at ${width}px`);
    assert.deepEqual(await unlabelled(page), [], `settings fields without a visible label at ${width}px`);
    const save = await box(page.getByRole('button', { name: 'Save' }));
    assert.ok(save.x + save.width <= width);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

/** The HUD's controls that a thumb reaches for, each with its box. */
const controls = (page) => page.evaluate(() => [...document.querySelectorAll(
  '.hud-top button, .hud-top select, .emotes > .btn, .chatform, .joystick, .jukebox-button, .board-open')]
  .filter((el) => !el.closest('[hidden]') && el.getBoundingClientRect().width > 0)
  .map((el) => { const r = el.getBoundingClientRect(); return { name: (el.textContent || el.className).trim().slice(0, 20), x: r.x, y: r.y, width: r.width, height: r.height }; }));

for (const template of ['bar', 'office']) {
  test(`${template === "office" ? "an" : "a"} ${template} room on a phone: the HUD fits, no control covers another, and a toast leaves mic, camera and share free`, async () => {
    for (const width of WIDTHS) {
      const { context, page, errors } = await phone(width);
      await page.getByLabel('Display name').fill(`Pia ${width}`);
      await page.getByRole('button', { name: 'Continue as guest' }).click();
      await page.getByLabel('Room name').fill(`phones ${template} ${width} ${suffix}`);
      await page.getByLabel('Template').selectOption(template);
      await page.getByRole('button', { name: 'Create and join' }).click();
      await inRoom(page);
      await page.getByRole('button', { name: 'Leave' }).waitFor();
      assert.deepEqual(await outsideScreen(page), [], `${template} room at ${width}px`);

      const all = await controls(page);
      for (const [i, a] of all.entries()) {
        for (const b of all.slice(i + 1)) assert.ok(!overlaps(a, b), `${a.name} and ${b.name} overlap at ${width}px`);
      }
      const media = [page.getByRole('button', { name: /^(Mic on|Muted|No mic|Mic denied)$/ }), page.getByRole('button', { name: /camera$/ }), page.getByRole('button', { name: /^(Share screen|Sharing)$/ })];
      const boxes = [];
      for (const m of media) if (await m.count()) boxes.push(await box(m));
      assert.ok(boxes.length >= 2, `mic and camera buttons in the HUD at ${width}px`);

      await page.getByRole('button', { name: 'Invite' }).click();  // a toast: the link, copied or to share
      const toast = page.locator('#toast.on');
      await toast.waitFor();
      const t = await box(toast);
      assert.ok(t.x >= 0 && t.x + t.width <= width, `the toast is cut off at ${width}px`);
      for (const c of all) assert.ok(!overlaps(t, c), `the toast covers ${c.name} at ${width}px`);
      for (const b of boxes) assert.ok(!overlaps(t, b), `the toast covers a media button at ${width}px`);

      // The room's settings: a microphone with a long name (as headsets have) stays inside the screen.
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      const mic = page.getByLabel('Microphone');
      await mic.waitFor();
      await mic.evaluate((s) => { s.append(new Option('Jabra Evolve2 65 Bluetooth Hands-Free AG Audio headset microphone, second unit', 'long')); s.value = 'long'; });
      assert.deepEqual(await outsideScreen(page), [], `the room's settings at ${width}px`);
      const panel = await box(page.locator('.room-settings'));
      assert.ok(panel.x >= 0 && panel.x + panel.width <= width, `the room's settings reach past the screen at ${width}px: ${JSON.stringify(panel)}`);
      const picked = await box(mic);
      assert.ok(picked.x + picked.width <= panel.x + panel.width, `the microphone's name runs out of its panel at ${width}px`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
}
