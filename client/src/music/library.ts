/** A room's music library through the REST API (docs/protocol.md, Music):
 * list it (which also refreshes what the jukebox knows of it) and upload a
 * track (a signed PUT when embedded, a presigned POST to object storage in
 * the cloud, then `done` so the server reads its type and length). */
import type { Api } from '../api/client';

export interface Track {
  id: string; roomId: string | null; title: string; status: 'pending' | 'ready';
  contentType: string | null; durationMs: number | null; url: string;
}
interface Upload { method: 'POST' | 'PUT'; url: string; fields: Record<string, string>; headers: Record<string, string>; maxBytes: number }

/** Where a track plays from: same origin, no credentials (the id is the capability). */
export const audioUrl = (trackId: string): string => `/api/tracks/${trackId}/audio`;

/** A title from a file name: `my_song-01.mp3` → `my song-01`. */
export function titleOf(fileName: string): string {
  const base = fileName.replace(/\.[^.]+$/, '').replace(/_/g, ' ').trim();
  return (base || 'Untitled').slice(0, 80);
}

export class MusicLibrary {
  constructor(private readonly api: Api, private readonly roomId: string) {}

  async tracks(): Promise<Track[]> {
    return (await this.api.request<{ items: Track[] }>('GET', `/rooms/${this.roomId}/tracks`)).items;
  }

  /** Uploads `file`; resolves with the track once the server accepted it (else throws its problem). */
  async upload(file: File, fetcher: typeof fetch = fetch.bind(globalThis)): Promise<Track> {
    const started = await this.api.request<{ track: Track; upload: Upload }>(
      'POST', `/rooms/${this.roomId}/tracks`, { title: titleOf(file.name), size: file.size });
    const { upload, track } = started;
    if (upload.method === 'PUT') {
      const r = await fetcher(upload.url, { method: 'PUT', body: file, headers: upload.headers });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) throw new Error(body.detail ?? `The upload failed (${r.status}).`);
      return body as Track;
    }
    const form = new FormData();
    for (const [k, v] of Object.entries(upload.fields)) form.append(k, v);
    form.append('file', file);
    const r = await fetcher(upload.url, { method: 'POST', body: form });
    if (!r.ok) throw new Error(`The upload was refused (${r.status}): at most ${upload.maxBytes} bytes.`);
    return this.api.request<Track>('POST', `/tracks/${track.id}/done`);
  }
}
