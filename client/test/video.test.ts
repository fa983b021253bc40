import { expect, test } from 'vitest';
import { screenShareAllowed, tileLabel, tileMode, VideoBoard, type Layout } from '../src/video/tiles';
import { DEFAULT_WORLDS } from '../src/world/defaults';

const names: Record<string, string> = { ana: 'Ana', ben: 'Ben', cy: 'Cy' };
const shown = (l: Layout) => ({
  stage: l.stage && tileLabel(l.stage, 'me', (id) => names[id]),
  tiles: l.tiles.map((t) => tileLabel(t, 'me', (id) => names[id])),
});

test("a camera tile appears once track_owner names its owner and frames arrive, and goes when the frames stop", () => {
  const b = new VideoBoard('me');
  b.owner('3', 'ana', 'camera');
  expect(shown(b.layout()).tiles).toEqual([]);  // no frames yet: no black tile
  expect(b.frames('3', 12)).toBe(true);
  expect(shown(b.layout()).tiles).toEqual(['Ana']);
  expect(b.frames('3', 30)).toBe(false);
  expect(b.frames('3', 30)).toBe(false);  // one quiet sample is a hiccup
  expect(b.frames('3', 30)).toBe(true);   // the second: the camera was switched off
  expect(shown(b.layout()).tiles).toEqual([]);
  b.frames('3', 31);
  expect(shown(b.layout()).tiles).toEqual(['Ana']);
});

test('a track handed to someone else shows them only after their own frames, and an idle track shows nobody', () => {
  const b = new VideoBoard('me');
  b.owner('3', 'ana');  // an SFU that sends no source: a camera
  b.frames('3', 5);
  b.owner('3', 'ben', 'camera');
  expect(shown(b.layout()).tiles).toEqual([]);
  b.frames('3', 9);
  expect(shown(b.layout()).tiles).toEqual(['Ben']);
  b.owner('3', null);
  b.frames('3', 10);
  expect(shown(b.layout()).tiles).toEqual([]);
});

test('a shared screen takes the stage, labelled with who shares; your own camera and screen come first', () => {
  const b = new VideoBoard('me');
  for (const [mid, user, source] of [['4', 'cy', 'camera'], ['3', 'ana', 'camera'], ['5', 'ben', 'screen'], ['6', 'ben', 'camera']] as const) {
    b.owner(mid, user, source);
    b.frames(mid, 1);
  }
  expect(shown(b.layout())).toEqual({ stage: 'Ben is sharing', tiles: ['Ana', 'Cy', 'Ben'] });
  b.setLocal('camera', true);
  b.setLocal('screen', true);
  expect(shown(b.layout())).toEqual({ stage: 'You are sharing', tiles: ['You', 'Ana', 'Cy', 'Ben', 'Ben is sharing'] });
  b.remove('5');
  b.setLocal('screen', false);
  expect(shown(b.layout()).stage).toBeNull();
});

test('one tile per member and source, even while the SFU moves a camera to another track', () => {
  const b = new VideoBoard('me');
  b.owner('3', 'ana', 'camera'); b.frames('3', 1);
  b.owner('7', 'ana', 'camera'); b.frames('7', 1);
  b.owner('8', 'me', 'camera'); b.frames('8', 1);  // never your own camera back
  expect(b.layout().tiles.map((t) => t.key)).toEqual(['ana:camera']);
});

test('focus rooms get a grid, other rooms a strip; screen share is offered in the office and where a world has a screen', () => {
  expect(tileMode('focus')).toBe('grid');
  expect(tileMode('office')).toBe('strip');
  expect(screenShareAllowed(DEFAULT_WORLDS.office)).toBe(true);
  expect(screenShareAllowed(DEFAULT_WORLDS.focus)).toBe(false);
  expect(screenShareAllowed({ template: 'world', objects: [{ kind: 'screen' }] })).toBe(true);
});
