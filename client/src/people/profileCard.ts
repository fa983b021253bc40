/** A player's profile card, opened by clicking or tapping their avatar or
 * their row in the People list: name, status, mutual friends, add friend,
 * mute for me, block, report (with an evidence file), and for the room's
 * owner and moderators mute, kick and ban with a reason (the moderation
 * routes, which write the audit log); the owner lets them build or stops it. */
import { ApiError } from '../api/client';
import { h } from '../ui/dom';
import type { PeopleApi, Sanction } from './api';
import type { Status } from '../net/realtime/types';
import type { Builders } from './builders';
import { friendButton, mayModerate, mutualLine, statusLine } from './logic';
import './people.css';

export interface CardHost {
  roomId: string;
  /** This player owns the room (owners moderate their own room). */
  owner: boolean;
  /** Calls `show` with the player's status now and at each change while the card is open
   * (`inRoom` false once they left); returns the way to stop. */
  watchStatus(userId: string, show: (status: Status | null, inRoom: boolean) => void): () => void;
  mutedForMe(userId: string): boolean;
  muteForMe(userId: string, muted: boolean): void;
  /** Who may build here, when this player owns the room. */
  builders?: Builders;
  /** Blocks through the room (it stops drawing their strokes at once); resolves with what to say. */
  block(userId: string): Promise<string>;
}

const CATEGORIES = ['harassment', 'hate', 'spam', 'sexual', 'violence', 'cheating', 'other'];
const DONE: Record<Sanction, string> = { kick: 'removed from the room', ban: 'banned from the room', mute: 'muted' };

