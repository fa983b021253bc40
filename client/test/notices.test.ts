/** What the player reads when the edge refuses a message or a move (docs/protocol.md, Errors and Moves). */
import { expect, test } from 'vitest';
import { correctionHint, errorNotice, HINT_MS, HintGate } from '../src/room/notices';
import { DEFAULT_WORLDS } from '../src/world/defaults';

test('going over a budget gets a quiet "Slow down a little." (never the server\'s wording), one at a time', () => {
  for (const code of ['rate_limited', 'chat_rate_limited']) {
    expect(errorNotice({ code, message: 'over budget: emote', event: 'emote' })).toEqual({ kind: 'hint', text: 'Slow down a little.' });
  }
  const gate = new HintGate();
  const shown = [0, 100, 400, 900, 2000].filter((t) => gate.admit(t));
  expect(shown).toEqual([0]);  // a burst of refusals shows one hint
  expect(gate.admit(HINT_MS + 1)).toBe(true);  // and the next one once it is gone
});

test('a full room is not shown as an error toast: the provider leaves with its own sentence', () => {
  expect(errorNotice({ code: 'room_full', message: 'room is full', event: 'join_room' })).toBeNull();
});

test('refused moves say why in a short hint: a full meeting room, a taken seat, a climb; the plain snap-backs say nothing', () => {
  const office = DEFAULT_WORLDS.office;
  expect(correctionHint('zone_full', office, 4, 4)).toBe('Meeting room is full.');
  const bar = DEFAULT_WORLDS.bar;
  const seat = bar.objects!.find((o) => o.kind === 'seat')!;
  expect(correctionHint('occupied', bar, seat.x, seat.z)).toBe('Someone is sitting there.');
  const door = office.objects!.find((o) => o.kind === 'door')!;
  expect(correctionHint('occupied', office, door.x, door.z)).toBe('Someone else is there.');
  expect(correctionHint('climb', bar, 5, 5)).toBe("You can't climb up there.");
  for (const reason of ['bounds', 'wall', 'speed'] as const) expect(correctionHint(reason, bar, 5, 5)).toBeNull();
});
