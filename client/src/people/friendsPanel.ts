/** The Friends panel, in the room browser and in a room: friends online
 * first, where they are when I may know (with a Join button), and the
 * requests waiting for an answer. */
import { ApiError } from '../api/client';
import { h, toast } from '../ui/dom';
import type { Friend, FriendRequest, PeopleApi } from './api';
import { friendWhere, joinable } from './logic';
import './people.css';

export interface FriendsHost {
  /** Enter a friend's room. */
  join(roomId: string): void;
  /** The room I am in (its friends get no Join button). */
  here?: string | null;
}

const REFRESH_MS = 10_000;

/** Opens (or closes, if open) the panel inside `parent`. */
export function toggleFriends(parent: HTMLElement, people: PeopleApi, host: FriendsHost): void {
  const open = parent.querySelector('.friends-panel');
  if (open) { open.remove(); return; }
  const list = h('div', { class: 'friend-list', 'aria-live': 'polite' });
  const panel = h('section', { class: 'panel friends-panel', 'aria-label': 'Friends' },
    h('div', { class: 'row' }, h('h2', { text: 'Friends' }),
      h('button', { class: 'btn small ghost', 'aria-label': 'Close friends', onclick: () => panel.remove(), text: '✕' })),
    list);
  parent.append(panel);

  const act = async (call: () => Promise<unknown>, done: string) => {
    try { await call(); toast(done); } catch (err) { toast(err instanceof ApiError ? err.describe() : String(err), 'error'); }
    await load();
  };
  const request = (r: FriendRequest, incoming: boolean) => h('div', { class: 'person request' },
    h('span', { class: 'who', text: r.displayName }),
    h('span', { class: 'where muted', text: incoming ? 'wants to be friends' : 'asked, no answer yet' }),
    h('span', { class: 'actions' }, ...(incoming
      ? [h('button', { class: 'btn small primary', onclick: () => void act(() => people.accept(r.userId), `You and ${r.displayName} are friends.`), text: 'Accept' }),
        h('button', { class: 'btn small', onclick: () => void act(() => people.decline(r.userId), 'Declined.'), text: 'Decline' })]
      : [h('button', { class: 'btn small', onclick: () => void act(() => people.unfriend(r.userId), 'Request withdrawn.'), text: 'Withdraw' })])));
  const friend = (f: Friend) => h('div', { class: `person friend ${f.online ? 'online' : 'offline'}` },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: 'who', text: f.displayName }),
    h('span', { class: 'where muted', text: friendWhere(f) }),
    h('span', { class: 'actions' },
      joinable(f, host.here ?? null) ? h('button', { class: 'btn small primary', 'aria-label': `Join ${f.displayName}`, onclick: () => { panel.remove(); host.join(f.room!.id); }, text: 'Join' }) : null,
      h('button', { class: 'btn small ghost', title: 'Remove friend', 'aria-label': `Remove ${f.displayName}`, onclick: () => void act(() => people.unfriend(f.userId), 'Removed.'), text: '✕' })));

  async function load(): Promise<void> {
    try {
      const all = await people.friends();
      list.replaceChildren(
        ...all.incoming.map((r) => request(r, true)),
        ...all.friends.map(friend),
        ...all.outgoing.map((r) => request(r, false)),
      );
      if (!list.childElementCount) list.append(h('p', { class: 'muted', text: 'No friends yet: open someone\'s card in a room and add them.' }));
    } catch (err) { list.replaceChildren(h('p', { class: 'error', text: err instanceof ApiError ? err.describe() : String(err) })); }
  }
  void load();
  const timer = setInterval(() => { if (!panel.isConnected) clearInterval(timer); else void load(); }, REFRESH_MS);
}
