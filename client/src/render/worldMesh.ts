/** Builds a room's static scene from its world document: floor, walls, zones
 * and objects, merged so the whole room is a handful of draw calls. The dance
 * floor's tiles are one instanced mesh whose colours pulse with the music. */
import {
  Color, DoubleSide, Group, InstancedMesh, LineBasicMaterial, LineSegments, Matrix4, Mesh, MeshBasicMaterial,
  MeshStandardMaterial, PlaneGeometry, BufferGeometry, Float32BufferAttribute,
} from 'three';
import { cellSize, extent, type World, type WorldObject } from '../world/world';
import { MergedBuilder } from './builder';
import { LOOKS, ZONE_COLORS } from './palette';

export interface Label { text: string; x: number; y: number; z: number; kind: 'zone' | 'object' }

export interface RoomMesh {
  group: Group;
  labels: Label[];
  /** Animates the moving parts of the room (dance floor lights); no allocation. */
  animate(timeS: number): void;
}

export type WallStyle = 'full' | 'low';

export function buildRoom(world: World, walls: WallStyle): RoomMesh {
  const look = LOOKS[world.template];
  const group = new Group();
  const labels: Label[] = [];
  const c = cellSize(world);
  const [ex, ez] = extent(world);
  const height = world.height ?? 3;

  // Floor: a checker of two tones in one merged mesh.
  const floor = new MergedBuilder();
  for (let r = 0; r < world.depth; r++) {
    for (let q = 0; q < world.width; q++) {
      if (world.grid[r][q] === '.') floor.box((q + 0.5) * c, -0.05, (r + 0.5) * c, c, 0.05, c, (q + r) % 2 ? look.floor : look.floorAlt);
    }
  }
  const lit = new MeshStandardMaterial({ vertexColors: true, roughness: 0.85, metalness: 0.05 });
  group.add(new Mesh(floor.build(), lit));

  // Walls: full height at the back third (a stage set seen from the front), low elsewhere.
  // Cells under a counter or table are walls for movement only: the furniture is drawn there.
  const wallB = new MergedBuilder();
  const furnished = (x: number, z: number) => (world.objects ?? []).some((o) => (o.kind === 'counter' || o.kind === 'table') &&
    Math.abs(x - o.x) <= (o.w ?? 1) / 2 && Math.abs(z - o.z) <= (o.d ?? 1) / 2);
  for (let r = 0; r < world.depth; r++) {
    for (let q = 0; q < world.width; q++) {
      if (world.grid[r][q] !== '#' || furnished((q + 0.5) * c, (r + 0.5) * c)) continue;
      const h = walls === 'full' && r < world.depth * 0.3 ? height : walls === 'full' ? 0.9 : 1.0;
      wallB.box((q + 0.5) * c, 0, (r + 0.5) * c, c, h, c, look.wall);
      wallB.box((q + 0.5) * c, h, (r + 0.5) * c, c * 1.001, 0.04, c * 1.001, look.wallTop);
    }
  }
  group.add(new Mesh(wallB.build(), lit));

  // Zones: tinted rectangles with outlines and labels (not in the single-zone bar).
  if (world.template !== 'bar') {
    const fills = new MergedBuilder();
    const lines: number[] = [];
    const lineColors: number[] = [];
    const col = new Color();
    for (const zone of world.zones) {
      const s = zone.shape;
      const color = ZONE_COLORS[zone.type ?? 'open'];
      const isWhole = s.w >= ex && s.d >= ez;
      if (!isWhole) fills.box(s.x + s.w / 2, 0.001, s.z + s.d / 2, s.w - 0.1, 0.01, s.d - 0.1, color);
      col.set(color);
      const y = 0.03, x0 = s.x + 0.05, z0 = s.z + 0.05, x1 = s.x + s.w - 0.05, z1 = s.z + s.d - 0.05;
      if (!isWhole) {
        lines.push(x0, y, z0, x1, y, z0, x1, y, z0, x1, y, z1, x1, y, z1, x0, y, z1, x0, y, z1, x0, y, z0);
        for (let i = 0; i < 8; i++) lineColors.push(col.r, col.g, col.b);
      }
      labels.push({ text: zone.name, x: s.x + s.w / 2, y: 0.1, z: isWhole ? s.z + 0.6 : s.z + 0.5, kind: 'zone' });
    }
    if (!fills.empty) {
      group.add(new Mesh(fills.build(), new MeshBasicMaterial({ vertexColors: true, transparent: true, opacity: 0.22, depthWrite: false })));
    }
    if (lines.length) {
      const g = new BufferGeometry();
      g.setAttribute('position', new Float32BufferAttribute(lines, 3));
      g.setAttribute('color', new Float32BufferAttribute(lineColors, 3));
      group.add(new LineSegments(g, new LineBasicMaterial({ vertexColors: true })));
    }
  }

  // Objects: lit furniture and glowing parts, one merged mesh each.
  const furniture = new MergedBuilder();
  const glow = new MergedBuilder();
  let dance: InstancedMesh | null = null;
  for (const o of world.objects ?? []) {
    if (o.kind === 'dancefloor') dance = danceFloor(o);
    else addObject(o, world, furniture, glow);
    if (o.label) {
      const raised = world.template === 'bar';
      labels.push({ text: o.label, x: o.x, y: raised ? 2.3 : 0.1, z: raised ? o.z : o.z + (o.d ?? 1) / 2 + 0.35, kind: 'object' });
    }
  }
  if (!furniture.empty) group.add(new Mesh(furniture.build(), lit));
  if (!glow.empty) group.add(new Mesh(glow.build(), new MeshBasicMaterial({ vertexColors: true, side: DoubleSide })));
  if (dance) group.add(dance);

  const tileColor = new Color();
  return {
    group,
    labels,
    animate(t: number) {
      if (!dance) return;
      for (let i = 0; i < dance.count; i++) {
        const beat = Math.floor(t * 2.2);
        tileColor.setHSL(((i * 37 + beat * 53) % 360) / 360, 0.85, (i + beat) % 3 === 0 ? 0.55 : 0.3);
        dance.setColorAt(i, tileColor);
      }
      dance.instanceColor!.needsUpdate = true;
    },
  };
}

