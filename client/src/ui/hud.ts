/** The in-room heads-up display: where you are, chat (local/zone/room with
 * the 240-character counter), the emote wheel, mute, people with safety
 * controls, view switch and leave. It only renders and reports intents. */
import { remainingLabel } from '../chat/limits';
import type { ChatEntry } from '../chat/log';
import { CHAT_MODES, EMOTES, STATUSES } from '../net/realtime/constants';
import type { ChatMode, ConnectionState, EmoteId, Status } from '../net/realtime/types';
import type { MicState } from '../voice/voice';
import { HintGate, HINT_MS, type Notice } from '../room/notices';
import { field, h, toast, underTopBar } from './dom';
import { icon } from './icons';


const MIC_LABELS: Record<MicState, [string, string]> = {
  live: ['Mic on', 'Others near you hear you. Click to mute.'],
  muted: ['Muted', 'Nobody hears you. Click to unmute.'],
  none: ['No mic', 'No microphone was found: you can listen and chat.'],
  denied: ['Mic denied', "The browser was not allowed to use the microphone: allow it in the site's settings, then rejoin."],
};

export interface HudActions {
  chat(text: string, mode: ChatMode): string | null;
  emote(id: EmoteId): void;
  toggleMute(): boolean;
  /** The mic button's state (without a voice session: live or muted by `toggleMute`). */
  micState?(): MicState;
  toggleDeafen?(): boolean;
  /** Turn your camera / screen share on or off (`setVideo` shows the outcome). */
  toggleCamera?(): void;
  toggleScreen?(): void;
  leave(): void;
  cycleView?(): void;
  setStatus?(s: Status): void;
  enterVr?(): void;
  muteForMe(userId: string, muted: boolean): void;
  block(userId: string): Promise<string>;
  report(userId: string, category: string, text: string): Promise<string>;
}

export interface PersonRow { userId: string; displayName: string; mutedForMe: boolean; status: Status | null; where?: string }

export class Hud {
  readonly el: HTMLElement;
  private readonly place = h('span', { class: 'place' });
  private readonly zone = h('span', { class: 'zone' });
  private readonly conn = h('span', { class: 'conn' });
  private readonly count = h('button', { class: 'btn ghost', 'aria-expanded': 'false' });
  private readonly log = h('ol', { class: 'chatlog', 'aria-live': 'polite' });
  private readonly input = h('input', { type: 'text', placeholder: 'Say something…', 'aria-label': 'Chat message', maxlength: '480' });
  private readonly counter = h('span', { class: 'counter' });
  private readonly mode = h('select', { 'aria-label': 'Chat mode' });
  private readonly people = h('div', { class: 'panel people', hidden: true });
  private readonly wheel = h('div', { class: 'wheel', hidden: true });
  /** Below the top bar, however many rows it wraps to: where the video tiles go. */
  readonly videoSlot = h('div', { class: 'video-slot' });
  /** The top bar's buttons (room features add theirs before Leave). */
  readonly tools: HTMLElement;
  private readonly vrButton = h('button', { class: 'btn vr', hidden: true, text: 'Enter VR' });
  /** One quiet line (e.g. "Slow down a little."), never stacked. */
  private readonly hintLine = h('div', { class: 'hint', role: 'status', 'aria-live': 'polite' });
  private readonly hints = new HintGate();
  private hintTimer: ReturnType<typeof setTimeout> | undefined;
  private names: (id: string) => string = (id) => id;
  private rows: PersonRow[] = [];

  private readonly camera = h('button', { class: 'btn', 'aria-pressed': 'false', text: 'Start camera' });
  private readonly screen = h('button', { class: 'btn', 'aria-pressed': 'false', text: 'Share screen' });

