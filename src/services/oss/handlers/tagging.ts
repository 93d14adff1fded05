/**
 * @module Object and bucket tags (issue 18): Put/Get/DeleteObjectTagging, Put/Get/DeleteBucketTags,
 * the `x-oss-tagging` header of the writes that create an object (PutObject, CopyObject with
 * `x-oss-tagging-directive`, InitiateMultipartUpload, the first AppendObject, PutSymlink, and the
 * PostObject form field of that name), and ListBuckets filtered by tag.
 *
 * OSS's rules differ between the two kinds (doc: "Object tagging", "PutBucketTags", EC
 * 0010-00000209/00000210/00000217/00000219):
 *
 * | rule            | object tags                                   | bucket tags                  |
 * |-----------------|-----------------------------------------------|------------------------------|
 * | count           | 10                                            | 20                           |
 * | key             | 1-128 characters                              | 1-64 characters, not         |
 * |                 |                                               | `http://`, `https://`, `Aliyun` |
 * | value           | 0-256 characters                              | 0-128 characters             |
 * | characters      | letters (any script), digits, space, `+-=._:/`| any                          |
 * | repeated keys   | refused                                       | refused                      |
 *
 * The object a tagging call addresses is found by `addressedObject` (versioning.ts): the version `versionId`
 * names, else the current one.
 */
import { isStoreError } from '../../../kernel/errors.js';
import {
  parseOssXml,
  parseTagging,
  xmlChildText,
  xmlChildren,
  xmlDocument,
  type XmlFields,
} from '../../../protocol/oss-xml.js';
import type { OssAuthorizer } from '../authz.js';
import type { OssCall, OssReply } from '../context.js';
import { invalidArgument, malformedXml, noSuchBucket, noSuchKey } from '../errors.js';
import { invalidTag, invalidTaggingHeader } from '../errors-tags.js';
import { objectArn, type Bucket, type OssObject, type Tag } from '../model.js';
import type { TagFilter } from '../store-sql-tags.js';
import { readSmallBody, unwrap } from './common.js';
import { addressedObject } from './versioning.js';

/** Limits of one kind of tag. */
interface TagRules {
  count: number;
  keyMax: number;
  valueMax: number;
}

/** Object tags (doc: "Object tagging"). */
export const OBJECT_TAG_RULES: TagRules = Object.freeze({ count: 10, keyMax: 128, valueMax: 256 });
/** Bucket tags (doc: "PutBucketTags"). */
export const BUCKET_TAG_RULES: TagRules = Object.freeze({ count: 20, keyMax: 64, valueMax: 128 });

/** Largest Tagging document read. */
const TAGGING_BODY_LIMIT = 64 * 1024;

/** Characters object tags may use: one character class, so no backtracking. */
const OBJECT_TAG_CHARS = /^[\p{L}\p{N} +\-=._:/]*$/u;

const length = (s: string) => [...s].length;

/**
 * Refuses object tags OSS would refuse, with `InvalidTag` naming the rule.
 * @example
 * checkObjectTags([{ key: 'a', value: '%' }]) // throws InvalidTag
 */
export function checkObjectTags(tags: readonly Tag[]): void {
  const r = OBJECT_TAG_RULES;
  if (tags.length > r.count) {
    throw invalidTag(`The number of tags exceeds the limit of ${r.count}.`, '0010-00000217');
  }
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.key === '' || length(t.key) > r.keyMax) {
      throw invalidTag(`The tag key must be 1 to ${r.keyMax} characters long.`, '0010-00000209');
    }
    if (length(t.value) > r.valueMax) {
      throw invalidTag(
        `The tag value can be at most ${r.valueMax} characters long.`,
        '0010-00000217',
      );
    }
    if (!OBJECT_TAG_CHARS.test(t.key) || !OBJECT_TAG_CHARS.test(t.value)) {
      throw invalidTag(
        'A tag can contain only letters, digits, spaces and the characters + - = . _ : /',
        '0010-00000217',
      );
    }
    if (seen.has(t.key)) throw invalidTag('The tag keys must be unique.', '0010-00000210');
    seen.add(t.key);
  }
}

