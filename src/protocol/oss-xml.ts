/**
 * @module XML for OSS: writing response bodies and reading the request bodies OSS accepts.
 *
 * Writing: {@link xmlDocument} turns a plain object into `<?xml ...?>` plus one root element;
 * the object's key order is the element order (build objects in the order the OSS docs list
 * the elements), arrays become repeated elements, `undefined` is left out.
 *
 * Reading: {@link parseOssXml} is a bounded, non-throwing parser built on fast-xml-parser. It
 * refuses DOCTYPE declarations outright (no entity expansion, so no billion-laughs), decodes only
 * the five predefined entities and numeric character references itself, keeps text verbatim
 * (object keys may start or end with spaces), and answers `MalformedXML` for anything it cannot
 * read. On top of it sit typed readers for the bodies SDKs send: CompleteMultipartUpload,
 * Delete (DeleteMultipleObjects), CreateBucketConfiguration, AccessControlPolicy,
 * CORSConfiguration, Tagging and VersioningConfiguration.
 */

import { XMLParser, XMLValidator } from 'fast-xml-parser';
// Type-only: oss-errors.ts imports this module at run time, so no value may flow back.
import type { OssFailure, OssResult } from './oss-errors.js';

/** The prolog OSS puts before every XML body. */
export const XML_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A value that can be written as element content. */
export type XmlValue =
  string | number | bigint | boolean | null | undefined | XmlFields | readonly XmlValue[];

/** Child elements by name, in insertion order (the order they are written). */
export interface XmlFields {
  [name: string]: XmlValue;
}

// XML 1.0 forbids most C0 controls even as character references; they are written as
// references anyway (the only lossless option) and clients that care ask for encoding-type=url.
// INVARIANT: `\r` is always escaped, or XML end-of-line handling would turn it into `\n`.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TEXT_SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * Escape text for element content: `& < >` as entities, `\r` and control characters as numeric
 * references. Double quotes stay literal, as in OSS's own `<ETag>"..."</ETag>`.
 * @example
 * escapeXmlText('x&y<z>.txt') // 'x&amp;y&lt;z&gt;.txt'
 */
export function escapeXmlText(text: string): string {
  return text.replace(TEXT_SPECIAL, (c) => {
    if (c === '&') return '&amp;';
    if (c === '<') return '&lt;';
    if (c === '>') return '&gt;';
    return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
  });
}

function writeValue(name: string, value: XmlValue, out: string[]): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value as readonly XmlValue[]) writeValue(name, item, out);
    return;
  }
  out.push('<', name, '>');
  if (value === null) {
    // empty element
  } else if (typeof value === 'string') {
    out.push(escapeXmlText(value));
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`element \`${name}\` is not a finite number`);
    out.push(String(value));
  } else if (typeof value === 'bigint' || typeof value === 'boolean') {
    out.push(String(value));
  } else {
    writeFields(value as XmlFields, out);
  }
  out.push('</', name, '>');
}

function writeFields(fields: XmlFields, out: string[]): void {
  for (const [name, value] of Object.entries(fields)) writeValue(name, value, out);
}

/**
 * Serialise one element (no prolog) from a plain structure.
 *
 * Strings are escaped, numbers and bigints printed in decimal, booleans as `true`/`false`
 * (oss2's `_find_bool` accepts nothing else), `null` and `''` give an empty element, `undefined`
 * is skipped, arrays repeat the element, objects nest.
 * @example
 * xmlElement('Part', { PartNumber: 1, ETag: '"3349DC70..."' })
 * // '<Part><PartNumber>1</PartNumber><ETag>"3349DC70..."</ETag></Part>'
 */
export function xmlElement(name: string, value: XmlValue): string {
  const out: string[] = [];
  writeValue(name, value, out);
  return out.join('');
}

/**
 * Serialise a whole OSS XML body: the UTF-8 prolog, then the root element.
 * @example
 * xmlDocument('InitiateMultipartUploadResult', { Bucket: 'b', Key: 'k', UploadId: id })
 */
export function xmlDocument(root: string, fields: XmlFields): string {
  return XML_PROLOG + xmlElement(root, fields);
}

/** A parsed element: its name, its child elements in order, and its text. */
export interface XmlNode {
  /** Element name as written (namespace prefixes kept). */
  name: string;
  /** Child elements in document order. */
  children: XmlNode[];
  /** Concatenated character data (entities decoded, CDATA verbatim); `''` when empty. */
  text: string;
}

