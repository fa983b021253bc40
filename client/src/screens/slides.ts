/** Slide decks on presentation screens (docs/protocol.md, "Presentation
 * screens"): standing in a screen's zone shows its deck's current slide, the
 * same for everyone there; anyone there flips it (‹ ›, or the arrow keys);
 * the room's owner adds images to the deck (PNG, JPEG, WebP) or a PDF,
 * whose pages the server draws as slides, or removes it. Which slide shows
 * comes from the edge (`slide_shown`, `room_state.slides`). */
import type { Api } from '../api/client';
import type { RealtimeProvider } from '../net/realtime/types';
import { h } from '../ui/dom';
import { zoneAt, type World } from '../world/world';

export interface Slide { id: string; url: string; contentType: string; size: number }
interface Deck { objectId: string; slides: Slide[] }

export interface ScreensHost {
  root: HTMLElement;
  api: Api;
  provider: RealtimeProvider;
  world: World;
  roomId: string;
  owner: boolean;
  position(): { x: number; z: number };
}

/** The screen whose zone (x, z) stands in (the nearest within 3 m, for a screen in no zone). */
export function screenHere(world: World, x: number, z: number): { id: string; label?: string } | null {
  const here = zoneAt(world, x, z)?.id ?? null;
  for (const o of world.objects ?? []) {
    if (o.kind !== 'screen') continue;
    const zone = zoneAt(world, o.x, o.z)?.id ?? null;
    if (zone ? zone === here : Math.hypot(o.x - x, o.z - z) <= 3) return { id: o.id, label: o.label ?? undefined };
  }
  return null;
}

/** The slide to show: `index` kept within the deck. */
export function clampSlide(index: number, count: number): number {
  return Math.min(Math.max(index, 0), Math.max(count - 1, 0));
}

export function mountScreens(host: ScreensHost): () => void {
  const shown = new Map<string, number>();  // screen id → the slide it shows
  let screen: string | null = null;
  let deck: Slide[] = [];
  const img = h('img', { class: 'slides-image', alt: 'Slide' });
  const count = h('span', { class: 'slides-count' });
  const prev = h('button', { class: 'btn small', text: '‹', title: 'Previous slide', 'aria-label': 'Previous slide' });
  const next = h('button', { class: 'btn small', text: '›', title: 'Next slide', 'aria-label': 'Next slide' });
  const title = h('strong', { text: 'Slides' });
  const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/webp,application/pdf', multiple: true, 'aria-label': 'Add slides' });
  const clear = h('button', { class: 'btn small', text: 'Remove deck', title: 'Remove the deck' });
  const note = h('span', { class: 'muted slides-note' });
  const tools = h('div', { class: 'slides-owner' }, h('label', { class: 'muted' }, 'Add slides: ', file), clear, note);
  tools.hidden = !host.owner;
  const panel = h('div', { class: 'slides-panel', role: 'region', 'aria-label': 'Slides' },
    h('div', { class: 'slides-bar' }, title, prev, count, next), img, tools);
  panel.hidden = true;
  host.root.append(panel);

  const index = () => clampSlide(shown.get(screen ?? '') ?? 0, deck.length);
  const show = () => {
    panel.hidden = !screen || (!deck.length && !host.owner);
    panel.dataset.screen = screen ?? '';
    const i = index();
    img.hidden = !deck.length;
    if (deck.length && img.getAttribute('src') !== deck[i].url) img.src = deck[i].url;
    count.textContent = deck.length ? `${i + 1} / ${deck.length}` : 'no slides yet';
    panel.dataset.slide = String(i);
    prev.disabled = i <= 0;
    next.disabled = i >= deck.length - 1;
  };
  const load = async (id: string) => {
    try {
      const d = await host.api.request<Deck>('GET', `/rooms/${host.roomId}/objects/${id}/slides`);
      if (screen === id) { deck = d.slides; show(); }
    } catch { deck = []; show(); }
  };
  const flip = (by: number) => {
    if (!screen || !deck.length) return;
    const to = clampSlide(index() + by, deck.length);
    if (to !== index()) host.provider.sendSlide({ t: 'show_slide', objectId: screen, index: to });
  };
  prev.addEventListener('click', () => flip(-1));
  next.addEventListener('click', () => flip(1));
  const onKey = (e: KeyboardEvent) => {
    if (panel.hidden || (e.target as HTMLElement).tagName === 'INPUT' || document.querySelector('.board-panel')) return;
    if (e.key === 'ArrowRight' && e.shiftKey) flip(1);
    if (e.key === 'ArrowLeft' && e.shiftKey) flip(-1);
  };
  addEventListener('keydown', onKey);
  file.addEventListener('change', async () => {
    if (!screen) return;
    const id = screen;
    note.textContent = '';
    for (const f of Array.from(file.files ?? [])) {
      try {
        deck = (await host.api.request<Deck>('POST', `/rooms/${host.roomId}/objects/${id}/slides`, f)).slides;
      } catch (e) {
        note.textContent = `${f.name}: ${(e as Error).message}`;
      }
    }
    file.value = '';
    show();
  });
  clear.addEventListener('click', async () => {
    if (!screen || !confirm('Remove this screen\'s slides?')) return;
    await host.api.request('DELETE', `/rooms/${host.roomId}/objects/${screen}/slides`);
    await load(screen);
  });
  const offs = [
    host.provider.on('room_state', (s) => { for (const [k, v] of Object.entries(s.slides ?? {})) shown.set(k, v); show(); }),
    host.provider.on('slide_shown', (p) => {
      shown.set(p.objectId, p.index);
      if (p.objectId === screen && p.index >= deck.length) void load(p.objectId);  // a slide added meanwhile
      show();
    }),
  ];
  const timer = setInterval(() => {
    const near = screenHere(host.world, host.position().x, host.position().z);
    if ((near?.id ?? null) === screen) return;
    screen = near?.id ?? null;
    title.textContent = near?.label ?? 'Slides';
    deck = [];
    show();
    if (screen) void load(screen);
  }, 400);
  return () => { clearInterval(timer); removeEventListener('keydown', onKey); for (const off of offs) off(); panel.remove(); };
}
