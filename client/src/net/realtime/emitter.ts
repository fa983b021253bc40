/** Typed event fan-out shared by the providers. A throwing handler is
 * logged and does not stop the others. */
import type { ConnectionState, Envelope, ServerEnvelope, ServerEventName, ServerHandler } from './types';

export class Emitter {
  private handlers = new Map<string, Set<(p: unknown, e: Envelope) => void>>();
  private stateHandlers = new Set<(s: ConnectionState, reason?: string) => void>();

  on<K extends ServerEventName>(event: K, handler: ServerHandler<K>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    const h = handler as unknown as (p: unknown, e: Envelope) => void;
    set.add(h);
    return () => set!.delete(h);
  }

  onState(handler: (s: ConnectionState, reason?: string) => void): () => void {
    this.stateHandlers.add(handler);
    return () => this.stateHandlers.delete(handler);
  }

  emit(env: ServerEnvelope): void {
    for (const h of this.handlers.get(env.t) ?? []) {
      try { h(env.payload, env); } catch (err) { console.error(`handler for ${env.t} failed`, err); }
    }
  }

  state(s: ConnectionState, reason?: string): void {
    for (const h of this.stateHandlers) h(s, reason);
  }
}
