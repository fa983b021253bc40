/** A whiteboard's picture on its object in the room: every player keeps
 * every board of the room in sync (the shelf) without opening it, a board
 * placed later joins, a removed one leaves; the picture is drawn again at
 * most once a second, only after a change; it sits on the board's face. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BoardShelf } from '../src/board/shelf';
import { begin, extend, visible } from '../src/board/strokes';
import { placeKey, thumbPlace, Throttle, THUMB_EVERY_MS, THUMB_PX } from '../src/board/thumbs';
import type { World, WorldObject } from '../src/world/world';
import { EdgeDouble } from './board-edge-double';

const board = (id: string, extra: Partial<WorldObject> = {}): WorldObject => ({ id, kind: 'whiteboard', x: 5, z: 2, w: 3, d: 0.5, ...extra });
const room = (...objects: WorldObject[]) => ({ objects }) as unknown as World;

afterEach(() => { vi.useRealTimers(); });

describe('every board of the room on the shelf', () => {
  it('brings a board a player never opened, stroke by stroke, and sends no cursor for it', () => {
    vi.useFakeTimers();
    const edge = new EdgeDouble();
    const ann = new BoardShelf(edge.link('ann')), ben = new BoardShelf(edge.link('ben'));
    const world = room(board('wb-a'));
    ann.follow(world);
    expect(edge.sent).toEqual([]);  // not in the room yet: the edge would refuse
    ann.joinedRoom(world);
    ben.joinedRoom(world);
    const stroke = begin(ann.get('wb-a')!.doc, 'ann', '#ef4444', 3, 0.1, 0.1);
    extend(stroke, 0.5, 0.5);
    vi.advanceTimersByTime(200);
    expect(visible(ben.get('wb-a')!.doc, new Set()).map((s) => s.points)).toEqual([[0.1, 0.1, 0.5, 0.5]]);
    expect(edge.sent.filter((s) => s.command.t === 'board_awareness')).toEqual([]);
  });

  it('opens a board placed later, closes a removed one, and asks again for what it lacks after a reconnection', () => {
    const edge = new EdgeDouble();
    const shelf = new BoardShelf(edge.link('ann'));
    const world = room(board('wb-a'));
    shelf.joinedRoom(world);
    world.objects = [board('wb-a'), board('wb-b', { x: 9 })];
    shelf.follow(world);
    expect(shelf.ids()).toEqual(['wb-a', 'wb-b']);
    world.objects = [board('wb-b', { x: 9 })];
    shelf.follow(world);
    expect(shelf.ids()).toEqual(['wb-b']);
    expect(edge.sent.map((s) => s.command.t === 'board_close' && s.command.objectId)).toContain('wb-a');
    const opens = () => edge.sent.filter((s) => s.command.t === 'board_sync' && s.command.objectId === 'wb-b').length;
    const before = opens();
    shelf.joinedRoom(world);
    expect(opens()).toBeGreaterThan(before);
  });
});

describe('the picture on the board', () => {
  it('is drawn again only after a change, at most once every second per board', () => {
    const t = new Throttle();
    expect(t.due(0)).toEqual([]);
    t.mark('wb-a');
    expect(t.due(0)).toEqual(['wb-a']);
    t.mark('wb-a');
    t.mark('wb-b');
    expect(t.due(THUMB_EVERY_MS / 2)).toEqual(['wb-b']);
    expect(t.due(THUMB_EVERY_MS)).toEqual(['wb-a']);
    expect(t.due(5 * THUMB_EVERY_MS)).toEqual([]);
  });

  it('sits on the white face, keeps the picture\'s shape and turns with the board', () => {
    const p = thumbPlace(board('wb-a'));
    expect(p.w / p.h).toBeCloseTo(THUMB_PX.w / THUMB_PX.h);
    expect(p.h).toBeLessThanOrEqual(0.85);
    expect([p.x, p.z]).toEqual([5, 2.1]);
    expect(p.y - p.h / 2).toBeGreaterThanOrEqual(0.7);
    const narrow = thumbPlace(board('wb-a', { w: 1 }));
    expect(narrow.w).toBeCloseTo(0.85);
    const turned = thumbPlace(board('wb-a', { rot: Math.PI / 2 }));
    expect(turned.x).toBeCloseTo(5.1);
    expect(turned.z).toBeCloseTo(2);
    expect(placeKey(board('wb-a'))).not.toEqual(placeKey(board('wb-a', { x: 6 })));
  });
});