  constructor(parent: HTMLElement, roomName: string, private readonly actions: HudActions, opts: { focus: boolean; views: boolean; camera: boolean; screen: boolean; invite?: string }) {
    for (const m of CHAT_MODES) this.mode.append(h('option', { value: m, text: m === 'local' ? 'Nearby' : m === 'zone' ? 'Zone' : 'Room' }));
    this.place.textContent = roomName;
    const mute = h('button', { class: 'btn', 'aria-pressed': 'false' });
    const showMic = this.showMic = (state: MicState) => {
      mute.textContent = MIC_LABELS[state][0];
      mute.title = MIC_LABELS[state][1];
      mute.setAttribute('aria-pressed', String(state !== 'live'));
    };
    showMic(actions.micState?.() ?? 'live');
    mute.addEventListener('click', () => {
      const muted = actions.toggleMute();
      showMic(actions.micState?.() ?? (muted ? 'muted' : 'live'));
    });
    const deafen = actions.toggleDeafen ? h('button', { class: 'btn', 'aria-pressed': 'false', title: 'Hear nobody, and nobody hears you', text: 'Deafen' }) : null;
    deafen?.addEventListener('click', () => {
      const on = actions.toggleDeafen!();
      deafen.textContent = on ? 'Undeafen' : 'Deafen';
      deafen.setAttribute('aria-pressed', String(on));
      showMic(actions.micState?.() ?? 'live');
    });
    this.camera.addEventListener('click', () => actions.toggleCamera?.());
    this.screen.addEventListener('click', () => actions.toggleScreen?.());
    this.count.addEventListener('click', () => {
      this.people.hidden = !this.people.hidden;
      if (!this.people.hidden) this.renderPeople(this.rows);
      this.count.setAttribute('aria-expanded', String(!this.people.hidden));
    });
    this.vrButton.addEventListener('click', () => actions.enterVr?.());
    const status = opts.focus ? h('select', { 'aria-label': 'Your status', class: 'status-select' }) : null;
    if (status) {
      for (const s of STATUSES) status.append(h('option', { value: s, text: s[0].toUpperCase() + s.slice(1) }));
      status.addEventListener('change', () => actions.setStatus?.(status.value as Status));
    }
    this.tools = h('div', { class: 'tools' },
      this.count, status, opts.invite ? inviteButton(opts.invite) : null,
      opts.views ? h('button', { class: 'btn', title: 'Switch between top-down and isometric (V)', onclick: () => actions.cycleView?.(), text: 'View' }) : null,
      mute, deafen, opts.camera ? this.camera : null, opts.screen ? this.screen : null, this.vrButton,
      h('button', { class: 'btn danger', onclick: () => actions.leave(), text: 'Leave' }));
    const top = h('header', { class: 'hud-top' }, h('div', { class: 'where' }, this.place, this.zone, this.conn), this.tools);

    for (const id of EMOTES) {
      this.wheel.append(h('button', { class: 'emote', title: id.replace('_', ' '), 'aria-label': id.replace('_', ' '), onclick: () => { actions.emote(id); this.wheel.hidden = true; } }, icon(id, 28)));
    }
    const emoteBtn = h('button', { class: 'btn', 'aria-label': 'Emotes', text: 'Emotes', onclick: () => { this.wheel.hidden = !this.wheel.hidden; } });

    const form = h('form', { class: 'chatform' }, this.mode, this.input, this.counter, h('button', { class: 'btn', type: 'submit', text: 'Send' }));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const problem = actions.chat(this.input.value, this.mode.value as ChatMode);
      if (problem) this.flash(problem);
      else { this.input.value = ''; this.updateCounter(); }
    });
    this.input.addEventListener('input', () => this.updateCounter());
    this.input.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.input.blur(); });
    this.updateCounter();

    this.el = h('div', { class: 'hud' }, h('div', { class: 'hud-head' }, top, this.videoSlot),
      h('section', { class: 'panel chat', 'aria-label': 'Chat' }, this.log, form),
      h('div', { class: 'emotes' }, this.wheel, emoteBtn), this.people, this.hintLine);
    parent.append(this.el);
  }

  setNames(fn: (id: string) => string): void { this.names = fn; }
  /** The mic button shows the voice's state again (after a moderator muted you, say). */
  refreshMic(): void { this.showMic(this.actions.micState?.() ?? 'muted'); }
  private showMic: (state: MicState) => void = () => undefined;
  setZone(name: string | null): void { this.zone.textContent = name ? `· ${name}` : ''; }
  setConnection(s: ConnectionState): void {
    this.conn.textContent = s === 'joined' ? '' : s === 'reconnecting' ? '· reconnecting…' : s === 'connecting' ? '· connecting…' : '· disconnected';
    this.conn.className = `conn ${s}`;
  }
  /** The VR button: ready, or (with `hint`) shown dimmed, saying what VR needs. */
  showVr(hint?: string): void {
    this.vrButton.hidden = false;
    this.vrButton.title = hint ?? 'Enter VR with your headset';
    this.vrButton.classList.toggle('unavailable', !!hint);
  }
  /** Whether your camera / screen share is on (also when it stopped elsewhere). */
  setVideo(source: 'camera' | 'screen', on: boolean): void {
    const b = source === 'camera' ? this.camera : this.screen;
    b.textContent = source === 'camera' ? (on ? 'Stop camera' : 'Start camera') : (on ? 'Sharing' : 'Share screen');
    b.setAttribute('aria-pressed', String(on));
  }
  focusChat(): void { this.input.focus(); }

  /** A refusal worth telling: a hint for the small ones, a toast for the rest. */
  notice(n: Notice | null): void {
    if (n?.kind === 'hint') this.hint(n.text); else if (n) toast(n.text, 'error');
  }

  /** Shows a short hint unless one is already up. */
  hint(text: string | null): void {
    if (!text || !this.hints.admit(performance.now())) return;
    this.hintLine.textContent = text;
    underTopBar(this.hintLine);
    this.hintLine.classList.add('on');
    clearTimeout(this.hintTimer);
    this.hintTimer = setTimeout(() => this.hintLine.classList.remove('on'), HINT_MS);
  }

  addChat(e: ChatEntry): void {
    const li = e.system
      ? h('li', { class: 'system', text: e.text })
      : h('li', {}, h('b', { text: this.names(e.userId) }), e.mode && e.mode !== 'local' ? h('i', { text: ` [${e.mode}]` }) : null, ` ${e.text}`);
    this.log.append(li);
    while (this.log.childElementCount > 100) this.log.firstElementChild!.remove();
    this.log.scrollTop = this.log.scrollHeight;
  }

  setPeople(rows: PersonRow[]): void {
    this.rows = rows;
    this.count.textContent = `People ${rows.length + 1}`;
    this.count.title = `${rows.length + 1} people here`;
    if (!this.people.hidden) this.renderPeople(rows);
  }

  private renderPeople(rows: PersonRow[]): void {
    this.people.replaceChildren(h('h2', { text: 'People here' }));
    if (!rows.length) this.people.append(h('p', { class: 'muted', text: 'Nobody else yet.' }));
    for (const r of rows) {
      const mute = h('button', { class: 'btn small', 'aria-pressed': String(r.mutedForMe), text: r.mutedForMe ? 'Unmute' : 'Mute for me' });
      mute.addEventListener('click', () => {
        r.mutedForMe = !r.mutedForMe;
        this.actions.muteForMe(r.userId, r.mutedForMe);
        mute.textContent = r.mutedForMe ? 'Unmute' : 'Mute for me';
      });
      const block = h('button', { class: 'btn small', text: 'Block' });
      block.addEventListener('click', async () => this.flash(await this.actions.block(r.userId)));
      const report = h('button', { class: 'btn small danger', text: 'Report' });
      report.addEventListener('click', () => this.reportForm(r));
      this.people.append(h('div', { class: 'person' },
        h('button', { class: 'who linklike', 'data-user': r.userId, title: 'Open their profile card', text: r.displayName }), r.where ? h('span', { class: 'where muted', text: r.where }) : null, r.status ? h('span', { class: `chip ${r.status}`, text: r.status }) : null,
        h('span', { class: 'actions' }, mute, block, report)));
    }
  }

  private reportForm(r: PersonRow): void {
    const category = h('select', {}, ...['harassment', 'hate', 'spam', 'inappropriate', 'other'].map((c) => h('option', { value: c, text: c })));
    const text = h('textarea', { maxlength: '1000', placeholder: 'Optional' });
    const dialog = h('form', { class: 'panel report' }, h('h2', { text: `Report ${r.displayName}` }), field('What happened', category), field('Details', text),
      h('div', { class: 'row' }, h('button', { class: 'btn danger', type: 'submit', text: 'Send report' }),
        h('button', { class: 'btn ghost', type: 'button', onclick: () => dialog.remove(), text: 'Cancel' })));
    dialog.addEventListener('submit', async (e) => {
      e.preventDefault();
      this.flash(await this.actions.report(r.userId, category.value, text.value));
      dialog.remove();
    });
    this.el.append(dialog);
  }

  private updateCounter(): void {
    const { label, over } = remainingLabel(this.input.value);
    this.counter.textContent = label;
    this.counter.classList.toggle('over', over);
  }

  private flash(text: string): void {
    this.addChat({ userId: '', text, messageId: '', system: true });
  }
}

/** Copies the room's link (shows it when the clipboard is not available). */
function inviteButton(link: string): HTMLButtonElement {
  const b = h('button', { class: 'btn', title: 'Copy a link that opens this room', 'data-link': link, text: 'Invite' });
  b.addEventListener('click', () => {
    navigator.clipboard?.writeText(link).then(() => toast(`Link copied: ${link}`), () => toast(`Share this link: ${link}`))
      ?? toast(`Share this link: ${link}`);
  });
  return b;
}
