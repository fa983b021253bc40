/** Spatial audio. The SFU forwards the loudest speakers on a few incoming
 * tracks (slots, by `mid`) and says which member each slot carries now; each
 * slot has its own gain (mute for me) and PannerNode placed where that member
 * stands, so people near you are louder and come from their side. */

interface Slot { source: MediaStreamAudioSourceNode; gain: GainNode; panner: PannerNode; sink: HTMLAudioElement; owner: string | null }

export class SpatialMixer {
  private readonly slots = new Map<string, Slot>();
  private readonly slotOf = new Map<string, string>();
  private readonly muted = new Set<string>();

  constructor(readonly ctx: AudioContext, private readonly hearingRadius: number) {}

  addSlot(mid: string, stream: MediaStream): void {
    this.removeSlot(mid);
    // Chrome only feeds a remote WebRTC stream into WebAudio while a media element plays it.
    const sink = new Audio();
    sink.muted = true;
    sink.srcObject = stream;
    void sink.play().catch(() => undefined);
    const source = this.ctx.createMediaStreamSource(stream);
    const gain = this.ctx.createGain();
    const panner = new PannerNode(this.ctx, {
      panningModel: 'HRTF', distanceModel: 'linear', refDistance: 1, maxDistance: this.hearingRadius, rolloffFactor: 1,
    });
    source.connect(gain).connect(panner).connect(this.ctx.destination);
    this.slots.set(mid, { source, gain, panner, sink, owner: null });
  }

  /** Slot `mid` now carries `userId` (null: nobody). */
  setOwner(mid: string, userId: string | null): void {
    const slot = this.slots.get(mid);
    if (!slot) return;
    if (slot.owner && this.slotOf.get(slot.owner) === mid) this.slotOf.delete(slot.owner);
    slot.owner = userId;
    if (userId) this.slotOf.set(userId, mid);
    slot.gain.gain.value = userId && !this.muted.has(userId) ? 1 : 0;
  }

  removeSlot(mid: string): void {
    const s = this.slots.get(mid);
    if (!s) return;
    this.setOwner(mid, null);
    s.source.disconnect(); s.gain.disconnect(); s.panner.disconnect();
    s.sink.srcObject = null;
    this.slots.delete(mid);
  }

  removeSpeaker(userId: string): void {
    const mid = this.slotOf.get(userId);
    if (mid) this.setOwner(mid, null);
  }

  muteForMe(userId: string, muted: boolean): void {
    if (muted) this.muted.add(userId); else this.muted.delete(userId);
    const mid = this.slotOf.get(userId);
    if (mid) this.slots.get(mid)!.gain.gain.value = muted ? 0 : 1;
  }

  placeSpeaker(userId: string, x: number, z: number): void {
    const mid = this.slotOf.get(userId);
    if (mid === undefined) return;
    const p = this.slots.get(mid)!.panner;
    p.positionX.value = x;
    p.positionZ.value = z;
  }

  /** The listener stands at (x, z) facing rotY (0 = south, +z). */
  placeListener(x: number, z: number, rotY: number): void {
    const l = this.ctx.listener;
    l.positionX.value = x; l.positionZ.value = z; l.positionY.value = 0;
    l.forwardX.value = Math.sin(rotY); l.forwardZ.value = Math.cos(rotY); l.forwardY.value = 0;
    l.upX.value = 0; l.upY.value = 1; l.upZ.value = 0;
  }

  close(): void { for (const mid of [...this.slots.keys()]) this.removeSlot(mid); }
}
