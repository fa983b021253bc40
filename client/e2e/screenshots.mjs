// Screenshots of every template with the offline `sim` provider, saved to
// docs/screenshots/<template>.png. Run after `npm run build`.
import { mkdirSync } from 'node:fs';
import { launch, preview } from './browser.mjs';

const TEMPLATES = ['bar', 'office', 'focus', 'world'];
const outDir = new URL('../../docs/screenshots/', import.meta.url);
mkdirSync(outDir, { recursive: true });

const server = await preview(Number(process.env.PORT || 4173));
const { context, close } = await launch();
try {
  for (const template of TEMPLATES) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${server.url}/?provider=sim&template=${template}&members=10&seed=3`);
    await page.waitForFunction(() => window.virtubar?.view?.stats.frames > 30, null, { timeout: 60000 });
    await page.waitForTimeout(2500);
    const file = new URL(`${template}.png`, outDir);
    await page.screenshot({ path: file.pathname });
    if (errors.length) throw new Error(`${template}: page errors:\n${errors.join('\n')}`);
    console.log(`saved ${file.pathname}`);
    await page.close();
  }
} finally {
  await close();
  server.stop();
}
