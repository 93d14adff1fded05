/**
 * @module What the trail needs from storage: append a batch of events, look events up by time
 * and attributes with a cursor, prune the old ones, and keep the stored events within a size.
 */
import type { BufferedEvent } from './buffer.js';
import type { TrailEvent } from './model.js';

/** Event fields LookupEvents can filter on (exact, case-sensitive match). */
export type TrailFilterField =
  | 'eventId'
  | 'eventName'
  | 'eventRW'
  | 'eventType'
  | 'serviceName'
  | 'userName'
  | 'roleName'
  | 'accessKeyId'
  | 'resourceType'
  | 'resourceName'
  | 'sourceIp'
  | 'requestId'
  | 'errorCode'
  | 'decision'
  | 'instanceId';

/** Where a page starts: after (or before, backwards) this event. */
export interface TrailCursor {
  time: number;
  id: string;
}

/** One lookup. */
export interface TrailQuery {
  /** Events of this account. */
  accountId: string;
  /**
   * Also the events whose account is not known (refused unknown keys, unsigned calls naming no
   * account): those belong to the first account, the operator's (default true).
   */
  unattributed?: boolean;
  /** Time range (ms): `start` inclusive, `end` exclusive. */
  start: number;
  end: number;
  /** All must match. */
  filters: ReadonlyArray<{ field: TrailFilterField; value: string }>;
  /** `backward`: newest first (ActionTrail's default); `forward`: oldest first. */
  direction: 'forward' | 'backward';
  /** The last event of the previous page. */
  after?: TrailCursor;
  limit: number;
}

/**
 * What the stored events take (sizes are estimates: each event's text plus a fixed overhead,
 * not the database's pages), and what was pruned to stay within a size, ever.
 */
export interface TrailUsage {
  events: number;
  bytes: number;
  /** Of those, events of requests nobody signed. */
  unauthenticatedEvents: number;
  unauthenticatedBytes: number;
  /** Events deleted to stay within the size bounds (not by age), since the trail began. */
  prunedEvents: number;
  prunedBytes: number;
}

/** Totals of nothing: no events, no bytes, nothing pruned (a new object each call). */
export function noUsage(): TrailUsage {
  return {
    events: 0,
    bytes: 0,
    unauthenticatedEvents: 0,
    unauthenticatedBytes: 0,
    prunedEvents: 0,
    prunedBytes: 0,
  };
}

/** The size bounds {@link TrailStore.pruneToSize} prunes to. */
export interface TrailBudget {
  /** All events together. */
  maxBytes: number;
  /** Unauthenticated events together; past it, the oldest of them go first. */
  maxUnauthenticatedBytes: number;
}

/** One step of {@link TrailStore.pruneToSize}. */
export interface TrailPruneStep {
  /** Events and bytes deleted by this step. */
  events: number;
  bytes: number;
  /** Totals after it. */
  usage: TrailUsage;
  /** True when the totals are within the budget (nothing more to delete). */
  done: boolean;
}

/** The trail's storage. */
export interface TrailStore {
  /**
   * Stores `events` in one transaction, with relaxed durability (they are not user data), and
   * returns the totals after it.
   */
  append(events: readonly TrailEvent[]): Promise<TrailUsage>;
  /**
   * As {@link append}, for events serialised by the recorder: one `JSON.stringify`d event per
   * line (JSON text holds no raw line feed). Stores that write elsewhere (the writer thread,
   * worker-store.ts) take this form so the serving thread never builds rows.
   */
  appendSerialised?(lines: string): Promise<TrailUsage>;
  /**
   * As {@link append}, for a batch as the recorder's buffer holds it (buffer.ts
   * `BufferedEvent`): JSON texts and OSS events in compact form, whose events the store builds
   * (buffer.ts `parseBatch`). The recorder hands batches over in this form when the store takes
   * it, so that the serving thread never builds those events.
   */
  appendBatch?(batch: readonly BufferedEvent[]): Promise<TrailUsage>;
  /** Events matching `q`, in time then id order (`q.direction`), at most `q.limit`. */
  lookup(q: TrailQuery): Promise<TrailEvent[]>;
  /** Deletes events older than `before` (ms); returns how many. */
  prune(before: number): Promise<number>;
  /**
   * One step towards `budget`: when unauthenticated events exceed their bound, deletes the
   * oldest of them, else when all events exceed theirs, the oldest of all; at most `limit`
   * events, by the primary key's order (no scan). Call again until `done`.
   */
  pruneToSize(budget: TrailBudget, limit?: number): Promise<TrailPruneStep>;
  /** The totals now. */
  usage(): Promise<TrailUsage>;
}
