// Draws the app icons (a bar stool under a speech bubble) as PNGs with no
// image library: a tiny RGBA rasterizer plus zlib. Run: node scripts/icons.mjs
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size, paint) {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b] = paint(x / size, y / size);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const bg = [27, 20, 48], amber = [255, 176, 59], teal = [64, 214, 196], white = [250, 246, 240];
function paint(u, v) {
  const dx = u - 0.5, dy = v - 0.36;
  if (Math.abs(dx) < 0.26 && Math.abs(dy) < 0.14) return white;           // speech bubble
  if (Math.abs(u - 0.42) < 0.05 && v > 0.49 && v < 0.56 && u - 0.37 < (0.56 - v)) return white; // its tail
  if (Math.hypot(dx, v - 0.66) < 0.13 && v < 0.7) return amber;           // stool seat
  if (Math.abs(dx) < 0.025 && v >= 0.66 && v < 0.86) return teal;        // leg
  if (Math.abs(dx) < 0.12 && v >= 0.84 && v < 0.88) return teal;          // foot
  return bg;
}
for (const size of [192, 512]) writeFileSync(`public/icons/icon-${size}.png`, png(size, paint));
