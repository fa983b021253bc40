/** The app's flow: sign in → room browser → room (or settings). With
 * `?provider=sim` it opens a room of simulated members at once, offline
 * (`&template=bar|office|focus|world`, `&members=N`, `&bench=1` for the
 * frame-time bench). */
import { Api, ApiError, type JoinAnswer, type Room } from './api/client';
import { avatarId, DEFAULT_AVATAR } from './avatar';
import { createProvider, providerKind } from './net/realtime';
import type { JoinTicket, Platform } from './net/realtime/types';
import { RoomView } from './room/roomView';
import { historyScreen } from './focus/history';
import { SessionsApi } from './focus/sessions';
import { browserScreen } from './ui/browser';
import { loadPreferences, preferencesScreen } from './ui/preferences';
import { scheduleScreen } from './focus/schedule';
import { watchSchedule } from './focus/scheduleAlerts';
import { h, toast } from './ui/dom';
import { settingsScreen } from './ui/settings';
import { loadDevices } from './voice/devices';
import { signInScreen } from './ui/signIn';
import { VideoRoom } from './video/video';
import { SfuTransport } from './voice/sfu';
import { Voice } from './voice/voice';
import { DEFAULT_WORLDS } from './world/defaults';
import { hearingRadius, TEMPLATES, worldProblems, type Template, type World } from './world/world';
import { mountBench } from './bench';
import { openAvatarEditor } from './avatarEditor';
import { PeopleApi } from './people/api';
import { builderList } from './people/builders';
import { toggleFriends } from './people/friendsPanel';

const platform = (): Platform => (matchMedia('(pointer: coarse)').matches && Math.min(innerWidth, innerHeight) < 820 ? 'mobile' : 'desktop');

/** The room a link opens (`/r/{roomId}`), if the address is one. */
const linkedRoom = (): string | null => /^\/r\/([A-Za-z0-9_.-]{1,80})\/?$/.exec(location.pathname)?.[1] ?? null;
const roomLink = (roomId: string) => `/r/${encodeURIComponent(roomId)}`;
/** Shows `path` in the address bar (a reload opens the same place). */
const address = (path: string) => { if (location.pathname !== path) history.pushState(null, '', path); };

