/** Envelope codec: the edge may send one envelope or a JSON array of them
 * (batched per tick). Bad frames are reported, never thrown into the app. */
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION, SERVER_EVENTS } from './constants';
import type { Envelope, ServerEnvelope } from './types';

const KNOWN = new Set<string>(Object.values(SERVER_EVENTS));

export function encode<T extends string, P>(t: T, payload: P, ts: number = Date.now(), limit = MAX_MESSAGE_BYTES): string {
  const frame = JSON.stringify({ v: PROTOCOL_VERSION, t, ts, payload } satisfies Envelope<T, P>);
  if (frame.length > limit) throw new RangeError(`${t}: message of ${frame.length} bytes exceeds ${limit}`);
  return frame;
}

export interface Decoded { envelopes: ServerEnvelope[]; problems: string[] }

/** Decodes one frame into its envelopes, in order; unknown events and
 * malformed envelopes are skipped and described in `problems`. */
export function decode(frame: string): Decoded {
  const out: Decoded = { envelopes: [], problems: [] };
  let data: unknown;
  try {
    data = JSON.parse(frame);
  } catch {
    out.problems.push('frame is not JSON');
    return out;
  }
  const items = Array.isArray(data) ? data : [data];
  for (const item of items) {
    const problem = check(item);
    if (problem) out.problems.push(problem);
    else out.envelopes.push(item as ServerEnvelope);
  }
  return out;
}

function check(item: unknown): string | null {
  if (!item || typeof item !== 'object') return 'envelope is not an object';
  const e = item as Record<string, unknown>;
  if (e.v !== PROTOCOL_VERSION) return `unsupported protocol version ${String(e.v)}`;
  if (typeof e.t !== 'string' || !KNOWN.has(e.t)) return `unknown event ${String(e.t)}`;
  if (typeof e.ts !== 'number') return `${e.t}: ts is missing`;
  if (!e.payload || typeof e.payload !== 'object') return `${e.t}: payload is missing`;
  return null;
}
