import { expect, test } from 'vitest';
import { Api, ApiError } from '../src/api/client';

class MemoryStorage {
  private m = new Map<string, string>();
  get length() { return this.m.size; }
  clear() { this.m.clear(); }
  getItem(k: string) { return this.m.get(k) ?? null; }
  key(i: number) { return [...this.m.keys()][i] ?? null; }
  removeItem(k: string) { this.m.delete(k); }
  setItem(k: string, v: string) { this.m.set(k, v); }
}

const user = { id: 'u1', displayName: 'Ann', username: null, anonymous: true, role: 'member', avatar: { model: 'round', colors: { body: '#000000', accent: '#ffffff' }, accessories: [] } };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

test('an expired access token is refreshed once and the call retried', async () => {
  const calls: string[] = [];
  let access = 'old';
  const fetcher = (async (url: string, init: RequestInit) => {
    const auth = (init.headers as Record<string, string>).Authorization ?? '';
    calls.push(`${init.method} ${url} ${auth}`);
    if (url.endsWith('/auth/anonymous')) return json(201, { accessToken: access, refreshToken: 'r1', expiresIn: 900, user });
    if (url.endsWith('/auth/refresh')) { access = 'new'; return json(200, { accessToken: 'new', refreshToken: 'r2', expiresIn: 900, user }); }
    if (auth === 'Bearer new') return json(200, { items: [], total: 0, limit: 20, offset: 0 });
    return json(401, { status: 401, title: 'Unauthorized', detail: 'token expired' });
  }) as typeof fetch;
  const storage = new MemoryStorage();
  const api = new Api('/api', storage, fetcher);
  await api.anonymous('Ann');
  const page = await api.rooms({ template: 'bar' });
  expect(page.total).toBe(0);
  expect(calls.slice(1)).toEqual(['GET /api/rooms?template=bar Bearer old', 'POST /api/auth/refresh ', 'GET /api/rooms?template=bar Bearer new']);
  expect(JSON.parse(storage.getItem('virtubar.session')!).refreshToken).toBe('r2');
});

test('problem JSON becomes a readable error naming each field', async () => {
  const fetcher = (async () => json(422, { status: 422, title: 'Unprocessable', detail: 'Invalid room', errors: [{ field: 'name', message: 'is required' }] })) as typeof fetch;
  const api = new Api('/api', new MemoryStorage(), fetcher);
  const err = await api.createRoom({ name: '', template: 'bar' }).catch((e) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).describe()).toBe('Invalid room — name: is required');
});

test('an unreachable server is reported as offline', async () => {
  const api = new Api('/api', new MemoryStorage(), (async () => { throw new TypeError('fetch failed'); }) as typeof fetch);
  await expect(api.rooms()).rejects.toMatchObject({ status: 0, title: 'Offline' });
});

test('a guest signing in with a password or a provider sends its token so the server keeps its data', async () => {
  const calls: string[] = [];
  const fetcher = (async (url: string, init: RequestInit) => {
    calls.push(`${init.method} ${url} ${(init.headers as Record<string, string>).Authorization ?? '-'}`);
    if (url.endsWith('/auth/anonymous')) return json(201, { accessToken: 'guest', refreshToken: 'r1', expiresIn: 900, user });
    if (url.endsWith('/auth/oidc')) return json(200, { enabled: true, name: 'Test ID' });
    if (url.endsWith('/auth/oidc/start')) return json(200, { authorizationUrl: 'https://id.example/authorize?x=1' });
    return json(200, { accessToken: 'account', refreshToken: 'r2', expiresIn: 900, user: { ...user, anonymous: false } });
  }) as typeof fetch;
  const api = new Api('/api', new MemoryStorage(), fetcher);
  await api.anonymous('Ann');
  expect(await api.oidcConfig()).toEqual({ enabled: true, name: 'Test ID' });
  expect(await api.oidcStart()).toBe('https://id.example/authorize?x=1');
  await api.login('ann', 'a long password');
  await api.oidcFinish('one-time');
  expect(calls.slice(1)).toEqual([
    'GET /api/auth/oidc -', 'POST /api/auth/oidc/start Bearer guest', 'POST /api/auth/login Bearer guest',
    'POST /api/auth/oidc/session -',
  ]);
  expect(api.user?.anonymous).toBe(false);
});
