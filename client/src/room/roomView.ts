/** A room while you are in it: wires the realtime provider to the stage, the
 * members, the local member's movement and the HUD, and runs the frame loop.
 * The loop walks preallocated state only (no allocation per frame). */
import { Vector3 } from 'three';
import { lookOf } from '../avatarLook';
import { ChatLog } from '../chat/log';
import { RoomFocus } from '../focus/sessions';
import type { SessionsApi } from '../focus/sessions';
import { Controls, isTouchDevice, mountJoystick } from '../input/controls';
import { Reconciler } from '../net/reconcile';
import type { Anim, EmoteId, JoinTicket, RealtimeProvider, Status } from '../net/realtime/types';
import { Overlay } from '../render/overlay';
import { Stage, type ViewMode } from '../render/stage';
import { toast } from '../ui/dom';
import { Hud } from '../ui/hud';
import { icon } from '../ui/icons';
import { captionsOn, motionReduced } from '../ui/preferences';
import { correctionHint, errorNotice } from './notices';
import type { VideoRoom } from '../video/video';
import { screenShareAllowed } from '../video/tiles';
import type { VoiceSession } from '../voice/voice';
import type { Boards } from '../board/panel';
import { maxSpeed, slide, zoneAt, type World } from '../world/world';
import { Members } from './members';
import type { TimerAccess } from '../focus/timerRing';
import type { Api } from '../api/client';
import { PrivateZones } from './privacy';
import { VrEntry } from '../xr/hints';
import { mountFeatures } from './features';
import { Scenery } from './scenery';
import type { PeopleHost } from '../people/mount';
import { restingAnim } from './poses';
import { Route } from '../world/path';
import type { Destination } from './portals';

export interface RoomOptions {
  world: World;
  roomName: string;
  ticket: JoinTicket;
  provider: RealtimeProvider;
  capacity?: number;
  voice?: VoiceSession;
  video?: VideoRoom;
  /** Who controls the focus room's timer. (Default: anyone, this member owning the room.) */
  timerAccess?: TimerAccess;
  block(userId: string): Promise<string>;
  report(userId: string, category: string, text: string): Promise<string>;
  onLeave(reason?: string): void;
  /** The room's link, for the Invite button (absent offline). */
  inviteLink?: string;
  /** Focus rooms: the player's focus sessions (goals panel; absent offline). */
  sessions?: SessionsApi;
  /** Rooms with a jukebox: the API its music library comes from (absent offline). */
  music?: Api;
  /** The room's owner and admins: stores an edited world for the room (build mode; absent for everyone else). */
  saveWorld?: (world: World) => Promise<void>;
  /** Friends, looks and profile cards (absent offline). */
  people?: PeopleHost;
  /** Portals: joins another room (REST join), leaving this one; resolves with why not. */
  travel?(to: Destination): Promise<string | null>;
}

const EMOTE_ANIM: Partial<Record<EmoteId, Anim>> = { wave: 'wave', dance: 'dance', cheers: 'wave', clap: 'wave' };
const EMOTE_MS = 2500;

export class RoomView {
  readonly stage: Stage;
  readonly members: Members;
  private readonly overlay: Overlay;
  private readonly hud: Hud;
  private readonly controls = new Controls();
  private readonly reconciler = new Reconciler();
  private readonly chat = new ChatLog();
  private readonly self = { x: 0, z: 0, rotY: 0, anim: 'idle' as Anim, emoteAnim: null as Anim | null, emoteUntil: 0, speaking: false };
  private readonly selfTag;
  private readonly dir = { x: 0, y: 0 };
  private readonly step = { x: 0, z: 0 };
  private readonly walkTo = new Vector3();
  private walking = false;
  private readonly route = new Route();
  private placed = false;
  private left = false;
  private last = 0;
  private selfStatus: Status | null = null;
  private nearSpeaking = false;
  private readonly focus = new RoomFocus();
  private readonly zones: PrivateZones;
  private unsubs: (() => void)[] = [];
  readonly boards: Boards;
  private readonly blocked = new Set<string>();  // whom this player blocked here: their whiteboard strokes are not drawn
  private readonly root: HTMLElement;
  private vr!: VrEntry;
  /** Frame statistics for the bench page. */
  readonly stats = { frames: 0, workMs: 0, intervalMs: 0, drawCalls: 0 };

