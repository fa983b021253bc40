/** Every avatar in the room drawn as a few instanced meshes (body, head, hair,
 * hat, visor, arms, speaking ring): seven draw calls whether 2 or 200 are
 * present, in every view (top-down, isometric, 3D, VR) alike. A look's hair,
 * outfit and hat styles are shapes of those meshes (`STYLE`). Poses are
 * written into preallocated matrices; nothing is allocated per frame. */
import {
  BoxGeometry, CapsuleGeometry, Color, CylinderGeometry, DynamicDrawUsage, Euler, Group, InstancedMesh, Matrix4,
  MeshBasicMaterial, MeshStandardMaterial, Quaternion, Raycaster, RingGeometry, SphereGeometry, Vector3,
} from 'three';
import type { AvatarModel } from '../avatar';
import type { Look } from '../avatarLook';
import type { Anim } from '../net/realtime/types';

/** A part's place on the head or body: [y, scale x, scale y, scale z] (scale 0: not worn). */
type Part = [number, number, number, number];
const HAIR: Record<Look['hair'], Part> = {
  none: [1.2, 0, 0, 0], short: [1.2, 1.08, 0.8, 1.08], long: [1.12, 1.12, 1.45, 1.15], bun: [1.36, 0.55, 0.55, 0.55], mohawk: [1.28, 0.28, 0.9, 1.05],
};
const HAT: Record<Look['hat'], Part> = {
  none: [1.33, 0, 0, 0], cap: [1.34, 1.15, 0.7, 1.15], beanie: [1.33, 1.0, 1.2, 1.0], tophat: [1.45, 0.95, 2.6, 0.95], crown: [1.36, 0.9, 0.9, 0.9],
};
/** The outfit's cut: the body's width and the arms' (a dress flares, a suit is square). */
const OUTFIT: Record<Look['outfit'], [number, number]> = { tee: [1, 1], hoodie: [1.08, 1.15], suit: [1.02, 1.05], dress: [1.22, 0.9] };

const MODEL_SCALE: Record<AvatarModel, [number, number, number]> = {
  round: [1.25, 0.92, 1.25], slim: [0.85, 1.12, 0.85], bot: [1.05, 1.0, 1.05],
};

export class Crowd {
  readonly group = new Group();
  private readonly body: InstancedMesh;
  private readonly head: InstancedMesh;
  private readonly hat: InstancedMesh;
  private readonly hair: InstancedMesh;
  private readonly visor: InstancedMesh;
  private readonly arms: InstancedMesh;
  private readonly ring: InstancedMesh;
  private readonly models: AvatarModel[];
  private readonly looks: Look[];
  private readonly phase: Float32Array;
  private n = 0;
  /** Uniform size of every avatar: larger in the map views so people read at a glance. */
  sizeScale = 1;
  // scratch
  private readonly root = new Matrix4();
  private readonly part = new Matrix4();
  private readonly out = new Matrix4();
  private readonly q = new Quaternion();
  private readonly e = new Euler();
  private readonly v = new Vector3();
  private readonly s = new Vector3();
  private readonly color = new Color();
  private readonly zero = new Matrix4().makeScale(0, 0, 0);

  constructor(readonly capacity: number) {
    const lit = () => new MeshStandardMaterial({ roughness: 0.6, metalness: 0.1 });
    this.body = this.instanced(new CapsuleGeometry(0.22, 0.5, 4, 12).translate(0, 0.47, 0), lit(), capacity);
    this.head = this.instanced(new SphereGeometry(0.2, 14, 10), lit(), capacity);
    this.hat = this.instanced(new CylinderGeometry(0.13, 0.2, 0.12, 12), lit(), capacity);
    this.hair = this.instanced(new SphereGeometry(0.21, 14, 8, 0, Math.PI * 2, 0, Math.PI * 0.55), lit(), capacity);
    this.visor = this.instanced(new BoxGeometry(0.26, 0.07, 0.06), new MeshBasicMaterial({ color: '#1a1a2e' }), capacity);
    this.arms = this.instanced(new BoxGeometry(0.09, 0.42, 0.09).translate(0, -0.19, 0), lit(), capacity * 2);
    this.ring = this.instanced(new RingGeometry(0.36, 0.46, 24).rotateX(-Math.PI / 2), new MeshBasicMaterial({ color: '#48ff9a', transparent: true, opacity: 0.85 }), capacity);
    this.models = new Array<AvatarModel>(capacity).fill('round');
    this.looks = new Array<Look>(capacity);
    this.phase = new Float32Array(capacity);
    this.count = 0;
  }

  get count(): number { return this.n; }
  set count(n: number) {
    this.n = Math.min(n, this.capacity);
    for (const m of [this.body, this.head, this.hair, this.hat, this.visor, this.ring]) m.count = this.n;
    this.arms.count = this.n * 2;
  }

  /** Sets the look of slot `i` (on join or when a member changes avatar). */
  setLook(i: number, a: Look): void {
    this.models[i] = a.body;
    this.looks[i] = a;
    this.phase[i] = (i * 1.37) % (Math.PI * 2);
    this.body.setColorAt(i, this.color.set(a.outfitColour));
    this.arms.setColorAt(i * 2, this.color);
    this.arms.setColorAt(i * 2 + 1, this.color);
    this.head.setColorAt(i, this.color.set(a.body === 'bot' ? '#cbd5e0' : a.skin));
    this.hair.setColorAt(i, this.color.set(a.hairColour));
    this.hat.setColorAt(i, this.color.set(a.hatColour));
    for (const m of [this.body, this.head, this.hair, this.hat, this.arms]) m.instanceColor!.needsUpdate = true;
  }

