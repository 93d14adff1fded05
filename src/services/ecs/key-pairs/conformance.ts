/**
 * @module Key pair cases for the shared store conformance suite: unique names and the quota when
 * two nodes create at once, and the foreign key that keeps a bound key pair from being deleted
 * (all or none) and a deleted one from being bound.
 */
import { expect } from 'vitest';
import { race, storeError } from '../../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../../store/conformance/runner.js';
import type { Db } from '../../../store/db.js';
import { VpcSqlStore } from '../../vpc/store-sql.js';
import { DEFAULT_METADATA_OPTIONS } from '../model.js';
import { EcsSqlStore } from '../store-sql.js';
import type { KeyPair } from './model.js';
import { KeyPairSqlStore } from './store-sql.js';

const ACCT = '1000000000000002';
const REGION = 'cn-hangzhou';

let counter = 0;
function keyPair(name: string, extra: Partial<KeyPair> = {}): KeyPair {
  counter += 1;
  return {
    keyPairId: `skp-conformance${String(counter).padStart(6, '0')}`,
    accountId: ACCT,
    regionId: REGION,
    keyPairName: name,
    fingerPrint: '00:11',
    publicKey: `ssh-ed25519 AAAA${counter}`,
    resourceGroupId: '',
    tags: [],
    createdAt: counter,
    ...extra,
  };
}

/** A vSwitch and one instance in it, through the ECS store. */
async function instance(db: Db, name: string): Promise<string> {
  const vpc = new VpcSqlStore(db);
  const vswitchId = `vsw-kp-${name}`;
  await vpc.createVpc({
    vpcId: `vpc-kp-${name}`,
    accountId: ACCT,
    regionId: REGION,
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
    regionId: REGION,
    vpcId: `vpc-kp-${name}`,
    zoneId: 'cn-hangzhou-i',
    cidrBlock: '10.9.0.0/24',
    vswitchName: '',
    description: '',
    createdAt: 1,
  });
  const instanceId = `i-kp${name.padStart(18, '0')}`;
  await new EcsSqlStore(db).createInstances([
    {
      instanceId,
      accountId: ACCT,
      regionId: REGION,
      zoneId: 'cn-hangzhou-i',
      vpcId: `vpc-kp-${name}`,
      vswitchId,
      vpcCidr: '10.0.0.0/8',
      vswitchCidr: '10.9.0.0/24',
      instanceName: instanceId,
      hostName: 'host',
      description: '',
      imageId: 'img',
      instanceType: 'ecs.g6.large',
      securityGroupIds: [],
      tags: [],
      serialNumber: 'serial',
      status: 'Running',
      settlesAt: 0,
      settlesAtReal: 0,
      createdAt: 1,
      metadata: DEFAULT_METADATA_OPTIONS,
    },
  ]);
  return instanceId;
}

export const keyPairConformance: ConformanceSuite = {
  service: 'ecs key pairs',
  cases: [
    {
      name: 'key pair names are unique per account and region, also when two nodes create one at once',
      async run({ db, another }) {
        const a = new KeyPairSqlStore(db);
        const b = new KeyPairSqlStore(await another());
        const settled = await race(db, [
          () => a.create(keyPair('same'), 500),
          () => b.create(keyPair('same'), 500),
        ]);
        expect(settled.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const lost = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect([lost.reason.kind, lost.reason.entity]).toEqual(['AlreadyExists', 'KeyPair']);
        // Another account, another region: the same name is free.
        await a.create(keyPair('same', { accountId: '1000000000000003' }), 500);
        await a.create(keyPair('same', { regionId: 'cn-beijing' }), 500);
        expect((await b.list(ACCT, REGION)).map((k) => k.keyPairName)).toEqual(['same']);
        expect((await b.get(ACCT, REGION, 'same'))?.publicKey).toMatch(/^ssh-ed25519 /);
        expect(await b.get(ACCT, REGION, 'SAME')).toBeUndefined();
      },
    },
    {
      name: 'the quota holds when two nodes create key pairs at once',
      async run({ db, another }) {
        const a = new KeyPairSqlStore(db);
        const b = new KeyPairSqlStore(await another());
        await a.create(keyPair('q1'), 3);
        await a.create(keyPair('q2'), 3);
        const settled = await race(db, [
          () => a.create(keyPair('q3'), 3),
          () => b.create(keyPair('q4'), 3),
        ]);
        expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const lost = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect([lost.reason.kind, lost.reason.entity]).toEqual(['Conflict', 'Quota']);
        expect(await a.list(ACCT, REGION)).toHaveLength(3);
        const again = await storeError(a.create(keyPair('q5'), 3));
        expect(again.entity).toBe('Quota');
      },
    },
    {
      name: 'a bound key pair cannot be deleted (all or none), nor a deleted one bound (foreign key)',
      async run({ db, another }) {
        const a = new KeyPairSqlStore(db);
        const b = new KeyPairSqlStore(await another());
        const id = await instance(db, '1');
        const bound = keyPair('bound');
        const free = keyPair('free');
        await a.create(bound, 500);
        await a.create(free, 500);
        expect(await a.attach(id, bound)).toBe('attached');
        expect((await new EcsSqlStore(db).getInstance(id))?.keyPair).toEqual({
          keyPairId: bound.keyPairId,
          keyPairName: 'bound',
          publicKey: bound.publicKey,
        });
        expect(await b.delete([free.keyPairId, bound.keyPairId])).toEqual({
          attached: bound.keyPairId,
        });
        // Nothing was deleted, not even the free one listed first.
        expect((await a.list(ACCT, REGION)).map((k) => k.keyPairName).sort()).toEqual([
          'bound',
          'free',
        ]);
        expect(
          (await a.boundInstances([bound.keyPairId, free.keyPairId])).get(bound.keyPairId),
        ).toBe(1);
        expect(await b.detach(id, free.keyPairId)).toBe('not-attached');
        expect(await b.detach(id, bound.keyPairId)).toBe('detached');
        expect(await a.delete([free.keyPairId, bound.keyPairId, 'skp-missing'])).toEqual({
          deleted: 2,
        });
        expect(await a.attach(id, bound)).toBe('key-missing');
        expect(await a.attach('i-missing', free)).toBe('instance-missing');
        expect((await new EcsSqlStore(db).getInstance(id))?.keyPair).toBeUndefined();
      },
    },
    {
      name: 'binding and deleting race safely across nodes: never a deleted key pair bound',
      async run({ db, another }) {
        const a = new KeyPairSqlStore(db);
        const b = new KeyPairSqlStore(await another());
        const id = await instance(db, '2');
        const kp = keyPair('racy');
        await a.create(kp, 500);
        const [attach, del] = await race(db, [
          () => a.attach(id, kp) as Promise<unknown>,
          () => b.delete([kp.keyPairId]) as Promise<unknown>,
        ]);
        expect(attach?.status).toBe('fulfilled');
        expect(del?.status).toBe('fulfilled');
        const held = (await new EcsSqlStore(db).getInstance(id))?.keyPair;
        const exists = (await a.get(ACCT, REGION, 'racy')) !== undefined;
        // Either the key pair survives and is bound, or it is gone and the instance has none.
        expect(held !== undefined).toBe(exists);
      },
    },
  ],
};
