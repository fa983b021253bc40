/** Preferences (GET/PUT /api/users/preferences): work style, room
 * categories, notifications and accessibility. The accessibility settings
 * apply everywhere: classes on the document root for the styles (high
 * contrast, larger text, no CSS motion) and `motionReduced()` /
 * `captionsOn()` for the room view (camera easing, emote animations,
 * emotes and status as text). A copy kept on the device applies them at
 * once on the next visit, before the server answers. */
import { ApiError, type Api } from '../api/client';
import type { Template } from '../world/world';
import { TEMPLATES } from '../world/world';
import { h } from './dom';

export type WorkStyle = 'quiet' | 'music' | 'check-ins';
export const WORK_STYLES: { value: WorkStyle; label: string }[] = [
  { value: 'quiet', label: 'Quiet: cameras and mics mostly off' },
  { value: 'music', label: 'Music: a shared soundtrack' },
  { value: 'check-ins', label: 'Check-ins: say hello at each break' },
];
export interface Notifications { phaseEndSound: boolean; browserNotification: boolean; volume: number }
export interface Accessibility { reducedMotion: boolean; highContrast: boolean; captions: boolean; largerText: boolean }
export interface Music { on: boolean; volume: number }
export interface Preferences {
  workStyle: WorkStyle | null; preferredCategories: Template[]; notifications: Notifications; accessibility: Accessibility;
  music: Music;
}

export const DEFAULT_PREFERENCES: Preferences = {
  workStyle: null, preferredCategories: [],
  notifications: { phaseEndSound: true, browserNotification: false, volume: 60 },
  accessibility: { reducedMotion: false, highContrast: false, captions: false, largerText: false },
  music: { on: true, volume: 70 },
};

const KEY = 'virtubar.preferences';
let current: Preferences = DEFAULT_PREFERENCES;
/** Where changes made outside the preferences page are saved (set at boot). */
let savedBy: Api | null = null;

/** A saved document, with anything missing or unknown taken from the defaults. */
export function completePreferences(raw: unknown): Preferences {
  const p = (raw && typeof raw === 'object' ? raw : {}) as Partial<Preferences>;
  return {
    workStyle: WORK_STYLES.some((w) => w.value === p.workStyle) ? p.workStyle! : null,
    preferredCategories: Array.isArray(p.preferredCategories) ? p.preferredCategories.filter((c) => TEMPLATES.includes(c)) : [],
    notifications: { ...DEFAULT_PREFERENCES.notifications, ...(p.notifications ?? {}) },
    accessibility: { ...DEFAULT_PREFERENCES.accessibility, ...(p.accessibility ?? {}) },
    music: { ...DEFAULT_PREFERENCES.music, ...(p.music ?? {}) },
  };
}

/** The classes the document root carries for these settings. */
export function accessibilityClasses(a: Accessibility, osReducedMotion = false): string[] {
  return [
    a.reducedMotion || osReducedMotion ? 'a11y-calm' : '',
    a.highContrast ? 'a11y-contrast' : '',
    a.largerText ? 'a11y-large' : '',
  ].filter(Boolean);
}

const osPrefersCalm = (): boolean => typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

export function currentPreferences(): Preferences { return current; }
/** Reduced motion, asked for here or by the operating system. */
export const motionReduced = (): boolean => current.accessibility.reducedMotion || osPrefersCalm();
export const captionsOn = (): boolean => current.accessibility.captions;

/** Makes `p` the preferences in force and applies them to the page. */
export function usePreferences(p: Preferences, root: HTMLElement = document.documentElement, storage: Storage = localStorage): void {
  current = p;
  storage.setItem(KEY, JSON.stringify(p));
  for (const c of [...root.classList]) if (c.startsWith('a11y-')) root.classList.remove(c);
  root.classList.add(...accessibilityClasses(p.accessibility, osPrefersCalm()));
}

