/** Build mode's undo stack: the states an edit replaced, newest last, and
 * the states undone since (for redo). Pure, generic over the state kept. */
export class UndoStack<T> {
  private readonly done: T[] = [];
  private readonly undone: T[] = [];

  constructor(private readonly limit = 200) {}

  get canUndo(): boolean { return this.done.length > 0; }
  get canRedo(): boolean { return this.undone.length > 0; }

  /** `before` was replaced by an edit: it can be undone to; redo is forgotten. */
  push(before: T): void {
    this.done.push(before);
    if (this.done.length > this.limit) this.done.shift();
    this.undone.length = 0;
  }

  /** The state before the last edit (`current` kept for redo), or null when there is none. */
  undo(current: T): T | null {
    const before = this.done.pop();
    if (before === undefined) return null;
    this.undone.push(current);
    return before;
  }

  redo(current: T): T | null {
    const after = this.undone.pop();
    if (after === undefined) return null;
    this.done.push(current);
    return after;
  }

  clear(): void { this.done.length = 0; this.undone.length = 0; }
}
