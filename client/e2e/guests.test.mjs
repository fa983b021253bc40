// Fifty guests from one address, in real headless Chromium against a running
// VirtuBar server (embedded mode, VIRTUBAR_E2E_URL) whose guest limit per
// address is VIRTUBAR_E2E_GUESTS_PER_HOUR (the server's VIRTUBAR_GUESTS_PER_HOUR,
// lowered from its default for the test): as many browsers as the limit, each
// its own cookie jar and all from 127.0.0.1 like a class behind one router,
// sign in as guests and reach the room browser; the next one is told why not,
// in a sentence.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 VIRTUBAR_E2E_GUESTS_PER_HOUR=50 node --test e2e/guests.test.mjs
// (against a server started with VIRTUBAR_GUESTS_PER_HOUR=50 and no guest signed in yet).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { guest, launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
const LIMIT = Number(process.env.VIRTUBAR_E2E_GUESTS_PER_HOUR);
if (!(LIMIT >= 50)) throw new Error('set VIRTUBAR_E2E_GUESTS_PER_HOUR to the server\'s guest limit per address (50 or more)');
const BATCH = 10;  // browsers signing in at once, so two cores keep up

const suffix = Math.random().toString(36).slice(2, 7);
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test(`${LIMIT} guests from one address, each in their own browser, all reach the room browser`, async () => {
  const devices = new Set();
  for (let start = 0; start < LIMIT; start += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, LIMIT - start) },
      (_, i) => guest(browser, BASE, `Pupil ${start + i + 1} ${suffix}`)));
    for (const g of batch) {
      await g.page.getByText(`${g.name} (guest)`).waitFor();
      const device = (await g.context.cookies()).find((c) => c.name === 'vb_device');
      assert.ok(device, `${g.name}'s browser was given its device cookie`);
      devices.add(device.value);
      assert.deepEqual(g.errors, [], g.name);
      await g.context.close();
    }
  }
  assert.equal(devices.size, LIMIT);  // one device each: the per-browser limit counted none twice
});

test('the next guest from that address is told, in a sentence, to come back later or sign in', async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 750 } });
  const page = await context.newPage();
  await page.goto(BASE);
  await page.getByLabel('Display name').fill(`Pupil ${LIMIT + 1} ${suffix}`);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  const alert = page.getByRole('alert');
  await alert.filter({ hasText: /\S/ }).waitFor();
  assert.equal(await alert.textContent(),
    'Too many guests have joined from your network in the last hour. Try again in 60 minutes, or sign in with an account.');
  assert.equal(await page.getByRole('heading', { name: 'Create a room' }).count(), 0);  // still at the door
  assert.equal(await page.getByRole('button', { name: 'Continue as guest' }).isEnabled(), true);
  await context.close();
});
