/** The board's document shape (virtubar/boards.py): a root array `strokes` of
 * maps (`id`, `by`, `tool`: `pen` or `highlighter`, `color`, `width`,
 * `points`: x, y pairs in board units 0..1). A highlighter's stroke is wide
 * and see-through, so what it marks stays readable. Pure document edits, so drawing, erasing and clearing are
 * Yjs transactions that sync like any other change. */
import * as Y from 'yjs';

export const STROKES = 'strokes';
export const COLOURS = ['#1f2937', '#ef4444', '#3b82f6', '#22c55e', '#f59e0b', '#a855f7'] as const;

/** How a tool's stroke looks: its width (CSS pixels) and opacity. */
export const PENS = { pen: { width: 3, opacity: 1 }, highlighter: { width: 18, opacity: 0.35 } } as const;
export type Pen = keyof typeof PENS;

export function opacity(tool: string): number {
  return tool === 'highlighter' ? PENS.highlighter.opacity : 1;
}

export interface Stroke { id: string; by: string; tool: string; color: string; width: number; points: number[] }

export function strokes(doc: Y.Doc): Y.Array<Y.Map<unknown>> {
  return doc.getArray<Y.Map<unknown>>(STROKES);
}

/** A new stroke (a pen's, unless `tool` says highlighter) starting at (x, y); its points grow with `extend`. */
export function begin(doc: Y.Doc, by: string, color: string, width: number, x: number, y: number,
  tool: Pen = 'pen'): Y.Map<unknown> {
  const stroke = new Y.Map<unknown>();
  doc.transact(() => {
    stroke.set('id', `${doc.clientID}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`);
    stroke.set('by', by);
    stroke.set('tool', tool);
    stroke.set('color', color);
    stroke.set('width', width);
    const points = new Y.Array<number>();
    points.push([x, y]);
    stroke.set('points', points);
    strokes(doc).push([stroke]);
  });
  return stroke;
}

export function extend(stroke: Y.Map<unknown>, x: number, y: number): void {
  (stroke.get('points') as Y.Array<number>).push([x, y]);
}

/** Deletes every stroke passing within `radius` of (x, y); how many. */
export function erase(doc: Y.Doc, x: number, y: number, radius: number): number {
  const arr = strokes(doc);
  const hit: number[] = [];
  arr.forEach((s, i) => {
    const p = (s.get('points') as Y.Array<number>).toArray();
    for (let k = 0; k + 1 < p.length; k += 2) {
      if (Math.hypot(p[k] - x, p[k + 1] - y) <= radius) { hit.push(i); break; }
    }
  });
  doc.transact(() => { for (const i of hit.reverse()) arr.delete(i, 1); });
  return hit.length;
}

export function clear(doc: Y.Doc): void {
  const arr = strokes(doc);
  if (arr.length) arr.delete(0, arr.length);
}

/** The strokes to show: a blocked player's are hidden from the blocker (they still exist for everyone else). */
export function visible(doc: Y.Doc, blocked: ReadonlySet<string>): Stroke[] {
  return strokes(doc).toArray().map((s) => s.toJSON() as Stroke).filter((s) => !blocked.has(s.by));
}

/** The board as SVG, `w` x `h` pixels; `above`: more SVG drawn over the strokes (the board's items). */
export function toSvg(list: Stroke[], w: number, h: number, above = ''): string {
  const paths = list.map((s) => {
    const d = [];
    for (let k = 0; k + 1 < s.points.length; k += 2) {
      d.push(`${k ? 'L' : 'M'}${(s.points[k] * w).toFixed(1)} ${(s.points[k + 1] * h).toFixed(1)}`);
    }
    const see = opacity(s.tool) < 1 ? ` stroke-opacity="${opacity(s.tool)}"` : '';
    return `<path d="${d.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width}"${see} ` +
      'stroke-linecap="round" stroke-linejoin="round"/>';
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${paths.join('')}${above}</svg>`;
}
