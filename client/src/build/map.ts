/** Build mode's top-down map of the draft world, drawn on a 2D canvas: the
 * same picture whichever view (3D, top-down, isometric) the room was in. */
import { ZONE_COLORS } from '../render/palette';
import { cellSize, type World } from '../world/world';
import type { ZoneRect } from './edits';
import type { MapView, Part } from './grid';

const OBJECT_COLORS: Record<string, string> = {
  table: '#a1887f', seat: '#5a67d8', whiteboard: '#e2e8f0', screen: '#1a202c', jukebox: '#7b2cbf', door: '#d69e2e',
  portal: '#b794f4', counter: '#6b3e26', dancefloor: '#d16bff', plant: '#2f855a',
};

export interface MapMarks {
  selected: Part | null;
  /** Parts the server refused: outlined in red. */
  faulty: Part[];
  /** The zone being drawn. */
  drawing: ZoneRect | null;
  /** The keyboard cursor's cell (column, row), when the map has the focus. */
  cursor: [number, number] | null;
}

const same = (a: Part | null, b: Part): boolean =>
  !!a && a.kind === b.kind && (a.kind === 'spawn' ? b.kind === 'spawn' && a.index === b.index : b.kind !== 'spawn' && a.id === b.id);

export function drawMap(ctx: CanvasRenderingContext2D, view: MapView, world: World, marks: MapMarks): void {
  const { width, height } = ctx.canvas;
  const s = view.scale, c = cellSize(world);
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#0f172a';
  ctx.fillRect(0, 0, width, height);
  for (let r = 0; r < world.depth; r++) {
    for (let q = 0; q < world.width; q++) {
      const [x, y] = view.toScreen(q * c, r * c);
      ctx.fillStyle = world.grid[r][q] === '#' ? '#475569' : (q + r) % 2 ? '#f1f5f9' : '#e2e8f0';
      ctx.fillRect(x, y, c * s + 0.5, c * s + 0.5);
    }
  }
  const outline = (x: number, y: number, w: number, h: number, part: Part) => {
    const bad = marks.faulty.some((f) => same(f, part)), chosen = same(marks.selected, part);
    if (!bad && !chosen) return;
    ctx.lineWidth = 3;
    ctx.setLineDash([]);
    ctx.strokeStyle = bad ? '#dc2626' : '#2563eb';
    ctx.strokeRect(x - 2, y - 2, w + 4, h + 4);
  };
  ctx.font = `${Math.max(10, Math.min(14, s * 0.5))}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const zone of world.zones) {
    const z = zone.shape, [x, y] = view.toScreen(z.x, z.z);
    const color = ZONE_COLORS[zone.type ?? 'open'];
    ctx.globalAlpha = 0.18;
    ctx.fillStyle = color;
    ctx.fillRect(x, y, z.w * s, z.d * s);
    ctx.globalAlpha = 1;
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = color;
    ctx.strokeRect(x + 1, y + 1, z.w * s - 2, z.d * s - 2);
    outline(x, y, z.w * s, z.d * s, { kind: 'zone', id: zone.id });
  }
  for (const o of world.objects ?? []) {
    const w = (o.w ?? 1) * s, d = (o.d ?? 1) * s, [cx, cy] = view.toScreen(o.x, o.z);
    ctx.fillStyle = OBJECT_COLORS[o.kind] ?? '#64748b';
    ctx.fillRect(cx - w / 2, cy - d / 2, w, d);
    ctx.strokeStyle = '#0f172a';
    ctx.lineWidth = 1;
    ctx.strokeRect(cx - w / 2, cy - d / 2, w, d);
    if (o.label) { ctx.fillStyle = '#0f172a'; ctx.fillText(o.label, cx - w / 2, cy + d / 2 + 2); }
    outline(cx - w / 2, cy - d / 2, w, d, { kind: 'object', id: o.id });
  }
  for (const zone of world.zones) {  // names over the furniture
    const z = zone.shape, [x, y] = view.toScreen(z.x, z.z), text = ctx.measureText(zone.name).width;
    ctx.fillStyle = 'rgba(248, 250, 252, 0.85)';
    ctx.fillRect(x + 2, y + 2, Math.min(text + 4, z.w * s - 4), Math.min(16, z.d * s - 4));
    ctx.fillStyle = '#1e293b';
    ctx.fillText(zone.name, x + 4, y + 4, z.w * s - 8);
  }
  world.spawns.forEach((p, i) => {
    const [x, y] = view.toScreen(p.x, p.z), r = Math.max(5, s * 0.3);
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.fillStyle = '#16a34a';
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'center';
    ctx.fillText('S', x, y);
    ctx.textAlign = 'start';
    ctx.textBaseline = 'top';
    outline(x - r, y - r, 2 * r, 2 * r, { kind: 'spawn', index: i });
  });
  if (marks.drawing) {
    const z = marks.drawing, [x, y] = view.toScreen(z.x, z.z);
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#2563eb';
    ctx.strokeRect(x, y, z.w * s, z.d * s);
    ctx.setLineDash([]);
  }
  if (marks.cursor) {
    const [x, y] = view.toScreen(marks.cursor[0] * c, marks.cursor[1] * c);
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#f59e0b';
    ctx.strokeRect(x, y, c * s, c * s);
  }
}
