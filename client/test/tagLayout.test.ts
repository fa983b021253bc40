import { expect, test } from 'vitest';
import { liftTags } from '../src/render/tagLayout';

const box = (x: number, y: number, w = 80, h = 20) => ({ x, y, w, h });

test('two players on one spot: the tag further back is lifted clear of the front one', () => {
  expect(liftTags([box(100, 200), box(105, 198)])).toEqual([0, 20]);
});

test('tags that do not touch stay where they are', () => {
  expect(liftTags([box(100, 200), box(300, 200), box(100, 100)])).toEqual([0, 0, 0]);
});

test('a crowd stacks into a column with no two tags overlapping', () => {
  const boxes = [box(100, 200), box(110, 199), box(90, 198), box(100, 197), box(120, 196)];
  const lifts = liftTags(boxes);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const [aTop, aBottom, bTop, bBottom] = [a.y - a.h - lifts[i], a.y - lifts[i], b.y - b.h - lifts[j], b.y - lifts[j]];
      const apartX = Math.abs(a.x - b.x) >= (a.w + b.w) / 2;
      expect(apartX || aBottom <= bTop || bBottom <= aTop, `${i} and ${j}`).toBe(true);
    }
  }
  expect(lifts[0]).toBe(0);
});