/** Refuses bucket tags OSS would refuse, with `InvalidTag` naming the rule. */
export function checkBucketTags(tags: readonly Tag[]): void {
  const r = BUCKET_TAG_RULES;
  if (tags.length > r.count) {
    throw invalidTag(`The number of tags exceeds the limit of ${r.count}.`, '0010-00000219');
  }
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.key === '' || length(t.key) > r.keyMax) {
      throw invalidTag(`The tag key must be 1 to ${r.keyMax} characters long.`, '0010-00000219');
    }
    const lower = t.key.toLowerCase();
    if (lower.startsWith('http://') || lower.startsWith('https://') || lower.startsWith('aliyun')) {
      throw invalidTag(
        'The tag key cannot start with http://, https:// or Aliyun.',
        '0010-00000207',
      );
    }
    if (length(t.value) > r.valueMax) {
      throw invalidTag(
        `The tag value can be at most ${r.valueMax} characters long.`,
        '0010-00000219',
      );
    }
    if (seen.has(t.key)) throw invalidTag('The tag keys must be unique.', '0010-00000210');
    seen.add(t.key);
  }
}

function decodeComponent(raw: string, header: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidTaggingHeader(header);
  }
}

/**
 * The tags of an `x-oss-tagging` value: `k1=v1&k2=v2`, each key and value URL-encoded, a key
 * alone meaning an empty value; more than one `=` in a pair is refused (0010-00000219).
 * @example
 * parseTaggingHeader('a=1&b') // [{ key: 'a', value: '1' }, { key: 'b', value: '' }]
 */
export function parseTaggingHeader(value: string): Tag[] {
  if (value === '') return [];
  const tags: Tag[] = [];
  for (const pair of value.split('&')) {
    const parts = pair.split('=');
    if (parts.length > 2 || parts[0] === '') throw invalidTaggingHeader(value);
    tags.push({
      key: decodeComponent(parts[0]!, value),
      value: decodeComponent(parts[1] ?? '', value),
    });
    // Bounded before the limits are checked: a header cannot hold many, but never build more.
    if (tags.length > OBJECT_TAG_RULES.count) break;
  }
  return tags;
}

/**
 * The tags a write asks for in `x-oss-tagging` (a header, or a PostObject form field), checked
 * and authorised: tagging an object on creation needs `oss:PutObjectTagging` as well as
 * `oss:PutObject` (doc: PutObject, "Permissions"). `undefined` when the request has none.
 * PostObject passes its form (fields, the form signer's authorizer, the key).
 */
export async function requestTags(
  call: OssCall,
  form?: { field: (name: string) => string | undefined; authz: OssAuthorizer; key: string },
): Promise<Tag[] | undefined> {
  const raw = form ? form.field('x-oss-tagging') : call.header('x-oss-tagging');
  if (raw === undefined) return undefined;
  const tags = parseTaggingHeader(raw);
  checkObjectTags(tags);
  const b = call.bucket;
  if (!b) throw noSuchBucket(call.bucketName ?? '');
  await (form?.authz ?? call.authz).require({
    action: 'oss:PutObjectTagging',
    resource: objectArn(call.info.region, b.accountId, b.name, form?.key ?? call.key ?? ''),
    bucket: b,
    acl: 'write',
    context: tagContext('oss:RequestObjectTag/', tags),
  });
  return tags;
}

/**
 * The tags of a copy (`x-oss-tagging-directive`): `Copy` (the default) keeps the source's,
 * `Replace` takes the request's `x-oss-tagging` (none when absent). `replace` tells a copy onto
 * itself to rewrite its tags.
 */
export async function copyTagging(
  call: OssCall,
  src: OssObject,
): Promise<{ tags: Tag[]; replace: boolean }> {
  const raw = call.header('x-oss-tagging-directive') ?? 'Copy';
  const directive = raw.toLowerCase();
  if (directive !== 'copy' && directive !== 'replace') {
    throw invalidArgument('Unknown tagging directive.', 'x-oss-tagging-directive', raw);
  }
  if (directive === 'replace') return { tags: (await requestTags(call)) ?? [], replace: true };
  const tags = src.tagCount ? await call.deps.store.getObjectTags(src.objectId) : [];
  return { tags, replace: false };
}

/** The `<Tagging>` document of a set of tags. */
function taggingXml(tags: readonly Tag[]): string {
  return xmlDocument('Tagging', { TagSet: tagSetFields(tags) });
}

/** `<TagSet>` content: the tags, or an empty element. */
export function tagSetFields(tags: readonly Tag[]): XmlFields | null {
  return tags.length > 0 ? { Tag: tags.map((t) => ({ Key: t.key, Value: t.value })) } : null;
}

/**
 * The tags of a Tagging body. `<Tagging><TagSet>…` as OSS documents it; a bare `<TagSet>` root is
 * taken too, because the Tea OSS client (@alicloud/oss20190517) sends its PutObjectTagging and
 * PutBucketTags bodies that way.
 */
