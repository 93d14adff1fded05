/**
 * @module Trail storage in SQL, one implementation for SQLite and PostgreSQL. A batch is written
 * as multi-row inserts of power-of-two sizes (few distinct statements, so SQLite's statement
 * cache keeps them compiled) in one transaction with relaxed durability: events are a record of
 * requests already answered, not data anyone was promised. Lookups page by the primary key.
 *
 * Sizes: each row carries its estimated size (`bytes`: its text's UTF-8 bytes plus
 * {@link ROW_OVERHEAD_BYTES}); the batch's transaction adds the totals to the one `trail_usage`
 * row and reads them back, so the recorder knows after each write whether to prune. Pruning
 * (by age or by size) deletes a bounded slice of the oldest rows per transaction, found through
 * the primary key (or the partial index of unauthenticated rows), and takes exactly what it
 * deleted (`returning`) off the totals, under a cluster-wide lock so two nodes never prune the
 * same rows twice over.
 */
import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../store/db.js';
import { isUnauthenticated } from './bound.js';
import { parseBatch, parseSerialised, type BufferedEvent } from './buffer.js';
import { ROW_OVERHEAD_BYTES } from './migrations/0002-bounds.js';
import type { TrailDecision, TrailEvent, TrailFlag, IdentityType } from './model.js';
import {
  noUsage,
  type TrailBudget,
  type TrailFilterField,
  type TrailPruneStep,
  type TrailQuery,
  type TrailStore,
  type TrailUsage,
} from './store.js';

/** Columns in insert order, with how each is read from an event. */
const COLUMNS: Array<[string, (e: TrailEvent) => string | number | null]> = [
  ['event_time', (e) => e.eventTime],
  ['event_id', (e) => e.eventId],
  ['account_id', (e) => e.accountId],
  ['event_name', (e) => e.eventName],
  ['event_type', (e) => e.eventType],
  ['event_rw', (e) => e.eventRW],
  ['service_name', (e) => e.serviceName],
  ['event_source', (e) => e.eventSource],
  ['api_version', (e) => e.apiVersion],
  ['region', (e) => e.region],
  ['source_ip', (e) => e.sourceIp],
  ['user_agent', (e) => e.userAgent],
  ['request_id', (e) => e.requestId],
  ['error_code', (e) => e.errorCode],
  ['error_message', (e) => e.errorMessage],
  ['identity_type', (e) => e.identityType],
  ['principal_id', (e) => e.principalId],
  ['user_name', (e) => e.userName],
  ['role_name', (e) => e.roleName],
  ['access_key_id', (e) => e.accessKeyId],
  ['session_created', (e) => e.sessionCreated ?? null],
  ['resource_type', (e) => e.resourceType],
  ['resource_name', (e) => e.resourceName],
  ['decision', (e) => e.decision],
  ['decided_by', (e) => e.decidedBy],
  ['resource', (e) => e.resource],
  ['instance_id', (e) => e.instanceId],
  ['request_parameters', (e) => JSON.stringify(e.requestParameters)],
  ['flags', (e) => (e.flags && e.flags.length > 0 ? e.flags.join(',') : '')],
  ['caller_account_id', (e) => e.callerAccountId ?? ''],
];
/** Columns computed from the others, appended to each row: `bytes`, `unauthenticated`. */
const INSERT_COLUMNS = [...COLUMNS.map(([c]) => c), 'bytes', 'unauthenticated'];

const FILTER_COLUMNS: Record<TrailFilterField, string> = {
  eventId: 'event_id',
  eventName: 'event_name',
  eventRW: 'event_rw',
  eventType: 'event_type',
  serviceName: 'service_name',
  userName: 'user_name',
  roleName: 'role_name',
  accessKeyId: 'access_key_id',
  resourceType: 'resource_type',
  resourceName: 'resource_name',
  sourceIp: 'source_ip',
  requestId: 'request_id',
  errorCode: 'error_code',
  decision: 'decision',
  instanceId: 'instance_id',
};

/** Largest rows-per-statement (31 parameters each, far below both dialects' limits). */
const MAX_ROWS = 64;

const insertSql = new Map<string, string>();

