/**
 * @module Put/Get/List/DeleteBucketInventory (`?inventory&inventoryId=`): inventory
 * configurations, up to {@link MAX_INVENTORIES} a bucket, validated as OSS's PutBucketInventory
 * doc describes them and returned element for element as they were sent. ListBucketInventory
 * pages by 100 with `continuation-token` (the last id of the page, opaque to clients).
 *
 * Reports are made on the clock by `inventory-report.ts`.
 */
import {
  parseOssXml,
  xmlChild,
  xmlChildText,
  xmlChildren,
  XML_PROLOG,
  type XmlNode,
} from '../../../protocol/oss-xml.js';
import { isStoreError } from '../../../kernel/errors.js';
import type { OssCall, OssReply } from '../context.js';
import {
  OssError,
  invalidArgument,
  malformedXml,
  missingArgument,
  noSuchBucket,
} from '../errors.js';
import { inventoryPlan, nextInventoryRun } from '../inventory-report.js';
import { isValidBucketName, keyProblem, type Bucket } from '../model.js';
import { readSmallBody } from './common.js';
import { storedNode, storedNodeXml, type StoredNode } from './xml-tree.js';

/** Inventory configurations a bucket may have (PutBucketInventory doc). */
export const MAX_INVENTORIES = 1000;
/** Configurations per ListBucketInventory page. */
export const INVENTORY_PAGE = 100;
/** Longest inventory id, in bytes. */
const MAX_ID_BYTES = 64;

/** Optional fields a report may carry. */
export const INVENTORY_FIELDS = [
  'Size',
  'LastModifiedDate',
  'TransitionTime',
  'ETag',
  'StorageClass',
  'IsMultipartUploaded',
  'EncryptionStatus',
  'ObjectAcl',
  'TaggingCount',
  'ObjectType',
  'Crc64',
];

/** `404 NoSuchInventory`. */
export const noSuchInventory = (id: string) =>
  new OssError('NoSuchInventory', 404, 'The specified inventory does not exist.', {
    fields: { InventoryId: id },
  });

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

function inventoryIdArg(call: OssCall): string {
  const id = call.query.get('inventoryId');
  if (id === undefined || id === null || id === '') throw missingArgument('inventoryId');
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (Buffer.byteLength(id) > MAX_ID_BYTES || /[\u0000-\u001f\u007f]/.test(id)) {
    throw invalidArgument('The inventoryId is invalid.', 'inventoryId', id);
  }
  return id;
}

const bad = (name: string, value: string) => invalidArgument(`${name} is invalid.`, name, value);

function required(node: XmlNode, name: string): string {
  const v = xmlChildText(node, name);
  if (v === undefined) throw malformedXml();
  return v.trim();
}

/** Checks an optional decimal child is a non-negative integer. */
function optionalInteger(node: XmlNode, name: string): void {
  const v = xmlChildText(node, name);
  if (v !== undefined && !/^\d{1,19}$/.test(v.trim())) throw bad(name, v);
}

/**
 * Validates an InventoryConfiguration body for `id` and answers its stored form and the
 * destination bucket's name.
 */
