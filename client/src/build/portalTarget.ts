/** Where a portal leads, as build mode edits it: nowhere, a zone of this
 * world, a room of a template (quick-join) or one room by its id or link.
 * The same reading as the room's (`room/portals.ts`). No DOM here. */
import { TEMPLATES, type World } from '../world/world';

export type Leads = 'none' | 'zone' | 'template' | 'room';

export interface PortalTarget { leads: Leads; value: string }

/** How build mode shows a portal's `target`. */
export function readTarget(world: World, target: string | null | undefined): PortalTarget {
  if (!target) return { leads: 'none', value: '' };
  if (world.zones.some((z) => z.id === target)) return { leads: 'zone', value: target };
  if ((TEMPLATES as readonly string[]).includes(target)) return { leads: 'template', value: target };
  return { leads: 'room', value: target };
}

/** A room's id from what was pasted: the id itself or its link (`…/r/<id>`); null if neither. */
export function roomIdFrom(text: string): string | null {
  const m = /(?:^|\/r\/)([0-9a-f]{32})\/?$/.exec(text.trim());
  return m ? m[1] : null;
}

/** The first choice for a kind just picked: the first zone, the world's own template, or no room yet. */
export function firstOf(world: World, leads: Leads): string {
  if (leads === 'zone') return world.zones[0]?.id ?? '';
  if (leads === 'template') return world.template;
  return '';
}

/** Sets (or with null, clears) a portal's target. */
export function setTarget(world: World, id: string, target: string | null): World {
  return {
    ...world,
    objects: (world.objects ?? []).map((o) => {
      if (o.id !== id) return o;
      const { target: _old, ...rest } = o;
      return target ? { ...rest, target } : rest;
    }),
  };
}
