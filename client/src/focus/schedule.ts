/** The schedule page: upcoming focus sessions (soonest first) with RSVP and
 * a way into the room when it starts, and for the owners of focus rooms a
 * form to schedule one. The room's timer starts by itself at the start
 * time; this page only books and shows (REST under /api/schedule). */
import { ApiError, type Api } from '../api/client';
import { h } from '../ui/dom';
import './schedule.css';
import { scheduleChanged } from './scheduleAlerts';

export interface Scheduled {
  id: string; roomId: string; roomName: string; hostId: string; title: string; startsAt: string; endsAt: string;
  duration: number; breakDuration: number | null; cycles: number; capacity: number; going: number; attending: boolean;
}

const OPEN_BEFORE_MS = 10 * 60_000;
const CYCLES = [{ label: '50 / 10', work: 50, rest: 10 }, { label: '25 / 5', work: 25, rest: 5 }];

/** "2 × 50/10 min", "50 min". */
export function cycleLabel(s: Pick<Scheduled, 'duration' | 'breakDuration' | 'cycles'>): string {
  return s.cycles > 1 && s.breakDuration ? `${s.cycles} × ${s.duration}/${s.breakDuration} min` : `${s.duration} min`;
}

/** May the room be entered now? From a little before the start to the end. */
export function joinable(s: Pick<Scheduled, 'startsAt' | 'endsAt'>, now = Date.now()): boolean {
  return now >= Date.parse(s.startsAt) - OPEN_BEFORE_MS && now < Date.parse(s.endsAt);
}

export function scheduleScreen(api: Api, actions: { back(): void; join(roomId: string): void }): HTMLElement {
  const me = api.user!.id;
  const list = h('ul', { class: 'rooms schedule', 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert' });
  const describe = (err: unknown) => { error.textContent = err instanceof ApiError ? err.describe() : String(err); };

  async function load(): Promise<void> {
    try {
      const page = await api.request<{ items: Scheduled[] }>('GET', '/schedule');
      error.textContent = '';
      list.replaceChildren(...(page.items.length ? page.items.map(row) : [h('li', { class: 'muted', text: 'Nothing scheduled yet.' })]));
    } catch (err) { describe(err); }
  }
  const act = (call: () => Promise<unknown>) => async () => { try { await call(); await load(); scheduleChanged(); } catch (err) { describe(err); } };

  function row(s: Scheduled): HTMLElement {
    const when = new Date(s.startsAt).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit', day: 'numeric', month: 'short' });
    const full = s.going >= s.capacity && !s.attending;
    return h('li', { class: 'room-row session-row' },
      h('span', { class: 'icon', text: '📅' }),
      h('span', { class: 'name' }, h('b', { text: s.title }), h('small', { text: `${s.roomName} · ${when} · ${cycleLabel(s)}` })),
      h('span', { class: 'occ', text: `${s.going} / ${s.capacity}`, title: 'Places taken' }),
      s.attending
        ? h('button', { class: 'btn ghost', onclick: act(() => api.request('DELETE', `/schedule/${s.id}/rsvp`)), text: 'Cancel my place' })
        : h('button', { class: 'btn', disabled: full, onclick: act(() => api.request('POST', `/schedule/${s.id}/rsvp`)), text: full ? 'Full' : 'RSVP' }),
      joinable(s) ? h('button', { class: 'btn primary', onclick: () => actions.join(s.roomId), text: 'Join room' }) : null,
      s.hostId === me ? h('button', { class: 'btn danger small', onclick: act(() => api.request('DELETE', `/schedule/${s.id}`)), text: 'Cancel session' }) : null);
  }

  const form = h('form', { class: 'card create', hidden: true });
  void (async () => {
    try {
      const mine = (await api.rooms({ template: 'focus', limit: 100 })).items.filter((r) => r.ownerId === me);
      if (!mine.length) return;
      const room = h('select', { 'aria-label': 'Room' }, ...mine.map((r) => h('option', { value: r.id, text: r.name })));
      const title = h('input', { type: 'text', required: true, maxlength: '80', placeholder: 'Title', 'aria-label': 'Title' });
      const start = h('input', { type: 'datetime-local', required: true, 'aria-label': 'Starts at' });
      const cycle = h('select', { 'aria-label': 'Work / break' }, ...CYCLES.map((c, i) => h('option', { value: String(i), text: c.label })));
      const cycles = h('input', { type: 'number', min: '1', max: '12', value: '2', 'aria-label': 'Cycles' });
      const capacity = h('input', { type: 'number', min: '1', max: '500', placeholder: 'Places (room size)', 'aria-label': 'Places' });
      form.append(h('h2', { text: 'Host a session' }), room, title, start, h('div', { class: 'row' }, cycle, cycles, capacity),
        h('button', { class: 'btn primary', type: 'submit', text: 'Schedule' }));
      form.hidden = false;
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const c = CYCLES[Number(cycle.value)];
        void act(() => api.request('POST', '/schedule', {
          roomId: room.value, title: title.value.trim(), startsAt: new Date(start.value).toISOString(), duration: c.work,
          breakDuration: c.rest, cycles: Number(cycles.value), ...(capacity.value ? { capacity: Number(capacity.value) } : {}),
        }))();
      });
    } catch (err) { describe(err); }
  })();

  void load();
  const refresh = setInterval(() => { if (!list.isConnected) clearInterval(refresh); else void load(); }, 30_000);
  return h('main', { class: 'screen browser' },
    h('header', { class: 'bar-top' }, h('h1', { text: 'Scheduled sessions' }), h('button', { class: 'btn ghost', onclick: actions.back, text: '← Rooms' })),
    error, h('section', { class: 'card list' }, list), form);
}
