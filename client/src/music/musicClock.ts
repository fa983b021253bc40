/** The jukebox as the client plays it: pure time math, no DOM or audio.
 * The server says when the track started on its clock (`startedAtServerMs`);
 * the client's estimate of the server's clock is local time plus the
 * heartbeat's offset (`RealtimeProvider.clockOffsetMs`, as for the focus
 * timer), so every player is at the same second of the song. Drift is
 * corrected by playing a little faster or slower, never by a jump unless
 * the player is far off (a seek on joining or after a stall). */
import type { ServerPayloads } from '../net/realtime/types';

export type MusicState = ServerPayloads['music_state'];
export type NowPlaying = NonNullable<MusicState['nowPlaying']>;

/** Off by more than this (ms): seek instead of catching up by rate (a slow start of playback is fixed at once). */
export const SEEK_MS = 400;
/** Within this (ms): play at normal speed. */
export const IN_STEP_MS = 30;
/** The largest rate change used to catch up (±5 %: not heard as a pitch change on most music). */
export const MAX_RATE_CHANGE = 0.05;

/** Where in the track (ms) the room is at `serverNowMs`, clamped to the
 * track; a paused track holds where it was paused. */
export function positionMs(now: NowPlaying, serverNowMs: number): number {
  const at = now.paused && now.pausedAtServerMs != null ? now.pausedAtServerMs : serverNowMs;
  return Math.min(Math.max(0, at - now.startedAtServerMs), now.durationMs);
}

/** Who may pause the jukebox: the room's owner and moderators (the server decides; this only hides the button). */
export const hostsMusic = (owner: boolean, role: string | undefined): boolean =>
  owner || role === 'moderator' || role === 'admin';

/** 0 to 1: how much of the track has played. */
export function progress(now: NowPlaying, serverNowMs: number): number {
  return now.durationMs > 0 ? positionMs(now, serverNowMs) / now.durationMs : 0;
}

export type Correction = { seekToMs: number } | { rate: number };

/** What the player does given where the audio is (`playedMs`) and where
 * the room is (`roomMs`): a seek when far off, else a playback rate that
 * closes the gap within about a second. */
export function correction(playedMs: number, roomMs: number): Correction {
  const behind = roomMs - playedMs;
  if (Math.abs(behind) > SEEK_MS) return { seekToMs: roomMs };
  if (Math.abs(behind) <= IN_STEP_MS) return { rate: 1 };
  return { rate: 1 + Math.max(-MAX_RATE_CHANGE, Math.min(MAX_RATE_CHANGE, behind / 1000)) };
}

/** `3:07`: minutes and seconds of a track position. */
export function trackTime(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The volume the audio element plays at (0 to 1): the player's slider,
 * lowered while someone near speaks (ducking), nothing with music off. */
export function audibleVolume(on: boolean, volume: number, someoneSpeaks: boolean): number {
  if (!on) return 0;
  const v = Math.min(100, Math.max(0, volume)) / 100;
  return someoneSpeaks ? v * 0.3 : v;
}
