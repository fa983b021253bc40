/** The server's reasons for refusing a world (422 problem JSON, field
 * errors as functions/rooms.py and virtubar/world.py word them), put in
 * plain words and tied to the part of the world they are about. Pure. */
import type { World } from '../world/world';
import type { Part } from './grid';

export interface PartProblem { part: Part | null; text: string }

const PLAIN: [RegExp, string][] = [
  [/^Expected `str` of length <= (\d+)$/, 'is longer than $1 characters'],
  [/^Expected `str` of length >= 1$/, 'is empty'],
  [/^Expected `int` >= (\d+)$/, 'must be at least $1'],
  [/^Expected `int` <= (\d+)$/, 'must be at most $1'],
  [/^Expected `str` matching regex .*$/, 'may hold only letters, digits, dots, dashes and underscores'],
  [/^Object missing required field `(\w+)`$/, 'needs a $1'],
];

/** One field error of the server, about the world `sent`. */
export function locate(sent: World, field: string, message: string): PartProblem {
  // The place is in the field ("world.zones[0].name") or in the message ("zones[2].shape: ...", "... - at `$.objects[1].x`").
  const at = /\s-\s+at `\$\.?([^`]*)`$/.exec(message);
  let text = at ? message.slice(0, at.index) : message;
  let path = at ? at[1] : field.replace(/^world\.?/, '');
  const lead = /^((?:zones|objects|spawns|grid)(?:\[\d+\])?(?:\.\w+)?):\s*/.exec(text);
  if (lead) { path = lead[1]; text = text.slice(lead[0].length); }
  for (const [pattern, words] of PLAIN) if (pattern.test(text)) { text = text.replace(pattern, words); break; }
  const found = /^(zones|objects|spawns)\[(\d+)\](?:\.(\w+))?/.exec(path);
  const what = found?.[3] && found[3] !== 'shape' ? `${found[3]} ` : '';
  if (found?.[1] === 'zones' && sent.zones[Number(found[2])]) {
    const zone = sent.zones[Number(found[2])];
    return { part: { kind: 'zone', id: zone.id }, text: `Zone “${zone.name}”: ${what}${text}` };
  }
  if (found?.[1] === 'objects' && sent.objects?.[Number(found[2])]) {
    const object = sent.objects[Number(found[2])];
    return { part: { kind: 'object', id: object.id }, text: `${object.label ?? object.kind} (${object.id}): ${what}${text}` };
  }
  if (found?.[1] === 'spawns') return { part: { kind: 'spawn', index: Number(found[2]) }, text: `Spawn point ${Number(found[2]) + 1}: ${text}` };
  return { part: null, text: path ? `${path}: ${text}` : text };
}

/** Is `problem` about `part`? */
export function concerns(problem: PartProblem, part: Part | null): boolean {
  const p = problem.part;
  if (!p || !part || p.kind !== part.kind) return false;
  return p.kind === 'spawn' ? part.kind === 'spawn' && p.index === part.index : part.kind !== 'spawn' && p.id === part.id;
}