/** Bounds applied while reading a request body. */
export interface XmlLimits {
  /** Largest body accepted, in bytes (default 4 MiB). */
  maxBytes?: number;
  /** Deepest element nesting accepted (default 16). */
  maxDepth?: number;
  /** Most elements accepted in total (default 100 000). */
  maxElements?: number;
}

const DEFAULT_LIMITS: Required<XmlLimits> = {
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 16,
  maxElements: 100_000,
};

/** The message OSS and S3 give for `MalformedXML`. */
export const MALFORMED_XML_MESSAGE =
  'The XML you provided was not well-formed or did not validate against our published schema.';

function malformedXml(): OssFailure {
  return { ok: false, code: 'MalformedXML', status: 400, message: MALFORMED_XML_MESSAGE };
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  // INVARIANT: entity expansion is off; parseOssXml decodes the predefined entities itself and
  // refuses any DOCTYPE, so no user-defined entity is ever expanded.
  processEntities: false,
  htmlEntities: false,
  trimValues: false,
  parseTagValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
});

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const PREDEFINED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Decode `&name;` and `&#...;` references; `undefined` when a reference is not valid XML. */
function decodeReferences(text: string): string | undefined {
  if (!text.includes('&')) return text;
  let failed = false;
  const decoded = text.replace(/&([^;&]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) {
      failed = true;
      return '';
    }
    const named = PREDEFINED[body];
    if (named !== undefined) return named;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (m) {
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2] ?? '', 10);
      if (isXmlChar(cp)) return String.fromCodePoint(cp);
    }
    failed = true;
    return '';
  });
  return failed ? undefined : decoded;
}

type Ordered = Record<string, unknown>;

interface BuildState {
  elements: number;
  limits: Required<XmlLimits>;
}

function buildNodes(items: unknown, depth: number, state: BuildState): XmlNode[] | undefined {
  if (!Array.isArray(items)) return undefined;
  const nodes: XmlNode[] = [];
  for (const item of items as Ordered[]) {
    for (const [key, value] of Object.entries(item)) {
      if (key === ':@' || key === '#text' || key === '#cdata' || key === '#comment') continue;
      state.elements++;
      if (depth > state.limits.maxDepth || state.elements > state.limits.maxElements) {
        return undefined;
      }
      const node = buildNode(key, value, depth + 1, state);
      if (!node) return undefined;
      nodes.push(node);
    }
  }
  return nodes;
}

function buildNode(
  name: string,
  content: unknown,
  depth: number,
  state: BuildState,
): XmlNode | undefined {
  if (!Array.isArray(content)) return undefined;
  let text = '';
  for (const item of content as Ordered[]) {
    if ('#text' in item) {
      const decoded = decodeReferences(String(item['#text']));
      if (decoded === undefined) return undefined;
      text += decoded;
    } else if ('#cdata' in item) {
      const inner = item['#cdata'];
      if (Array.isArray(inner)) {
        for (const part of inner as Ordered[]) text += String(part['#text'] ?? '');
      }
    }
  }
  const children = buildNodes(content, depth, state);
  if (!children) return undefined;
  return { name, children, text };
}

/**
 * Parse a request body into an element tree, never throwing.
 *
 * Refuses (as `MalformedXML`): bodies over `maxBytes`, bytes that are not UTF-8, any DOCTYPE,
 * markup that fast-xml-parser's validator rejects, unknown entity references, more than one root
 * element, nesting deeper than `maxDepth` or more than `maxElements` elements.
 * @example
 * const r = parseOssXml('<Delete><Object><Key>a</Key></Object></Delete>');
 * if (r.ok) r.value.name // 'Delete'
 */
