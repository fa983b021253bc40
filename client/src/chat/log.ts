/** The room's chat history as this client saw it: ordered, without the
 * duplicates a rejoin replays, with a visible note when the edge says a gap
 * could not be recovered (chat_gap). */
import type { ChatMode } from '../net/realtime/types';

export interface ChatEntry { userId: string; text: string; messageId: string; mode?: ChatMode; system?: boolean }

export class ChatLog {
  readonly entries: ChatEntry[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly cap = 200) {}

  /** Adds a message; false when it was already shown. */
  add(e: ChatEntry): boolean {
    if (this.seen.has(e.messageId)) return false;
    this.seen.add(e.messageId);
    this.push(e);
    return true;
  }

  gap(): void {
    this.push({ userId: '', text: 'Some messages were missed while you were away.', messageId: '', system: true });
  }

  get lastMessageId(): string | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (!this.entries[i].system) return this.entries[i].messageId;
    return undefined;
  }

  private push(e: ChatEntry): void {
    this.entries.push(e);
    if (this.entries.length > this.cap) {
      const old = this.entries.shift()!;
      this.seen.delete(old.messageId);
    }
  }
}