async function readTagging(call: OssCall): Promise<Tag[]> {
  const body = await readSmallBody(call, TAGGING_BODY_LIMIT);
  const doc = unwrap(parseOssXml(body));
  if (doc.name === 'Tagging') {
    return unwrap(parseTagging(body)).map(([key, value]) => ({ key, value }));
  }
  if (doc.name !== 'TagSet') throw malformedXml();
  return xmlChildren(doc, 'Tag').map((t) => {
    const key = xmlChildText(t, 'Key');
    if (key === undefined) throw malformedXml();
    return { key, value: xmlChildText(t, 'Value') ?? '' };
  });
}

const XML = { 'content-type': 'application/xml' };

/** PutObjectTagging (`PUT /<key>?tagging`): replaces the object's tags. */
export async function putObjectTagging(call: OssCall): Promise<OssReply> {
  const tags = await readTagging(call);
  checkObjectTags(tags);
  const b = call.bucket;
  if (!b) throw noSuchBucket(call.bucketName ?? '');
  // The tags asked for are only known from the body, so the check is made here (operations-tags
  // declares no action), with `oss:RequestObjectTag/<key>` and `oss:ExistingObjectTag/<key>`.
  const context = {
    ...(await existingObjectTags(call)),
    ...tagContext('oss:RequestObjectTag/', tags),
  };
  const check = (action: string) => ({
    action,
    resource: objectArn(call.info.region, b.accountId, b.name, call.key ?? ''),
    bucket: b,
    context,
  });
  // Naming a version needs `oss:PutObjectVersionTagging` as well, as the declared calls do.
  await call.authz.require(
    call.versionId !== undefined
      ? [check('oss:PutObjectTagging'), check('oss:PutObjectVersionTagging')]
      : [check('oss:PutObjectTagging')],
  );
  const o = await addressedObject(call);
  try {
    await call.deps.store.putObjectTags(o.objectId, tags);
  } catch (e) {
    if (isStoreError(e, 'NotFound')) throw noSuchKey(o.key);
    throw e;
  }
  return { status: 200 };
}

/** GetObjectTagging (`GET /<key>?tagging`). */
export async function getObjectTagging(call: OssCall): Promise<OssReply> {
  const o = await addressedObject(call);
  const tags = o.tagCount ? await call.deps.store.getObjectTags(o.objectId) : [];
  return { status: 200, headers: XML, body: taggingXml(tags) };
}

/** DeleteObjectTagging (`DELETE /<key>?tagging`): 204, also when there were none. */
export async function deleteObjectTagging(call: OssCall): Promise<OssReply> {
  const o = await addressedObject(call);
  try {
    await call.deps.store.putObjectTags(o.objectId, []);
  } catch (e) {
    if (isStoreError(e, 'NotFound')) throw noSuchKey(o.key);
    throw e;
  }
  return { status: 204 };
}

function bucketName(call: OssCall): string {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket.name;
}

/** PutBucketTags (`PUT /?tagging`): replaces the bucket's tags. */
export async function putBucketTags(call: OssCall): Promise<OssReply> {
  const name = bucketName(call);
  const tags = await readTagging(call);
  checkBucketTags(tags);
  try {
    await call.deps.store.putBucketTags(name, tags);
  } catch (e) {
    if (isStoreError(e, 'NotFound')) throw noSuchBucket(name);
    throw e;
  }
  return { status: 200 };
}

/** GetBucketTags (`GET /?tagging`): an empty `TagSet` when there are none. */
export async function getBucketTags(call: OssCall): Promise<OssReply> {
  const tags = await call.deps.store.getBucketTags(bucketName(call));
  return { status: 200, headers: XML, body: taggingXml(tags) };
}

/**
 * DeleteBucketTags (`DELETE /?tagging`): every tag, or with `?tagging=k1,k2` only those keys
 * (doc: DeleteBucketTags). 204 either way.
 */
export async function deleteBucketTags(call: OssCall): Promise<OssReply> {
  const which = call.query.get('tagging');
  const keys =
    typeof which === 'string' && which !== ''
      ? which.split(',').slice(0, BUCKET_TAG_RULES.count + 1)
      : ('all' as const);
  await call.deps.store.deleteBucketTags(bucketName(call), keys);
  return { status: 204 };
}

/** Largest `tag-key`, `tag-value` or `tagging` filter of ListBuckets, in characters. */
const MAX_FILTER_CHARS = 4096;

