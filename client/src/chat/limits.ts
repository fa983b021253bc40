/** Chat limits where text enters: 240 characters (code points, as the edge
 * counts them), no empty messages. */
import { CHAT_MAX_CHARS } from '../net/realtime/constants';
import type { ChatResult } from '../net/realtime/types';

export const charCount = (text: string): number => [...text].length;

export function checkChat(text: string): ChatResult {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: 'Type a message first.' };
  const n = charCount(trimmed);
  if (n > CHAT_MAX_CHARS) return { ok: false, reason: `Too long: ${n} of ${CHAT_MAX_CHARS} characters.` };
  return { ok: true };
}

/** The counter shown under the chat box, e.g. "12 / 240". */
export function remainingLabel(text: string): { label: string; over: boolean } {
  const n = charCount(text.trim());
  return { label: `${n} / ${CHAT_MAX_CHARS}`, over: n > CHAT_MAX_CHARS };
}
