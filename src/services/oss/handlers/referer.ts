/**
 * @module Referer hotlink protection (doc: PutBucketReferer, GetBucketReferer, "Hotlink
 * protection"). The rules bind anonymous requests, presigned URLs and PostObject forms (signed
 * or not: a form has no `Authorization` header); a request signed in its `Authorization` header
 * is never checked, as on OSS. For a checked request:
 *
 * 1. no `Referer` (or an empty one): allowed only with `AllowEmptyReferer`;
 * 2. the Referer is cut before matching: with `AllowTruncateQueryString` (the default) at its `?`,
 *    and with `TruncatePath` too after its host (`https://www.example.com/a/b` ->
 *    `https://www.example.com`);
 * 3. a match in `RefererBlacklist` refuses (the blacklist wins over the whitelist);
 * 4. with a `RefererList`, only a match in it allows; an empty list allows any Referer.
 *
 * Entries may use `*` (any run, empty included) and `?` (one character); matching ignores ASCII
 * case and uses the policy engine's linear glob matcher, never a regular expression built from
 * caller text. Lists and entries are bounded; a Referer longer than {@link MAX_REFERER_CHARS}
 * matches no whitelist entry and every blacklist, so padding can neither gain access nor slip past
 * a blacklist.
 */
import { compilePatterns, MAX_PATTERN_WILDCARDS, type PatternSet } from '../../../policy/index.js';
import {
  parseOssXml,
  xmlChild,
  xmlChildren,
  xmlChildText,
  xmlDocument,
  type XmlNode,
} from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import { invalidArgument, malformedXml, noSuchBucket, refererDenied } from '../errors.js';
import type { Bucket, RefererConfig } from '../model.js';
import { readSmallBody, unwrap } from './common.js';

/** Most entries in `RefererList` and `RefererBlacklist` together. */
export const MAX_REFERER_ENTRIES = 500;
/** Longest entry, in characters. */
export const MAX_REFERER_ENTRY_CHARS = 1024;
/** Longest Referer compared (after truncation), in characters. */
export const MAX_REFERER_CHARS = 4096;
/** Largest PutBucketReferer body. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The rules OSS applies to a bucket that has none set (GetBucketReferer shows them). */
export const DEFAULT_REFERER: RefererConfig = Object.freeze({
  allowEmpty: true,
  allowTruncateQueryString: true,
  truncatePath: false,
  allow: [],
  deny: [],
});

function bool(text: string | undefined, name: string, byDefault: boolean): boolean {
  if (text === undefined) return byDefault;
  const t = text.trim().toLowerCase();
  if (t === 'true') return true;
  if (t === 'false') return false;
  throw invalidArgument(`${name} must be true or false.`, name, text.slice(0, 64));
}

function entries(list: XmlNode | undefined): string[] {
  if (!list) return [];
  return xmlChildren(list, 'Referer')
    .map((r) => r.text.trim())
    .filter((r) => r !== '');
}

/** Reads a `RefererConfiguration` document, bounds checked. */
export function parseRefererConfiguration(body: Uint8Array | string): RefererConfig {
  const root = unwrap(
    parseOssXml(body, { maxBytes: MAX_BODY_BYTES, maxElements: 2 * MAX_REFERER_ENTRIES + 16 }),
  );
  // The Tea OSS client sends these elements under a root called `root`; both are read.
  if (root.name !== 'RefererConfiguration' && root.name !== 'root') throw malformedXml();
  const allowEmptyText = xmlChildText(root, 'AllowEmptyReferer');
  if (allowEmptyText === undefined) throw malformedXml();
  const config: RefererConfig = {
    allowEmpty: bool(allowEmptyText, 'AllowEmptyReferer', true),
    allowTruncateQueryString: bool(
      xmlChildText(root, 'AllowTruncateQueryString'),
      'AllowTruncateQueryString',
      true,
    ),
    truncatePath: bool(xmlChildText(root, 'TruncatePath'), 'TruncatePath', false),
    allow: entries(xmlChild(root, 'RefererList')),
    deny: entries(xmlChild(root, 'RefererBlacklist')),
  };
  if (config.truncatePath && !config.allowTruncateQueryString) {
    // TruncatePath cuts the query string too; OSS requires the two to agree.
    throw invalidArgument(
      'TruncatePath requires AllowTruncateQueryString to be true.',
      'TruncatePath',
      'true',
    );
  }
  if (config.allow.length + config.deny.length > MAX_REFERER_ENTRIES) {
    throw invalidArgument(
      `At most ${MAX_REFERER_ENTRIES} Referer entries are allowed.`,
      'Referer',
      String(config.allow.length + config.deny.length),
    );
  }
  for (const r of [...config.allow, ...config.deny]) {
    let wildcards = 0;
    for (const c of r) if (c === '*' || c === '?') wildcards++;
    if (r.length > MAX_REFERER_ENTRY_CHARS || wildcards > MAX_PATTERN_WILDCARDS) {
      throw invalidArgument(
        `A Referer entry is at most ${MAX_REFERER_ENTRY_CHARS} characters with at most ${MAX_PATTERN_WILDCARDS} wildcards.`,
        'Referer',
        r.slice(0, 64),
      );
    }
  }
  return config;
}