export function parseOssXml(body: Uint8Array | string, limits: XmlLimits = {}): OssResult<XmlNode> {
  const bounds: Required<XmlLimits> = { ...DEFAULT_LIMITS, ...limits };
  let xml: string;
  if (typeof body === 'string') {
    if (Buffer.byteLength(body, 'utf8') > bounds.maxBytes) {
      return malformedXml();
    }
    xml = body;
  } else {
    if (body.byteLength > bounds.maxBytes) return malformedXml();
    try {
      xml = fatalUtf8.decode(body);
    } catch {
      return malformedXml();
    }
  }
  if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) return malformedXml();
  if (xml.trim() === '') return malformedXml();
  // Cheap early refusal: every element costs at least one `<`, at most two when not self-closing.
  let angles = 0;
  for (let at = xml.indexOf('<'); at !== -1; at = xml.indexOf('<', at + 1)) {
    if (++angles > 2 * bounds.maxElements + 64) return malformedXml();
  }
  let parsed: unknown;
  try {
    if (XMLValidator.validate(xml) !== true) return malformedXml();
    parsed = parser.parse(xml);
  } catch {
    return malformedXml();
  }
  const roots = buildNodes(parsed, 1, { elements: 0, limits: bounds });
  if (!roots || roots.length !== 1) return malformedXml();
  const [root] = roots;
  return root ? { ok: true, value: root } : malformedXml();
}

/** First child element called `name`, if any. */
export function xmlChild(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((c) => c.name === name);
}

/** Every child element called `name`, in document order. */
export function xmlChildren(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}

/** Text of the first child called `name`, or `undefined` when absent. */
export function xmlChildText(node: XmlNode, name: string): string | undefined {
  return xmlChild(node, name)?.text;
}

function parseRoot(
  body: Uint8Array | string,
  root: string,
  limits: XmlLimits | undefined,
): OssResult<XmlNode> {
  const parsed = parseOssXml(body, limits);
  if (!parsed.ok) return parsed;
  return parsed.value.name === root ? parsed : malformedXml();
}

function parseBoolean(text: string | undefined): boolean | undefined | null {
  if (text === undefined) return undefined;
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  return null;
}

/** One `<Part>` of a CompleteMultipartUpload body. */
export interface CompletePart {
  /** `PartNumber` as an integer (not range-checked here). */
  partNumber: number;
  /** `ETag` as sent, quotes included (compare with `normalizeEtag`). */
  etag: string;
}

/**
 * Read a CompleteMultipartUpload body (oss.md §6.15): the parts in document order.
 *
 * `MalformedXML` when the root is wrong, a part lacks `PartNumber` or `ETag`, or `PartNumber` is
 * not a decimal integer. Ordering (`InvalidPartOrder`), existence and sizes are the handler's
 * checks. An empty list is returned as is (OSS answers it with `MalformedXML` too; the handler
 * decides, since oss2's "complete all" form has no body at all).
 * @example
 * parseCompleteMultipartUpload('<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>' +
 *   '<ETag>"A1"</ETag></Part></CompleteMultipartUpload>')
 * // { ok: true, value: [{ partNumber: 1, etag: '"A1"' }] }
 */
export function parseCompleteMultipartUpload(
  body: Uint8Array | string,
  limits?: XmlLimits,
): OssResult<CompletePart[]> {
  const root = parseRoot(body, 'CompleteMultipartUpload', limits);
  if (!root.ok) return root;
  const parts: CompletePart[] = [];
  for (const part of root.value.children) {
    if (part.name !== 'Part') continue;
    const num = xmlChildText(part, 'PartNumber')?.trim();
    const etag = xmlChildText(part, 'ETag');
    if (num === undefined || !/^\d{1,9}$/.test(num) || etag === undefined) return malformedXml();
    parts.push({ partNumber: Number(num), etag: etag.trim() });
  }
  return { ok: true, value: parts };
}

/** One `<Object>` of a Delete (DeleteMultipleObjects) body. */
export interface DeleteObjectEntry {
  /** Object key, verbatim (entities decoded, spaces kept). */
  key: string;
  /** `VersionId`, when given. */
  versionId?: string;
}

/** A parsed Delete (DeleteMultipleObjects) body. */
export interface DeleteRequest {
  /** `Quiet` (default false): list only failures in the answer. */
  quiet: boolean;
  /** Objects to delete, in document order. */
  objects: DeleteObjectEntry[];
}

/**
 * Read a Delete body (oss.md §6.9): `Quiet` and up to `maxObjects` (default 1000) objects.
 *
 * ali-oss escapes keys with entities (`&amp; &lt; &gt; &quot; &#39;`) and those are decoded; oss2
 * sends `encoding-type=url` in the query but plain keys in the body. `MalformedXML` for a wrong
 * root, an object without `Key`, a `Quiet` that is not a boolean, no objects, or too many.
 * @example
 * parseDeleteObjects('<Delete><Quiet>true</Quiet><Object><Key>a b</Key></Object></Delete>')
 * // { ok: true, value: { quiet: true, objects: [{ key: 'a b' }] } }
 */
