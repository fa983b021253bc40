/** The whiteboard full screen: walk up to a board and press E (or tap
 * "Open whiteboard"); draw with a pen or a highlighter in a few colours,
 * erase, clear; see the other viewers' cursors with their names; rectangles,
 * ellipses, lines and arrows (drag: the shape follows the pointer), text and
 * sticky notes (click, then type); select an item to drag it, double-click a
 * text or note to change its words; undo and redo one's own changes only
 * (Ctrl+Z, Ctrl+Shift+Z); pan (the hand, or drag with two fingers) and zoom
 * (the wheel, pinch, the +/- buttons); export PNG or SVG. Mouse, pen and
 * finger alike (pointer events). A blocked player's strokes and items are
 * not drawn. The board's document is the shelf's (board/shelf.ts): the
 * same one its picture in the room is drawn from. */
import * as Y from 'yjs';
import type { RealtimeProvider } from '../net/realtime/types';
import type { Stage } from '../render/stage';
import type { World } from '../world/world';
import { clearItems, editText, eraseItems, itemAt, items as itemsOf, itemsSvg, moveItem, NOTE, place, visibleItems,
  type Item, type ItemKind } from './items';
import { paint } from './paint';
import { begin, clear, COLOURS, erase, extend, PENS, strokes, toSvg, visible, type Pen } from './strokes';
import { mountThumbs, type Thumbs } from './roomThumbs';
import { BoardShelf } from './shelf';
import type { BoardSync } from './sync';
import { pan, toBoard, toCanvas, WHOLE, zoomAt, type View } from './view';

/** How close (metres) a player must stand to open a board. */
export const REACH_M = 2.5;

export interface BoardHost {
  root: HTMLElement;
  provider: RealtimeProvider;
  world: World;
  userId: string;
  displayName: string;
  position(): { x: number; z: number };
  blocked: ReadonlySet<string>;
  /** Where the boards' pictures are shown (none offline in tests). */
  stage?: Pick<Stage, 'scene' | 'view'>;
}

/** The whiteboard of the world nearest to (x, z) within reach, if any. */
export function boardNear(world: World, x: number, z: number): { id: string; label?: string } | null {
  let best: { id: string; label?: string } | null = null;
  let bestD = REACH_M;
  for (const o of world.objects ?? []) {
    if (o.kind !== 'whiteboard') continue;
    const dx = Math.max(Math.abs(x - o.x) - (o.w ?? 1) / 2, 0);
    const dz = Math.max(Math.abs(z - o.z) - (o.d ?? 1) / 2, 0);
    const d = Math.hypot(dx, dz);
    if (d <= bestD) { bestD = d; best = { id: o.id, label: o.label ?? undefined }; }
  }
  return best;
}

export interface Boards {
  /** The board open now, if any (its document: `panel.sync.doc`). */
  panel(): BoardPanel | null;
  /** Every board of the room, kept in sync whether opened or not. */
  shelf: BoardShelf;
  /** The boards' pictures on their objects in the room. */
  thumbs: Thumbs | null;
  stop(): void;
}

/** The E key and the "Open whiteboard" button. */
export function mountBoards(host: BoardHost): Boards {
  let open: BoardPanel | null = null;
  const button = document.createElement('button');
  button.className = 'board-open';
  button.textContent = 'Open whiteboard (E)';
  button.hidden = true;
  host.root.append(button);
  const shelf = new BoardShelf(host.provider);
  const stage = host.stage;
  const thumbs = stage ? mountThumbs({ scene: stage.scene, topDown: () => stage.view === 'top', world: host.world, shelf,
    blocked: host.blocked }) : null;
  const tryOpen = () => {
    const near = boardNear(host.world, host.position().x, host.position().z);
    const sync = near && shelf.get(near.id);
    if (!near || !sync || open) return;
    open = new BoardPanel(host, sync, near.label ?? 'Whiteboard', () => { open = null; });
  };
  button.addEventListener('click', tryOpen);
  const onKey = (e: KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    if (e.key === 'e' || e.key === 'E') tryOpen();
    if (e.key === 'Escape') open?.close();
  };
  addEventListener('keydown', onKey);
  const timer = setInterval(() => {
    button.hidden = !!open || !boardNear(host.world, host.position().x, host.position().z);
    shelf.follow(host.world);
    thumbs?.tick(performance.now());
  }, 250);
  // An owner placed, moved or removed objects: boards follow at once (the rest of the room at its next load).
  const offObjects = host.provider.on('room_objects_changed', (p) => {
    host.world.objects = p.objects as NonNullable<World['objects']>;
  });
  const offJoined = host.provider.on('room_state', () => shelf.joinedRoom(host.world));
  return {
    panel: () => open,
    shelf,
    thumbs,
    stop: () => {
      clearInterval(timer); removeEventListener('keydown', onKey); offObjects(); offJoined(); open?.close();
      thumbs?.stop(); shelf.stop(); button.remove();
    },
  };
}

