/**
 * @module VPC storage in SQL, one implementation for SQLite and PostgreSQL (Kysely). vSwitch
 * overlap is checked under a per-VPC lock (a PostgreSQL advisory lock across nodes); references
 * are foreign keys, reported as `Conflict` when a delete would leave them dangling.
 */
import type { Db } from '../../store/db.js';
import { StoreError } from '../../kernel/errors.js';
import { cidrOverlaps, parseCidr, type Tag, type VSwitch, type Vpc } from './model.js';
import type {
  TaggedKind,
  VSwitchChanges,
  VSwitchFilter,
  VpcChanges,
  VpcFilter,
  VpcStore,
} from './store.js';

/** Tags as stored: a JSON array of `{ key, value }`. */
const parseTags = (text: unknown): Tag[] =>
  typeof text === 'string' ? (JSON.parse(text) as Tag[]) : [];

const toVpc = (r: any): Vpc => ({
  vpcId: r.vpc_id,
  accountId: r.account_id,
  regionId: r.region_id,
  cidrBlock: r.cidr_block,
  vpcName: r.vpc_name,
  description: r.description,
  vRouterId: r.vrouter_id,
  routeTableId: r.route_table_id,
  createdAt: Number(r.created_at),
  tags: parseTags(r.tags),
  routeTableName: r.route_table_name ?? '',
  routeTableDescription: r.route_table_description ?? '',
  routePropagation: Number(r.route_propagation ?? 1) !== 0,
  routeTableTags: parseTags(r.route_table_tags),
});
const toVSwitch = (r: any): VSwitch => ({
  vswitchId: r.vswitch_id,
  accountId: r.account_id,
  regionId: r.region_id,
  vpcId: r.vpc_id,
  zoneId: r.zone_id,
  cidrBlock: r.cidr_block,
  vswitchName: r.vswitch_name,
  description: r.description,
  createdAt: Number(r.created_at),
  tags: parseTags(r.tags),
});

/** Where each tagged kind keeps its tags: table, id column, tags column. */
const TAG_HOME: Record<TaggedKind, { table: string; id: string; tags: string }> = {
  vpc: { table: 'vpc_vpcs', id: 'vpc_id', tags: 'tags' },
  vswitch: { table: 'vpc_vswitches', id: 'vswitch_id', tags: 'tags' },
  routetable: { table: 'vpc_vpcs', id: 'route_table_id', tags: 'route_table_tags' },
};

