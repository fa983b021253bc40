import { expect, test } from 'vitest';
import { cycleLabel, joinable } from '../src/focus/schedule';
import { dueStarts, nextLookMs } from '../src/focus/scheduleAlerts';

test('a scheduled session reads as its cycle and opens shortly before it starts', () => {
  expect(cycleLabel({ duration: 50, breakDuration: 10, cycles: 2 })).toBe('2 × 50/10 min');
  expect(cycleLabel({ duration: 25, breakDuration: null, cycles: 1 })).toBe('25 min');
  const s = { startsAt: '2030-01-01T10:00:00Z', endsAt: '2030-01-01T11:50:00Z' };
  expect(joinable(s, Date.parse('2030-01-01T09:45:00Z'))).toBe(false);
  expect(joinable(s, Date.parse('2030-01-01T09:52:00Z'))).toBe(true);
  expect(joinable(s, Date.parse('2030-01-01T11:00:00Z'))).toBe(true);
  expect(joinable(s, Date.parse('2030-01-01T11:50:00Z'))).toBe(false);
});

test('a session I took a place in is announced once, at its start, and not long after', () => {
  const s = (id: string, startsAt: string, attending = true) =>
    ({ id, roomId: 'r', roomName: 'Deep work', hostId: 'h', title: 'Morning', startsAt, endsAt: '2030-01-01T12:00:00Z',
      duration: 50, breakDuration: 10, cycles: 2, capacity: 8, going: 2, attending });
  const items = [s('a', '2030-01-01T10:00:00Z'), s('b', '2030-01-01T10:30:00Z'), s('c', '2030-01-01T10:00:00Z', false)];
  const at = (t: string) => Date.parse(`2030-01-01T${t}Z`);
  expect(dueStarts(items, at('09:59:59'), new Set())).toEqual([]);
  expect(dueStarts(items, at('10:00:00'), new Set()).map((x) => x.id)).toEqual(['a']);
  expect(dueStarts(items, at('10:00:30'), new Set(['a']))).toEqual([]);
  expect(dueStarts(items, at('10:20:00'), new Set())).toEqual([]); // the tab was closed at the start: too late to call them in
  expect(nextLookMs(items, at('09:59:30'), new Set())).toBe(30_050);
  expect(nextLookMs(items, at('09:00:00'), new Set())).toBe(60_000);
});
