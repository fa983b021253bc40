/** The whole avatar a member wears (`look` on the wire, `wire.AvatarLook`):
 * body shape, skin, hair, outfit, hat and their colours. Fields at their
 * default travel left out; `fullLook` puts them back. A member without a look
 * (an older server) is drawn from its `avatarId`. Pure: no DOM, no three.js. */
import { parseAvatarId } from './avatar';
import type { AvatarLook } from './net/realtime/wire.gen';

export type Look = Required<AvatarLook>;
export type Slot = 'hair' | 'outfit' | 'hat';

/** The server's defaults (`virtubar/wire.py` AvatarLook). */
export const DEFAULT_LOOK: Look = {
  body: 'round', skin: '#f1c27d', hair: 'short', hairColour: '#3b2a1f',
  outfit: 'tee', outfitColour: '#ff8a5b', hat: 'none', hatColour: '#2ec4b6',
};

export const BODIES: readonly Look['body'][] = ['round', 'slim', 'bot'];
export const CHOICES: { [S in Slot]: readonly Look[S][] } = {
  hair: ['none', 'short', 'long', 'bun', 'mohawk'],
  outfit: ['tee', 'hoodie', 'suit', 'dress'],
  hat: ['none', 'cap', 'beanie', 'tophat', 'crown'],
};

/** The colour swatches the editor offers, per part (the server takes any `#rrggbb`). */
export const SWATCHES: Record<'skin' | 'hairColour' | 'outfitColour' | 'hatColour', readonly string[]> = {
  skin: ['#ffdbac', '#f1c27d', '#e0ac69', '#c68642', '#8d5524', '#5c3a1e', '#cbd5e0', '#9ae6b4'],
  hairColour: ['#0f0f0f', '#3b2a1f', '#8b5a2b', '#d4a017', '#e8e8e8', '#c0392b', '#8e44ad', '#2e86de'],
  outfitColour: ['#ff8a5b', '#2ec4b6', '#6c8cff', '#ffd166', '#ef476f', '#06d6a0', '#22223b', '#f8f9fa'],
  hatColour: ['#2ec4b6', '#ffd700', '#e63946', '#1d3557', '#f4a261', '#8338ec', '#000000', '#ffffff'],
};

const COLOUR = /^#[0-9a-f]{6}$/;

/** A wire look with every field (unknown values fall back to the default). */
export function fullLook(look: AvatarLook | null | undefined): Look {
  const l = { ...DEFAULT_LOOK, ...(look ?? {}) };
  for (const k of ['skin', 'hairColour', 'outfitColour', 'hatColour'] as const) if (!COLOUR.test(l[k])) l[k] = DEFAULT_LOOK[k];
  if (!BODIES.includes(l.body)) l.body = DEFAULT_LOOK.body;
  for (const s of ['hair', 'outfit', 'hat'] as const) if (!(CHOICES[s] as readonly string[]).includes(l[s])) (l as Record<Slot, string>)[s] = DEFAULT_LOOK[s];
  return l;
}

/** How a member is drawn: its look, else the older avatar id (model and two colours). */
export function lookOf(m: { avatarId: string; look?: AvatarLook | null }): Look {
  if (m.look) return fullLook(m.look);
  const a = parseAvatarId(m.avatarId);
  // The older avatar always wore its accent colour as a cap.
  return { ...DEFAULT_LOOK, body: a.model, outfitColour: a.colors.body.toLowerCase(), hatColour: a.colors.accent.toLowerCase(), hat: 'cap' };
}

/** One string per distinct look: a member whose key changed is redrawn. */
export const lookKey = (l: Look): string =>
  [l.body, l.skin, l.hair, l.hairColour, l.outfit, l.outfitColour, l.hat, l.hatColour].join('|');

/** The catalogue item a slot's choice needs (`hat:crown`), or null for nothing worn. */
export const itemFor = (slot: Slot, value: string): string | null => value === 'none' ? null : `${slot}:${value}`;

/** Whether every item of the look is owned (the server refuses the rest). */
export function wearable(look: Look, owned: ReadonlySet<string>): Slot[] {
  return (['hair', 'outfit', 'hat'] as const).filter((s) => { const item = itemFor(s, look[s]); return item !== null && !owned.has(item); });
}

/** The look as the server stores it: only what differs from the default. */
export function compact(look: Look): AvatarLook {
  const out: AvatarLook = {};
  for (const k of Object.keys(DEFAULT_LOOK) as (keyof Look)[]) if (look[k] !== DEFAULT_LOOK[k]) (out as Record<string, string>)[k] = look[k];
  return out;
}
