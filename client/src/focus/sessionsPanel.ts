/** The focus-session panel of a focus room: goals at the start, check-off
 * during, a summary with achievements at the end. It talks to the REST API
 * only; the room hears about it through focus_session_* events. */
import { ApiError } from '../api/client';
import { h } from '../ui/dom';
import { formatMinutes } from './history';
import { achievementOf, MAX_GOAL_CHARS, MAX_GOALS, parseGoals, progressOf, type FocusSession, type SessionsApi } from './sessions';

const describe = (err: unknown) => (err instanceof ApiError ? err.describe() : String(err));

export class SessionsPanel {
  readonly el = h('section', { class: 'panel focus-goals', 'aria-label': 'Focus session' });
  private readonly body = h('div', { class: 'focus-body' });
  private readonly error = h('p', { class: 'error', role: 'alert' });
  private readonly toggle = h('button', { class: 'btn small ghost', 'aria-expanded': 'true', text: 'Hide' });
  private session: FocusSession | null = null;

  constructor(parent: HTMLElement, private readonly api: SessionsApi, private readonly roomId: string) {
    this.toggle.addEventListener('click', () => {
      const open = this.body.hidden;
      this.body.hidden = !open;
      this.toggle.textContent = open ? 'Hide' : 'Goals';
      this.toggle.setAttribute('aria-expanded', String(open));
    });
    this.el.append(h('header', { class: 'row' }, h('h2', { text: 'Focus session' }), this.toggle), this.error, this.body);
    parent.append(this.el);
  }

  /** Shows the running session after a reload, else the goals form. */
  async open(): Promise<void> {
    try {
      this.session = await this.api.openIn(this.roomId);
    } catch (err) { this.error.textContent = describe(err); }
    if (this.session) this.running(); else this.setup();
  }

  private setup(): void {
    const goals = h('textarea', {
      rows: '4', maxlength: String(MAX_GOALS * (MAX_GOAL_CHARS + 1)), 'aria-label': 'Your goals, one per line',
      placeholder: 'What will you get done? One goal per line (up to 10).',
    });
    const share = h('input', { type: 'checkbox', 'aria-label': 'Share the text of my goals with the room' });
    const form = h('form', { class: 'focus-setup' }, goals,
      h('label', { class: 'muted' }, share, ' Show my goals to the room (otherwise only how many)'),
      h('button', { class: 'btn primary', type: 'submit', text: 'Start focusing' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const { goals: list, problem } = parseGoals(goals.value);
      if (problem) { this.error.textContent = problem; return; }
      try {
        this.session = await this.api.start(this.roomId, list, share.checked);
        this.error.textContent = '';
        this.running();
      } catch (err) { this.error.textContent = describe(err); }
    });
    this.body.replaceChildren(form);
  }

  private running(): void {
    const s = this.session!;
    const bar = h('progress', { max: '100', value: String(s.progress), 'aria-label': 'Progress' });
    const list = h('ul', { class: 'goal-list' });
    s.goals.forEach((g, i) => {
      const box = h('input', { type: 'checkbox', checked: g.done, 'aria-label': g.text });
      box.addEventListener('change', () => void this.check(i, box.checked, box, bar));
      list.append(h('li', {}, h('label', {}, box, ` ${g.text}`)));
    });
    if (!s.goals.length) list.append(h('li', { class: 'muted', text: 'No goals declared: just focus.' }));
    const share = h('input', { type: 'checkbox', checked: s.shareGoals });
    share.addEventListener('change', async () => {
      try { this.session = await this.api.update(this.session!.id, { shareGoals: share.checked }); this.error.textContent = ''; }
      catch (err) { share.checked = !share.checked; this.error.textContent = describe(err); }
    });
    const done = h('button', { class: 'btn primary', text: 'Complete session', onclick: () => void this.complete() });
    this.body.replaceChildren(list, bar, h('label', { class: 'muted' }, share, ' Show my goals to the room'), done);
  }

  private async check(i: number, on: boolean, box: HTMLInputElement, bar: HTMLProgressElement): Promise<void> {
    const s = this.session!;
    const done = s.goals.map((g, j) => (j === i ? on : g.done));
    try {
      this.session = await this.api.update(s.id, { done, progress: progressOf(done.map((d, j) => ({ text: s.goals[j].text, done: d }))) });
      bar.value = this.session.progress;
      this.error.textContent = '';
    } catch (err) {
      box.checked = !on;
      this.error.textContent = describe(err);
    }
  }

  private async complete(): Promise<void> {
    try {
      this.session = await this.api.complete(this.session!.id);
      this.error.textContent = '';
      this.summary();
    } catch (err) { this.error.textContent = describe(err); }
  }

  private summary(): void {
    const s = this.session!;
    const done = s.goals.filter((g) => g.done).length;
    const badges = s.achievements.map((id) => {
      const a = achievementOf(id);
      return h('li', { class: 'achievement', title: a.detail }, h('span', { class: 'icon', text: a.icon }), h('b', { text: a.title }), h('small', { text: a.detail }));
    });
    this.body.replaceChildren(h('div', { class: 'focus-summary' },
      h('p', { class: 'summary-line', text: `${s.minutes ? formatMinutes(s.minutes) : 'Under a minute'} focused · ${done} of ${s.goals.length} goals done` }),
      badges.length ? h('ul', { class: 'achievements' }, ...badges) : h('p', { class: 'muted', text: 'No new achievements this time.' }),
      h('button', { class: 'btn', text: 'Start another session', onclick: () => { this.session = null; this.setup(); } })));
  }
}
