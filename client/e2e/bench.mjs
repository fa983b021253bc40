// Client frame bench: the bench page (`?provider=sim&bench=1`) with N moving
// remote avatars in headless Chromium's software renderer (SwiftShader).
// Prints a table and writes the "Client rendering" section of docs/benchmarks.md.
//   npm run bench            (after npm run build; MEASURE_S=10 by default)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { launch, preview } from './browser.mjs';

const MEASURE_S = Number(process.env.MEASURE_S || 10);
const CASES = [['bar', 0], ['bar', 50], ['office', 50], ['world', 50]];
const doc = new URL('../../docs/benchmarks.md', import.meta.url);

const server = await preview(Number(process.env.PORT || 4174));
const browser = await launch(['--enable-precise-memory-info']);
const rows = [];
try {
  for (const [template, members] of CASES) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${server.url}/?provider=sim&bench=1&template=${template}&members=${members}&seed=5`);
    await page.waitForFunction(() => window.virtubar?.view?.stats.frames > 60, null, { timeout: 120000 });
    const snap = () => page.evaluate(() => ({ ...window.virtubar.view.stats, heap: performance.memory.usedJSHeapSize, now: performance.now() }));
    const a = await snap();
    await page.waitForTimeout(MEASURE_S * 1000);
    const b = await snap();
    const frames = b.frames - a.frames;
    rows.push({
      template, avatars: members + 1, drawCalls: b.drawCalls,
      fps: frames / ((b.now - a.now) / 1000), frameMs: (b.intervalMs - a.intervalMs) / frames, workMs: (b.workMs - a.workMs) / frames,
      heapKbPerS: (b.heap - a.heap) / 1024 / ((b.now - a.now) / 1000),
    });
    await page.close();
  }
} finally {
  await browser.close();
  server.stop();
}

const table = ['| template | avatars | draw calls | frames/s | frame interval (ms) | JS work per frame (ms) | JS heap growth (KB/s) |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.template} | ${r.avatars} | ${r.drawCalls} | ${r.fps.toFixed(1)} | ${r.frameMs.toFixed(1)} | ${r.workMs.toFixed(2)} | ${r.heapKbPerS.toFixed(1)} |`)].join('\n');
console.log(table);
const section = `## Client rendering

Headless Chromium (Debian \`/usr/bin/chromium\`, \`--disable-gpu\`, SwiftShader software WebGL) on this
machine (${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}), 1280×720, the bench page with the offline
\`sim\` provider: simulated members walk, dance and talk (10 transform batches per second, interpolated).
Measured over ${MEASURE_S} s after warm-up. "JS work per frame" is the main-thread time of the frame loop
(interpolation, instancing, overlay, issuing WebGL calls); the frame interval includes software rasterisation,
which a laptop GPU does in hardware. Avatars are 6 instanced meshes in total; the room is merged geometry.

${table}

Command: \`cd client && npm run build && npm run bench\` (writes this section).
`;
const text = existsSync(doc) ? readFileSync(doc, 'utf8') : '# Benchmarks\n';
const pattern = /^## Client rendering[\s\S]*?(?=^## |(?![\s\S]))/m;
writeFileSync(doc, pattern.test(text) ? text.replace(pattern, section) : text.trimEnd() + '\n\n' + section);
