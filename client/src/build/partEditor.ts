/** The side panel's editor of the selected part: an object's label, turn
 * and removal (and where a portal leads); a zone's name, type, capacity and audio/video rules; a spawn
 * point's removal. The server's refusals about the part are shown in it. */
import { h } from '../ui/dom';
import type { World, ZoneType } from '../world/world';
import {
  KINDS, RULES, ZONE_TYPES, changeZone, labelObject, removeObject, removeSpawn, removeZone, rotateObject, type Rule,
} from './edits';
import type { Part } from './grid';
import { portalFields } from './portalEditor';
import { concerns, type PartProblem } from './problems';

export interface EditorActions {
  /** An edit of the draft; the editor's own fields already show it. */
  edit(change: (w: World) => World): void;
  /** The part was removed: nothing is selected now. */
  removed(change: (w: World) => World): void;
}

const RULE_WORDS: Record<Rule, string> = {
  proximity: 'Nearby (proximity)', zone: 'Only this zone', room: 'The whole room', none: 'Nobody',
};

function field(label: string, control: HTMLElement): HTMLElement {
  control.setAttribute('aria-label', label);  // the label's text, not a select's options too
  return h('label', { class: 'build-field' }, h('span', { text: label }), control);
}

function select<T extends string>(name: string, options: [T | '', string][], value: T | '', onChange: (v: T | '') => void): HTMLSelectElement {
  const el = h('select', { name });
  for (const [v, text] of options) el.append(h('option', { value: v, text }));
  el.value = value;
  el.addEventListener('change', () => onChange(el.value as T | ''));
  return el;
}

/** Fills `el` with the editor of `part` (a hint when nothing is selected). */
export function renderEditor(el: HTMLElement, world: World, part: Part | null, problems: PartProblem[], act: EditorActions): void {
  el.replaceChildren();
  const mine = problems.filter((p) => concerns(p, part));
  const faults = mine.length ? h('ul', { class: 'build-problems', role: 'alert' }, ...mine.map((p) => h('li', { text: p.text }))) : null;
  const remove = (text: string, change: (w: World) => World) =>
    h('button', { class: 'btn danger', type: 'button', text, onclick: () => act.removed(change) });
  if (!part) {
    el.append(h('p', { class: 'build-muted', text: 'Select something on the map to edit it, or pick a tool.' }));
    return;
  }
  if (part.kind === 'spawn') {
    el.append(h('h3', { text: `Spawn point ${part.index + 1}` }), faults ?? '',
      world.spawns.length > 1 ? remove('Delete spawn point', (w) => removeSpawn(w, part.index))
        : h('p', { class: 'build-muted', text: 'A world needs at least one spawn point.' }));
    return;
  }
  if (part.kind === 'object') {
    const o = world.objects?.find((x) => x.id === part.id);
    if (!o) return;
    const label = h('input', { name: 'label', type: 'text', maxlength: '80', value: o.label ?? '', placeholder: 'No label' });
    label.addEventListener('change', () => act.edit((w) => labelObject(w, o.id, label.value)));
    const title = KINDS.find((k) => k.kind === o.kind)?.title ?? o.kind;
    el.append(h('h3', { text: `${title} (${o.id})` }), faults ?? '', field('Label', label),
      h('div', { class: 'build-row' },
        h('button', { class: 'btn', type: 'button', text: '⟲ Turn left', title: 'Turn a quarter left (Shift+R)', onclick: () => act.edit((w) => rotateObject(w, o.id, -1)) }),
        h('button', { class: 'btn', type: 'button', text: '⟳ Turn right', title: 'Turn a quarter right (R)', onclick: () => act.edit((w) => rotateObject(w, o.id, 1)) })),
      o.kind === 'portal' ? portalFields(world, o, act.edit) : '',
      remove('Delete object', (w) => removeObject(w, o.id)));
    return;
  }
  const zone = world.zones.find((z) => z.id === part.id);
  if (!zone) return;
  const name = h('input', { name: 'name', type: 'text', maxlength: '80', value: zone.name, required: true });
  name.addEventListener('change', () => act.edit((w) => changeZone(w, zone.id, { name: name.value.trim() })));
  const capacity = h('input', { name: 'capacity', type: 'number', min: '1', max: '10000', value: zone.capacity ? String(zone.capacity) : '', placeholder: 'No limit' });
  capacity.addEventListener('change', () => act.edit((w) => changeZone(w, zone.id, { capacity: capacity.value === '' ? null : Number(capacity.value) })));
  const rules = (which: 'audio' | 'video') => select<Rule>(which, [['', 'As the type has it'], ...RULES.map((r): [Rule, string] => [r, RULE_WORDS[r]])],
    zone[which] ?? '', (v) => act.edit((w) => changeZone(w, zone.id, { [which]: v === '' ? null : v })));
  const type = select<ZoneType>('type', ZONE_TYPES.map((t): [ZoneType, string] => [t, t[0].toUpperCase() + t.slice(1)]), zone.type ?? 'open',
    (v) => act.edit((w) => changeZone(w, zone.id, { type: (v || 'open') as ZoneType })));
  const s = zone.shape;
  el.append(h('h3', { text: `Zone: ${zone.name}` }), faults ?? '',
    field('Name', name), field('Type', type), field('Capacity', capacity),
    field('Who hears a voice', rules('audio')), field('Who sees a camera', rules('video')),
    h('p', { class: 'build-muted', text: `${s.w} × ${s.d} m at (${s.x}, ${s.z})` }),
    world.zones.length > 1 ? remove('Delete zone', (w) => removeZone(w, zone.id)) : h('p', { class: 'build-muted', text: 'A world needs at least one zone.' }));
}
