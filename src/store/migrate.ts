/**
 * @module Schema migrations. Each service declares its own list (`services/<name>/migrations/`);
 * the migrator applies the ones not yet recorded, in service order then list order, each in its
 * own transaction, under a cluster-wide lock so two nodes starting together do not race.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';
import { bumpSchemaGeneration, LOCK as CACHE_LOCK } from './pg-generations.js';

/** One schema change. `name` is unique within its service and never renamed once released. */
export interface Migration {
  name: string;
  up(db: Db): Promise<void>;
}

/** A service's migrations, applied in order. */
export interface MigrationSet {
  service: string;
  migrations: Migration[];
}

/** Applies every pending migration; returns the names applied (`service/name`). */
export async function migrate(db: Db, sets: MigrationSet[]): Promise<string[]> {
  return db.withLock('yunbox:migrate', async (tx) => {
    await tx.k.schema
      .createTable('yunbox_migrations')
      .ifNotExists()
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'bigint', (c) => c.notNull())
      .execute();
    const done = new Set(
      (await tx.k.selectFrom('yunbox_migrations').select('name').execute()).map(
        (r: { name: string }) => r.name,
      ),
    );
    const applied: string[] = [];
    const pending = sets.some((set) =>
      set.migrations.some((m) => !done.has(`${set.service}/${m.name}`)),
    );
    if (pending && tx.dialect.name === 'postgres') {
      // Every node's read caches check their tables again once these commit (pg-generations.ts).
      // The caches' lock first, as their trigger installs take it before any table's lock.
      await tx.withLock(CACHE_LOCK, (t) => bumpSchemaGeneration(t.k));
    }
    for (const set of sets) {
      for (const m of set.migrations) {
        const id = `${set.service}/${m.name}`;
        if (done.has(id)) continue;
        await m.up(tx);
        await tx.k
          .insertInto('yunbox_migrations')
          .values({ name: id, applied_at: Date.now() })
          .execute();
        applied.push(id);
      }
    }
    return applied;
  });
}

/** Drops every table in the current PostgreSQL schema (tests only). */
export async function dropSchema(db: Db, schema: string): Promise<void> {
  await sql.raw(`drop schema if exists "${schema.replace(/"/g, '')}" cascade`).execute(db.k);
}
