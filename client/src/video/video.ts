/** Video in a room: your camera (the device chosen in settings) and your
 * screen, sent through the SFU transport, and the cameras and screens it
 * forwards to you, drawn by the panel. Without a transport (the offline demo)
 * you still see yourself. */
import type { Status } from '../net/realtime/types';
import { VideoPanel } from './panel';
import { tileMode, VideoBoard, type Tile, type VideoSource } from './tiles';

export interface VideoTransport {
  onTrack(handler: (mid: string, stream: MediaStream, kind: 'audio' | 'video') => void): void;
  onOwner(handler: (mid: string, userId: string | null, kind: 'audio' | 'video', source: string | null) => void): void;
  sendVideo(source: VideoSource, track: MediaStreamTrack | null): Promise<void>;
  framesDecoded(out: Map<string, number>): Promise<void>;
}

/** How often incoming video is checked for fresh frames (see STALE_SAMPLES). */
const SAMPLE_MS = 1000;

export class VideoRoom {
  readonly board: VideoBoard;
  private panel: VideoPanel | null = null;
  private readonly incoming = new Map<string, MediaStream>();
  private readonly local: Partial<Record<VideoSource, MediaStream>> = {};
  private readonly decoded = new Map<string, number>();
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private sampling = false;
  /** Your camera or screen went on or off (by you, or by the browser ending it). */
  onLocal: (source: VideoSource, on: boolean) => void = () => undefined;

  constructor(private readonly selfId: string, private readonly template: string, private readonly transport: VideoTransport | null, private cameraId?: string) {
    this.board = new VideoBoard(selfId);
    transport?.onTrack((mid, stream, kind) => { if (kind === 'video') this.incoming.set(mid, stream); });
    transport?.onOwner((mid, userId, kind, source) => {
      if (kind !== 'video') return;
      this.board.owner(mid, userId, source);
      this.refresh();
    });
    if (transport) this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
  }

  mount(parent: HTMLElement, name: (userId: string) => string, status: (userId: string) => Status | null): void {
    this.panel = new VideoPanel(parent, tileMode(this.template), this.selfId, {
      stream: (t: Tile) => (t.mid === null ? this.local[t.source] : this.incoming.get(t.mid)) ?? null,
      name, status,
      stopSharing: () => void this.setScreen(false),
    });
    this.refresh();
  }

  /** Turns your camera on or off; returns what went wrong, if anything. */
  setCamera(on: boolean): Promise<string | null> {
    return this.set('camera', on ? () => navigator.mediaDevices.getUserMedia({
      video: { deviceId: this.cameraId ? { exact: this.cameraId } : undefined, width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15, max: 24 } },
    }) : null);
  }

  /** Uses the camera `deviceId` (none: the default) from now on; one that is
   * on switches at once (the new track replaces the old on the connection). */
  useCamera(deviceId?: string): Promise<string | null> {
    this.cameraId = deviceId;
    return this.board.isLocal('camera') ? this.setCamera(true) : Promise.resolve(null);
  }

  /** Starts or stops sharing your screen; returns what went wrong, if anything. */
  setScreen(on: boolean): Promise<string | null> {
    return this.set('screen', on ? () => navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 5, max: 15 } }, audio: false }) : null);
  }

  /** Names or statuses changed. */
  relabel(): void { this.panel?.relabel(); }

  close(): void {
    clearInterval(this.timer);
    for (const s of Object.values(this.local)) for (const t of s.getTracks()) t.stop();
  }

  private async set(source: VideoSource, open: (() => Promise<MediaStream>) | null): Promise<string | null> {
    for (const t of this.local[source]?.getTracks() ?? []) t.stop();
    delete this.local[source];
    let track: MediaStreamTrack | null = null;
    if (open) {
      try {
        const stream = await open();
        track = stream.getVideoTracks()[0];
        this.local[source] = stream;
        // The browser's own "stop sharing" (or an unplugged camera) ends the track.
        track.addEventListener('ended', () => { if (this.local[source] === stream) void this.set(source, null); });
      } catch (err) {
        this.board.setLocal(source, false);
        this.refresh();
        this.onLocal(source, false);
        return `${source === 'camera' ? 'Camera' : 'Screen share'} unavailable (${(err as Error).name}).`;
      }
    }
    this.board.setLocal(source, track !== null);
    this.refresh();
    this.onLocal(source, track !== null);
    try {
      await this.transport?.sendVideo(source, track);
      return null;
    } catch (err) {
      return `Others cannot see your ${source} yet: ${(err as Error).message}`;
    }
  }

  private refresh(): void { this.panel?.render(this.board.layout()); }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      await this.transport!.framesDecoded(this.decoded);
      let changed = false;
      for (const mid of this.board.mids()) changed = this.board.frames(mid, this.decoded.get(mid) ?? 0) || changed;
      if (changed) this.refresh();
    } finally {
      this.sampling = false;
    }
  }
}
