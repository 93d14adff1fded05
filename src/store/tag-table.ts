/**
 * @module One table of resource tags, `(resource type, resource id) -> tags`, as ECS (`ecs_tags`)
 * and RAM (`ram_tags`) keep them: the schema a service's migration creates, and the reads and
 * writes its handlers and stores need. Each row is one tag of one resource; `(account, type,
 * resource, key)` is the primary key, so a key has one value per resource on every node.
 * `position` keeps the order tags were added in (a changed value keeps its place). `scope` is the
 * region for regional resources (ECS) and empty for global ones (RAM).
 *
 * Limits and key rules are `kernel/tags.ts`; {@link TagTable.add} enforces the per-resource limit
 * under a lock per account, so two nodes adding tags at once cannot pass it together. The stores
 * that delete a resource call {@link TagTable.deleteFor} in the same transaction, so no tag
 * outlives its resource.
 */
import { sql, type Expression, type ExpressionBuilder } from 'kysely';
import { TAG_LIMITS, mergeTags, type ResourceTag } from '../kernel/tags.js';
import type { Db } from './db.js';
import type { Migration } from './migrate.js';

/** One tag of one resource, as ListTagResources lists it. */
export interface TaggedEntry {
  resourceType: string;
  resourceId: string;
  key: string;
  value: string;
}

/** Filters of {@link TagTable.list}. */
export interface TagListQuery {
  accountId: string;
  scope: string;
  resourceType: string;
  /** Only these resources (at most {@link TAG_LIMITS.resourcesPerRequest}). */
  resourceIds?: readonly string[];
  /** Only resources whose tags satisfy this (pure, on a copy). */
  match?: (tags: readonly ResourceTag[]) => boolean;
  /** Entries after this one, in (resource, key) order. */
  after?: { resourceId: string; key: string };
  limit: number;
}

/** A tag a listing is filtered by: its key and, when given, its value (absent: any value). */
export interface TagMatch {
  /** Absent: the filter matches nothing (a `Tag.N.Value` without its key names no tag). */
  key?: string | undefined;
  value?: string | undefined;
}

/**
 * True when `tags` carry every tag of `filters` (each a key, and a value when given): in memory,
 * the rule {@link TagTable.carrying} applies in SQL.
 * @example
 * carriesAll([{ key: 'env', value: 'dev' }], [{ key: 'env' }]) // true
 */
export function carriesAll(tags: readonly ResourceTag[], filters: readonly TagMatch[]): boolean {
  return filters.every((f) =>
    tags.some((t) => t.key === f.key && (f.value === undefined || t.value === f.value)),
  );
}

/** Reads in batches of this many ids (SQLite's and PostgreSQL's parameter limits are far above). */
const ID_BATCH = 500;