/** At boot: the device's copy now, then the server's. */
export async function loadPreferences(api: Api): Promise<Preferences> {
  savedBy = api;
  usePreferences(completePreferences(JSON.parse(localStorage.getItem(KEY) ?? 'null')));
  if (!api.session) return current;
  try {
    usePreferences(completePreferences(await api.request('GET', '/users/preferences')));
  } catch { /* offline or an older server: the device's copy stays */ }
  return current;
}

/** A change of the notification settings made elsewhere (the timer ring's
 * chime button): in force at once, then saved like the page saves it. */
export async function changeNotifications(change: Partial<Notifications>): Promise<void> {
  const p = { ...current, notifications: { ...current.notifications, ...change } };
  usePreferences(p);
  if (!savedBy?.session) return;
  try {
    usePreferences(completePreferences(await savedBy.request('PUT', '/users/preferences', p)));
  } catch { /* offline: the device's copy holds it until the next save */ }
}

export function preferencesScreen(api: Api, done: () => void): HTMLElement {
  const p = structuredClone(current);
  const error = h('p', { class: 'error', role: 'alert' });
  const check = (label: string, on: boolean, set: (v: boolean) => void) => {
    const box = h('input', { type: 'checkbox', checked: on });
    box.addEventListener('change', () => set(box.checked));
    return h('label', { class: 'check' }, box, ` ${label}`);
  };
  const style = h('fieldset', { class: 'choices' }, h('legend', { text: 'How you like to work' }),
    ...[{ value: '', label: 'No preference' }, ...WORK_STYLES].map((w) => {
      const radio = h('input', { type: 'radio', name: 'work-style', value: w.value, checked: (p.workStyle ?? '') === w.value });
      radio.addEventListener('change', () => { p.workStyle = (w.value || null) as WorkStyle | null; });
      return h('label', { class: 'check' }, radio, ` ${w.label}`);
    }));
  const categories = h('fieldset', { class: 'choices' }, h('legend', { text: 'Rooms you like' }),
    ...TEMPLATES.map((t) => check(t, p.preferredCategories.includes(t), (on) => {
      p.preferredCategories = on ? [...p.preferredCategories, t] : p.preferredCategories.filter((c) => c !== t);
    })));
  const volume = h('input', { type: 'range', min: '0', max: '100', value: String(p.notifications.volume), 'aria-label': 'Chime volume' });
  volume.addEventListener('input', () => { p.notifications.volume = Number(volume.value); });
  const n = p.notifications, a = p.accessibility;
  const form = h('form', { class: 'card settings preferences' },
    style, categories,
    h('fieldset', { class: 'choices' }, h('legend', { text: 'Notifications' }),
      check('Chime when a work or break phase ends', n.phaseEndSound, (v) => { n.phaseEndSound = v; }),
      check('Browser notification when a phase ends', n.browserNotification, (v) => {
        n.browserNotification = v;
        if (v && typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
      }),
      h('label', {}, 'Volume ', volume)),
    h('fieldset', { class: 'choices' }, h('legend', { text: 'Accessibility' }),
      check('Reduce motion (no camera easing or emote animations)', a.reducedMotion, (v) => { a.reducedMotion = v; }),
      check('High contrast', a.highContrast, (v) => { a.highContrast = v; }),
      check('Captions: emotes and status changes as text', a.captions, (v) => { a.captions = v; }),
      check('Larger text', a.largerText, (v) => { a.largerText = v; })),
    h('fieldset', { class: 'choices' }, h('legend', { text: 'Music' }),
      check("Play the rooms' music (jukebox)", p.music.on, (v) => { p.music.on = v; })),
    h('div', { class: 'row' }, h('button', { class: 'btn primary', type: 'submit', text: 'Save' }),
      h('button', { class: 'btn ghost', type: 'button', onclick: done, text: 'Back' })));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      usePreferences(completePreferences(await api.request('PUT', '/users/preferences', p)));
      done();
    } catch (err) { error.textContent = err instanceof ApiError ? err.describe() : String(err); }
  });
  return h('main', { class: 'screen settings' }, h('h1', { text: 'Preferences' }), error, form);
}
