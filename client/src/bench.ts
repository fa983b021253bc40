/** The bench readout: frame interval, main-thread work per frame and draw
 * calls, shown on screen and exposed on `window.virtubar.bench` for the
 * headless measurement (bench/client_frames.mjs). */
import type { RoomView } from './room/roomView';
import { h } from './ui/dom';

export function mountBench(root: HTMLElement, view: RoomView): void {
  const out = h('pre', { class: 'bench' });
  root.append(out);
  const result = { frames: 0, avgFrameMs: 0, avgWorkMs: 0, drawCalls: 0, avatars: 0 };
  (window as unknown as { virtubar: { bench: typeof result } }).virtubar.bench = result;
  setInterval(() => {
    const s = view.stats;
    result.frames = s.frames;
    result.avgFrameMs = s.frames > 1 ? s.intervalMs / (s.frames - 1) : 0;
    result.avgWorkMs = s.frames ? s.workMs / s.frames : 0;
    result.drawCalls = s.drawCalls;
    result.avatars = view.members.list.length + 1;
    out.textContent = `avatars ${result.avatars}  draw calls ${result.drawCalls}\nframe ${result.avgFrameMs.toFixed(1)} ms  work ${result.avgWorkMs.toFixed(1)} ms`;
  }, 500);
}
