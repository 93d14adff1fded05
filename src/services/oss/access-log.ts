/**
 * @module Access logs of buckets with logging on (PutBucketLogging), written as objects into the
 * target bucket the way OSS writes them: one object per source bucket per hour of yunbox's clock,
 * named `<TargetPrefix><SourceBucket>YYYY-mm-DD-HH-00-00-0001` (UTC), one line per request in
 * OSS's space-separated format ({@link accessLogLine}).
 *
 * ```
 * request answered -> record(): the line joins its (bucket, hour) buffer, in memory
 * clock passes the hour's end (a manual clock's move, or the 30 s tick of the system clock)
 *                  -> the buffer is written as the hour's object, in recording order
 * a buffer past 1 MiB, or all buffers past 16 MiB -> the (largest) buffer is written at once,
 *                  as the next object of its hour (-0002, ...): memory stays bounded
 * close()          -> every buffer is written (a clean shutdown loses nothing)
 * ```
 *
 * Writes are queued one after another, so a manual clock's move flushes deterministically; a
 * write never overwrites (an hour's objects take the next free number). A crash loses the lines
 * still in memory: at most the current hour's requests (OSS itself says logs are best effort).
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { BlobStore } from '../../blob/blob-store.js';
import type { Clock } from '../../kernel/clock.js';
import { isStoreError } from '../../kernel/errors.js';
import { etagFromMd5, urlEncodeKey } from '../../protocol/oss-format.js';
import type { LoggingConfig } from './handlers/logging.js';
import { versionFor, type Bucket, type OssObject } from './model.js';
import type { OssStore } from './store.js';

const HOUR = 3600_000;
/** Bytes of one buffer before it is written early. */
const MAX_BUFFER_BYTES = 1024 * 1024;
/** Bytes of all buffers before the largest is written early. */
const MAX_TOTAL_BYTES = 16 * 1024 * 1024;
/** Longest line kept (a 16 KB request head fits). */
const MAX_LINE_BYTES = 24 * 1024;
/** How often the system clock's hours are checked. */
const TICK_MS = 30_000;
/** Numbers an hour's objects may take. */
const MAX_SEQ = 9999;

/** What one access-log line says of a request. */
export interface AccessLogFacts {
  remoteIp: string;
  /** Arrival on yunbox's clock (ms). */
  time: number;
  method: string;
  /** Request URI as received (path and query). */
  uri: string;
  status: number;
  sentBytes: number;
  requestMs: number;
  referer?: string;
  userAgent?: string;
  host: string;
  requestId: string;
  /** Account of the caller; absent when anonymous. */
  requester?: string;
  operation?: string;
  bucket: string;
  key?: string;
  objectSize?: number;
  errorCode?: string;
  requestLength: number;
  /** Account owning the bucket. */
  owner: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** `[02/May/2012:00:00:04 +0000]`, OSS's time field (UTC). */
export function logTime(ms: number): string {
  const d = new Date(ms);
  return `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000]`;
}

// Quoted fields never carry a quote, a backslash or a control character (escaped as \xHH).
// eslint-disable-next-line no-control-regex -- control characters are what is escaped
const UNSAFE = /["\\\u0000-\u001f\u007f]/g;
const quoted = (v: string | undefined) =>
  v === undefined || v === ''
    ? '"-"'
    : `"${v.replace(UNSAFE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;

/**
 * One line of an access log, OSS's fields in OSS's order: Remote IP, two reserved, Time,
 * Request-URI, HTTP Status, SentBytes, RequestTime (ms), Referer, User-Agent, HostName,
 * Request ID, LoggingFlag, Requester Aliyun ID, Operation, Bucket, Key, ObjectSize,
 * Server Cost Time (ms), Error Code, Request Length, UserID, Delta DataSize, Sync Request.
 * @example
 * accessLogLine(facts) // '127.0.0.1 - - [07/Dec/2026:14:00:00 +0000] "GET /a.txt HTTP/1.1" 200 …'
 */
export function accessLogLine(f: AccessLogFacts): string {
  return [
    f.remoteIp || '-',
    '-',
    '-',
    logTime(f.time),
    quoted(`${f.method} ${f.uri} HTTP/1.1`),
    String(f.status),
    String(f.sentBytes),
    String(Math.round(f.requestMs)),
    quoted(f.referer),
    quoted(f.userAgent),
    quoted(f.host),
    quoted(f.requestId),
    quoted('true'),
    quoted(f.requester),
    quoted(f.operation),
    quoted(f.bucket),
    quoted(f.key === undefined ? undefined : urlEncodeKey(f.key)),
    f.objectSize === undefined ? '-' : String(f.objectSize),
    String(Math.round(f.requestMs)),
    quoted(f.errorCode),
    String(f.requestLength),
    quoted(f.owner),
    '-',
    quoted(undefined),
  ].join(' ');
}

/**
 * Name of an hour's `seq`-th log object.
 * @example
 * logObjectKey('logs/', 'src', Date.parse('2026-12-07T14:00:00Z'), 1)
 * // 'logs/src2026-12-07-14-00-00-0001'
 */
export function logObjectKey(prefix: string, source: string, hour: number, seq: number): string {
  const d = new Date(hour);
  const stamp = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}-${two(d.getUTCHours())}-00-00`;
  return `${prefix}${source}${stamp}-${String(seq).padStart(4, '0')}`;
}

interface Buffered {
  source: string;
  target: string;
  prefix: string;
  hour: number;
  lines: string[];
  bytes: number;
}

/** Where the writer puts objects, and its clock. */
export interface AccessLogDeps {
  store: OssStore;
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
}

/** Collects access-log lines per bucket and hour and writes them as objects. */
export class AccessLogWriter {
  readonly #deps: AccessLogDeps;
  readonly #buffers = new Map<string, Buffered>();
  /** Next number to try per `source\nhour` (objects of an hour are numbered from 1). */
  readonly #seq = new Map<string, number>();
  #total = 0;
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #off: (() => void) | undefined;
  #closed = false;
  /** Lines dropped: the writer was closed, or an object could not be written. */
  dropped = 0;

