/** Private zones as the client draws them (docs/protocol.md, "Private
 * zones"): a zone whose audio rule is `zone` is a space of its own; a member
 * in another space than yours has no avatar or name tag here (the server
 * sends no positions across), and a private zone's label says how many are
 * inside, so those outside see it is occupied. */
import { audioRule, type World } from '../world/world';
import type { Drawn } from './members';

export class PrivateZones {
  private ids = new Set<string>();
  private readonly labels = new Map<string, { el: HTMLElement; name: string; shown: number }>();
  private mine: string | null = null;

  constructor(private readonly world: World) { this.reset(); }

  /** The world's zones changed (in place): which are private is read again; their labels come anew. */
  reset(): void {
    this.ids = new Set(this.world.zones.filter((z) => audioRule(z) === 'zone').map((z) => z.id));
    this.labels.clear();
  }

  /** The space of a member in `zoneId`: the zone if private, else the open space (null). */
  space(zoneId: string | null): string | null { return zoneId !== null && this.ids.has(zoneId) ? zoneId : null; }

  /** Keeps a zone label's element, to write the count on it. */
  label(name: string, el: HTMLElement): void {
    const zone = this.world.zones.find((z) => z.name === name && this.ids.has(z.id));
    if (zone) this.labels.set(zone.id, { el, name, shown: 0 });
  }

  /** The local member is in `zoneId` now; true when that is another space. */
  enter(zoneId: string | null): boolean {
    const space = this.space(zoneId);
    if (space === this.mine) return false;
    this.mine = space;
    return true;
  }

  /** "in Meeting room A" for a member inside a private zone you are not in. */
  where(zoneId: string | null): string | undefined {
    const space = this.space(zoneId);
    if (space === null || space === this.mine) return undefined;
    return `in ${this.world.zones.find((z) => z.id === space)?.name ?? 'a private room'}`;
  }

  /** Hides the avatars of members in another space, shows the others, and
   * writes each private zone's head count (you included) on its label. */
  apply(list: Drawn[]): void {
    const counts = new Map<string, number>();
    if (this.mine !== null) counts.set(this.mine, 1);
    for (const d of list) {
      d.hidden = this.space(d.zoneId) !== this.mine;
      d.tag.el.hidden = d.hidden;
      const space = this.space(d.zoneId);
      if (space !== null) counts.set(space, (counts.get(space) ?? 0) + 1);
    }
    for (const [id, l] of this.labels) {
      const n = counts.get(id) ?? 0;
      if (n === l.shown) continue;
      l.shown = n;
      l.el.textContent = n ? `${l.name} · ${n} inside` : l.name;
      l.el.classList.toggle('occupied', n > 0);
    }
  }
}
