/** A whiteboard's Yjs document kept in sync with the edge (docs/protocol.md,
 * "Whiteboards"): y-protocols sync messages in `board_sync` / `board_state` /
 * `board_update`, cursors in `board_awareness`. Local changes are sent in
 * batches (one message per FLUSH_MS at most), within the edge's budget. */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { BoardCommand, ServerEventName, ServerHandler } from '../net/realtime/types';

export const FLUSH_MS = 100;
const REMOTE = 'remote';

/** What the sync needs of the realtime provider. */
export interface BoardLink {
  sendBoard(command: BoardCommand): boolean;
  on<K extends ServerEventName>(event: K, handler: ServerHandler<K>): () => void;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export class BoardSync {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  /** Set once the edge sent the whole board. */
  synced = false;
  private pending: Uint8Array[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private id = 0;
  private readonly unsubs: (() => void)[] = [];

  constructor(private readonly link: BoardLink, readonly objectId: string) {
    // No cursor until the board is open full screen (the panel sets one): a board only watched sends no awareness.
    this.awareness.setLocalState(null);
    this.unsubs.push(
      link.on('board_state', (p) => { if (p.objectId === objectId) this.receive(p.data); }),
      link.on('board_update', (p) => { if (p.objectId === objectId) this.receive(p.data); }),
      link.on('board_awareness_broadcast', (p) => {
        if (p.objectId === objectId) awarenessProtocol.applyAwarenessUpdate(this.awareness, fromBase64(p.data), REMOTE);
      }),
    );
    const onUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      this.pending.push(update);
      this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
    };
    this.doc.on('update', onUpdate);
    this.unsubs.push(() => this.doc.off('update', onUpdate));
    const onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
      origin: unknown) => {
      if (origin === REMOTE) return;
      const changed = added.concat(updated, removed);
      const data = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
      link.sendBoard({ t: 'board_awareness', objectId, data: toBase64(data) });
    };
    this.awareness.on('update', onAwareness);
    this.unsubs.push(() => this.awareness.off('update', onAwareness));
  }

  /** Step1: the edge answers with the whole board in one board_state. */
  open(): void {
    const enc = encoding.createEncoder();
    syncProtocol.writeSyncStep1(enc, this.doc);
    this.sendSync(encoding.toUint8Array(enc));
  }

  close(): void {
    this.flush();
    awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], 'closing');
    this.link.sendBoard({ t: 'board_close', objectId: this.objectId });
    for (const u of this.unsubs) u();
    this.awareness.destroy();
  }

  /** Sends what was drawn since the last flush, as one update. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length) return;
    const update = Y.mergeUpdates(this.pending);
    this.pending = [];
    const enc = encoding.createEncoder();
    syncProtocol.writeUpdate(enc, update);
    this.sendSync(encoding.toUint8Array(enc));
  }

  private sendSync(data: Uint8Array): void {
    this.link.sendBoard({ t: 'board_sync', objectId: this.objectId, data: toBase64(data), id: ++this.id });
  }

  private receive(data: string): void {
    const bytes = fromBase64(data);
    const reply = encoding.createEncoder();
    const kind = syncProtocol.readSyncMessage(decoding.createDecoder(bytes), reply, this.doc, REMOTE);
    if (kind === syncProtocol.messageYjsSyncStep2) this.synced = true;
    if (encoding.length(reply) > 0) this.sendSync(encoding.toUint8Array(reply));  // our step2 to the edge's step1
  }
}
