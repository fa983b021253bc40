/** People in a room: the Friends and Look buttons in the top bar, and the
 * profile card a click or tap on an avatar or a People-list row opens.
 * Mounted by `room/features.ts` beside the room view. */
import { Raycaster, Vector2 } from 'three';
import { openAvatarEditor } from '../avatarEditor';
import type { JoinTicket, RealtimeProvider, Status } from '../net/realtime/types';
import type { Stage } from '../render/stage';
import type { Members } from '../room/members';
import { toast } from '../ui/dom';
import type { VoiceSession } from '../voice/voice';
import type { PeopleApi } from './api';
import type { Builders } from './builders';
import { toggleFriends } from './friendsPanel';
import { openCard } from './profileCard';

/** What the app gives a room for its people features (absent offline). */
export interface PeopleHost {
  api: PeopleApi;
  /** This player owns the room. */
  owner: boolean;
  /** Leave this room for a friend's. */
  join(roomId: string): void;
  /** Who may build here, for the owner to change (absent for everyone else). */
  builders?: Builders;
}

export interface PeopleRoom {
  root: HTMLElement;
  roomId: string;
  ticket: JoinTicket;
  provider: RealtimeProvider;
  stage: Stage;
  members: Members;
  voice?: VoiceSession;
  blocked: Set<string>;
  block(userId: string): Promise<string>;
}

export function mountPeople(room: PeopleRoom, host: PeopleHost): () => void {
  const { root, stage, members, provider } = room;
  const me = room.ticket.user.userId;
  let mine: Status | null = null;  // my own status: I am not among the members
  const stopMine = provider.on('status_changed', (s) => { if (s.userId === me) mine = s.status; });
  /** A card's status line, live: the member's status, then each change and their leaving. */
  const watchStatus = (id: string, show: (status: Status | null, inRoom: boolean) => void): (() => void) => {
    const now = () => id === me ? show(mine, true) : show(members.get(id)?.status ?? null, !!members.get(id));
    now();
    const stops = [
      provider.on('status_changed', (s) => { if (s.userId === id) show(s.status, true); }),
      provider.on('member_left', (l) => { if (l.userId === id) show(null, false); }),
      provider.on('member_joined', (j) => { if (j.member.userId === id) queueMicrotask(now); }),
      provider.on('room_state', () => queueMicrotask(now)),
    ];
    return () => stops.forEach((stop) => stop());
  };
  const show = (userId: string) => void openCard(root, host.api, {
    roomId: room.roomId, owner: host.owner, builders: host.builders, watchStatus,
    mutedForMe: (id) => members.get(id)?.mutedForMe ?? false,
    muteForMe: (id, muted) => { const d = members.get(id); if (d) d.mutedForMe = muted; room.voice?.muteForMe(id, muted); },
    block: (id) => { room.blocked.add(id); return room.block(id); },
  }, userId).catch((err: Error) => toast(err.message, 'error'));

  const friends = document.createElement('button');
  friends.className = 'btn';
  friends.textContent = 'Friends';
  friends.addEventListener('click', () => toggleFriends(root, host.api, { join: host.join, here: room.roomId }));
  const look = document.createElement('button');
  look.className = 'btn';
  look.textContent = 'Look';
  look.title = 'Change your avatar';
  look.addEventListener('click', () => void openAvatarEditor(root, host.api, (worn) => {
    stage.crowd.setLook(0, worn);
    void room.provider.rejoin().then(() => toast('Your new look is on.'), (err: Error) => toast(err.message, 'error'));
  }));
  root.querySelector('.hud-top .tools')?.prepend(friends, look);

  // A People-list row's name opens its card.
  const onRow = (e: Event) => {
    const who = (e.target as HTMLElement).closest<HTMLElement>('.people .person [data-user]');
    if (who?.dataset.user) show(who.dataset.user);
  };
  root.addEventListener('click', onRow);
  // A click or tap on an avatar opens its card.
  const ray = new Raycaster(), ndc = new Vector2();
  const onCanvas = (e: MouseEvent) => {
    const r = stage.canvas.getBoundingClientRect();
    ndc.set(((e.clientX - r.left) / r.width) * 2 - 1, -((e.clientY - r.top) / r.height) * 2 + 1);
    ray.setFromCamera(ndc, stage.camera);
    const slot = stage.crowd.pick(ray);
    const d = slot === null ? undefined : members.list[slot - 1];
    if (d && !d.hidden) show(d.userId);
  };
  stage.canvas.addEventListener('click', onCanvas);
  return () => { stopMine(); root.removeEventListener('click', onRow); stage.canvas.removeEventListener('click', onCanvas); };
}
