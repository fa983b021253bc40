/** At a scheduled session's start, the players who took a place hear of it
 * wherever they are in the app: a notice with a button into the room, and a
 * browser notification when their preferences and the browser allow. The
 * schedule is read from the API (each minute, and at once after an RSVP);
 * the start is timed in this tab. The room's timer starts by itself on the
 * server, whoever is there. */
import type { Api } from '../api/client';
import { h } from '../ui/dom';
import { currentPreferences } from '../ui/preferences';
import type { Scheduled } from './schedule';
import './schedule.css';

const POLL_MS = 60_000;
const LATE_MS = 5 * 60_000;
/** A start noticed later than this (the tab was closed) is not announced. */
const TOLD_KEY = 'virtubar.sessionsAnnounced';

/** The sessions this player took a place in that start now and were not announced yet. Pure. */
export function dueStarts(items: Scheduled[], now: number, told: ReadonlySet<string>): Scheduled[] {
  return items.filter((s) => {
    const at = Date.parse(s.startsAt);
    return s.attending && !told.has(s.id) && at <= now && now < Math.min(Date.parse(s.endsAt), at + LATE_MS);
  });
}

/** When to look again: at the next start of a session of mine, at the latest in a minute. Pure. */
export function nextLookMs(items: Scheduled[], now: number, told: ReadonlySet<string>): number {
  const starts = items.filter((s) => s.attending && !told.has(s.id)).map((s) => Date.parse(s.startsAt) - now).filter((ms) => ms > 0);
  return Math.min(POLL_MS, ...starts.map((ms) => ms + 50));
}

let lookNow: (() => void) | null = null;

/** The schedule changed here (an RSVP): look again now. */
export function scheduleChanged(): void { lookNow?.(); }

/** Watches the schedule while the player is signed in. `here()`: the room the
 * player is in (null: none); `join` takes them into a room. */
export function watchSchedule(api: Api, join: (roomId: string) => void, here: () => string | null): void {
  const told = new Set<string>(JSON.parse(sessionStorage.getItem(TOLD_KEY) ?? '[]') as string[]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  async function look(): Promise<void> {
    clearTimeout(timer);
    let items: Scheduled[] = [];
    try {
      if (api.session) items = (await api.request<{ items: Scheduled[] }>('GET', '/schedule')).items;
    } catch { /* offline a moment: the next look */ }
    for (const s of dueStarts(items, Date.now(), told)) {
      told.add(s.id);
      if (here() !== s.roomId) announce(s, join);
    }
    sessionStorage.setItem(TOLD_KEY, JSON.stringify([...told]));
    timer = setTimeout(() => void look(), nextLookMs(items, Date.now(), told));
  }
  lookNow = () => void look();
  void look();
}

function announce(s: Scheduled, join: (roomId: string) => void): void {
  const text = `“${s.title}” is starting in ${s.roomName}.`;
  const close = () => box.remove();
  const go = () => { close(); join(s.roomId); };
  const box = h('aside', { class: 'session-alert', role: 'alert' },
    h('b', { text: 'Your focus session is starting' }), h('span', { text }),
    h('div', { class: 'row' }, h('button', { class: 'btn primary', onclick: go, text: 'Go to the room' }),
      h('button', { class: 'btn ghost', onclick: close, text: 'Dismiss' })));
  document.body.append(box);
  if (currentPreferences().notifications.browserNotification && 'Notification' in globalThis && Notification.permission === 'granted') {
    const n = new Notification('Your focus session is starting', { body: text, tag: `virtubar-session-${s.id}` });
    n.onclick = () => { focus(); go(); n.close(); };
  }
}
