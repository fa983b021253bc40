import { describe, expect, it } from 'vitest';
import { audibleVolume, correction, hostsMusic, IN_STEP_MS, MAX_RATE_CHANGE, positionMs, progress, trackTime, type NowPlaying } from '../src/music/musicClock';
import { titleOf } from '../src/music/library';

const song: NowPlaying = { trackId: 'a'.repeat(32), title: 'Opening', durationMs: 180_000, startedAtServerMs: 1_000_000 };

describe('the jukebox clock', () => {
  it('plays from where the room is on the server clock, within the track', () => {
    expect(positionMs(song, 1_000_000 + 62_500)).toBe(62_500);
    expect(positionMs(song, 999_000)).toBe(0);
    expect(positionMs(song, 1_000_000 + 999_999)).toBe(180_000);
    expect(progress(song, 1_000_000 + 90_000)).toBeCloseTo(0.5);
  });

  it('holds a paused track where it was paused, and plays on from there after the resume', () => {
    const paused: NowPlaying = { ...song, paused: true, pausedAtServerMs: 1_000_000 + 62_500 };
    expect(positionMs(paused, 1_000_000 + 62_500)).toBe(62_500);
    expect(positionMs(paused, 1_000_000 + 500_000)).toBe(62_500);  // minutes later: still there
    const resumed: NowPlaying = { ...song, startedAtServerMs: 1_000_000 + 437_500 };  // resumed at +500 s
    expect(positionMs(resumed, 1_000_000 + 500_000)).toBe(62_500);
    expect(positionMs(resumed, 1_000_000 + 501_000)).toBe(63_500);
  });

  it("shows the pause button to the room's owner and moderators only", () => {
    expect(hostsMusic(true, 'player')).toBe(true);
    expect(hostsMusic(false, 'moderator')).toBe(true);
    expect(hostsMusic(false, 'player')).toBe(false);
    expect(hostsMusic(false, undefined)).toBe(false);
  });

  it('catches up by small rate changes and jumps only when far off', () => {
    expect(correction(10_000, 10_000 + IN_STEP_MS)).toEqual({ rate: 1 });
    const behind = correction(10_000, 10_200);
    expect('rate' in behind && behind.rate > 1 && behind.rate <= 1 + MAX_RATE_CHANGE).toBe(true);
    const ahead = correction(10_400, 10_000);
    expect('rate' in ahead && ahead.rate < 1 && ahead.rate >= 1 - MAX_RATE_CHANGE).toBe(true);
    expect(correction(0, 62_500)).toEqual({ seekToMs: 62_500 });
  });

  it('is silent with music off and lower while someone near speaks', () => {
    expect(audibleVolume(false, 80, false)).toBe(0);
    expect(audibleVolume(true, 80, false)).toBeCloseTo(0.8);
    expect(audibleVolume(true, 80, true)).toBeLessThan(0.8);
  });

  it('labels times and titles for the panel', () => {
    expect(trackTime(187_400)).toBe('3:07');
    expect(titleOf('my_song-01.mp3')).toBe('my song-01');
    expect(titleOf('.mp3')).toBe('Untitled');
  });
});
