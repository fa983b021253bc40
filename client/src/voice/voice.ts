/** Your voice in a room: the microphone (chosen device), mute, a speaking
 * detector that drives `speaking` in your transforms, and the spatial mixer
 * for everyone you hear. The SFU transport plugs in through `VoiceTransport`. */
import { micConstraints } from './devices';
import { SpatialMixer } from './mixer';

/** What the mic button says: `none` no microphone found, `denied` not allowed. */
export type MicState = 'live' | 'muted' | 'none' | 'denied';

export interface VoiceSession {
  toggleMute(): boolean;
  micState(): MicState;
  /** Deafened: you hear nobody and nobody hears you; true when now deafened. */
  toggleDeafen(): boolean;
  setMuted(muted: boolean): void;
  /** Device choice inside the room: live, without rejoining; resolves with what went wrong, if anything. */
  useMic(deviceId?: string): Promise<string | null>;
  useSpeaker(deviceId?: string): Promise<string | null>;
  speaking(): boolean;
  placeListener(x: number, z: number, rotY: number): void;
  placeSpeaker(userId: string, x: number, z: number): void;
  removeSpeaker(userId: string): void;
  muteForMe(userId: string, muted: boolean): void;
  close(): void;
}

/** Sends the microphone to the SFU and hands back the forwarded tracks (by
 * mid) and which member each one carries; video is the video board's. */
export interface VoiceTransport {
  publish(track: MediaStreamTrack | null): Promise<void>;
  /** Sends `track` as the microphone from now on, on the same connection (no rejoin). */
  replaceMic(track: MediaStreamTrack): Promise<void>;
  onTrack(handler: (mid: string, stream: MediaStream, kind: 'audio' | 'video') => void): void;
  onOwner(handler: (mid: string, userId: string | null, kind: 'audio' | 'video') => void): void;
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
  private deafened = false;
  private micError = '';
  private readonly samples = new Float32Array(512);
  private talking = false;
  private frame = 0;

  /** Why the microphone is off, when it could not be opened (listening still works). */
  micProblem: string | null = null;
  /** Why nobody hears or sees you, when there is no voice server or it could not be reached. */
  linkProblem: string | null = null;

  private source: MediaStreamAudioSourceNode | null = null;

  private constructor(
    private readonly ctx: AudioContext, private mic: MediaStream | null, private readonly analyser: AnalyserNode,
    readonly mixer: SpatialMixer, private readonly transport?: VoiceTransport,
  ) {}

  /** Asks for the microphone; without it the member still hears and chats (`micProblem` says why). */
  static async start(o: VoiceOptions): Promise<Voice> {
    let mic: MediaStream | null = null;
    let problem: string | null = null;
    let micError = '';
    try {
      mic = await navigator.mediaDevices.getUserMedia({ audio: micConstraints(o.micDeviceId) });
    } catch (err) {
      problem = `Microphone unavailable (${(err as Error).name}): you can still listen and chat.`;
      mic = null;
      micError = (err as Error).name;
    }
    const ctx = new AudioContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    const voice = new Voice(ctx, mic, analyser, new SpatialMixer(ctx, o.hearingRadius), o.transport);
    voice.listenTo(mic);
    if (o.speakerDeviceId) await voice.useSpeaker(o.speakerDeviceId);  // a speaker unplugged since: the default plays
    voice.micProblem = problem;
    voice.micError = micError;
    if (o.transport) {
      o.transport.onTrack((mid, stream, kind) => { if (kind === 'audio') voice.mixer.addSlot(mid, stream); });
      o.transport.onOwner((mid, userId, kind) => { if (kind === 'audio') voice.mixer.setOwner(mid, userId); });
      await o.transport.publish(mic?.getAudioTracks()[0] ?? null).catch((err: Error) => {
        voice.linkProblem = `Voice and video are not connected (${err.message}): you can still move and chat.`;
      });
    } else {
      voice.linkProblem = 'This server has no voice server: you can move and chat, but nobody hears you or sees your camera.';
    }
    return voice;
  }

  /** Switches to the microphone `deviceId` (none: the default) while in the
   * room: the new track replaces the old on the voice connection, muted if
   * you were. Resolves with what went wrong, if anything (the old mic stays then). */
  async useMic(deviceId?: string): Promise<string | null> {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: micConstraints(deviceId) });
    } catch (err) {
      return `That microphone could not be opened (${(err as Error).name}).`;
    }
    const track = stream.getAudioTracks()[0];
    track.enabled = !this.muted && !this.deafened;
    const old = this.mic;
    this.mic = stream;
    this.micError = '';
    this.micProblem = null;
    this.listenTo(stream);
    for (const t of old?.getTracks() ?? []) t.stop();
    try {
      await this.transport?.replaceMic(track);
      return null;
    } catch (err) {
      return `Others may not hear the new microphone yet: ${(err as Error).message}`;
    }
  }

  /** Plays the room on the output `deviceId` (none: the default), where the browser allows it. */
  async useSpeaker(deviceId?: string): Promise<string | null> {
    const sink = this.ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (!sink.setSinkId) return 'This browser plays sound on its default output only.';
    return sink.setSinkId(deviceId ?? '').then(() => null, (err: Error) => `That speaker could not be used (${err.name}).`);
  }

  /** The speaking detector hears `stream` (the current microphone). */
  private listenTo(stream: MediaStream | null): void {
    this.source?.disconnect();
    this.source = stream ? this.ctx.createMediaStreamSource(stream) : null;
    this.source?.connect(this.analyser);
  }

  toggleMute(): boolean { this.setMuted(!this.muted); return this.muted || !this.mic; }

  micState(): MicState {
    if (!this.mic) return this.micError === 'NotAllowedError' || this.micError === 'SecurityError' ? 'denied' : 'none';
    return this.muted || this.deafened ? 'muted' : 'live';
  }

  toggleDeafen(): boolean {
    this.deafened = !this.deafened;
    for (const t of this.mic?.getAudioTracks() ?? []) t.enabled = !this.muted && !this.deafened;
    void (this.deafened ? this.ctx.suspend() : this.ctx.resume());
    return this.deafened;
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    for (const t of this.mic?.getAudioTracks() ?? []) t.enabled = !muted && !this.deafened;
  }

  speaking(): boolean {
    if (this.muted || this.deafened || !this.mic) return false;
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
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    void this.ctx.close();
  }
}
