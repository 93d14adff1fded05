/**
 * @module The one {@link TrailRecorder} of a process. The RPC pipeline, OSS and the metadata
 * service tell it of each request once it is answered. An OSS or RPC request's event is not built
 * here: the few strings it is made of are copied into one small array (compact.ts) and the
 * writer builds the event (the same `ossEvent` or `rpcEvent`, its id stamped here); a metadata
 * request's, or any other {@link TrailRecorder.record}ed, is a small event made at once
 * (events.ts: parameters filtered, secrets scrubbed) and serialised (one JSON text). Either goes into a bounded buffer (buffer.ts) and the call returns:
 * that is all the serving event loop pays, a few microseconds (`npm run bench`'s trail row, for
 * an OSS GET). Nothing of the request but those strings outlives it. Every ~50 ms,
 * or at once when {@link MAX_BATCH} events wait, a batch of lines is handed to the store, which
 * in a server is a writer thread with its own connection (worker-store.ts); it writes the batch
 * in one transaction with relaxed durability, behind the requests: recording never waits for the
 * store and never fails a request. Should the writer fall behind, the buffer fills past its high
 * water mark and the gateway makes new requests wait for room ({@link TrailRecorder.room}):
 * back-pressure, not silent loss. Only while the store is unavailable for long, with waits timed
 * out, does the buffer reach its hard bound, and then it drops the oldest, counting them
 * ({@link TrailRecorder.dropped}) with a warning; it retries every second. `flush()` (before each
 * LookupEvents) and `close()` (clean shutdown) write everything recorded so far. A crash loses
 * what was in the buffer and the batch in flight: at most the last 50 ms of events, or
 * {@link MAX_BATCH} plus the events beyond it that the writer had not yet caught up with. Each
 * node writes its own events; ids are random (events.ts `newEventId`).
 *
 * Every event, whatever made it ({@link TrailRecorder.record} for new kinds), passes one gate
 * before it is queued (`#push`): when nobody signed its request it is sampled past a rate
 * (sampler.ts), the events left out counted in a summary event; and it is bounded (bound.ts)
 * before it is stored, by the writer as it reads the batch (buffer.ts `parseSerialised`), so the
 * buffer's own bound in characters is what holds it meanwhile. After
 * each write the stored events are kept within `maxBytes` (`--trail-max-bytes`): past it, or
 * past a quarter of it for unauthenticated events, the oldest (of those) are deleted down to
 * 90 %, with a warning and a `TrailEventsPruned` event saying how many. So a stranger can
 * neither make one event large nor store many, nor push the signed calls out of the trail.
 */
import type { Logger } from 'pino';
import type { RpcCtx } from '../../kernel/rpc-pipeline.js';
import type { MetadataTrailFacts } from '../ecs/index.js';
import type { OssTrailFacts } from '../oss/index.js';
import { boundEvent, isUnauthenticated, withFlag } from './bound.js';
import { EventBuffer, parseBatch, type BufferedEvent } from './buffer.js';
import { compactOss, compactRpc, stampCompact, type CompactOss } from './compact.js';
import { nextEventStamp } from './event-common.js';
import { CREDENTIALS_PATH, TOKEN_PATH, metadataEvent, newEventId, rpcNames } from './events.js';
import type { TrailEvent } from './model.js';
import {
  UnauthenticatedSampler,
  summaryParameters,
  type SamplingOptions,
  type SamplingSummary,
} from './sampler.js';
import type { TrailStore, TrailUsage } from './store.js';

/** Options of {@link TrailRecorder}. */
export interface TrailRecorderOptions {
  /** Time between writes (default 50 ms). */
  batchMs?: number;
  /**
   * Most events waiting to be written (default 20,000); past half of it new requests wait for
   * room, beyond it (the store down for long) the oldest are dropped.
   */
  maxQueue?: number;
  /** Most UTF-16 code units of serialised events waiting (default 32 Mi), likewise. */
  maxQueueChars?: number;
  /** Events older than this (relative to the newest written) are pruned (default 90 days). */
  retentionMs?: number;
  /** Most bytes of stored events (estimated) before the oldest are pruned (default 256 MiB). */
  maxBytes?: number;
  /** Sampling of unauthenticated events (sampler.ts; default {@link DEFAULT_SAMPLING}). */
  sampling?: Partial<SamplingOptions>;
  /** Real time for the sampling windows (default `Date.now`; the one clock may stand still). */
  now?: () => number;
}

