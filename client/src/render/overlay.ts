/** Name tags, chat bubbles, status chips and zone labels as DOM elements over
 * the canvas: crisp text at any size without a draw call each. A tag is moved
 * only when its projected pixel position changes. */
import { Vector3, type Camera } from 'three';
import { STATUS_COLORS } from './palette';
import type { Status } from '../net/realtime/types';
import { liftTags, type TagBox } from './tagLayout';

const BUBBLE_MS = 6000;

export class Tag {
  readonly el: HTMLDivElement;
  private readonly name: HTMLSpanElement;
  private readonly chip: HTMLSpanElement;
  private readonly bubble: HTMLDivElement;
  private readonly note: HTMLDivElement;
  bubbleUntil = 0;
  px = -1e9;
  py = -1e9;
  /** Pixels it is lifted so as not to cover another tag. */
  lift = 0;
  private width = 0;

  constructor(parent: HTMLElement, displayName: string, self: boolean) {
    this.el = document.createElement('div');
    this.el.className = 'tag' + (self ? ' self' : '');
    this.bubble = document.createElement('div');
    this.bubble.className = 'bubble';
    const line = document.createElement('div');
    line.className = 'nameline';
    this.chip = document.createElement('span');
    this.chip.className = 'chip';
    this.name = document.createElement('span');
    this.name.className = 'name';
    line.append(this.chip, this.name);
    this.note = document.createElement('div');
    this.note.className = 'note';
    this.note.hidden = true;
    this.el.append(this.bubble, line, this.note);
    this.setName(displayName);
    parent.append(this.el);
  }

  setName(name: string): void { this.name.textContent = name; this.width = 0; }

  /** The name line's width on screen (measured once per name). */
  get boxWidth(): number { return this.width || (this.width = (this.name.parentElement as HTMLElement).offsetWidth); }

  setStatus(status: Status | null | undefined): void {
    this.chip.hidden = !status;
    if (status) { this.chip.textContent = status; this.chip.style.background = STATUS_COLORS[status]; }
  }

  /** A short line under the name (a focus session's "3 goals, 1 done"), with
   * more on hover (shared goals); empty hides it. */
  setNote(text: string, more = ''): void {
    this.note.textContent = text;
    this.note.title = more;
    this.note.hidden = !text;
  }

  setSpeaking(on: boolean): void { this.el.classList.toggle('speaking', on); }

  /** A chat line, or an emote's icon, in a bubble over the tag for a while. */
  say(text: string | Node, nowMs: number): void {
    this.bubble.replaceChildren(text);
    this.bubble.classList.add('on');
    this.bubbleUntil = nowMs + BUBBLE_MS;
  }

  tick(nowMs: number): void {
    if (this.bubbleUntil && nowMs > this.bubbleUntil) { this.bubble.classList.remove('on'); this.bubbleUntil = 0; }
  }

  remove(): void { this.el.remove(); }
}

export class Overlay {
  readonly el: HTMLDivElement;
  private readonly v = new Vector3();
  private readonly statics: { el: HTMLElement; x: number; y: number; z: number; px: number; py: number }[] = [];
  private tags: Tag[] = [];
  private readonly boxes: TagBox[] = [];
  private readonly lifts: number[] = [];
  private frames = 0;

  constructor(parent: HTMLElement) {
    this.el = document.createElement('div');
    this.el.className = 'overlay';
    parent.append(this.el);
  }

  tag(displayName: string, self = false): Tag {
    const tag = new Tag(this.el, displayName, self);
    this.tags.push(tag);
    return tag;
  }

  label(text: string, x: number, y: number, z: number, kind: 'zone' | 'object'): HTMLElement {
    const el = document.createElement('div');
    el.className = `label ${kind}`;
    el.textContent = text;
    this.el.append(el);
    this.statics.push({ el, x, y, z, px: -1e9, py: -1e9 });
    return el;
  }

  /** Removes every label (the room's world is drawn anew). */
  clearLabels(): void {
    for (const s of this.statics) s.el.remove();
    this.statics.length = 0;
  }

  /** Projects a tag above the point (x, y, z). */
  place(tag: Tag, x: number, y: number, z: number, camera: Camera, w: number, h: number): void {
    if (this.project(x, y, z, camera, w, h)) {
      const px = Math.round(this.v.x), py = Math.round(this.v.y);
      if (px !== tag.px || py !== tag.py) {
        tag.px = px; tag.py = py;
        tag.el.style.transform = `translate(${px}px, ${py - tag.lift}px)`;
      }
    } else if (tag.px !== -1e9) {
      tag.px = -1e9;
      tag.el.style.transform = 'translate(-9999px, 0)';
    }
  }

  /** Lifts name tags that overlap apart (render/tagLayout.ts); call after placing them. */
  declutter(): void {
    if (this.frames++ % 3) return;  // a few times a second is enough for tags
    this.tags = this.tags.filter((t) => t.el.isConnected);
    const shown = this.tags.filter((t) => t.px !== -1e9 && !t.el.hidden);
    this.boxes.length = 0;
    for (const t of shown) this.boxes.push({ x: t.px, y: t.py, w: t.boxWidth, h: 22 });
    const lifts = liftTags(this.boxes, 2, this.lifts);
    shown.forEach((t, i) => {
      const lift = Math.round(lifts[i]);
      if (lift !== t.lift) { t.lift = lift; t.el.style.transform = `translate(${t.px}px, ${t.py - lift}px)`; }
    });
  }

  placeStatics(camera: Camera, w: number, h: number): void {
    for (const s of this.statics) {
      if (!this.project(s.x, s.y, s.z, camera, w, h)) continue;
      const px = Math.round(this.v.x), py = Math.round(this.v.y);
      if (px !== s.px || py !== s.py) { s.px = px; s.py = py; s.el.style.transform = `translate(${px}px, ${py}px)`; }
    }
  }

  private project(x: number, y: number, z: number, camera: Camera, w: number, h: number): boolean {
    this.v.set(x, y, z).project(camera);
    if (this.v.z > 1 || this.v.z < -1) return false;
    this.v.x = (this.v.x + 1) * 0.5 * w;
    this.v.y = (1 - this.v.y) * 0.5 * h;
    return true;
  }
}
