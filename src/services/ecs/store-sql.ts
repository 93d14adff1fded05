/**
 * @module ECS storage in SQL, one implementation for SQLite and PostgreSQL (Kysely). Addresses
 * are chosen under a per-vSwitch lock (a PostgreSQL advisory lock across nodes) and their
 * uniqueness is a constraint; sequence numbers come from one counter row updated atomically;
 * state changes are conditional updates evaluated against the caller's reading of both clocks.
 */
import { sql } from 'kysely';
import type { ClockReading } from '../../kernel/clock.js';
import { StoreError } from '../../kernel/errors.js';
import type { Db } from '../../store/db.js';
import { foldName } from '../ram/index.js';
import { formatIpv4, parseCidr, usableRange } from '../vpc/index.js';
import { attributesFromRow, attributesOf, attributesToRow } from './instance-attributes/columns.js';
import { systemDiskIdOf } from './instance-attributes/model.js';
import { networkInterfaceIdOf } from './model.js';
import type { Instance, MetadataFault, MetadataOptions, AttachedRole, Tag } from './model.js';
import { insertMemberships } from './security-groups/store-sql.js';
import type { EcsStore, InstanceFilter, NewInstance, TransitionChange } from './store.js';
import { ECS_TAGS, type TaggableType } from './tags/store.js';

/** How ECS's tag calls find instances (`instance`, by id). */
export const taggableInstances: TaggableType = { table: 'ecs_instances', column: 'instance_id' };

/** The id of a row's system disk in SQL (model `systemDiskIdOf`: `d-` for `i-`). */
const systemDiskIdColumn = sql<string>`'d-' || substr(ecs_instances.instance_id, 3)`;

/** The row's last transition has ended on yunbox's clock or the real one (model `hasSettled`). */
const settledAt = (at: ClockReading) => (eb: any) =>
  eb.or([eb('settles_at', '<=', at.now), eb('settles_at_real', '<=', at.real)]);

/** An instance row with its tags (rows of `ecs_tags`, tags/store.ts). */
const toInstance = (r: any, tags: Tag[] = []): Instance => ({
  instanceId: r.instance_id,
  accountId: r.account_id,
  regionId: r.region_id,
  zoneId: r.zone_id,
  seq: Number(r.seq),
  vpcId: r.vpc_id,
  vswitchId: r.vswitch_id,
  vpcCidr: r.vpc_cidr,
  vswitchCidr: r.vswitch_cidr,
  privateIp: r.private_ip,
  instanceName: r.instance_name,
  hostName: r.host_name,
  description: r.description,
  imageId: r.image_id,
  instanceType: r.instance_type,
  ...(r.user_data != null ? { userData: r.user_data } : {}),
  securityGroupIds: JSON.parse(r.security_group_ids),
  tags,
  serialNumber: r.serial_number,
  status: r.status,
  ...(r.transition != null ? { transition: r.transition } : {}),
  settlesAt: Number(r.settles_at),
  settlesAtReal: Number(r.settles_at_real),
  ...(r.started_at != null ? { startedAt: Number(r.started_at) } : {}),
  createdAt: Number(r.created_at),
  ...(r.ram_role_name != null
    ? {
        role: {
          roleName: r.ram_role_name,
          attachedAt: Number(r.role_attached_at),
          ...(r.role_policy != null ? { policy: r.role_policy } : {}),
        },
      }
    : {}),
  roleGeneration: Number(r.role_generation),
  metadata: {
    httpEndpoint: r.http_endpoint,
    httpTokens: r.http_tokens,
    hopLimit: Number(r.http_hop_limit),
    instanceMetadataTags: r.metadata_tags,
  },
  fault: {
    mode: r.fault_mode,
    delayMs: Number(r.fault_delay_ms),
    statusCode: Number(r.fault_status),
  },
  ...attributesFromRow(r),
});

