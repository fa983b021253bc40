/** The whiteboard full screen: walk up to a board and press E (or tap
 * "Open whiteboard"); draw with a pen in a few colours, erase, clear; see the
 * other viewers' cursors with their names; rectangles, ellipses, lines and
 * arrows (drag), text and sticky notes (click, then type); export PNG or
 * SVG. Mouse, pen and finger alike (pointer events). A blocked player's
 * strokes and items are not drawn. */
import type { RealtimeProvider } from '../net/realtime/types';
import type { World } from '../world/world';
import { clearItems, drawItems, eraseItems, itemsSvg, NOTE, place, visibleItems, type ItemKind } from './items';
import { begin, clear, COLOURS, erase, extend, toSvg, visible } from './strokes';
import { BoardSync } from './sync';
import type * as Y from 'yjs';

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
  const tryOpen = () => {
    const near = boardNear(host.world, host.position().x, host.position().z);
    if (!near || open) return;
    open = new BoardPanel(host, near.id, near.label ?? 'Whiteboard', () => { open = null; });
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
  }, 300);
  // An owner placed, moved or removed objects: boards follow at once (the rest of the room at its next load).
  const offObjects = host.provider.on('room_objects_changed', (p) => {
    host.world.objects = p.objects as NonNullable<World['objects']>;
  });
  return {
    panel: () => open,
    stop: () => { clearInterval(timer); removeEventListener('keydown', onKey); offObjects(); open?.close(); button.remove(); },
  };
}

type Tool = 'pen' | 'eraser' | ItemKind;
const ITEM_TOOLS: [ItemKind, string, string][] = [
  ['rect', '▭', 'Rectangle'], ['ellipse', '◯', 'Ellipse'], ['line', '╱', 'Line'], ['arrow', '→', 'Arrow'],
  ['text', 'T', 'Text'], ['sticky', 'Note', 'Sticky note'],
];

export class BoardPanel {
  readonly sync: BoardSync;
  private readonly el = document.createElement('div');
  private readonly canvas = document.createElement('canvas');
  private readonly cursors = document.createElement('div');
  private tool: Tool = 'pen';
  private color: string = COLOURS[0];
  private drawing: Y.Map<unknown> | null = null;
  private from: [number, number] | null = null;
  private frame = 0;

  constructor(private readonly host: BoardHost, readonly objectId: string, title: string, private readonly onClose: () => void) {
    this.sync = new BoardSync(host.provider, objectId);
    this.el.className = 'board-panel';
    this.el.dataset.board = objectId;
    const bar = document.createElement('div');
    bar.className = 'board-tools';
    const name = document.createElement('strong');
    name.textContent = title;
    bar.append(name);
    for (const c of COLOURS) bar.append(this.button('', `Pen ${c}`, () => { this.tool = 'pen'; this.color = c; }, c));
    bar.append(
      ...ITEM_TOOLS.map(([kind, text, title]) => this.button(text, title, () => { this.tool = kind; })),
      this.button('Eraser', 'Eraser', () => { this.tool = 'eraser'; }),
      this.button('Clear', 'Clear the board', () => {
        if (confirm('Clear the whole board for everyone?')) this.sync.doc.transact(() => { clear(this.sync.doc); clearItems(this.sync.doc); });
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
    this.sync.awareness.setLocalStateField('user', { name: host.displayName, id: host.userId, color: this.color });
    this.sync.doc.on('update', () => this.redraw());
    this.sync.awareness.on('change', () => this.drawCursors());
    this.sync.open();
    this.redraw();
  }

  close(): void {
    this.sync.close();
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

  /** Board units (0..1) of a pointer event. */
  private at(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
  }

  private pointer(): void {
    const c = this.canvas;
    c.addEventListener('pointerdown', (e) => {
      c.setPointerCapture(e.pointerId);
      const [x, y] = this.at(e);
      if (this.tool === 'pen') this.drawing = begin(this.sync.doc, this.host.userId, this.color, 3, x, y);
      else if (this.tool === 'eraser') this.rub(x, y);
      else if (this.tool === 'text' || this.tool === 'sticky') this.write(this.tool, x, y);
      else this.from = [x, y];
    });
    c.addEventListener('pointermove', (e) => {
      const [x, y] = this.at(e);
      this.sync.awareness.setLocalStateField('cursor', { x, y });
      if (!(e.buttons & 1)) return;
      if (this.drawing) extend(this.drawing, x, y);
      else if (this.tool === 'eraser') this.rub(x, y);
    });
    const end = (e: PointerEvent) => {
      const [x, y] = this.at(e);
      const from = this.from;
      if (from && e.type === 'pointerup' && Math.hypot(x - from[0], y - from[1]) > 0.01) {
        place(this.sync.doc, { by: this.host.userId, kind: this.tool as ItemKind, color: this.color,
          x: from[0], y: from[1], w: x - from[0], h: y - from[1] });
      }
      this.drawing = this.from = null;
      this.sync.flush();
    };
    c.addEventListener('pointerup', end);
    c.addEventListener('pointercancel', end);
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

  private redraw(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => {
      const c = this.canvas;
      const w = (c.width = c.clientWidth * devicePixelRatio);
      const h = (c.height = c.clientHeight * devicePixelRatio);
      const g = c.getContext('2d');
      if (!g) return;
      g.fillStyle = '#ffffff';
      g.fillRect(0, 0, w, h);
      g.lineCap = 'round';
      g.lineJoin = 'round';
      for (const s of visible(this.sync.doc, this.host.blocked)) {
        g.strokeStyle = s.color;
        g.lineWidth = s.width * devicePixelRatio;
        g.beginPath();
        for (let k = 0; k + 1 < s.points.length; k += 2) {
          const px = s.points[k] * w, py = s.points[k + 1] * h;
          if (k) g.lineTo(px, py); else g.moveTo(px, py);
        }
        g.stroke();
      }
      drawItems(g, visibleItems(this.sync.doc, this.host.blocked), w, h, devicePixelRatio);
    });
  }

  private drawCursors(): void {
    this.cursors.replaceChildren();
    const r = this.canvas.getBoundingClientRect();
    this.sync.awareness.getStates().forEach((state, client) => {
      const user = state.user as { name?: string; id?: string } | undefined;
      const cursor = state.cursor as { x: number; y: number } | undefined;
      if (client === this.sync.doc.clientID || !cursor || !user || this.host.blocked.has(user.id ?? '')) return;
      const tag = document.createElement('div');
      tag.className = 'board-cursor';
      tag.textContent = user.name ?? 'Someone';
      tag.style.left = `${this.canvas.offsetLeft + cursor.x * r.width}px`;
      tag.style.top = `${this.canvas.offsetTop + cursor.y * r.height}px`;
      this.cursors.append(tag);
    });
  }

  private download(kind: 'png' | 'svg'): void {
    const a = document.createElement('a');
    a.download = `${this.objectId}.${kind}`;
    if (kind === 'png') a.href = this.canvas.toDataURL('image/png');
    else {
      const [doc, blocked, w, h] = [this.sync.doc, this.host.blocked, this.canvas.width, this.canvas.height];
      const svg = toSvg(visible(doc, blocked), w, h, itemsSvg(visibleItems(doc, blocked), w, h));
      a.href = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    }
    a.click();
  }
}