export function parseDeleteObjects(
  body: Uint8Array | string,
  options: XmlLimits & { maxObjects?: number } = {},
): OssResult<DeleteRequest> {
  const root = parseRoot(body, 'Delete', options);
  if (!root.ok) return root;
  const quiet = parseBoolean(xmlChildText(root.value, 'Quiet'));
  if (quiet === null) return malformedXml();
  const objects: DeleteObjectEntry[] = [];
  for (const obj of xmlChildren(root.value, 'Object')) {
    const key = xmlChildText(obj, 'Key');
    if (key === undefined) return malformedXml();
    const entry: DeleteObjectEntry = { key };
    const versionId = xmlChildText(obj, 'VersionId');
    if (versionId !== undefined) entry.versionId = versionId.trim();
    objects.push(entry);
  }
  if (objects.length === 0 || objects.length > (options.maxObjects ?? 1000)) return malformedXml();
  return { ok: true, value: { quiet: quiet ?? false, objects } };
}

/** A parsed CreateBucketConfiguration body (PutBucket). */
export interface CreateBucketConfiguration {
  /** `StorageClass`, verbatim (Standard, IA, Archive, ColdArchive, ...). */
  storageClass?: string;
  /** `DataRedundancyType` (LRS, ZRS). */
  dataRedundancyType?: string;
}

/**
 * Read a CreateBucketConfiguration body (oss.md §6.2); value checks are the handler's.
 * @example
 * parseCreateBucketConfiguration('<CreateBucketConfiguration><StorageClass>IA</StorageClass>' +
 *   '</CreateBucketConfiguration>') // { ok: true, value: { storageClass: 'IA' } }
 */
export function parseCreateBucketConfiguration(
  body: Uint8Array | string,
  limits?: XmlLimits,
): OssResult<CreateBucketConfiguration> {
  const root = parseRoot(body, 'CreateBucketConfiguration', limits);
  if (!root.ok) return root;
  const value: CreateBucketConfiguration = {};
  const storageClass = xmlChildText(root.value, 'StorageClass')?.trim();
  const redundancy = xmlChildText(root.value, 'DataRedundancyType')?.trim();
  if (storageClass !== undefined) value.storageClass = storageClass;
  if (redundancy !== undefined) value.dataRedundancyType = redundancy;
  return { ok: true, value };
}

/** A parsed AccessControlPolicy body (PutBucketAcl/PutObjectAcl with a body). */
export interface AccessControlPolicy {
  /** `Owner/ID`, when given. */
  ownerId?: string;
  /** `AccessControlList/Grant` (private, public-read, public-read-write, default). */
  grant: string;
}

/**
 * Read an AccessControlPolicy body; `MalformedXML` when `AccessControlList/Grant` is missing.
 * @example
 * parseAccessControlPolicy('<AccessControlPolicy><AccessControlList><Grant>private</Grant>' +
 *   '</AccessControlList></AccessControlPolicy>') // { ok: true, value: { grant: 'private' } }
 */
export function parseAccessControlPolicy(
  body: Uint8Array | string,
  limits?: XmlLimits,
): OssResult<AccessControlPolicy> {
  const root = parseRoot(body, 'AccessControlPolicy', limits);
  if (!root.ok) return root;
  const acl = xmlChild(root.value, 'AccessControlList');
  const grant = acl ? xmlChildText(acl, 'Grant')?.trim() : undefined;
  if (grant === undefined) return malformedXml();
  const value: AccessControlPolicy = { grant };
  const owner = xmlChild(root.value, 'Owner');
  const ownerId = owner ? xmlChildText(owner, 'ID')?.trim() : undefined;
  if (ownerId !== undefined) value.ownerId = ownerId;
  return { ok: true, value };
}

/** One `<CORSRule>`. */
export interface CorsRule {
  /** `AllowedOrigin` values (may contain one `*`). */
  allowedOrigins: string[];
  /** `AllowedMethod` values (GET, PUT, DELETE, POST, HEAD). */
  allowedMethods: string[];
  /** `AllowedHeader` values. */
  allowedHeaders: string[];
  /** `ExposeHeader` values. */
  exposeHeaders: string[];
  /** `MaxAgeSeconds`, when given. */
  maxAgeSeconds?: number;
}

