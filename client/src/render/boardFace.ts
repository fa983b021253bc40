/** A whiteboard's picture in the room (board/thumbs.ts draws it): a canvas
 * used as the texture of a plane on the board's face, seen in the 3D and
 * isometric views, and of a flat copy over the board that only the top-down
 * view shows (a board's upright face is edge-on from above). Unlit, so the
 * picture reads the same under every room's lights. */
import { CanvasTexture, DoubleSide, Group, Mesh, MeshBasicMaterial, PlaneGeometry, SRGBColorSpace } from 'three';
import type { Place } from '../board/thumbs';

export class BoardFace {
  readonly group = new Group();
  readonly upright: Mesh;
  readonly flat: Mesh;
  private readonly texture: CanvasTexture;

  constructor(readonly canvas: HTMLCanvasElement) {
    this.texture = new CanvasTexture(canvas);
    this.texture.colorSpace = SRGBColorSpace;
    const material = new MeshBasicMaterial({ map: this.texture, side: DoubleSide, toneMapped: false });
    this.upright = new Mesh(new PlaneGeometry(1, 1), material);
    this.flat = new Mesh(new PlaneGeometry(1, 1), material);
    this.group.add(this.upright, this.flat);
  }

  place(p: Place): void {
    this.upright.position.set(p.x, p.y, p.z);
    this.upright.rotation.y = p.rot;
    this.upright.scale.set(p.w, p.h, 1);
    // Just over the board's top, reaching out in front of it, turned with it.
    this.flat.position.set(p.x + Math.sin(p.rot) * p.h / 2, 1.65, p.z + Math.cos(p.rot) * p.h / 2);
    this.flat.rotation.set(-Math.PI / 2, p.rot, 0, 'YXZ');
    this.flat.scale.set(p.w, p.h, 1);
  }

  /** The top-down view sees the flat copy; the others the face. */
  show(topDown: boolean): void {
    this.upright.visible = !topDown;
    this.flat.visible = topDown;
  }

  /** The canvas was drawn again: upload it. */
  drawn(): void {
    this.texture.needsUpdate = true;
  }

  dispose(): void {
    this.group.removeFromParent();
    this.upright.geometry.dispose();
    this.flat.geometry.dispose();
    (this.upright.material as MeshBasicMaterial).dispose();
    this.texture.dispose();
  }
}
