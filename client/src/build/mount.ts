/** The Build button in the room's top bar, for who may change the room's
 * world (its owner and admins: the server checks again on Save), and the
 * build mode it opens. */
import type { RealtimeProvider } from '../net/realtime/types';
import { h } from '../ui/dom';
import type { World } from '../world/world';
import { BuildMode } from './buildMode';

export interface BuildAccess {
  root: HTMLElement;
  world: World;
  provider: RealtimeProvider;
  save(world: World): Promise<void>;
  redraw(world: World): void;
}

/** Mounts the Build button; returns what removes it (and closes build mode). */
export function mountBuild(a: BuildAccess): () => void {
  let open: BuildMode | null = null;
  const button = h('button', { class: 'btn build-open', type: 'button', 'aria-pressed': 'false', title: 'Edit this room’s walls, zones and objects', text: 'Build' });
  const shown = (on: boolean) => button.setAttribute('aria-pressed', String(on));
  button.addEventListener('click', () => {
    if (open) { open.close(); return; }
    open = new BuildMode(a.root, a, () => { open = null; shown(false); button.focus(); });
    shown(true);
    open.canvas.focus();
  });
  (a.root.querySelector('.hud-top .tools') ?? a.root).prepend(button);
  const off = a.provider.on('world_changed', (p) => open?.worldChanged(p.world));
  return () => { off(); open?.close(); button.remove(); };
}
