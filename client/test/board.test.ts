/** Whiteboards in the client: two players' documents meet through an edge
 * double that speaks y-protocols as the edge does (a step1 answered with the
 * whole board, updates relayed to the other viewers); erasing, clearing and
 * a blocked author's strokes as a player sees them. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { EdgeDouble } from './board-edge-double';
import { BoardSync } from '../src/board/sync';
import { begin, clear, erase, extend, toSvg, visible } from '../src/board/strokes';
import type { BoardCommand } from '../src/net/realtime/types';

afterEach(() => { vi.useRealTimers(); });

describe('a whiteboard shared through the edge', () => {
  it('shows what one player draws to another, and the whole board to a latecomer in one message', () => {
    vi.useFakeTimers();
    const edge = new EdgeDouble();
    const ann = new BoardSync(edge.link('ann'), 'wb-a');
    const bob = new BoardSync(edge.link('bob'), 'wb-a');
    ann.open();
    bob.open();
    const stroke = begin(ann.doc, 'ann', '#ef4444', 4, 0.1, 0.1);
    extend(stroke, 0.2, 0.3);
    extend(stroke, 0.4, 0.5);
    vi.advanceTimersByTime(200);
    expect(visible(bob.doc, new Set()).map((s) => [s.by, s.color, s.points])).toEqual([
      ['ann', '#ef4444', [0.1, 0.1, 0.2, 0.3, 0.4, 0.5]],
    ]);
    const cat = new BoardSync(edge.link('cat'), 'wb-a');
    cat.open();
    expect(cat.synced).toBe(true);
    expect(visible(cat.doc, new Set())).toHaveLength(1);
  });

  it('sends a stroke drawn point by point as one batched message', () => {
    vi.useFakeTimers();
    const sent: BoardCommand[] = [];
    const sync = new BoardSync({ sendBoard: (c) => { sent.push(c); return true; }, on: () => () => undefined }, 'wb-a');
    const stroke = begin(sync.doc, 'ann', '#1f2937', 3, 0, 0);
    for (let i = 1; i < 30; i++) extend(stroke, i / 30, i / 30);
    expect(sent.filter((c) => c.t === 'board_sync')).toHaveLength(0);
    vi.advanceTimersByTime(150);
    expect(sent.filter((c) => c.t === 'board_sync')).toHaveLength(1);
  });
});

describe('the board as a player sees it', () => {
  it('erases the strokes under the eraser and clears everything', () => {
    const doc = new Y.Doc();
    begin(doc, 'ann', '#ef4444', 4, 0.1, 0.1);
    begin(doc, 'ann', '#3b82f6', 4, 0.8, 0.8);
    expect(erase(doc, 0.11, 0.1, 0.02)).toBe(1);
    expect(visible(doc, new Set()).map((s) => s.color)).toEqual(['#3b82f6']);
    clear(doc);
    expect(visible(doc, new Set())).toEqual([]);
  });

  it('hides a blocked player\'s strokes from the blocker only, and exports SVG', () => {
    const doc = new Y.Doc();
    begin(doc, 'troll', '#a855f7', 4, 0.5, 0.5);
    begin(doc, 'ann', '#22c55e', 4, 0.2, 0.2);
    expect(visible(doc, new Set(['troll'])).map((s) => s.by)).toEqual(['ann']);
    expect(visible(doc, new Set()).map((s) => s.by)).toEqual(['troll', 'ann']);
    const svg = toSvg(visible(doc, new Set()), 200, 100);
    expect(svg).toContain('stroke="#22c55e"');
    expect(svg).toContain('M40.0 20.0');
  });
});