/** A parsed CORSConfiguration body (PutBucketCors). */
export interface CorsConfiguration {
  /** Rules in document order. */
  rules: CorsRule[];
  /** `ResponseVary`, when given. */
  responseVary?: boolean;
}

/**
 * Read a CORSConfiguration body: `MalformedXML` when a rule has no origin or method, or a
 * `MaxAgeSeconds` that is not an integer; `InvalidArgument` for a negative one. At most `maxRules` (default 10) rules, the
 * OSS limit per bucket.
 * @example
 * parseCorsConfiguration('<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>' +
 *   '<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>')
 */
export function parseCorsConfiguration(
  body: Uint8Array | string,
  options: XmlLimits & { maxRules?: number } = {},
): OssResult<CorsConfiguration> {
  const root = parseRoot(body, 'CORSConfiguration', options);
  if (!root.ok) return root;
  const texts = (node: XmlNode, name: string): string[] =>
    xmlChildren(node, name).map((c) => c.text.trim());
  const rules: CorsRule[] = [];
  for (const r of xmlChildren(root.value, 'CORSRule')) {
    const rule: CorsRule = {
      allowedOrigins: texts(r, 'AllowedOrigin'),
      allowedMethods: texts(r, 'AllowedMethod'),
      allowedHeaders: texts(r, 'AllowedHeader'),
      exposeHeaders: texts(r, 'ExposeHeader'),
    };
    if (rule.allowedOrigins.length === 0 || rule.allowedMethods.length === 0) {
      return malformedXml();
    }
    const maxAge = xmlChildText(r, 'MaxAgeSeconds')?.trim();
    if (maxAge !== undefined) {
      // A negative number is well-formed but out of range: OSS says InvalidArgument (oss2
      // tests/test_bucket.py test_invalid_argument, MaxAgeSeconds -1).
      if (/^-\d{1,9}$/.test(maxAge)) {
        return {
          ok: false,
          code: 'InvalidArgument',
          status: 400,
          message: 'MaxAgeSeconds must be a non-negative integer.',
          fields: { ArgumentName: 'MaxAgeSeconds', ArgumentValue: maxAge },
        };
      }
      if (!/^\d{1,9}$/.test(maxAge)) return malformedXml();
      rule.maxAgeSeconds = Number(maxAge);
    }
    rules.push(rule);
  }
  if (rules.length > (options.maxRules ?? 10)) return malformedXml();
  const value: CorsConfiguration = { rules };
  const vary = parseBoolean(xmlChildText(root.value, 'ResponseVary'));
  if (vary === null) return malformedXml();
  if (vary !== undefined) value.responseVary = vary;
  return { ok: true, value };
}

/**
 * Read a Tagging body (`<Tagging><TagSet><Tag><Key/><Value/></Tag></TagSet></Tagging>`) into
 * ordered key/value pairs; `MalformedXML` when a tag has no `Key`. Limits on count and length are
 * the handler's.
 * @example
 * parseTagging('<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>')
 * // { ok: true, value: [['a', '1']] }
 */
export function parseTagging(
  body: Uint8Array | string,
  limits?: XmlLimits,
): OssResult<Array<[string, string]>> {
  const root = parseRoot(body, 'Tagging', limits);
  if (!root.ok) return root;
  const set = xmlChild(root.value, 'TagSet');
  const tags: Array<[string, string]> = [];
  for (const tag of set ? xmlChildren(set, 'Tag') : []) {
    const key = xmlChildText(tag, 'Key');
    if (key === undefined) return malformedXml();
    tags.push([key, xmlChildText(tag, 'Value') ?? '']);
  }
  return { ok: true, value: tags };
}

/**
 * Read a VersioningConfiguration body: its `Status` (`Enabled` or `Suspended`); `MalformedXML`
 * for anything else.
 * @example
 * parseVersioningConfiguration('<VersioningConfiguration><Status>Enabled</Status>' +
 *   '</VersioningConfiguration>') // { ok: true, value: 'Enabled' }
 */
export function parseVersioningConfiguration(
  body: Uint8Array | string,
  limits?: XmlLimits,
): OssResult<'Enabled' | 'Suspended'> {
  const root = parseRoot(body, 'VersioningConfiguration', limits);
  if (!root.ok) return root;
  const status = xmlChildText(root.value, 'Status')?.trim();
  if (status !== 'Enabled' && status !== 'Suspended') return malformedXml();
  return { ok: true, value: status };
}
