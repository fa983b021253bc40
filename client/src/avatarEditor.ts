/** The avatar editor: body shape, skin, hair, outfit and hat with colour
 * swatches, drawn live by the same crowd renderer the rooms use (so the
 * preview is what others see, in every view). Items the player does not own
 * are shown locked; the server refuses them anyway. */
import { AmbientLight, Color, DirectionalLight, PerspectiveCamera, Scene, WebGLRenderer } from 'three';
import { ApiError } from './api/client';
import { BODIES, CHOICES, compact, fullLook, itemFor, SWATCHES, type Look, type Slot } from './avatarLook';
import type { PeopleApi } from './people/api';
import { Crowd } from './render/crowd';
import { h } from './ui/dom';
import './people/people.css';

const LABEL: Record<string, string> = { none: 'None', tophat: 'Top hat', tee: 'T-shirt' };
const label = (v: string) => LABEL[v] ?? v[0].toUpperCase() + v.slice(1);
const COLOUR_NAMES: Record<keyof typeof SWATCHES, string> = {
  skin: 'Skin', hairColour: 'Hair colour', outfitColour: 'Outfit colour', hatColour: 'Hat colour',
};

/** A turning avatar on its own small canvas; `show` draws another look. */
class Preview {
  readonly canvas = h('canvas', { class: 'avatar-preview', width: '220', height: '260', 'aria-label': 'Avatar preview', role: 'img' });
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(35, 220 / 260, 0.1, 20);
  private readonly crowd = new Crowd(1);

  constructor() {
    this.renderer = new WebGLRenderer({ canvas: this.canvas, antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(devicePixelRatio, 2));
    this.renderer.setSize(220, 260, false);
    this.scene.background = new Color('#1e2233');
    this.scene.add(new AmbientLight('#ffffff', 1.2), this.crowd.group);
    const sun = new DirectionalLight('#ffffff', 2.2);
    sun.position.set(2, 4, 3);
    this.scene.add(sun);
    this.camera.position.set(0, 1.25, 3.6);
    this.camera.lookAt(0, 0.85, 0);
    this.crowd.count = 1;
    this.renderer.setAnimationLoop((t) => this.draw(t / 1000));
  }

  show(look: Look): void { this.crowd.setLook(0, look); }

  private draw(t: number): void {
    this.crowd.setPose(0, 0, 0, 0, Math.sin(t * 0.6) * 0.9, 'idle', false, t);
    this.crowd.commit();
    this.renderer.render(this.scene, this.camera);
  }

  dispose(): void { this.renderer.setAnimationLoop(null); this.renderer.dispose(); }
}

/** Opens the editor over `parent`; `saved` gets the look the server stored. */
export async function openAvatarEditor(parent: HTMLElement, people: PeopleApi, saved: (look: Look) => void): Promise<void> {
  parent.querySelector('.avatar-editor')?.remove();
  const inventory = await people.inventory();
  const owned = new Set(inventory.items.filter((i) => i.owned).map((i) => i.id));
  const names = new Map(inventory.items.map((i) => [i.id, i.name]));
  const look = fullLook(inventory.look);
  const preview = new Preview();
  preview.show(look);
  const error = h('p', { class: 'error', role: 'alert' });
  const groups: (() => void)[] = [];  // each group redraws its pressed state

  const choose = (title: string, values: readonly string[], get: () => string, set: (v: string) => void, item?: Slot) => {
    const row = h('div', { class: 'choices', role: 'radiogroup', 'aria-label': title });
    const buttons = values.map((v) => {
      const id = item ? itemFor(item, v) : null;
      const locked = id !== null && !owned.has(id);
      const b = h('button', { type: 'button', class: 'btn small choice', role: 'radio', disabled: locked,
        title: locked ? `${names.get(id!) ?? v}: not in your inventory` : label(v), text: label(v) + (locked ? ' (locked)' : '') });
      b.addEventListener('click', () => { set(v); refresh(); });
      return [v, b] as const;
    });
    groups.push(() => { for (const [v, b] of buttons) b.setAttribute('aria-checked', String(get() === v)); });
    row.append(...buttons.map(([, b]) => b));
    return h('fieldset', { class: 'part' }, h('legend', { text: title }), row);
  };
  const swatches = (key: keyof typeof SWATCHES) => {
    const row = h('div', { class: 'swatches', role: 'radiogroup', 'aria-label': COLOUR_NAMES[key] });
    const buttons = SWATCHES[key].map((c) => {
      const b = h('button', { type: 'button', class: 'swatch', role: 'radio', 'aria-label': `${COLOUR_NAMES[key]} ${c}`, title: c });
      b.style.background = c;
      b.addEventListener('click', () => { look[key] = c; refresh(); });
      return [c, b] as const;
    });
    groups.push(() => { for (const [c, b] of buttons) b.setAttribute('aria-checked', String(look[key] === c)); });
    row.append(...buttons.map(([, b]) => b));
    return h('fieldset', { class: 'part' }, h('legend', { text: COLOUR_NAMES[key] }), row);
  };
  function refresh(): void { preview.show(look); for (const g of groups) g(); }

  const close = () => { preview.dispose(); dialog.remove(); };
  const save = h('button', { class: 'btn primary', type: 'submit', text: 'Save look' });
  const dialog = h('form', { class: 'panel avatar-editor', role: 'dialog', 'aria-label': 'Avatar editor' },
    h('h2', { text: 'Your avatar' }),
    h('div', { class: 'editor-body' }, preview.canvas,
      h('div', { class: 'parts' },
        choose('Body', BODIES, () => look.body, (v) => { look.body = v as Look['body']; }),
        swatches('skin'),
        choose('Hair', CHOICES.hair, () => look.hair, (v) => { look.hair = v as Look['hair']; }, 'hair'),
        swatches('hairColour'),
        choose('Outfit', CHOICES.outfit, () => look.outfit, (v) => { look.outfit = v as Look['outfit']; }, 'outfit'),
        swatches('outfitColour'),
        choose('Hat', CHOICES.hat, () => look.hat, (v) => { look.hat = v as Look['hat']; }, 'hat'),
        swatches('hatColour'))),
    error,
    h('div', { class: 'row' }, save, h('button', { class: 'btn ghost', type: 'button', onclick: close, text: 'Cancel' })));
  dialog.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      const worn = fullLook(await people.wear(compact(look)));
      close();
      saved(worn);
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.describe() : String(err);
      save.disabled = false;
    }
  });
  refresh();
  parent.append(dialog);
}
