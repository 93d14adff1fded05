/**
 * @module Security groups' cases for the shared store conformance suite: the region quota and the
 * rule limits hold when two nodes add at once, a rule is added once, a group in use (an instance
 * in it, another group's rule naming it, its VPC) cannot be deleted even by a racing node, and an
 * instance's own list of groups stays in step with its memberships, also when replaced whole.
 */
import { expect } from 'vitest';
import { race, storeError } from '../../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../../store/conformance/runner.js';
import type { Db } from '../../../store/db.js';
import { VpcSqlStore } from '../../vpc/store-sql.js';
import { DEFAULT_METADATA_OPTIONS } from '../model.js';
import { EcsSqlStore } from '../store-sql.js';
import type { NewInstance } from '../store.js';
import { parsePermission, type SecurityGroup } from './model.js';
import { SecurityGroupSqlStore } from './store-sql.js';

const ACCT = '1000000000000001';
const LIMITS = { maxRules: 200, maxGroupRules: 20 };

async function vpc(db: Db, vpcId: string, vswitchId?: string): Promise<void> {
  const s = new VpcSqlStore(db);
  await s.createVpc({
    vpcId,
    accountId: ACCT,
    regionId: 'cn-hangzhou',
    cidrBlock: '10.0.0.0/8',
    vpcName: '',
    description: '',
    vRouterId: `vrt-${vpcId}`,
    routeTableId: `vtb-${vpcId}`,
    createdAt: 1,
  });
  if (vswitchId) {
    await s.createVSwitch({
      vswitchId,
      accountId: ACCT,
      regionId: 'cn-hangzhou',
      vpcId,
      zoneId: 'cn-hangzhou-i',
      cidrBlock: '10.1.0.0/24',
      vswitchName: '',
      description: '',
      createdAt: 1,
    });
  }
}

function group(id: string, vpcId: string): SecurityGroup {
  return {
    securityGroupId: id,
    accountId: ACCT,
    regionId: 'cn-hangzhou',
    vpcId,
    name: '',
    description: '',
    groupType: 'normal',
    innerAccessPolicy: 'Accept',
    tags: [],
    createdAt: 1,
  };
}

let counter = 0;
function instance(vswitchId: string, vpcId: string, groups: string[]): NewInstance {
  const instanceId = `i-sgconformance${String(++counter).padStart(6, '0')}`;
  return {
    instanceId,
    accountId: ACCT,
    regionId: 'cn-hangzhou',
    zoneId: 'cn-hangzhou-i',
    vpcId,
    vswitchId,
    vpcCidr: '10.0.0.0/8',
    vswitchCidr: '10.1.0.0/24',
    instanceName: instanceId,
    hostName: 'host',
    description: '',
    imageId: 'img',
    instanceType: 'ecs.g6.large',
    securityGroupIds: groups,
    tags: [],
    serialNumber: 'serial',
    status: 'Stopped',
    settlesAt: 0,
    settlesAtReal: 0,
    createdAt: 1,
    metadata: DEFAULT_METADATA_OPTIONS,
  };
}

const rule = (port: number, extra: Record<string, string> = {}) => ({
  ...parsePermission(
    { IpProtocol: 'tcp', PortRange: `${port}/${port}`, SourceCidrIp: '0.0.0.0/0', ...extra },
    'ingress',
  ),
  ruleId: `sgr-c${port}-${++counter}`,
});

