/** Reconnect delay: exponential from RECONNECT_BASE_MS, capped, with jitter
 * (half to full) so a restarted edge is not hit by every client at once. */
import { RECONNECT_BASE_MS, RECONNECT_MAX_MS } from './constants';

export function backoffDelay(attempt: number, random: number): number {
  const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + random / 2));
}
