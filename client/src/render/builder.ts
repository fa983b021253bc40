/** Collects coloured boxes and cylinders into one merged, vertex-coloured
 * geometry: a whole room's furniture costs one draw call. */
import { BoxGeometry, BufferGeometry, Color, CylinderGeometry, Float32BufferAttribute } from 'three';
import { mergeGeometries } from 'three/examples/jsm/utils/BufferGeometryUtils.js';

export class MergedBuilder {
  private parts: BufferGeometry[] = [];
  private readonly color = new Color();

  /** A box whose base centre sits at (x, y, z). */
  box(x: number, y: number, z: number, w: number, h: number, d: number, color: string | number, rotY = 0): this {
    return this.add(new BoxGeometry(w, h, d), x, y + h / 2, z, color, rotY);
  }

  cylinder(x: number, y: number, z: number, rTop: number, rBottom: number, h: number, color: string | number, segments = 16): this {
    return this.add(new CylinderGeometry(rTop, rBottom, h, segments), x, y + h / 2, z, color, 0);
  }

  get empty(): boolean { return this.parts.length === 0; }

  build(): BufferGeometry {
    const merged = mergeGeometries(this.parts, false);
    for (const p of this.parts) p.dispose();
    this.parts = [];
    return merged;
  }

  private add(g: BufferGeometry, x: number, y: number, z: number, color: string | number, rotY: number): this {
    if (rotY) g.rotateY(rotY);
    g.translate(x, y, z);
    this.color.set(color);
    const n = g.getAttribute('position').count;
    const colors = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) { colors[i * 3] = this.color.r; colors[i * 3 + 1] = this.color.g; colors[i * 3 + 2] = this.color.b; }
    g.setAttribute('color', new Float32BufferAttribute(colors, 3));
    this.parts.push(g.index ? g.toNonIndexed() : g);
    return this;
  }
}
