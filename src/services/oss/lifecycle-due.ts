/**
 * @module When lifecycle rules (lifecycle-rules.ts) act, as pure decisions the runner
 * (lifecycle-runner.ts) makes: which rule selects an object (prefix, tags, `Not`, size), whether
 * an action is due at a midnight UTC, which action wins on an object, which upload is aborted.
 *
 * Time, as OSS documents it ("Why are objects not deleted or transitioned after the number of
 * days"): an object's last-modified time is rounded up to the next midnight UTC, then `Days` are
 * added; the object is due at that midnight. `CreatedBeforeDate` selects objects last modified
 * before it; the deprecated `Expiration/Date` expires every object it selects once that midnight
 * has passed.
 */
import {
  DAY_MS,
  SMALL_FILE_BYTES,
  coldness,
  type LifecycleRule,
  type LifecycleTag,
  type LifecycleWhen,
  type TransitionClass,
} from './lifecycle-rules.js';

/** Rounds a time up to the next midnight UTC (a midnight stays). */
export function ceilDay(ms: number): number {
  return Math.ceil(ms / DAY_MS) * DAY_MS;
}

/** The midnight UTC at or before `ms`: the last boundary the runner has applied rules at. */
export function floorDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * True when an action timed by `w` is due at `at` for something last modified (or initiated) at
 * `modified`: Days from the modification rounded up to midnight UTC; CreatedBeforeDate before it.
 * @example
 * isDue({ days: 30 }, Date.parse('2026-01-01T10:00:00Z'), Date.parse('2026-02-01T00:00:00Z')) // true
 */
export function isDue(w: LifecycleWhen, modified: number, at: number): boolean {
  if (w.days !== undefined) return ceilDay(modified) + w.days * DAY_MS <= at;
  if (w.createdBeforeDate !== undefined) return modified < w.createdBeforeDate;
  return false;
}

/** What the runner knows of an object when it decides. */
export interface LifecycleSubject {
  key: string;
  size: number;
  lastModified: number;
  storageClass: string;
  /** The object's tags; `undefined` when not known (then no tag filter matches). */
  tags?: ReadonlyMap<string, string>;
}

const hasTag = (tags: ReadonlyMap<string, string> | undefined, t: LifecycleTag) =>
  tags !== undefined && tags.get(t.key) === t.value;

/** True when an enabled `rule` selects the object (prefix, tags, Not, size). */
export function ruleSelects(
  rule: LifecycleRule,
  o: Omit<LifecycleSubject, 'lastModified' | 'storageClass'>,
): boolean {
  if (rule.status !== 'Enabled' || !o.key.startsWith(rule.prefix)) return false;
  for (const t of rule.tags) if (!hasTag(o.tags, t)) return false;
  const f = rule.filter;
  if (f?.sizeGreaterThan !== undefined && !(o.size > f.sizeGreaterThan)) return false;
  if (f?.sizeLessThan !== undefined && !(o.size < f.sizeLessThan)) return false;
  // Unknown tags (none kept) exclude under a tagged Not: never act on what the rule may exclude.
  if (
    f?.not &&
    o.key.startsWith(f.not.prefix) &&
    (!f.not.tag || o.tags === undefined || hasTag(o.tags, f.not.tag))
  ) {
    return false;
  }
  return true;
}

/** What to do to an object at a boundary. */
export type LifecycleAction = { kind: 'expire'; ruleId: string } | LifecycleTransition | undefined;

/** A transition due on an object. */
export interface LifecycleTransition {
  kind: 'transition';
  ruleId: string;
  storageClass: TransitionClass;
}

/**
 * The action due on a current object at `at` (a midnight UTC): expiration wins over transitions;
 * among due transitions the coldest, and only toward a colder class than the object's.
 */
