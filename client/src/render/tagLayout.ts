/** Name tags that do not cover each other: where two overlap on screen, the
 * one further back (higher on screen) moves up until it clears. Pure: boxes
 * in, lifts out, so the frame loop only applies them. */

/** A tag on screen: `x` its centre, `y` its bottom edge, in pixels. */
export interface TagBox { x: number; y: number; w: number; h: number }

/** How many pixels to lift each tag (0: where it is) so that none overlap. */
export function liftTags(boxes: readonly TagBox[], gap = 2, out: number[] = []): number[] {
  out.length = boxes.length;
  const order = boxes.map((_, i) => i).sort((a, b) => boxes[b].y - boxes[a].y);  // the front ones (lower on screen) keep their place
  const placed: number[] = [];
  for (const i of order) {
    const b = boxes[i];
    let lift = 0;
    for (let moved = true; moved; ) {
      moved = false;
      for (const j of placed) {
        const p = boxes[j], pTop = p.y - p.h - out[j];
        const apart = Math.abs(b.x - p.x) >= (b.w + p.w) / 2 || b.y - lift <= pTop - gap + 0.001 || b.y - b.h - lift >= p.y - out[j];
        if (!apart) { lift = b.y - pTop + gap; moved = true; }
      }
    }
    out[i] = lift;
    placed.push(i);
  }
  return out;
}