/** `insert … values (…), (…)` for `rows` rows in `dialect`'s placeholder style. */
function insertStatement(dialect: 'sqlite' | 'postgres', rows: number): string {
  const key = `${dialect}:${rows}`;
  let text = insertSql.get(key);
  if (text === undefined) {
    let n = 0;
    const tuple = () =>
      `(${INSERT_COLUMNS.map(() => (dialect === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
    const tuples = Array.from({ length: rows }, tuple);
    text = `insert into trail_events (${INSERT_COLUMNS.join(', ')}) values ${tuples.join(', ')}`;
    insertSql.set(key, text);
  }
  return text;
}

function toEvent(r: any): TrailEvent {
  let requestParameters: Record<string, string> = {};
  try {
    requestParameters = JSON.parse(r.request_parameters);
  } catch {
    /* INVARIANT: written by JSON.stringify; an unreadable value shows as no parameters */
  }
  return {
    eventTime: Number(r.event_time),
    eventId: r.event_id,
    accountId: r.account_id,
    eventName: r.event_name,
    eventType: r.event_type,
    eventRW: r.event_rw === 'Read' ? 'Read' : 'Write',
    serviceName: r.service_name,
    eventSource: r.event_source,
    apiVersion: r.api_version,
    region: r.region,
    sourceIp: r.source_ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    identityType: r.identity_type as IdentityType,
    principalId: r.principal_id,
    userName: r.user_name,
    roleName: r.role_name,
    accessKeyId: r.access_key_id,
    ...(r.session_created !== null && r.session_created !== undefined
      ? { sessionCreated: Number(r.session_created) }
      : {}),
    resourceType: r.resource_type,
    resourceName: r.resource_name,
    decision: r.decision as TrailDecision,
    decidedBy: r.decided_by,
    resource: r.resource,
    instanceId: r.instance_id,
    requestParameters,
    ...(r.flags ? { flags: flagsOf(r.flags) } : {}),
    ...(r.caller_account_id ? { callerAccountId: r.caller_account_id as string } : {}),
  };
}

const FLAGS: ReadonlySet<string> = new Set<TrailFlag>(['truncated', 'sampled']);

function flagsOf(text: string): TrailFlag[] {
  return text.split(',').filter((f): f is TrailFlag => FLAGS.has(f));
}

/** Estimated size of a row: the UTF-8 bytes of its text plus a fixed overhead. */
function rowBytes(values: ReadonlyArray<string | number | null>): number {
  let n = ROW_OVERHEAD_BYTES;
  for (const v of values) if (typeof v === 'string') n += Buffer.byteLength(v, 'utf8');
  return n;
}

function toUsage(r: any): TrailUsage {
  return {
    events: Number(r?.events ?? 0),
    bytes: Number(r?.bytes ?? 0),
    unauthenticatedEvents: Number(r?.unauthenticated_events ?? 0),
    unauthenticatedBytes: Number(r?.unauthenticated_bytes ?? 0),
    prunedEvents: Number(r?.pruned_events ?? 0),
    prunedBytes: Number(r?.pruned_bytes ?? 0),
  };
}

/**
 * Changes to the totals, field by field: events and bytes added (negative: deleted), pruned for
 * size.
 */
type UsageDelta = TrailUsage;

/** Adds `d` to the totals (in `tx`'s transaction) and returns them. */
async function addUsage(tx: Db, d: UsageDelta): Promise<TrailUsage> {
  const r = await tx.k
    .updateTable('trail_usage')
    .set({
      events: sql`events + ${d.events}`,
      bytes: sql`bytes + ${d.bytes}`,
      unauthenticated_events: sql`unauthenticated_events + ${d.unauthenticatedEvents}`,
      unauthenticated_bytes: sql`unauthenticated_bytes + ${d.unauthenticatedBytes}`,
      pruned_events: sql`pruned_events + ${d.prunedEvents}`,
      pruned_bytes: sql`pruned_bytes + ${d.prunedBytes}`,
    })
    .where('id', '=', 1)
    .returningAll()
    .executeTakeFirst();
  return toUsage(r);
}

/** The totals of deleted rows (`returning bytes, unauthenticated`). */
function deletedDelta(rows: Array<{ bytes: unknown; unauthenticated: unknown }>, pruned: boolean) {
  const d: UsageDelta = noUsage();
  for (const r of rows) {
    const b = Number(r.bytes);
    d.events--;
    d.bytes -= b;
    if (Number(r.unauthenticated) === 1) {
      d.unauthenticatedEvents--;
      d.unauthenticatedBytes -= b;
    }
  }
  if (pruned) {
    d.prunedEvents = -d.events;
    d.prunedBytes = -d.bytes;
  }
  return d;
}

/** Rows deleted per pruning transaction (SQLite deletes on the event loop: short slices). */
const PRUNE_SLICE = 500;
/** The cluster-wide lock pruners take. */
const PRUNE_LOCK = 'yunbox:trail-prune';

/** Trail storage over a {@link Db}. */
export class TrailSqlStore implements TrailStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async append(events: readonly TrailEvent[]): Promise<TrailUsage> {
    if (events.length === 0) return this.usage();
    const dialect = this.#db.dialect.name;
    return this.#db.relaxed((db) =>
      db.transaction(async (tx) => {
        const d: UsageDelta = { ...noUsage(), events: events.length };
        let i = 0;
        while (i < events.length) {
          let rows = MAX_ROWS;
          while (rows > events.length - i) rows >>= 1;
          const params: Array<string | number | null> = [];
          for (let j = i; j < i + rows; j++) {
            const e = events[j]!;
            const start = params.length;
            for (const [, read] of COLUMNS) params.push(read(e));
            const bytes = rowBytes(params.slice(start));
            const unauthenticated = isUnauthenticated(e) ? 1 : 0;
            params.push(bytes, unauthenticated);
            d.bytes += bytes;
            if (unauthenticated) {
              d.unauthenticatedEvents++;
              d.unauthenticatedBytes += bytes;
            }
          }
          await tx.k.executeQuery(CompiledQuery.raw(insertStatement(dialect, rows), params));
          i += rows;
        }
        return addUsage(tx, d);
      }),
    );
  }

  async appendSerialised(lines: string): Promise<TrailUsage> {
    return this.append(parseSerialised(lines));
  }

  async appendBatch(batch: readonly BufferedEvent[]): Promise<TrailUsage> {
    return this.append(parseBatch(batch));
  }

  async usage(): Promise<TrailUsage> {
    return toUsage(await this.#db.k.selectFrom('trail_usage').selectAll().executeTakeFirst());
  }

  async lookup(q: TrailQuery): Promise<TrailEvent[]> {
    const back = q.direction === 'backward';
    let query = this.#db.k
      .selectFrom('trail_events')
      .selectAll()
      .where('account_id', 'in', q.unattributed === false ? [q.accountId] : [q.accountId, ''])
      .where('event_time', '>=', q.start)
      .where('event_time', '<', q.end);
    for (const f of q.filters) query = query.where(FILTER_COLUMNS[f.field], '=', f.value);
    if (q.after) {
      const { time, id } = q.after;
      query = query.where((eb: any) =>
        eb.or([
          eb('event_time', back ? '<' : '>', time),
          eb.and([eb('event_time', '=', time), eb('event_id', back ? '<' : '>', id)]),
        ]),
      );
    }
    const rows = await query
      .orderBy('event_time', back ? 'desc' : 'asc')
      .orderBy('event_id', back ? 'desc' : 'asc')
      .limit(q.limit)
      .execute();
    return rows.map(toEvent);
  }

  async prune(before: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const n = await this.#db.relaxed((db) =>
        db.withLock(PRUNE_LOCK, async (tx) => {
          const rows = await deleteOldest(tx, PRUNE_SLICE, { before });
          if (rows.length > 0) await addUsage(tx, deletedDelta(rows, false));
          return rows.length;
        }),
      );
      deleted += n;
      if (n < PRUNE_SLICE) return deleted;
    }
  }

  async pruneToSize(budget: TrailBudget, limit = PRUNE_SLICE): Promise<TrailPruneStep> {
    return this.#db.relaxed((db) =>
      db.withLock(PRUNE_LOCK, async (tx) => {
        let usage = toUsage(await tx.k.selectFrom('trail_usage').selectAll().executeTakeFirst());
        const within = (u: TrailUsage) =>
          u.unauthenticatedBytes <= budget.maxUnauthenticatedBytes && u.bytes <= budget.maxBytes;
        if (within(usage)) return { events: 0, bytes: 0, usage, done: true };
        const unauthenticatedOnly = usage.unauthenticatedBytes > budget.maxUnauthenticatedBytes;
        const excess = unauthenticatedOnly
          ? usage.unauthenticatedBytes - budget.maxUnauthenticatedBytes
          : usage.bytes - budget.maxBytes;
        const rows = await deleteOldest(tx, limit, { unauthenticatedOnly, bytes: excess });
        if (rows.length === 0) {
          // INVARIANT: the totals match the rows; should they not (a row deleted by hand), they
          // are counted again, once, rather than pruning forever.
          usage = await recount(tx);
          return { events: 0, bytes: 0, usage, done: true };
        }
        const d = deletedDelta(rows, true);
        usage = await addUsage(tx, d);
        return { events: -d.events, bytes: -d.bytes, usage, done: within(usage) };
      }),
    );
  }
}

/**
 * Deletes the oldest rows (of the unauthenticated ones only, with `unauthenticatedOnly`): at most
 * `limit`, only those older than `before`, and only as many as free `bytes`, when given. Finds
 * them by index order and deletes up to the last one's key; returns what it deleted.
 */
async function deleteOldest(
  tx: Db,
  limit: number,
  opts: { before?: number; unauthenticatedOnly?: boolean; bytes?: number },
): Promise<Array<{ bytes: unknown; unauthenticated: unknown }>> {
  let q = tx.k.selectFrom('trail_events').select(['event_time', 'event_id', 'bytes']);
  // A literal 1, so both planners see the partial index's condition.
  if (opts.unauthenticatedOnly) q = q.where(sql.ref('unauthenticated'), '=', sql.lit(1));
  if (opts.before !== undefined) q = q.where('event_time', '<', opts.before);
  const oldest = await q.orderBy('event_time').orderBy('event_id').limit(limit).execute();
  if (oldest.length === 0) return [];
  let last = oldest[oldest.length - 1]!;
  if (opts.bytes !== undefined) {
    let freed = 0;
    for (const r of oldest) {
      freed += Number(r.bytes);
      last = r;
      if (freed >= opts.bytes) break;
    }
  }
  const time = Number(last.event_time);
  let d = tx.k
    .deleteFrom('trail_events')
    .where('event_time', '<=', time)
    .where((eb: any) => eb.or([eb('event_time', '<', time), eb('event_id', '<=', last.event_id)]));
  if (opts.unauthenticatedOnly) d = d.where(sql.ref('unauthenticated'), '=', sql.lit(1));
  return d.returning(['bytes', 'unauthenticated']).execute();
}

/** Counts the totals from the rows (a scan: only when they were found wrong), keeping `pruned`. */
async function recount(tx: Db): Promise<TrailUsage> {
  const r = await sql<any>`select count(*) as events, coalesce(sum(bytes), 0) as bytes,
      coalesce(sum(unauthenticated), 0) as unauthenticated_events,
      coalesce(sum(bytes * unauthenticated), 0) as unauthenticated_bytes
    from trail_events`.execute(tx.k);
  const c = r.rows[0];
  await tx.k
    .updateTable('trail_usage')
    .set({
      events: Number(c.events),
      bytes: Number(c.bytes),
      unauthenticated_events: Number(c.unauthenticated_events),
      unauthenticated_bytes: Number(c.unauthenticated_bytes),
    })
    .where('id', '=', 1)
    .execute();
  return toUsage(await tx.k.selectFrom('trail_usage').selectAll().executeTakeFirst());
}

/** Events moved per slice by {@link moveEvents}. */
const MOVE_SLICE = 500;

/**
 * Moves every event stored in `from` (oldest first, a slice at a time) into `to`, deleting each
 * slice from `from` once `to` has it; returns how many moved. For SQLite stores written before
 * the trail had a writer thread with a file of its own. A crash between a slice's append and its
 * delete leaves that slice in both; the next move then fails on `to`'s primary key and stops,
 * the rest staying in `from`: nothing is lost and nothing is stored twice. Stops between slices
 * once `stop()` says so (closing); the rest moves at the next start.
 */
export async function moveEvents(
  from: Db,
  to: TrailStore,
  stop: () => boolean = () => false,
): Promise<number> {
  let moved = 0;
  while (!stop()) {
    const rows = await from.k
      .selectFrom('trail_events')
      .selectAll()
      .orderBy('event_time')
      .orderBy('event_id')
      .limit(MOVE_SLICE)
      .execute();
    if (rows.length === 0) break;
    await to.append(rows.map(toEvent));
    const last = rows[rows.length - 1]!;
    const time = Number(last.event_time);
    await from.transaction(async (tx) => {
      const deleted = await tx.k
        .deleteFrom('trail_events')
        .where('event_time', '<=', time)
        .where((eb: any) =>
          eb.or([eb('event_time', '<', time), eb('event_id', '<=', last.event_id)]),
        )
        .returning(['bytes', 'unauthenticated'])
        .execute();
      await addUsage(tx, deletedDelta(deleted, false));
    });
    moved += rows.length;
  }
  return moved;
}

/** Row count (tests, the conformance suite). */
export async function countTrailEvents(db: Db): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from trail_events`.execute(db.k);
  return Number(r.rows[0]?.n ?? 0);
}