function danceFloor(o: WorldObject): InstancedMesh {
  const w = o.w ?? 1, d = o.d ?? 1;
  const cols = Math.max(1, Math.round(w)), rows = Math.max(1, Math.round(d));
  const tiles = new InstancedMesh(new PlaneGeometry(0.94, 0.94).rotateX(-Math.PI / 2), new MeshBasicMaterial(), cols * rows);
  const m = new Matrix4();
  let i = 0;
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      m.makeTranslation(o.x - w / 2 + (q + 0.5) * (w / cols), 0.02, o.z - d / 2 + (r + 0.5) * (d / rows));
      tiles.setMatrixAt(i, m);
      tiles.setColorAt(i++, new Color('#552266'));
    }
  }
  return tiles;
}

function addObject(o: WorldObject, world: World, b: MergedBuilder, glow: MergedBuilder): void {
  const w = o.w ?? 1, d = o.d ?? 1, rot = o.rot ?? 0;
  switch (o.kind) {
    case 'counter':
      b.box(o.x, 0, o.z, w, 1.05, d, '#6b3e26', rot);
      b.box(o.x, 1.05, o.z, w + 0.1, 0.06, d + 0.15, '#c08552', rot);
      if (world.template === 'bar') {
        for (let i = 0; i < Math.floor(w / 0.8); i++) {
          const bx = o.x - w / 2 + 0.4 + i * 0.8;
          glow.cylinder(bx, 1.11, o.z, 0.05, 0.05, 0.28, ['#ffb03b', '#40d6c4', '#ef476f', '#a3e635'][i % 4], 8);
          glow.box(bx, 1.45 + (i % 2) * 0.05, o.z - d / 2 - 0.9, 0.12, 0.34, 0.12, ['#fde68a', '#93c5fd', '#fca5a5'][i % 3]);
        }
        b.box(o.x, 1.3, o.z - d / 2 - 0.9, w, 0.08, 0.4, '#3b2414');
      }
      break;
    case 'seat':
      if (world.template === 'bar') {
        b.cylinder(o.x, 0, o.z, 0.05, 0.12, 0.7, '#8a8f98', 8);
        b.cylinder(o.x, 0.7, o.z, 0.24, 0.22, 0.08, '#d94f4f', 16);
      } else {
        b.box(o.x, 0, o.z, 0.5, 0.45, 0.5, world.template === 'focus' ? '#8d6e63' : '#5a67d8', rot);
        b.box(o.x, 0.45, o.z + 0.22, 0.5, 0.45, 0.08, world.template === 'focus' ? '#6d4c41' : '#434190', rot);
      }
      break;
    case 'table':
      b.box(o.x, 0, o.z, 0.12, 0.72, 0.12, '#5d4037');
      b.box(o.x, 0.72, o.z, w, 0.06, d, world.template === 'focus' ? '#c8a27a' : '#a1887f', rot);
      if (world.template === 'focus') glow.box(o.x, 0.78, o.z - d * 0.2, 0.6, 0.36, 0.04, '#9ad1f5');
      break;
    case 'door':
      b.box(o.x, 0, o.z, 0.9, 0.04, 0.9, '#d69e2e', rot);
      break;
    case 'whiteboard':
      b.box(o.x, 0, o.z, w, 1.6, Math.min(d, 0.15), '#718096', rot);
      glow.box(o.x, 0.7, o.z + 0.09, w - 0.15, 0.85, 0.01, '#ffffff', rot);
      break;
    case 'screen':
      b.box(o.x, 0, o.z, w, 1.7, Math.min(d, 0.15), '#1a202c', rot);
      glow.box(o.x, 0.75, o.z + 0.09, w - 0.15, 0.85, 0.01, '#63b3ed', rot);
      break;
    case 'jukebox':
      b.box(o.x, 0, o.z, 0.9, 1.5, 0.6, '#7b2cbf', rot);
      glow.box(o.x, 0.5, o.z - 0.31, 0.6, 0.7, 0.02, '#ffd166', rot);
      glow.cylinder(o.x, 1.5, o.z, 0.45, 0.45, 0.1, '#ff7eb6', 16);
      break;
    case 'portal':
      glow.cylinder(o.x, 0, o.z, 0.8, 0.8, 0.05, '#b794f4', 24);
      b.box(o.x - 0.8, 0, o.z, 0.15, 2.2, 0.15, '#553c9a');
      b.box(o.x + 0.8, 0, o.z, 0.15, 2.2, 0.15, '#553c9a');
      b.box(o.x, 2.2, o.z, 1.75, 0.15, 0.15, '#553c9a');
      break;
    case 'plant':
      b.cylinder(o.x, 0, o.z, 0.25, 0.18, 0.4, '#a0522d', 12);
      b.cylinder(o.x, 0.4, o.z, 0.05, 0.45, 0.9, '#2f855a', 10);
      break;
    case 'dancefloor':
      break;
  }
}
