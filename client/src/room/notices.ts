/** What the player reads when the server refuses or stops something
 * (docs/protocol.md, Errors, Close codes and Moves): short sentences in the
 * player's words, decided apart from the DOM so they can be tested. */
import type { ServerPayloads } from '../net/realtime/types';
import { zoneAt, type World } from '../world/world';

export const ROOM_FULL = 'This room is full right now.';
export const SLOW_DOWN = 'Slow down a little.';
export const REMOVED = 'A moderator removed you from this room.';
export const FLOODED = 'You were disconnected for sending too much too fast. Wait a moment, then join again.';
export const ELSEWHERE = 'You joined this room from another window or device, so this one left.';
export const VOICE_PARTLY = 'Voice could not connect to some people.';

/** How long a hint stays up. */
export const HINT_MS = 2500;

/** A refused join (`auth_error`) that must not be retried, in the player's words; null for a token problem (renew it). */
export function sanctionSentence(a: ServerPayloads['auth_error']): string | null {
  if (a.code === 'banned') return 'A moderator banned you from this room.';
  if (a.code !== 'kicked') return null;
  const back = /return at (\S+?)(?::\s|$)/.exec(a.message);
  const when = back ? new Date(back[1]) : null;
  return when && !Number.isNaN(when.getTime())
    ? `${REMOVED} You can come back after ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}.`
    : `${REMOVED} You can come back in a little while.`;
}

/** A close code after which the client must not reconnect on its own, and why. */
export function closeSentence(code: number): string | null {
  if (code === 4003) return REMOVED;
  if (code === 4008) return FLOODED;
  if (code === 4001) return ELSEWHERE;
  return null;
}

export type Notice = { kind: 'hint' | 'error'; text: string };

/** A refused message (`error`): budgets get a quiet hint; `room_full` is the provider's (it leaves). */
export function errorNotice(e: ServerPayloads['error']): Notice | null {
  switch (e.code) {
    case 'rate_limited':
    case 'chat_rate_limited':
      return { kind: 'hint', text: SLOW_DOWN };
    case 'room_full':
      return null;
    case 'muted':
      return { kind: 'error', text: 'A moderator muted your chat for now.' };
    default:
      return { kind: 'error', text: e.message };
  }
}

/** Why the server put you back (`position_correction`), where it is worth saying; (x, z) is where you tried to go. */
export function correctionHint(reason: ServerPayloads['position_correction']['reason'], world: World, x: number, z: number): string | null {
  switch (reason) {
    case 'zone_full': {
      const zone = zoneAt(world, x, z);
      if (!zone?.capacity) return 'That room is full.';
      return zone.type === 'meeting' ? 'Meeting room is full.' : `${zone.name} is full.`;
    }
    case 'occupied':
      return seatNear(world, x, z) ? 'Someone is sitting there.' : 'Someone else is there.';
    case 'climb':
      return "You can't climb up there.";
    default:
      return null;  // bounds, wall, speed: the snap back says it all
  }
}

function seatNear(world: World, x: number, z: number): boolean {
  return (world.objects ?? []).some((o) => o.kind === 'seat' && Math.hypot(o.x - x, o.z - z) <= Math.max(1, (o.w ?? 1), (o.d ?? 1)));
}

/** At most one hint on screen: a new one waits out the one showing (it is dropped, not queued). */
export class HintGate {
  private until = 0;
  admit(nowMs: number): boolean {
    if (nowMs < this.until) return false;
    this.until = nowMs + HINT_MS;
    return true;
  }
}
