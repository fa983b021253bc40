/** Every avatar in the room drawn as a few instanced meshes (body, head, hat,
 * visor, arms, speaking ring): six draw calls whether 2 or 200 are present.
 * Poses are written into preallocated matrices; nothing is allocated per frame. */
import {
  BoxGeometry, CapsuleGeometry, Color, CylinderGeometry, DynamicDrawUsage, Euler, Group, InstancedMesh, Matrix4,
  MeshBasicMaterial, MeshStandardMaterial, Quaternion, RingGeometry, SphereGeometry, Vector3,
} from 'three';
import type { Avatar, AvatarModel } from '../avatar';
import type { Anim } from '../net/realtime/types';

const MODEL_SCALE: Record<AvatarModel, [number, number, number]> = {
  round: [1.25, 0.92, 1.25], slim: [0.85, 1.12, 0.85], bot: [1.05, 1.0, 1.05],
};

export class Crowd {
  readonly group = new Group();
  private readonly body: InstancedMesh;
  private readonly head: InstancedMesh;
  private readonly hat: InstancedMesh;
  private readonly visor: InstancedMesh;
  private readonly arms: InstancedMesh;
  private readonly ring: InstancedMesh;
  private readonly models: AvatarModel[];
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
    this.visor = this.instanced(new BoxGeometry(0.26, 0.07, 0.06), new MeshBasicMaterial({ color: '#1a1a2e' }), capacity);
    this.arms = this.instanced(new BoxGeometry(0.09, 0.42, 0.09).translate(0, -0.19, 0), lit(), capacity * 2);
    this.ring = this.instanced(new RingGeometry(0.36, 0.46, 24).rotateX(-Math.PI / 2), new MeshBasicMaterial({ color: '#48ff9a', transparent: true, opacity: 0.85 }), capacity);
    this.models = new Array<AvatarModel>(capacity).fill('round');
    this.phase = new Float32Array(capacity);
    this.count = 0;
  }

  get count(): number { return this.n; }
  set count(n: number) {
    this.n = Math.min(n, this.capacity);
    for (const m of [this.body, this.head, this.hat, this.visor, this.ring]) m.count = this.n;
    this.arms.count = this.n * 2;
  }

  /** Sets the look of slot `i` (on join or when a member changes avatar). */
  setLook(i: number, a: Avatar): void {
    this.models[i] = a.model;
    this.phase[i] = (i * 1.37) % (Math.PI * 2);
    this.body.setColorAt(i, this.color.set(a.colors.body));
    this.arms.setColorAt(i * 2, this.color);
    this.arms.setColorAt(i * 2 + 1, this.color);
    this.head.setColorAt(i, this.color.set(a.model === 'bot' ? '#cbd5e0' : '#f1c27d'));
    this.hat.setColorAt(i, this.color.set(a.colors.accent));
    for (const m of [this.body, this.head, this.hat, this.arms]) m.instanceColor!.needsUpdate = true;
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
    const k = this.sizeScale;
    this.root.compose(this.v.set(x, y + bob + lift, z), this.q.setFromEuler(this.e.set(0, rotY + spin, sway)), this.s.set(sx * k, sy * k, sz * k));

    this.body.setMatrixAt(i, this.root);
    this.place(this.head, i, 0, 1.17, 0, 0, 0, 0, 1);
    const bot = this.models[i] === 'bot';
    this.place(this.hat, i, 0, bot ? 1.38 : 1.33, 0, 0, 0, 0, bot ? 0.5 : 1);
    this.place(this.visor, i, 0, 1.2, 0.17, 0, 0, 0, bot ? 1.3 : 1);
    this.place(this.arms, i * 2, -0.3, 0.85, 0, armSwing + reach, 0, armL, 1);
    this.place(this.arms, i * 2 + 1, 0.3, 0.85, 0, -armSwing + reach, 0, armR, 1);
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
    for (const m of [this.body, this.head, this.hat, this.visor, this.arms, this.ring]) m.instanceMatrix.needsUpdate = true;
  }

  /** Moves slot `from` into slot `to` (when a member leaves, the last one fills the gap). */
  copySlot(from: number, to: number): void {
    this.models[to] = this.models[from];
    this.phase[to] = this.phase[from];
    for (const m of [this.body, this.head, this.hat]) {
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

  private instanced(geometry: ConstructorParameters<typeof InstancedMesh>[0], material: ConstructorParameters<typeof InstancedMesh>[1], count: number): InstancedMesh {
    const mesh = new InstancedMesh(geometry, material, count);
    mesh.instanceMatrix.setUsage(DynamicDrawUsage);
    mesh.frustumCulled = false;
    this.group.add(mesh);
    return mesh;
  }
}