type Tool = Pen | 'eraser' | 'select' | 'hand' | ItemKind;
const ITEM_TOOLS: [Tool, string, string][] = [
  ['highlighter', 'Hi', 'Highlighter'], ['rect', '▭', 'Rectangle'], ['ellipse', '◯', 'Ellipse'], ['line', '╱', 'Line'],
  ['arrow', '→', 'Arrow'], ['text', 'T', 'Text'], ['sticky', 'Note', 'Sticky note'], ['select', 'Select', 'Select and move'],
  ['hand', 'Pan', 'Pan'], ['eraser', 'Eraser', 'Eraser'],
];
const SHAPE_TOOLS: readonly string[] = ['rect', 'ellipse', 'line', 'arrow'];

export class BoardPanel {
  /** Undoes this player's own changes only: edits made here carry no origin, the edge's carry the sync's. */
  readonly undo: Y.UndoManager;
  view: View = WHOLE;
  private readonly el = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  private readonly cursors = document.createElement('div');
  private tool: Tool = 'pen';
  private color: string = COLOURS[0];
  private drawing: Y.Map<unknown> | null = null;
  private from: [number, number] | null = null;
  private preview: Item | null = null;
  private selected: string | null = null;
  private grab: [number, number] | null = null;  // where in the selected item it was taken
  private readonly fingers = new Map<number, [number, number]>();  // pointers down, in canvas shares
  private frame = 0;
  private readonly onKey = (e: KeyboardEvent) => this.key(e);
  private readonly onChange = () => this.redraw();
  private readonly onCursors = () => this.drawCursors();
  readonly objectId: string;

  constructor(private readonly host: BoardHost, readonly sync: BoardSync, title: string, private readonly onClose: () => void) {
    this.objectId = sync.objectId;
    const doc = this.sync.doc;
    this.undo = new Y.UndoManager([strokes(doc), itemsOf(doc)], { trackedOrigins: new Set([null]), captureTimeout: 3_600_000 });
    this.el.className = 'board-panel';
    this.el.dataset.board = this.objectId;
    const bar = document.createElement('div');
    bar.className = 'board-tools';
    const name = document.createElement('strong');
    name.textContent = title;
    bar.append(name);
    for (const c of COLOURS) {
      bar.append(this.button('', `Pen ${c}`, () => { this.pick(this.tool === 'highlighter' ? 'highlighter' : 'pen'); this.color = c; }, c));
    }
    bar.append(
      ...ITEM_TOOLS.map(([tool, text, title]) => this.button(text, title, () => this.pick(tool))),
      this.button('↶', 'Undo', () => this.undo.undo()),
      this.button('↷', 'Redo', () => this.undo.redo()),
      this.button('+', 'Zoom in', () => this.zoom(1.25)),
      this.button('−', 'Zoom out', () => this.zoom(0.8)),
      this.button('Clear', 'Clear the board', () => {
        if (confirm('Clear the whole board for everyone?')) doc.transact(() => { clear(doc); clearItems(doc); });
      }),
      this.button('PNG', 'Export PNG', () => this.download('png')),
      this.button('SVG', 'Export SVG', () => this.download('svg')),
      this.button('Close', 'Close the whiteboard', () => this.close()),
    );
    this.canvas.className = 'board-canvas';
    this.canvas.style.touchAction = 'none';
    this.cursors.className = 'board-cursors';
    this.el.append(bar, this.canvas, this.cursors);
    host.root.append(this.el);
    this.pointer();
    addEventListener('keydown', this.onKey);
    this.sync.awareness.setLocalState({ user: { name: host.displayName, id: host.userId, color: this.color } });
    doc.on('update', this.onChange);
    this.sync.awareness.on('change', this.onCursors);
    this.redraw();
    this.drawCursors();
  }

