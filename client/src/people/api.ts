/** The people calls of the API: friends (`/api/friends`), profile cards,
 * cosmetics and the look worn (`/api/inventory`), reports with evidence and
 * the moderation actions owners and moderators take. */
import type { Api, User } from '../api/client';
import type { AvatarLook } from '../net/realtime/wire.gen';

export type Friendship = 'none' | 'friends' | 'outgoing' | 'incoming' | 'blocked';
export interface Friend {
  userId: string; displayName: string; look: AvatarLook; online: boolean;
  room: { id: string; name: string; template: string } | null; since: string | null;
}
export interface FriendRequest { userId: string; displayName: string; state: Friendship; createdAt: string }
export interface Friends { friends: Friend[]; incoming: FriendRequest[]; outgoing: FriendRequest[] }
export interface Card {
  userId: string; displayName: string; role: string; look: AvatarLook; friendship: Friendship;
  mutualFriends: { userId: string; displayName: string }[];
}
export interface Item { id: string; slot: 'hair' | 'outfit' | 'hat'; name: string; starter: boolean; owned: boolean }
export interface Inventory { items: Item[]; look: AvatarLook }
export type Sanction = 'kick' | 'ban' | 'mute';
interface Upload { method: 'POST' | 'PUT'; url: string; fields: Record<string, string>; headers: Record<string, string> }

export class PeopleApi {
  constructor(readonly api: Api) {}

  get me(): User { return this.api.user!; }
  friends(): Promise<Friends> { return this.api.request('GET', '/friends'); }
  ask(userId: string): Promise<FriendRequest> { return this.api.request('POST', '/friends/requests', { userId }); }
  accept(userId: string): Promise<Friend> { return this.api.request('POST', `/friends/requests/${userId}/accept`); }
  decline(userId: string): Promise<void> { return this.api.request('POST', `/friends/requests/${userId}/decline`); }
  unfriend(userId: string): Promise<void> { return this.api.request('DELETE', `/friends/${userId}`); }
  card(userId: string): Promise<Card> { return this.api.request('GET', `/friends/card/${userId}`); }
  inventory(): Promise<Inventory> { return this.api.request('GET', '/inventory'); }
  block(userId: string): Promise<unknown> { return this.api.block(userId); }

  /** Wears a look; the session's user carries it from now on (the next join's token too). */
  async wear(look: AvatarLook): Promise<AvatarLook> {
    const worn = await this.api.request<AvatarLook>('PUT', '/inventory/look', look);
    this.api.remember(await this.api.request<User>('GET', '/users/me'));
    return worn;
  }

  /** Kick, ban or mute in a room (its owner, or a moderator anywhere). */
  moderate(type: Sanction, userId: string, roomId: string, reason: string): Promise<unknown> {
    return this.api.request('POST', '/moderation/actions', { type, userId, roomId, reason });
  }

  /** A report, with its evidence file sent where the server's upload ticket says. */
  async report(body: { targetUserId: string; roomId?: string; category: string; text: string }, evidence?: File): Promise<void> {
    const answer = await this.api.request<{ upload?: Upload | null }>('POST', '/reports',
      evidence ? { ...body, evidence: { contentType: evidence.type, size: evidence.size } } : body);
    const up = answer.upload;
    if (!evidence || !up) return;
    let res: Response;
    if (up.method === 'POST') {
      const form = new FormData();
      for (const [k, v] of Object.entries(up.fields ?? {})) form.append(k, v);
      form.append('file', evidence);
      res = await fetch(up.url, { method: 'POST', body: form });
    } else {
      res = await fetch(up.url, { method: 'PUT', headers: up.headers ?? {}, body: evidence });
    }
    if (!res.ok) throw new Error(`the report was sent, but its evidence was not (${res.status})`);
  }
}
