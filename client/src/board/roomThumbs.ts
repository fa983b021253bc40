/** Keeps a picture on every whiteboard of the room (board/thumbs.ts): a
 * face for each board on the shelf, moved with its board, drawn again when
 * its document changed (throttled) or when the player blocked someone. */
import type { Object3D } from 'three';
import { BoardFace } from '../render/boardFace';
import type { World } from '../world/world';
import type { BoardShelf } from './shelf';
import type { BoardSync } from './sync';
import { paintThumb, placeKey, thumbPlace, Throttle } from './thumbs';

export interface ThumbsHost {
  scene: Object3D;
  topDown(): boolean;
  world: World;
  shelf: BoardShelf;
  blocked: ReadonlySet<string>;
}

interface Held { face: BoardFace; sync: BoardSync; key: string; off: () => void }

export interface Thumbs {
  /** The board's picture in the room, once its document is on the shelf. */
  face(objectId: string): BoardFace | undefined;
  /** Follows the room's boards and draws those due; called a few times a second. */
  tick(now: number): void;
  stop(): void;
}

export function mountThumbs(h: ThumbsHost): Thumbs {
  const held = new Map<string, Held>();
  const throttle = new Throttle();
  let blockedCount = h.blocked.size;
  const drop = (id: string) => {
    const it = held.get(id);
    if (!it) return;
    it.off();
    it.face.dispose();
    held.delete(id);
    throttle.forget(id);
  };
  const hold = (id: string, sync: BoardSync): Held => {
    const face = new BoardFace(document.createElement('canvas'));
    h.scene.add(face.group);
    const changed = () => throttle.mark(id);
    sync.doc.on('update', changed);
    throttle.mark(id);
    const it = { face, sync, key: '', off: () => sync.doc.off('update', changed) };
    held.set(id, it);
    return it;
  };
  const tick = (now: number) => {
    const boards = (h.world.objects ?? []).filter((o) => o.kind === 'whiteboard');
    for (const id of held.keys()) {
      if (!boards.some((o) => o.id === id) || h.shelf.get(id) !== held.get(id)?.sync) drop(id);
    }
    for (const o of boards) {
      const sync = h.shelf.get(o.id);
      if (!sync) continue;
      const it = held.get(o.id) ?? hold(o.id, sync);
      if (it.key !== placeKey(o)) { it.face.place(thumbPlace(o)); it.key = placeKey(o); }
      it.face.show(h.topDown());
    }
    if (h.blocked.size !== blockedCount) {  // someone was blocked: their strokes leave every picture
      blockedCount = h.blocked.size;
      for (const id of held.keys()) throttle.mark(id);
    }
    for (const id of throttle.due(now)) {
      const it = held.get(id);
      if (!it) continue;
      paintThumb(it.face.canvas, it.sync.doc, h.blocked);
      it.face.drawn();
    }
  };
  return {
    face: (id) => held.get(id)?.face,
    tick,
    stop: () => { for (const id of [...held.keys()]) drop(id); },
  };
}