/** Compiled lists, per (frozen, cached) configuration object. */
const compiled = new WeakMap<RefererConfig, { allow: PatternSet; deny: PatternSet }>();

function patternsOf(c: RefererConfig): { allow: PatternSet; deny: PatternSet } {
  let p = compiled.get(c);
  if (!p) {
    p = { allow: compilePatterns(c.allow, true), deny: compilePatterns(c.deny, true) };
    compiled.set(c, p);
  }
  return p;
}

/** The Referer as compared: cut at `?` and, with `truncatePath`, after the host. */
function truncated(c: RefererConfig, referer: string): string {
  let r = referer;
  if (c.allowTruncateQueryString) {
    const q = r.indexOf('?');
    if (q !== -1) r = r.slice(0, q);
    if (c.truncatePath) {
      const scheme = r.indexOf('://');
      const slash = r.indexOf('/', scheme === -1 ? 0 : scheme + 3);
      if (slash !== -1) r = r.slice(0, slash);
    }
  }
  return r;
}

/**
 * Whether the rules allow a request with this `Referer` header (absent: `undefined`).
 * @example
 * refererAllowed({ ...DEFAULT_REFERER, allowEmpty: false, allow: ['https://*.example.com'] },
 *   'https://www.example.com/page?x=1') // true
 */
export function refererAllowed(c: RefererConfig, referer: string | undefined): boolean {
  if (referer === undefined || referer.trim() === '') return c.allowEmpty;
  const r = truncated(c, referer.trim()).toLowerCase();
  const { allow, deny } = patternsOf(c);
  if (r.length > MAX_REFERER_CHARS) return false;
  if (deny.test(r)) return false;
  return c.allow.length === 0 || allow.test(r);
}

/**
 * Refuses (`AccessDenied`) an anonymous or presigned request the bucket's Referer rules do not
 * allow; `signedInHeader` requests are not checked.
 */
export function checkReferer(
  bucket: Bucket,
  referer: string | undefined,
  signedInHeader: boolean,
): void {
  if (signedInHeader || !bucket.referer) return;
  if (!refererAllowed(bucket.referer, referer)) throw refererDenied();
}

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/** PutBucketReferer (`PUT /?referer`): replaces the rules; 200. */
export async function putBucketReferer(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const config = parseRefererConfiguration(await readSmallBody(call, MAX_BODY_BYTES));
  await call.deps.store.updateBucket(b.name, { referer: config });
  return { status: 200 };
}

/** GetBucketReferer (`GET /?referer`): the rules, or OSS's defaults when none are set. */
export async function getBucketReferer(call: OssCall): Promise<OssReply> {
  const c = bucketOf(call).referer ?? DEFAULT_REFERER;
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('RefererConfiguration', {
      AllowEmptyReferer: c.allowEmpty,
      AllowTruncateQueryString: c.allowTruncateQueryString,
      TruncatePath: c.truncatePath,
      RefererList: { Referer: c.allow },
      RefererBlacklist: { Referer: c.deny },
    }),
  };
}
