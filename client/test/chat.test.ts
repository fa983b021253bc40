import { expect, test } from 'vitest';
import { checkChat, remainingLabel } from '../src/chat/limits';
import { ChatLog } from '../src/chat/log';

test('240 characters pass, 241 are refused with the count shown', () => {
  expect(checkChat('a'.repeat(240))).toEqual({ ok: true });
  const r = checkChat('a'.repeat(241));
  expect(r.ok).toBe(false);
  expect(!r.ok && r.reason).toContain('241 of 240');
});

test('emoji count as one character each, as the edge counts them', () => {
  expect(checkChat('🍻'.repeat(240)).ok).toBe(true);
  expect(remainingLabel('🍻🍻').label).toBe('2 / 240');
});

test('empty or blank messages are refused', () => {
  expect(checkChat('   ').ok).toBe(false);
});

test('the chat log drops duplicates replayed after a rejoin and notes a gap', () => {
  const log = new ChatLog(3);
  expect(log.add({ userId: 'a', text: 'one', messageId: '1-0' })).toBe(true);
  expect(log.add({ userId: 'a', text: 'one', messageId: '1-0' })).toBe(false);
  log.add({ userId: 'b', text: 'two', messageId: '2-0' });
  log.gap();
  log.add({ userId: 'b', text: 'three', messageId: '3-0' });
  expect(log.entries.map((e) => e.text)).toEqual(['two', 'Some messages were missed while you were away.', 'three']);
  expect(log.lastMessageId).toBe('3-0');
});
