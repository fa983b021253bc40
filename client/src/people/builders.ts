/** Who the room's owner lets build (change the room's world), as the
 * owner's profile cards change it: the server keeps the list
 * (`PATCH /api/rooms/{id}` with `builders`, owner only). */

export interface Builders {
  has(userId: string): boolean;
  /** Lets `userId` build (or stops it); resolves once the server has the new list. */
  set(userId: string, on: boolean): Promise<void>;
}

/** The list starting from `initial`; `save` sends a whole list and answers with the one kept. */
export function builderList(initial: readonly string[], save: (ids: string[]) => Promise<readonly string[]>): Builders {
  let ids = [...initial];
  return {
    has: (userId) => ids.includes(userId),
    async set(userId, on) {
      const wanted = on ? [...ids.filter((id) => id !== userId), userId] : ids.filter((id) => id !== userId);
      ids = [...await save(wanted)];
    },
  };
}
