/** A whiteboard's editing beyond drawing: pan and zoom keep the point under
 * the pointer, items are picked, moved and re-worded in the shared document,
 * undo takes back only this player's own changes, a highlighter is see-through. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { editText, itemAt, items, moveItem, place, visibleItems } from '../src/board/items';
import { begin, extend, strokes, toSvg, visible } from '../src/board/strokes';
import { pan, toBoard, toCanvas, WHOLE, zoomAt } from '../src/board/view';

const sync = (from: Y.Doc, to: Y.Doc) => Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)), 'remote');

describe('pan and zoom', () => {
  it('zooms around the pointer, pans with it, and never leaves the board', () => {
    const near = zoomAt(WHOLE, 0.75, 0.25, 4);
    expect(near.zoom).toBe(4);
    expect(toBoard(near, 0.75, 0.25)).toEqual([0.75, 0.25]);  // the point under the pointer stays put
    const moved = pan(near, -0.4, 0);  // drag left: the board moves with the finger
    expect(toBoard(moved, 0.75, 0.25)[0]).toBeCloseTo(0.85);
    const [cx, cy] = toCanvas(moved, ...toBoard(moved, 0.3, 0.6));
    expect([cx, cy].map((v) => v.toFixed(6))).toEqual(['0.300000', '0.600000']);
    expect(pan(near, 50, 50)).toEqual({ x: 0, y: 0, zoom: 4 });
    expect(zoomAt(near, 0.5, 0.5, 0.01)).toEqual(WHOLE);
  });
});

describe('editing items', () => {
  it('picks the top-most item under a click, moves it, and changes a note\'s words for everyone', () => {
    const ann = new Y.Doc(), bob = new Y.Doc();
    place(ann, { by: 'ann', kind: 'rect', color: '#000', x: 0.1, y: 0.1, w: 0.3, h: 0.3 });
    const note = place(ann, { by: 'ann', kind: 'sticky', color: '#000', x: 0.2, y: 0.2, w: 0.16, h: 0.16, text: 'Ship' });
    expect(itemAt(visibleItems(ann, new Set()), 0.25, 0.25)?.id).toBe(note);
    expect(itemAt(visibleItems(ann, new Set()), 0.8, 0.8)).toBeUndefined();
    expect(moveItem(ann, note, 0.6, 0.95)).toBe(true);
    expect(editText(ann, note, 'Ship on Friday')).toBe(true);
    sync(ann, bob);
    const seen = visibleItems(bob, new Set()).find((i) => i.id === note);
    expect([seen?.x, seen?.y, seen?.text]).toEqual([0.6, 0.84, 'Ship on Friday']);  // kept on the board
    const rect = visibleItems(ann, new Set())[0].id;
    expect(editText(ann, rect, 'words')).toBe(false);  // a shape has none
    expect(moveItem(ann, 'gone', 0, 0)).toBe(false);
  });
});

describe('undo', () => {
  it('takes back this player\'s own stroke, not the other player\'s, and redo brings it back', () => {
    const ann = new Y.Doc(), bob = new Y.Doc();
    const undo = new Y.UndoManager([strokes(ann), items(ann)], { trackedOrigins: new Set([null]), captureTimeout: 3_600_000 });
    const s = begin(ann, 'ann', '#000', 3, 0.1, 0.1);
    extend(s, 0.2, 0.2);
    undo.stopCapturing();
    begin(bob, 'bob', '#f00', 3, 0.5, 0.5);
    sync(bob, ann);
    expect(visible(ann, new Set()).map((x) => x.by).sort()).toEqual(['ann', 'bob']);
    undo.undo();
    expect(visible(ann, new Set()).map((x) => x.by)).toEqual(['bob']);
    sync(ann, bob);
    expect(visible(bob, new Set()).map((x) => x.by)).toEqual(['bob']);  // gone for Bob too
    undo.redo();
    expect(visible(ann, new Set()).map((x) => [x.by, x.points.length])).toContainEqual(['ann', 4]);
  });
});

describe('the highlighter', () => {
  it('draws a wide see-through stroke', () => {
    const doc = new Y.Doc();
    begin(doc, 'ann', '#f59e0b', 18, 0.1, 0.1, 'highlighter');
    const [s] = visible(doc, new Set());
    expect([s.tool, s.width]).toEqual(['highlighter', 18]);
    expect(toSvg([s], 100, 100)).toContain('stroke-opacity="0.35"');
  });
});
