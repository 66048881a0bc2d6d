/** A tiny element builder: tag, attributes, children. Text is always set as text, never as HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      element.append(child);
    }
  }
  return element;
}

export const ms = (value: number | undefined | null): string => (value === undefined || value === null ? '–' : `${value.toFixed(0)} ms`);

export function badge(status: string): HTMLElement {
  return h('span', { class: `badge ${status}`, 'data-status': status }, status);
}
