/**
 * @module Listings: ListObjects (v1), ListObjectsV2 and ListMultipartUploads (oss.md §6.11,
 * §6.12, §6.18), and the delimiter roll-up they share ({@link listGrouped}).
 *
 * Keys come from the store in UTF-8 byte order. With a delimiter, every key whose rest (after the
 * prefix) contains it is rolled up into a common prefix; common prefixes and keys together count
 * against max-keys, and the next page starts after the last entry returned, key or common prefix.
 * After a common prefix the store is asked again from the first key past it, so a prefix over a
 * million keys costs one query, not a million rows.
 */
import { isoMillis, urlEncodeKey } from '../../../protocol/oss-format.js';
import { xmlDocument, type XmlFields } from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import { invalidArgument, noSuchBucket } from '../errors.js';
import { compareKeys, prefixEnd, type Bucket, type ObjectSummary, type Upload } from '../model.js';
import type { ListLower } from '../store.js';
import { integerArg } from './common.js';
import { withRestoreInfo } from './restore.js';

/** One page of a grouped listing. */
export interface GroupedPage<T> {
  items: T[];
  prefixes: string[];
  truncated: boolean;
  /** Where the next page starts: the last entry returned (a key or a common prefix). */
  next?: { key: string; id?: string };
}

/** Options of {@link listGrouped}. */
export interface GroupOptions {
  prefix: string;
  /** `''` for none. */
  delimiter: string;
  /** Start after this position (exclusive). */
  after?: { key: string; id?: string };
  /** Most entries (items plus prefixes) per page. */
  max: number;
}

/**
 * A page of a listing with delimiter roll-up, over a fetch of items in key order.
 * @example
 * const page = await listGrouped((lower, limit) => store.listObjects(b, { prefix, lower, limit }),
 *   { prefix: 'a/', delimiter: '/', max: 100 });
 */
export async function listGrouped<T extends { key: string; id?: string }>(
  fetch: (lower: ListLower | undefined, limit: number) => Promise<T[]>,
  opts: GroupOptions,
): Promise<GroupedPage<T>> {
  const { prefix, delimiter, max } = opts;
  type Entry = { item: T; common?: undefined } | { item?: undefined; common: string };
  const entries: Entry[] = [];
  let lower: ListLower | undefined = opts.after
    ? {
        key: opts.after.key,
        inclusive: false,
        ...(opts.after.id !== undefined ? { id: opts.after.id } : {}),
      }
    : undefined;
  const markerKey = opts.after?.key;
  // One entry more than a page, to know whether the listing is truncated.
  const want = max + 1;
  let done = false;
  while (!done && entries.length < want) {
    const limit = Math.min(1000, want - entries.length);
    const batch = await fetch(lower, limit);
    if (batch.length === 0) break;
    let jumped = false;
    for (const item of batch) {
      const cut = delimiter ? item.key.indexOf(delimiter, prefix.length) : -1;
      if (cut !== -1) {
        const common = item.key.slice(0, cut + delimiter.length);
        // A common prefix at or before the marker was listed on an earlier page.
        if (markerKey === undefined || compareKeys(common, markerKey) > 0) entries.push({ common });
        const end = prefixEnd(common);
        if (end === undefined) done = true;
        else lower = { key: end, inclusive: true };
        jumped = true;
        break;
      }
      entries.push({ item });
      lower = {
        key: item.key,
        inclusive: false,
        ...(item.id !== undefined ? { id: item.id } : {}),
      };
      if (entries.length >= want) break;
    }
    // A short batch without a jump means the store has nothing more.
    if (!jumped && batch.length < limit) break;
  }
  const truncated = entries.length > max;
  const page = entries.slice(0, max);
  const items: T[] = [];
  const prefixes: string[] = [];
  for (const e of page) {
    if (e.item) items.push(e.item);
    else prefixes.push(e.common!);
  }
  const last = page[page.length - 1];
  const next = last?.item
    ? { key: last.item.key, ...(last.item.id !== undefined ? { id: last.item.id } : {}) }
    : last
      ? { key: last.common! }
      : undefined;
  return { items, prefixes, truncated, ...(truncated && next ? { next } : {}) };
}

