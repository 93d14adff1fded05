/**
 * The metadata path of an instance role in another case: an instance launched with
 * `RamRoleName=ecsramroletest` lists its role as created (EcsRamRoleTest), and
 * `meta-data/ram/security-credentials/<role>` answers the credential document for the role's name
 * in any case (RAM names ignore case); another name is still 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../src/testing/server.js';
import { restoreClock } from '../../../src/testing/clock.js';
import { stsClient } from '../../../src/testing/sdk.js';
import { createEcsRole, rootOf } from '../../../src/testing/fixtures.js';
import { credentials, md, metadataServer, runningInstance, type RunningInstance } from './setup.js';

let yb: TestServer;
let inst: RunningInstance;

beforeAll(async () => {
  yb = await metadataServer();
  await createEcsRole(yb, rootOf(yb), 'EcsRamRoleTest');
  inst = await runningInstance(yb, { roleName: 'ecsramroletest' });
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

describe('security-credentials/<role> in another case', () => {
  it('lists the role as created', async () => {
    const r = await md(inst.url, '/latest/meta-data/ram/security-credentials/');
    expect([r.status, r.body]).toEqual([200, 'EcsRamRoleTest']);
  });

  it('answers the same credential for every spelling of the role name', async () => {
    const exact = await credentials(inst.url, 'EcsRamRoleTest');
    for (const spelling of ['ecsramroletest', 'ECSRAMROLETEST', 'ecsRamRoleTest']) {
      const c = await credentials(inst.url, spelling);
      expect(c).toEqual(exact);
    }
    const who = await stsClient(yb, {
      accessKeyId: exact.AccessKeyId,
      accessKeySecret: exact.AccessKeySecret,
      securityToken: exact.SecurityToken,
    }).getCallerIdentity();
    expect(who.body!.arn).toBe(
      `acs:ram::${yb.accountId}:assumed-role/EcsRamRoleTest/${inst.instanceId}`,
    );
  });

  it('another role name is 404', async () => {
    const r = await md(inst.url, '/latest/meta-data/ram/security-credentials/ecsramroletest2');
    expect(r.status).toBe(404);
  });
});
