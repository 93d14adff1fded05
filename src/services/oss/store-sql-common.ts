/**
 * @module What the parts of the OSS SQL store share (`store-sql.ts` for buckets and inventories,
 * `store-sql-objects.ts` for objects and their versions, `store-sql-uploads.ts` for multipart
 * uploads): hot queries compiled once, the per-key lock with its one retry, the translation of
 * constraint violations into `StoreError`s, and the row mappers of the bucket-and-object read.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import { StoreError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import type { CacheSpec } from '../../store/read-cache.js';
import type { Bucket } from './model.js';

/** Name of the lock writers of one object key take. */
export function objectLock(bucket: string, key: string): string {
  return `oss:object:${bucket}/${key}`;
}

/** Rows per `in (...)` list. */
export const BATCH = 500;

export function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The read cache of bucket lookups alone (every PUT of an object makes one): it depends on the
 * buckets' table only, so writing objects does not stale it.
 */
export const BUCKET_CACHE: CacheSpec = { name: 'oss-buckets', tables: ['oss_buckets'], max: 1024 };

/** The read cache of bucket-and-object lookups (every GET and HEAD makes one). */
export const OBJECT_CACHE: CacheSpec = {
  name: 'oss-objects',
  tables: ['oss_buckets', 'oss_objects', 'oss_segments', 'oss_object_tags'],
  max: 4096,
};

export const toBucket = (r: any): Bucket => ({
  name: r.name,
  accountId: r.account_id,
  region: r.region,
  acl: r.acl,
  storageClass: r.storage_class,
  redundancy: r.redundancy,
  createdAt: Number(r.created_at),
  ...(r.policy != null ? { policy: r.policy } : {}),
  ...(r.cors != null ? { cors: r.cors } : {}),
  ...(r.website != null ? { website: r.website } : {}),
  ...(r.logging != null ? { logging: r.logging } : {}),
  ...(r.encryption != null ? { encryption: JSON.parse(r.encryption) } : {}),
  ...(r.referer != null ? { referer: JSON.parse(r.referer) } : {}),
  ...(r.request_payer === 'Requester' ? { requestPayer: 'Requester' as const } : {}),
  ...(r.public_access_block != null ? { blockPublicAccess: r.public_access_block === 'true' } : {}),
  ...(r.versioning != null ? { versioning: r.versioning } : {}),
});

/** A {@link Db} with the OSS store's query helpers. */
export class SqlKit {
  readonly db: Db;
  readonly #compiled = new Map<string, { sql: string; slots: number[] }>();
  constructor(db: Db) {
    this.db = db;
  }

  /**
   * Runs a hot query compiled once (with placeholder arguments) and then only re-parameterised,
   * so the request path pays no query building.
   */
  async hot(name: string, build: (...args: string[]) => Compilable<unknown>, args: string[]) {
    let c = this.#compiled.get(name);
    if (c === undefined) {
      const marks = args.map((_, i) => `\u0000yunbox-arg-${i}\u0000`);
      const compiled = build(...marks).compile();
      const slots = compiled.parameters.map((p) => marks.indexOf(p as string));
      // INVARIANT: every parameter of a hot query is one of its arguments.
      if (slots.includes(-1)) throw new Error(`hot query \`${name}\` has a constant parameter`);
      c = { sql: compiled.sql, slots };
      this.#compiled.set(name, c);
    }
    const r = await this.db.k.executeQuery(
      CompiledQuery.raw(
        c.sql,
        c.slots.map((i) => args[i]),
      ),
    );
    return r.rows as any[];
  }

  /**
   * Runs `fn` in a transaction holding the cluster-wide lock `name` (a PostgreSQL advisory lock
   * on the key being written, so writers of one key queue instead of racing), and once more if a
   * uniqueness race was lost anyway.
   */
  async locked<T>(name: string, fn: (tx: Db) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.withLock(name, fn);
      } catch (e) {
        if (attempt < 2 && this.db.dialect.isUniqueViolation(e)) continue;
        throw e;
      }
    }
  }

  /** A constraint violation as the `StoreError` it means; anything else as it is. */
  translate(e: unknown, entity: string): unknown {
    if (e instanceof StoreError) return e;
    if (this.db.dialect.isUniqueViolation(e)) return new StoreError('AlreadyExists', entity);
    if (this.db.dialect.isForeignKeyViolation(e)) return new StoreError('NotFound', entity);
    return e;
  }
}
