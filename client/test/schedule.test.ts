import { expect, test } from 'vitest';
import { cycleLabel, joinable } from '../src/focus/schedule';

test('a scheduled session reads as its cycle and opens shortly before it starts', () => {
  expect(cycleLabel({ duration: 50, breakDuration: 10, cycles: 2 })).toBe('2 × 50/10 min');
  expect(cycleLabel({ duration: 25, breakDuration: null, cycles: 1 })).toBe('25 min');
  const s = { startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T11:50:00Z' };
  expect(joinable(s, Date.parse('2030-01-01T09:45:00Z'))).toBe(false);
  expect(joinable(s, Date.parse('2030-01-01T09:52:00Z'))).toBe(true);
  expect(joinable(s, Date.parse('2030-01-01T11:00:00Z'))).toBe(true);
  expect(joinable(s, Date.parse('2030-01-01T11:50:00Z'))).toBe(false);
});
