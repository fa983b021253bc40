// Shared helpers for headless Chromium checks: the Debian browser (no
// download), software WebGL, and `vite preview` of dist/.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Playwright gives each launch a fresh temporary profile. */
export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', ...extraArgs],
  });
}

/** Serves dist/ with `vite preview`; resolves with its URL. */
export function preview(port = Number(process.env.PORT || 4173)) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let out = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`vite preview did not start:\n${out}`)); }, 30000);
    const onData = (d) => {
      out += String(d).replace(/\x1b\[[0-9;]*m/g, ''); // colour codes split the URL when CI forces colour
      if (out.includes(`:${port}`)) { clearTimeout(timer); resolve({ url: `http://127.0.0.1:${port}`, stop: () => child.kill() }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vite preview exited ${code}:\n${out}`)); });
  });
}

/** Opens a page and collects its errors, so a test can assert there were none. */
export async function open(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  return { page, errors };
}

export const framesAtLeast = (page, n) =>
  page.waitForFunction((k) => window.virtubar?.view?.stats.frames > k, n, { timeout: 90000 });

/** A guest named `name` signed in at `base` in a fresh context of `browser`
 * (`contextOptions`: viewport, permissions), waiting at the room browser. */
export async function guest(browser, base, name, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 750 }, ...contextOptions });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base);
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Continue as guest' }).click();
  await page.getByRole('heading', { name: 'Create a room' }).waitFor();
  return { context, page, errors, name };
}

/** Resolves once the room's view has drawn a few frames. */
export const inRoom = (page) => page.waitForFunction(() => window.virtubar?.view?.stats.frames > 5, null, { timeout: 60000 });

/** axe-core's serious and critical findings on the page, one line each (an empty list when none). */
export async function accessibilityProblems(page) {
  const { createRequire } = await import('node:module');
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join(' | ')}`);
  });
}
