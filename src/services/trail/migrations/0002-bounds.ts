/**
 * @module Trail schema, bounded: each row records its size (`bytes`, an estimate of its text plus
 * a fixed overhead), whether nobody signed its request (`unauthenticated`, with a partial index
 * so the oldest of those are found without a scan) and what the trail did to it (`flags`).
 * `trail_usage`, one row, keeps the totals the writers add to and the pruners take from, so the
 * size check after a write reads one row instead of summing the table; also the count of events
 * pruned to stay within `--trail-max-bytes`. Existing rows are measured once, here.
 */
import { sql } from 'kysely';
import type { Migration } from '../../../store/migrate.js';

/** Text columns of `trail_events` (their lengths estimate a row's size). */
const TEXT_COLUMNS = [
  'event_id',
  'account_id',
  'event_name',
  'event_type',
  'event_rw',
  'service_name',
  'event_source',
  'api_version',
  'region',
  'source_ip',
  'user_agent',
  'request_id',
  'error_code',
  'error_message',
  'identity_type',
  'principal_id',
  'user_name',
  'role_name',
  'access_key_id',
  'resource_type',
  'resource_name',
  'decision',
  'decided_by',
  'resource',
  'instance_id',
  'request_parameters',
];

/** Bytes a row costs besides its text: numbers, row header, primary-key index entry. */
export const ROW_OVERHEAD_BYTES = 96;

export const m0002Bounds: Migration = {
  name: '0002-bounds',
  async up(db) {
    await db.k.schema
      .alterTable('trail_events')
      .addColumn('bytes', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.k.schema
      .alterTable('trail_events')
      .addColumn('unauthenticated', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.k.schema
      .alterTable('trail_events')
      .addColumn('flags', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    // Character counts on both dialects: an estimate for rows written before sizes were kept.
    await sql`update trail_events set
        bytes = ${sql.raw(TEXT_COLUMNS.map((c) => `length(${c})`).join(' + '))} + ${sql.lit(ROW_OVERHEAD_BYTES)},
        unauthenticated = case when identity_type in ('unknown', 'anonymous') then 1 else 0 end`.execute(
      db.k,
    );
    await db.k.schema
      .createIndex('trail_events_unauthenticated')
      .on('trail_events')
      .columns(['event_time', 'event_id'])
      .where(sql.ref('unauthenticated'), '=', sql.lit(1))
      .execute();
    await db.k.schema
      .createTable('trail_usage')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('events', 'bigint', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('unauthenticated_events', 'bigint', (c) => c.notNull())
      .addColumn('unauthenticated_bytes', 'bigint', (c) => c.notNull())
      .addColumn('pruned_events', 'bigint', (c) => c.notNull())
      .addColumn('pruned_bytes', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into trail_usage
        (id, events, bytes, unauthenticated_events, unauthenticated_bytes, pruned_events, pruned_bytes)
      select 1, count(*), coalesce(sum(bytes), 0),
        coalesce(sum(unauthenticated), 0), coalesce(sum(bytes * unauthenticated), 0), 0, 0
      from trail_events`.execute(db.k);
  },
};
