/**
 * @module The lifecycle runner: applies buckets' lifecycle rules (lifecycle-rules.ts, lifecycle-due.ts) as
 * yunbox's clock passes midnight UTC, the boundaries at which OSS's rules take effect.
 *
 * ```
 * clock moves (manual) / every minute (system)  ->  poke(): one sweep at a time per process
 * sweep at boundary B = the last midnight        ->  buckets whose rules were applied before B
 *   claim bucket for B (store claimLifecycle)    ->  one node per bucket and boundary, with a lease
 *   current objects under the rules' prefixes    ->  dueAction: expire (ordinary delete, blobs
 *                                                    freed) or transition (storage class only)
 *   multipart uploads                            ->  dueAbort: abort (parts' blobs freed)
 *   noncurrent versions, delete markers          ->  dueNoncurrentAction: delete the version for
 *                                                    good or transition it; dueMarkerRemoval: a
 *                                                    key's lone current delete marker goes
 * each action                                    ->  one trail event, identity `yunbox`, user
 *                                                    `oss-lifecycle`
 * ```
 *
 * Determinism after a manual move: the move only pokes the runner (clock listeners are
 * synchronous), so the OSS pipeline calls {@link LifecycleRunner.settle} before every bucket
 * request: on a manual clock, when a midnight has passed that this process has not swept, the
 * request waits for the sweep. Reads right after `AdvanceClock` therefore see every due action
 * applied (an object under a 30-day rule is there at day 29 and gone at day 31). Under the system
 * clock nothing waits: the minute timer sweeps soon after midnight, as OSS acts within the day.
 *
 * Exactly once across nodes: a bucket is claimed for a boundary by one conditional UPDATE that
 * also takes a lease, so one node sweeps it (the others wait for its lease to end before their
 * sweep is done, so every node's answers after a clock move include it); each action is conditional on the object version it
 * was decided for (expireObject under the key's lock, transitionObject on id and class), so even
 * a second sweep (after a lease expired) cannot act twice or act on a newer write; the trail
 * event is recorded only by the node whose action changed the row.
 */
import { isRetained, retainedAfter } from './handlers/worm.js';
import { randomUUID } from 'node:crypto';
import { ClockedWorker } from './clocked-worker.js';
import type { Logger } from 'pino';
import type { Clock } from '../../kernel/clock.js';
import type { TrailEvent } from '../trail/index.js';
import type { OssDeps } from './context.js';
import { dropBlobs } from './handlers/common.js';
import {
  actsOnVersions,
  dueAbort,
  dueAction,
  dueMarkerRemoval,
  dueNoncurrentAction,
  floorDay,
  needsTags,
} from './lifecycle-due.js';
import type { LifecycleRule } from './lifecycle-rules.js';
import type { Upload } from './model.js';
import type { NoncurrentCandidate, OssStore } from './store.js';

/** Objects or uploads read per page. */
const PAGE = 500;
/** Buckets claimed per query. */
const BATCH = 50;
/** How often a node waiting for another's sweep looks at its lease. */
const LEASE_POLL_MS = 25;
/** How long a claim holds a bucket (real time) without being renewed. */
const LEASE_MS = 5 * 60_000;

/** An object's tags by key, for rules with Tag filters. */
export type ObjectTags = ReadonlyMap<string, string>;

/** The tags of the objects `objectIds`, by object id (an object without tags maps to none). */
export async function objectTagsFor(
  store: OssStore,
  objectIds: readonly string[],
): Promise<ReadonlyMap<string, ObjectTags>> {
  const out = new Map<string, ObjectTags>();
  for (const id of objectIds) {
    out.set(id, new Map((await store.getObjectTags(id)).map((t) => [t.key, t.value])));
  }
  return out;
}

/** What the runner needs. */
export interface LifecycleDeps {
  oss: OssDeps;
  clock: Clock;
  log: Logger;
  /** The audit trail (services/trail), told of every action. */
  trail?: { record(e: TrailEvent): void };
}

/** The sweep of one bucket at one boundary. */
interface Sweep {
  bucket: string;
  owner: string;
  region: string;
  rules: LifecycleRule[];
  at: number;
}