export function dueAction(
  rules: readonly LifecycleRule[],
  o: LifecycleSubject,
  at: number,
): LifecycleAction {
  let best: LifecycleTransition | undefined;
  for (const r of rules) {
    if (!ruleSelects(r, o)) continue;
    const e = r.expiration;
    if (e && !e.expiredObjectDeleteMarker) {
      const due = e.date !== undefined ? e.date <= at : isDue(e, o.lastModified, at);
      if (due) return { kind: 'expire', ruleId: r.id };
    }
    for (const t of r.transitions) {
      if (!isDue(t, o.lastModified, at)) continue;
      if (t.allowSmallFile === false && o.size < SMALL_FILE_BYTES) continue;
      if (coldness(t.storageClass) <= coldness(o.storageClass)) continue;
      if (!best || coldness(t.storageClass) > coldness(best.storageClass)) {
        best = { kind: 'transition', ruleId: r.id, storageClass: t.storageClass };
      }
    }
  }
  return best;
}

/** What the runner knows of a noncurrent version when it decides. */
export interface NoncurrentSubject {
  key: string;
  size: number;
  storageClass: string;
  /** When it stopped being current: the last-modified time of the next newer version. */
  noncurrentSince: number;
  tags?: ReadonlyMap<string, string>;
}

/**
 * The action due on a noncurrent version at `at`: NoncurrentVersionExpiration wins over
 * NoncurrentVersionTransition; days count from when the version became noncurrent, rounded up to
 * midnight UTC, as Days count from last-modified for current objects (doc: lifecycle rules based
 * on the last modified time, "NoncurrentDays").
 */
export function dueNoncurrentAction(
  rules: readonly LifecycleRule[],
  o: NoncurrentSubject,
  at: number,
): LifecycleAction {
  let best: LifecycleTransition | undefined;
  for (const r of rules) {
    if (!ruleSelects(r, o)) continue;
    const e = r.noncurrentVersionExpiration;
    if (e && isDue({ days: e.noncurrentDays }, o.noncurrentSince, at)) {
      return { kind: 'expire', ruleId: r.id };
    }
    for (const t of r.noncurrentVersionTransitions) {
      if (!isDue({ days: t.noncurrentDays }, o.noncurrentSince, at)) continue;
      if (t.allowSmallFile === false && o.size < SMALL_FILE_BYTES) continue;
      if (coldness(t.storageClass) <= coldness(o.storageClass)) continue;
      if (!best || coldness(t.storageClass) > coldness(best.storageClass)) {
        best = { kind: 'transition', ruleId: r.id, storageClass: t.storageClass };
      }
    }
  }
  return best;
}

/**
 * The rule that removes `key`'s current delete marker when it is the key's only version left (an
 * "expired" delete marker: Expiration with ExpiredObjectDeleteMarker), if any.
 */
export function dueMarkerRemoval(rules: readonly LifecycleRule[], key: string): string | undefined {
  for (const r of rules) {
    if (!r.expiration?.expiredObjectDeleteMarker) continue;
    if (ruleSelects(r, { key, size: 0 })) return r.id;
  }
  return undefined;
}

/** True when some rule acts on noncurrent versions or expired delete markers. */
export function actsOnVersions(rules: readonly LifecycleRule[]): boolean {
  return rules.some(
    (r) =>
      r.noncurrentVersionExpiration !== undefined ||
      r.noncurrentVersionTransitions.length > 0 ||
      r.expiration?.expiredObjectDeleteMarker === true,
  );
}

/** The rule that aborts an upload initiated at `initiated` under `key` at `at`, if any. */
export function dueAbort(
  rules: readonly LifecycleRule[],
  key: string,
  initiated: number,
  at: number,
): string | undefined {
  for (const r of rules) {
    if (r.status !== 'Enabled' || !r.abortMultipartUpload || !key.startsWith(r.prefix)) continue;
    const not = r.filter?.not;
    if (not && !not.tag && key.startsWith(not.prefix)) continue;
    if (isDue(r.abortMultipartUpload, initiated, at)) return r.id;
  }
  return undefined;
}

/** True when some rule needs object tags to decide (so the runner asks `objectTagsFor`). */
export function needsTags(rules: readonly LifecycleRule[]): boolean {
  return rules.some((r) => r.tags.length > 0 || r.filter?.not?.tag !== undefined);
}
