/** The REST API (/api): auth with access + refresh tokens kept in local
 * storage, rooms, join. Errors arrive as problem JSON and surface as ApiError
 * with the server's words, so screens can show them as they are. */
import type { Avatar } from '../avatar';
import type { AvatarLook } from '../net/realtime/wire.gen';
import type { Template, World } from '../world/world';
import type { Platform } from '../net/realtime/types';

export interface User { id: string; displayName: string; username: string | null; anonymous: boolean; role: string; avatar: Avatar; look?: AvatarLook | null }
export interface Session { accessToken: string; refreshToken: string; expiresIn: number; user: User }
export interface Room { id: string; name: string; template: Template; capacity: number; public: boolean; ownerId: string; occupancy: number; createdAt: string; workStyle?: 'quiet' | 'music' | 'check-ins' | null; timerHostsOnly?: boolean; builders?: string[] }
export interface RoomPage { items: Room[]; total: number; limit: number; offset: number }
export interface IceServer { urls: string[]; username?: string; credential?: string }
export interface JoinAnswer {
  roomId: string; room: Room; realtimeToken: string; voiceToken: string; edgeUrl: string; sfuUrl: string;
  iceServers: IceServer[]; expiresIn: number; world: World;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string, readonly errors: { field: string; message: string }[] = []) {
    super(detail || title);
  }
  /** One line for the user: the detail and every field message. */
  describe(): string {
    const fields = this.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return [this.detail || this.title, fields].filter(Boolean).join(' — ');
  }
}

const KEY = 'virtubar.session';

export class Api {
  session: Session | null;

  constructor(private readonly base = '/api', private readonly storage: Storage = localStorage, private readonly fetcher: typeof fetch = fetch.bind(globalThis)) {
    const saved = storage.getItem(KEY);
    this.session = saved ? (JSON.parse(saved) as Session) : null;
  }

  get user(): User | null { return this.session?.user ?? null; }

  anonymous(displayName?: string): Promise<Session> {
    return this.auth('/auth/anonymous', displayName ? { displayName } : {}, false);
  }
  /** With an anonymous session this upgrades that account. */
  register(email: string, username: string, password: string, displayName?: string): Promise<Session> {
    return this.auth('/auth/register', { email, username, password, ...(displayName ? { displayName } : {}) }, !!this.session);
  }
  /** A guest who signs in keeps what it did: its token goes along. */
  login(login: string, password: string): Promise<Session> { return this.auth('/auth/login', { login, password }, this.guest); }

  /** Whether the server offers sign-in with an OpenID Connect provider, and its name. */
  oidcConfig(): Promise<{ enabled: boolean; name?: string }> { return this.request('GET', '/auth/oidc', undefined, false); }
  /** Where to send the browser to sign in at the provider (a guest's data is kept). */
  async oidcStart(): Promise<string> {
    return (await this.request<{ authorizationUrl: string }>('POST', '/auth/oidc/start', undefined, this.guest)).authorizationUrl;
  }
  /** Trade the one-time code the provider's sign-in came back with for a session. */
  oidcFinish(code: string): Promise<Session> { return this.auth('/auth/oidc/session', { code }, false); }

  private get guest(): boolean { return !!this.session?.user.anonymous; }

  async logout(): Promise<void> {
    const s = this.session;
    this.save(null);
    if (s) await this.request('POST', '/auth/logout', { refreshToken: s.refreshToken }, false).catch(() => undefined);
  }

  async updateMe(patch: { displayName?: string; avatar?: Avatar }): Promise<User> {
    const user = await this.request<User>('PATCH', '/users/me', patch);
    if (this.session) this.save({ ...this.session, user });
    return user;
  }

  /** Keeps the user as the server now describes them (after a change of look). */
  remember(user: User): void { if (this.session) this.save({ ...this.session, user }); }

  rooms(q: { template?: Template; q?: string; limit?: number; offset?: number } = {}): Promise<RoomPage> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
    return this.request('GET', `/rooms?${params}`);
  }
  createRoom(body: { name: string; template: Template; capacity?: number; public?: boolean; workStyle?: Room['workStyle'] }): Promise<Room> {
    return this.request('POST', '/rooms', body);
  }
  join(body: { roomId?: string; template?: Template; platform: Platform; region?: string }): Promise<JoinAnswer> {
    return this.request('POST', '/rooms/join', body);
  }
  block(userId: string): Promise<unknown> { return this.request('POST', '/blocks', { userId }); }
  report(body: { targetUserId: string; roomId: string; category: string; text: string }): Promise<unknown> {
    return this.request('POST', '/reports', body);
  }

  async request<T>(method: string, path: string, body?: unknown, auth = true, retry = true): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const raw = body instanceof Blob;  // a file as it is (an image, a track), not JSON
    if (body !== undefined && !raw) headers['Content-Type'] = 'application/json';
    if (auth && this.session) headers.Authorization = `Bearer ${this.session.accessToken}`;
    let res: Response;
    try {
      res = await this.fetcher(this.base + path, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'Offline', 'Cannot reach VirtuBar: check your connection.');
    }
    if (res.status === 401 && auth && retry && this.session) {
      if (await this.refresh()) return this.request(method, path, body, auth, false);
    }
    if (res.status === 204) return undefined as T;
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, data.title ?? res.statusText, data.detail ?? '', data.errors ?? []);
    return data as T;
  }

  private async refresh(): Promise<boolean> {
    try {
      this.save(await this.request<Session>('POST', '/auth/refresh', { refreshToken: this.session!.refreshToken }, false, false));
      return true;
    } catch {
      this.save(null);
      return false;
    }
  }

  private async auth(path: string, body: unknown, withToken: boolean): Promise<Session> {
    const s = await this.request<Session>('POST', path, body, withToken);
    this.save(s);
    return s;
  }

  private save(s: Session | null): void {
    this.session = s;
    if (s) this.storage.setItem(KEY, JSON.stringify(s)); else this.storage.removeItem(KEY);
  }
}
