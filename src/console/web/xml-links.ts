/**
 * @module The resources an OSS XML response names, found in its formatted text (see
 * `xml-format.ts`): a bucket's name, an object's key and a prefix become links to the bucket
 * browser (at the bucket, at the folder holding the object, at the prefix); any other element
 * whose name or value {@link idRoute} knows (`InstanceId`, `RoleName`, `i-…`) links to its view.
 * Pure text in, segments out (no DOM), one pass over the lines, no regular expression over the
 * response.
 */
import { bucketRoute, idRoute } from './id-route.js';

/** A piece of the formatted text: plain, or a value with the view it links to. */
export type XmlSegment = string | { text: string; route: string };

/** The five entities XML predefines, and numeric references, as text. */
function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    const semi = amp === -1 ? -1 : s.indexOf(';', amp);
    if (amp === -1 || semi === -1 || semi - amp > 10) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, amp);
    const name = s.slice(amp + 1, semi);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    let ch = named[name];
    if (ch === undefined && name.startsWith('#')) {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (Number.isInteger(code) && code >= 0 && code <= 0x10ffff) ch = String.fromCodePoint(code);
    }
    out += ch ?? s.slice(amp, semi + 1);
    i = semi + 1;
  }
  return out;
}

/** Elements whose `<Name>` is a bucket's (the others name a tag, a rule, a user…). */
const BUCKET_HOLDERS = new Set(['ListBucketResult', 'ListVersionsResult', 'Bucket']);

/**
 * `formatted` (the output of `formatXml`) cut into text and links. `bucket` is the bucket the
 * request was about, for keys when the response does not name it before them.
 * @example
 * xmlSegments('<ListBucketResult>\n  <Name>b</Name>\n</ListBucketResult>')
 * // ['<ListBucketResult>\n  <Name>', { text: 'b', route: '/buckets/b' }, '</Name>\n</ListBucketResult>']
 */
export function xmlSegments(formatted: string, bucket?: string): XmlSegment[] {
  const out: XmlSegment[] = [];
  let plain = '';
  // Open elements, outermost first: what a `<Name>` or `<Prefix>` is the name of.
  const open: string[] = [];
  let current = bucket;
  const lines = formatted.split('\n');
  for (const [n, line] of lines.entries()) {
    const nl = n < lines.length - 1 ? '\n' : '';
    const start = line.indexOf('<');
    const gt = start === -1 ? -1 : line.indexOf('>', start);
    const tag = gt === -1 ? '' : line.slice(start + 1, gt);
    // `<Tag>text</Tag>`: one element holding only text (attributes and namespaces left alone).
    const close = `</${tag}>`;
    const leaf =
      tag !== '' &&
      /^[A-Za-z][\w.-]*$/.test(tag) &&
      line.endsWith(close) &&
      line.length - close.length > gt &&
      !line.slice(gt + 1, line.length - close.length).includes('<');
    if (!leaf) {
      if (tag.startsWith('/')) open.pop();
      // An element that opens here and is not closed on its line (`<a x="1">…</a>` is closed).
      else if (
        tag !== '' &&
        !tag.endsWith('/') &&
        !'?!'.includes(tag[0]!) &&
        !line.includes('</', gt)
      ) {
        open.push(tag.split(/\s/, 1)[0]!);
      }
      plain += line + nl;
      continue;
    }
    const raw = line.slice(gt + 1, line.length - close.length);
    const value = unescapeXml(raw);
    const parent = open[open.length - 1];
    let route: string | undefined;
    if (
      (tag === 'Name' && parent !== undefined && BUCKET_HOLDERS.has(parent)) ||
      tag === 'Bucket'
    ) {
      current = value;
      route = bucketRoute(value);
    } else if (tag === 'Key' && current !== undefined) {
      // An object is shown in the listing of the folder that holds it.
      route = bucketRoute(current, value.slice(0, value.lastIndexOf('/') + 1));
    } else if (tag === 'Prefix' && current !== undefined) {
      route = bucketRoute(current, value);
    } else if (tag !== 'Name') {
      route = idRoute(tag, value);
    }
    if (route === undefined || raw === '') {
      plain += line + nl;
      continue;
    }
    out.push(plain + line.slice(0, gt + 1));
    out.push({ text: raw, route });
    plain = close + nl;
  }
  if (plain !== '') out.push(plain);
  return out;
}
