/** Shapes, text and sticky notes on a board: a root array `items` of maps
 * (`id`, `by`, `kind`, `color`, `x`, `y`, `w`, `h` in board units 0..1, and
 * `text` for text and sticky notes). A line or arrow runs from (x, y) to
 * (x + w, y + h), so w and h may be negative; a rectangle or ellipse fills
 * that box. Kept apart from `strokes` so a pen stroke's growing points never
 * touch them; drawn after the strokes, so a note stays readable on top. */
import * as Y from 'yjs';

export const ITEMS = 'items';
export const SHAPES = ['rect', 'ellipse', 'line', 'arrow'] as const;
export type ItemKind = (typeof SHAPES)[number] | 'text' | 'sticky';
export const STICKY_FILL = '#fde68a';
/** A note's or a text's size in board units, and its text's height as a share of the board's. */
export const NOTE = { w: 0.16, h: 0.16, font: 0.025 } as const;

export interface Item { id: string; by: string; kind: ItemKind; color: string; x: number; y: number; w: number; h: number; text?: string }

export function items(doc: Y.Doc): Y.Array<Y.Map<unknown>> {
  return doc.getArray<Y.Map<unknown>>(ITEMS);
}

/** Adds an item (one transaction, one update); its id. */
export function place(doc: Y.Doc, item: Omit<Item, 'id'>): string {
  const id = `${doc.clientID}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const map = new Y.Map<unknown>();
  doc.transact(() => {
    for (const [k, v] of Object.entries({ ...item, id })) if (v !== undefined) map.set(k, v);
    items(doc).push([map]);
  });
  return id;
}

/** Deletes the items whose box holds (x, y) within `radius`; how many. */
export function eraseItems(doc: Y.Doc, x: number, y: number, radius: number): number {
  const arr = items(doc);
  const hit: number[] = [];
  arr.forEach((m, i) => {
    const it = m.toJSON() as Item;
    const [x0, y0, x1, y1] = box(it);
    if (x >= x0 - radius && x <= x1 + radius && y >= y0 - radius && y <= y1 + radius) hit.push(i);
  });
  doc.transact(() => { for (const i of hit.reverse()) arr.delete(i, 1); });
  return hit.length;
}

/** The box an item covers, corners ordered: [x0, y0, x1, y1]. */
function box(it: Item): [number, number, number, number] {
  return [Math.min(it.x, it.x + it.w), Math.min(it.y, it.y + it.h), Math.max(it.x, it.x + it.w), Math.max(it.y, it.y + it.h)];
}

/** The top-most of `list` whose box holds (x, y) within `slop`: what a click picks. */
export function itemAt(list: Item[], x: number, y: number, slop = 0.01): Item | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const [x0, y0, x1, y1] = box(list[i]);
    if (x >= x0 - slop && x <= x1 + slop && y >= y0 - slop && y <= y1 + slop) return list[i];
  }
  return undefined;
}

function mapOf(doc: Y.Doc, id: string): Y.Map<unknown> | undefined {
  return items(doc).toArray().find((m) => m.get('id') === id);
}

/** Moves an item so its corner is at (x, y), kept on the board; false if it is gone (erased meanwhile). */
export function moveItem(doc: Y.Doc, id: string, x: number, y: number): boolean {
  const m = mapOf(doc, id);
  if (!m) return false;
  const it = m.toJSON() as Item;
  const clamp = (v: number, size: number) => Math.min(Math.max(v, -Math.min(size, 0)), 1 - Math.max(size, 0));
  doc.transact(() => { m.set('x', clamp(x, it.w)); m.set('y', clamp(y, it.h)); });
  return true;
}

/** Replaces a text's or a sticky note's words (at most 280 characters); false if it has none or is gone. */
export function editText(doc: Y.Doc, id: string, text: string): boolean {
  const m = mapOf(doc, id);
  if (!m || typeof m.get('text') !== 'string') return false;
  m.set('text', text.slice(0, 280));
  return true;
}

export function clearItems(doc: Y.Doc): void {
  const arr = items(doc);
  if (arr.length) arr.delete(0, arr.length);
}

/** The items to show: a blocked player's are hidden from the blocker, like their strokes. */
export function visibleItems(doc: Y.Doc, blocked: ReadonlySet<string>): Item[] {
  return items(doc).toArray().map((m) => m.toJSON() as Item).filter((it) => !blocked.has(it.by));
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/** The arrow head's two barbs at (x2, y2), pointing away from (x1, y1), `size` pixels long. */
export function arrowHead(x1: number, y1: number, x2: number, y2: number, size: number): [number, number, number, number] {
  const a = Math.atan2(y2 - y1, x2 - x1);
  return [x2 - size * Math.cos(a - 0.5), y2 - size * Math.sin(a - 0.5), x2 - size * Math.cos(a + 0.5), y2 - size * Math.sin(a + 0.5)];
}

/** The items as SVG elements for a `w` x `h` picture (after the strokes' paths). */
export function itemsSvg(list: Item[], w: number, h: number): string {
  return list.map((it) => {
    const [x, y, iw, ih] = [it.x * w, it.y * h, it.w * w, it.h * h];
    const box = `x="${Math.min(x, x + iw).toFixed(1)}" y="${Math.min(y, y + ih).toFixed(1)}" ` +
      `width="${Math.abs(iw).toFixed(1)}" height="${Math.abs(ih).toFixed(1)}"`;
    const line = `stroke="${it.color}" stroke-width="3" fill="none"`;
    const text = (at: number) => `<text x="${(x + 8).toFixed(1)}" y="${(y + at).toFixed(1)}" fill="${it.kind === 'sticky' ? '#1f2937' : it.color}" ` +
      `font-family="sans-serif" font-size="${(NOTE.font * h).toFixed(1)}">${escape(it.text ?? '')}</text>`;
    switch (it.kind) {
      case 'rect': return `<rect ${box} ${line}/>`;
      case 'ellipse': return `<ellipse cx="${(x + iw / 2).toFixed(1)}" cy="${(y + ih / 2).toFixed(1)}" ` +
        `rx="${Math.abs(iw / 2).toFixed(1)}" ry="${Math.abs(ih / 2).toFixed(1)}" ${line}/>`;
      case 'line':
      case 'arrow': {
        const d = `M${x.toFixed(1)} ${y.toFixed(1)} L${(x + iw).toFixed(1)} ${(y + ih).toFixed(1)}`;
        const [ax, ay, bx, by] = arrowHead(x, y, x + iw, y + ih, 14);
        const head = it.kind === 'arrow' ? ` M${ax.toFixed(1)} ${ay.toFixed(1)} L${(x + iw).toFixed(1)} ${(y + ih).toFixed(1)} L${bx.toFixed(1)} ${by.toFixed(1)}` : '';
        return `<path d="${d}${head}" ${line} stroke-linecap="round"/>`;
      }
      case 'sticky': return `<rect ${box} fill="${STICKY_FILL}" stroke="#d97706"/>${text(NOTE.font * h + 8)}`;
      default: return text(NOTE.font * h);
    }
  }).join('');
}

/** Draws the items on a `w` x `h` canvas (`scale`: device pixels per CSS pixel). */
export function drawItems(g: CanvasRenderingContext2D, list: Item[], w: number, h: number, scale: number): void {
  for (const it of list) {
    const [x, y, iw, ih] = [it.x * w, it.y * h, it.w * w, it.h * h];
    g.strokeStyle = it.color;
    g.lineWidth = 3 * scale;
    g.font = `${NOTE.font * h}px sans-serif`;
    g.textBaseline = 'top';
    g.beginPath();
    if (it.kind === 'rect') g.rect(x, y, iw, ih);
    else if (it.kind === 'ellipse') g.ellipse(x + iw / 2, y + ih / 2, Math.abs(iw / 2), Math.abs(ih / 2), 0, 0, Math.PI * 2);
    else if (it.kind === 'line' || it.kind === 'arrow') {
      g.moveTo(x, y);
      g.lineTo(x + iw, y + ih);
      if (it.kind === 'arrow') {
        const [ax, ay, bx, by] = arrowHead(x, y, x + iw, y + ih, 14 * scale);
        g.moveTo(ax, ay); g.lineTo(x + iw, y + ih); g.lineTo(bx, by);
      }
    } else if (it.kind === 'sticky') {
      g.fillStyle = STICKY_FILL;
      g.fillRect(x, y, iw, ih);
      g.fillStyle = '#1f2937';
      g.fillText(it.text ?? '', x + 8 * scale, y + 8 * scale, iw - 16 * scale);
      continue;
    } else {
      g.fillStyle = it.color;
      g.fillText(it.text ?? '', x + 8 * scale, y, Math.max(iw, 1));
      continue;
    }
    g.stroke();
  }
}
