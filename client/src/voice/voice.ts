/** Your voice in a room: the microphone (chosen device), mute, a speaking
 * detector that drives `speaking` in your transforms, and the spatial mixer
 * for everyone you hear. The SFU transport plugs in through `VoiceTransport`. */
import { SpatialMixer } from './mixer';

export interface VoiceSession {
  toggleMute(): boolean;
  setMuted(muted: boolean): void;
  speaking(): boolean;
  placeListener(x: number, z: number, rotY: number): void;
  placeSpeaker(userId: string, x: number, z: number): void;
  removeSpeaker(userId: string): void;
  muteForMe(userId: string, muted: boolean): void;
  close(): void;
}

/** Sends the microphone to the SFU and hands back each remote speaker's stream. */
export interface VoiceTransport {
  publish(track: MediaStreamTrack): Promise<void>;
  onSpeaker(handler: (userId: string, stream: MediaStream) => void): void;
  close(): void;
}

/** Level (RMS) above which the microphone counts as speaking. */
export const SPEAKING_RMS = 0.02;

export function isSpeaking(samples: Float32Array, threshold = SPEAKING_RMS): boolean {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / samples.length) > threshold;
}

export interface VoiceOptions { micDeviceId?: string; speakerDeviceId?: string; hearingRadius: number; transport?: VoiceTransport }

export class Voice implements VoiceSession {
  private muted = false;
  private readonly samples = new Float32Array(512);
  private talking = false;
  private frame = 0;

  private constructor(
    private readonly ctx: AudioContext, private readonly mic: MediaStream, private readonly analyser: AnalyserNode,
    readonly mixer: SpatialMixer, private readonly transport?: VoiceTransport,
  ) {}

  /** Asks for the microphone; throws a readable error when it is refused. */
  static async start(o: VoiceOptions): Promise<Voice> {
    let mic: MediaStream;
    try {
      mic = await navigator.mediaDevices.getUserMedia({
        audio: { deviceId: o.micDeviceId ? { exact: o.micDeviceId } : undefined, echoCancellation: true, noiseSuppression: true },
      });
    } catch (err) {
      throw new Error(`Microphone unavailable (${(err as Error).name}): you can still listen and chat.`);
    }
    const ctx = new AudioContext();
    const sinkCtx = ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (o.speakerDeviceId && sinkCtx.setSinkId) await sinkCtx.setSinkId(o.speakerDeviceId).catch(() => undefined);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    ctx.createMediaStreamSource(mic).connect(analyser);
    const voice = new Voice(ctx, mic, analyser, new SpatialMixer(ctx, o.hearingRadius), o.transport);
    if (o.transport) {
      o.transport.onSpeaker((id, stream) => voice.mixer.addSpeaker(id, stream));
      await o.transport.publish(mic.getAudioTracks()[0]);
    }
    return voice;
  }

  toggleMute(): boolean { this.setMuted(!this.muted); return this.muted; }

  setMuted(muted: boolean): void {
    this.muted = muted;
    for (const t of this.mic.getAudioTracks()) t.enabled = !muted;
  }

  speaking(): boolean {
    if (this.muted) return false;
    if (this.frame++ % 4 === 0) {
      this.analyser.getFloatTimeDomainData(this.samples);
      this.talking = isSpeaking(this.samples);
    }
    return this.talking;
  }

  placeListener(x: number, z: number, rotY: number): void { this.mixer.placeListener(x, z, rotY); }
  placeSpeaker(userId: string, x: number, z: number): void { this.mixer.placeSpeaker(userId, x, z); }
  removeSpeaker(userId: string): void { this.mixer.removeSpeaker(userId); }
  muteForMe(userId: string, muted: boolean): void { this.mixer.muteForMe(userId, muted); }

  close(): void {
    this.transport?.close();
    this.mixer.close();
    for (const t of this.mic.getTracks()) t.stop();
    void this.ctx.close();
  }
}
