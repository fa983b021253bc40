// Shared helpers for headless Chromium checks: the Debian browser (no
// download), software WebGL, a fresh profile, and `vite preview` of dist/.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export async function launch(extraArgs = []) {
  const profile = mkdtempSync(join(tmpdir(), 'virtubar-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', ...extraArgs],
    viewport: { width: 1280, height: 800 },
  });
  const close = async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); };
  return { context, close };
}

/** Serves dist/ with `vite preview` on a free port; resolves with its URL. */
export function preview(port = 4173) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error(`vite preview did not start:\n${out}`)); }, 30000);
    const onData = (d) => {
      out += d;
      if (out.includes(`:${port}`)) { clearTimeout(timer); resolve({ url: `http://127.0.0.1:${port}`, stop: () => child.kill() }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vite preview exited ${code}:\n${out}`)); });
  });
}