/**
 * The tag filters of a ListBuckets request, or `undefined` when there are none: `tag-key` (and
 * `tag-value`) as OSS documents them (doc: ListBuckets; oss2 `list_buckets(params=...)`), or
 * ali-oss's `tagging="k1":"v1","k2":"v2"` (each quoted key and value; every tag must match).
 */
export function bucketTagFilters(call: OssCall): TagFilter[] | undefined {
  const key = call.query.get('tag-key');
  const value = call.query.get('tag-value');
  const tagging = call.query.get('tagging');
  const filters: TagFilter[] = [];
  if (typeof key === 'string' && key !== '') {
    filters.push({ key, ...(typeof value === 'string' ? { value } : {}) });
  } else if (typeof value === 'string' && value !== '') {
    throw invalidArgument('tag-value requires tag-key.', 'tag-value', value);
  }
  if (typeof tagging === 'string' && tagging !== '') filters.push(...parseTaggingFilter(tagging));
  for (const f of filters) {
    if (f.key.length > MAX_FILTER_CHARS || (f.value ?? '').length > MAX_FILTER_CHARS) {
      throw invalidArgument('The tag filter is too long.', 'tagging', '');
    }
  }
  return filters.length > 0 ? filters : undefined;
}

/**
 * `"k1":"v1","k2":"v2"` as pairs: a scan, no regular expression over the caller's text. A pair
 * without `:"value"` filters by key only.
 */
function parseTaggingFilter(text: string): TagFilter[] {
  const bad = () => invalidArgument('The tagging filter is not valid.', 'tagging', text);
  const out: TagFilter[] = [];
  let i = 0;
  const quoted = (): string => {
    if (text[i] !== '"') throw bad();
    const end = text.indexOf('"', i + 1);
    if (end === -1) throw bad();
    const s = text.slice(i + 1, end);
    i = end + 1;
    return s;
  };
  while (i < text.length) {
    const key = quoted();
    let value: string | undefined;
    if (text[i] === ':') {
      i++;
      value = quoted();
    }
    out.push({ key, ...(value !== undefined ? { value } : {}) });
    if (out.length > BUCKET_TAG_RULES.count) throw bad();
    if (i < text.length) {
      if (text[i] !== ',') throw bad();
      i++;
    }
  }
  return out;
}

/**
 * ListBuckets' page: the account's buckets (filtered by tag when the request asks), and for a
 * filtered listing each bucket's `Tagging` element (ali-oss reads it as the bucket's `tag`).
 */
export async function listBucketsPage(
  call: OssCall,
  prefix: string,
  marker: string,
  limit: number,
): Promise<{ buckets: Bucket[]; tagging: (b: Bucket) => XmlFields }> {
  const store = call.deps.store;
  const account = call.info.accountId;
  const filters = bucketTagFilters(call);
  if (!filters) {
    return {
      buckets: await store.listBuckets(account, prefix, marker, limit),
      tagging: () => ({}),
    };
  }
  const buckets = await store.listBucketsTagged(account, prefix, marker, limit, filters);
  const tags = await store.bucketTagsOf(buckets.map((b) => b.name));
  return {
    buckets,
    tagging: (b) => ({ Tagging: { TagSet: tagSetFields(tags.get(b.name) ?? []) } }),
  };
}

/**
 * The condition keys of an object's tags, `oss:ExistingObjectTag/<key>` (doc: "OSS authorization
 * syntax and elements": reads such as GetObject and HeadObject, and the ObjectTagging calls).
 * Objects without tags cost no query (their count comes with the object).
 */
export async function existingObjectTags(call: OssCall): Promise<Record<string, string>> {
  const o = await call.object();
  if (!o?.tagCount) return {};
  return tagContext('oss:ExistingObjectTag/', await call.deps.store.getObjectTags(o.objectId));
}

/** `{ <prefix><key>: value }` for each tag. */
export function tagContext(prefix: string, tags: readonly Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) out[`${prefix}${t.key}`] = t.value;
  return out;
}

/**
 * `oss:RequestObjectTag/<key>` of the tags a write's `x-oss-tagging` asks for, for the check of
 * the write itself (PutObject, CopyObject, InitiateMultipartUpload, AppendObject); a malformed
 * header adds none (the handler refuses it).
 */
export function requestObjectTags(call: OssCall): Record<string, string> {
  const raw = call.header('x-oss-tagging');
  if (raw === undefined) return {};
  try {
    return tagContext('oss:RequestObjectTag/', parseTaggingHeader(raw));
  } catch {
    return {};
  }
}
