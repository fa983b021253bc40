/** The room's jukebox: one audio element that plays what the server says
 * at the second the room is at (`musicClock.ts`), and the panel you open by
 * walking up to the jukebox or with its button: now playing with progress,
 * skip, the queue with up-votes, add from the library or upload, the DJ
 * rotation, volume.
 * Music off in the preferences plays nothing; the music is lowered while
 * someone near you speaks. */
import type { Api } from '../api/client';
import { ApiError } from '../api/client';
import type { RealtimeProvider } from '../net/realtime/types';
import { h, toast } from '../ui/dom';
import { currentPreferences, usePreferences } from '../ui/preferences';
import type { World } from '../world/world';
import './music.css';
import { audibleVolume, correction, hostsMusic, positionMs, progress, trackTime, type MusicState } from './musicClock';
import { audioUrl, MusicLibrary, type Track } from './library';

const NEAR_M = 2.5;
const TICK_MS = 250;

export interface JukeboxOptions {
  api: Api; provider: RealtimeProvider; world: World; roomId: string; me: string;
  /** Where the local member stands, to open the panel by the jukebox. */
  position(): { x: number; z: number };
  /** Is someone near the local member speaking? (The music ducks.) */
  nearSpeaking(): boolean;
  nameOf(userId: string): string;
  /** Does the local member own the room? (With moderators, they pause the music.) */
  owner?: boolean;
}

const describe = (err: unknown) => (err instanceof ApiError ? err.describe() : (err as Error).message);

