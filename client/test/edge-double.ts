/** A scripted edge for provider tests: speaks docs/protocol.md envelopes over a real
 * WebSocket (the `ws` package) and records what it received. */
import { WebSocketServer, type WebSocket } from 'ws';

export interface Received { t: string; payload: Record<string, unknown> }

export class ScriptedEdge {
  readonly received: Received[] = [];
  readonly sockets: WebSocket[] = [];
  /** Tokens refused with auth_error. */
  refuse = new Set<string>();
  /** Tokens whose join_room gets this answer instead of room_state (e.g. `error` `room_full`, `auth_error` `banned`). */
  answers = new Map<string, { t: string; payload: unknown }>();
  private messageId = 0;
  private readonly server: WebSocketServer;

  static async start(): Promise<ScriptedEdge> {
    const edge = new ScriptedEdge();
    await new Promise<void>((r) => edge.server.once('listening', () => r()));
    return edge;
  }

  private constructor() {
    this.server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    this.server.on('connection', (ws) => {
      this.sockets.push(ws);
      ws.on('message', (data) => this.handle(ws, JSON.parse(String(data))));
    });
  }

  get url(): string {
    const addr = this.server.address() as { port: number };
    return `ws://127.0.0.1:${addr.port}/ws`;
  }

  send(ws: WebSocket, frames: { t: string; payload: unknown }[], batch = false): void {
    const envs = frames.map((f) => ({ v: 1, t: f.t, ts: Date.now(), payload: f.payload }));
    ws.send(JSON.stringify(batch ? envs : envs[0]));
  }

  dropAll(): void { for (const s of this.sockets) s.terminate(); }

  close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    return new Promise((r) => this.server.close(() => r()));
  }

  private handle(ws: WebSocket, env: { t: string; payload: Record<string, unknown> }): void {
    this.received.push(env);
    const p = env.payload;
    switch (env.t) {
      case 'join_room':
        if (this.answers.has(String(p.token))) {
          this.send(ws, [this.answers.get(String(p.token))!]);
          return;
        }
        if (this.refuse.has(String(p.token))) {
          this.send(ws, [{ t: 'auth_error', payload: { code: 'token_expired', message: 'token expired' } }]);
          return;
        }
        this.send(ws, [
          { t: 'room_state', payload: { roomId: p.roomId, serverTimeMs: Date.now(), members: [{ userId: 'u-2', displayName: 'Bea', avatarId: 'slim-112233-445566', x: 3, z: 4 }] } },
          { t: 'member_joined', payload: { member: { userId: 'u-3', displayName: 'Cy', avatarId: 'bot-112233-445566' } } },
        ], true);
        return;
      case 'local_chat':
        this.send(ws, [{ t: 'chat_broadcast', payload: { userId: 'u-1', text: p.text, messageId: `${++this.messageId}-0`, mode: p.mode } }]);
        return;
      case 'emote':
        this.send(ws, [{ t: 'emote_broadcast', payload: { userId: 'u-1', emoteId: p.emoteId } }]);
        return;
      case 'set_status':
        this.send(ws, [{ t: 'status_changed', payload: { userId: 'u-1', status: p.status } }]);
        return;
      case 'heartbeat':
        this.send(ws, [{ t: 'heartbeat_ack', payload: { clientTimeMs: p.clientTimeMs, serverTimeMs: Date.now() + 5000 } }]);
        return;
    }
  }
}

export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
