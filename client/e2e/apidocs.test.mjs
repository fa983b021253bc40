// The API reference at /api/docs in real headless Chromium with the network
// cut off from everything but the server under test (VIRTUBAR_E2E_URL): every
// request to another host is refused, and the page still renders the
// operations from /api/schema/openapi.json.
// Run: VIRTUBAR_E2E_URL=http://127.0.0.1:8000 npm run e2e:apidocs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';

const BASE = process.env.VIRTUBAR_E2E_URL;
if (!BASE) throw new Error('set VIRTUBAR_E2E_URL to the server under test, e.g. http://127.0.0.1:8000');
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('/api/docs renders the API reference with no host but the server', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const refused = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === new URL(BASE).origin || url.protocol === 'data:' || url.protocol === 'blob:') return route.continue();
    refused.push(url.href);
    return route.abort('internetdisconnected');
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); }); // a refused script or CSP violation
  await page.goto(`${BASE}/api/docs`);
  await page.getByText('VirtuBar API').first().waitFor({ timeout: 60000 });
  await page.getByText('Liveness and database reachability').first().waitFor({ timeout: 60000 });
  assert.deepEqual(refused, [], 'the page asked other hosts');
  assert.deepEqual(errors, []);
  await context.close();
});
