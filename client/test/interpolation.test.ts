import { describe, expect, test } from 'vitest';
import { RemoteTrack, lerpAngle } from '../src/net/interpolation';

const push = (t: RemoteTrack, seq: number, ts: number, x: number, z = 0) => t.push(seq, ts, x, 0, z, 0, 'walk', false);

describe('remote avatar interpolation', () => {
  test('draws the member between the two transforms around (server now − delay)', () => {
    const track = new RemoteTrack(150, 3);
    push(track, 1, 1000, 0);
    push(track, 2, 1100, 1);
    push(track, 3, 1200, 2);
    expect(track.sample(1150 + 150).x).toBeCloseTo(1.5);
    expect(track.sample(1025 + 150).x).toBeCloseTo(0.25);
  });

  test('holds the last known transform when the buffer runs dry instead of overshooting', () => {
    const track = new RemoteTrack(150, 3);
    push(track, 1, 1000, 0);
    push(track, 2, 1100, 1);
    expect(track.sample(5000).x).toBe(1);
  });

  test('ignores stale and repeated seq', () => {
    const track = new RemoteTrack(100, 3);
    push(track, 5, 1000, 1);
    expect(push(track, 4, 1100, 9)).toBe(false);
    expect(push(track, 5, 1100, 9)).toBe(false);
    expect(track.sample(9999).x).toBe(1);
  });

  test('snaps to a target farther than the snap distance', () => {
    const track = new RemoteTrack(150, 3);
    push(track, 1, 1000, 0);
    push(track, 2, 1100, 0.5);
    track.sample(1250); // drawn at 0.5
    push(track, 3, 1200, 10); // teleport
    expect(track.sample(1210).x).toBe(10);
  });

  test('transforms batched in one tick keep their order', () => {
    const track = new RemoteTrack(0, 3);
    push(track, 1, 1000, 0);
    push(track, 2, 1000, 1);
    expect(track.sample(1000).x).toBe(0);
    expect(track.sample(1001).x).toBe(1);
  });

  test('turns the short way round', () => {
    expect(lerpAngle(3, -3, 0.5)).toBeCloseTo(3 + (2 * Math.PI - 6) / 2);
  });
});
