/** Build mode: the room's owner (or an admin) edits a draft of the room's
 * world on a top-down map and saves it (PATCH /api/rooms/{id}); the edge
 * then hands the new world to everyone in the room (`world_changed`), whose
 * clients redraw it. docs/build-mode.md says what each tool does. */
import { ApiError } from '../api/client';
import { h } from '../ui/dom';
import type { World } from '../world/world';
import { KINDS, addSpawn, addZone, moveObject, moveSpawn, placeObject, removeObject, removeSpawn, removeZone, rotateObject, setWall, type ObjectKind, type ZoneRect } from './edits';
import { MapView, cellAt, cellRect, hit, snapPoint, type Part } from './grid';
import { drawMap } from './map';
import { renderEditor } from './partEditor';
import { locate, type PartProblem } from './problems';
import { UndoStack } from './undo';
import './build.css';

export type Tool = { kind: 'select' } | { kind: 'object'; object: ObjectKind } | { kind: 'zone' } | { kind: 'wall'; wall: boolean } | { kind: 'spawn' };

export interface BuildHost {
  /** The room's world as drawn now (replaced in place when it changes). */
  world: World;
  /** Stores the world for the room; throws ApiError when the server refuses it. */
  save(world: World): Promise<void>;
  /** Redraws the room with a world just saved. */
  redraw(world: World): void;
}

const TOOLS: [Tool, string, string][] = [
  [{ kind: 'select' }, 'Select / move', 'Click to select, drag to move'],
  [{ kind: 'zone' }, 'Draw zone', 'Drag a rectangle on the map'],
  [{ kind: 'wall', wall: true }, 'Paint walls', 'Click or drag over cells'],
  [{ kind: 'wall', wall: false }, 'Erase walls', 'Click or drag over cells'],
  [{ kind: 'spawn' }, 'Spawn point', 'Click where newcomers appear'],
];
const toolKey = (t: Tool) => t.kind === 'object' ? `object:${t.object}` : t.kind === 'wall' ? `wall:${t.wall}` : t.kind;

export class BuildMode {
  readonly el = h('div', { class: 'build-mode', role: 'dialog', 'aria-label': 'Build mode' });
  readonly canvas = h('canvas', { class: 'build-map', tabindex: '0', 'aria-label': 'Map of the room: arrows move the cursor, Enter uses the tool, Shift+arrows move the selection' });
  draft: World;
  selected: Part | null = null;
  problems: PartProblem[] = [];
  dirty = false;
  private tool: Tool = { kind: 'select' };
  private readonly undos = new UndoStack<World>();
  private readonly view = new MapView();
  private readonly editor = h('section', { class: 'build-editor', 'aria-label': 'Selected part' });
  private readonly status = h('p', { class: 'build-status', role: 'status', 'aria-live': 'polite' });
  private readonly faults = h('div', { class: 'build-faults' });
  private readonly toolButtons = new Map<string, HTMLButtonElement>();
  private readonly undoButton = h('button', { class: 'btn', type: 'button', text: 'Undo', title: 'Undo (Ctrl+Z)', onclick: () => this.undo() });
  private readonly redoButton = h('button', { class: 'btn', type: 'button', text: 'Redo', title: 'Redo (Ctrl+Y)', onclick: () => this.redo() });
  private readonly saveButton = h('button', { class: 'btn primary', type: 'button', text: 'Save', onclick: () => void this.save() });
  private drag: { from: [number, number]; moved: boolean; before: World } | null = null;
  private drawing: ZoneRect | null = null;
  private cursor: [number, number] | null = null;
  private corner: [number, number] | null = null;  // the first corner of a zone drawn with the keyboard
  private readonly resize = new ResizeObserver(() => this.paint());

