/**
 * @module What the trail needs from storage: append a batch of events, look events up by time
 * and attributes with a cursor, prune the old ones.
 */
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
  /** Events of this account, and those whose account is not known (refused unknown keys). */
  accountId: string;
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

/** The trail's storage. */
export interface TrailStore {
  /** Stores `events` in one transaction, with relaxed durability (they are not user data). */
  append(events: readonly TrailEvent[]): Promise<void>;
  /** Events matching `q`, in time then id order (`q.direction`), at most `q.limit`. */
  lookup(q: TrailQuery): Promise<TrailEvent[]>;
  /** Deletes events older than `before` (ms); returns how many. */
  prune(before: number): Promise<number>;
}