/** `max-keys` (1 to 1000, default 100). */
export function maxKeys(call: OssCall, name: string): number {
  const v = integerArg(call.query.get(name), name, 1000);
  if (v === undefined) return 100;
  if (v < 1) throw invalidArgument(`Argument \`${name}\` must be at least 1.`, name, String(v));
  return v;
}

/** Whether keys are URL-encoded (`encoding-type=url`); `InvalidArgument` for another type. */
export function encodingType(call: OssCall): boolean {
  const e = call.query.get('encoding-type');
  if (e === undefined || e === null || e === '') return false;
  if (e.toLowerCase() !== 'url')
    throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', e);
  return true;
}

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

function contents(
  o: ObjectSummary,
  enc: (s: string) => string,
  owner: string | undefined,
): XmlFields {
  return {
    Key: enc(o.key),
    LastModified: isoMillis(o.lastModified),
    ETag: o.etag,
    Type: o.objectType,
    Size: o.size,
    StorageClass: o.storageClass,
    ...(owner !== undefined ? { Owner: { ID: owner, DisplayName: owner } } : {}),
    ...(o.restoreInfo !== undefined ? { RestoreInfo: o.restoreInfo } : {}),
  };
}

async function objectPage(
  call: OssCall,
  prefix: string,
  delimiter: string,
  after: string | undefined,
  max: number,
) {
  const b = bucketOf(call);
  const page = await listGrouped<ObjectSummary>(
    (lower, limit) =>
      call.deps.store.listObjects(b.name, { prefix, ...(lower ? { lower } : {}), limit }),
    {
      prefix,
      delimiter,
      max,
      ...(after !== undefined && after !== '' ? { after: { key: after } } : {}),
    },
  );
  // `RestoreInfo` of archive objects being restored or restored (handlers/restore.ts).
  return { ...page, items: await withRestoreInfo(call, b.name, page.items) };
}

/** The condition keys of a listing (`oss:Prefix`, `oss:Delimiter`). */
export function listingContext(call: OssCall): Record<string, string> {
  return {
    'oss:Prefix': call.query.get('prefix') ?? '',
    'oss:Delimiter': call.query.get('delimiter') ?? '',
  };
}

