/**
 * @module Inventory reports, made on yunbox's clock for every enabled inventory configuration
 * (handlers/inventory.ts), in the destination bucket as OSS's bucket-inventory doc lays them out:
 *
 * ```
 * <Prefix>/<source>/<id>/data/<uuid>.csv.gz                 the rows, gzipped CSV
 * <Prefix>/<source>/<id>/YYYY-MM-DDTHH-MMZ/manifest.json    what the report holds
 * <Prefix>/<source>/<id>/YYYY-MM-DDTHH-MMZ/manifest.checksum  MD5 (hex) of manifest.json
 * ```
 *
 * Each CSV row is `"Bucket","Key"` (key URL-encoded), with `IncludedObjectVersions=All` then
 * `VersionId`, `IsLatest`, `IsDeleteMarker` (one row per version and delete marker, each key's
 * newest first), then the configuration's OptionalFields in the order given. A configuration's first report is due at the first UTC day boundary (Daily)
 * or week boundary (Weekly, weeks of the epoch) after it is created, then every day or week.
 * Due reports are looked for when a manual clock moves and every minute of the system clock;
 * a node claims a report by moving its due time (store `claimInventoryRun`), so several nodes
 * make each report once. Rows stream from the listing through gzip into one blob: memory stays
 * bounded whatever the bucket holds.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { BlobInfo, BlobStore } from '../../blob/blob-store.js';
import type { Clock } from '../../kernel/clock.js';
import { etagFromMd5, isoMillis, normalizeEtag, urlEncodeKey } from '../../protocol/oss-format.js';
import type { StoredNode } from './handlers/xml-tree.js';
import { versionFor, type Bucket, type OssObject, type ObjectSummary } from './model.js';
import { ClockedWorker } from './clocked-worker.js';
import type { ListLower, OssStore, VersionSummary } from './store.js';

const DAY = 24 * 3600_000;
const PAGE = 1000;

/** What a report needs of a stored configuration. */
export interface InventoryPlan {
  enabled: boolean;
  prefix: string;
  destination: string;
  destinationPrefix: string;
  period: number;
  fields: string[];
  /** `IncludedObjectVersions=All`: every version and delete marker, not the current objects only. */
  allVersions: boolean;
  lowerSize?: number;
  upperSize?: number;
  modifiedAfter?: number;
  modifiedBefore?: number;
  storageClasses?: string[];
}

const child = (n: StoredNode | undefined, name: string) => n?.c?.find((c) => c.n === name);
const text = (n: StoredNode | undefined, name: string) => child(n, name)?.t?.trim();
const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

/** The plan of a stored InventoryConfiguration (validated when it was put). */
export function inventoryPlan(config: StoredNode): InventoryPlan {
  const filter = child(config, 'Filter');
  const dest = child(child(config, 'Destination'), 'OSSBucketDestination');
  const arn = text(dest, 'Bucket') ?? '';
  const plan: InventoryPlan = {
    enabled: text(config, 'IsEnabled') === 'true',
    prefix: text(filter, 'Prefix') ?? '',
    destination: arn.slice('acs:oss:::'.length),
    destinationPrefix: text(dest, 'Prefix') ?? '',
    period: text(child(config, 'Schedule'), 'Frequency') === 'Weekly' ? 7 * DAY : DAY,
    fields: (child(config, 'OptionalFields')?.c ?? [])
      .filter((f) => f.n === 'Field')
      .map((f) => (f.t ?? '').trim()),
    allVersions: text(config, 'IncludedObjectVersions') === 'All',
  };
  const lower = num(text(filter, 'LowerSizeBound'));
  const upper = num(text(filter, 'UpperSizeBound'));
  const after = num(text(filter, 'LastModifyBeginTimeStamp'));
  const before = num(text(filter, 'LastModifyEndTimeStamp'));
  if (lower !== undefined) plan.lowerSize = lower;
  if (upper !== undefined) plan.upperSize = upper;
  if (after !== undefined) plan.modifiedAfter = after * 1000;
  if (before !== undefined) plan.modifiedBefore = before * 1000;
  const classes = text(filter, 'StorageClass');
  if (classes) plan.storageClasses = classes.split(',').map((c) => c.trim());
  return plan;
}

/**
 * When a report is next due after `now`: the next boundary of its period.
 * @example
 * nextInventoryRun(Date.parse('2026-03-01T10:15:00Z'), 86400000) // 2026-03-02T00:00:00Z
 */
