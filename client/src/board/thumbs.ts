/** The board's picture on its object in the room: every whiteboard's
 * current content, drawn by the board's own painter (board/paint.ts) into a
 * small canvas that the room shows on the board's face (render/boardFace.ts),
 * blocked players' strokes and items left out as on the full board. A board
 * is drawn again only when its document changed, and at most once every
 * THUMB_EVERY_MS: a fast hand does not redraw a texture each frame. */
import type * as Y from 'yjs';
import type { WorldObject } from '../world/world';
import { visibleItems } from './items';
import { paint } from './paint';
import { visible } from './strokes';
import { WHOLE } from './view';

export const THUMB_EVERY_MS = 1000;
/** The picture's size in canvas pixels: a board's usual shape on a screen, small enough to redraw cheaply. */
export const THUMB_PX = { w: 320, h: 200 } as const;
/** Drawn at the full board's CSS size scaled down, so pens, notes and text keep their look, only smaller. */
const THUMB_SCALE = 0.5;

/** Which boards are due a redraw: changed since their last one and not drawn in the last `everyMs`. */
export class Throttle {
  private readonly changed = new Set<string>();
  private readonly last = new Map<string, number>();

  constructor(private readonly everyMs = THUMB_EVERY_MS) {}

  mark(id: string): void {
    this.changed.add(id);
  }

  /** The boards to draw now; they count as drawn at `now`. */
  due(now: number): string[] {
    const out: string[] = [];
    for (const id of this.changed) {
      if (now - (this.last.get(id) ?? -Infinity) < this.everyMs) continue;
      out.push(id);
      this.last.set(id, now);
    }
    for (const id of out) this.changed.delete(id);
    return out;
  }

  forget(id: string): void {
    this.changed.delete(id);
    this.last.delete(id);
  }
}

/** Where the picture sits on a whiteboard (worldMesh.ts's white face, 0.7 to 1.55 m up): its centre just in
 * front of the face, turned with the board, as large as fits while it keeps the board's shape. */
export interface Place { x: number; y: number; z: number; w: number; h: number; rot: number }

export function thumbPlace(o: WorldObject): Place {
  const faceW = (o.w ?? 1) - 0.15, faceH = 0.85, shape = THUMB_PX.w / THUMB_PX.h;
  const w = Math.min(faceW, faceH * shape), rot = o.rot ?? 0, out = 0.1;
  return { x: o.x + Math.sin(rot) * out, y: 0.7 + faceH / 2, z: o.z + Math.cos(rot) * out, w, h: w / shape, rot };
}

/** What changes the picture's place, so a moved board's face follows. */
export function placeKey(o: WorldObject): string {
  return [o.x, o.z, o.w ?? 1, o.rot ?? 0].join(',');
}

/** Draws the board's document as its blocker-aware picture on `canvas`. */
export function paintThumb(canvas: HTMLCanvasElement, doc: Y.Doc, blocked: ReadonlySet<string>): void {
  paint(canvas, { strokes: visible(doc, blocked), items: visibleItems(doc, blocked) }, WHOLE, THUMB_SCALE,
    [THUMB_PX.w / THUMB_SCALE, THUMB_PX.h / THUMB_SCALE]);
}