/** ECS storage over a {@link Db}. */
export class EcsSqlStore implements EcsStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Rows (of one account) with their tags. */
  #withTags(rows: any[]): Promise<Instance[]> {
    return ECS_TAGS.withTags(this.#db, 'instance', rows, (r) => r.instance_id, toInstance);
  }

  async createInstances(specs: NewInstance[], requestedIp?: string): Promise<Instance[]> {
    const first = specs[0];
    if (!first) return [];
    if (specs.some((s) => s.vswitchId !== first.vswitchId)) {
      throw new Error('createInstances: every instance must be in the same vSwitch');
    }
    const cidr = parseCidr(first.vswitchCidr);
    if (!cidr) throw new StoreError('Conflict', 'Malformed');
    // INVARIANT: addresses are chosen and inserted under the vSwitch's lock; the unique
    // (vswitch_id, private_ip) constraint is the backstop should anything bypass it.
    return this.#db.withLock(`ecs:vswitch-ips:${first.vswitchId}`, async (tx) => {
      // Sequence numbers first: a write before any read, so on SQLite the transaction holds the
      // write lock from its first statement and two connections cannot deadlock upgrading.
      const lastSeq = await nextSeq(tx, specs.length);
      const used = new Set(
        (
          await tx.k
            .selectFrom('ecs_instances')
            .select('private_ip')
            .where('vswitch_id', '=', first.vswitchId)
            .execute()
        ).map((r: any) => r.private_ip as string),
      );
      const ips: string[] = [];
      if (requestedIp !== undefined) {
        if (used.has(requestedIp)) throw new StoreError('Conflict', 'PrivateIpDuplicated');
        ips.push(requestedIp);
      } else {
        const range = usableRange(cidr);
        for (let ip = range.first; ip <= range.last && ips.length < specs.length; ip++) {
          const text = formatIpv4(ip);
          if (!used.has(text)) ips.push(text);
        }
      }
      if (ips.length < specs.length) throw new StoreError('Conflict', 'NoFreeIp');
      const out: Instance[] = [];
      for (const [i, spec] of specs.entries()) {
        const seq = lastSeq - specs.length + 1 + i;
        const privateIp = ips[i]!;
        try {
          await tx.k
            .insertInto('ecs_instances')
            .values({
              instance_id: spec.instanceId,
              account_id: spec.accountId,
              region_id: spec.regionId,
              zone_id: spec.zoneId,
              seq,
              vpc_id: spec.vpcId,
              vswitch_id: spec.vswitchId,
              vpc_cidr: spec.vpcCidr,
              vswitch_cidr: spec.vswitchCidr,
              private_ip: privateIp,
              instance_name: spec.instanceName,
              host_name: spec.hostName,
              description: spec.description,
              image_id: spec.imageId,
              instance_type: spec.instanceType,
              user_data: spec.userData ?? null,
              security_group_ids: JSON.stringify(spec.securityGroupIds),
              // Tags are rows of ecs_tags (below); the column is a leftover of migration 0005.
              tags: '[]',
              serial_number: spec.serialNumber,
              status: spec.status,
              transition: spec.transition ?? null,
              settles_at: spec.settlesAt,
              settles_at_real: spec.settlesAtReal,
              started_at: spec.startedAt ?? null,
              created_at: spec.createdAt,
              ram_role_name: spec.role?.roleName ?? null,
              role_attached_at: spec.role?.attachedAt ?? null,
              role_generation: spec.role ? 1 : 0,
              role_policy: spec.role?.policy ?? null,
              http_endpoint: spec.metadata.httpEndpoint,
              http_tokens: spec.metadata.httpTokens,
              http_hop_limit: spec.metadata.hopLimit,
              metadata_tags: spec.metadata.instanceMetadataTags,
              ...attributesToRow(attributesOf(spec)),
            })
            .execute();
        } catch (e) {
          // The vSwitch, or the key pair (the handler tells them apart).
          if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', 'VSwitch');
          if (tx.dialect.isUniqueViolation(e)) {
            throw new StoreError('Conflict', 'PrivateIpDuplicated');
          }
          throw e;
        }
        await insertMemberships(tx, spec.instanceId, spec.securityGroupIds);
        // `Tag.N` of RunInstances and CreateInstance tag the instance, its disks and its primary
        // network interface (doc "RunInstances": "the tag key of the instance, disk, and primary
        // ENI").
        for (const [type, id] of [
          ['instance', spec.instanceId],
          ['disk', systemDiskIdOf(spec.instanceId)],
          ['eni', networkInterfaceIdOf(spec.instanceId)],
        ] as const) {
          await ECS_TAGS.insertNew(tx, spec.accountId, spec.regionId, type, id, spec.tags);
        }
        out.push({
          ...spec,
          ...attributesOf(spec),
          seq,
          privateIp,
          roleGeneration: spec.role ? 1 : 0,
          fault: { mode: 'none', delayMs: 0, statusCode: 0 },
        });
      }
      return out;
    });
  }

  async getInstance(instanceId: string): Promise<Instance | undefined> {
    const r = await this.#db.k
      .selectFrom('ecs_instances')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
    return r ? (await this.#withTags([r]))[0] : undefined;
  }

  async getInstanceBySeq(seq: number): Promise<Instance | undefined> {
    const r = await this.#db.k
      .selectFrom('ecs_instances')
      .selectAll()
      .where('seq', '=', seq)
      .executeTakeFirst();
    return r ? (await this.#withTags([r]))[0] : undefined;
  }

  async listInstances(accountId: string, regionId: string, f: InstanceFilter) {
    let q = this.#db.k
      .selectFrom('ecs_instances')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('region_id', '=', regionId);
    const inList = (col: string, values: string[]) =>
      q.where(col, 'in', values.length ? values : ['']);
    if (f.instanceIds) q = inList('instance_id', f.instanceIds);
    if (f.privateIps) q = inList('private_ip', f.privateIps);
    if (f.vpcId !== undefined) q = q.where('vpc_id', '=', f.vpcId);
    if (f.vswitchId !== undefined) q = q.where('vswitch_id', '=', f.vswitchId);
    if (f.zoneId !== undefined) q = q.where('zone_id', '=', f.zoneId);
    if (f.imageId !== undefined) q = q.where('image_id', '=', f.imageId);
    if (f.instanceType !== undefined) q = q.where('instance_type', '=', f.instanceType);
    if (f.systemDiskTags && f.systemDiskTags.length > 0) {
      q = q.where(ECS_TAGS.carrying(accountId, 'disk', systemDiskIdColumn, f.systemDiskTags));
    }
    // Creation order; the sequence number is monotonic even if a manual clock is set back.
    const rows = await q.orderBy('seq').execute();
    const all = await this.#withTags(rows);
    if (f.roleName === undefined) return all;
    // Folded here, not with SQL lower() (locale-dependent on PostgreSQL); the account's instances
    // in the region are read either way.
    const role = foldName(f.roleName);
    return all.filter((i: Instance) => i.role !== undefined && foldName(i.role.roleName) === role);
  }

  async listSeqs() {
    const rows = await this.#db.k
      .selectFrom('ecs_instances')
      .select(['instance_id', 'seq'])
      .orderBy('seq')
      .execute();
    return rows.map((r: any) => ({ instanceId: r.instance_id as string, seq: Number(r.seq) }));
  }

  async transition(instanceId: string, c: TransitionChange): Promise<boolean> {
    const r = await this.#db.k
      .updateTable('ecs_instances')
      .set({
        status: c.to,
        transition: c.transition,
        settles_at: c.settlesAt,
        settles_at_real: c.settlesAtReal,
        ...(c.startedAt !== undefined ? { started_at: c.startedAt } : {}),
      })
      .where('instance_id', '=', instanceId)
      .where('status', '=', c.from)
      .where(settledAt(c.at))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteInstance(instanceId: string, at: ClockReading, force: boolean): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      let q = tx.k.deleteFrom('ecs_instances').where('instance_id', '=', instanceId);
      if (!force) q = q.where('status', '=', 'Stopped').where(settledAt(at));
      const r = await q.executeTakeFirst();
      const deleted = Number(r.numDeletedRows) > 0;
      // INVARIANT: no tag outlives its instance, its system disk or its primary network interface
      // (deleted after the row: tags/store.ts resolveTagged).
      if (deleted) {
        await ECS_TAGS.deleteFor(tx, 'instance', [instanceId]);
        await ECS_TAGS.deleteFor(tx, 'disk', [systemDiskIdOf(instanceId)]);
        await ECS_TAGS.deleteFor(tx, 'eni', [networkInterfaceIdOf(instanceId)]);
      }
      return deleted;
    });
  }

  async attachRole(instanceId: string, role: AttachedRole) {
    const r = await this.#db.k
      .updateTable('ecs_instances')
      .set((eb: any) => ({
        ram_role_name: role.roleName,
        role_attached_at: role.attachedAt,
        role_policy: role.policy ?? null,
        role_generation: eb('role_generation', '+', 1),
      }))
      .where('instance_id', '=', instanceId)
      .where('ram_role_name', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return 'attached' as const;
    const now = await this.getInstance(instanceId);
    if (!now) return 'missing' as const;
    return now.role?.roleName === role.roleName ? ('same' as const) : ('other' as const);
  }

  async detachRole(instanceId: string, roleName: string | undefined) {
    const current = await this.getInstance(instanceId);
    if (!current) return { result: 'missing' as const };
    if (!current.role) return { result: 'none' as const };
    if (roleName !== undefined && foldName(current.role.roleName) !== foldName(roleName)) {
      return { result: 'other' as const, roleName: current.role.roleName };
    }
    const r = await this.#db.k
      .updateTable('ecs_instances')
      .set({ ram_role_name: null, role_attached_at: null, role_policy: null })
      .where('instance_id', '=', instanceId)
      .where('ram_role_name', '=', current.role.roleName)
      .executeTakeFirst();
    // Lost a race with another detach: it is detached either way.
    return Number(r.numUpdatedRows) > 0
      ? { result: 'detached' as const, roleName: current.role.roleName }
      : { result: 'none' as const };
  }

  async setMetadataOptions(instanceId: string, o: Partial<MetadataOptions>): Promise<boolean> {
    const set: Record<string, unknown> = {};
    if (o.httpEndpoint !== undefined) set.http_endpoint = o.httpEndpoint;
    if (o.httpTokens !== undefined) set.http_tokens = o.httpTokens;
    if (o.hopLimit !== undefined) set.http_hop_limit = o.hopLimit;
    if (o.instanceMetadataTags !== undefined) set.metadata_tags = o.instanceMetadataTags;
    if (Object.keys(set).length === 0) return (await this.getInstance(instanceId)) !== undefined;
    const r = await this.#db.k
      .updateTable('ecs_instances')
      .set(set)
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async setFault(instanceId: string, fault: MetadataFault): Promise<boolean> {
    const r = await this.#db.k
      .updateTable('ecs_instances')
      .set({
        fault_mode: fault.mode,
        fault_delay_ms: fault.delayMs,
        fault_status: fault.statusCode,
      })
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async usedAddresses(vswitchIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (vswitchIds.length === 0) return out;
    const rows = await this.#db.k
      .selectFrom('ecs_instances')
      .select((eb: any) => ['vswitch_id', eb.fn.countAll().as('n')])
      .where('vswitch_id', 'in', vswitchIds)
      .groupBy('vswitch_id')
      .execute();
    for (const r of rows as any[]) out.set(r.vswitch_id, Number(r.n));
    return out;
  }
}

/** Takes `n` instance sequence numbers; returns the last (the counter row is updated atomically). */
async function nextSeq(tx: Db, n: number): Promise<number> {
  const r: any = await tx.k
    .updateTable('ecs_counters')
    .set((eb: any) => ({ value: eb('value', '+', n) }))
    .where('name', '=', 'instance-seq')
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(r.value);
}