/** Mounts the jukebox in `parent`; returns the unmount. */
export function mountJukebox(parent: HTMLElement, o: JukeboxOptions): () => void {
  const library = new MusicLibrary(o.api, o.roomId);
  const box = o.world.objects?.find((b) => b.kind === 'jukebox');
  let state: MusicState | null = null;
  let tracks: Track[] = [];
  let wasNear = false;
  let blocked = false;

  const audio = h('audio', { class: 'jukebox-audio', preload: 'auto' });
  const open = h('button', { class: 'btn jukebox-button', 'aria-expanded': 'false', text: '♪ Jukebox' });
  const title = h('div', { class: 'now-title' });
  const bar = h('progress', { max: '1', value: '0', 'aria-label': 'Song progress' });
  const time = h('span', { class: 'muted now-time' });
  const skip = h('button', { class: 'btn small', text: 'Vote skip' });
  const hold = h('button', { class: 'btn small jukebox-pause', text: 'Pause' });
  const queue = h('ol', { class: 'jukebox-queue', 'aria-label': 'Up next' });
  const pick = h('select', { 'aria-label': 'Track from the library' });
  const add = h('button', { class: 'btn small primary', text: 'Add' });
  const djButton = h('button', { class: 'btn small', text: 'Become DJ', title: 'Take turns playing your own uploads' });
  const djs = h('p', { class: 'muted jukebox-djs' });
  const file = h('input', { type: 'file', accept: 'audio/*', 'aria-label': 'Upload a track' });
  const volume = h('input', { type: 'range', min: '0', max: '100', 'aria-label': 'Music volume' });
  const onOff = h('input', { type: 'checkbox', 'aria-label': 'Music on' });
  const error = h('p', { class: 'error', role: 'alert' });
  const close = h('button', { class: 'btn small ghost', text: 'Close', 'aria-label': 'Close the jukebox' });
  const panel = h('section', { class: 'panel jukebox-panel', 'aria-label': 'Jukebox' },
    h('header', { class: 'row' }, h('h2', { text: 'Jukebox' }), close),
    h('div', { class: 'now-playing' }, title, bar, h('div', { class: 'row' }, time, hold, skip)),
    h('h3', { text: 'Up next' }), queue,
    h('div', { class: 'row jukebox-add' }, pick, add),
    h('label', { class: 'muted jukebox-upload' }, 'Upload: ', file),
    h('div', { class: 'row jukebox-dj' }, djs, djButton),
    h('div', { class: 'row jukebox-volume' }, h('label', {}, onOff, ' Music'), volume),
    error);
  panel.hidden = true;
  parent.append(audio, open, panel);

  const setOpen = (on: boolean) => {
    panel.hidden = !on;
    open.setAttribute('aria-expanded', String(on));
    if (on) void refreshLibrary();
  };
  open.addEventListener('click', () => { unblock(); setOpen(panel.hidden); });
  close.addEventListener('click', () => setOpen(false));
  skip.addEventListener('click', () => { if (state?.nowPlaying) o.provider.sendMusic({ t: 'vote', trackId: state.nowPlaying.trackId, vote: 'skip' }); });
  hold.addEventListener('click', () => { if (state?.nowPlaying) o.provider.sendMusic({ t: 'pause_music', paused: !state.nowPlaying.paused }); });
  add.addEventListener('click', () => { unblock(); if (pick.value) o.provider.sendMusic({ t: 'queue_track', trackId: pick.value }); });
  file.addEventListener('change', () => void uploadPicked());
  djButton.addEventListener('click', () => o.provider.sendMusic({ t: 'dj', join: !(state?.djs ?? []).includes(o.me) }));
  const prefs = () => currentPreferences().music;
  volume.value = String(prefs().volume);
  onOff.checked = prefs().on;
  const setMusic = (m: Partial<ReturnType<typeof prefs>>) => usePreferences({ ...currentPreferences(), music: { ...prefs(), ...m } });
  volume.addEventListener('input', () => setMusic({ volume: Number(volume.value) }));
  onOff.addEventListener('change', () => { setMusic({ on: onOff.checked }); unblock(); });

  /** A phone (or a browser's autoplay rule) lets audio start only from a tap. */
  function unblock(): void {
    if (blocked && prefs().on) { blocked = false; void audio.play().catch(() => { blocked = true; }); }
  }

  async function refreshLibrary(): Promise<void> {
    try {
      tracks = await library.tracks();
      pick.replaceChildren(...tracks.map((t) => h('option', { value: t.id, text: `${t.title} (${trackTime(t.durationMs ?? 0)})` })));
      error.textContent = '';
    } catch (err) { error.textContent = describe(err); }
  }

  async function uploadPicked(): Promise<void> {
    const f = file.files?.[0];
    if (!f) return;
    error.textContent = `Uploading ${f.name}…`;
    try {
      const t = await library.upload(f);
      await refreshLibrary();
      pick.value = t.id;
      toast(`${t.title} is in the library.`);
    } catch (err) { error.textContent = describe(err); }
    file.value = '';
  }

  function showQueue(): void {
    const items = (state?.queue ?? []).map((q) => {
      const up = q.upBy ?? [];
      const vote = h('button', { class: 'btn small ghost', text: `▲ ${up.length}`, 'aria-label': `Vote up ${q.title}`, 'aria-pressed': String(up.includes(o.me)) });
      vote.addEventListener('click', () => o.provider.sendMusic({ t: 'vote', trackId: q.trackId, vote: 'up' }));
      return h('li', {}, h('span', { text: q.title }), vote);
    });
    queue.replaceChildren(...(items.length ? items : [h('li', { class: 'muted', text: 'Nothing queued: add a track.' })]));
    const rotation = state?.djs ?? [];
    djs.textContent = rotation.length ? `DJs: ${rotation.map((id) => (id === o.me ? 'you' : o.nameOf(id))).join(', ')}` : 'No DJs';
    djButton.textContent = rotation.includes(o.me) ? 'Leave DJ rotation' : 'Become DJ';
  }

  function sync(): void {
    const now = state?.nowPlaying ?? null;
    const serverNow = Date.now() + o.provider.clockOffsetMs();
    const m = prefs();
    audio.volume = audibleVolume(m.on, m.volume, o.nearSpeaking());
    panel.dataset.trackId = now?.trackId ?? '';
    if (!now) {
      title.textContent = 'Silence: add a track';
      bar.value = 0; time.textContent = ''; skip.hidden = true; hold.hidden = true;
      if (!audio.paused) audio.pause();
      return;
    }
    const roomMs = positionMs(now, serverNow);
    title.textContent = now.paused ? `${now.title} (paused)` : now.title;
    hold.hidden = !hostsMusic(!!o.owner, o.api.user?.role);
    hold.textContent = now.paused ? 'Resume' : 'Pause';
    bar.value = progress(now, serverNow);
    const skips = now.skipBy?.length ?? 0;
    time.textContent = `${trackTime(roomMs)} / ${trackTime(now.durationMs)}`;
    skip.hidden = false;
    skip.textContent = skips ? `Vote skip (${skips})` : 'Vote skip';
    if (!m.on || now.paused || roomMs >= now.durationMs) { if (!audio.paused) audio.pause(); return; }
    if (audio.dataset.trackId !== now.trackId) {
      audio.dataset.trackId = now.trackId;
      audio.src = audioUrl(now.trackId);
      audio.currentTime = roomMs / 1000;
    }
    if (audio.paused && !blocked) {
      audio.currentTime = positionMs(now, Date.now() + o.provider.clockOffsetMs()) / 1000;
      void audio.play().catch(() => { blocked = true; open.textContent = '♪ Tap to listen'; });
      return;
    }
    if (audio.paused || audio.readyState < 2) return;
    open.textContent = '♪ Jukebox';
    const c = correction(audio.currentTime * 1000, roomMs);
    if ('seekToMs' in c) audio.currentTime = c.seekToMs / 1000;
    else if (audio.playbackRate !== c.rate) audio.playbackRate = c.rate;
  }

  function nearBy(): void {
    if (!box) return;
    const p = o.position();
    const near = Math.hypot(p.x - box.x, p.z - box.z) < NEAR_M;
    if (near && !wasNear) setOpen(true);
    wasNear = near;
  }

  const every = setInterval(() => { nearBy(); sync(); }, TICK_MS);
  const unsubs = [
    o.provider.on('room_state', (s) => { state = s.music ?? null; showQueue(); sync(); }),
    o.provider.on('music_state', (s) => { state = s; showQueue(); sync(); }),
    o.provider.on('error', (e) => {
      if (e.code === 'unknown_track') void refreshLibrary();  // the edge's copy of the library was lost: reading it rebuilds it
      if (e.event === 'queue_track' || e.event === 'vote' || e.event === 'pause_music') error.textContent = e.message;
    }),
  ];
  showQueue();
  return () => { clearInterval(every); unsubs.forEach((u) => u()); audio.pause(); audio.remove(); open.remove(); panel.remove(); };
}
