/** A tiny element helper so screens read as markup. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, props: Partial<Record<string, string | boolean | ((e: Event) => void)>> = {}, ...children: (Node | string | null | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (k === 'text') el.textContent = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== false) el.append(c);
  return el;
}

/** A form field with its name shown above it: placeholders vanish as you
 * type, and a name only screen readers hear leaves everyone else guessing. */
export const field = (name: string, control: HTMLElement, attrs: Record<string, string | boolean> = {}): HTMLLabelElement =>
  h('label', { ...attrs, class: `field ${attrs.class ?? ''}`.trim() }, h('span', { text: name }), control);

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** Where a message goes in a room: just under the HUD's top bar, however many
 * rows it wraps to on a phone, so it never covers the mic, camera or share buttons. */
export function underTopBar(el: HTMLElement): void {
  const bar = document.querySelector('.hud-top');
  el.style.top = bar ? `${Math.round(bar.getBoundingClientRect().bottom) + 8}px` : '';
  el.classList.toggle('in-room', !!bar);
}

/** A short message near the top of the screen (in a room: under the top bar). */
export function toast(text: string, kind: 'info' | 'error' = 'info'): void {
  let el = document.getElementById('toast');
  if (!el) { el = h('div', { id: 'toast', role: 'status', 'aria-live': 'polite' }); document.body.append(el); }
  el.textContent = text;
  el.className = `toast on ${kind}`;
  underTopBar(el);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el!.classList.remove('on'), 4500);
}
