/** What the friends list and the profile card show, as pure functions of
 * what the server said (tested in client/test/people.test.ts). */
import type { Status } from '../net/realtime/types';
import type { Card, Friend, Friendship } from './api';

/** One line under a friend's name: where they are, if I may know. */
export function friendWhere(f: Friend): string {
  if (!f.online) return 'Offline';
  return f.room ? `Online in ${f.room.name}` : 'Online';
}

/** Whether the Join button goes next to a friend: online, in a room I may enter, not the one I am in. */
export const joinable = (f: Friend, here: string | null): boolean => f.online && !!f.room && f.room.id !== here;

export type FriendButton = { label: string; action: 'ask' | 'accept' | 'unfriend' | 'withdraw' } | null;

/** The card's friend button for our friendship (none for myself or a blocked pair). */
export function friendButton(state: Friendship, self: boolean): FriendButton {
  if (self) return null;
  switch (state) {
    case 'none': return { label: 'Add friend', action: 'ask' };
    case 'incoming': return { label: 'Accept friend request', action: 'accept' };
    case 'outgoing': return { label: 'Request sent (withdraw)', action: 'withdraw' };
    case 'friends': return { label: 'Remove friend', action: 'unfriend' };
    case 'blocked': return null;
  }
}

/** Who may kick, ban and mute from the card: the room's owner, moderators
 * and admins, never on themselves nor (unless admin) on an admin. */
export function mayModerate(card: Pick<Card, 'userId' | 'role'>, me: { id: string; role: string }, owner: boolean): boolean {
  if (card.userId === me.id) return false;
  if (card.role === 'admin' && me.role !== 'admin') return false;
  return owner || me.role === 'moderator' || me.role === 'admin';
}

/** "Mutual friends: Cy, Dee and 3 more", or that there are none. */
export function mutualLine(names: string[], shown = 3): string {
  if (!names.length) return 'No mutual friends';
  const head = names.slice(0, shown).join(', ');
  return `Mutual friends: ${head}${names.length > shown ? ` and ${names.length - shown} more` : ''}`;
}

/** The card's status as others in the room see it: a member who set none
 * is available; one who left the room has no status here. */
export function statusLine(status: Status | null, inRoom: boolean): { text: string; chip: Status | 'available' | 'gone' } {
  if (!inRoom) return { text: 'Not in this room', chip: 'gone' };
  const chip = status ?? 'available';
  return { text: chip[0].toUpperCase() + chip.slice(1), chip };
}
