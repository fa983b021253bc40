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
