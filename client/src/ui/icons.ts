/** Icons as inline SVG: they draw the same everywhere, also where no emoji
 * font is installed (emoji there show as empty boxes). Simple line drawings
 * on a 24-unit grid in the text's colour; each is decorative (its button or
 * row names it in words). */
import type { EmoteId } from '../net/realtime/types';
import type { Template } from '../world/world';

export type IconName = Template | EmoteId;

/** Path data of each icon (stroked, round caps; `F` marks a filled shape). */
const PATHS: Record<IconName, string[]> = {
  bar: ['M4 4h16l-8 9z', 'M12 13v7', 'M8 20h8', 'M15 7l3-4'],
  office: ['M5 21V4h10v17', 'M15 9h4v12', 'M3 21h18', 'M8 7h1M11 7h1M8 11h1M11 11h1M8 15h1M11 15h1'],
  focus: ['M4 15v-3a8 8 0 0 1 16 0v3', 'M4 14h3v6H4zF', 'M17 14h3v6h-3zF'],
  world: ['M3 20V11l5-4 5 4v9', 'M13 20v-6l4-3 4 3v6', 'M2 20h20', 'M7 20v-4h2v4'],
  cheers: ['M5 4h6v7a3 3 0 0 1-6 0z', 'M13 4h6v7a3 3 0 0 1-6 0z', 'M8 14v6M16 14v6', 'M6 20h4M14 20h4'],
  laugh: ['M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18', 'M8 9l1.5 1.5M16 9l-1.5 1.5', 'M7 13h10a5 5 0 0 1-10 0z'],
  clap: ['M7 12l5-7 2 1-3 6', 'M10 12l5-6 2 1.5-4 6', 'M6 11l-1 5a5 5 0 0 0 9 3l4-6', 'M19 4l1-2M21 7l2-1'],
  wave: ['M8 13V5a1.5 1.5 0 0 1 3 0v6', 'M11 10V4a1.5 1.5 0 0 1 3 0v6', 'M14 10V6a1.5 1.5 0 0 1 3 0v7a7 7 0 0 1-12 4l-2-4a1.5 1.5 0 0 1 2.5-1.5L8 14', 'M20 3l1.5-1.5M21 7h2'],
  heart: ['M12 20l-7-7a4.5 4.5 0 0 1 7-6a4.5 4.5 0 0 1 7 6zF'],
  thumbs_up: ['M7 11v9H4v-9zF', 'M7 11l4-7a2 2 0 0 1 3 2l-1 4h6a2 2 0 0 1 2 2l-2 6a2 2 0 0 1-2 2H7'],
  shrug: ['M12 4a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5', 'M3 9l3 4h12l3-4', 'M9 13v8M15 13v8'],
  dance: ['M13 2a2 2 0 1 0 0 4a2 2 0 1 0 0-4', 'M12 7l-2 6 4 2-1 6', 'M10 13l-4 3', 'M12 8l5-3', 'M12 9L7 7'],
};

const SVG = 'http://www.w3.org/2000/svg';

/** The icon as an `<svg>` element, `size` pixels square. */
export function icon(name: IconName, size = 24): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `icon-svg icon-${name}`);
  for (const d of PATHS[name]) {
    const path = document.createElementNS(SVG, 'path');
    const filled = d.endsWith('F');
    path.setAttribute('d', filled ? d.slice(0, -1) : d);
    path.setAttribute('fill', filled ? 'currentColor' : 'none');
    path.setAttribute('stroke', 'currentColor');
    path.setAttribute('stroke-width', '1.8');
    path.setAttribute('stroke-linecap', 'round');
    path.setAttribute('stroke-linejoin', 'round');
    svg.append(path);
  }
  return svg;
}