/** Default `--trail-max-bytes`: months of a busy developer's calls, a small part of a disk. */
export const DEFAULT_TRAIL_MAX_BYTES = 256 * 1024 * 1024;
/** Unauthenticated events may take this share of `maxBytes`; past it their oldest go first. */
export const UNAUTHENTICATED_SHARE = 0.25;
/** Pruning for size goes down to this share of the bounds, so it does not run on every write. */
const PRUNE_TO = 0.9;

/** ActionTrail keeps 90 days of events for LookupEvents. */
export const TRAIL_RETENTION_MS = 90 * 24 * 3600 * 1000;

/**
 * Most events handed to the store at once (one transaction). The writer thread writes them off
 * the serving event loop; a store on the serving thread (tests) writes them there.
 */
export const MAX_BATCH = 512;
/** Most UTF-16 code units per batch (a few MB of text per message to the writer). */
const MAX_BATCH_CHARS = 4 * 1024 * 1024;
/** Longest a request waits for room in a full buffer before it is served anyway. */
export const ROOM_WAIT_MS = 5000;
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
  readonly #retentionMs: number;
  #log: Logger | undefined;
  #region = 'cn-hangzhou';
  readonly #buffer: EventBuffer;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<boolean> | undefined;
  #closed = false;
  #dropped = 0;
  #failures = 0;
  #lastWarn = 0;
  #lastPrune = -Infinity;
  #maxBytes: number;
  readonly #sampler: UnauthenticatedSampler;
  readonly #now: () => number;
  #summaryTimer: NodeJS.Timeout | undefined;
  #notStored = 0;
  #pruned = 0;
  /** The newest event time seen (the one clock), for the trail's own notices. */
  #lastEventTime = 0;

  constructor(store: TrailStore, opts: TrailRecorderOptions = {}) {
    this.#store = store;
    this.#batchMs = opts.batchMs ?? 50;
    this.#buffer = new EventBuffer({
      ...(opts.maxQueue !== undefined ? { maxEvents: opts.maxQueue } : {}),
      ...(opts.maxQueueChars !== undefined ? { maxChars: opts.maxQueueChars } : {}),
    });
    this.#retentionMs = opts.retentionMs ?? TRAIL_RETENTION_MS;
    this.#maxBytes = opts.maxBytes ?? DEFAULT_TRAIL_MAX_BYTES;
    this.#sampler = new UnauthenticatedSampler(opts.sampling);
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Sets the logger for warnings, the region RPC events are recorded in and the size bound
   * (`--trail-max-bytes`) (main.ts).
   */
  configure(opts: { log?: Logger; region?: string; maxBytes?: number }): void {
    if (opts.log) this.#log = opts.log;
    if (opts.region) this.#region = opts.region;
    if (opts.maxBytes !== undefined && opts.maxBytes > 0) this.#maxBytes = opts.maxBytes;
  }

  /** Events dropped: the queue was full (the store unavailable for long) or one failed to build. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Unauthenticated events only counted, not stored (sampling), by this process. */
  get notStored(): number {
    return this.#notStored;
  }

  /** Events this process deleted to keep the trail within its size bounds. */
  get pruned(): number {
    return this.#pruned;
  }

  /**
   * Any event, through the same gate as the requests' (bounded; sampled when unauthenticated):
   * for kinds of events other than RPC, OSS and metadata requests.
   */
  record(e: TrailEvent): void {
    if (this.#closed) return;
    try {
      this.#push(e);
    } catch (err) {
      this.#lost(err);
    }
  }

  /** Events waiting to be written. */
  get pending(): number {
    return this.#buffer.length;
  }

  /**
   * `undefined` while the buffer has room (the common case: nothing to wait for), else a promise
   * that resolves once the writer has caught up below the high water mark or after
   * {@link ROOM_WAIT_MS}: the gateway awaits it before serving a request (back-pressure).
   */
  room(): Promise<boolean> | undefined {
    if (this.#closed || !this.#buffer.full) return undefined;
    if (this.#timer !== undefined && this.#flushing === undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#write();
    }
    return this.#buffer.room(ROOM_WAIT_MS);
  }

  /**
   * An RPC request that reached routing, answered (called by the RPC pipeline); `eventType`
   * names another kind of event recorded from the same facts (the console's `ConsoleSignin`).
   */
  rpc(ctx: RpcCtx, eventType?: string): void {
    if (this.#closed) return;
    try {
      // As an OSS request's (see oss()): the writer builds the event.
      const c = compactRpc(ctx, rpcNames(ctx), this.#region, eventType);
      const p = ctx.principal;
      const unauthenticated = p === undefined;
      this.#pushCompact(c, undefined, unauthenticated, ctx.sourceIp, ctx.now);
      // A copy for the other account the call concerns (the role's of a cross-account
      // AssumeRole), naming the caller's: the event's account is the caller's, else the one a
      // handler named.
      const account = p?.accountId || ctx.attributedTo || '';
      const other = ctx.sharedWith;
      if (other !== undefined && other !== '' && account !== '' && other !== account) {
        this.#pushCompact(c.slice(), other, unauthenticated, ctx.sourceIp, ctx.now);
      }
    } catch (e) {
      this.#lost(e);
    }
  }

  /**
   * An OSS request, answered (called by the OSS protocol). Its event is not built here: the few
   * strings it is made of are copied into the buffer in compact form (compact.ts) and the writer
   * builds it, the same event `ossEvent` makes, with its id stamped now.
   */
  oss(facts: OssTrailFacts): void {
    if (this.#closed) return;
    try {
      const p = facts.principal;
      const unauthenticated = p.kind === 'anonymous';
      const c = compactOss(facts, facts.region ?? this.#region);
      const { sourceIp, now } = facts.base;
      this.#pushCompact(c, undefined, unauthenticated, sourceIp, now);
      // A copy for the other account the call concerns (the bucket owner's), naming the
      // caller's: the event's account is the caller's, else the bucket owner's.
      const account = (unauthenticated ? '' : p.accountId) || facts.bucketOwner || '';
      const other = facts.sharedWith;
      if (other !== undefined && other !== '' && account !== '' && other !== account) {
        this.#pushCompact(c.slice(), other, unauthenticated, sourceIp, now);
      }
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

  /** Writes what is left (and the summary of the sampling window) and stops recording. */
  async close(): Promise<void> {
    if (!this.#closed) this.#summarise(this.#sampler.roll(this.#now(), true));
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#summaryTimer) clearTimeout(this.#summaryTimer);
    this.#summaryTimer = undefined;
    this.#buffer.release();
    await this.flush();
  }

  /** The one gate: samples `e` when unauthenticated, queues what is kept (to be bounded). */
  #push(event: TrailEvent): void {
    // Bounded by the writer as it reads the lines back (buffer.ts `parseSerialised`): here only
    // what the gate needs, so the serving thread pays for no measuring.
    let e = event;
    const verdict = this.#admit(isUnauthenticated(e), e.sourceIp, e.eventTime);
    if (verdict === 'skip') return;
    if (verdict === 'sample') e = { ...e, flags: withFlag(e.flags, 'sampled') };
    this.#enqueue(e);
  }

  /**
   * The gate for an OSS event in compact form (compact.ts), stamped with its id now; `copyTo`
   * names the account of a cross-account copy.
   */
  #pushCompact(
    c: CompactOss,
    copyTo: string | undefined,
    unauthenticated: boolean,
    sourceIp: string,
    eventTime: number,
  ): void {
    // Stamped before the gate, as an event built here had its id before it: a summary the gate
    // writes first still sorts after it.
    const stamp = nextEventStamp();
    const ms = stamp.ms;
    const sequence = stamp.sequence;
    const verdict = this.#admit(unauthenticated, sourceIp, eventTime);
    if (verdict === 'skip') return;
    this.#enqueueText(stampCompact(c, ms, sequence, verdict === 'sample', copyTo));
  }

  /**
   * Whether an event is kept (`keep`), kept as the sample of others only counted (`sample`) or
   * only counted (`skip`): unauthenticated events past the rate (sampler.ts).
   */
  #admit(
    unauthenticated: boolean,
    sourceIp: string,
    eventTime: number,
  ): 'keep' | 'sample' | 'skip' {
    if (eventTime > this.#lastEventTime) this.#lastEventTime = eventTime;
    if (!unauthenticated) return 'keep';
    const { verdict, summary } = this.#sampler.admit(sourceIp, this.#now());
    if (summary) this.#summarise(summary);
    if (verdict === 'skip') {
      this.#notStored++;
      this.#scheduleSummary();
      return 'skip';
    }
    return verdict === 'sample' ? 'sample' : 'keep';
  }

  /** Queues a summary event for a sampling window that left events out. */
  #summarise(s: SamplingSummary | undefined): void {
    if (s === undefined) return;
    this.#log?.warn(
      { notStored: s.notStored, sampled: s.sampled, sources: s.sourceCount },
      'trail: unauthenticated requests past the rate were counted, not stored one by one',
    );
    this.#enqueue(
      this.#notice('TrailEventsNotStored', summaryParameters(s, this.#sampler.options)),
    );
  }

  /** Rolls the sampling window when it ends, so its summary is written without more traffic. */
  #scheduleSummary(): void {
    if (this.#summaryTimer !== undefined) return;
    const wait = Math.max(0, this.#sampler.windowEnd - this.#now()) + 10;
    this.#summaryTimer = setTimeout(() => {
      this.#summaryTimer = undefined;
      if (!this.#closed) this.#summarise(this.#sampler.roll(this.#now()));
    }, wait);
    this.#summaryTimer.unref();
  }

  /** An event of the trail's own (identity `yunbox`), visible to every account's LookupEvents. */
  #notice(eventName: string, requestParameters: Record<string, string>): TrailEvent {
    return boundEvent({
      eventId: newEventId(),
      eventTime: this.#lastEventTime || Date.now(),
      accountId: '',
      eventName,
      eventType: 'AliyunServiceEvent',
      eventRW: 'Write',
      serviceName: 'Actiontrail',
      eventSource: `actiontrail.${this.#region}.aliyuncs.com`,
      apiVersion: '',
      region: this.#region,
      sourceIp: '',
      userAgent: '',
      requestId: '',
      errorCode: '',
      errorMessage: '',
      identityType: 'yunbox',
      principalId: '',
      userName: 'yunbox',
      roleName: '',
      accessKeyId: '',
      resourceType: '',
      resourceName: '',
      decision: 'none',
      decidedBy: '',
      resource: '',
      instanceId: '',
      requestParameters,
    });
  }

  #enqueue(e: TrailEvent): void {
    this.#enqueueText(JSON.stringify(e));
  }

  /** Queues one line (an event's JSON or a compact OSS event) and schedules its write. */
  #enqueueText(text: BufferedEvent): void {
    const dropped = this.#buffer.push(text);
    if (dropped > 0) this.#drop(dropped);
    if (this.#flushing !== undefined) return;
    if (this.#timer === undefined) this.#schedule(this.#batchMs);
    else if (this.#buffer.length === MAX_BATCH) {
      // A full batch waits for no timer.
      clearTimeout(this.#timer);
      this.#schedule(0);
    }
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, ms);
    this.#timer.unref();
  }

  #drop(n: number): void {
    this.#dropped += n;
    const now = Date.now();
    if (now - this.#lastWarn >= WARN_EVERY_MS) {
      this.#lastWarn = now;
      this.#log?.warn(
        { dropped: this.#dropped, pending: this.pending },
        'trail: buffer full while the store could not be written, oldest events dropped',
      );
    }
  }

  #lost(e: unknown): void {
    this.#dropped++;
    this.#log?.warn({ err: e }, 'trail: an event could not be recorded');
  }

  /** Writes one batch; reschedules while events remain. Resolves false when the write failed. */
  #write(): Promise<boolean> {
    if (this.#flushing) return this.#flushing;
    if (this.pending === 0) return Promise.resolve(true);
    const batch = this.#buffer.take(MAX_BATCH, MAX_BATCH_CHARS);
    const newest = this.#lastEventTime;
    this.#flushing = (async () => {
      let ok = true;
      let usage: TrailUsage | undefined;
      try {
        usage = this.#store.appendBatch
          ? await this.#store.appendBatch(batch)
          : await this.#store.append(parseBatch(batch));
        if (this.#failures > 0) this.#log?.info('trail: the store is back, writing again');
        this.#failures = 0;
      } catch (err) {
        ok = false;
        this.#failures++;
        // Back to the front of the buffer, to be retried; the bound still holds.
        const dropped = this.#buffer.putBack(batch);
        if (dropped > 0) this.#drop(dropped);
        if (this.#failures === 1) {
          this.#log?.warn(
            { err, pending: this.pending },
            'trail: events not written, retrying every second (is the store unavailable?)',
          );
        }
      }
      // Written: pruning failures are only logged (the batch must not be written twice).
      if (ok) {
        try {
          await this.#prune(newest);
          if (usage) await this.#keepWithin(usage);
        } catch (err) {
          this.#log?.warn({ err }, 'trail: pruning failed, retrying after the next write');
        }
      }
      this.#flushing = undefined;
      if (this.pending > 0 && !this.#closed && this.#timer === undefined) {
        this.#schedule(!ok ? RETRY_MS : this.pending >= MAX_BATCH ? 0 : this.#batchMs);
      }
      return ok;
    })();
    return this.#flushing;
  }

  /**
   * Keeps the stored events within `maxBytes` (and unauthenticated ones within their share):
   * once past, deletes the oldest down to 90 %, a slice per transaction with the event loop free
   * in between; then warns and records how many went.
   */
  async #keepWithin(usage: TrailUsage): Promise<void> {
    const max = this.#maxBytes;
    const maxUnauthenticated = Math.floor(max * UNAUTHENTICATED_SHARE);
    if (usage.bytes <= max && usage.unauthenticatedBytes <= maxUnauthenticated) return;
    const budget = {
      maxBytes: Math.floor(max * PRUNE_TO),
      maxUnauthenticatedBytes: Math.floor(maxUnauthenticated * PRUNE_TO),
    };
    let events = 0;
    let bytes = 0;
    let after: TrailUsage;
    for (;;) {
      const step = await this.#store.pruneToSize(budget);
      events += step.events;
      bytes += step.bytes;
      after = step.usage;
      if (step.done || step.events === 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (events === 0) return;
    this.#pruned += events;
    const reason =
      usage.unauthenticatedBytes > maxUnauthenticated && usage.bytes <= max
        ? 'unauthenticated events past their share of --trail-max-bytes'
        : 'events past --trail-max-bytes';
    this.#log?.warn(
      { pruned: events, bytes, maxBytes: max, prunedEver: after.prunedEvents },
      `trail: ${reason}: the oldest were deleted`,
    );
    this.#enqueue(
      this.#notice('TrailEventsPruned', {
        Reason: reason,
        PrunedEvents: String(events),
        PrunedBytes: String(bytes),
        MaxBytes: String(max),
        MaxUnauthenticatedBytes: String(maxUnauthenticated),
        StoredEvents: String(after.events),
        StoredBytes: String(after.bytes),
        PrunedEventsEver: String(after.prunedEvents),
      }),
    );
  }

  /** Deletes events past the retention, at most once an hour of event time. */
  async #prune(newest: number): Promise<void> {
    if (newest - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = newest;
    await this.#store.prune(newest - this.#retentionMs);
  }
}
