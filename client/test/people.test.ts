import { describe, expect, it } from 'vitest';
import { compact, DEFAULT_LOOK, fullLook, lookKey, lookOf, wearable } from '../src/avatarLook';
import type { Friend } from '../src/people/api';
import { friendButton, friendWhere, joinable, mayModerate, mutualLine, statusLine } from '../src/people/logic';

const friend = (over: Partial<Friend> = {}): Friend => ({ userId: 'b', displayName: 'Bo', look: {}, online: false, room: null, since: null, ...over });

describe('looks', () => {
  it('puts the defaults back into a look that travelled without them', () => {
    expect(fullLook({ hat: 'crown' })).toEqual({ ...DEFAULT_LOOK, hat: 'crown' });
    expect(fullLook(null)).toEqual(DEFAULT_LOOK);
  });

  it('draws unknown or malformed parts as the default rather than failing', () => {
    const odd = fullLook({ hat: 'halo' as never, skin: 'red', body: 'tank' as never });
    expect([odd.hat, odd.skin, odd.body]).toEqual([DEFAULT_LOOK.hat, DEFAULT_LOOK.skin, DEFAULT_LOOK.body]);
  });

  it('draws a member without a look from its avatar id, as older servers send it', () => {
    const l = lookOf({ avatarId: 'slim-112233-445566' });
    expect([l.body, l.outfitColour, l.hatColour, l.hat]).toEqual(['slim', '#112233', '#445566', 'cap']);
    expect(lookOf({ avatarId: 'slim-112233-445566', look: { hat: 'beanie' } }).hat).toBe('beanie');
  });

  it('gives a changed look a new key, so the member is redrawn', () => {
    expect(lookKey(fullLook({ hatColour: '#000000' }))).not.toBe(lookKey(DEFAULT_LOOK));
    expect(lookKey(fullLook({}))).toBe(lookKey(DEFAULT_LOOK));
  });

  it('names the slots whose items are not owned (bare head and hair need nothing)', () => {
    const owned = new Set(['hair:short', 'outfit:tee', 'hat:cap']);
    expect(wearable(fullLook({ hat: 'crown', outfit: 'suit' }), owned)).toEqual(['outfit', 'hat']);
    expect(wearable(fullLook({ hair: 'none', hat: 'none' }), owned)).toEqual([]);
  });

  it('sends the server only what differs from the default', () => {
    expect(compact(fullLook({ hat: 'cap' }))).toEqual({ hat: 'cap' });
  });
});

describe('friends and the profile card', () => {
  it('says where a friend is only when the server tells', () => {
    expect(friendWhere(friend())).toBe('Offline');
    expect(friendWhere(friend({ online: true }))).toBe('Online');
    expect(friendWhere(friend({ online: true, room: { id: 'r', name: 'Bar', template: 'bar' } }))).toBe('Online in Bar');
  });

  it('offers Join for an online friend in another room I may enter', () => {
    const there = friend({ online: true, room: { id: 'r', name: 'Bar', template: 'bar' } });
    expect(joinable(there, null)).toBe(true);
    expect(joinable(there, 'r')).toBe(false);
    expect(joinable(friend({ online: true }), null)).toBe(false);
  });

  it('shows the friend button that fits the friendship', () => {
    expect(friendButton('none', false)?.action).toBe('ask');
    expect(friendButton('incoming', false)?.action).toBe('accept');
    expect(friendButton('friends', false)?.action).toBe('unfriend');
    expect(friendButton('blocked', false)).toBeNull();
    expect(friendButton('none', true)).toBeNull();
  });

  it('lets owners and staff moderate, never themselves, and only admins act on admins', () => {
    const me = { id: 'a', role: 'player' };
    expect(mayModerate({ userId: 'b', role: 'player' }, me, true)).toBe(true);
    expect(mayModerate({ userId: 'b', role: 'player' }, me, false)).toBe(false);
    expect(mayModerate({ userId: 'a', role: 'player' }, me, true)).toBe(false);
    expect(mayModerate({ userId: 'b', role: 'admin' }, { id: 'a', role: 'moderator' }, false)).toBe(false);
    expect(mayModerate({ userId: 'b', role: 'player' }, { id: 'a', role: 'moderator' }, false)).toBe(true);
  });

  it('lists a few mutual friends and counts the rest', () => {
    expect(mutualLine([])).toBe('No mutual friends');
    expect(mutualLine(['Cy', 'Dee', 'Eve', 'Fay', 'Gus'])).toBe('Mutual friends: Cy, Dee, Eve and 2 more');
  });
});

describe('the profile card status', () => {
  it('shows a member who set none as available, and their status once set', () => {
    expect(statusLine(null, true)).toEqual({ text: 'Available', chip: 'available' });
    expect(statusLine('working', true)).toEqual({ text: 'Working', chip: 'working' });
    expect(statusLine('break', true).text).toBe('Break');
  });

  it('says when the player left the room rather than a stale status', () => {
    expect(statusLine('away', false)).toEqual({ text: 'Not in this room', chip: 'gone' });
  });
});
