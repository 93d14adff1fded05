/**
 * @module Key pairs in SQL, one implementation for SQLite and PostgreSQL (Kysely). The quota is
 * counted under a per-account-and-region lock (an advisory lock across PostgreSQL nodes); name
 * uniqueness is the `ecs_key_pairs_name` constraint; bindings are the instance row's foreign key.
 * Tags are rows of `ecs_tags` (tags/store.ts) kept under the key pair's id, written and deleted
 * with it.
 */
import { StoreError } from '../../../kernel/errors.js';
import type { Db } from '../../../store/db.js';
import type { Tag } from '../model.js';
import { ECS_TAGS, type TaggableType } from '../tags/store.js';
import type { AttachedKeyPair, KeyPair } from './model.js';
import type { KeyFilter, KeyPairStore } from './store.js';

/**
 * How ECS's tag calls find key pairs (`keypair`): by name, as terraform-provider-alicloud names
 * them (its resource id is the name); their tags are kept under the id, unique everywhere.
 */
export const taggableKeyPairs: TaggableType = {
  table: 'ecs_key_pairs',
  column: 'key_pair_name',
  keptBy: 'key_pair_id',
};

/** A key pair row with its tags (rows of `ecs_tags`). */
const toKeyPair = (r: any, tags: Tag[] = []): KeyPair => ({
  keyPairId: r.key_pair_id,
  accountId: r.account_id,
  regionId: r.region_id,
  keyPairName: r.key_pair_name,
  fingerPrint: r.finger_print,
  publicKey: r.public_key,
  resourceGroupId: r.resource_group_id,
  tags,
  createdAt: Number(r.created_at),
});

/** Key pair storage over a {@link Db}. */
export class KeyPairSqlStore implements KeyPairStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async create(kp: KeyPair, quota: number): Promise<void> {
    await this.#db.withLock(`ecs:key-pairs:${kp.accountId}:${kp.regionId}`, async (tx) => {
      const row: any = await tx.k
        .selectFrom('ecs_key_pairs')
        .select((eb: any) => eb.fn.countAll().as('n'))
        .where('account_id', '=', kp.accountId)
        .where('region_id', '=', kp.regionId)
        .executeTakeFirstOrThrow();
      if (Number(row.n) >= quota) throw new StoreError('Conflict', 'Quota');
      try {
        await tx.k
          .insertInto('ecs_key_pairs')
          .values({
            key_pair_id: kp.keyPairId,
            account_id: kp.accountId,
            region_id: kp.regionId,
            key_pair_name: kp.keyPairName,
            finger_print: kp.fingerPrint,
            public_key: kp.publicKey,
            resource_group_id: kp.resourceGroupId,
            created_at: kp.createdAt,
          })
          .execute();
      } catch (e) {
        if (tx.dialect.isUniqueViolation(e)) throw new StoreError('AlreadyExists', 'KeyPair');
        throw e;
      }
      await ECS_TAGS.insertNew(tx, kp.accountId, kp.regionId, 'keypair', kp.keyPairId, kp.tags);
    });
  }

  /** Rows (of one account) with their tags. */
  #withTags(rows: any[]): Promise<KeyPair[]> {
    return ECS_TAGS.withTags(this.#db, 'keypair', rows, (r) => r.key_pair_id, toKeyPair);
  }

  async get(accountId: string, regionId: string, name: string): Promise<KeyPair | undefined> {
    const r = await this.#db.k
      .selectFrom('ecs_key_pairs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('region_id', '=', regionId)
      .where('key_pair_name', '=', name)
      .executeTakeFirst();
    return r ? (await this.#withTags([r]))[0] : undefined;
  }

  async list(accountId: string, regionId: string, f: KeyFilter = {}): Promise<KeyPair[]> {
    let q = this.#db.k
      .selectFrom('ecs_key_pairs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('region_id', '=', regionId);
    if (f.tags && f.tags.length > 0) {
      q = q.where(ECS_TAGS.carrying(accountId, 'keypair', 'ecs_key_pairs.key_pair_id', f.tags));
    }
    const rows = await q.orderBy('created_at').orderBy('key_pair_name').execute();
    return this.#withTags(rows);
  }

  async delete(keyPairIds: string[]): Promise<{ deleted: number } | { attached: string }> {
    let failed: string | undefined;
    try {
      return await this.#db.transaction(async (tx) => {
        let deleted = 0;
        for (const id of keyPairIds) {
          try {
            const r = await tx.k
              .deleteFrom('ecs_key_pairs')
              .where('key_pair_id', '=', id)
              .executeTakeFirst();
            deleted += Number(r.numDeletedRows);
          } catch (e) {
            if (tx.dialect.isForeignKeyViolation(e)) failed = id;
            throw e;
          }
        }
        // INVARIANT: no tag outlives its key pair (after the rows: tags/store.ts resolveTagged).
        await ECS_TAGS.deleteFor(tx, 'keypair', keyPairIds);
        return { deleted };
      });
    } catch (e) {
      // The transaction rolled back: nothing was deleted.
      if (failed !== undefined) return { attached: failed };
      throw e;
    }
  }

  async attach(instanceId: string, kp: AttachedKeyPair) {
    try {
      const r = await this.#db.k
        .updateTable('ecs_instances')
        .set({
          key_pair_id: kp.keyPairId,
          key_pair_name: kp.keyPairName,
          public_key: kp.publicKey,
        })
        .where('instance_id', '=', instanceId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0 ? ('attached' as const) : ('instance-missing' as const);
    } catch (e) {
      if (this.#db.dialect.isForeignKeyViolation(e)) return 'key-missing' as const;
      throw e;
    }
  }

  async detach(instanceId: string, keyPairId: string) {
    const r = await this.#db.k
      .updateTable('ecs_instances')
      .set({ key_pair_id: null, key_pair_name: null, public_key: null })
      .where('instance_id', '=', instanceId)
      .where('key_pair_id', '=', keyPairId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0 ? ('detached' as const) : ('not-attached' as const);
  }

  async boundInstances(keyPairIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (keyPairIds.length === 0) return out;
    const rows = await this.#db.k
      .selectFrom('ecs_instances')
      .select((eb: any) => ['key_pair_id', eb.fn.countAll().as('n')])
      .where('key_pair_id', 'in', keyPairIds)
      .groupBy('key_pair_id')
      .execute();
    for (const r of rows as any[]) out.set(r.key_pair_id, Number(r.n));
    return out;
  }
}