  /** Closes the full screen; the document stays on the shelf (the room's picture of the board still follows it). */
  close(): void {
    removeEventListener('keydown', this.onKey);
    this.undo.destroy();
    this.sync.flush();
    this.sync.awareness.setLocalState(null);  // the cursor leaves the others' boards
    this.sync.doc.off('update', this.onChange);
    this.sync.awareness.off('change', this.onCursors);
    cancelAnimationFrame(this.frame);
    this.el.remove();
    this.onClose();
  }

  private button(text: string, title: string, act: () => void, swatch?: string): HTMLButtonElement {
    const b = document.createElement('button');
    b.textContent = text;
    b.title = title;
    b.setAttribute('aria-label', title);
    if (swatch) { b.className = 'board-swatch'; b.style.background = swatch; }
    b.addEventListener('click', act);
    return b;
  }

  private pick(tool: Tool): void {
    this.tool = tool;
    this.canvas.dataset.tool = tool;
    if (tool !== 'select') this.select(null);
  }

  private select(id: string | null): void {
    this.selected = id;
    this.redraw();
  }

  private zoom(factor: number, sx = 0.5, sy = 0.5): void {
    this.view = zoomAt(this.view, sx, sy, factor);
    this.redraw();
    this.drawCursors();
  }

  private key(e: KeyboardEvent): void {
    if ((e.target as HTMLElement).tagName === 'INPUT' || !(e.ctrlKey || e.metaKey)) return;
    const k = e.key.toLowerCase();
    if (k === 'z' || k === 'y') {
      e.preventDefault();
      if (k === 'y' || e.shiftKey) this.undo.redo(); else this.undo.undo();
    }
  }

  /** The canvas point of a pointer event, as shares of the canvas. */
  private share(e: PointerEvent | WheelEvent | MouseEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
  }

  private items(): Item[] {
    return visibleItems(this.sync.doc, this.host.blocked);
  }

