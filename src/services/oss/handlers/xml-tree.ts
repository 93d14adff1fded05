/**
 * @module XML elements kept as data ({@link StoredNode}): configurations OSS returns as they were
 * sent (website routing rules, inventory configurations) are validated, stored in this shape and
 * written back element for element.
 */
import { escapeXmlText, type XmlNode } from '../../../protocol/oss-xml.js';

/** An element: name, and its text (a leaf) or its children. */
export interface StoredNode {
  n: string;
  t?: string;
  c?: StoredNode[];
}

/**
 * The stored form of a parsed element (whitespace between child elements dropped).
 * @example
 * storedNode(parsed) // { n: 'Id', t: 'report1' }
 */
export function storedNode(node: XmlNode): StoredNode {
  if (node.children.length === 0) return { n: node.name, t: node.text };
  return { n: node.name, c: node.children.map(storedNode) };
}

/**
 * The XML of a stored element.
 * @example
 * storedNodeXml({ n: 'Id', t: 'a&b' }) // '<Id>a&amp;b</Id>'
 */
export function storedNodeXml(node: StoredNode): string {
  const inner =
    node.c === undefined ? escapeXmlText(node.t ?? '') : node.c.map(storedNodeXml).join('');
  return `<${node.n}>${inner}</${node.n}>`;
}