  constructor(parent: HTMLElement, private readonly host: BuildHost, private readonly onClose: () => void) {
    this.draft = structuredClone(host.world);
    const tools = h('div', { class: 'build-tools', role: 'group', 'aria-label': 'Tools' });
    for (const [tool, text, title] of TOOLS) tools.append(this.toolButton(tool, text, title));
    const palette = h('div', { class: 'build-tools', role: 'group', 'aria-label': 'Objects to place' });
    for (const k of KINDS) palette.append(this.toolButton({ kind: 'object', object: k.kind }, k.title, `Click the map to place a ${k.title.toLowerCase()}`));
    const side = h('aside', { class: 'build-side' },
      h('div', { class: 'build-row' }, h('h2', { text: 'Build mode' }), this.undoButton, this.redoButton, this.saveButton,
        h('button', { class: 'btn', type: 'button', text: 'Close', onclick: () => this.close() })),
      this.status, this.faults, h('h3', { text: 'Tools' }), tools, h('h3', { text: 'Place an object' }), palette, this.editor);
    this.el.append(h('div', { class: 'build-stage' }, this.canvas), side);
    parent.append(this.el);
    this.el.addEventListener('keydown', (e) => this.onKey(e));
    this.el.addEventListener('keyup', (e) => e.stopPropagation());  // the room's own keys (walking, chat) wait
    this.canvas.addEventListener('pointerdown', (e) => this.down(e));
    this.canvas.addEventListener('pointermove', (e) => this.move(e));
    this.canvas.addEventListener('pointerup', (e) => this.up(e));
    this.canvas.addEventListener('focus', () => { this.cursor ??= cellAt(this.draft, this.draft.spawns[0].x, this.draft.spawns[0].z); this.paint(); });
    this.canvas.addEventListener('blur', () => { this.cursor = null; this.paint(); });
    this.resize.observe(this.canvas);
    this.setTool({ kind: 'select' });
    this.refresh(true);
  }

  /** Someone saved the room's world: an untouched draft follows it; edits in progress are kept. */
  worldChanged(world: World): void {
    if (this.dirty) { this.say('The room’s world was changed by someone else; saving replaces it with yours.'); return; }
    this.draft = structuredClone(world);
    this.undos.clear();
    this.refresh(true);
  }

  setTool(tool: Tool): void {
    this.tool = tool;
    this.corner = null;
    for (const [key, b] of this.toolButtons) b.setAttribute('aria-pressed', String(key === toolKey(tool)));
    const title = TOOLS.find(([t]) => toolKey(t) === toolKey(tool))?.[2] ?? `Click the map to place a ${tool.kind === 'object' ? tool.object : ''}`;
    this.say(title + '.');
  }

  close(): void {
    if (this.dirty && !confirm('Leave build mode without saving your changes?')) return;
    this.resize.disconnect();
    this.el.remove();
    this.onClose();
  }

