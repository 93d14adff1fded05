/**
 * @module VPC storage in SQL, one implementation for SQLite and PostgreSQL (Kysely). vSwitch
 * overlap is checked under a per-VPC lock (a PostgreSQL advisory lock across nodes); references
 * are foreign keys, reported as `Conflict` when a delete would leave them dangling.
 */
import type { Db } from '../../store/db.js';
import { StoreError } from '../../kernel/errors.js';
import { cidrOverlaps, parseCidr, type VSwitch, type Vpc } from './model.js';
import type { VSwitchFilter, VpcFilter, VpcStore } from './store.js';

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
});

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
    // One statement: the vSwitches' foreign key refuses it while any remain.
    if (!(await deleteOrConflict(this.#db, 'vpc_vpcs', 'vpc_id', vpcId, accountId, 'VSwitch'))) {
      throw new StoreError('NotFound', 'Vpc');
    }
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
