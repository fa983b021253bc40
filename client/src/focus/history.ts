/** The history page: this week's focused minutes, the streak, and every
 * session newest first, a page at a time. */
import { ApiError, type Api } from '../api/client';
import { h } from '../ui/dom';
import { achievementOf, SessionsApi, type FocusSession, type FocusTotals } from './sessions';

const PAGE = 20;

/** "45 min", "2 h", "1 h 05 min". */
export function formatMinutes(m: number): string {
  if (m < 60) return `${m} min`;
  const rest = m % 60;
  return rest ? `${Math.floor(m / 60)} h ${String(rest).padStart(2, '0')} min` : `${m / 60} h`;
}

/** The three figures at the top of the page. */
export function totalsCards(t: FocusTotals): { label: string; value: string }[] {
  return [
    { label: 'Focused this week', value: formatMinutes(t.focusedMinutesThisWeek) },
    { label: 'Current streak', value: t.streakDays === 1 ? '1 day' : `${t.streakDays} days` },
    { label: 'Sessions completed', value: String(t.sessionsCompleted) },
  ];
}

/** One history row's words: when, how long, goals, outcome. */
export function sessionLine(s: FocusSession, locale?: string): { when: string; length: string; goals: string; outcome: string } {
  const done = s.goals.filter((g) => g.done).length;
  return {
    when: new Date(s.startedAt).toLocaleString(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }),
    length: s.minutes ? formatMinutes(s.minutes) : 'under a minute',
    goals: s.goals.length ? `${done}/${s.goals.length} goals` : 'no goals',
    outcome: s.status === 'completed' ? 'Completed' : s.status === 'open' ? 'In progress' : 'Left early',
  };
}

export function historyScreen(api: Api, done: () => void): HTMLElement {
  const sessions = new SessionsApi(api);
  const error = h('p', { class: 'error', role: 'alert' });
  const cards = h('div', { class: 'totals', 'aria-live': 'polite' });
  const list = h('ul', { class: 'history' });
  const more = h('button', { class: 'btn ghost', hidden: true, text: 'Older sessions' });
  let offset = 0;

  async function load(): Promise<void> {
    try {
      const page = await sessions.history(PAGE, offset);
      error.textContent = '';
      if (offset === 0) {
        cards.replaceChildren(...totalsCards(page.totals).map((c) => h('div', { class: 'total card' }, h('b', { text: c.value }), h('small', { text: c.label }))));
        if (!page.items.length) list.replaceChildren(h('li', { class: 'muted', text: 'No focus sessions yet. Start one in a focus room.' }));
        else list.replaceChildren();
      }
      for (const s of page.items) {
        const line = sessionLine(s);
        list.append(h('li', { class: `history-row ${s.status}` },
          h('span', { class: 'when', text: line.when }), h('span', { class: 'length', text: line.length }),
          h('span', { class: 'goals', text: line.goals }), h('span', { class: 'outcome', text: line.outcome }),
          h('span', { class: 'badges' }, ...s.achievements.map((a) => h('span', { class: 'badge', title: achievementOf(a).detail, text: achievementOf(a).title })))));
      }
      offset += page.items.length;
      more.hidden = offset >= page.total;
    } catch (err) { error.textContent = err instanceof ApiError ? err.describe() : String(err); }
  }
  more.addEventListener('click', () => void load());
  void load();
  return h('main', { class: 'screen focus-history' },
    h('header', { class: 'bar-top' }, h('h1', { text: 'Focus history' }), h('button', { class: 'btn ghost', onclick: done, text: 'Back' })),
    error, cards, h('section', { class: 'card' }, h('h2', { text: 'Sessions' }), list, more));
}
