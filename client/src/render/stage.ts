/** One renderer for every template: the room built from its world document,
 * the crowd of avatars, lights and a camera that suits the template (a 3D
 * follow camera in the bar, a calm overview in focus rooms, top-down or
 * isometric over the tile maps of the office and the world). */
import {
  AmbientLight, Camera, Color, DirectionalLight, Fog, HemisphereLight, Mesh, OrthographicCamera, PerspectiveCamera, Plane,
  PointLight, Raycaster, Scene, SpotLight, Vector2, Vector3, WebGLRenderer,
} from 'three';
import { extent, type World } from '../world/world';
import { Crowd } from './crowd';
import { LOOKS } from './palette';
import { buildRoom, type RoomMesh } from './worldMesh';

export type ViewMode = 'follow' | 'overview' | 'top' | 'iso';

export function defaultView(world: World): ViewMode {
  return { bar: 'follow', focus: 'overview', office: 'top', world: 'iso' }[world.template] as ViewMode;
}

export class Stage {
  readonly renderer: WebGLRenderer;
  readonly scene = new Scene();
  readonly crowd: Crowd;
  room: RoomMesh;
  readonly perspective = new PerspectiveCamera(55, 1, 0.1, 200);
  readonly ortho = new OrthographicCamera(-10, 10, 10, -10, 0.1, 300);
  view: ViewMode;
  /** The ground-plane direction "up" on the screen and "right", for movement input. */
  readonly forward = new Vector3(0, 0, -1);
  readonly right = new Vector3(1, 0, 0);
  private readonly target = new Vector3();
  private readonly lookAt = new Vector3();
  private readonly ray = new Raycaster();
  private readonly ground = new Plane(new Vector3(0, 1, 0), 0);
  private readonly ndc = new Vector2();
  private orthoHalf = 9;

  constructor(readonly canvas: HTMLCanvasElement, readonly world: World, capacity: number) {
    this.renderer = new WebGLRenderer({ canvas, antialias: true, powerPreference: 'high-performance' });
    this.renderer.setPixelRatio(Math.min(devicePixelRatio, 2));
    this.renderer.xr.enabled = true;
    const look = LOOKS[world.template];
    this.scene.background = new Color(look.background);
    if (look.fog) this.scene.fog = new Fog(look.background, 14, 40);
    this.room = buildRoom(world, world.template === 'bar' ? 'full' : 'low');
    this.scene.add(this.room.group);
    this.crowd = new Crowd(capacity);
    this.scene.add(this.crowd.group);
    this.light(look.ambient, look.sun);
    this.view = defaultView(world);
    this.setView(this.view);
  }

  get camera(): Camera { return this.view === 'top' || this.view === 'iso' ? this.ortho : this.perspective; }

  setView(view: ViewMode): void {
    this.view = view;
    const s = Math.SQRT1_2;
    this.crowd.sizeScale = view === 'top' ? 1.7 : view === 'iso' ? 1.3 : 1;
    if (view === 'iso') { this.forward.set(-s, 0, -s); this.right.set(s, 0, -s); }
    else { this.forward.set(0, 0, -1); this.right.set(1, 0, 0); }
    this.resize();
  }

  resize(): void {
    const w = this.canvas.clientWidth || innerWidth, h = this.canvas.clientHeight || innerHeight;
    this.renderer.setSize(w, h, false);
    const aspect = w / h;
    this.perspective.aspect = aspect;
    this.perspective.fov = aspect < 1 ? 78 : 55; // a phone held upright still sees the room around the member
    this.perspective.updateProjectionMatrix();
    // Top-down shows the whole map when it fits at a readable scale; isometric stays close.
    const [ex, ez] = extent(this.world);
    this.orthoHalf = this.view === 'iso' ? 10 : Math.min(14, Math.max(ez / 2, ex / 2 / aspect) + 0.8);
    const half = aspect < 1 && this.view === 'iso' ? this.orthoHalf / aspect * 0.8 : this.orthoHalf;
    this.ortho.left = -half * aspect; this.ortho.right = half * aspect; this.ortho.top = half; this.ortho.bottom = -half;
    this.ortho.updateProjectionMatrix();
  }

