import { expect, test } from 'vitest';
import { builderList } from '../src/people/builders';

test('the owner lets a player build and stops it; the list is what the server kept', async () => {
  const sent: string[][] = [];
  const list = builderList(['ann'], async (ids) => { sent.push(ids); return ids.filter((id) => id !== 'ghost'); });
  expect([list.has('ann'), list.has('bob')]).toEqual([true, false]);
  await list.set('bob', true);
  await list.set('ann', false);
  await list.set('ghost', true);  // the server refused to keep it
  expect(sent).toEqual([['ann', 'bob'], ['bob'], ['bob', 'ghost']]);
  expect([list.has('ann'), list.has('bob'), list.has('ghost')]).toEqual([false, true, false]);
});
