import { expect, test } from 'vitest';
import { Reconciler } from '../src/net/reconcile';

test('a correction lands within two frames and keeps the moves made since', () => {
  const r = new Reconciler();
  r.sent(1, 5, 5);
  r.sent(2, 5.2, 5); // the edge rejects this one (a wall at x >= 5.1)
  r.sent(3, 5.2, 5.3);
  const pos = { x: 5.2, z: 5.3 }; // where we are now, after moving south
  r.correct(2, 5, 5, pos.x, pos.z);
  r.step(pos);
  expect(pos.x).toBeCloseTo(5.1);
  r.step(pos);
  expect(pos.x).toBeCloseTo(5);
  expect(pos.z).toBeCloseTo(5.3);
  expect(r.pending).toBe(false);
  r.step(pos);
  expect(pos.x).toBeCloseTo(5);
});

test('a later correction for an already-corrected seq does not double the fix', () => {
  const r = new Reconciler();
  r.sent(1, 0, 0);
  r.sent(2, 1, 0);
  const pos = { x: 1, z: 0 };
  r.correct(1, -1, 0, pos.x, pos.z);
  r.step(pos); r.step(pos);
  expect(pos.x).toBeCloseTo(0);
  r.correct(2, 0, 0, pos.x, pos.z); // the server agrees with the shifted seq 2
  r.step(pos); r.step(pos);
  expect(pos.x).toBeCloseTo(0);
});

test('a correction for an unknown seq moves to the server position', () => {
  const r = new Reconciler();
  const pos = { x: 3, z: 3 };
  r.correct(99, 1, 2, pos.x, pos.z);
  r.step(pos); r.step(pos);
  expect(pos).toEqual({ x: 1, z: 2 });
});
