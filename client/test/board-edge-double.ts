/** The edge's side of a board for client tests: answers a step1 with the
 * whole board and relays updates and cursors to the other viewers, as
 * realtime_edge/features/whiteboard.py does. */
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { fromBase64, toBase64, type BoardLink } from '../src/board/sync';
import type { BoardCommand } from '../src/net/realtime/types';

type Handler = (p: never, e: never) => void;

/** The edge's side for one board: its own document, every viewer's link. */
export class EdgeDouble {
  readonly doc = new Y.Doc();
  /** Every command each user sent, in order. */
  readonly sent: { user: string; command: BoardCommand }[] = [];
  private links: { user: string; handlers: Map<string, Handler[]> }[] = [];

  link(user: string): BoardLink {
    const me = { user, handlers: new Map<string, Handler[]>() };
    this.links.push(me);
    return {
      sendBoard: (c: BoardCommand) => { this.handle(me, c); return true; },
      on: (event, handler) => {
        const list = me.handlers.get(event) ?? [];
        list.push(handler as Handler);
        me.handlers.set(event, list);
        return () => undefined;
      },
    };
  }

  private deliver(to: { handlers: Map<string, Handler[]> }, event: string, payload: object): void {
    for (const h of to.handlers.get(event) ?? []) h(payload as never, {} as never);
  }

  private handle(from: { user: string; handlers: Map<string, Handler[]> }, c: BoardCommand): void {
    this.sent.push({ user: from.user, command: c });
    if (c.t !== 'board_sync') {
      if (c.t === 'board_awareness') {
        for (const l of this.links) if (l !== from) this.deliver(l, 'board_awareness_broadcast', { ...c, userId: from.user });
      }
      return;
    }
    const reply = encoding.createEncoder();
    const kind = syncProtocol.readSyncMessage(decoding.createDecoder(fromBase64(c.data)), reply, this.doc, 'client');
    if (kind === syncProtocol.messageYjsSyncStep1) {
      this.deliver(from, 'board_state', { objectId: c.objectId, data: toBase64(encoding.toUint8Array(reply)) });
      return;
    }
    for (const l of this.links) {
      if (l !== from) this.deliver(l, 'board_update', { objectId: c.objectId, userId: from.user, data: c.data });
    }
  }
}
