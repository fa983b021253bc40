import { expect, test } from 'vitest';
import { Api } from '../src/api/client';
import { formatMinutes, sessionLine, totalsCards } from '../src/focus/history';
import { countsLabel, parseGoals, progressOf, RoomFocus, SessionsApi, sharedGoalLines } from '../src/focus/sessions';
import { accessibilityClasses, completePreferences, DEFAULT_PREFERENCES } from '../src/ui/preferences';

const summary = (userId: string, goalCount: number, doneCount: number, extra = {}) =>
  ({ sessionId: `s-${userId}`, userId, goalCount, doneCount, startedAtMs: 1, ...extra });

test('goals typed one per line are trimmed, blanks dropped, and limits named before the server refuses', () => {
  expect(parseGoals('  essay \n\n email\n')).toEqual({ goals: ['essay', 'email'], problem: null });
  expect(parseGoals(Array.from({ length: 11 }, (_, i) => `g${i}`).join('\n')).problem).toMatch(/At most 10 goals/);
  expect(parseGoals(`ok\n${'x'.repeat(201)}`).problem).toBe('Goal 2 is longer than 200 characters.');
});

test('progress follows the goals checked off', () => {
  expect(progressOf([{ text: 'a', done: true }, { text: 'b', done: false }, { text: 'c', done: false }])).toBe(33);
  expect(progressOf([])).toBe(0);
});

test('others see counts under a name, and the goals only when shared', () => {
  expect(countsLabel(summary('ada', 3, 1))).toBe('3 goals, 1 done');
  expect(countsLabel(summary('ada', 1, 0))).toBe('1 goal, 0 done');
  expect(countsLabel(summary('ada', 0, 0))).toBe('focusing');
  expect(sharedGoalLines(summary('ada', 2, 1))).toEqual([]);
  expect(sharedGoalLines(summary('ada', 2, 1, { goals: ['essay', 'email'], done: [true, false] }))).toEqual(['✓ essay', '○ email']);
});

test('the room keeps each open session from room_state and the live events', () => {
  const room = new RoomFocus();
  room.reset([summary('ada', 3, 0)]);
  expect(room.note('ada')).toBe('3 goals, 0 done');
  room.updated(summary('ada', 3, 2));
  room.started(summary('bob', 1, 0));
  expect([room.note('ada'), room.note('bob')]).toEqual(['3 goals, 2 done', '1 goal, 0 done']);
  expect(room.detail('ada')).toBe('');
  room.updated(summary('ada', 2, 1, { goals: ['essay', 'email'], done: [true, false] }));
  expect(room.detail('ada')).toBe('✓ essay\n○ email');
  room.completed(summary('ada', 3, 3));
  room.forget('bob');
  expect([room.note('ada'), room.note('bob')]).toEqual(['', '']);
  room.reset(null);
  expect(room.of('ada')).toBeUndefined();
});

test('the history page shows the week in hours and minutes, the streak and each outcome', () => {
  expect([formatMinutes(45), formatMinutes(120), formatMinutes(65)]).toEqual(['45 min', '2 h', '1 h 05 min']);
  expect(totalsCards({ focusedMinutesThisWeek: 95, sessionsCompleted: 4, streakDays: 1 }).map((c) => c.value)).toEqual(['1 h 35 min', '1 day', '4']);
  const line = sessionLine({
    id: 'x', roomId: 'r', goals: [{ text: 'a', done: true }, { text: 'b', done: false }], progress: 50, shareGoals: false,
    status: 'abandoned', achievements: [], startedAt: '2026-12-02T10:00:00Z', endedAt: '2026-12-02T10:30:00Z', minutes: 30,
  }, 'en-GB');
  expect([line.length, line.goals, line.outcome]).toEqual(['30 min', '1/2 goals', 'Left early']);
});

test('the sessions client sends the player\'s UTC offset and finds a still-open session in this room only', async () => {
  const calls: string[] = [];
  const open = { id: 's1', roomId: 'room-a', status: 'open', goals: [] };
  const fetcher = (async (url: string, init: RequestInit) => {
    calls.push(`${init.method} ${url}`);
    return new Response(JSON.stringify({ items: [open], total: 1, limit: 1, offset: 0, totals: {} }), { status: 200 });
  }) as typeof fetch;
  const storage = { getItem: () => null, setItem: () => undefined, removeItem: () => undefined } as unknown as Storage;
  const sessions = new SessionsApi(new Api('/api', storage, fetcher));
  expect((await sessions.openIn('room-a'))?.id).toBe('s1');
  expect(await sessions.openIn('room-b')).toBeNull();
  expect(calls[0]).toMatch(/^GET \/api\/sessions\/history\?limit=1&offset=0&utcOffsetMin=-?\d+$/);
});

test('preferences fill in what is missing and the accessibility settings become root classes', () => {
  expect(completePreferences(null)).toEqual(DEFAULT_PREFERENCES);
  const p = completePreferences({ workStyle: 'loud', preferredCategories: ['focus', 'casino'], accessibility: { highContrast: true } });
  expect([p.workStyle, p.preferredCategories, p.accessibility.highContrast, p.accessibility.reducedMotion]).toEqual([null, ['focus'], true, false]);
  expect(accessibilityClasses({ reducedMotion: false, highContrast: true, captions: true, largerText: true })).toEqual(['a11y-contrast', 'a11y-large']);
  expect(accessibilityClasses(DEFAULT_PREFERENCES.accessibility, true)).toEqual(['a11y-calm']);
});
