/**
 * @module The one {@link TrailRecorder} of a process. The RPC pipeline, OSS and the metadata
 * service tell it of each request once it is answered; it turns the facts into a small event
 * at once (events.ts: parameters filtered, secrets scrubbed), so nothing of the request outlives
 * it, and queues it. Every ~50 ms the queue is written in one transaction with relaxed
 * durability, behind the requests: recording never waits for the store and never fails a
 * request. While the store is unavailable the queue keeps the newest events up to its bound,
 * dropping the oldest and counting them ({@link TrailRecorder.dropped}) with a warning, and
 * retries every second; `close()` writes what is left. Each node writes its own events; ids are
 * random (events.ts `newEventId`).
 */
import type { Logger } from 'pino';
import type { RpcCtx } from '../../kernel/rpc-pipeline.js';
import type { MetadataTrailFacts } from '../ecs/index.js';
import type { OssTrailFacts } from '../oss/index.js';
import {
  CREDENTIALS_PATH,
  TOKEN_PATH,
  metadataEvent,
  newEventId,
  ossEvent,
  rpcEvent,
} from './events.js';
import type { TrailEvent } from './model.js';
import type { TrailStore } from './store.js';

/** Options of {@link TrailRecorder}. */
export interface TrailRecorderOptions {
  /** Time between writes (default 50 ms). */
  batchMs?: number;
  /** Most events waiting to be written; beyond it the oldest are dropped (default 20,000). */
  maxQueue?: number;
  /** Events older than this (relative to the newest written) are pruned (default 90 days). */
  retentionMs?: number;
}

/** ActionTrail keeps 90 days of events for LookupEvents. */
export const TRAIL_RETENTION_MS = 90 * 24 * 3600 * 1000;

/**
 * Most events written per transaction. SQLite writes on the event loop: a batch of a hundred
 * events kept every request waiting for milliseconds (the metadata service's p99 tripled). Small
 * slices, one per turn of the event loop, let requests through in between.
 */
const MAX_BATCH = 32;
/** Wait before retrying after a failed write. */
const RETRY_MS = 1000;
/** At most one warning about dropped events per this long. */
const WARN_EVERY_MS = 10_000;
/** Pruning runs at most once per this much event time. */
const PRUNE_EVERY_MS = 3600_000;

/** Collects answered requests and writes them as trail events, batched and behind. */
export class TrailRecorder {
  readonly #store: TrailStore;
  readonly #batchMs: number;
  readonly #maxQueue: number;
  readonly #retentionMs: number;
  #log: Logger | undefined;
  #region = 'cn-hangzhou';
  #queue: TrailEvent[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<boolean> | undefined;
  #closed = false;
  #dropped = 0;
  #failures = 0;
  #lastWarn = 0;
  #lastPrune = -Infinity;

  constructor(store: TrailStore, opts: TrailRecorderOptions = {}) {
    this.#store = store;
    this.#batchMs = opts.batchMs ?? 50;
    this.#maxQueue = opts.maxQueue ?? 20_000;
    this.#retentionMs = opts.retentionMs ?? TRAIL_RETENTION_MS;
  }

  /** Sets the logger for warnings and the region RPC events are recorded in (main.ts). */
  configure(opts: { log?: Logger; region?: string }): void {
    if (opts.log) this.#log = opts.log;
    if (opts.region) this.#region = opts.region;
  }

  /** Events dropped: the queue was full (the store unavailable for long) or one failed to build. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.#queue.length - this.#head;
  }

  /** An RPC request that reached routing, answered (called by the RPC pipeline). */
  rpc(ctx: RpcCtx): void {
    if (this.#closed) return;
    try {
      this.#push(rpcEvent(ctx, this.#region, newEventId()));
    } catch (e) {
      this.#lost(e);
    }
  }

  /** An OSS request, answered (called by the OSS protocol). */
  oss(facts: OssTrailFacts): void {
    if (this.#closed) return;
    try {
      this.#push(ossEvent(facts, this.#region, newEventId()));
    } catch (e) {
      this.#lost(e);
    }
  }

  /** A metadata request of an instance, answered: credential reads and tokens are kept. */
  metadata(facts: MetadataTrailFacts): void {
    if (this.#closed) return;
    try {
      if (!CREDENTIALS_PATH.test(facts.path) && !TOKEN_PATH.test(facts.path)) return;
      const e = metadataEvent(facts, this.#region, newEventId());
      if (e) this.#push(e);
    } catch (e) {
      this.#lost(e);
    }
  }

  /** Writes every event recorded so far; resolves when they are stored (or a write failed). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#flushing) {
        await this.#flushing;
        continue;
      }
      if (this.pending === 0) return;
      if (!(await this.#write())) return;
    }
  }

  /** Writes what is left and stops recording. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  #push(e: TrailEvent): void {
    this.#queue.push(e);
    const over = this.pending - this.#maxQueue;
    if (over > 0) this.#drop(over);
    if (this.#timer === undefined && this.#flushing === undefined) this.#schedule(this.#batchMs);
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, ms);
    this.#timer.unref();
  }

  #drop(n: number): void {
    this.#head += n;
    this.#dropped += n;
    this.#compact();
    const now = Date.now();
    if (now - this.#lastWarn >= WARN_EVERY_MS) {
      this.#lastWarn = now;
      this.#log?.warn(
        { dropped: this.#dropped, pending: this.pending },
        'trail: queue full, oldest events dropped',
      );
    }
  }

  #compact(): void {
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #lost(e: unknown): void {
    this.#dropped++;
    this.#log?.warn({ err: e }, 'trail: an event could not be recorded');
  }

  /** Writes one batch; reschedules while events remain. Resolves false when the write failed. */
  #write(): Promise<boolean> {
    if (this.#flushing) return this.#flushing;
    const n = Math.min(this.pending, MAX_BATCH);
    if (n === 0) return Promise.resolve(true);
    const batch = this.#queue.slice(this.#head, this.#head + n);
    this.#head += n;
    this.#compact();
    this.#flushing = (async () => {
      let ok = true;
      try {
        await this.#store.append(batch);
        await this.#prune(batch);
        if (this.#failures > 0) this.#log?.info('trail: the store is back, writing again');
        this.#failures = 0;
      } catch (err) {
        ok = false;
        this.#failures++;
        // Back to the front of the queue, to be retried; the bound still holds.
        this.#queue = [...batch, ...this.#queue.slice(this.#head)];
        this.#head = 0;
        const over = this.pending - this.#maxQueue;
        if (over > 0) this.#drop(over);
        if (this.#failures === 1) {
          this.#log?.warn(
            { err, pending: this.pending },
            'trail: events not written, retrying every second (is the store unavailable?)',
          );
        }
      } finally {
        this.#flushing = undefined;
      }
      if (this.pending > 0 && !this.#closed && this.#timer === undefined) {
        this.#schedule(!ok ? RETRY_MS : this.pending >= MAX_BATCH ? 0 : this.#batchMs);
      }
      return ok;
    })();
    return this.#flushing;
  }

  /** Deletes events past the retention, at most once an hour of event time. */
  async #prune(events: readonly TrailEvent[]): Promise<void> {
    let newest = -Infinity;
    for (const e of events) if (e.eventTime > newest) newest = e.eventTime;
    if (newest - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = newest;
    await this.#store.prune(newest - this.#retentionMs);
  }
}
