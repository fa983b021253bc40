/** What a player is told about VR (kept apart from vr.ts, which loads only when VR starts). */
export const VR_NEEDS = 'VR needs a headset and a browser with WebXR: the Quest browser, or Chrome or Edge with a PC headset connected.';

/** Why a VR session did not start, as a sentence. */
export function vrProblem(err: unknown): string {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'NotSupportedError' || /hardware|not available/i.test(e?.message ?? '')) {
    return 'VR could not start: no headset was found. Connect and wake your headset, then try again.';
  }
  return `VR could not start (${e?.message ?? String(err)}). Try again, or keep playing on screen.`;
}

/** The room's Enter VR: whether this browser can (`check`: undefined, or
 * what VR needs), and a session started with a sentence when it cannot. */
export class VrEntry {
  private ready = false;

  constructor(private readonly stage: import('../render/stage').Stage, private readonly self: { x: number; z: number }) {}

  async check(): Promise<string | undefined> {
    const xr = (navigator as Navigator & { xr?: { isSessionSupported(m: string): Promise<boolean> } }).xr;
    this.ready = !!xr && (await xr.isSessionSupported('immersive-vr').catch(() => false));
    return this.ready ? undefined : VR_NEEDS;
  }

  /** Resolves with a sentence for the player when VR did not start (undefined: it runs). */
  async enter(): Promise<string | undefined> {
    if (!this.ready) return VR_NEEDS;
    const { startVr } = await import('./vr');
    return startVr(this.stage, {
      position: () => this.self,
      teleport: (x, z) => { this.self.x = x; this.self.z = z; },
    }).then(() => undefined, (err: unknown) => vrProblem(err));
  }
}