  private pointer(): void {
    const c = this.canvas, doc = this.sync.doc;
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      this.fingers.set(e.pointerId, this.share(e));
      if (this.fingers.size > 1) { this.drawing = this.from = this.preview = this.grab = null; this.redraw(); return; }
      this.undo.stopCapturing();  // each gesture is one step to undo
      const [x, y] = toBoard(this.view, ...this.share(e));
      const tool = this.tool;
      if (tool === 'pen' || tool === 'highlighter') this.drawing = begin(doc, this.host.userId, this.color, PENS[tool].width, x, y, tool);
      else if (tool === 'eraser') this.rub(x, y);
      else if (tool === 'text' || tool === 'sticky') this.write(tool, x, y);
      else if (tool === 'select') {
        const it = itemAt(this.items(), x, y);
        this.select(it?.id ?? null);
        this.grab = it ? [x - it.x, y - it.y] : null;
      } else if (SHAPE_TOOLS.includes(tool)) this.from = [x, y];
    });
    c.addEventListener('pointermove', (e) => {
      const s = this.share(e), before = this.fingers.get(e.pointerId);
      const [x, y] = toBoard(this.view, ...s);
      this.sync.awareness.setLocalStateField('cursor', { x, y });
      if (!before) return;
      this.fingers.set(e.pointerId, s);
      if (this.fingers.size > 1 || this.tool === 'hand') { this.move(e.pointerId, before, s); return; }
      if (this.drawing) extend(this.drawing, x, y);
      else if (this.tool === 'eraser') this.rub(x, y);
      else if (this.grab && this.selected) moveItem(doc, this.selected, x - this.grab[0], y - this.grab[1]);
      else if (this.from) {
        this.preview = { id: '', by: this.host.userId, kind: this.tool as ItemKind, color: this.color,
          x: this.from[0], y: this.from[1], w: x - this.from[0], h: y - this.from[1] };
        this.redraw();
      }
    });
    const end = (e: PointerEvent) => {
      this.fingers.delete(e.pointerId);
      const [x, y] = toBoard(this.view, ...this.share(e));
      const from = this.from;
      if (from && e.type === 'pointerup' && Math.hypot(x - from[0], y - from[1]) > 0.01) {
        place(doc, { by: this.host.userId, kind: this.tool as ItemKind, color: this.color,
          x: from[0], y: from[1], w: x - from[0], h: y - from[1] });
      }
      this.drawing = this.from = this.preview = this.grab = null;
      this.sync.flush();
      this.redraw();
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
    c.addEventListener('dblclick', (e) => { if (this.tool === 'select') this.rewrite(...toBoard(this.view, ...this.share(e))); });
    c.addEventListener('wheel', (e) => { e.preventDefault(); this.zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, ...this.share(e)); },
      { passive: false });
  }

  /** A pan (one finger with the hand, or two fingers) and, with two, a pinch zoom around their middle. */
  private move(id: number, before: [number, number], now: [number, number]): void {
    const others = [...this.fingers].filter(([k]) => k !== id).map(([, p]) => p);
    const n = others.length + 1;
    this.view = pan(this.view, (now[0] - before[0]) / n, (now[1] - before[1]) / n);
    if (others.length) {
      const o = others[0];
      const spread = (p: [number, number]) => Math.hypot(p[0] - o[0], p[1] - o[1]);
      if (spread(before) > 0.01) this.view = zoomAt(this.view, (o[0] + now[0]) / 2, (o[1] + now[1]) / 2, spread(now) / spread(before));
    }
    this.redraw();
    this.drawCursors();
  }

  private rub(x: number, y: number): void {
    this.sync.doc.transact(() => { erase(this.sync.doc, x, y, 0.02); eraseItems(this.sync.doc, x, y, 0.005); });
  }

  /** A text or a sticky note at (x, y), with what the player types. */
  private write(kind: 'text' | 'sticky', x: number, y: number): void {
    const text = prompt(kind === 'sticky' ? 'Sticky note' : 'Text')?.trim().slice(0, 280);
    if (!text) return;
    const h = kind === 'sticky' ? NOTE.h : NOTE.font * 1.4;
    place(this.sync.doc, { by: this.host.userId, kind, color: this.color, x, y, w: NOTE.w, h, text });
    this.sync.flush();
  }

  /** New words for the text or note at (x, y). */
  private rewrite(x: number, y: number): void {
    const it = itemAt(this.items(), x, y);
    if (!it || it.text === undefined) return;
    const text = prompt(it.kind === 'sticky' ? 'Sticky note' : 'Text', it.text)?.trim();
    if (!text) return;
    this.undo.stopCapturing();
    editText(this.sync.doc, it.id, text);
    this.sync.flush();
  }

  private redraw(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      const list = this.items();
      paint(this.canvas, { strokes: visible(this.sync.doc, this.host.blocked), items: list, preview: this.preview,
        selected: list.find((it) => it.id === this.selected) }, this.view, devicePixelRatio);
    });
  }

  private drawCursors(): void {
    this.cursors.replaceChildren();
    const r = this.canvas.getBoundingClientRect();
    this.sync.awareness.getStates().forEach((state, client) => {
      const user = state.user as { name?: string; id?: string } | undefined;
      const cursor = state.cursor as { x: number; y: number } | undefined;
      if (client === this.sync.doc.clientID || !cursor || !user || this.host.blocked.has(user.id ?? '')) return;
      const [sx, sy] = toCanvas(this.view, cursor.x, cursor.y);
      if (sx < 0 || sy < 0 || sx > 1 || sy > 1) return;  // off the part of the board in view
      const tag = document.createElement('div');
      tag.className = 'board-cursor';
      tag.textContent = user.name ?? 'Someone';
      tag.style.left = `${this.canvas.offsetLeft + sx * r.width}px`;
      tag.style.top = `${this.canvas.offsetTop + sy * r.height}px`;
      this.cursors.append(tag);
    });
  }

  private download(kind: 'png' | 'svg'): void {
    const a = document.createElement('a');
    a.download = `${this.objectId}.${kind}`;
    const [doc, blocked] = [this.sync.doc, this.host.blocked];
    if (kind === 'png') {
      const whole = document.createElement('canvas');  // the whole board, whatever the view
      whole.style.width = `${this.canvas.clientWidth}px`;
      whole.style.height = `${this.canvas.clientHeight}px`;
      document.body.append(whole);
      paint(whole, { strokes: visible(doc, blocked), items: this.items() }, WHOLE, devicePixelRatio);
      a.href = whole.toDataURL('image/png');
      whole.remove();
    } else {
      const [w, h] = [this.canvas.width, this.canvas.height];
      a.href = URL.createObjectURL(new Blob([toSvg(visible(doc, blocked), w, h, itemsSvg(this.items(), w, h))], { type: 'image/svg+xml' }));
    }
    a.click();
  }
}
