/** The `sim` provider: an offline room with simulated members, for demos,
 * screenshots and the 50-avatar bench. It plays the edge's part with the same
 * events: room_state, transforms, chat, emotes, heartbeat_ack, and
 * position_correction when the local member walks into a wall or too fast. */
import { AVATAR_MODELS } from '../../avatar';
import { checkChat } from '../../chat/limits';
import { isWall, maxSpeed, zoneAt, type World } from '../../world/world';
import { TRANSFORM_HZ } from './constants';
import { Emitter } from './emitter';
import { TransformGate } from './rate';
import type {
  Anim, ChatMode, ChatResult, ConnectionState, EmoteId, JoinTicket, Member, RealtimeProvider, ServerEnvelope,
  ServerEventName, ServerHandler, ServerPayloads, Status, TimerCommand, TransformInput, MusicCommand,
} from './types';
import { SimTimer } from '../../focus/timerSim';

const NAMES = ['Ada', 'Bo', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun', 'Kai', 'Lea', 'Mo', 'Nia', 'Oli', 'Pia'];
const LINES = ['hey all!', 'anyone up for a dance?', 'this place is nice', 'brb', 'cheers 🍻', 'who picked this song?'];
const PALETTE = ['ff8a5b', 'ffd166', '06d6a0', '118ab2', 'ef476f', 'c77dff', '8ac926', 'f4a261'];
const STATUSES: Status[] = ['working', 'working', 'break', 'away'];

export interface SimOptions { members?: number; seed?: number; autoTickMs?: number | null }

interface SimMember extends Member { tx: number; tz: number; speed: number; seq: number; pause: number }

export class SimProvider implements RealtimeProvider {
  readonly kind = 'sim' as const;
  private readonly events = new Emitter();
  private readonly rand: () => number;
  private readonly sims: SimMember[] = [];
  private ticket!: JoinTicket;
  private gate = new TransformGate(TRANSFORM_HZ.desktop);
  private seq = 0;
  private messageId = 0;
  private me: { x: number; z: number; t: number } | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private lastTick = 0;
  private clock: SimTimer | null = null;

  constructor(private readonly world: World, private readonly options: SimOptions = {}) {
    this.rand = mulberry32(options.seed ?? 7);
  }

  connect(ticket: JoinTicket): Promise<void> {
    this.ticket = ticket;
    this.gate = new TransformGate(TRANSFORM_HZ[ticket.platform]);
    this.events.state('connecting');
    const n = this.options.members ?? 6;
    for (let i = 0; i < n; i++) this.sims.push(this.spawn(i));
    return new Promise((resolve) => {
      setTimeout(() => {
        const now = Date.now();
        this.lastTick = now;
        this.emit('room_state', {
          roomId: ticket.roomId, serverTimeMs: now,
          members: this.sims.map(({ tx: _tx, tz: _tz, speed: _s, seq: _q, pause: _p, ...m }) => m),
        }, now);
        this.events.state('joined');
        const every = this.options.autoTickMs === undefined ? 100 : this.options.autoTickMs;
        if (every !== null) this.timer = setInterval(() => this.tick(Date.now()), every);
        resolve();
      }, 0);
    });
  }

  /** Offline: nothing to join again. */
  async rejoin(): Promise<void> {}

  close(): void {
    clearInterval(this.timer);
    this.events.state('closed');
  }

  /** Advances the simulated members to `nowMs` and broadcasts their transforms in one batch. */
  tick(nowMs: number): void {
    const dt = Math.min(0.5, Math.max(0, (nowMs - this.lastTick) / 1000));
    this.lastTick = nowMs;
    for (const m of this.sims) {
      this.walk(m, dt);
      this.emit('avatar_transform_broadcast', {
        userId: m.userId, seq: ++m.seq, x: m.x!, y: 0, z: m.z!, rotY: m.rotY!, anim: m.anim, speaking: m.speaking,
      }, nowMs);
    }
    if (this.sims.length && this.rand() < 0.01) {
      const m = this.sims[Math.floor(this.rand() * this.sims.length)];
      this.emit('chat_broadcast', {
        userId: m.userId, text: LINES[Math.floor(this.rand() * LINES.length)], messageId: this.nextMessageId(), mode: 'local',
        zoneId: this.zoneIdAt(m.x!, m.z!),
      }, nowMs);
    }
  }

  sendTransform(t: TransformInput, nowMs: number): number | null {
    if (!this.gate.admit(t, nowMs)) return null;
    const seq = ++this.seq;
    const prev = this.me;
    const tooFast = prev && Math.hypot(t.x - prev.x, t.z - prev.z) > maxSpeed(this.world) * Math.max(0.05, (nowMs - prev.t) / 1000) * 1.5 + 0.5;
    const wall = isWall(this.world, t.x, t.z);
    if (wall || tooFast) {
      const at = prev ?? this.world.spawns[0];
      this.emit('position_correction', { seq, x: at.x, y: 0, z: at.z, reason: wall ? 'wall' : 'speed' }, nowMs);
    } else {
      this.me = { x: t.x, z: t.z, t: nowMs };
    }
    return seq;
  }

  sendChat(text: string, mode: ChatMode): ChatResult {
    const check = checkChat(text);
    if (!check.ok) return check;
    const at = this.me ?? this.world.spawns[0];
    this.emit('chat_broadcast', {
      userId: this.ticket.user.userId, text: text.trim(), messageId: this.nextMessageId(), mode, zoneId: this.zoneIdAt(at.x, at.z),
    }, Date.now());
    return check;
  }

  sendEmote(emoteId: EmoteId): void {
    this.emit('emote_broadcast', { userId: this.ticket.user.userId, emoteId }, Date.now());
  }

  sendStatus(status: Status): void {
    this.emit('status_changed', { userId: this.ticket.user.userId, status }, Date.now());
  }

  /** The offline simulation has no jukebox: its rooms have no music library. */
  sendMusic(_command: MusicCommand): void { /* nothing to play offline */ }
  /** The offline simulation has no whiteboards to sync. */
  sendBoard(): boolean { return false; }
  sendSlide(): boolean { return false; }

  sendTimer(command: TimerCommand): void {
    this.clock ??= new SimTimer(this.ticket.roomId, (t, payload) => this.emit(t, payload, Date.now()));
    this.clock.handle(command);
  }

  on<K extends ServerEventName>(event: K, handler: ServerHandler<K>): () => void { return this.events.on(event, handler); }
  onState(handler: (s: ConnectionState) => void): () => void { return this.events.onState(handler); }
  clockOffsetMs(): number { return 0; }

  private emit<K extends ServerEventName>(t: K, payload: ServerPayloads[K], ts: number): void {
    this.events.emit({ v: 1, t, ts, payload } as ServerEnvelope);
  }

  private nextMessageId(): string { return `sim-${++this.messageId}`; }

  /** The speaker's zone, as the edge stamps it on chat_broadcast (null outside every zone). */
  private zoneIdAt(x: number, z: number): string | null { return zoneAt(this.world, x, z)?.id ?? null; }

  private spawn(i: number): SimMember {
    const [x, z] = this.floorCell();
    const model = AVATAR_MODELS[i % AVATAR_MODELS.length];
    const body = PALETTE[i % PALETTE.length], accent = PALETTE[(i + 3) % PALETTE.length];
    const onDanceFloor = this.world.template === 'bar' && i % 4 === 3;
    return {
      userId: `sim-${i + 1}`, displayName: NAMES[i % NAMES.length] + (i >= NAMES.length ? ` ${Math.floor(i / NAMES.length) + 1}` : ''),
      avatarId: `${model}-${body}-${accent}`, x, y: 0, z, rotY: this.rand() * Math.PI * 2,
      anim: onDanceFloor ? 'dance' : 'idle', speaking: false, tx: x, tz: z, speed: 0.8 + this.rand() * 1.2, seq: 0,
      pause: onDanceFloor ? Infinity : this.rand() * 2,
      status: this.world.template === 'focus' ? STATUSES[i % STATUSES.length] : null,
    };
  }

  private walk(m: SimMember, dt: number): void {
    m.speaking = this.world.template !== 'focus' && (m.seq + Number(m.userId.slice(4)) * 7) % 60 < 12;
    if (m.pause > 0) {
      m.pause -= dt;
      if (m.anim === 'walk') m.anim = this.rand() < 0.15 ? 'wave' : 'idle';
      if (m.pause <= 0) [m.tx, m.tz] = this.floorCell();
      return;
    }
    const dx = m.tx - m.x!, dz = m.tz - m.z!;
    const dist = Math.hypot(dx, dz);
    const step = m.speed * dt;
    if (dist <= step) {
      m.x = m.tx; m.z = m.tz; m.pause = 1 + this.rand() * 3;
      return;
    }
    const nx = m.x! + (dx / dist) * step, nz = m.z! + (dz / dist) * step;
    if (isWall(this.world, nx, nz)) { m.pause = 0.5; return; }
    m.x = nx; m.z = nz; m.rotY = Math.atan2(dx, dz); m.anim = 'walk' as Anim;
  }

  /** A random floor cell centre; sims walk straight lines so pick targets in their own zone of open floor. */
  private floorCell(): [number, number] {
    for (let tries = 0; tries < 200; tries++) {
      const x = Math.floor(this.rand() * this.world.width) + 0.5, z = Math.floor(this.rand() * this.world.depth) + 0.5;
      if (!isWall(this.world, x, z) && !isWall(this.world, x + 0.4, z) && !isWall(this.world, x - 0.4, z)) return [x, z];
    }
    return [this.world.spawns[0].x, this.world.spawns[0].z];
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