/** ListObjects (GetBucket v1). */
export async function listObjects(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const prefix = call.query.get('prefix') ?? '';
  const delimiter = call.query.get('delimiter') ?? '';
  const marker = call.query.get('marker') ?? '';
  const max = maxKeys(call, 'max-keys');
  const url = encodingType(call);
  const enc = url ? urlEncodeKey : (s: string) => s;
  const page = await objectPage(call, prefix, delimiter, marker, max);
  const body = xmlDocument('ListBucketResult', {
    Name: b.name,
    Prefix: enc(prefix),
    Marker: enc(marker),
    MaxKeys: max,
    Delimiter: enc(delimiter),
    ...(url ? { EncodingType: 'url' } : {}),
    IsTruncated: page.truncated,
    ...(page.next ? { NextMarker: enc(page.next.key) } : {}),
    // ali-oss `list()` dereferences Contents/Owner/ID unguarded (oss.md §6.11): always send Owner.
    Contents: page.items.map((o) => contents(o, enc, b.accountId)),
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
  });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

/** Continuation tokens are opaque to clients: the next start position, base64url. */
function encodeToken(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  // Trailing `=` are cut by a loop: `/=+$/` is quadratic in a long run of `=` not at the end (a
  // 64 KiB token of them blocked the event loop for 7 s).
  let end = token.length;
  while (end > 0 && token.charCodeAt(end - 1) === 61 /* = */) end--;
  if (token === '' || encodeToken(key) !== token.slice(0, end)) {
    throw invalidArgument(
      'The continuation token provided is incorrect',
      'continuation-token',
      token,
    );
  }
  return key;
}

/** ListObjectsV2 (`list-type=2`). */
export async function listObjectsV2(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const prefix = call.query.get('prefix') ?? '';
  const delimiter = call.query.get('delimiter') ?? '';
  const token = call.query.get('continuation-token');
  const startAfter = call.query.get('start-after') ?? '';
  const fetchOwner = (call.query.get('fetch-owner') ?? '').toLowerCase() === 'true';
  const max = maxKeys(call, 'max-keys');
  const url = encodingType(call);
  const enc = url ? urlEncodeKey : (s: string) => s;
  let after = startAfter;
  if (token !== undefined && token !== null && token !== '') {
    const t = decodeToken(token);
    if (compareKeys(t, after) > 0) after = t;
  }
  const page = await objectPage(call, prefix, delimiter, after, max);
  const body = xmlDocument('ListBucketResult', {
    Name: b.name,
    Prefix: enc(prefix),
    ...(token ? { ContinuationToken: token } : {}),
    ...(startAfter !== '' ? { StartAfter: enc(startAfter) } : {}),
    MaxKeys: max,
    Delimiter: enc(delimiter),
    ...(url ? { EncodingType: 'url' } : {}),
    IsTruncated: page.truncated,
    ...(page.next ? { NextContinuationToken: encodeToken(page.next.key) } : {}),
    KeyCount: page.items.length + page.prefixes.length,
    Contents: page.items.map((o) => contents(o, enc, fetchOwner ? b.accountId : undefined)),
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
  });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

/** ListMultipartUploads (`?uploads` on a bucket). */
export async function listMultipartUploads(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const prefix = call.query.get('prefix') ?? '';
  const delimiter = call.query.get('delimiter') ?? '';
  const keyMarker = call.query.get('key-marker') ?? '';
  const idMarker = call.query.get('upload-id-marker') ?? '';
  const max = maxKeys(call, 'max-uploads');
  const url = encodingType(call);
  const enc = url ? urlEncodeKey : (s: string) => s;
  type Item = Upload & { id: string };
  const page = await listGrouped<Item>(
    async (lower, limit) =>
      (
        await call.deps.store.listUploads(b.name, { prefix, ...(lower ? { lower } : {}), limit })
      ).map((u) => ({ ...u, id: u.uploadId })),
    {
      prefix,
      delimiter,
      max,
      ...(keyMarker !== ''
        ? { after: { key: keyMarker, ...(idMarker !== '' ? { id: idMarker } : {}) } }
        : {}),
    },
  );
  const body = xmlDocument('ListMultipartUploadsResult', {
    Bucket: b.name,
    KeyMarker: enc(keyMarker),
    UploadIdMarker: idMarker,
    NextKeyMarker: page.next ? enc(page.next.key) : '',
    NextUploadIdMarker: page.next?.id ?? '',
    Delimiter: enc(delimiter),
    Prefix: enc(prefix),
    ...(url ? { EncodingType: 'url' } : {}),
    MaxUploads: max,
    IsTruncated: page.truncated,
    Upload: page.items.map((u) => ({
      Key: enc(u.key),
      UploadId: u.uploadId,
      StorageClass: u.storageClass,
      Initiated: isoMillis(u.initiated),
    })),
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: enc(p) })),
  });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}

/**
 * ListLiveChannel (`GET /?live`): yunbox has no RTMP ingest, so no bucket has live channels and
 * the list is OSS's empty one, echoing the request's prefix, marker and max-keys (doc:
 * ListLiveChannel). oss2's shared test clean-up lists them before every DeleteBucket.
 */
export async function listLiveChannel(call: OssCall): Promise<OssReply> {
  bucketOf(call);
  const body = xmlDocument('ListLiveChannelResult', {
    Prefix: call.query.get('prefix') ?? '',
    Marker: call.query.get('marker') ?? '',
    MaxKeys: maxKeys(call, 'max-keys'),
    IsTruncated: false,
    NextMarker: '',
  });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}
