/** The part editor's "Leads to" for a portal: nowhere, a zone of this room,
 * a new room of a template, or one room by its link or id. */
import { h } from '../ui/dom';
import { TEMPLATES, type World, type WorldObject } from '../world/world';
import { firstOf, readTarget, roomIdFrom, setTarget, type Leads } from './portalTarget';

const LEADS: [Leads, string][] = [
  ['none', 'Nowhere'], ['zone', 'A zone of this room'], ['template', 'A room of a kind'], ['room', 'One room (its link)'],
];
const KIND_WORDS: Record<string, string> = { bar: 'A bar', office: 'An office', focus: 'A focus room', world: 'A town' };

/** The fieldset; `edit` changes the draft (the fieldset already shows the change). */
export function portalFields(world: World, o: WorldObject, edit: (change: (w: World) => World) => void): HTMLElement {
  const now = readTarget(world, o.target);
  const leads = h('select', { name: 'leads' }, ...LEADS.map(([v, text]) => h('option', { value: v, text })));
  leads.value = now.leads;
  leads.setAttribute('aria-label', 'Leads to');
  const where = h('div', { class: 'build-portal-where' });
  const say = h('p', { class: 'build-muted', role: 'status' });
  const to = (target: string | null) => edit((w) => setTarget(w, o.id, target));

  function options(pairs: [string, string][], value: string, label: string): HTMLSelectElement {
    const el = h('select', { name: 'target' }, ...pairs.map(([v, text]) => h('option', { value: v, text })));
    el.value = value;
    el.setAttribute('aria-label', label);
    el.addEventListener('change', () => to(el.value));
    return el;
  }

  function show(kind: Leads, value: string): void {
    say.textContent = '';
    if (kind === 'zone') where.replaceChildren(options(world.zones.map((z) => [z.id, z.name]), value, 'Zone'));
    else if (kind === 'template') where.replaceChildren(options(TEMPLATES.map((t) => [t, KIND_WORDS[t] ?? t]), value, 'Kind of room'));
    else if (kind === 'room') {
      const input = h('input', { name: 'target', type: 'text', value, placeholder: 'Paste the room’s link' });
      input.setAttribute('aria-label', 'Room link or id');
      input.addEventListener('change', () => {
        const id = roomIdFrom(input.value);
        if (id) { input.value = id; say.textContent = ''; to(id); } else say.textContent = 'Paste a room’s link (…/r/…) or its id.';
      });
      where.replaceChildren(input);
    } else where.replaceChildren();
  }

  leads.addEventListener('change', () => {
    const kind = leads.value as Leads, first = firstOf(world, kind);
    show(kind, first);
    if (kind !== 'room') to(first || null);  // a room waits for its link
  });
  show(now.leads, now.value);
  return h('fieldset', { class: 'build-portal' }, h('legend', { text: 'Leads to' }), leads, where, say);
}