export function nextInventoryRun(now: number, period: number): number {
  return (Math.floor(now / period) + 1) * period;
}

const csv = (v: string) => `"${v.replace(/"/g, '""')}"`;
const two = (n: number) => String(n).padStart(2, '0');

function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}-${two(d.getUTCMinutes())}Z`;
}

/**
 * The columns a report of all versions adds after `Bucket` and `Key`, as OSS's inventory doc names
 * them (the version's id, `null` for the null version; whether it is current; whether it is a
 * delete marker).
 */
export const VERSION_COLUMNS = ['VersionId', 'IsLatest', 'IsDeleteMarker'];

/** One row's subject: a current object, or any version (a delete marker too). */
type Row = ObjectSummary & Partial<Pick<VersionSummary, 'versionId' | 'isLatest' | 'deleteMarker'>>;

function wanted(plan: InventoryPlan, o: Row): boolean {
  if (plan.modifiedAfter !== undefined && o.lastModified < plan.modifiedAfter) return false;
  if (plan.modifiedBefore !== undefined && o.lastModified > plan.modifiedBefore) return false;
  // A delete marker has no size or storage class for the other filters to judge.
  if (o.deleteMarker) return true;
  if (plan.lowerSize !== undefined && o.size <= plan.lowerSize) return false;
  if (plan.upperSize !== undefined && o.size >= plan.upperSize) return false;
  if (plan.storageClasses && !plan.storageClasses.includes(o.storageClass)) return false;
  return true;
}

function field(name: string, o: Row, full: OssObject | undefined): string {
  // A delete marker has a time and nothing else to describe.
  if (o.deleteMarker) return name === 'LastModifiedDate' ? isoMillis(o.lastModified) : '';
  switch (name) {
    case 'Size':
      return String(o.size);
    case 'LastModifiedDate':
    case 'TransitionTime':
      return isoMillis(o.lastModified);
    case 'ETag':
      return normalizeEtag(o.etag).toUpperCase();
    case 'StorageClass':
      return o.storageClass;
    case 'IsMultipartUploaded':
      return String(o.objectType === 'Multipart');
    case 'EncryptionStatus':
      return 'false';
    case 'ObjectAcl':
      return full?.acl ?? 'default';
    case 'TaggingCount':
      return String(full?.tagCount ?? 0);
    case 'ObjectType':
      return o.objectType;
    case 'Crc64':
      return full?.crc64 ?? '';
    default:
      return '';
  }
}

/** What the report writer needs. */
export interface InventoryDeps {
  store: OssStore;
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
}

/** Makes due inventory reports, one at a time. */
export class InventoryReporter {
  readonly #deps: InventoryDeps;
  readonly #worker: ClockedWorker;

  constructor(deps: InventoryDeps) {
    this.#deps = deps;
    this.#worker = new ClockedWorker(
      deps.clock,
      () => this.#runDue(),
      (e) => deps.log.warn({ err: e }, 'oss: inventory reports failed'),
    );
  }

  /** Looks for due reports (after the ones already being made). */
  poke(): void {
    this.#worker.poke();
  }

  /** Resolves when the reports looked for so far are made. */
  idle(): Promise<void> {
    return this.#worker.idle();
  }

  /** Stops looking; waits for the report being made. */
  close(): Promise<void> {
    return this.#worker.close();
  }

  async #runDue(): Promise<void> {
    const { store, clock } = this.#deps;
    for (;;) {
      const now = clock.now();
      const due = await store.dueInventories(now, 50);
      if (due.length === 0) return;
      for (const row of due) {
        const plan = inventoryPlan(JSON.parse(row.config) as StoredNode);
        const next = nextInventoryRun(now, plan.period);
        if (!(await store.claimInventoryRun(row.bucket, row.id, row.nextRun, next))) continue;
        if (!plan.enabled) continue;
        try {
          await this.#report(row.bucket, row.id, plan, now);
        } catch (e) {
          this.#deps.log.warn(
            { err: e, bucket: row.bucket, inventory: row.id },
            'oss: inventory report not written',
          );
        }
      }
      if (this.#worker.closed) return;
    }
  }

  async #report(source: string, id: string, plan: InventoryPlan, now: number): Promise<void> {
    const { store, blobs } = this.#deps;
    const dest = await store.getBucket(plan.destination);
    const src = await store.getBucket(source);
    if (!dest || !src) throw new Error(`bucket \`${dest ? source : plan.destination}\` is gone`);
    const base = `${plan.destinationPrefix ? `${plan.destinationPrefix}/` : ''}${source}/${id}`;
    const needFull = plan.fields.some(
      (f) => f === 'ObjectAcl' || f === 'Crc64' || f === 'TaggingCount',
    );
    const gzip = createGzip();
    const sink = new PassThrough();
    gzip.pipe(sink);
    const written: Promise<BlobInfo> = blobs.write(sink);
    try {
      for await (const o of this.#rows(source, plan)) {
        if (!wanted(plan, o)) continue;
        const full =
          needFull && !o.deleteMarker
            ? o.versionId !== undefined
              ? await store.getObjectVersion(source, o.key, o.versionId)
              : await store.getObject(source, o.key)
            : undefined;
        const row = [source, urlEncodeKey(o.key)];
        if (plan.allVersions) {
          row.push(o.versionId ?? '', String(o.isLatest === true), String(o.deleteMarker === true));
        }
        row.push(...plan.fields.map((f) => field(f, o, full)));
        if (!gzip.write(`${row.map(csv).join(',')}\n`)) {
          await new Promise((r) => gzip.once('drain', r));
        }
      }
      gzip.end();
    } catch (e) {
      gzip.destroy(e as Error);
      await written.catch(() => {});
      throw e;
    }
    const data = await written;
    const dataKey = `${base}/data/${randomUUID()}.csv.gz`;
    await this.#put(dest, dataKey, data, 'application/x-gzip');
    const manifest = Buffer.from(
      JSON.stringify({
        creationTimestamp: String(Math.floor(now / 1000)),
        destinationBucket: dest.name,
        fileFormat: 'CSV',
        fileSchema: [
          'Bucket',
          'Key',
          ...(plan.allVersions ? VERSION_COLUMNS : []),
          ...plan.fields,
        ].join(', '),
        files: [{ MD5checksum: data.md5.toString('hex'), key: dataKey, size: data.size }],
        sourceBucket: source,
        version: '2019-09-01',
      }),
    );
    const dir = `${base}/${stamp(now)}`;
    await this.#put(
      dest,
      `${dir}/manifest.json`,
      await blobs.write([manifest]),
      'application/json',
    );
    const checksum = Buffer.from(createHash('md5').update(manifest).digest('hex'));
    await this.#put(dest, `${dir}/manifest.checksum`, await blobs.write([checksum]), 'text/plain');
  }

  /** The report's subjects in key order: current objects, or every version newest first. */
  async *#rows(source: string, plan: InventoryPlan): AsyncGenerator<Row> {
    const { store } = this.#deps;
    let lower: ListLower | undefined;
    for (;;) {
      const range = { prefix: plan.prefix, ...(lower ? { lower } : {}), limit: PAGE };
      const page: Row[] = plan.allVersions
        ? await store.listVersions(source, range)
        : await store.listObjects(source, range);
      yield* page;
      if (page.length < PAGE) return;
      const last = page[page.length - 1]!;
      lower = {
        key: last.key,
        inclusive: false,
        ...(last.versionId !== undefined ? { id: last.versionId } : {}),
      };
    }
  }

  async #put(bucket: Bucket, key: string, info: BlobInfo, contentType: string): Promise<void> {
    const md5 = info.md5.toString('hex').toUpperCase();
    const object: OssObject = {
      bucket: bucket.name,
      key,
      objectId: randomUUID().replace(/-/g, ''),
      size: info.size,
      etag: etagFromMd5(info.md5),
      crc64: info.crc64,
      objectType: 'Normal',
      storageClass: bucket.storageClass,
      lastModified: this.#deps.clock.now(),
      headers: { 'content-type': contentType },
      acl: 'default',
      segments: [{ blobId: info.blobId, size: info.size, md5, crc64: info.crc64 }],
    };
    try {
      const dropped = await this.#deps.store.putObject(
        { ...object, versionId: versionFor(bucket.versioning, object.lastModified) },
        bucket.versioning ? { versioning: bucket.versioning } : {},
      );
      if (dropped.length > 0) await this.#deps.blobs.delete(dropped).catch(() => {});
    } catch (e) {
      await this.#deps.blobs.delete([info.blobId]).catch(() => {});
      throw e;
    }
  }
}