/** Applies due lifecycle rules, one sweep at a time. */
export class LifecycleRunner {
  readonly #deps: LifecycleDeps;
  readonly #worker: ClockedWorker;
  /** The last boundary this process swept (every due bucket claimed, by it or another node). */
  #sweptThrough = -Infinity;

  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
    this.#worker = new ClockedWorker(
      deps.clock,
      () => this.#sweep(),
      (e) => deps.log.warn({ err: e }, 'oss: lifecycle sweep failed'),
    );
  }

  get #closed(): boolean {
    return this.#worker.closed;
  }

  /** Looks for due rules (after the sweep under way). */
  poke(): void {
    this.#worker.poke();
  }

  /**
   * Before a bucket request on a manual clock: when a midnight has passed since this process's
   * last sweep, waits for the sweep, so the request sees every due action applied.
   */
  async settle(): Promise<void> {
    const { clock } = this.#deps;
    if (this.#closed || clock.mode !== 'manual') return;
    if (floorDay(clock.now()) <= this.#sweptThrough && !this.#worker.pending) return;
    this.poke();
    await this.#worker.idle();
  }

  /** Resolves when the sweeps asked for so far are done. */
  idle(): Promise<void> {
    return this.#worker.idle();
  }

  /** Stops; waits for the sweep under way. */
  close(): Promise<void> {
    return this.#worker.close();
  }

  async #sweep(): Promise<void> {
    const { clock } = this.#deps;
    const { store } = this.#deps.oss;
    const at = floorDay(clock.now());
    const skipped = new Set<string>();
    for (;;) {
      const due = await store.dueLifecycles(at, BATCH + skipped.size);
      const open = due.filter((d) => !skipped.has(d.bucket));
      if (open.length === 0) {
        // Buckets another node is sweeping (claimed before or during this sweep): wait until
        // its lease ends (it is done, or it died and the lease expired), then look again, so
        // this node's answers after a clock move include that node's work; a bucket still due
        // then (the lease was for an older boundary) is claimed here.
        if (!(await this.#othersDone())) break;
        skipped.clear();
        continue;
      }
      for (const d of open) {
        if (this.#closed) return;
        const real = clock.real();
        const raw = await store.claimLifecycle(d.bucket, at, real, real + LEASE_MS);
        if (raw === undefined) {
          skipped.add(d.bucket); // another node holds it, or did it first
          continue;
        }
        try {
          const bucket = await store.getBucket(d.bucket);
          if (!bucket) continue;
          await this.#apply({
            bucket: bucket.name,
            owner: bucket.accountId,
            region: bucket.region,
            rules: JSON.parse(raw) as LifecycleRule[],
            at,
          });
        } catch (e) {
          this.#deps.log.warn({ err: e, bucket: d.bucket }, 'oss: lifecycle rules not applied');
        } finally {
          await store.leaseLifecycle(d.bucket, null).catch(() => {});
        }
      }
    }
    if (at > this.#sweptThrough) this.#sweptThrough = at;
  }

  /**
   * Waits while other nodes hold leases; true when it waited (so the caller looks again), false
   * when none were held.
   */
  async #othersDone(): Promise<boolean> {
    const { clock } = this.#deps;
    let waited = false;
    while (!this.#closed && (await this.#deps.oss.store.leasedLifecycles(clock.real(), 1)).length) {
      waited = true;
      await new Promise((r) => setTimeout(r, LEASE_POLL_MS));
    }
    return waited;
  }

  async #apply(s: Sweep): Promise<void> {
    const enabled = s.rules.filter((r) => r.status === 'Enabled');
    const current = enabled.filter((r) => r.expiration || r.transitions.length > 0);
    for (const prefix of roots(current.map((r) => r.prefix)))
      await this.#objects(s, current, prefix);
    const aborting = enabled.filter((r) => r.abortMultipartUpload);
    for (const prefix of roots(aborting.map((r) => r.prefix))) {
      await this.#uploads(s, aborting, prefix);
    }
    const versioned = enabled.filter((r) => actsOnVersions([r]));
    for (const prefix of roots(versioned.map((r) => r.prefix))) {
      await this.#versions(s, versioned, prefix);
    }
  }

  async #renew(s: Sweep): Promise<void> {
    await this.#deps.oss.store.leaseLifecycle(s.bucket, this.#deps.clock.real() + LEASE_MS);
  }

  /**
   * Walks pages of `fetch` (each resuming after `cursor` of the last item), with the items' tags
   * when `rules` filter on them, renewing the sweep's lease after each full page.
   */
  async #pages<T extends { objectId: string }, C>(
    s: Sweep,
    rules: LifecycleRule[],
    fetch: (after: C | undefined) => Promise<T[]>,
    cursor: (last: T) => C,
    each: (item: T, tags: ObjectTags | undefined) => Promise<void>,
  ): Promise<void> {
    const { store } = this.#deps.oss;
    const withTags = needsTags(rules);
    let after: C | undefined;
    for (;;) {
      const page = await fetch(after);
      const tags = withTags
        ? await objectTagsFor(
            store,
            page.map((o) => o.objectId),
          )
        : undefined;
      // An item missing from the answer has unknown tags (then no Tag filter matches it).
      for (const o of page) await each(o, tags?.get(o.objectId));
      if (page.length < PAGE) return;
      after = cursor(page[page.length - 1]!);
      await this.#renew(s);
    }
  }

  async #objects(s: Sweep, rules: LifecycleRule[], prefix: string): Promise<void> {
    const { store } = this.#deps.oss;
    await this.#pages(
      s,
      rules,
      (after: string | undefined) => store.lifecycleCandidates(s.bucket, prefix, after, PAGE),
      (last) => last.key,
      async (o, known) => {
        const action = dueAction(rules, { ...o, ...(known ? { tags: known } : {}) }, s.at);
        if (!action) return;
        if (action.kind === 'expire') {
          // An object under a retention policy (WORM) outlives any rule until its period ends
          // (the store leaves it, deciding under the key's lock).
          const held = await retainedAfter(store, s.bucket, s.at);
          const blobs = await store.expireObject(s.bucket, o.key, o.objectId, s.at, held);
          if (blobs === undefined) return;
          dropBlobs(this.#deps.oss, blobs);
          this.#event(s, 'ExpireObject', action.ruleId, {
            ObjectName: o.key,
            LastModified: new Date(o.lastModified).toISOString(),
          });
        } else {
          const done = await store.transitionObject(
            s.bucket,
            o.key,
            o.objectId,
            o.storageClass,
            action.storageClass,
          );
          if (!done) return;
          this.#event(s, 'TransitionObject', action.ruleId, {
            ObjectName: o.key,
            FromStorageClass: o.storageClass,
            StorageClass: action.storageClass,
          });
        }
      },
    );
  }

  /**
   * Noncurrent versions (NoncurrentVersionExpiration: deleted for good; NoncurrentVersionTransition:
   * a colder class) and expired delete markers (a key's only version left: removed), by key.
   */
  async #versions(s: Sweep, rules: LifecycleRule[], prefix: string): Promise<void> {
    const { store } = this.#deps.oss;
    await this.#pages(
      s,
      rules,
      (after: { key: string; seq: number } | undefined) =>
        store.noncurrentCandidates(s.bucket, prefix, after, PAGE),
      (last) => ({ key: last.key, seq: last.seq }),
      async (o, known) => {
        if (o.isLatest) {
          // A current delete marker: "expired" when no other version of its key is left.
          const ruleId =
            o.deleteMarker && o.versions === 1 ? dueMarkerRemoval(rules, o.key) : undefined;
          if (ruleId === undefined) return;
          await this.#removeVersion(s, o, ruleId, 'ExpireDeleteMarker');
          return;
        }
        if (o.noncurrentSince === undefined) return;
        const subject = {
          key: o.key,
          size: o.size,
          storageClass: o.storageClass,
          noncurrentSince: o.noncurrentSince,
          ...(known ? { tags: known } : {}),
        };
        const action = dueNoncurrentAction(rules, subject, s.at);
        // A noncurrent delete marker holds no bytes: only NoncurrentVersionExpiration removes it.
        if (!action || (o.deleteMarker && action.kind !== 'expire')) return;
        if (action.kind === 'expire') {
          await this.#removeVersion(s, o, action.ruleId, 'ExpireNoncurrentVersion');
        } else {
          const done = await store.transitionObject(
            s.bucket,
            o.key,
            o.objectId,
            o.storageClass,
            action.storageClass,
          );
          if (!done) return;
          this.#event(s, 'TransitionNoncurrentVersion', action.ruleId, {
            ObjectName: o.key,
            VersionId: o.versionId,
            FromStorageClass: o.storageClass,
            StorageClass: action.storageClass,
          });
        }
      },
    );
  }

  /** Deletes one version (or marker) for good, as DeleteObject with its versionId does. */
  async #removeVersion(
    s: Sweep,
    o: NoncurrentCandidate,
    ruleId: string,
    action: string,
  ): Promise<void> {
    const { store } = this.#deps.oss;
    const bucket = await store.getBucket(s.bucket);
    if (!bucket) return;
    let done;
    try {
      done = await store.deleteVersions(
        s.bucket,
        [{ key: o.key, versionId: o.versionId }],
        bucket.versioning,
        s.at,
        await retainedAfter(store, s.bucket, s.at),
      );
    } catch (e) {
      if (isRetained(e)) return; // a version under retention outlives the rule
      throw e;
    }
    const { outcomes, dropped } = done;
    dropBlobs(this.#deps.oss, dropped);
    if (outcomes.length === 0) return;
    this.#event(s, action, ruleId, { ObjectName: o.key, VersionId: o.versionId });
  }

  async #uploads(s: Sweep, rules: LifecycleRule[], prefix: string): Promise<void> {
    const { store } = this.#deps.oss;
    let lower: { key: string; inclusive: boolean; id: string } | undefined;
    for (;;) {
      const page: Upload[] = await store.listUploads(s.bucket, {
        prefix,
        ...(lower ? { lower } : {}),
        limit: PAGE,
      });
      for (const u of page) {
        const ruleId = dueAbort(rules, u.key, u.initiated, s.at);
        if (ruleId === undefined) continue;
        let blobs: string[];
        try {
          blobs = await store.abortUpload(u.uploadId);
        } catch {
          continue; // completed or aborted meanwhile
        }
        dropBlobs(this.#deps.oss, blobs);
        this.#event(s, 'AbortMultipartUpload', ruleId, {
          ObjectName: u.key,
          UploadId: u.uploadId,
        });
      }
      if (page.length < PAGE) return;
      const last = page[page.length - 1]!;
      lower = { key: last.key, inclusive: false, id: last.uploadId };
      await this.#renew(s);
    }
  }

  /** One trail event for one action, attributed to the lifecycle service. */
  #event(s: Sweep, action: string, ruleId: string, params: Record<string, string>): void {
    const trail = this.#deps.trail;
    if (!trail) return;
    const key = params.ObjectName ?? '';
    trail.record({
      eventId: randomUUID().toUpperCase(),
      eventTime: s.at,
      accountId: s.owner,
      eventName: `Lifecycle${action}`,
      eventType: 'AliyunServiceEvent',
      eventRW: 'Write',
      serviceName: 'Oss',
      eventSource: `oss-${s.region}.aliyuncs.com`,
      apiVersion: '',
      region: s.region,
      sourceIp: '',
      userAgent: '',
      requestId: '',
      errorCode: '',
      errorMessage: '',
      identityType: 'yunbox',
      principalId: LIFECYCLE_PRINCIPAL,
      userName: LIFECYCLE_PRINCIPAL,
      roleName: '',
      accessKeyId: '',
      resourceType: 'ACS::OSS::Object',
      resourceName: `${s.bucket}/${key}`,
      decision: 'none',
      decidedBy: `lifecycle rule \`${ruleId}\``,
      resource: `acs:oss:*:${s.owner}:${s.bucket}/${key}`,
      instanceId: '',
      requestParameters: { BucketName: s.bucket, RuleId: ruleId, ...params },
    });
  }
}

/** Who the trail says acted: OSS's lifecycle service. */
export const LIFECYCLE_PRINCIPAL = 'oss-lifecycle';

/**
 * The prefixes to walk so each object is read once: the given ones without those lying under
 * another (`''` covers everything).
 * @example
 * roots(['logs/', 'logs/app/', 'tmp/']) // ['logs/', 'tmp/']
 */
export function roots(prefixes: readonly string[]): string[] {
  const sorted = [...new Set(prefixes)].sort();
  const out: string[] = [];
  for (const p of sorted) if (!out.some((r) => p.startsWith(r))) out.push(p);
  return out;
}
