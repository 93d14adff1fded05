/**
 * @module A few DOM helpers instead of a framework: `h()` builds elements (text is always set as
 * text, never parsed as HTML), `mount()` replaces a container's content.
 */

/** Attributes and handlers of {@link h}; `on*` functions become listeners. */
export type Attrs = Record<
  string,
  string | number | boolean | undefined | null | ((e: any) => void)
>;

/** A child: an element, text, or nothing. */
export type Child = Node | string | number | false | null | undefined | Child[];

function append(el: Element | DocumentFragment, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(el, c);
    return;
  }
  el.append(child instanceof Node ? child : document.createTextNode(String(child)));
}

/**
 * Creates an element.
 * @example
 * h('button', { type: 'button', onclick: () => send() }, 'Send')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(value);
    } else if (name === 'checked' && 'checked' in el) {
      (el as HTMLInputElement).checked = Boolean(value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const c of children) append(el, c);
  return el;
}

/** Replaces the content of `el` with `children`. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  for (const c of children) append(el, c);
}

/**
 * A count in words, as a person writes it.
 * @example
 * count(1, 'event') // '1 event'
 * count(2, 'policy', 'policies') // '2 policies'
 */
export const count = (n: number, one: string, many = `${one}s`): string =>
  `${n} ${n === 1 ? one : many}`;

/**
 * Text with its `backticked` parts as `<code>` (the declarations' docs write names that way),
 * each made by `code` (say, {@link breakable}).
 * @example
 * withCode('also needs `ram:PassRole`') // ['also needs ', <code>ram:PassRole</code>]
 */
export function withCode(text: string, code: (s: string) => Child = (s) => s): Child[] {
  // Only a closed pair is code: a lone backtick (a password's allowed characters) is text.
  const out: Child[] = [];
  let last = 0;
  for (const m of text.matchAll(/`([^`\n]{1,200})`/g)) {
    out.push(text.slice(last, m.index), h('code', {}, code(m[1]!)));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

/**
 * `text` as parts that each stay on one line, with a line-break opportunity (`<wbr>`) after each
 * character of `after` (`:` and `/`): an ARN or a path that must wrap does so between its parts, never inside a name
 * (nor at a `-` in one). The text itself is unchanged.
 * @example
 * breakable('acs:oss:*:123:b/k') // <span>acs:</span><wbr><span>oss:</span><wbr>…<span>k</span>
 */
export function breakable(text: string, after = ':/'): Child[] {
  const out: Child[] = [];
  let last = 0;
  const part = (end: number) => h('span', { class: 'nowrap' }, text.slice(last, end));
  for (let i = 0; i < text.length; i++) {
    if (after.includes(text[i]!) && i + 1 < text.length) {
      out.push(part(i + 1), h('wbr'));
      last = i + 1;
    }
  }
  out.push(part(text.length));
  return out;
}

let ids = 0;
/** A unique element id with `prefix`. */
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}

/**
 * A `<table>` with a header row and body rows; `empty` is what its one cell says when there are no
 * rows (best: what to create first, and a link to where).
 */
export function table(
  headers: string[],
  rows: Child[][],
  caption?: string,
  empty: Child = 'none',
): HTMLTableElement {
  return h(
    'table',
    {},
    caption ? h('caption', {}, caption) : null,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length === 0
        ? h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, empty))
        : rows.map((r) =>
            h(
              'tr',
              {},
              r.map((c) => h('td', {}, c)),
            ),
          ),
    ),
  );
}

/** A link inside the page (hash route). */
export function link(route: string, text: Child, attrs: Attrs = {}): HTMLAnchorElement {
  return h('a', { href: `#${route}`, ...attrs }, text);
}
