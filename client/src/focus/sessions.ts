/** Focus sessions (REST: /api/sessions; live: focus_session_* in
 * docs/protocol.md): the player's own session, what the room shows of
 * everyone else's (counts, the goals' text only when shared), and the words
 * for achievements. Pure apart from the `SessionsApi` calls. */
import type { Api } from '../api/client';
import type { FocusSessionSummary } from '../net/realtime/wire.gen';

export const MAX_GOALS = 10;
export const MAX_GOAL_CHARS = 200;

export interface Goal { text: string; done: boolean }
export type SessionStatus = 'open' | 'completed' | 'abandoned';
export interface FocusSession {
  id: string; roomId: string; goals: Goal[]; progress: number; shareGoals: boolean; status: SessionStatus;
  achievements: string[]; startedAt: string; endedAt: string | null; minutes: number;
}
export interface FocusTotals { focusedMinutesThisWeek: number; sessionsCompleted: number; streakDays: number }
export interface FocusHistory { items: FocusSession[]; total: number; limit: number; offset: number; totals: FocusTotals }

/** The player's UTC offset in minutes (east positive), as the server's days need it. */
export const utcOffsetMin = (d = new Date()): number => -d.getTimezoneOffset();

export class SessionsApi {
  constructor(private readonly api: Api) {}
  start(roomId: string, goals: string[], shareGoals: boolean): Promise<FocusSession> {
    return this.api.request('POST', '/sessions', { roomId, goals, shareGoals });
  }
  update(id: string, patch: { done?: boolean[]; progress?: number; shareGoals?: boolean }): Promise<FocusSession> {
    return this.api.request('PUT', `/sessions/${id}`, patch);
  }
  complete(id: string): Promise<FocusSession> {
    return this.api.request('POST', `/sessions/${id}/complete?utcOffsetMin=${utcOffsetMin()}`);
  }
  history(limit = 20, offset = 0): Promise<FocusHistory> {
    return this.api.request('GET', `/sessions/history?limit=${limit}&offset=${offset}&utcOffsetMin=${utcOffsetMin()}`);
  }
  /** The player's open session in this room, if one is still running (after a reload). */
  async openIn(roomId: string): Promise<FocusSession | null> {
    const newest = (await this.history(1)).items[0];
    return newest && newest.status === 'open' && newest.roomId === roomId ? newest : null;
  }
}

/** The goals typed into the panel, one per line: trimmed, blanks dropped;
 * a problem to show when the server would refuse them. */
export function parseGoals(text: string): { goals: string[]; problem: string | null } {
  const goals = text.split('\n').map((g) => g.trim()).filter(Boolean);
  if (goals.length > MAX_GOALS) return { goals, problem: `At most ${MAX_GOALS} goals (you have ${goals.length}).` };
  const long = goals.findIndex((g) => g.length > MAX_GOAL_CHARS);
  if (long >= 0) return { goals, problem: `Goal ${long + 1} is longer than ${MAX_GOAL_CHARS} characters.` };
  return { goals, problem: null };
}

/** Progress follows the goals checked off (0–100). */
export const progressOf = (goals: Goal[]): number =>
  goals.length ? Math.round((100 * goals.filter((g) => g.done).length) / goals.length) : 0;

/** What others see next to a member: "3 goals, 1 done". */
export function countsLabel(s: Pick<FocusSessionSummary, 'goalCount' | 'doneCount'>): string {
  if (!s.goalCount) return 'focusing';
  return `${s.goalCount} goal${s.goalCount === 1 ? '' : 's'}, ${s.doneCount} done`;
}

/** The shared goals as lines ("✓ essay"), or nothing when the text is private. */
export function sharedGoalLines(s: FocusSessionSummary): string[] {
  return s.goals ? s.goals.map((g, i) => `${s.done?.[i] ? '✓' : '○'} ${g}`) : [];
}

export const ACHIEVEMENTS: Record<string, { icon: string; title: string; detail: string }> = {
  first_session: { icon: '🌱', title: 'First session', detail: 'Your first completed focus session.' },
  all_goals_done: { icon: '🎯', title: 'All goals done', detail: 'Every goal checked off.' },
  streak_3: { icon: '🔥', title: '3-day streak', detail: 'A completed session three days in a row.' },
  four_today: { icon: '🏅', title: 'Four today', detail: 'Four sessions completed today.' },
  deep_focus: { icon: '🧘', title: 'Deep focus', detail: '50 minutes or more in one session.' },
};

export const achievementOf = (id: string) => ACHIEVEMENTS[id] ?? { icon: '⭐', title: id.replace(/_/g, ' '), detail: '' };

/** The open focus sessions of a room, by member, kept from room_state and the live events. */
export class RoomFocus {
  private readonly byUser = new Map<string, FocusSessionSummary>();

  /** From room_state: everything open now. */
  reset(sessions: FocusSessionSummary[] | null | undefined): void {
    this.byUser.clear();
    for (const s of sessions ?? []) this.byUser.set(s.userId, s);
  }
  started(s: FocusSessionSummary): void { this.byUser.set(s.userId, s); }
  updated(s: FocusSessionSummary): void { this.byUser.set(s.userId, s); }
  completed(s: FocusSessionSummary): void { this.byUser.delete(s.userId); }
  forget(userId: string): void { this.byUser.delete(userId); }
  of(userId: string): FocusSessionSummary | undefined { return this.byUser.get(userId); }
  /** The note under a member's name ("" when they have no open session). */
  note(userId: string): string {
    const s = this.byUser.get(userId);
    return s ? countsLabel(s) : '';
  }
  /** The goals themselves, one per line, when their owner shares them ("" otherwise). */
  detail(userId: string): string {
    const s = this.byUser.get(userId);
    return s ? sharedGoalLines(s).join('\n') : '';
  }
}
