/** Shapes, text and sticky notes on a whiteboard: kept in the board's Yjs
 * document so they reach another player's copy, hidden when their author is
 * blocked, erased and exported to SVG with the strokes. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { arrowHead, clearItems, eraseItems, itemsSvg, place, visibleItems } from '../src/board/items';
import { begin, toSvg, visible } from '../src/board/strokes';

const note = { by: 'ann', kind: 'sticky' as const, color: '#1f2937', x: 0.1, y: 0.1, w: 0.16, h: 0.16, text: 'Ship <it> Friday' };

describe('items on a whiteboard', () => {
  it('reaches another player\'s document as one update, apart from the strokes', () => {
    const ann = new Y.Doc(), bob = new Y.Doc();
    const updates: Uint8Array[] = [];
    ann.on('update', (u: Uint8Array) => updates.push(u));
    place(ann, note);
    expect(updates).toHaveLength(1);
    Y.applyUpdate(bob, updates[0]);
    expect(visibleItems(bob, new Set()).map((i) => [i.kind, i.text, i.by])).toEqual([['sticky', 'Ship <it> Friday', 'ann']]);
    expect(visible(bob, new Set())).toEqual([]);
  });

  it('hides a blocked player\'s items from the blocker only', () => {
    const doc = new Y.Doc();
    place(doc, { ...note, by: 'troll', text: 'spam' });
    place(doc, { by: 'ann', kind: 'rect', color: '#ef4444', x: 0.5, y: 0.5, w: 0.2, h: 0.1 });
    expect(visibleItems(doc, new Set(['troll'])).map((i) => i.kind)).toEqual(['rect']);
    expect(visibleItems(doc, new Set()).map((i) => i.by)).toEqual(['troll', 'ann']);
  });

  it('erases the item under the eraser, a line drawn backwards included, and clears the rest', () => {
    const doc = new Y.Doc();
    place(doc, note);
    place(doc, { by: 'ann', kind: 'line', color: '#3b82f6', x: 0.9, y: 0.9, w: -0.2, h: -0.2 });
    expect(eraseItems(doc, 0.8, 0.8, 0.005)).toBe(1);
    expect(visibleItems(doc, new Set()).map((i) => i.kind)).toEqual(['sticky']);
    expect(eraseItems(doc, 0.6, 0.6, 0.005)).toBe(0);
    clearItems(doc);
    expect(visibleItems(doc, new Set())).toEqual([]);
  });

  it('exports shapes, an arrow\'s head and a note\'s escaped text to SVG over the strokes', () => {
    const doc = new Y.Doc();
    begin(doc, 'ann', '#1f2937', 3, 0, 0);
    place(doc, note);
    place(doc, { by: 'ann', kind: 'ellipse', color: '#22c55e', x: 0.5, y: 0.5, w: 0.2, h: 0.1 });
    place(doc, { by: 'ann', kind: 'arrow', color: '#ef4444', x: 0, y: 0, w: 0.5, h: 0 });
    const svg = toSvg(visible(doc, new Set()), 200, 100, itemsSvg(visibleItems(doc, new Set()), 200, 100));
    expect(svg.indexOf('<path d="M0.0 0.0"')).toBeLessThan(svg.indexOf('<rect x="20.0"'));  // strokes first
    expect(svg).toContain('fill="#fde68a"');
    expect(svg).toContain('Ship &lt;it&gt; Friday');
    expect(svg).toContain('<ellipse cx="120.0" cy="55.0" rx="20.0" ry="5.0"');
    expect(svg).toContain('M0.0 0.0 L100.0 0.0 M');  // the shaft, then the head's barbs
    const [ax, ay, bx, by] = arrowHead(0, 0, 100, 0, 14);
    expect(ax).toBeLessThan(100);
    expect(bx).toBeLessThan(100);
    expect(Math.sign(ay)).toBe(-Math.sign(by));
  });
});