  constructor(parent: HTMLElement, private readonly o: RoomOptions) {
    this.root = document.createElement('div');
    this.root.className = `room template-${o.world.template}`;
    const canvas = document.createElement('canvas');
    canvas.className = 'stage';
    this.root.append(canvas);
    parent.append(this.root);
    this.stage = new Stage(canvas, o.world, o.capacity ?? 128);
    this.overlay = new Overlay(this.root);
    this.zones = new PrivateZones(o.world);
    const scenery = new Scenery(this.stage, this.overlay, this.zones);
    this.members = new Members(this.stage.crowd, this.overlay, o.ticket.user.userId);
    this.stage.crowd.setLook(0, lookOf({ avatarId: o.ticket.user.avatarId, look: o.ticket.look }));
    this.stage.crowd.count = 1;
    this.selfTag = this.overlay.tag(o.ticket.user.displayName, true);
    const spawn = o.world.spawns[0];
    this.self.x = spawn.x; this.self.z = spawn.z;
    this.hud = new Hud(this.root, o.roomName, {
      chat: (text, mode) => { const r = o.provider.sendChat(text, mode); return r.ok ? null : r.reason; },
      emote: (id) => o.provider.sendEmote(id),
      toggleMute: () => o.voice?.toggleMute() ?? true,
      micState: o.voice && (() => o.voice!.micState()), toggleDeafen: o.voice && (() => o.voice!.toggleDeafen()),
      toggleCamera: () => void this.toggleVideo('camera'),
      toggleScreen: () => void this.toggleVideo('screen'),
      leave: () => this.leave(),
      cycleView: () => this.cycleView(),
      setStatus: (s: Status) => o.provider.sendStatus(s),
      enterVr: () => void this.vr.enter().then((problem) => problem && toast(problem, 'error')),
      muteForMe: (id, muted) => { const d = this.members.get(id); if (d) d.mutedForMe = muted; o.voice?.muteForMe(id, muted); },
      block: (id) => { this.blocked.add(id); return o.block(id); }, report: o.report,
    }, {
      focus: o.world.template === 'focus', views: o.world.template === 'office' || o.world.template === 'world',
      camera: !!o.video, screen: !!o.video && screenShareAllowed(o.world), invite: o.inviteLink,
    });
    const nameOf = (id: string) => id === o.ticket.user.userId ? 'You' : this.members.get(id)?.displayName ?? 'Someone';
    this.hud.setNames(nameOf);
    if (o.video) {
      o.video.mount(this.hud.videoSlot, nameOf, (id) => id === o.ticket.user.userId ? this.selfStatus : this.members.get(id)?.status ?? null);
      o.video.onLocal = (source, on) => this.hud.setVideo(source, on);
    }
    // Panels go under the top bar and the video tiles, in their column: they never cover the room's controls, on a phone either.
    const features = mountFeatures({ ...o, root: this.root, column: this.hud.videoSlot.parentElement!, tools: this.hud.tools, refreshMic: () => this.hud.refreshMic(),
      blocked: this.blocked, stage: this.stage, members: this.members, position: () => this.position, nearSpeaking: () => this.nearSpeaking,
      nameOf: (id) => this.members.get(id)?.displayName ?? 'Someone', redraw: (world) => { scenery.replace(world); this.refreshPeople(); },
      teleport: (x, z) => { this.self.x = x; this.self.z = z; this.walking = false; },
      standing: () => this.members.list.filter((d) => !d.hidden).map((d) => d.track.pose) });
    this.boards = features.boards;
    this.unsubs.push(...features.stops);
    if (isTouchDevice()) mountJoystick(this.root, this.controls.stick);
    canvas.addEventListener('click', (e) => { this.walking = this.stage.pickGround(e.clientX, e.clientY, this.walkTo) && this.route.plan(o.world, this.self, this.walkTo); });
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).tagName === 'INPUT') return;
      if (e.key === 'Enter') { e.preventDefault(); this.hud.focusChat(); }
      if (e.key === 'v' || e.key === 'V') this.cycleView();
    };
    addEventListener('keydown', onKey);
    const onResize = () => this.stage.resize();
    addEventListener('resize', onResize);
    this.unsubs.push(() => removeEventListener('keydown', onKey), () => removeEventListener('resize', onResize));
    this.wire();
    this.vr = new VrEntry(this.stage, this.self);
    void this.vr.check().then((needs) => this.hud.showVr(needs));
  }

  /** Where the local member stands (metres). */
  get position(): { x: number; z: number } { return { x: this.self.x, z: this.self.z }; }

  /** Connects and starts drawing; resolves once the room state arrived. */
  async start(): Promise<void> {
    this.last = performance.now();
    this.stage.renderer.setAnimationLoop((t) => this.frame(t));
    try {
      await this.o.provider.connect(this.o.ticket);
    } catch (err) {
      this.leave(`Could not enter the room: ${(err as Error).message}`);  // no-op when a stop already left with its reason
      return;
    }
    if (this.o.world.template === 'focus') this.o.provider.sendStatus('working');
  }

  /** Leaves once: a stop that already left (with its reason) is not shown twice. */
  leave(reason?: string): void {
    if (this.left) return;
    this.left = true;
    this.o.provider.close();
    this.o.voice?.close();
    this.o.video?.close();
    for (const u of this.unsubs) u();
    this.controls.dispose();
    this.stage.dispose();
    this.root.remove();
    this.o.onLeave(reason);
  }

  private cycleView(): void {
    if (this.o.world.template !== 'office' && this.o.world.template !== 'world') return;
    this.stage.setView((this.stage.view === 'top' ? 'iso' : 'top') as ViewMode);
    this.stage.follow(this.self.x, this.self.z, 0, true);
  }

  private async toggleVideo(source: 'camera' | 'screen'): Promise<void> {
    const video = this.o.video!;
    const on = !video.board.isLocal(source);
    const problem = await (source === 'camera' ? video.setCamera(on) : video.setScreen(on));
    if (problem) toast(problem, 'error');
  }

  private wire(): void {
    const p = this.o.provider;
    const me = this.o.ticket.user.userId;
    const nameOf = (id: string) => id === me ? 'You' : this.members.get(id)?.displayName ?? 'Someone';
    this.unsubs.push(
      p.onState((s, reason) => { this.hud.setConnection(s); if (reason) this.leave(reason); }),
      p.on('room_state', (s) => {
        this.members.resync(s.members);
        this.focus.reset(s.focusSessions);
        this.showFocusNotes();
        const mine = s.members.find((m) => m.userId === me);
        if (mine && (mine.x || mine.z)) { this.self.x = mine.x ?? this.self.x; this.self.z = mine.z ?? this.self.z; }
        this.placed = true;
        this.stage.follow(this.self.x, this.self.z, 0, true);
        this.refreshPeople();
      }),
      p.on('member_joined', (j) => { this.members.upsert(j.member); this.showFocusNotes(); this.refreshPeople(); }),
      p.on('focus_session_started', (f) => { this.focus.started(f.session); this.showFocusNotes(); }),
      p.on('focus_session_updated', (f) => { this.focus.updated(f.session); this.showFocusNotes(); }),
      p.on('focus_session_completed', (f) => { this.focus.completed(f.session); this.showFocusNotes(); }),
      p.on('member_left', (l) => { this.focus.forget(l.userId); this.members.remove(l.userId); this.o.voice?.removeSpeaker(l.userId); this.refreshPeople(); }),
      p.on('avatar_transform_broadcast', (t, env) => {
        if (t.userId === me) return;
        this.members.get(t.userId)?.track.push(t.seq, env.ts, t.x, t.y, t.z, t.rotY, t.anim ?? 'idle', t.speaking ?? false);
      }),
      p.on('position_correction', (c) => {
        this.hud.hint(correctionHint(c.reason, this.o.world, this.self.x, this.self.z));
        this.reconciler.correct(c.seq, c.x, c.z, this.self.x, this.self.z);
      }),
      p.on('chat_broadcast', (c) => {
        if (!this.chat.add(c)) return;
        if (c.userId !== me && this.members.get(c.userId)?.mutedForMe) return;
        this.hud.addChat(c);
        (c.userId === me ? this.selfTag : this.members.get(c.userId)?.tag)?.say(c.text, performance.now());
      }),
      p.on('chat_gap', () => { this.chat.gap(); this.hud.addChat(this.chat.entries[this.chat.entries.length - 1]); }),
      p.on('emote_broadcast', (e) => {
        const now = performance.now();
        const anim = motionReduced() ? null : EMOTE_ANIM[e.emoteId] ?? null;
        if (captionsOn()) this.hud.addChat({ userId: '', text: `${nameOf(e.userId)}: ${e.emoteId.replace('_', ' ')}`, messageId: '', system: true });
        if (e.userId === me) {
          this.selfTag.say(icon(e.emoteId, 28), now);
          this.self.emoteAnim = anim; this.self.emoteUntil = now + EMOTE_MS;
        } else {
          const d = this.members.get(e.userId);
          if (d) { d.tag.say(icon(e.emoteId, 28), now); d.emoteAnim = anim; d.emoteUntil = now + EMOTE_MS; }
        }
      }),
      p.on('zone_changed', (z) => {
        const d = this.members.get(z.userId);
        if (d) { d.zoneId = z.zoneId ?? null; this.refreshPeople(); }
      }),
      p.on('status_changed', (s) => {
        if (captionsOn()) this.hud.addChat({ userId: '', text: `${nameOf(s.userId)} ${s.userId === me ? 'are' : 'is'} now ${s.status}`, messageId: '', system: true });
        if (s.userId === me) { this.selfStatus = s.status; this.selfTag.setStatus(s.status); this.o.video?.relabel(); }
        const d = this.members.get(s.userId);
        if (d) { d.status = s.status; d.tag.setStatus(s.status); this.refreshPeople(); }
      }),
      p.on('moderation_action', (m) => {
        if (m.type === 'mutedByMod') { toast(`A moderator muted you${m.reason ? `: ${m.reason}` : ''}.`, 'error'); this.o.voice?.setMuted(true); this.hud.refreshMic(); }
        else this.leave(`You were ${m.type === 'banned' ? 'banned from' : 'removed from'} the room${m.reason ? `: ${m.reason}` : ''}.`);
      }),
      p.on('error', (e) => this.hud.notice(errorNotice(e))),
    );
  }

  /** "3 goals, 1 done" under each member with an open focus session (the goals' text in the title when shared). */
  private showFocusNotes(): void {
    for (const d of this.members.list) d.tag.setNote(this.focus.note(d.userId), this.focus.detail(d.userId));
    this.selfTag.setNote(this.focus.note(this.o.ticket.user.userId));
  }

  /** The People list and count, and who is drawn (private zones). */
  private refreshPeople(): void {
    this.zones.apply(this.members.list);
    this.hud.setPeople(this.members.list.map((d) => ({
      userId: d.userId, displayName: d.displayName, mutedForMe: d.mutedForMe, status: d.status, where: this.zones.where(d.zoneId),
    })));
    this.o.video?.relabel();
  }

  private frame(t: number): void {
    const start = performance.now();
    const dt = Math.min(0.1, (t - this.last) / 1000);
    if (this.stats.frames > 0) this.stats.intervalMs += t - this.last;
    this.last = t;
    const now = Date.now();
    const calm = motionReduced();
    const timeS = calm ? 0 : t / 1000; // frozen animation clock: no idle bob or dance sway
    this.moveSelf(dt, t);

    const s = this.self;
    const anim = s.emoteUntil > t ? (s.emoteAnim ?? s.anim) : s.anim;
    s.speaking = this.o.voice?.speaking() ?? false;
    this.stage.crowd.setPose(0, s.x, 0, s.z, s.rotY, anim, s.speaking, timeS);
    const seq = this.placed ? this.o.provider.sendTransform({ x: s.x, y: 0, z: s.z, rotY: s.rotY, anim, speaking: s.speaking }, now) : null;
    if (seq !== null) this.reconciler.sent(seq, s.x, s.z);

    const serverNow = now + this.o.provider.clockOffsetMs();
    const cam = this.stage.camera;
    const w = this.stage.canvas.clientWidth, h = this.stage.canvas.clientHeight;
    const list = this.members.list;
    const tagY = 1.85 * this.stage.crowd.sizeScale;
    this.nearSpeaking = false;
    for (let i = 0; i < list.length; i++) {
      const d = list[i];
      if (d.hidden) { this.stage.crowd.setPose(i + 1, -1e4, -100, -1e4, 0, 'idle', false, timeS); continue; }  // in another space: out of sight
      const p = d.track.sample(serverNow);
      if (p.speaking && !d.mutedForMe && Math.hypot(p.x - s.x, p.z - s.z) < 4) this.nearSpeaking = true;
      const a = d.emoteUntil > t && d.emoteAnim ? d.emoteAnim : p.anim;
      this.stage.crowd.setPose(i + 1, p.x, p.y, p.z, p.rotY, a, p.speaking, timeS);
      d.tag.setSpeaking(p.speaking && !d.mutedForMe);
      d.tag.tick(t);
      this.overlay.place(d.tag, p.x, p.y + tagY, p.z, cam, w, h);
      this.o.voice?.placeSpeaker(d.userId, p.x, p.z);
    }
    this.o.voice?.placeListener(s.x, s.z, s.rotY);
    this.stage.follow(s.x, s.z, dt, calm);
    this.selfTag.setSpeaking(s.speaking);
    this.selfTag.tick(t);
    this.overlay.place(this.selfTag, s.x, tagY, s.z, cam, w, h);
    this.overlay.declutter();
    this.overlay.placeStatics(cam, w, h);
    this.stage.render(timeS);
    this.stats.drawCalls = this.stage.renderer.info.render.calls;
    this.stats.frames++;
    this.stats.workMs += performance.now() - start;
  }

  private moveSelf(dt: number, t: number): void {
    const s = this.self;
    const speed = maxSpeed(this.o.world) * 0.8;
    let moving = this.controls.direction(this.dir);
    let mx = 0, mz = 0;
    if (moving) {
      this.walking = false;
      const f = this.stage.forward, r = this.stage.right;
      mx = (r.x * this.dir.x + f.x * this.dir.y) * speed * dt;
      mz = (r.z * this.dir.x + f.z * this.dir.y) * speed * dt;
    } else if (this.walking) {
      const dx = this.walkTo.x - s.x, dz = this.walkTo.z - s.z;
      const dist = Math.hypot(dx, dz);
      if (dist < 0.1) this.walking = this.route.next(this.walkTo);  // the next waypoint, round walls and desks
      else { const k = Math.min(dist, speed * dt) / dist; mx = dx * k; mz = dz * k; moving = true; }
    }
    if (moving) {
      slide(this.o.world, s.x, s.z, mx, mz, this.step);
      if (this.step.x === s.x && this.step.z === s.z) this.walking = false;
      s.rotY = Math.atan2(mx, mz);
      s.x = this.step.x; s.z = this.step.z;
    }
    this.reconciler.step(s);
    s.anim = moving ? 'walk' : restingAnim(this.o.world, s.x, s.z);
    if (moving && s.emoteUntil > t) s.emoteUntil = 0;
    const zone = zoneAt(this.o.world, s.x, s.z);
    if ((zone?.name ?? null) !== this.zoneShown) { this.zoneShown = zone?.name ?? null; this.hud.setZone(this.zoneShown); }
    if (this.zones.enter(zone?.id ?? null)) this.refreshPeople();
  }

  private zoneShown: string | null = '';
}

