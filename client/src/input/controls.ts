/** Movement input: WASD/arrows, click-to-walk with the mouse, and a touch
 * joystick on phones. Produces a ground-plane direction in screen terms
 * (x right, y up), magnitude 0..1. */

export class Controls {
  private readonly keys = new Set<string>();
  /** Joystick deflection, -1..1 each axis (y up). */
  readonly stick = { x: 0, y: 0 };
  private readonly disposers: (() => void)[] = [];

  constructor(target: Window = window) {
    const down = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      this.keys.add(e.code);
    };
    const up = (e: KeyboardEvent) => this.keys.delete(e.code);
    const blur = () => this.keys.clear();
    target.addEventListener('keydown', down);
    target.addEventListener('keyup', up);
    target.addEventListener('blur', blur);
    this.disposers.push(() => {
      target.removeEventListener('keydown', down);
      target.removeEventListener('keyup', up);
      target.removeEventListener('blur', blur);
    });
  }

  /** Writes the wanted direction into `out`; returns true when the member wants to move. */
  direction(out: { x: number; y: number }): boolean {
    const k = this.keys;
    let x = (k.has('KeyD') || k.has('ArrowRight') ? 1 : 0) - (k.has('KeyA') || k.has('ArrowLeft') ? 1 : 0);
    let y = (k.has('KeyW') || k.has('ArrowUp') ? 1 : 0) - (k.has('KeyS') || k.has('ArrowDown') ? 1 : 0);
    if (x || y) {
      const n = Math.hypot(x, y);
      x /= n; y /= n;
    } else {
      x = this.stick.x; y = this.stick.y;
    }
    out.x = x; out.y = y;
    return Math.abs(x) + Math.abs(y) > 0.05;
  }

  dispose(): void { for (const d of this.disposers) d(); }
}

function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
}

/** An on-screen joystick for touch screens, writing into `stick`. */
export function mountJoystick(parent: HTMLElement, stick: { x: number; y: number }): HTMLElement {
  const base = document.createElement('div');
  base.className = 'joystick';
  base.setAttribute('aria-label', 'Move');
  const knob = document.createElement('div');
  knob.className = 'knob';
  base.append(knob);
  parent.append(base);
  let id: number | null = null;
  const radius = 48;
  const move = (e: PointerEvent) => {
    if (e.pointerId !== id) return;
    const r = base.getBoundingClientRect();
    let dx = e.clientX - (r.left + r.width / 2), dy = e.clientY - (r.top + r.height / 2);
    const d = Math.hypot(dx, dy);
    if (d > radius) { dx *= radius / d; dy *= radius / d; }
    knob.style.transform = `translate(${dx}px, ${dy}px)`;
    stick.x = dx / radius; stick.y = -dy / radius;
  };
  const end = (e: PointerEvent) => {
    if (e.pointerId !== id) return;
    id = null; stick.x = 0; stick.y = 0; knob.style.transform = '';
  };
  base.addEventListener('pointerdown', (e) => { id = e.pointerId; base.setPointerCapture(e.pointerId); move(e); e.preventDefault(); });
  base.addEventListener('pointermove', move);
  base.addEventListener('pointerup', end);
  base.addEventListener('pointercancel', end);
  return base;
}

export const isTouchDevice = (): boolean => matchMedia('(pointer: coarse)').matches || 'ontouchstart' in window;
