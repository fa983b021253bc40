/** Draws the video board: a large tile for a shared screen (with a stop
 * button for the sharer), then the cameras as a strip (office, world, bar)
 * or a grid with everyone's status (focus). One element per tile key, kept
 * across layouts so a playing video is never restarted. */
import type { Status } from '../net/realtime/types';
import { h } from '../ui/dom';
import { tileLabel, type Layout, type Tile, type TileMode } from './tiles';

export interface PanelSources {
  stream(tile: Tile): MediaStream | null;
  name(userId: string): string;
  status(userId: string): Status | null;
  stopSharing(): void;
}

interface Drawn { el: HTMLElement; video: HTMLVideoElement; caption: HTMLElement }

export class VideoPanel {
  readonly el: HTMLElement;
  private readonly stage = h('div', { class: 'vstage' });
  private readonly tiles = h('div', { class: 'vtiles' });
  private readonly drawn = new Map<string, Drawn>();
  private layout: Layout = { stage: null, tiles: [] };

  constructor(parent: HTMLElement, private readonly mode: TileMode, private readonly selfId: string, private readonly src: PanelSources) {
    this.el = h('section', { class: `video ${mode}`, 'aria-label': mode === 'grid' ? 'Cameras in this room' : 'Cameras near you' }, this.stage, this.tiles);
    parent.append(this.el);
  }

  render(layout: Layout): void {
    this.layout = layout;
    const keep = new Set<string>();
    const place = (tile: Tile, into: HTMLElement) => {
      keep.add(tile.key);
      const d = this.drawn.get(tile.key) ?? this.create(tile);
      const stream = this.src.stream(tile);
      if (d.video.srcObject !== stream) { d.video.srcObject = stream; void d.video.play().catch(() => undefined); }
      this.caption(tile, d);
      into.append(d.el);
    };
    if (layout.stage) place(layout.stage, this.stage);
    for (const t of layout.tiles) place(t, this.tiles);
    for (const [key, d] of this.drawn) {
      if (keep.has(key)) continue;
      d.video.srcObject = null;
      d.el.remove();
      this.drawn.delete(key);
    }
    this.el.hidden = keep.size === 0;
  }

  /** Names or statuses changed: rewrite the captions. */
  relabel(): void {
    for (const t of [...(this.layout.stage ? [this.layout.stage] : []), ...this.layout.tiles]) {
      const d = this.drawn.get(t.key);
      if (d) this.caption(t, d);
    }
  }

  private create(tile: Tile): Drawn {
    const video = h('video', { autoplay: true, playsinline: true });
    video.muted = true;  // voice plays through the spatial mixer
    const caption = h('figcaption');
    const mine = tile.userId === this.selfId;
    const el = h('figure', { class: `vtile ${tile.source === 'screen' ? 'share' : 'cam'}${mine ? ' mine' : ''}`, 'data-user': tile.userId }, video, caption);
    if (mine && tile.source === 'screen') el.append(h('button', { class: 'btn danger small stop', text: 'Stop sharing', onclick: () => this.src.stopSharing() }));
    const d = { el, video, caption };
    this.drawn.set(tile.key, d);
    return d;
  }

  private caption(tile: Tile, d: Drawn): void {
    const label = tileLabel(tile, this.selfId, (id) => this.src.name(id));
    const status = this.mode === 'grid' && tile.source === 'camera' ? this.src.status(tile.userId) : null;
    const was = d.caption.dataset.shown;
    const shown = `${label}|${status ?? ''}`;
    if (was === shown) return;
    d.caption.dataset.shown = shown;
    d.caption.replaceChildren(h('span', { class: 'name', text: label }), status ? h('span', { class: `chip ${status}`, text: status }) : '');
    d.el.setAttribute('aria-label', label);
  }
}