/** The migration step that creates tag table `table`. */
export async function createTagTable(db: Db, table: string): Promise<void> {
  await db.k.schema
    .createTable(table)
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('tag_key', 'text', (c) => c.notNull())
    .addColumn('tag_value', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint(`${table}_pk`, [
      'account_id',
      'resource_type',
      'resource_id',
      'tag_key',
    ])
    .execute();
  await db.k.schema
    .createIndex(`${table}_scope`)
    .on(table)
    .columns(['account_id', 'scope', 'resource_type'])
    .execute();
}

/** Where the resources a tag call names are rows, for {@link resourceRows}. */
export interface ResourceRowsQuery {
  /** The table holding the resources. */
  table: string;
  /** Column values every row must have (the caller's account; a region for regional ones). */
  scope: Readonly<Record<string, string>>;
  /** The column the call's values are compared with. */
  column: string;
  /** The columns to read (the default: {@link column}). */
  select?: readonly string[];
}

/**
 * The rows of `q.table` in `q.scope` whose `q.column` is one of `values`, read in batches. With
 * `lock` (inside the transaction that tags them) the rows found stay locked until it ends
 * (`FOR SHARE` where several nodes share the store; SQLite's one writer serialises the rest): a
 * racing delete waits, and its {@link TagTable.deleteFor} then sees the tags this transaction
 * adds; or it came first and the row is not found. Either way no tag outlives its resource.
 * @example
 * const rows = await resourceRows(tx, { table: 'ram_roles', scope: { account_id: a }, column: 'role_id' }, ids, { lock: true });
 */
export async function resourceRows(
  db: Db,
  q: ResourceRowsQuery,
  values: readonly string[],
  opts: { lock?: boolean } = {},
): Promise<any[]> {
  const unique = [...new Set(values)];
  const out: any[] = [];
  for (let i = 0; i < unique.length; i += ID_BATCH) {
    let sel = db.k.selectFrom(q.table).select([...(q.select ?? [q.column])]);
    for (const [column, value] of Object.entries(q.scope)) sel = sel.where(column, '=', value);
    sel = sel.where(q.column, 'in', unique.slice(i, i + ID_BATCH));
    if (opts.lock && db.dialect.multiNode) sel = sel.forShare();
    out.push(...(await sel.execute()));
  }
  return out;
}

/** A migration creating only `table` (for services whose tags need nothing else). */
export function tagTableMigration(name: string, table: string): Migration {
  return { name, up: (db) => createTagTable(db, table) };
}

/** The outcome of {@link TagTable.add}: done, or the resource that would pass the limit. */
export type AddTagsResult = { ok: true } | { ok: false; resourceId: string; count: number };

/** Reads and writes one tag table. */
export class TagTable {
  readonly #table: string;
  constructor(table: string) {
    this.#table = table;
  }

  /** The tags of each of `ids` that has any, in the order they were added. */
  async tagsOf(
    db: Db,
    accountId: string,
    resourceType: string,
    ids: readonly string[],
  ): Promise<Map<string, ResourceTag[]>> {
    const out = new Map<string, ResourceTag[]>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += ID_BATCH) {
      const rows: any[] = await db.k
        .selectFrom(this.#table)
        .select(['resource_id', 'tag_key', 'tag_value'])
        .where('account_id', '=', accountId)
        .where('resource_type', '=', resourceType)
        .where('resource_id', 'in', unique.slice(i, i + ID_BATCH))
        .orderBy('resource_id')
        .orderBy('position')
        .orderBy('tag_key')
        .execute();
      for (const r of rows) {
        const list = out.get(r.resource_id) ?? [];
        list.push({ key: r.tag_key, value: r.tag_value });
        out.set(r.resource_id, list);
      }
    }
    return out;
  }

  /**
   * `rows` (resources of `resourceType` in one account, `account_id` a column of each) each built
   * with its tags by `build`, in one read per {@link ID_BATCH} rows.
   * @example
   * return ECS_TAGS.withTags(db, 'keypair', rows, (r) => r.key_pair_id, toKeyPair);
   */
  async withTags<R extends { account_id: string }, T>(
    db: Db,
    resourceType: string,
    rows: readonly R[],
    idOf: (row: R) => string,
    build: (row: R, tags: ResourceTag[]) => T,
  ): Promise<T[]> {
    const first = rows[0];
    if (!first) return [];
    const tags = await this.tagsOf(db, first.account_id, resourceType, rows.map(idOf));
    return rows.map((r) => build(r, tags.get(idOf(r)) ?? []));
  }

  /**
   * Adds `tags` to a resource nobody else can know yet (inside the transaction creating it): no
   * lock, no merge.
   */
  async insertNew(
    tx: Db,
    accountId: string,
    scope: string,
    resourceType: string,
    resourceId: string,
    tags: readonly ResourceTag[],
  ): Promise<void> {
    if (tags.length === 0) return;
    await tx.k
      .insertInto(this.#table)
      .values(
        tags.map((t, position) => ({
          account_id: accountId,
          scope,
          resource_type: resourceType,
          resource_id: resourceId,
          tag_key: t.key,
          tag_value: t.value,
          position,
        })),
      )
      .execute();
  }

  /**
   * Merges `tags` into each of `ids` (a key present takes the new value), all or nothing: when a
   * resource would carry more than {@link TAG_LIMITS.perResource} tags, nothing is written.
   */
  async add(
    db: Db,
    accountId: string,
    scope: string,
    resourceType: string,
    ids: readonly string[],
    tags: readonly ResourceTag[],
  ): Promise<AddTagsResult> {
    return db.withLock(`${this.#table}:${accountId}`, async (tx) => {
      const current = await this.tagsOf(tx, accountId, resourceType, ids);
      const unique = [...new Set(ids)];
      for (const id of unique) {
        const merged = mergeTags(current.get(id) ?? [], tags);
        if (merged.length > TAG_LIMITS.perResource) {
          return { ok: false as const, resourceId: id, count: merged.length };
        }
      }
      for (const id of unique) {
        const had = current.get(id) ?? [];
        const keys = new Set(had.map((t) => t.key));
        let next = had.length;
        for (const t of tags) {
          if (keys.has(t.key)) {
            await tx.k
              .updateTable(this.#table)
              .set({ tag_value: t.value })
              .where('account_id', '=', accountId)
              .where('resource_type', '=', resourceType)
              .where('resource_id', '=', id)
              .where('tag_key', '=', t.key)
              .execute();
          } else {
            keys.add(t.key);
            await tx.k
              .insertInto(this.#table)
              .values({
                account_id: accountId,
                scope,
                resource_type: resourceType,
                resource_id: id,
                tag_key: t.key,
                tag_value: t.value,
                position: next++,
              })
              .execute();
          }
        }
      }
      return { ok: true as const };
    });
  }

  /** Removes tags `keys` (or every tag, `'all'`) from each of `ids`; absent keys are no error. */
  async remove(
    db: Db,
    accountId: string,
    resourceType: string,
    ids: readonly string[],
    keys: readonly string[] | 'all',
  ): Promise<void> {
    if (keys !== 'all' && keys.length === 0) return;
    await db.transaction(async (tx) => {
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += ID_BATCH) {
        let q = tx.k
          .deleteFrom(this.#table)
          .where('account_id', '=', accountId)
          .where('resource_type', '=', resourceType)
          .where('resource_id', 'in', unique.slice(i, i + ID_BATCH));
        if (keys !== 'all') q = q.where('tag_key', 'in', [...keys]);
        await q.execute();
      }
    });
  }

  /** Forgets every tag of `ids` (called by stores in the transaction deleting them). */
  async deleteFor(tx: Db, resourceType: string, ids: readonly string[]): Promise<void> {
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += ID_BATCH) {
      await tx.k
        .deleteFrom(this.#table)
        .where('resource_type', '=', resourceType)
        .where('resource_id', 'in', unique.slice(i, i + ID_BATCH))
        .execute();
    }
  }

  /**
   * A `where` condition for a listing of resources of `resourceType` in `accountId`: the
   * resource whose id is `id` (a column of the outer query, or an expression over its columns)
   * carries every tag of `tags`. Each tag costs one primary-key lookup per candidate row, so a
   * filter never scans the tag table; `undefined` when there is nothing to filter by.
   * @example
   * q = q.where(ECS_TAGS.carrying(accountId, 'keypair', 'ecs_key_pairs.key_pair_id', tags));
   */
  carrying(
    accountId: string,
    resourceType: string,
    id: string | Expression<string>,
    tags: readonly TagMatch[],
  ): (eb: ExpressionBuilder<any, any>) => Expression<any> {
    const outer = typeof id === 'string' ? sql.ref(id) : id;
    return (eb) =>
      eb.and(
        tags.map((t) => {
          if (t.key === undefined) return sql<boolean>`1 = 0`;
          let q = eb
            .selectFrom(`${this.#table} as tagged`)
            .select('tagged.tag_key')
            .where('tagged.account_id', '=', accountId)
            .where('tagged.resource_type', '=', resourceType)
            .where('tagged.resource_id', '=', outer)
            .where('tagged.tag_key', '=', t.key);
          if (t.value !== undefined) q = q.where('tagged.tag_value', '=', t.value);
          return eb.exists(q);
        }),
      );
  }

  /**
   * Up to `limit` entries (one per tag) of the resources `q` selects, in (resource, key) order,
   * after `q.after`; `more` when others follow.
   */
  async list(db: Db, q: TagListQuery): Promise<{ entries: TaggedEntry[]; more: boolean }> {
    const rows: any[] = [];
    const base = () =>
      db.k
        .selectFrom(this.#table)
        .select(['resource_id', 'tag_key', 'tag_value', 'position'])
        .where('account_id', '=', q.accountId)
        .where('scope', '=', q.scope)
        .where('resource_type', '=', q.resourceType);
    if (q.resourceIds) {
      const unique = [...new Set(q.resourceIds)];
      for (let i = 0; i < unique.length; i += ID_BATCH) {
        rows.push(
          ...(await base()
            .where('resource_id', 'in', unique.slice(i, i + ID_BATCH))
            .execute()),
        );
      }
    } else {
      rows.push(...(await base().execute()));
    }
    // Grouped per resource in JavaScript: the filters look at a resource's whole set of tags, and
    // string order must not depend on the database's collation.
    const byResource = new Map<string, Array<{ key: string; value: string; position: number }>>();
    for (const r of rows) {
      const list = byResource.get(r.resource_id) ?? [];
      list.push({ key: r.tag_key, value: r.tag_value, position: Number(r.position) });
      byResource.set(r.resource_id, list);
    }
    const entries: TaggedEntry[] = [];
    for (const id of [...byResource.keys()].sort(compare)) {
      const tags = byResource.get(id)!.sort((a, b) => a.position - b.position);
      if (q.match && !q.match(tags.map((t) => ({ key: t.key, value: t.value })))) continue;
      for (const t of [...tags].sort((a, b) => compare(a.key, b.key))) {
        if (q.after && (compare(id, q.after.resourceId) || compare(t.key, q.after.key)) <= 0) {
          continue;
        }
        entries.push({ resourceType: q.resourceType, resourceId: id, key: t.key, value: t.value });
        if (entries.length > q.limit) return { entries: entries.slice(0, q.limit), more: true };
      }
    }
    return { entries, more: false };
  }
}

/** Code-unit order, the same on every node and database. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