export function startApp(root: HTMLElement): void {
  const params = new URLSearchParams(location.search);
  if (providerKind() === 'sim') return void startSim(root, params);
  const api = new Api();
  const show = (el: HTMLElement) => root.replaceChildren(el);

  const browser = () => show(browserScreen(api, {
    join: (q) => void enter(q),
    settings: () => show(settingsScreen(api, browser)),
    preferences: () => show(preferencesScreen(api, browser)),
    history: () => show(historyScreen(api, browser)),
    schedule: () => show(scheduleScreen(api, { back: browser, join: (roomId) => void enter({ roomId }) })),
    signOut: () => void api.logout().then(signIn),
    friends: (at) => toggleFriends(at, people, { join: (roomId) => void enter({ roomId }) }),
    avatar: (at) => void openAvatarEditor(at, people, () => toast('Saved: others see your new look in the next room you join.')),
  }));
  const people = new PeopleApi(api);
  /** After sign-in: the linked room, else the room browser. */
  const home = () => { const id = linkedRoom(); if (id) void enter({ roomId: id }); else browser(); };
  const signIn = () => show(signInScreen(api, () => { void loadPreferences(api); home(); }));

  let here: string | null = null; // the room the player is in
  let next: JoinAnswer | null = null; // a portal's room, joined: opened once this one is left
  async function enter(q: { roomId?: string; template?: Template }): Promise<void> {
    if (here) return void toast('Leave this room first.', 'error');
    let answer: JoinAnswer;
    try {
      answer = await api.join({ ...q, platform: platform() });
    } catch (err) {
      toast(err instanceof ApiError ? err.describe() : String(err), 'error');
      if (linkedRoom()) { address('/'); browser(); }  // a link to a room that cannot be joined: the browser instead
      return;
    }
    await open(answer);
  }

  async function open(answer: JoinAnswer): Promise<void> {
    const problems = worldProblems(answer.world);
    if (problems.length) { toast(`This room's world cannot be drawn: ${problems.join('; ')}`, 'error'); if (!root.childElementCount) browser(); return; }
    const user = api.user!;
    const ticketOf = (a: JoinAnswer): JoinTicket => {
      const now = api.user ?? user;  // a look changed in the room comes with the next ticket
      return {
        roomId: a.roomId, realtimeToken: a.realtimeToken, edgeUrl: a.edgeUrl, platform: platform(), look: now.look ?? undefined,
        user: { userId: now.id, displayName: now.displayName, avatarId: avatarId(now.avatar ?? DEFAULT_AVATAR) },
      };
    };
    const provider = createProvider('ws', answer.world, async () => ticketOf(await api.join({ roomId: answer.roomId, platform: platform() })));
    const devices = loadDevices();
    const transport = answer.sfuUrl ? new SfuTransport(answer.sfuUrl, answer.roomId, answer.voiceToken, answer.iceServers ?? []) : undefined;
    transport?.onNotice((text) => toast(text, 'error'));
    // Before the voice joins: the SFU may forward video as soon as it has.
    const video = new VideoRoom(user.id, answer.world.template, transport ?? null, devices.camera);
    const voice = await Voice.start({ micDeviceId: devices.mic, speakerDeviceId: devices.speaker, hearingRadius: hearingRadius(answer.world), transport });
    const unheard = [voice.micProblem, voice.linkProblem].filter(Boolean);
    if (unheard.length) toast(unheard.join(' '), 'error');
    (window as unknown as { virtubar: unknown }).virtubar = { voice, transport, video };
    root.replaceChildren();
    address(roomLink(answer.roomId));
    const owner = answer.room.ownerId === user.id;
    const view = new RoomView(root, {
      world: answer.world, roomName: answer.room.name, ticket: ticketOf(answer), provider, voice, video, capacity: Math.max(answer.room.capacity ?? 0, 64) + 2,
      timerAccess: {
        owner, hostsOnly: !!answer.room.timerHostsOnly,
        setHostsOnly: async (on) => !!(await api.request<Room>('PATCH', `/rooms/${answer.roomId}`, { timerHostsOnly: on })).timerHostsOnly,
        recheck: async () => !!(await api.request<Room>('GET', `/rooms/${answer.roomId}`)).timerHostsOnly,
      },
      block: (userId) => safety(() => api.block(userId), 'Blocked. You will not see or hear them.'),
      report: (userId, category, text) => safety(() => api.report({ targetUserId: userId, roomId: answer.roomId, category, text }), 'Thanks, our moderators will look at it.'),
      onLeave: (reason) => {
        here = null;
        if (next) { const to = next; next = null; return void open(to); }  // through a portal
        if (reason) toast(reason, 'error');
        address('/'); browser();
      },
      travel: async (to) => {
        try {
          const answer = await api.join({ ...to, platform: platform() });
          if (answer.roomId === here) return 'You are in that room already.';
          next = answer;
        } catch (err) {
          return err instanceof ApiError ? err.describe() : String(err);
        }
        view.leave();
        return null;
      },
      sessions: new SessionsApi(api), inviteLink: location.origin + roomLink(answer.roomId),
      music: api,
      saveWorld: owner || user.role === 'admin' || answer.room.builders?.includes(user.id)
        ? async (world) => { await api.request<Room>('PATCH', `/rooms/${answer.roomId}`, { world }); } : undefined,
      people: {
        api: people, owner, join: (roomId) => { view.leave(); void enter({ roomId }); },
        builders: owner ? builderList(answer.room.builders ?? [], async (ids) =>
          (await api.request<Room>('PATCH', `/rooms/${answer.roomId}`, { builders: ids })).builders ?? []) : undefined,
      },
    });
    (window as unknown as { virtubar: Record<string, unknown> }).virtubar.view = view;
    here = answer.roomId;
    void view.start();
  }

  void loadPreferences(api);
  watchSchedule(api, (roomId) => void enter({ roomId }), () => here);
  const returned = oidcCode();
  if (returned) {  // back from the provider's sign-in: the one-time code becomes a session
    void api.oidcFinish(returned).then(() => { void loadPreferences(api); home(); }, (err) => {
      signIn();
      toast(err instanceof ApiError ? err.describe() : String(err), 'error');
    });
  } else if (api.session) home(); else signIn();
}

/** The one-time code an OpenID Connect sign-in came back with (``#oidc-code=``), taken out of the address. */
function oidcCode(): string | null {
  const code = new URLSearchParams(location.hash.slice(1)).get('oidc-code');
  if (code) history.replaceState(null, '', location.pathname + location.search);
  return code;
}

/** Runs a safety call; a 404 means the server does not offer it yet, and we say so. */
async function safety(call: () => Promise<unknown>, ok: string): Promise<string> {
  try {
    await call();
    return ok;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return 'This server does not support that yet: nothing was sent.';
    return `Failed: ${err instanceof ApiError ? err.describe() : String(err)}`;
  }
}

function startSim(root: HTMLElement, params: URLSearchParams): void {
  const asked = params.get('template') as Template;
  const template: Template = TEMPLATES.includes(asked) ? asked : 'bar';
  const world: World = DEFAULT_WORLDS[template];
  const members = Math.max(0, Math.min(200, Number(params.get('members') ?? 8) || 0));
  const seed = Number(params.get('seed') ?? 7);
  const provider = createProvider('sim', world, () => Promise.reject(new Error('offline')), { members, seed });
  const ticket: JoinTicket = {
    roomId: `sim-${template}`, realtimeToken: '', edgeUrl: '', platform: platform(),
    user: { userId: 'me', displayName: params.get('name') ?? 'You', avatarId: avatarId(DEFAULT_AVATAR) },
  };
  const view = new RoomView(root, {
    world, roomName: `${world.name} (offline demo)`, ticket, provider, capacity: members + 8, video: new VideoRoom('me', template, null),
    block: async () => 'Offline demo: nothing to block.', report: async () => 'Offline demo: nothing was sent.',
    onLeave: () => root.replaceChildren(h('main', { class: 'screen' }, h('h1', { text: 'You left the demo room.' }),
      h('a', { class: 'btn', href: location.href, text: 'Back in' }))),
  });
  (window as unknown as { virtubar: unknown }).virtubar = { view };
  void view.start();
  if (params.get('bench')) mountBench(root, view);
}