export const securityGroupConformance: ConformanceSuite = {
  service: 'ecs-security-groups',
  cases: [
    {
      name: 'the region quota holds when two nodes create groups at once',
      async run({ db, another }) {
        await vpc(db, 'vpc-sgq');
        const a = new SecurityGroupSqlStore(db);
        const b = new SecurityGroupSqlStore(await another());
        const results = await race(db, [
          ...[1, 2, 3].map((n) => () => a.createGroup(group(`sg-qa${n}`, 'vpc-sgq'), 4)),
          ...[1, 2, 3].map((n) => () => b.createGroup(group(`sg-qb${n}`, 'vpc-sgq'), 4)),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
        expect(await a.listGroups(ACCT, 'cn-hangzhou', {})).toHaveLength(4);
        const e = await storeError(a.createGroup(group('sg-qc', 'vpc-sgq'), 4));
        expect([e.kind, e.entity]).toEqual(['Conflict', 'Quota']);
        const gone = await storeError(a.createGroup(group('sg-qd', 'vpc-none'), 10));
        expect([gone.kind, gone.entity]).toEqual(['NotFound', 'Vpc']);
      },
    },
    {
      name: 'a rule is added once, and the rule limit holds, when two nodes add at once',
      async run({ db, another }) {
        await vpc(db, 'vpc-sgr');
        const a = new SecurityGroupSqlStore(db);
        const b = new SecurityGroupSqlStore(await another());
        await a.createGroup(group('sg-r', 'vpc-sgr'), 10);
        const same = await race(db, [
          () => a.addRules('sg-r', [rule(22)], LIMITS, 1),
          () => b.addRules('sg-r', [rule(22, { Priority: '5' })], LIMITS, 1),
        ]);
        const added = same.map((r) =>
          r.status === 'fulfilled' && 'added' in r.value ? r.value.added : -1,
        );
        expect(added.sort()).toEqual([0, 1]);
        expect(await a.listRules(['sg-r'])).toHaveLength(1);
        const limits = { maxRules: 3, maxGroupRules: 20 };
        const both = await race(db, [
          () => a.addRules('sg-r', [rule(80), rule(81)], limits, 2),
          () => b.addRules('sg-r', [rule(90), rule(91)], limits, 2),
        ]);
        const values = both.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
        expect(values.filter((v) => v && 'added' in v)).toHaveLength(1);
        expect(values.filter((v) => v && 'limit' in v)).toHaveLength(1);
        expect(await a.listRules(['sg-r'])).toHaveLength(3);
        expect(await a.addRules('sg-none', [rule(1)], LIMITS, 1)).toEqual({ missing: 'group' });
        // By identity or by id, all or none.
        const [first] = await a.listRules(['sg-r']);
        expect(await a.removeRules('sg-r', { ruleIds: [first!.ruleId, 'sgr-not-there'] })).toEqual({
          notFound: 'sgr-not-there',
        });
        expect(await a.listRules(['sg-r'])).toHaveLength(3);
        expect(await a.removeRules('sg-r', { ruleIds: [first!.ruleId] })).toEqual({ removed: 1 });
      },
    },
    {
      name: 'a group in use cannot be deleted, also when another node adds the use meanwhile',
      async run({ db, another }) {
        await vpc(db, 'vpc-sgd', 'vsw-sgd');
        const a = new SecurityGroupSqlStore(db);
        const b = new SecurityGroupSqlStore(await another());
        const ecs = new EcsSqlStore(db);
        await a.createGroup(group('sg-used', 'vpc-sgd'), 10);
        await a.createGroup(group('sg-namer', 'vpc-sgd'), 10);
        const [i] = await ecs.createInstances([instance('vsw-sgd', 'vpc-sgd', ['sg-used'])]);
        expect((await a.members(['sg-used'])).get('sg-used')).toEqual([i!.instanceId]);
        const inUse = await storeError(a.deleteGroup(ACCT, 'sg-used'));
        expect([inUse.kind, inUse.entity]).toEqual(['Conflict', 'Instances']);
        // Releasing the instance ends its memberships.
        await ecs.deleteInstance(i!.instanceId, { now: 0, real: 0 }, true);
        expect((await a.members(['sg-used'])).get('sg-used')).toEqual([]);
        await a.addRules(
          'sg-namer',
          [rule(443, { SourceGroupId: 'sg-used', SourceCidrIp: '' })],
          LIMITS,
          1,
        );
        const named = await storeError(a.deleteGroup(ACCT, 'sg-used'));
        expect([named.kind, named.entity]).toEqual(['Conflict', 'Referenced']);
        // The VPC of a group cannot be deleted.
        const v = await storeError(new VpcSqlStore(db).deleteVpc(ACCT, 'vpc-sgd'));
        expect(v.kind).toBe('Conflict');
        // The naming group goes with its rules; then the named one can go.
        await a.deleteGroup(ACCT, 'sg-namer');
        for (let round = 0; round < 4; round++) {
          const id = `sg-race${round}`;
          await a.createGroup(group(id, 'vpc-sgd'), 20);
          const [j] = await ecs.createInstances([instance('vsw-sgd', 'vpc-sgd', [])]);
          await race(db, [
            () => a.deleteGroup(ACCT, id),
            () => b.join(j!.instanceId, id, () => {}),
          ]);
          const left = await a.getGroup(ACCT, id);
          const listed = (await ecs.getInstance(j!.instanceId))!.securityGroupIds;
          // Either the delete won (no group, not listed) or the join did (both remain).
          expect(left === undefined ? listed.length === 0 : listed.includes(id)).toBe(true);
          await ecs.deleteInstance(j!.instanceId, { now: 0, real: 0 }, true);
        }
        await a.deleteGroup(ACCT, 'sg-used');
        const gone = await storeError(
          ecs.createInstances([instance('vsw-sgd', 'vpc-sgd', ['sg-used'])]),
        );
        expect([gone.kind, gone.entity]).toEqual(['NotFound', 'SecurityGroup']);
      },
    },
    {
      name: "an instance's list of groups stays in step with its memberships under racing joins",
      async run({ db, another }) {
        await vpc(db, 'vpc-sgm', 'vsw-sgm');
        const a = new SecurityGroupSqlStore(db);
        const b = new SecurityGroupSqlStore(await another());
        const ecs = new EcsSqlStore(db);
        for (const n of [1, 2, 3]) await a.createGroup(group(`sg-m${n}`, 'vpc-sgm'), 10);
        const [i] = await ecs.createInstances([instance('vsw-sgm', 'vpc-sgm', ['sg-m1'])]);
        const id = i!.instanceId;
        await race(db, [() => a.join(id, 'sg-m2', () => {}), () => b.join(id, 'sg-m3', () => {})]);
        const listed = (await ecs.getInstance(id))!.securityGroupIds;
        expect([...listed].sort()).toEqual(['sg-m1', 'sg-m2', 'sg-m3']);
        const members = await a.members(['sg-m1', 'sg-m2', 'sg-m3']);
        expect([...members.values()].every((m) => m.length === 1 && m[0] === id)).toBe(true);
        const again = await storeError(a.join(id, 'sg-m2', () => {}));
        expect([again.kind, again.entity]).toEqual(['Conflict', 'Member']);
        // Either join may have won the race: the list keeps the order in which they committed.
        const rest = listed.filter((g) => g !== 'sg-m1');
        await a.leave(id, 'sg-m1', () => {});
        expect((await ecs.getInstance(id))!.securityGroupIds).toEqual(rest);
        const refused = new Error('refused by check');
        await expect(
          a.leave(id, 'sg-m2', () => {
            throw refused;
          }),
        ).rejects.toBe(refused);
        expect((await ecs.getInstance(id))!.securityGroupIds).toEqual(rest);
        const missing = await storeError(a.join('i-none', 'sg-m1', () => {}));
        expect([missing.kind, missing.entity]).toEqual(['NotFound', 'Instance']);
      },
    },
    {
      name: "replacing an instance's groups is all or nothing, also against a racing group delete",
      async run({ db, another }) {
        await vpc(db, 'vpc-sgr', 'vsw-sgr');
        const a = new SecurityGroupSqlStore(db);
        const b = new SecurityGroupSqlStore(await another());
        const ecs = new EcsSqlStore(db);
        for (const n of [1, 2, 3, 4]) await a.createGroup(group(`sg-r${n}`, 'vpc-sgr'), 10);
        const [i] = await ecs.createInstances([instance('vsw-sgr', 'vpc-sgr', ['sg-r1', 'sg-r2'])]);
        const id = i!.instanceId;
        await b.replaceGroups(id, ['sg-r2', 'sg-r3'], () => {});
        expect((await ecs.getInstance(id))!.securityGroupIds).toEqual(['sg-r2', 'sg-r3']);
        const members = await a.members(['sg-r1', 'sg-r2', 'sg-r3']);
        expect([...members.entries()]).toEqual([
          ['sg-r1', []],
          ['sg-r2', [id]],
          ['sg-r3', [id]],
        ]);
        // sg-r1 is free again; a group deleted meanwhile refuses the whole change.
        await a.deleteGroup(ACCT, 'sg-r1');
        const gone = await storeError(a.replaceGroups(id, ['sg-r4', 'sg-r1'], () => {}));
        expect([gone.kind, gone.entity]).toEqual(['NotFound', 'SecurityGroup']);
        expect((await ecs.getInstance(id))!.securityGroupIds).toEqual(['sg-r2', 'sg-r3']);
        expect((await a.members(['sg-r4'])).get('sg-r4')).toEqual([]);
        // Racing a delete of the group it moves to: either the move or the delete wins, whole.
        const results = await race<unknown>(db, [
          () => a.replaceGroups(id, ['sg-r4'], () => {}),
          () => b.deleteGroup(ACCT, 'sg-r4'),
        ]);
        const listed = (await ecs.getInstance(id))!.securityGroupIds;
        if (results[0]!.status === 'fulfilled') {
          expect(listed).toEqual(['sg-r4']);
          expect(results[1]!.status).toBe('rejected');
        } else {
          expect(listed).toEqual(['sg-r2', 'sg-r3']);
          expect(await a.getGroup(ACCT, 'sg-r4')).toBeUndefined();
        }
        const missing = await storeError(a.replaceGroups('i-none', ['sg-r2'], () => {}));
        expect([missing.kind, missing.entity]).toEqual(['NotFound', 'Instance']);
      },
    },
  ],
};
