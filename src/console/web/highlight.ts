/**
 * @module JSON highlighting for policy documents and responses: tokens become `<span>`s with a
 * class (`k` key, `s` string, `n` number, `b` boolean/null, `p` punctuation), built as DOM nodes,
 * so nothing in a document is ever parsed as HTML.
 */
import { h } from './dom.js';

const TOKEN =
  /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],])/g;

/**
 * The console view of a value in a response, by the key it is under (`RoleName`, `InstanceId`,
 * `Arn`…) or, under no key it knows, by its shape (`i-…`, `vpc-…`, `vsw-…`); or undefined. Names are passed through `encodeURIComponent`.
 * @example
 * idRoute('RamRoleName', 'EcsRamRoleTest') // '/roles/EcsRamRoleTest'
 */
export function idRoute(key: string | undefined, value: string): string | undefined {
  if (value === '') return undefined;
  if (key === undefined) return idShaped(value);
  const enc = encodeURIComponent;
  switch (key) {
    case 'RoleName':
    case 'RamRoleName':
      return `/roles/${enc(value)}`;
    case 'UserName':
      return `/users/${enc(value)}`;
    case 'PolicyName':
      return `/policies/any/${enc(value)}`;
    case 'InstanceId':
      return '/instances';
    case 'VpcId':
    case 'VSwitchId':
      return '/network';
    case 'Bucket':
    case 'BucketName':
      return `/buckets/${enc(value)}`;
    case 'Arn': {
      // acs:ram::<account>:role/<name> (or user/<name>)
      const m = /^acs:ram::\d+:(role|user)\/([^/]+)$/.exec(value);
      return m ? `/${m[1]}s/${enc(m[2]!)}` : undefined;
    }
    default:
      return idShaped(value);
  }
}

/**
 * The view of a value shaped like an instance, VPC or vSwitch id, wherever it is (an item of
 * `InstanceIdSet`, say): `i-`, `vpc-` or `vsw-` and 8 to 30 lower-case letters and digits.
 */
function idShaped(value: string): string | undefined {
  const m = /^(i|vpc|vsw)-[a-z0-9]{8,30}$/.exec(value);
  if (!m) return undefined;
  return m[1] === 'i' ? '/instances' : '/network';
}

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