export function parseInventoryConfiguration(
  body: Buffer,
  id: string,
): { node: StoredNode; destination: string; accountId: string } {
  const parsed = parseOssXml(body, { maxBytes: 64 * 1024 });
  if (!parsed.ok) throw OssError.from(parsed);
  const root = parsed.value;
  if (root.name !== 'InventoryConfiguration') throw malformedXml();
  const bodyId = required(root, 'Id');
  if (bodyId !== id) {
    throw invalidArgument(
      'The inventoryId does not match the Id of the configuration.',
      'Id',
      bodyId,
    );
  }
  const enabled = required(root, 'IsEnabled');
  if (enabled !== 'true' && enabled !== 'false') throw bad('IsEnabled', enabled);
  const filter = xmlChild(root, 'Filter');
  if (filter) {
    for (const n of [
      'LastModifyBeginTimeStamp',
      'LastModifyEndTimeStamp',
      'LowerSizeBound',
      'UpperSizeBound',
    ]) {
      optionalInteger(filter, n);
    }
  }
  const destination = xmlChild(xmlChild(root, 'Destination') ?? root, 'OSSBucketDestination');
  if (!destination || !xmlChild(root, 'Destination')) throw malformedXml();
  const format = required(destination, 'Format');
  if (format !== 'CSV') throw bad('Format', format);
  const accountId = required(destination, 'AccountId');
  if (!/^\d{1,32}$/.test(accountId)) throw bad('AccountId', accountId);
  const role = required(destination, 'RoleArn');
  if (!role.startsWith(`acs:ram::${accountId}:role/`) || role.length > 256) {
    throw bad('RoleArn', role);
  }
  const bucketArn = required(destination, 'Bucket');
  const name = bucketArn.startsWith('acs:oss:::') ? bucketArn.slice('acs:oss:::'.length) : '';
  if (!isValidBucketName(name)) throw bad('Bucket', bucketArn);
  // Report keys are <Prefix>/<bucket>/<id>/...: the prefix must leave room for the rest.
  const destPrefix = xmlChildText(destination, 'Prefix') ?? '';
  if (Buffer.byteLength(destPrefix) > 512 || (destPrefix !== '' && keyProblem(destPrefix))) {
    throw bad('Prefix', destPrefix);
  }
  const filterPrefix = filter ? (xmlChildText(filter, 'Prefix') ?? '') : '';
  if (Buffer.byteLength(filterPrefix) > 1023) throw bad('Prefix', filterPrefix);
  const encryption = xmlChild(destination, 'Encryption');
  if (encryption && encryption.children.length > 0) {
    const [kind] = encryption.children;
    if (encryption.children.length > 1 || !kind) throw malformedXml();
    if (kind.name === 'SSE-KMS') required(kind, 'KeyId');
    else if (kind.name !== 'SSE-OSS') throw malformedXml();
  }
  const frequency = required(xmlChild(root, 'Schedule') ?? root, 'Frequency');
  if (!xmlChild(root, 'Schedule')) throw malformedXml();
  if (frequency !== 'Daily' && frequency !== 'Weekly') throw bad('Frequency', frequency);
  const versions = required(root, 'IncludedObjectVersions');
  if (versions !== 'All' && versions !== 'Current') throw bad('IncludedObjectVersions', versions);
  const fields = xmlChild(root, 'OptionalFields');
  if (fields) {
    for (const f of xmlChildren(fields, 'Field')) {
      if (!INVENTORY_FIELDS.includes(f.text.trim())) throw bad('Field', f.text);
    }
  }
  return { node: storedNode(root), destination: name, accountId };
}

/** PutBucketInventory. */
export async function putBucketInventory(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const id = inventoryIdArg(call);
  const conf = parseInventoryConfiguration(await readSmallBody(call, 64 * 1024), id);
  const target =
    conf.destination === b.name ? b : await call.deps.store.getBucket(conf.destination);
  if (!target) throw noSuchBucket(conf.destination);
  if (target.accountId !== b.accountId || conf.accountId !== b.accountId) {
    throw invalidArgument(
      'The destination bucket must belong to the owner of the source bucket.',
      'Bucket',
      conf.destination,
    );
  }
  if (target.region !== b.region) {
    throw invalidArgument(
      'The destination bucket must be in the same region as the source bucket.',
      'Bucket',
      conf.destination,
    );
  }
  try {
    const first = nextInventoryRun(call.deps.clock.now(), inventoryPlan(conf.node).period);
    await call.deps.store.putInventory(
      b.name,
      id,
      JSON.stringify(conf.node),
      MAX_INVENTORIES,
      first,
    );
  } catch (e) {
    if (isStoreError(e, 'Conflict')) {
      throw invalidArgument(
        `A bucket can have at most ${MAX_INVENTORIES} inventory configurations.`,
        'inventoryId',
        id,
      );
    }
    if (isStoreError(e, 'NotFound')) throw noSuchBucket(b.name);
    throw e;
  }
  return { status: 200 };
}

/** GetBucketInventory. */
export async function getBucketInventory(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const id = inventoryIdArg(call);
  const conf = await call.deps.store.getInventory(b.name, id);
  if (conf === undefined) throw noSuchInventory(id);
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: XML_PROLOG + storedNodeXml(JSON.parse(conf) as StoredNode),
  };
}

/** ListBucketInventory: 100 a page, `continuation-token` the last id of the previous page. */
export async function listBucketInventory(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const token = call.query.get('continuation-token') ?? '';
  if (Buffer.byteLength(token) > MAX_ID_BYTES) {
    throw invalidArgument('The continuation-token is invalid.', 'continuation-token', token);
  }
  const rows = await call.deps.store.listInventories(b.name, token, INVENTORY_PAGE + 1);
  const page = rows.slice(0, INVENTORY_PAGE);
  const truncated = rows.length > INVENTORY_PAGE;
  const configs = page.map((r) => storedNodeXml(JSON.parse(r.config) as StoredNode)).join('');
  const tail = truncated
    ? `<IsTruncated>true</IsTruncated>${storedNodeXml({ n: 'NextContinuationToken', t: page[page.length - 1]!.id })}`
    : '<IsTruncated>false</IsTruncated>';
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: `${XML_PROLOG}<ListInventoryConfigurationsResult>${configs}${tail}</ListInventoryConfigurationsResult>`,
  };
}

/** DeleteBucketInventory: 204, also when there was none. */
export async function deleteBucketInventory(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  await call.deps.store.deleteInventory(b.name, inventoryIdArg(call));
  return { status: 204 };
}
