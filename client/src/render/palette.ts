/** Colours and looks of each template, in one place. */
import type { Template, ZoneType } from '../world/world';

export interface Look {
  background: string; floor: string; floorAlt: string; wall: string; wallTop: string;
  ambient: number; sun: number; fog: boolean;
}

export const LOOKS: Record<Template, Look> = {
  bar: { background: '#140d22', floor: '#5a3a26', floorAlt: '#4d3120', wall: '#2d1f3d', wallTop: '#3f2b55', ambient: 0.55, sun: 0.25, fog: true },
  office: { background: '#dfe6ee', floor: '#eef1f4', floorAlt: '#e6eaee', wall: '#4a5568', wallTop: '#2d3748', ambient: 0.9, sun: 0.9, fog: false },
  focus: { background: '#e9efe6', floor: '#d9cbb3', floorAlt: '#d2c3a9', wall: '#a3b59a', wallTop: '#8fa386', ambient: 0.85, sun: 0.7, fog: false },
  world: { background: '#9fd3e8', floor: '#8fc97a', floorAlt: '#86c070', wall: '#b08968', wallTop: '#7f5539', ambient: 0.85, sun: 1.0, fog: false },
};

export const ZONE_COLORS: Record<ZoneType, string> = {
  open: '#9aa5b1', meeting: '#4299e1', quiet: '#48bb78', stage: '#ed8936', focus: '#9f7aea', private: '#ed64a6',
};

export const STATUS_COLORS = { working: '#c53030', break: '#276749', away: '#4a5568' } as const;  // white text on each at 4.5:1 or more
