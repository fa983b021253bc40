/** Which video tiles a player sees, apart from the DOM. The SFU forwards
 * cameras and screens on incoming video tracks (by `mid`) and says in
 * `track_owner` whose camera or screen each one carries now; a track is shown
 * only while its frames keep being decoded, so a camera that was switched off
 * (or an idle track) never leaves a black tile behind. */

export type VideoSource = 'camera' | 'screen';
export type TileMode = 'strip' | 'grid';

export interface Tile {
  /** Stable across layouts: the DOM keeps one element per key. */
  key: string;
  /** The incoming track, or null for your own camera or screen. */
  mid: string | null;
  userId: string;
  source: VideoSource;
}

export interface Layout {
  /** One large tile: a screen being shared (yours first). */
  stage: Tile | null;
  /** Cameras (yours first), then any further screens. */
  tiles: Tile[];
}

/** Frame samples without progress before a track counts as stopped. */
export const STALE_SAMPLES = 2;

interface Incoming { userId: string | null; source: VideoSource; decoded: number; still: number; live: boolean }

export class VideoBoard {
  private readonly incoming = new Map<string, Incoming>();
  private readonly local = { camera: false, screen: false };

  constructor(readonly selfId: string) {}

  /** `track_owner` for a video track; a missing source (an older SFU) means a camera. */
  owner(mid: string, userId: string | null, source?: string | null): void {
    const known = this.incoming.get(mid);
    const src: VideoSource = source === 'screen' ? 'screen' : 'camera';
    if (known && known.userId === userId && known.source === src) return;
    // A new owner must prove itself with fresh frames before its tile shows.
    this.incoming.set(mid, { userId, source: src, decoded: known?.decoded ?? 0, still: 0, live: false });
  }

  /** A sample of the frames decoded so far on `mid`; returns whether its tile appeared or went. */
  frames(mid: string, decoded: number): boolean {
    const t = this.incoming.get(mid);
    if (!t) return false;
    const was = t.live;
    if (decoded > t.decoded) { t.live = true; t.still = 0; } else if (++t.still >= STALE_SAMPLES) t.live = false;
    t.decoded = decoded;
    return was !== t.live && t.userId !== null;
  }

  remove(mid: string): void { this.incoming.delete(mid); }

  setLocal(source: VideoSource, on: boolean): void { this.local[source] = on; }
  isLocal(source: VideoSource): boolean { return this.local[source]; }

  /** The incoming video tracks, for sampling their frames. */
  mids(): IterableIterator<string> { return this.incoming.keys(); }

  layout(): Layout {
    const cameras: Tile[] = [], screens: Tile[] = [];
    if (this.local.screen) screens.push({ key: 'self:screen', mid: null, userId: this.selfId, source: 'screen' });
    if (this.local.camera) cameras.push({ key: 'self:camera', mid: null, userId: this.selfId, source: 'camera' });
    const seen = new Set<string>();
    for (const mid of [...this.incoming.keys()].sort(byMid)) {
      const t = this.incoming.get(mid)!;
      const key = `${t.userId}:${t.source}`;
      if (!t.live || t.userId === null || t.userId === this.selfId || seen.has(key)) continue;
      seen.add(key);
      (t.source === 'screen' ? screens : cameras).push({ key, mid, userId: t.userId, source: t.source });
    }
    return { stage: screens[0] ?? null, tiles: [...cameras, ...screens.slice(1)] };
  }
}

/** Focus rooms show everyone's camera as a grid; elsewhere a strip of the people near you. */
export const tileMode = (template: string): TileMode => (template === 'focus' ? 'grid' : 'strip');

/** What a tile says: a camera names its owner, a screen says who is sharing. */
export function tileLabel(tile: Tile, selfId: string, name: (userId: string) => string): string {
  const mine = tile.userId === selfId;
  if (tile.source === 'screen') return mine ? 'You are sharing' : `${name(tile.userId)} is sharing`;
  return mine ? 'You' : name(tile.userId);
}

/** Where screen share is offered: the office, and any world with a screen in it. */
export const screenShareAllowed = (world: { template: string; objects?: { kind: string }[] }): boolean =>
  world.template === 'office' || (world.objects ?? []).some((o) => o.kind === 'screen');

const byMid = (a: string, b: string): number => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
