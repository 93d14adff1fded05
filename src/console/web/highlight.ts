/**
 * @module JSON highlighting for policy documents and responses: tokens become `<span>`s with a
 * class (`k` key, `s` string, `n` number, `b` boolean/null, `p` punctuation), built as DOM nodes,
 * so nothing in a document is ever parsed as HTML.
 */
import { h } from './dom.js';
import { idRoute } from './id-route.js';

const TOKEN =
  /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],])/g;

/**
 * A `<pre>` with `value` pretty-printed (a JSON string is parsed first when it is JSON) and
 * highlighted; with `links`, values that name a resource (see {@link idRoute}) link to its view.
 * @example
 * jsonBlock(policyDocument, 'Trust policy')
 */
export function jsonBlock(value: unknown, label?: string, links = false): HTMLPreElement {
  let text: string;
  if (typeof value === 'string') {
    try {
      text = JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      text = value;
    }
  } else {
    text = JSON.stringify(value, null, 2) ?? String(value);
  }
  const pre = h('pre', { class: 'json', tabindex: 0, ...(label ? { 'aria-label': label } : {}) });
  let last = 0;
  let key: string | undefined;
  const unquote = (t: string): string => {
    try {
      return String(JSON.parse(t));
    } catch {
      return '';
    }
  };
  for (const m of text.matchAll(TOKEN)) {
    if (m.index > last) pre.append(text.slice(last, m.index));
    if (m[1] !== undefined) {
      const span = h('span', { class: m[2] ? 'k' : 's' }, m[1]);
      // A value by the key it is under (an array item only by its id shape), never a key.
      const route = links && !m[2] ? idRoute(key, unquote(m[1])) : undefined;
      pre.append(route ? h('a', { href: `#${route}`, class: 'id-link' }, span) : span);
      if (m[2]) {
        pre.append(m[2]);
        key = unquote(m[1]);
      } else key = undefined;
    } else {
      key = undefined;
      if (m[3] !== undefined) pre.append(h('span', { class: 'n' }, m[3]));
      else if (m[4] !== undefined) pre.append(h('span', { class: 'b' }, m[4]));
      else pre.append(h('span', { class: 'p' }, m[5]!));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) pre.append(text.slice(last));
  return pre;
}
