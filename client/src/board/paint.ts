/** Drawing a board on a canvas through a view (pan and zoom): its strokes,
 * its items over them, the shape being dragged out (not in the document
 * yet) and a dashed frame round the item selected. */
import { drawItems, type Item } from './items';
import { opacity, type Stroke } from './strokes';
import type { View } from './view';

export interface Scene { strokes: Stroke[]; items: Item[]; preview?: Item | null; selected?: Item | null }

/** Paints `scene` on `c` at `size` (CSS pixels: its size on the page, unless told) times `dpr` device pixels. */
export function paint(c: HTMLCanvasElement, scene: Scene, view: View, dpr: number,
  size: [number, number] = [c.clientWidth, c.clientHeight]): void {
  const w = (c.width = Math.round(size[0] * dpr));
  const h = (c.height = Math.round(size[1] * dpr));
  const g = c.getContext('2d');
  if (!g) return;
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.fillStyle = '#e5e7eb';  // outside the board, when zoomed out to its edge
  g.fillRect(0, 0, w, h);
  g.setTransform(view.zoom, 0, 0, view.zoom, -view.x * w * view.zoom, -view.y * h * view.zoom);
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, w, h);
  g.lineCap = 'round';
  g.lineJoin = 'round';
  for (const s of scene.strokes) {
    g.globalAlpha = opacity(s.tool);
    g.strokeStyle = s.color;
    g.lineWidth = s.width * dpr;
    g.beginPath();
    for (let k = 0; k + 1 < s.points.length; k += 2) {
      const px = s.points[k] * w, py = s.points[k + 1] * h;
      if (k) g.lineTo(px, py); else g.moveTo(px, py);
    }
    g.stroke();
  }
  g.globalAlpha = 1;
  drawItems(g, scene.preview ? [...scene.items, scene.preview] : scene.items, w, h, dpr);
  const sel = scene.selected;
  if (sel) {
    g.setLineDash([6 * dpr, 4 * dpr]);
    g.strokeStyle = '#3b82f6';
    g.lineWidth = 2 * dpr / view.zoom;
    const pad = 4 * dpr;
    g.strokeRect(Math.min(sel.x, sel.x + sel.w) * w - pad, Math.min(sel.y, sel.y + sel.h) * h - pad,
      Math.abs(sel.w) * w + 2 * pad, Math.abs(sel.h) * h + 2 * pad);
    g.setLineDash([]);
  }
}
