/** The people in the room as the client draws them. Slot 0 is the local
 * member; remote members fill slots 1..n in a dense array (the crowd's
 * instance order), so the frame loop walks an array and allocates nothing. */
import { lookKey, lookOf, type Look } from '../avatarLook';
import { RemoteTrack } from '../net/interpolation';
import type { Anim, Member, Status } from '../net/realtime/types';
import type { Crowd } from '../render/crowd';
import type { Overlay, Tag } from '../render/overlay';

export interface Drawn {
  userId: string; displayName: string; avatarId: string; track: RemoteTrack; tag: Tag;
  /** What the member wears, and its key (a new key: drawn again). */
  look: Look; lookKey: string;
  status: Status | null; zoneId: string | null; mutedForMe: boolean;
  /** In another space than yours (a private zone): no avatar, no tag. */
  hidden: boolean;
  /** An emote's animation overrides the transmitted one until this time (ms). */
  emoteAnim: Anim | null; emoteUntil: number;
}

export class Members {
  /** Remote members by slot - 1. */
  readonly list: Drawn[] = [];
  private readonly bySlot = new Map<string, number>();

  constructor(private readonly crowd: Crowd, private readonly overlay: Overlay, readonly selfId: string) {}

  get(userId: string): Drawn | undefined {
    const i = this.bySlot.get(userId);
    return i === undefined ? undefined : this.list[i];
  }

  /** Adds or refreshes a member from room_state / member_joined. */
  upsert(m: Member): Drawn | null {
    if (m.userId === this.selfId) return null;
    let d = this.get(m.userId);
    const look = lookOf(m), key = lookKey(look);
    if (!d) {
      if (this.list.length + 1 >= this.crowd.capacity) return null;
      d = {
        userId: m.userId, displayName: m.displayName, avatarId: m.avatarId, look, lookKey: key, track: new RemoteTrack(),
        tag: this.overlay.tag(m.displayName), status: null, zoneId: null, mutedForMe: false, hidden: false, emoteAnim: null, emoteUntil: 0,
      };
      this.bySlot.set(m.userId, this.list.length);
      this.list.push(d);
      this.crowd.setLook(this.list.length, look);
      this.crowd.count = this.list.length + 1;
    } else if (d.lookKey !== key) {
      d.avatarId = m.avatarId; d.look = look; d.lookKey = key;
      this.crowd.setLook(this.bySlot.get(m.userId)! + 1, look);
    }
    d.displayName = m.displayName;
    d.tag.setName(m.displayName);
    d.status = m.status ?? d.status;
    d.tag.setStatus(d.status);
    d.zoneId = m.zoneId ?? null;
    d.track.reset(m.x ?? 0, m.y ?? 0, m.z ?? 0, m.rotY ?? 0, m.anim ?? 'idle');
    return d;
  }

  remove(userId: string): void {
    const i = this.bySlot.get(userId);
    if (i === undefined) return;
    this.list[i].tag.remove();
    const last = this.list.length - 1;
    if (i !== last) {
      this.list[i] = this.list[last];
      this.bySlot.set(this.list[i].userId, i);
      this.crowd.copySlot(last + 1, i + 1);
    }
    this.list.pop();
    this.bySlot.delete(userId);
    this.crowd.count = this.list.length + 1;
  }

  /** Keeps exactly the members of a fresh room_state (after a reconnect). */
  resync(members: Member[]): void {
    const keep = new Set(members.map((m) => m.userId));
    for (const d of [...this.list]) if (!keep.has(d.userId)) this.remove(d.userId);
    for (const m of members) this.upsert(m);
  }
}
