/** Portals that take you: stepping onto one goes where the world says
 * (docs/protocol.md, Portals), after a short fade. A `target` naming a zone
 * of this world takes you there (its first spawn inside, else its centre);
 * a template name quick-joins a room of it; anything else is a room id. Other
 * rooms are joined through the normal REST join, so a full room or a ban
 * keeps you where you are, with the reason. */
import { TEMPLATES, type Template, type World, type WorldObject } from '../world/world';
import { toast } from '../ui/dom';
import { onObject } from './poses';

export type Trip =
  | { kind: 'zone'; name: string; x: number; z: number }
  | { kind: 'room'; name: string; roomId?: string; template?: Template };

/** Where a room's trip goes: a room id, or a room of a template (quick-join). */
export type Destination = { roomId?: string; template?: Template };

export function portalAt(world: World, x: number, z: number): WorldObject | null {
  return (world.objects ?? []).find((o) => o.kind === 'portal' && onObject(o, x, z)) ?? null;
}

/** Where the portal takes you; null for a portal that goes nowhere. */
export function tripOf(world: World, portal: WorldObject): Trip | null {
  const target = portal.target;
  if (!target) return null;
  const name = portal.label?.replace(/^To /i, '') ?? target;
  const zone = world.zones.find((z) => z.id === target);
  if (zone) {
    const s = zone.shape;
    const spawn = world.spawns.find((p) => s.x <= p.x && p.x < s.x + s.w && s.z <= p.z && p.z < s.z + s.d);
    return { kind: 'zone', name: zone.name, x: spawn?.x ?? s.x + s.w / 2, z: spawn?.z ?? s.z + s.d / 2 };
  }
  if ((TEMPLATES as readonly string[]).includes(target)) return { kind: 'room', name, template: target as Template };
  return { kind: 'room', name, roomId: target };
}

export interface PortalHost {
  root: HTMLElement;
  world: World;
  position(): { x: number; z: number };
  /** Puts the player at (x, z) of this room at once. */
  teleport(x: number, z: number): void;
  /** Joins another room; resolves with why not (null: on its way). */
  travel?(to: Destination): Promise<string | null>;
}

export const FADE_MS = 350;

/** Watches where the player stands; returns what stops it. */
export function mountPortals(h: PortalHost): () => void {
  if (!(h.world.objects ?? []).some((o) => o.kind === 'portal' && o.target)) return () => undefined;
  let on: string | null = null;  // the portal stood on: it takes you once, step off to use it again
  let busy = false;
  const timer = setInterval(() => {
    const p = h.position();
    const portal = portalAt(h.world, p.x, p.z);
    if (portal?.id === on || busy) return;
    on = portal?.id ?? null;
    const trip = portal && tripOf(h.world, portal);
    if (!trip) return;
    busy = true;
    void go(h, trip).finally(() => { busy = false; });
  }, 120);
  return () => clearInterval(timer);
}

async function go(h: PortalHost, trip: Trip): Promise<void> {
  const veil = document.createElement('div');
  veil.className = 'portal-veil';
  veil.setAttribute('role', 'status');
  veil.textContent = `Going to ${trip.name}…`;
  document.body.append(veil);
  requestAnimationFrame(() => veil.classList.add('on'));
  await new Promise((r) => setTimeout(r, FADE_MS));
  const lift = () => { veil.classList.remove('on'); setTimeout(() => veil.remove(), FADE_MS); };
  if (trip.kind === 'zone') {
    h.teleport(trip.x, trip.z);
    lift();
    return;
  }
  const problem = h.travel ? await h.travel({ roomId: trip.roomId, template: trip.template }) : 'Portals to other rooms need a server.';
  if (problem) toast(problem, 'error');
  setTimeout(lift, problem ? 0 : 900);  // on its way: the next room comes up under the veil
}
