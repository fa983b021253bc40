/** The mini-map: the world's outline seen from above (walls, zones, portals)
 * with you, the players you can see, and a ring for how far your voice
 * carries; the same ring lies on the floor around your avatar. Every
 * template gets one. The scale is pure (`mapScale`); drawing is a 2D canvas. */
import { DoubleSide, Group, Mesh, MeshBasicMaterial, RingGeometry } from 'three';
import type { Stage } from '../render/stage';
import { ZONE_COLORS } from '../render/palette';
import { extent, hearingRadius, isWall, type World } from '../world/world';

export interface MapHost {
  root: HTMLElement;
  world: World;
  stage?: Stage;
  position(): { x: number; z: number };
  /** Where the players drawn in the room stand (those out of sight are left out). */
  standing?(): Iterable<{ x: number; z: number }>;
}

/** Pixels per metre and the map's size for a world fitted in `box` pixels (its longer side). */
export function mapScale(world: World, box: number): { k: number; w: number; h: number } {
  const [ex, ez] = extent(world);
  const k = box / Math.max(ex, ez);
  return { k, w: Math.round(ex * k), h: Math.round(ez * k) };
}

const BOX = 168;

export function mountMinimap(h: MapHost): () => void {
  const { k, w, h: ht } = mapScale(h.world, BOX);
  const canvas = document.createElement('canvas');
  canvas.className = 'minimap';
  canvas.width = w; canvas.height = ht;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', 'Map of the room: you, the players near you and how far your voice carries');
  h.root.append(canvas);
  const base = outline(h.world, k, w, ht);
  const ctx = canvas.getContext('2d');
  const radius = hearingRadius(h.world);
  const ring = h.stage && hearingRing(h.stage, radius);
  let frame = 0, raf = requestAnimationFrame(function draw() {
    raf = requestAnimationFrame(draw);
    const me = h.position();
    ring?.position.set(me.x, 0.03, me.z);
    if (frame++ % 4 || !ctx) return;  // the map at a quarter of the frame rate is plenty
    ctx.drawImage(base, 0, 0);
    ctx.strokeStyle = 'rgba(255, 214, 102, .9)'; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.arc(me.x * k, me.z * k, radius * k, 0, Math.PI * 2); ctx.stroke();
    for (const p of h.standing?.() ?? []) {
      const near = Math.hypot(p.x - me.x, p.z - me.z) <= radius;
      ctx.fillStyle = near ? '#63b3ed' : '#cbd5e0';
      ctx.beginPath(); ctx.arc(p.x * k, p.z * k, 2.5, 0, Math.PI * 2); ctx.fill();
    }
    ctx.fillStyle = '#ffd666'; ctx.strokeStyle = '#1a1033'; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.arc(me.x * k, me.z * k, 4, 0, Math.PI * 2); ctx.fill(); ctx.stroke();
  });
  return () => {
    cancelAnimationFrame(raf);
    canvas.remove();
    if (ring) {
      h.stage!.scene.remove(ring);
      const mesh = ring.children[0] as Mesh;
      mesh.geometry.dispose(); (mesh.material as MeshBasicMaterial).dispose();
    }
  };
}

/** Walls, zones and portals, drawn once. */
function outline(world: World, k: number, w: number, ht: number): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = w; c.height = ht;
  const g = c.getContext('2d');
  if (!g) return c;
  g.fillStyle = 'rgba(20, 14, 36, .78)'; g.fillRect(0, 0, w, ht);
  const cell = world.cellSize ?? 1;
  g.fillStyle = '#8a7fa8';
  for (let row = 0; row < world.depth; row++) {
    for (let col = 0; col < world.width; col++) {
      if (isWall(world, (col + 0.5) * cell, (row + 0.5) * cell)) g.fillRect(col * cell * k, row * cell * k, Math.ceil(cell * k), Math.ceil(cell * k));
    }
  }
  g.lineWidth = 1;
  for (const z of world.zones) {
    if ((z.type ?? 'open') === 'open') continue;
    g.strokeStyle = ZONE_COLORS[z.type ?? 'open'];
    g.strokeRect(z.shape.x * k + 0.5, z.shape.z * k + 0.5, z.shape.w * k - 1, z.shape.d * k - 1);
  }
  g.fillStyle = '#b794f4';
  for (const o of world.objects ?? []) if (o.kind === 'portal') g.fillRect(o.x * k - 3, o.z * k - 3, 6, 6);
  return c;
}

/** A faint ring on the floor around the player: who stands inside it hears you. */
function hearingRing(stage: Stage, radius: number): Group {
  const mesh = new Mesh(new RingGeometry(radius - 0.06, radius, 96),
    new MeshBasicMaterial({ color: '#ffd666', transparent: true, opacity: 0.35, side: DoubleSide, depthWrite: false }));
  mesh.rotation.x = -Math.PI / 2;
  mesh.renderOrder = 1;
  const ring = new Group();
  ring.name = 'hearing-ring';
  ring.add(mesh);
  stage.scene.add(ring);
  return ring;
}