  async save(): Promise<void> {
    const sent = this.draft;
    this.saveButton.disabled = true;
    this.say('Saving…');
    try {
      await this.host.save(sent);
      this.problems = [];
      this.dirty = this.draft !== sent;
      this.host.redraw(sent);
      this.say('Saved: everyone in the room sees the new world now.');
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'Error', String(err));
      this.problems = e.errors.length ? e.errors.map((f) => locate(sent, f.field, f.message)) : [{ part: null, text: e.describe() }];
      this.say(`Not saved: ${e.detail || e.title}`);
      const first = this.problems.find((p) => p.part);
      if (first) this.selected = first.part;
    } finally {
      this.saveButton.disabled = false;
      this.refresh(true);
    }
  }

  undo(): void { const w = this.undos.undo(this.draft); if (w) this.replace(w); }
  redo(): void { const w = this.undos.redo(this.draft); if (w) this.replace(w); }

  /** An edit of the draft, undoable; `editor` false when the part editor already shows it. */
  edit(next: World, before = this.draft, editor = true): void {
    if (next === before) return;
    this.undos.push(before);
    this.draft = next;
    this.dirty = true;
    this.refresh(editor);
  }

  private replace(world: World): void {
    this.draft = world;
    this.dirty = true;
    if (this.selected && !this.exists(this.selected)) this.selected = null;
    this.refresh(true);
  }

  private exists(p: Part): boolean {
    return p.kind === 'spawn' ? p.index < this.draft.spawns.length
      : p.kind === 'zone' ? this.draft.zones.some((z) => z.id === p.id) : !!this.draft.objects?.some((o) => o.id === p.id);
  }

  private refresh(editor: boolean): void {
    this.undoButton.disabled = !this.undos.canUndo;
    this.redoButton.disabled = !this.undos.canRedo;
    this.faults.replaceChildren(...(this.problems.length ? [h('ul', { class: 'build-problems', role: 'alert' },
      ...this.problems.map((p) => h('li', {}, p.part ? h('button', { class: 'linklike', type: 'button', text: p.text, onclick: () => this.select(p.part) }) : p.text)))] : []));
    if (editor) {
      renderEditor(this.editor, this.draft, this.selected, this.problems, {
        edit: (change) => this.edit(change(this.draft), this.draft, false),
        removed: (change) => { this.selected = null; this.edit(change(this.draft)); },
      });
    }
    this.paint();
  }

  private select(part: Part | null): void { this.selected = part; this.refresh(true); }

  private paint(): void {
    const r = this.canvas.getBoundingClientRect(), ratio = devicePixelRatio || 1;
    if (!r.width || !r.height) return;
    this.canvas.width = Math.round(r.width * ratio); this.canvas.height = Math.round(r.height * ratio);
    const ctx = this.canvas.getContext('2d')!;
    this.view.fit(this.draft, this.canvas.width, this.canvas.height);
    drawMap(ctx, this.view, this.draft, {
      selected: this.selected, faulty: this.problems.flatMap((p) => p.part ? [p.part] : []), drawing: this.drawing, cursor: this.cursor,
    });
  }

  private at(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect(), ratio = this.canvas.width / r.width;
    return this.view.toWorld((e.clientX - r.left) * ratio, (e.clientY - r.top) * ratio);
  }

  private down(e: PointerEvent): void {
    this.canvas.setPointerCapture(e.pointerId);
    const [x, z] = this.at(e);
    this.drag = { from: [x, z], moved: false, before: this.draft };
    if (this.tool.kind === 'wall') this.paintWall(x, z);
    if (this.tool.kind === 'zone') { this.drawing = cellRect(this.draft, x, z, x, z); this.paint(); }
    if (this.tool.kind === 'select') this.select(hit(this.draft, x, z));
  }

  private move(e: PointerEvent): void {
    if (!this.drag) return;
    const [x, z] = this.at(e);
    this.drag.moved ||= Math.hypot(x - this.drag.from[0], z - this.drag.from[1]) > 0.2;
    if (this.tool.kind === 'wall') this.paintWall(x, z);
    else if (this.tool.kind === 'zone') { this.drawing = cellRect(this.draft, this.drag.from[0], this.drag.from[1], x, z); this.paint(); }
    else if (this.tool.kind === 'select' && this.drag.moved && this.selected && this.selected.kind !== 'zone') {
      this.draft = this.moved(this.drag.before, this.selected, x, z);  // one undo step for the whole drag, at its end
      this.paint();
    }
  }

  private up(e: PointerEvent): void {
    const drag = this.drag;
    if (!drag) return;
    this.drag = null;
    const [x, z] = this.at(e);
    if (this.tool.kind === 'select' && drag.moved && this.selected && this.selected.kind !== 'zone') {
      this.draft = drag.before;
      this.edit(this.moved(drag.before, this.selected, x, z));
    } else if (this.tool.kind === 'wall' && this.draft !== drag.before) {
      const painted = this.draft;
      this.draft = drag.before;
      this.edit(painted);
    } else if (this.tool.kind === 'zone' && this.drawing) {
      const rect = this.drawing;
      this.drawing = null;
      this.addZone(rect);
    } else if (!drag.moved) this.use(x, z);
  }

  /** The tool's click at (x, z) (a pointer's, or Enter on the keyboard cursor). */
  private use(x: number, z: number): void {
    const t = this.tool;
    if (t.kind === 'object') {
      const [px, pz] = snapPoint(this.draft, x, z);
      const { world, id } = placeObject(this.draft, t.object, px, pz);
      this.selected = { kind: 'object', id };
      this.edit(world);
      this.setTool({ kind: 'select' });
    } else if (t.kind === 'spawn') {
      const [px, pz] = snapPoint(this.draft, x, z);
      this.selected = { kind: 'spawn', index: this.draft.spawns.length };
      this.edit(addSpawn(this.draft, px, pz));
    } else if (t.kind === 'wall') {
      const [q, r] = cellAt(this.draft, x, z);
      this.edit(setWall(this.draft, q, r, t.wall));
    } else if (t.kind === 'select') this.select(hit(this.draft, x, z));
  }

  private addZone(rect: ZoneRect): void {
    const { world, id } = addZone(this.draft, rect);
    this.selected = { kind: 'zone', id };
    this.edit(world);
    this.setTool({ kind: 'select' });
    this.say('Zone added: name it and set its rules in the panel.');
  }

  private paintWall(x: number, z: number): void {
    if (this.tool.kind !== 'wall') return;
    const [q, r] = cellAt(this.draft, x, z);
    this.draft = setWall(this.draft, q, r, this.tool.wall);
    this.paint();
  }

  private moved(world: World, part: Part, x: number, z: number): World {
    const [px, pz] = snapPoint(world, x, z);
    return part.kind === 'spawn' ? moveSpawn(world, part.index, px, pz) : part.kind === 'object' ? moveObject(world, part.id, px, pz) : world;
  }

  private onKey(e: KeyboardEvent): void {
    e.stopPropagation();  // the room's keys (walking, chat, views) wait while building
    const typing = (e.target as HTMLElement).matches('input, select, textarea');
    const ctrl = e.ctrlKey || e.metaKey;
    if (ctrl && e.key.toLowerCase() === 'z' && !typing) { e.preventDefault(); if (e.shiftKey) this.redo(); else this.undo(); return; }
    if (ctrl && e.key.toLowerCase() === 'y' && !typing) { e.preventDefault(); this.redo(); return; }
    if (e.key === 'Escape') { this.close(); return; }
    if (e.target !== this.canvas) return;
    const sel = this.selected;
    const steps: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const step = steps[e.key];
    if (step) {
      e.preventDefault();
      const [q, r] = this.cursor ?? [0, 0];
      this.cursor = [Math.min(Math.max(q + step[0], 0), this.draft.width - 1), Math.min(Math.max(r + step[1], 0), this.draft.depth - 1)];
      const c = this.draft.cellSize ?? 1;
      if (e.shiftKey && sel && sel.kind !== 'zone') this.edit(this.moved(this.draft, sel, (this.cursor[0] + 0.5) * c, (this.cursor[1] + 0.5) * c));
      else this.paint();
    } else if ((e.key === 'Enter' || e.key === ' ') && this.cursor) {
      e.preventDefault();
      const c = this.draft.cellSize ?? 1, x = (this.cursor[0] + 0.5) * c, z = (this.cursor[1] + 0.5) * c;
      if (this.tool.kind !== 'zone') this.use(x, z);
      else if (!this.corner) { this.corner = [x, z]; this.say('First corner set: move to the opposite corner and press Enter.'); }
      else { const [ax, az] = this.corner; this.corner = null; this.addZone(cellRect(this.draft, ax, az, x, z)); }
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && sel) {
      e.preventDefault();
      this.selected = null;
      this.edit(sel.kind === 'spawn' ? removeSpawn(this.draft, sel.index) : sel.kind === 'zone' ? removeZone(this.draft, sel.id) : removeObject(this.draft, sel.id));
    } else if ((e.key === 'r' || e.key === 'R') && sel?.kind === 'object') this.edit(rotateObject(this.draft, sel.id, e.shiftKey ? -1 : 1));
  }

  private toolButton(tool: Tool, text: string, title: string): HTMLButtonElement {
    const b = h('button', { class: 'btn tool', type: 'button', text, title, 'aria-pressed': 'false', onclick: () => this.setTool(tool) });
    this.toolButtons.set(toolKey(tool), b);
    return b;
  }

  private say(text: string): void { this.status.textContent = text; }
}
