/**
 * @module VPC's cases for the shared store conformance suite: overlap checks that hold when two
 * nodes create vSwitches at once, and deletes refused while something depends on the row.
 */
import { expect } from 'vitest';
import { race, storeError } from '../../store/conformance/helpers.js';
import type { ConformanceSuite } from '../../store/conformance/runner.js';
import type { VSwitch, Vpc } from './model.js';
import { VpcSqlStore } from './store-sql.js';

const ACCT = '1000000000000001';

function vpc(id: string, cidrBlock = '10.0.0.0/16'): Vpc {
  return {
    vpcId: id,
    accountId: ACCT,
    regionId: 'cn-hangzhou',
    cidrBlock,
    vpcName: '',
    description: '',
    vRouterId: `vrt-${id}`,
    routeTableId: `vtb-${id}`,
    createdAt: 1,
  };
}
function vswitch(id: string, vpcId: string, cidrBlock: string): VSwitch {
  return {
    vswitchId: id,
    accountId: ACCT,
    regionId: 'cn-hangzhou',
    vpcId,
    zoneId: 'cn-hangzhou-i',
    cidrBlock,
    vswitchName: '',
    description: '',
    createdAt: 1,
  };
}

export const vpcConformance: ConformanceSuite = {
  service: 'vpc',
  cases: [
    {
      name: 'overlapping vSwitches are refused, also when two nodes create them at once',
      async run({ db, another }) {
        const a = new VpcSqlStore(db);
        const b = new VpcSqlStore(await another());
        await a.createVpc(vpc('vpc-1'));
        await a.createVSwitch(vswitch('vsw-1', 'vpc-1', '10.0.1.0/24'));
        const e = await storeError(a.createVSwitch(vswitch('vsw-2', 'vpc-1', '10.0.1.128/25')));
        expect([e.kind, e.entity]).toEqual(['Conflict', 'Overlapped']);
        for (let round = 0; round < 5; round++) {
          const cidr = `10.0.${10 + round}.0/24`;
          const results = await race(db, [
            () => a.createVSwitch(vswitch(`vsw-a${round}`, 'vpc-1', cidr)),
            () => b.createVSwitch(vswitch(`vsw-b${round}`, 'vpc-1', cidr)),
          ]);
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        }
        expect(await a.listVSwitches(ACCT, 'cn-hangzhou', { vpcId: 'vpc-1' })).toHaveLength(6);
        const missing = await storeError(
          a.createVSwitch(vswitch('vsw-x', 'vpc-nope', '10.0.99.0/24')),
        );
        expect([missing.kind, missing.entity]).toEqual(['NotFound', 'Vpc']);
      },
    },
    {
      name: 'a VPC with vSwitches cannot be deleted; an empty one can',
      async run({ db }) {
        const s = new VpcSqlStore(db);
        await s.createVpc(vpc('vpc-2', '192.168.0.0/16'));
        await s.createVSwitch(vswitch('vsw-9', 'vpc-2', '192.168.0.0/24'));
        const e = await storeError(s.deleteVpc(ACCT, 'vpc-2'));
        expect([e.kind, e.entity]).toEqual(['Conflict', 'VSwitch']);
        await s.deleteVSwitch(ACCT, 'vsw-9');
        await s.deleteVpc(ACCT, 'vpc-2');
        expect(await s.getVpc(ACCT, 'vpc-2')).toBeUndefined();
        expect((await storeError(s.deleteVpc(ACCT, 'vpc-2'))).kind).toBe('NotFound');
        expect((await storeError(s.deleteVSwitch(ACCT, 'vsw-9'))).kind).toBe('NotFound');
      },
    },
    {
      name: 'the vSwitch reference holds against a racing VPC delete (foreign key)',
      async run({ db, another }) {
        const a = new VpcSqlStore(db);
        const b = new VpcSqlStore(await another());
        for (let round = 0; round < 5; round++) {
          const id = `vpc-race${round}`;
          await a.createVpc(vpc(id));
          const results = await race(db, [
            () => a.deleteVpc(ACCT, id),
            () => b.createVSwitch(vswitch(`vsw-race${round}`, id, '10.0.0.0/24')),
          ]);
          const vpcLeft = await a.getVpc(ACCT, id);
          const switches = await a.listVSwitches(ACCT, 'cn-hangzhou', { vpcId: id });
          // Either the delete won (no VPC, no vSwitch) or the create did (both remain).
          expect(switches.length === 0 || vpcLeft !== undefined).toBe(true);
          expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
        }
      },
    },
  ],
};