  /** The other member (slot > 0) whose body the ray hits first, or null (a
   * click on an avatar; the local member's own body never hides another's). */
  pick(ray: Raycaster): number | null {
    this.body.boundingSphere = null;  // members moved since: recompute before testing
    const hit = ray.intersectObject(this.body, false).find((h) => !!h.instanceId && h.instanceId < this.n);
    return hit?.instanceId ?? null;
  }

  /** Places slot `i` at a pose, animated at time `t` seconds. */
  setPose(i: number, x: number, y: number, z: number, rotY: number, anim: Anim, speaking: boolean, t: number): void {
    const ph = t * 1 + this.phase[i];
    let bob = 0, sway = 0, spin = 0, armL = 0.15, armR = -0.15, armSwing = 0, lift = 0, reach = 0;
    switch (anim) {
      case 'idle': bob = Math.sin(ph * 2) * 0.015; break;
      case 'walk': bob = Math.abs(Math.sin(ph * 9)) * 0.07; armSwing = Math.sin(ph * 9) * 0.6; break;
      case 'dance': bob = Math.abs(Math.sin(ph * 6)) * 0.14; sway = Math.sin(ph * 3) * 0.22; spin = Math.sin(ph * 1.5) * 0.8;
        armL = 2.4 + Math.sin(ph * 6) * 0.5; armR = -2.4 - Math.sin(ph * 6) * 0.5; break;
      case 'wave': armR = -2.6 + Math.sin(ph * 10) * 0.45; bob = Math.sin(ph * 2) * 0.015; break;
      case 'sit': lift = -0.32; reach = -1.3; armL = 0.3; armR = -0.3; break;  // lowered, hands on the knees: seen from above too
    }
    const [sx, sy, sz] = MODEL_SCALE[this.models[i]];
    const look = this.looks[i];
    const [wide, arm] = look ? OUTFIT[look.outfit] : OUTFIT.tee;
    const k = this.sizeScale;
    this.root.compose(this.v.set(x, y + bob + lift, z), this.q.setFromEuler(this.e.set(0, rotY + spin, sway)), this.s.set(sx * k, sy * k, sz * k));

    this.part.compose(this.v.set(0, 0, 0), this.q.identity(), this.s.set(wide, 1, wide));
    this.out.multiplyMatrices(this.root, this.part);
    this.body.setMatrixAt(i, this.out);
    this.place(this.head, i, 0, 1.17, 0, 0, 0, 0, 1);
    const bot = this.models[i] === 'bot';
    const hair = HAIR[look?.hair ?? 'none'], hat = HAT[look?.hat ?? 'none'];
    this.fit(this.hair, i, hair, bot ? 0 : 1);
    this.fit(this.hat, i, hat, 1);
    this.place(this.visor, i, 0, 1.2, 0.17, 0, 0, 0, bot ? 1.3 : 1);
    this.place(this.arms, i * 2, -0.3 * wide, 0.85, 0, armSwing + reach, 0, armL, arm);
    this.place(this.arms, i * 2 + 1, 0.3 * wide, 0.85, 0, -armSwing + reach, 0, armR, arm);
    if (speaking) {
      const pulse = (1 + Math.sin(t * 12) * 0.08) * this.sizeScale;
      this.part.compose(this.v.set(x, y + 0.03, z), this.q.identity(), this.s.set(pulse, 1, pulse));
      this.ring.setMatrixAt(i, this.part);
    } else {
      this.ring.setMatrixAt(i, this.zero);
    }
  }

  /** Marks the instance buffers for upload; call once per frame after the poses. */
  commit(): void {
    for (const m of [this.body, this.head, this.hair, this.hat, this.visor, this.arms, this.ring]) m.instanceMatrix.needsUpdate = true;
  }

  /** Moves slot `from` into slot `to` (when a member leaves, the last one fills the gap). */
  copySlot(from: number, to: number): void {
    this.models[to] = this.models[from];
    this.looks[to] = this.looks[from];
    this.phase[to] = this.phase[from];
    for (const m of [this.body, this.head, this.hair, this.hat]) {
      m.getColorAt(from, this.color); m.setColorAt(to, this.color); m.instanceColor!.needsUpdate = true;
    }
    this.arms.getColorAt(from * 2, this.color);
    this.arms.setColorAt(to * 2, this.color); this.arms.setColorAt(to * 2 + 1, this.color);
    this.arms.instanceColor!.needsUpdate = true;
  }

  private place(mesh: InstancedMesh, index: number, px: number, py: number, pz: number, rx: number, ry: number, rz: number, scale: number): void {
    this.part.compose(this.v.set(px, py, pz), this.q.setFromEuler(this.e.set(rx, ry, rz)), this.s.set(scale, scale, scale));
    this.out.multiplyMatrices(this.root, this.part);
    mesh.setMatrixAt(index, this.out);
  }

  /** A worn part at its place on the head, scaled by its style (`k` 0 hides it). */
  private fit(mesh: InstancedMesh, index: number, [py, sx, sy, sz]: Part, k: number): void {
    this.part.compose(this.v.set(0, py, 0), this.q.identity(), this.s.set(sx * k, sy * k, sz * k));
    this.out.multiplyMatrices(this.root, this.part);
    mesh.setMatrixAt(index, this.out);
  }

  private instanced(geometry: ConstructorParameters<typeof InstancedMesh>[0], material: ConstructorParameters<typeof InstancedMesh>[1], count: number): InstancedMesh {
    const mesh = new InstancedMesh(geometry, material, count);
    mesh.instanceMatrix.setUsage(DynamicDrawUsage);
    mesh.frustumCulled = false;
    this.group.add(mesh);
    return mesh;
  }
}
