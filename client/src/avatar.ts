/** Avatar looks. On the wire a member carries only `avatarId`; we pack the
 * user's avatar (model and two colours) into it as "model-rrggbb-rrggbb" so
 * every client draws the same look without another lookup. */

export type AvatarModel = 'round' | 'slim' | 'bot';
export const AVATAR_MODELS: readonly AvatarModel[] = ['round', 'slim', 'bot'];

export interface Avatar { model: AvatarModel; colors: { body: string; accent: string }; accessories?: string[] }

export const DEFAULT_AVATAR: Avatar = { model: 'round', colors: { body: '#ff8a5b', accent: '#2ec4b6' }, accessories: [] };

export function avatarId(a: Avatar): string {
  return `${a.model}-${a.colors.body.slice(1).toLowerCase()}-${a.colors.accent.slice(1).toLowerCase()}`;
}

/** Reads an avatarId; anything unrecognised gets a stable look derived from it. */
export function parseAvatarId(id: string): Avatar {
  const m = /^(round|slim|bot)-([0-9a-f]{6})-([0-9a-f]{6})$/i.exec(id);
  if (m) return { model: m[1] as AvatarModel, colors: { body: '#' + m[2], accent: '#' + m[3] } };
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  const hue = h % 360;
  return { model: AVATAR_MODELS[h % 3], colors: { body: hsl(hue, 70, 62), accent: hsl((hue + 150) % 360, 60, 50) } };
}

function hsl(h: number, s: number, l: number): string {
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}
