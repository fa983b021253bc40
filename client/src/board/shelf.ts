/** Every whiteboard of the room kept in sync for every player in it, opened
 * or not, so each board's picture on its object in the room stays current
 * (board/thumbs.ts) and opening a board full screen shows it at once.
 *
 * Why the documents and not a picture from the server: the edge already
 * sends each board's whole state in one message and then its updates, which
 * are small deltas of what is drawn; joining a board costs one step1 per
 * board when entering the room. A server-made picture would need a second
 * renderer there, a store for it and a poll per player, and it would show
 * blocked players' strokes, which only the client can leave out. Each
 * player's doc is one per board (the full-screen panel draws on the same
 * one), so a board is never synced twice. */
import type { World } from '../world/world';
import { BoardSync, type BoardLink } from './sync';

export class BoardShelf {
  private readonly syncs = new Map<string, BoardSync>();
  private joined = false;

  constructor(private readonly link: BoardLink) {}

  /** The board's document, once it is on the shelf. */
  get(objectId: string): BoardSync | undefined {
    return this.syncs.get(objectId);
  }

  ids(): string[] {
    return [...this.syncs.keys()];
  }

  /** In the room (again, after a reconnection): every board asks the edge for what it lacks. */
  joinedRoom(world: World): void {
    this.joined = true;
    for (const sync of this.syncs.values()) sync.open();
    this.follow(world);
  }

  /** Boards placed since are opened, boards removed are closed (only once in the room: the edge refuses before). */
  follow(world: World): void {
    if (!this.joined) return;
    const ids = new Set((world.objects ?? []).filter((o) => o.kind === 'whiteboard').map((o) => o.id));
    for (const [id, sync] of this.syncs) {
      if (!ids.has(id)) { sync.close(); this.syncs.delete(id); }
    }
    for (const id of ids) {
      if (this.syncs.has(id)) continue;
      const sync = new BoardSync(this.link, id);
      this.syncs.set(id, sync);
      sync.open();
    }
  }

  stop(): void {
    for (const sync of this.syncs.values()) sync.close();
    this.syncs.clear();
  }
}
