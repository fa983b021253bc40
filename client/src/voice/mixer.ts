/** Spatial audio: each remote speaker's stream goes through its own gain
 * (mute for me) and PannerNode placed where the edge says they stand, so
 * people near you are louder than people far away and come from their side. */

interface Speaker { source: MediaStreamAudioSourceNode; gain: GainNode; panner: PannerNode; sink: HTMLAudioElement }

export class SpatialMixer {
  private readonly speakers = new Map<string, Speaker>();
  private readonly muted = new Set<string>();

  constructor(readonly ctx: AudioContext, private readonly hearingRadius: number) {}

  addSpeaker(userId: string, stream: MediaStream): void {
    this.removeSpeaker(userId);
    // Chrome only feeds a remote WebRTC stream into WebAudio while a media element plays it.
    const sink = new Audio();
    sink.muted = true;
    sink.srcObject = stream;
    void sink.play().catch(() => undefined);
    const source = this.ctx.createMediaStreamSource(stream);
    const gain = this.ctx.createGain();
    gain.gain.value = this.muted.has(userId) ? 0 : 1;
    const panner = new PannerNode(this.ctx, {
      panningModel: 'HRTF', distanceModel: 'linear', refDistance: 1, maxDistance: this.hearingRadius, rolloffFactor: 1,
    });
    source.connect(gain).connect(panner).connect(this.ctx.destination);
    this.speakers.set(userId, { source, gain, panner, sink });
  }

  removeSpeaker(userId: string): void {
    const s = this.speakers.get(userId);
    if (!s) return;
    s.source.disconnect(); s.gain.disconnect(); s.panner.disconnect();
    s.sink.srcObject = null;
    this.speakers.delete(userId);
  }

  muteForMe(userId: string, muted: boolean): void {
    if (muted) this.muted.add(userId); else this.muted.delete(userId);
    const s = this.speakers.get(userId);
    if (s) s.gain.gain.value = muted ? 0 : 1;
  }

  placeSpeaker(userId: string, x: number, z: number): void {
    const s = this.speakers.get(userId);
    if (!s) return;
    s.panner.positionX.value = x;
    s.panner.positionZ.value = z;
  }

  /** The listener stands at (x, z) facing rotY (0 = south, +z). */
  placeListener(x: number, z: number, rotY: number): void {
    const l = this.ctx.listener;
    l.positionX.value = x; l.positionZ.value = z; l.positionY.value = 1.6;
    l.forwardX.value = Math.sin(rotY); l.forwardZ.value = Math.cos(rotY); l.forwardY.value = 0;
    l.upX.value = 0; l.upY.value = 1; l.upZ.value = 0;
  }

  has(userId: string): boolean { return this.speakers.has(userId); }

  close(): void { for (const id of [...this.speakers.keys()]) this.removeSpeaker(id); }
}
