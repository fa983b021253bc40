/** The room's drawn world: the stage's floor, walls, zones and objects and
 * their labels over the canvas. A republished world (`world_changed`, or
 * build mode's Save) replaces the document in place, so every part that
 * holds it (movement, zones, whiteboards, the stage) reads the new one, and
 * the scenery is drawn anew in whichever view the room is in. */
import type { Overlay } from '../render/overlay';
import type { Stage } from '../render/stage';
import type { World } from '../world/world';
import type { PrivateZones } from './privacy';

export class Scenery {
  constructor(private readonly stage: Stage, private readonly overlay: Overlay, private readonly zones: PrivateZones) {
    this.label();
  }

  replace(next: World): void {
    const world = this.stage.world as unknown as Record<string, unknown>;
    for (const key of Object.keys(world)) delete world[key];
    Object.assign(world, structuredClone(next));
    this.stage.rebuild();
    this.overlay.clearLabels();
    this.zones.reset();
    this.label();
  }

  private label(): void {
    for (const l of this.stage.room.labels) {
      const el = this.overlay.label(l.text, l.x, l.y, l.z, l.kind);
      if (l.kind === 'zone') this.zones.label(l.text, el);
    }
  }
}