export async function openCard(parent: HTMLElement, people: PeopleApi, host: CardHost, userId: string): Promise<void> {
  parent.querySelector('.profile-card')?.remove();
  const line = h('p', { class: 'card-note', role: 'status', 'aria-live': 'polite' });
  const say = (text: string) => { line.textContent = text; };
  const fail = (err: unknown) => say(err instanceof ApiError ? err.describe() : String(err));
  const card = await people.card(userId);
  const me = people.me;
  const self = userId === me.id;
  const dialog = h('section', { class: 'panel profile-card', role: 'dialog', 'aria-label': `Profile of ${card.displayName}` });
  const close = h('button', { class: 'btn small ghost', 'aria-label': 'Close card', onclick: () => dialog.remove(), text: '✕' });
  const status = h('span', { class: 'chip', role: 'status', 'aria-label': 'Status' });
  const stopWatching = host.watchStatus(userId, (now, inRoom) => {
    const { text, chip } = statusLine(now, inRoom);
    status.textContent = text;
    status.className = `chip status ${chip}`;
  });
  const stopWhenClosed = new MutationObserver(() => { if (!dialog.isConnected) { stopWatching(); stopWhenClosed.disconnect(); } });

  const friend = friendButton(card.friendship, self);
  const friendBtn = friend && h('button', { class: `btn small ${friend.action === 'ask' || friend.action === 'accept' ? 'primary' : ''}`, text: friend.label });
  friendBtn?.addEventListener('click', async () => {
    try {
      if (friend!.action === 'ask') say((await people.ask(userId)).state === 'friends' ? 'You are friends now.' : 'Friend request sent.');
      else if (friend!.action === 'accept') { await people.accept(userId); say('You are friends now.'); }
      else { await people.unfriend(userId); say(friend!.action === 'withdraw' ? 'Request withdrawn.' : 'Removed from your friends.'); }
      friendBtn.disabled = true;
    } catch (err) { fail(err); }
  });
  const mute = h('button', { class: 'btn small', 'aria-pressed': String(host.mutedForMe(userId)), text: host.mutedForMe(userId) ? 'Unmute for me' : 'Mute for me' });
  mute.addEventListener('click', () => {
    const muted = !host.mutedForMe(userId);
    host.muteForMe(userId, muted);
    mute.textContent = muted ? 'Unmute for me' : 'Mute for me';
    mute.setAttribute('aria-pressed', String(muted));
  });
  const block = h('button', { class: 'btn small', text: 'Block' });
  block.addEventListener('click', async () => { say(await host.block(userId)); block.disabled = true; friendBtn?.remove(); });
  const report = h('button', { class: 'btn small danger', text: 'Report' });
  report.addEventListener('click', () => { report.disabled = true; dialog.append(reportForm()); });

  function reportForm(): HTMLElement {
    const category = h('select', { 'aria-label': 'Report category' }, ...CATEGORIES.map((c) => h('option', { value: c, text: c })));
    const text = h('textarea', { 'aria-label': 'What happened', maxlength: '2000', placeholder: 'What happened?' });
    const file = h('input', { type: 'file', 'aria-label': 'Evidence file', accept: 'image/png,image/jpeg,image/webp,video/webm,audio/webm,text/plain' });
    const form = h('form', { class: 'card-report' }, h('h3', { text: `Report ${card.displayName}` }), category, text,
      h('label', {}, 'Evidence (optional) ', file), h('button', { class: 'btn small danger', type: 'submit', text: 'Send report' }));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await people.report({ targetUserId: userId, roomId: host.roomId, category: category.value, text: text.value }, file.files?.[0]);
        form.remove();
        say('Thanks, our moderators will look at it.');
      } catch (err) { fail(err); }
    });
    return form;
  }

  function building(list: Builders): HTMLElement {
    const words = (on: boolean) => on ? 'Stop letting build' : 'Let build here';
    const button = h('button', { class: 'btn small', type: 'button', 'aria-pressed': String(list.has(userId)), text: words(list.has(userId)),
      title: 'Builders change this room’s walls, zones and objects (from their next visit)' });
    button.addEventListener('click', async () => {
      const on = !list.has(userId);
      try {
        await list.set(userId, on);
        button.textContent = words(on);
        button.setAttribute('aria-pressed', String(on));
        say(on ? `${card.displayName} may build here from their next visit.` : `${card.displayName} no longer builds here.`);
      } catch (err) { fail(err); }
    });
    return h('div', { class: 'row actions' }, button);
  }

  function moderation(): HTMLElement {
    const reason = h('input', { type: 'text', maxlength: '500', placeholder: 'Reason (required)', 'aria-label': 'Reason' });
    reason.addEventListener('input', () => say(''));
    const act = (type: Sanction) => h('button', { class: `btn small ${type === 'mute' ? '' : 'danger'}`, type: 'button', text: type[0].toUpperCase() + type.slice(1),
      onclick: async () => {
        if (!reason.value.trim()) { say('Give a reason: it goes to the audit log.'); reason.focus(); return; }
        try { await people.moderate(type, userId, host.roomId, reason.value.trim()); say(`${card.displayName} was ${DONE[type]}.`); } catch (err) { fail(err); }
      } });
    return h('fieldset', { class: 'moderate' }, h('legend', { text: 'Moderate' }), reason, h('div', { class: 'row' }, act('mute'), act('kick'), act('ban')));
  }

  dialog.append(...[
    h('div', { class: 'row' }, h('h2', { text: card.displayName }), close),
    h('p', { class: 'muted' }, status,
      card.role !== 'player' ? h('span', { class: 'chip', text: card.role }) : null),
    self ? h('p', { class: 'muted', text: 'This is you.' }) : h('p', { class: 'mutual', text: mutualLine(card.mutualFriends.map((m) => m.displayName)) }),
    self ? null : h('div', { class: 'row actions' }, friendBtn, mute, block, report),
    host.builders && !self ? building(host.builders) : null,
    mayModerate(card, me, host.owner) ? moderation() : null,
    line].filter((el): el is HTMLElement => el !== null));
  parent.append(dialog);
  stopWhenClosed.observe(parent, { childList: true });
}
