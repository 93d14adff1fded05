/**
 * @module ECS's cases for the shared store conformance suite: unique private addresses and
 * sequence numbers when two nodes create instances at once, the vSwitch reference, conditional
 * state changes and role attachment under races, and instance credentials that two nodes mint
 * identically from the shared STS key.
 */
import { expect } from 'vitest';
import { race, storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import type { Db } from '../../store/db.js';
import { StsIssuer, StsKeyStore } from '../sts/index.js';
import { VpcSqlStore } from '../vpc/store-sql.js';
import { instanceCredential } from './credentials.js';
import { DEFAULT_METADATA_OPTIONS, type Instance } from './model.js';
import type { NewInstance } from './store.js';
import { EcsSqlStore } from './store-sql.js';

const ACCT = '1000000000000001';

async function network(db: Db, vswitchId: string, cidrBlock: string): Promise<void> {
  const vpc = new VpcSqlStore(db);
  const vpcId = `vpc-of-${vswitchId}`;
  await vpc.createVpc({
    vpcId,
    accountId: ACCT,
    regionId: 'cn-hangzhou',
    cidrBlock: '10.0.0.0/8',
    vpcName: '',
    description: '',
    vRouterId: 'vrt-x',
    routeTableId: 'vtb-x',
    createdAt: 1,
  });
  await vpc.createVSwitch({
    vswitchId,
    accountId: ACCT,
    regionId: 'cn-hangzhou',
    vpcId,
    zoneId: 'cn-hangzhou-i',
    cidrBlock,
    vswitchName: '',
    description: '',
    createdAt: 1,
  });
}

let counter = 0;
function spec(vswitchId: string, cidr: string, extra: Partial<NewInstance> = {}): NewInstance {
  const instanceId = `i-conformance${String(++counter).padStart(7, '0')}`;
  return {
    instanceId,
    accountId: ACCT,
    regionId: 'cn-hangzhou',
    zoneId: 'cn-hangzhou-i',
    vpcId: `vpc-of-${vswitchId}`,
    vswitchId,
    vpcCidr: '10.0.0.0/8',
    vswitchCidr: cidr,
    instanceName: instanceId,
    hostName: 'host',
    description: '',
    imageId: 'img',
    instanceType: 'ecs.g6.large',
    securityGroupIds: [],
    tags: [],
    serialNumber: 'serial',
    status: 'Stopped',
    transition: 'Pending',
    settlesAt: 10,
    settlesAtReal: 10,
    createdAt: 1,
    metadata: DEFAULT_METADATA_OPTIONS,
    ...extra,
  };
}

export const ecsConformance: ConformanceSuite = {
  service: 'ecs',
  cases: [
    {
      name: 'private addresses are unique per vSwitch, also when two nodes create instances at once',
      async run({ db, another }) {
        await network(db, 'vsw-a', '10.1.0.0/24');
        const a = new EcsSqlStore(db);
        const b = new EcsSqlStore(await another());
        const batch = (n: number) => Array.from({ length: n }, () => spec('vsw-a', '10.1.0.0/24'));
        const settled = await race(db, [
          () => a.createInstances(batch(5)),
          () => b.createInstances(batch(5)),
        ]);
        expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
        const [x, y] = settled.map((r) => (r as PromiseFulfilledResult<Instance[]>).value) as [
          Instance[],
          Instance[],
        ];
        const ips = [...x, ...y].map((i) => i.privateIp);
        expect(new Set(ips).size).toBe(10);
        expect(ips.every((ip) => /^10\.1\.0\.([1-9]|10)$/.test(ip))).toBe(true);
        // The constraint itself: the same address twice in one vSwitch is refused.
        const dup = await storeError(
          a.createInstances([spec('vsw-a', '10.1.0.0/24')], x[0]!.privateIp),
        );
        expect(dup.entity).toBe('PrivateIpDuplicated');
        let raw: unknown;
        try {
          await db.k
            .updateTable('ecs_instances')
            .set({ private_ip: x[0]!.privateIp })
            .where('instance_id', '=', y[0]!.instanceId)
            .execute();
        } catch (e) {
          raw = e;
        }
        expect(db.dialect.isUniqueViolation(raw)).toBe(true);
        expect((await a.usedAddresses(['vsw-a'])).get('vsw-a')).toBe(10);
      },
    },
    {
      name: 'sequence numbers are unique and never reused, across nodes',
      async run({ db, another }) {
        await network(db, 'vsw-s', '10.2.0.0/24');
        await network(db, 'vsw-t', '10.3.0.0/24');
        const a = new EcsSqlStore(db);
        const b = new EcsSqlStore(await another());
        const settled = await race(db, [
          ...Array.from(
            { length: 4 },
            () => () => a.createInstances([spec('vsw-s', '10.2.0.0/24')]),
          ),
          ...Array.from(
            { length: 4 },
            () => () => b.createInstances([spec('vsw-t', '10.3.0.0/24')]),
          ),
        ]);
        expect(settled.every((r) => r.status === 'fulfilled')).toBe(true);
        const results = settled.map((r) => (r as PromiseFulfilledResult<Instance[]>).value);
        const seqs = results.flat().map((i) => i.seq);
        expect(new Set(seqs).size).toBe(8);
        const max = Math.max(...seqs);
        const last = results.flat().find((i) => i.seq === max)!;
        expect(await a.deleteInstance(last.instanceId, { now: 0, real: 0 }, true)).toBe(true);
        const [next] = await a.createInstances([spec('vsw-s', '10.2.0.0/24')]);
        expect(next!.seq).toBeGreaterThan(max);
        expect((await b.getInstanceBySeq(next!.seq))?.instanceId).toBe(next!.instanceId);
        expect((await a.listSeqs()).map((s) => s.seq)).not.toContain(max);
      },
    },
    {
      name: 'a vSwitch in use cannot be deleted (foreign key)',
      async run({ db }) {
        await network(db, 'vsw-d', '10.4.0.0/24');
        const ecs = new EcsSqlStore(db);
        const vpc = new VpcSqlStore(db);
        const [i] = await ecs.createInstances([spec('vsw-d', '10.4.0.0/24')]);
        const e = await storeError(vpc.deleteVSwitch(ACCT, 'vsw-d'));
        expect([e.kind, e.entity]).toEqual(['Conflict', 'Dependency']);
        await ecs.deleteInstance(i!.instanceId, { now: 0, real: 0 }, true);
        await vpc.deleteVSwitch(ACCT, 'vsw-d');
        const gone = await storeError(ecs.createInstances([spec('vsw-d', '10.4.0.0/24')]));
        expect([gone.kind, gone.entity]).toEqual(['NotFound', 'VSwitch']);
      },
    },
    {
      name: 'state changes are conditional on the settled state: one of two racing nodes wins',
      async run({ db, another }) {
        await network(db, 'vsw-c', '10.5.0.0/24');
        const a = new EcsSqlStore(db);
        const b = new EcsSqlStore(await another());
        const [i] = await a.createInstances([spec('vsw-c', '10.5.0.0/24')]);
        const start = (s: EcsSqlStore, now: number) =>
          s.transition(i!.instanceId, {
            from: 'Stopped',
            at: { now, real: now },
            to: 'Running',
            transition: 'Starting',
            settlesAt: now + 2000,
            settlesAtReal: now + 2000,
          });
        // Still Pending (settles at 10): refused.
        expect(await start(a, 5)).toBe(false);
        const both = await race(db, [() => start(a, 20), () => start(b, 20)]);
        expect(both.filter((r) => r.status === 'fulfilled' && r.value)).toHaveLength(1);
        const now = (await a.getInstance(i!.instanceId))!;
        expect([now.status, now.transition, now.settlesAt]).toEqual(['Running', 'Starting', 2020]);
        expect(now.settlesAtReal).toBe(2020);
        const stopped = { now: 2020, real: 2020 };
        expect(await a.deleteInstance(i!.instanceId, stopped, false)).toBe(false);
        expect(await a.deleteInstance(i!.instanceId, stopped, true)).toBe(true);
      },
    },
    {
      name: 'an instance holds one role: two nodes attaching different roles, one wins',
      async run({ db, another }) {
        await network(db, 'vsw-r', '10.6.0.0/24');
        const a = new EcsSqlStore(db);
        const b = new EcsSqlStore(await another());
        const [i] = await a.createInstances([spec('vsw-r', '10.6.0.0/24')]);
        const results = await race(db, [
          () => a.attachRole(i!.instanceId, { roleName: 'one', attachedAt: 1000 }),
          () => b.attachRole(i!.instanceId, { roleName: 'two', attachedAt: 1000 }),
        ]);
        expect(results.map((r) => (r.status === 'fulfilled' ? r.value : 'error')).sort()).toEqual([
          'attached',
          'other',
        ]);
        const holder = (await a.getInstance(i!.instanceId))!;
        expect(holder.roleGeneration).toBe(1);
        expect(await b.attachRole(i!.instanceId, { ...holder.role! })).toBe('same');
        expect((await a.detachRole(i!.instanceId, 'nope')).result).toBe('other');
        expect(await b.detachRole(i!.instanceId, undefined)).toEqual({
          result: 'detached',
          roleName: holder.role!.roleName,
        });
        expect((await a.detachRole(i!.instanceId, undefined)).result).toBe('none');
        expect(await a.attachRole(i!.instanceId, { roleName: 'three', attachedAt: 5000 })).toBe(
          'attached',
        );
        expect((await a.getInstance(i!.instanceId))!.roleGeneration).toBe(2);
        expect(await a.attachRole('i-missing', { roleName: 'x', attachedAt: 1 })).toBe('missing');
      },
    },
    {
      name: 'two nodes mint the identical instance credential for a window',
      async run({ db, another }) {
        const db2 = await another();
        const node = (d: Db) => {
          const keys = new StsKeyStore(d);
          return { keys, issuer: new StsIssuer(keys) };
        };
        const instance: Pick<Instance, 'instanceId' | 'roleGeneration' | 'role'> = {
          instanceId: 'i-credentials00000000',
          roleGeneration: 3,
          role: { roleName: 'r', attachedAt: 1_000_000, policy: '{"Version":"1","Statement":[]}' },
        };
        const role = { accountId: ACCT, roleId: '300000000000000001', roleName: 'r' };
        const now = 1_000_000 + 3 * 3600_000;
        const [x, y] = await Promise.all([
          instanceCredential(node(db), instance, role, now),
          instanceCredential(node(db2), instance, role, now + 60_000),
        ]);
        expect(x).toEqual(y);
        const next = await instanceCredential(node(db), instance, role, 1_000_000 + 5.5 * 3600_000);
        expect(next.accessKeyId).not.toBe(x.accessKeyId);
        const again = await instanceCredential(
          node(db2),
          { ...instance, roleGeneration: 4 },
          role,
          now,
        );
        expect(again.accessKeyId).not.toBe(x.accessKeyId);
      },
    },
  ],
};
