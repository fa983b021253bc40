/** Where the board is looked at: pan and zoom, apart from any drawing. A view
 * is the board point (board units 0..1) at the canvas's top-left corner and a
 * zoom (1: the whole board fills the canvas); a canvas point is given as a
 * share of the canvas (0..1 each way). Zooming keeps the point under the
 * pointer (or the fingers) where it is. */
export interface View { x: number; y: number; zoom: number }

export const WHOLE: View = { x: 0, y: 0, zoom: 1 };
export const ZOOM = { min: 1, max: 8 } as const;

/** The board point under canvas point (sx, sy). */
export function toBoard(v: View, sx: number, sy: number): [number, number] {
  return [v.x + sx / v.zoom, v.y + sy / v.zoom];
}

/** The canvas point (0..1 shares) showing board point (x, y). */
export function toCanvas(v: View, x: number, y: number): [number, number] {
  return [(x - v.x) * v.zoom, (y - v.y) * v.zoom];
}

/** Kept so the view never leaves the board. */
function kept(x: number, y: number, zoom: number): View {
  const z = Math.min(Math.max(zoom, ZOOM.min), ZOOM.max);
  const room = 1 - 1 / z;
  return { x: Math.min(Math.max(x, 0), room), y: Math.min(Math.max(y, 0), room), zoom: z };
}

/** Zoom by `factor` around canvas point (sx, sy). */
export function zoomAt(v: View, sx: number, sy: number, factor: number): View {
  const [bx, by] = toBoard(v, sx, sy);
  const zoom = Math.min(Math.max(v.zoom * factor, ZOOM.min), ZOOM.max);
  return kept(bx - sx / zoom, by - sy / zoom, zoom);
}

/** Drag the board by (dsx, dsy) shares of the canvas: it follows the pointer. */
export function pan(v: View, dsx: number, dsy: number): View {
  return kept(v.x - dsx / v.zoom, v.y - dsy / v.zoom, v.zoom);
}
