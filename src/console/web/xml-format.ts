/**
 * @module A small XML pretty-printer for OSS responses in the explorer: one pass over the text
 * (each character looked at a bounded number of times, no regular expression), one element per
 * line, an element holding only text kept on one line (`<Key>a.txt</Key>`), indentation capped. Anything it does not
 * recognise as well-formed comes back unchanged, so the user always sees what the server sent.
 */

/** Longest text formatted; a longer body is shown as sent. */
export const XML_FORMAT_LIMIT = 1 << 20;

/** Deepest level indented further. */
const MAX_INDENT = 32;

type Token = { kind: 'open' | 'close' | 'leaf' | 'text'; text: string };

/** Splits `xml` into tags and text; undefined when a tag is not closed. */
function tokens(xml: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  const n = xml.length;
  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) {
      out.push({ kind: 'text', text: xml.slice(i) });
      break;
    }
    if (lt > i) out.push({ kind: 'text', text: xml.slice(i, lt) });
    let end: number;
    if (xml.startsWith('<!--', lt)) {
      end = xml.indexOf('-->', lt + 4);
      if (end === -1) return undefined;
      end += 3;
      out.push({ kind: 'leaf', text: xml.slice(lt, end) });
    } else if (xml.startsWith('<![CDATA[', lt)) {
      end = xml.indexOf(']]>', lt + 9);
      if (end === -1) return undefined;
      end += 3;
      out.push({ kind: 'text', text: xml.slice(lt, end) });
    } else {
      // A tag ends at the first `>` outside a quoted attribute value.
      let quote = '';
      end = -1;
      for (let j = lt + 1; j < n; j++) {
        const c = xml[j]!;
        if (quote) {
          if (c === quote) quote = '';
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') {
          end = j + 1;
          break;
        }
      }
      if (end === -1) return undefined;
      const tag = xml.slice(lt, end);
      const kind =
        tag[1] === '/'
          ? 'close'
          : tag[1] === '?' || tag[1] === '!' || tag.endsWith('/>')
            ? 'leaf'
            : 'open';
      out.push({ kind, text: tag });
    }
    i = end;
  }
  return out;
}

/**
 * `xml` indented two spaces a level; unchanged when it is too long or not well-formed.
 * @example
 * formatXml('<a><b>1</b></a>') // '<a>\n  <b>1</b>\n</a>'
 */
export function formatXml(xml: string): string {
  if (xml.length > XML_FORMAT_LIMIT) return xml;
  const list = tokens(xml);
  if (!list) return xml;
  const lines: string[] = [];
  let depth = 0;
  // Indentation stops growing past MAX_INDENT levels: the output stays linear in the input.
  const pad = () => '  '.repeat(Math.min(depth, MAX_INDENT));
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!;
    if (t.kind === 'text') {
      const text = t.text.trim();
      if (text !== '') lines.push(pad() + text);
    } else if (t.kind === 'leaf') {
      lines.push(pad() + t.text);
    } else if (t.kind === 'open') {
      const next = list[i + 1];
      const after = list[i + 2];
      if (next?.kind === 'close') {
        lines.push(pad() + t.text + next.text);
        i += 1;
      } else if (next?.kind === 'text' && after?.kind === 'close') {
        lines.push(pad() + t.text + next.text + after.text);
        i += 2;
      } else {
        lines.push(pad() + t.text);
        depth += 1;
      }
    } else {
      if (depth === 0) return xml;
      depth -= 1;
      lines.push(pad() + t.text);
    }
  }
  return depth === 0 ? lines.join('\n') : xml;
}