/** VPC storage over a {@link Db}. */
export class VpcSqlStore implements VpcStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async createVpc(v: Vpc): Promise<void> {
    await this.#db.k
      .insertInto('vpc_vpcs')
      .values({
        vpc_id: v.vpcId,
        account_id: v.accountId,
        region_id: v.regionId,
        cidr_block: v.cidrBlock,
        vpc_name: v.vpcName,
        description: v.description,
        vrouter_id: v.vRouterId,
        route_table_id: v.routeTableId,
        created_at: v.createdAt,
        tags: JSON.stringify(v.tags ?? []),
      })
      .execute();
  }

  async getVpc(accountId: string, vpcId: string): Promise<Vpc | undefined> {
    const r = await this.#db.k
      .selectFrom('vpc_vpcs')
      .selectAll()
      .where('vpc_id', '=', vpcId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return r ? toVpc(r) : undefined;
  }

  async listVpcs(accountId: string, regionId: string, f: VpcFilter): Promise<Vpc[]> {
    let q = this.#db.k
      .selectFrom('vpc_vpcs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('region_id', '=', regionId);
    if (f.vpcIds) q = q.where('vpc_id', 'in', f.vpcIds.length ? f.vpcIds : ['']);
    if (f.vpcName !== undefined) q = q.where('vpc_name', '=', f.vpcName);
    const rows = await q.orderBy('created_at').orderBy('vpc_id').execute();
    return rows.map(toVpc);
  }

  async deleteVpc(accountId: string, vpcId: string): Promise<void> {
    // One statement: the foreign keys of vSwitches and security groups refuse it while any remain.
    let deleted: boolean;
    try {
      deleted = await deleteOrConflict(this.#db, 'vpc_vpcs', 'vpc_id', vpcId, accountId, 'VSwitch');
    } catch (e) {
      if (!(e instanceof StoreError && e.kind === 'Conflict')) throw e;
      // Which dependant: vSwitches if any remain, otherwise what else refers to VPCs (ECS's
      // security groups).
      const vswitch = await this.#db.k
        .selectFrom('vpc_vswitches')
        .select('vswitch_id')
        .where('vpc_id', '=', vpcId)
        .executeTakeFirst();
      throw new StoreError('Conflict', vswitch ? 'VSwitch' : 'SecurityGroup');
    }
    if (!deleted) throw new StoreError('NotFound', 'Vpc');
  }

  async createVSwitch(v: VSwitch): Promise<void> {
    const wanted = parseCidr(v.cidrBlock);
    if (!wanted) throw new StoreError('Conflict', 'Malformed');
    // INVARIANT: overlap is decided and the row inserted while holding the VPC's lock, so two
    // nodes cannot both create overlapping vSwitches.
    await this.#db.withLock(`vpc:vswitches:${v.vpcId}`, async (tx) => {
      // Write first: it locks the VPC's row (a racing delete waits or fails) and, on SQLite,
      // takes the write lock before anything is read, so two connections cannot deadlock.
      const touched = await tx.k
        .updateTable('vpc_vpcs')
        .set({ vpc_id: v.vpcId })
        .where('vpc_id', '=', v.vpcId)
        .where('account_id', '=', v.accountId)
        .executeTakeFirst();
      if (Number(touched.numUpdatedRows) === 0) throw new StoreError('NotFound', 'Vpc');
      const siblings = await tx.k
        .selectFrom('vpc_vswitches')
        .select('cidr_block')
        .where('vpc_id', '=', v.vpcId)
        .execute();
      for (const s of siblings) {
        const other = parseCidr(s.cidr_block as string);
        if (other && cidrOverlaps(other, wanted)) throw new StoreError('Conflict', 'Overlapped');
      }
      try {
        await tx.k
          .insertInto('vpc_vswitches')
          .values({
            vswitch_id: v.vswitchId,
            account_id: v.accountId,
            region_id: v.regionId,
            vpc_id: v.vpcId,
            zone_id: v.zoneId,
            cidr_block: v.cidrBlock,
            vswitch_name: v.vswitchName,
            description: v.description,
            created_at: v.createdAt,
            tags: JSON.stringify(v.tags ?? []),
          })
          .execute();
      } catch (e) {
        if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'Vpc');
        throw e;
      }
    });
  }

  async getVSwitch(accountId: string, vswitchId: string): Promise<VSwitch | undefined> {
    const r = await this.#db.k
      .selectFrom('vpc_vswitches')
      .selectAll()
      .where('vswitch_id', '=', vswitchId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return r ? toVSwitch(r) : undefined;
  }

  async getVSwitchById(vswitchId: string): Promise<VSwitch | undefined> {
    const r = await this.#db.k
      .selectFrom('vpc_vswitches')
      .selectAll()
      .where('vswitch_id', '=', vswitchId)
      .executeTakeFirst();
    return r ? toVSwitch(r) : undefined;
  }

  async listVSwitches(accountId: string, regionId: string, f: VSwitchFilter): Promise<VSwitch[]> {
    let q = this.#db.k
      .selectFrom('vpc_vswitches')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('region_id', '=', regionId);
    if (f.vpcId !== undefined) q = q.where('vpc_id', '=', f.vpcId);
    if (f.vswitchIds) q = q.where('vswitch_id', 'in', f.vswitchIds.length ? f.vswitchIds : ['']);
    if (f.zoneId !== undefined) q = q.where('zone_id', '=', f.zoneId);
    if (f.vswitchName !== undefined) q = q.where('vswitch_name', '=', f.vswitchName);
    const rows = await q.orderBy('created_at').orderBy('vswitch_id').execute();
    return rows.map(toVSwitch);
  }

  async deleteVSwitch(accountId: string, vswitchId: string): Promise<void> {
    // One statement: the instances' foreign key refuses it while any use the vSwitch.
    const deleted = await deleteOrConflict(
      this.#db,
      'vpc_vswitches',
      'vswitch_id',
      vswitchId,
      accountId,
      'Dependency',
    );
    if (!deleted) throw new StoreError('NotFound', 'VSwitch');
  }

  async updateVpc(accountId: string, vpcId: string, c: VpcChanges): Promise<boolean> {
    const set: Record<string, unknown> = {};
    if (c.vpcName !== undefined) set.vpc_name = c.vpcName;
    if (c.description !== undefined) set.description = c.description;
    if (c.routeTableName !== undefined) set.route_table_name = c.routeTableName;
    if (c.routeTableDescription !== undefined) {
      set.route_table_description = c.routeTableDescription;
    }
    if (c.routePropagation !== undefined) set.route_propagation = c.routePropagation ? 1 : 0;
    if (Object.keys(set).length === 0) return (await this.getVpc(accountId, vpcId)) !== undefined;
    const r = await this.#db.k
      .updateTable('vpc_vpcs')
      .set(set)
      .where('vpc_id', '=', vpcId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async updateVSwitch(accountId: string, vswitchId: string, c: VSwitchChanges): Promise<boolean> {
    const set: Record<string, unknown> = {};
    if (c.vswitchName !== undefined) set.vswitch_name = c.vswitchName;
    if (c.description !== undefined) set.description = c.description;
    if (Object.keys(set).length === 0) {
      return (await this.getVSwitch(accountId, vswitchId)) !== undefined;
    }
    const r = await this.#db.k
      .updateTable('vpc_vswitches')
      .set(set)
      .where('vswitch_id', '=', vswitchId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async getVpcByRouteTable(accountId: string, routeTableId: string): Promise<Vpc | undefined> {
    const r = await this.#db.k
      .selectFrom('vpc_vpcs')
      .selectAll()
      .where('route_table_id', '=', routeTableId)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return r ? toVpc(r) : undefined;
  }

  async changeTags(
    kind: TaggedKind,
    accountId: string,
    ids: string[],
    change: (current: Tag[], id: string) => Tag[],
  ): Promise<string | undefined> {
    const home = TAG_HOME[kind];
    const sorted = [...new Set(ids)].sort();
    // One lock for the whole call: the lock names are taken in no particular order by other
    // callers, so one lock per resource could deadlock two multi-resource calls.
    return this.#db.withLock(`vpc:tags:${accountId}`, async (tx) => {
      const rows = await tx.k
        .selectFrom(home.table)
        .select([home.id, home.tags])
        .where(home.id, 'in', sorted.length ? sorted : [''])
        .where('account_id', '=', accountId)
        .execute();
      const current = new Map(
        rows.map((r: any) => [r[home.id] as string, parseTags(r[home.tags])]),
      );
      const missing = sorted.find((id) => !current.has(id));
      if (missing !== undefined) return missing;
      for (const id of sorted) {
        const next = change(current.get(id)!, id);
        await tx.k
          .updateTable(home.table)
          .set({ [home.tags]: JSON.stringify(next) })
          .where(home.id, '=', id)
          .where('account_id', '=', accountId)
          .execute();
      }
      return undefined;
    });
  }
}

/**
 * Deletes an account's row; false when there was none. A foreign-key violation (something still
 * refers to it) is a `Conflict` on `entity`.
 */
async function deleteOrConflict(
  db: Db,
  table: string,
  col: string,
  id: string,
  accountId: string,
  entity: string,
): Promise<boolean> {
  try {
    const r = await db.k
      .deleteFrom(table)
      .where(col, '=', id)
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  } catch (e) {
    if (db.dialect.isForeignKeyViolation(e)) throw new StoreError('Conflict', entity);
    throw e;
  }
}
