/** WebXR, loaded only when a player presses "Enter VR": an immersive session
 * whose rig stands where the local member is, with controllers that point a
 * teleport ray at the floor and move the member on trigger release. */
import {
  BufferGeometry, Group, Line, LineBasicMaterial, Matrix4, Mesh, MeshBasicMaterial, Raycaster, RingGeometry, Vector3,
  type XRTargetRaySpace,
} from 'three';
import type { Stage } from '../render/stage';
import { isWall } from '../world/world';

export interface VrHooks { position(): { x: number; z: number }; teleport(x: number, z: number): void }

export async function startVr(stage: Stage, hooks: VrHooks): Promise<void> {
  const xr = (navigator as Navigator & { xr?: XRSystem }).xr;
  if (!xr) throw new Error('WebXR is not available');
  const session = await xr.requestSession('immersive-vr', { optionalFeatures: ['local-floor'] });
  const renderer = stage.renderer;
  const rig = new Group();
  rig.add(stage.perspective);
  stage.scene.add(rig);
  const marker = new Mesh(new RingGeometry(0.25, 0.32, 32).rotateX(-Math.PI / 2), new MeshBasicMaterial({ color: '#40d6c4' }));
  marker.visible = false;
  stage.scene.add(marker);
  const ray = new Raycaster();
  const m = new Matrix4();
  const hit = new Vector3();
  const controllers: XRTargetRaySpace[] = [];
  for (let i = 0; i < 2; i++) {
    const c = renderer.xr.getController(i);
    c.add(new Line(new BufferGeometry().setFromPoints([new Vector3(0, 0, 0), new Vector3(0, 0, -5)]), new LineBasicMaterial({ color: '#ffffff' })));
    c.userData.aiming = false;
    c.addEventListener('selectstart', () => { c.userData.aiming = true; });
    c.addEventListener('selectend', () => {
      c.userData.aiming = false;
      if (marker.visible) { hooks.teleport(marker.position.x, marker.position.z); marker.visible = false; }
    });
    rig.add(c);
    controllers.push(c);
  }
  const place = () => { const p = hooks.position(); rig.position.set(p.x, 0, p.z); };
  place();
  const aim = () => {
    marker.visible = false;
    for (const c of controllers) {
      if (!c.userData.aiming) continue;
      m.identity().extractRotation(c.matrixWorld);
      ray.ray.origin.setFromMatrixPosition(c.matrixWorld);
      ray.ray.direction.set(0, 0, -1).applyMatrix4(m);
      if (ray.ray.direction.y < -0.01) {
        const t = -ray.ray.origin.y / ray.ray.direction.y;
        hit.copy(ray.ray.direction).multiplyScalar(t).add(ray.ray.origin);
        if (!isWall(stage.world, hit.x, hit.z)) { marker.position.set(hit.x, 0.02, hit.z); marker.visible = true; }
      }
    }
  };
  stage.vrFrame = () => { place(); aim(); };
  await renderer.xr.setSession(session);
  session.addEventListener('end', () => {
    stage.vrFrame = null;
    stage.scene.remove(rig, marker);
    stage.scene.add(stage.perspective);
  });
}