  constructor(deps: AccessLogDeps) {
    this.#deps = deps;
    const clock = deps.clock as Clock & { onMove?: (l: (now: number) => void) => () => void };
    if (typeof clock.onMove === 'function') {
      this.#off = clock.onMove((now) => this.flushDue(now));
    }
    this.#timer = setInterval(() => this.flushDue(deps.clock.now()), TICK_MS);
    this.#timer.unref();
  }

  /** Records one answered request of `bucket` (whose logging is on) at yunbox time `facts.time`. */
  record(bucket: Bucket, conf: LoggingConfig, facts: AccessLogFacts): void {
    if (this.#closed) {
      this.dropped++;
      return;
    }
    let line = accessLogLine(facts);
    if (line.length > MAX_LINE_BYTES) line = line.slice(0, MAX_LINE_BYTES);
    line += '\n';
    const hour = Math.floor(facts.time / HOUR) * HOUR;
    const id = `${bucket.name}\n${hour}\n${conf.targetBucket}\n${conf.targetPrefix}`;
    let b = this.#buffers.get(id);
    if (!b) {
      b = {
        source: bucket.name,
        target: conf.targetBucket,
        prefix: conf.targetPrefix,
        hour,
        lines: [],
        bytes: 0,
      };
      this.#buffers.set(id, b);
    }
    const bytes = Buffer.byteLength(line);
    b.lines.push(line);
    b.bytes += bytes;
    this.#total += bytes;
    if (b.bytes >= MAX_BUFFER_BYTES) this.#write(id);
    while (this.#total > MAX_TOTAL_BYTES) {
      let largest: string | undefined;
      let size = -1;
      for (const [k, v] of this.#buffers) {
        if (v.bytes > size) [largest, size] = [k, v.bytes];
      }
      if (largest === undefined) break;
      this.#write(largest);
    }
  }

  /** Writes every buffer whose hour ended by `now` (yunbox's clock). */
  flushDue(now: number): void {
    for (const [id, b] of this.#buffers) if (b.hour + HOUR <= now) this.#write(id);
  }

  /** Resolves when every write queued so far is done. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** Writes every buffer, whatever its hour, and stops; later lines are dropped. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#off?.();
    for (const id of [...this.#buffers.keys()]) this.#write(id);
    this.#closed = true;
    await this.#queue;
  }

  #write(id: string): void {
    const b = this.#buffers.get(id);
    if (!b) return;
    this.#buffers.delete(id);
    this.#total -= b.bytes;
    const body = Buffer.from(b.lines.join(''));
    this.#queue = this.#queue.then(() =>
      this.#put(b, body).catch((e) => {
        this.dropped += b.lines.length;
        this.#deps.log.warn(
          { err: e, bucket: b.source, target: b.target, lines: b.lines.length },
          'oss: access log not written',
        );
      }),
    );
  }

  async #put(b: Buffered, body: Buffer): Promise<void> {
    const { store, blobs, clock } = this.#deps;
    const seqId = `${b.source}\n${b.hour}\n${b.target}\n${b.prefix}`;
    const target = await store.getBucket(b.target);
    if (!target) throw new Error(`target bucket \`${b.target}\` does not exist`);
    const info = await blobs.write([body]);
    const md5 = createHash('md5').update(body).digest();
    for (let seq = this.#seq.get(seqId) ?? 1; seq <= MAX_SEQ; seq++) {
      const object: OssObject = {
        bucket: target.name,
        key: logObjectKey(b.prefix, b.source, b.hour, seq),
        objectId: createHash('sha1').update(`${info.blobId}/${seq}`).digest('hex').slice(0, 32),
        size: info.size,
        etag: etagFromMd5(md5),
        crc64: info.crc64,
        objectType: 'Normal',
        storageClass: target.storageClass,
        lastModified: clock.now(),
        headers: { 'content-type': 'application/octet-stream' },
        acl: 'default',
        segments: [
          {
            blobId: info.blobId,
            size: info.size,
            md5: md5.toString('hex').toUpperCase(),
            crc64: info.crc64,
          },
        ],
      };
      try {
        await store.putObject(
          { ...object, versionId: versionFor(target.versioning, object.lastModified) },
          {
            forbidOverwrite: true,
            ...(target.versioning ? { versioning: target.versioning } : {}),
          },
        );
        this.#seq.set(seqId, seq + 1);
        return;
      } catch (e) {
        if (isStoreError(e, 'AlreadyExists')) continue;
        await blobs.delete([info.blobId]).catch(() => {});
        throw e;
      }
    }
    await blobs.delete([info.blobId]).catch(() => {});
    throw new Error(
      `no free log object name for \`${b.source}\` at ${new Date(b.hour).toISOString()}`,
    );
  }
}