  /** Moves the camera towards the local member at (x, z); `snap` jumps straight there. */
  follow(x: number, z: number, dt: number, snap = false): void {
    if (this.renderer.xr.isPresenting) return;
    const [ex, ez] = extent(this.world);
    const k = snap ? 1 : 1 - Math.exp(-dt * 5);
    if (this.view === 'overview') this.target.set(ex / 2, 0, ez / 2);
    else this.target.lerp(this.lookAt.set(x, 0, z), k);
    const t = this.target;
    switch (this.view) {
      case 'follow':
        this.perspective.position.set(t.x, 6, t.z + 8.5);
        this.perspective.lookAt(t.x, 0.8, t.z - 1.5);
        break;
      case 'overview':
        this.perspective.position.set(t.x, Math.max(ex, ez) * 0.75, t.z + ez * 0.75);
        this.perspective.lookAt(t.x, 0, t.z + 0.5);
        break;
      case 'top': {
        // Keep the view inside the map: centre it on an axis where the map fits.
        const halfW = (this.ortho.right - this.ortho.left) / 2, halfH = (this.ortho.top - this.ortho.bottom) / 2;
        const cx = ex <= halfW * 2 ? ex / 2 : Math.min(Math.max(t.x, halfW), ex - halfW);
        const cz = ez <= halfH * 2 ? ez / 2 : Math.min(Math.max(t.z, halfH), ez - halfH);
        this.ortho.position.set(cx, 50, cz);
        this.ortho.up.set(0, 0, -1);
        this.ortho.lookAt(cx, 0, cz);
        break;
      }
      case 'iso':
        this.ortho.position.set(t.x + 30, 30 * 0.8165 * Math.SQRT2, t.z + 30);
        this.ortho.up.set(0, 1, 0);
        this.ortho.lookAt(t.x, 0, t.z);
        break;
    }
    this.ortho.updateMatrixWorld();
    this.perspective.updateMatrixWorld();
  }

  /** The ground point under a screen position (click-to-walk), written into `out`; false when none. */
  pickGround(clientX: number, clientY: number, out: Vector3): boolean {
    const r = this.canvas.getBoundingClientRect();
    this.ndc.set(((clientX - r.left) / r.width) * 2 - 1, -((clientY - r.top) / r.height) * 2 + 1);
    this.ray.setFromCamera(this.ndc, this.camera);
    return this.ray.ray.intersectPlane(this.ground, out) !== null;
  }

  /** Builds the room again from its world document, which was changed in place (a republished world). */
  rebuild(): void {
    this.scene.remove(this.room.group);
    this.room.group.traverse((o) => {
      const part = o as Mesh;
      part.geometry?.dispose();
      for (const m of [part.material ?? []].flat()) m.dispose();
    });
    this.room = buildRoom(this.world, this.world.template === 'bar' ? 'full' : 'low');
    this.scene.add(this.room.group);
    this.resize();
  }

  /** Called each frame while an immersive session runs (set by the lazily loaded VR module). */
  vrFrame: (() => void) | null = null;

  render(timeS: number): void {
    const vr = this.renderer.xr.isPresenting;
    if (vr) this.vrFrame?.();
    this.room.animate(timeS);
    this.crowd.commit();
    this.renderer.render(this.scene, vr ? this.perspective : this.camera);
  }

  dispose(): void {
    this.renderer.setAnimationLoop(null);
    this.renderer.dispose();
  }

  private light(ambient: number, sun: number): void {
    const [ex, ez] = extent(this.world);
    if (this.world.template === 'bar') {
      this.scene.add(new HemisphereLight('#ffd9a8', '#2a1840', ambient * 1.6));
      for (const x of [ex * 0.3, ex * 0.5, ex * 0.7]) {
        const lamp = new PointLight('#ffb66b', 14, 9, 1.6);
        lamp.position.set(x, 3, 3.4);
        this.scene.add(lamp);
      }
      const dance = (this.world.objects ?? []).find((o) => o.kind === 'dancefloor');
      if (dance) {
        const spot = new SpotLight('#d16bff', 60, 14, 0.6, 0.5, 1.2);
        spot.position.set(dance.x, 6, dance.z + 1);
        spot.target.position.set(dance.x, 0, dance.z);
        this.scene.add(spot, spot.target);
      }
      return;
    }
    this.scene.add(new AmbientLight('#ffffff', ambient));
    const d = new DirectionalLight('#fff6e5', sun * 1.6);
    d.position.set(ex * 0.3, 20, ez * 0.8);
    d.target.position.set(ex / 2, 0, ez / 2);
    this.scene.add(d, d.target);
  }
}
