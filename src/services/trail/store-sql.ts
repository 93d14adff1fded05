/**
 * @module Trail storage in SQL, one implementation for SQLite and PostgreSQL. A batch is written
 * as multi-row inserts of power-of-two sizes (few distinct statements, so SQLite's statement
 * cache keeps them compiled) in one transaction with relaxed durability: events are a record of
 * requests already answered, not data anyone was promised. Lookups page by the primary key.
 */
import { CompiledQuery, sql } from 'kysely';
import type { Db } from '../../store/db.js';
import type { TrailDecision, TrailEvent, IdentityType } from './model.js';
import type { TrailFilterField, TrailQuery, TrailStore } from './store.js';

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
];

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

/** Largest rows-per-statement (28 parameters each, far below both dialects' limits). */
const MAX_ROWS = 64;

const insertSql = new Map<string, string>();

/** `insert … values (…), (…)` for `rows` rows in `dialect`'s placeholder style. */
function insertStatement(dialect: 'sqlite' | 'postgres', rows: number): string {
  const key = `${dialect}:${rows}`;
  let text = insertSql.get(key);
  if (text === undefined) {
    let n = 0;
    const tuple = () =>
      `(${COLUMNS.map(() => (dialect === 'postgres' ? `$${++n}` : '?')).join(', ')})`;
    const tuples = Array.from({ length: rows }, tuple);
    text = `insert into trail_events (${COLUMNS.map(([c]) => c).join(', ')}) values ${tuples.join(', ')}`;
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
  };
}

/** Trail storage over a {@link Db}. */
export class TrailSqlStore implements TrailStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async append(events: readonly TrailEvent[]): Promise<void> {
    if (events.length === 0) return;
    const dialect = this.#db.dialect.name;
    await this.#db.relaxed((db) =>
      db.transaction(async (tx) => {
        let i = 0;
        while (i < events.length) {
          let rows = MAX_ROWS;
          while (rows > events.length - i) rows >>= 1;
          const params: Array<string | number | null> = [];
          for (let j = i; j < i + rows; j++) {
            const e = events[j]!;
            for (const [, read] of COLUMNS) params.push(read(e));
          }
          await tx.k.executeQuery(CompiledQuery.raw(insertStatement(dialect, rows), params));
          i += rows;
        }
      }),
    );
  }

  async lookup(q: TrailQuery): Promise<TrailEvent[]> {
    const back = q.direction === 'backward';
    let query = this.#db.k
      .selectFrom('trail_events')
      .selectAll()
      .where('account_id', 'in', [q.accountId, ''])
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
    const r = await this.#db.relaxed((db) =>
      db.k.deleteFrom('trail_events').where('event_time', '<', before).executeTakeFirst(),
    );
    return Number(r.numDeletedRows ?? 0n);
  }
}

/** Row count (tests, the conformance suite). */
export async function countTrailEvents(db: Db): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from trail_events`.execute(db.k);
  return Number(r.rows[0]?.n ?? 0);
}
