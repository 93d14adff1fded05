/**
 * Instance credential rotation on the manual clock, as Alibaba documents it: 6-hour credentials,
 * a new one 30 minutes before the current one expires, both valid until their own expiry, the
 * same credential on every read inside a window. Each credential is checked by calling STS
 * GetCallerIdentity with it (@alicloud/sts20150401): an assumed-role identity whose session name
 * is the instance id, refused with InvalidSecurityToken.Expired after its Expiration. Detaching
 * the role stops new credentials at once; the AttachInstanceRamRole Policy narrows the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../src/testing/server.js';
import { restoreClock } from '../../../src/testing/clock.js';
import { $Ecs, $Ram, ecsClient, ramClient, stsClient } from '../../../src/testing/sdk.js';
import { createEcsRole, rootOf } from '../../../src/testing/fixtures.js';
import {
  advanceClocks,
  credentials,
  md,
  metadataServer,
  runningInstance,
  type RunningInstance,
} from './setup.js';

const T0 = '2030-01-01T00:00:00Z';
const ROLE = 'EcsRamRoleTest';

let yb: TestServer;
let inst: RunningInstance;

beforeAll(async () => {
  yb = await metadataServer(T0);
  await createEcsRole(yb, rootOf(yb), ROLE);
  // The role is attached at T0 (RunInstances), the instance runs from T0 + 2 s.
  inst = await runningInstance(yb, { roleName: ROLE });
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

async function error(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

type Doc = Awaited<ReturnType<typeof credentials>>;
const sts = (c: Doc) =>
  stsClient(yb, {
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    securityToken: c.SecurityToken,
  });
const at = (iso: string) => Date.parse(iso);
const moveTo = (iso: string) => advanceClocks(yb, (at(iso) - yb.clock.now().getTime()) / 1000);

describe('rotation', () => {
  let first: Doc;
  let second: Doc;

  it('serves 6-hour credentials of the role, the same on every read inside a window', async () => {
    first = await credentials(inst.url, ROLE);
    expect(first.LastUpdated).toBe('2030-01-01T00:00:00Z');
    expect(first.Expiration).toBe('2030-01-01T06:00:00Z');
    expect(await credentials(inst.url, ROLE)).toEqual(first);
    moveTo('2030-01-01T03:00:00Z');
    expect(await credentials(inst.url, ROLE)).toEqual(first);

    const who = await sts(first).getCallerIdentity();
    expect(who.body).toMatchObject({
      identityType: 'AssumedRoleUser',
      accountId: yb.accountId,
      arn: `acs:ram::${yb.accountId}:assumed-role/${ROLE}/${inst.instanceId}`,
    });
    expect(who.body!.principalId).toMatch(new RegExp(`^\\d+:${inst.instanceId}$`));
  });

  it('issues the next credential 30 minutes before the current one expires; both work', async () => {
    moveTo('2030-01-01T05:29:59Z');
    expect(await credentials(inst.url, ROLE)).toEqual(first);
    moveTo('2030-01-01T05:30:00Z');
    second = await credentials(inst.url, ROLE);
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(second.LastUpdated).toBe('2030-01-01T05:30:00Z');
    expect(second.Expiration).toBe('2030-01-01T11:30:00Z');
    expect(await credentials(inst.url, ROLE)).toEqual(second);
    moveTo('2030-01-01T05:59:59Z');
    expect((await sts(first).getCallerIdentity()).body!.arn).toContain(inst.instanceId);
    expect((await sts(second).getCallerIdentity()).body!.arn).toContain(inst.instanceId);
  });

  it('refuses the old credential after its expiry; the new one keeps working', async () => {
    moveTo('2030-01-01T06:00:00Z');
    const e = await error(sts(first).getCallerIdentity());
    expect(e.code).toBe('InvalidSecurityToken.Expired');
    expect((await sts(second).getCallerIdentity()).body!.identityType).toBe('AssumedRoleUser');
    // Windows keep following one another.
    moveTo('2030-01-01T11:00:00Z');
    const third = await credentials(inst.url, ROLE);
    expect(third.LastUpdated).toBe('2030-01-01T11:00:00Z');
    expect(third.Expiration).toBe('2030-01-01T17:00:00Z');
    moveTo('2030-01-01T11:30:00Z');
    expect((await error(sts(second).getCallerIdentity())).code).toBe(
      'InvalidSecurityToken.Expired',
    );
    expect((await sts(third).getCallerIdentity()).body!.identityType).toBe('AssumedRoleUser');
  });

  it('stops new credentials at once when the role is detached; issued ones live on', async () => {
    const current = await credentials(inst.url, ROLE);
    await ecsClient(yb, rootOf(yb)).detachInstanceRamRole(
      new $Ecs.DetachInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([inst.instanceId]),
      }),
    );
    expect((await md(inst.url, '/latest/meta-data/ram/security-credentials/')).status).toBe(404);
    expect((await md(inst.url, `/latest/meta-data/ram/security-credentials/${ROLE}`)).status).toBe(
      404,
    );
    // Already issued credentials stay valid until their own expiry, as on Alibaba Cloud.
    expect((await sts(current).getCallerIdentity()).body!.identityType).toBe('AssumedRoleUser');

    // Re-attaching starts new windows with new credentials.
    await ecsClient(yb, rootOf(yb)).attachInstanceRamRole(
      new $Ecs.AttachInstanceRamRoleRequest({
        regionId: 'cn-hangzhou',
        ramRoleName: ROLE,
        instanceIds: JSON.stringify([inst.instanceId]),
      }),
    );
    const fresh = await credentials(inst.url, ROLE);
    expect(fresh.AccessKeyId).not.toBe(current.AccessKeyId);
    expect(fresh.LastUpdated).toBe(new Date(yb.clock.now()).toISOString().replace('.000', ''));
  });
});

describe('the session', () => {
  it("is the role's policies narrowed by AttachInstanceRamRole's Policy", async () => {
    const root = rootOf(yb);
    await createEcsRole(yb, root, 'RamReader');
    await ramClient(yb, root).attachPolicyToRole(
      new $Ram.AttachPolicyToRoleRequest({
        policyType: 'System',
        policyName: 'AliyunRAMReadOnlyAccess',
        roleName: 'RamReader',
      }),
    );
    const wide = await runningInstance(yb);
    const narrow = await runningInstance(yb);
    const attach = (instanceId: string, policy?: string) =>
      ecsClient(yb, root).attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: 'cn-hangzhou',
          ramRoleName: 'RamReader',
          instanceIds: JSON.stringify([instanceId]),
          ...(policy ? { policy } : {}),
        }),
      );
    await attach(wide.instanceId);
    await attach(
      narrow.instanceId,
      JSON.stringify({
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'ram:GetRole', Resource: '*' }],
      }),
    );
    const asInstance = async (i: RunningInstance) => {
      const c = await credentials(i.url, 'RamReader');
      return ramClient(yb, {
        accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret,
        securityToken: c.SecurityToken,
      });
    };
    const w = await asInstance(wide);
    const n = await asInstance(narrow);
    expect(
      (await w.listRoles(new $Ram.ListRolesRequest({}))).body!.roles!.role!.length,
    ).toBeGreaterThan(0);
    expect(
      (await n.getRole(new $Ram.GetRoleRequest({ roleName: ROLE }))).body!.role!.roleName,
    ).toBe(ROLE);
    const e = await error(n.listRoles(new $Ram.ListRolesRequest({})));
    expect(e.code).toBe('NoPermission');
    const bad = await error(
      ecsClient(yb, root).attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: 'cn-hangzhou',
          ramRoleName: 'RamReader',
          instanceIds: JSON.stringify([(await runningInstance(yb)).instanceId]),
          policy: '{"Version":"1","Statement":[{"Effect":"Maybe"}]}',
        }),
      ),
    );
    expect(bad.code).toBe('InvalidParameter.Policy');
    // The STS client of an instance role session sees its own identity.
    const c = await credentials(narrow.url, 'RamReader');
    const who = await stsClient(yb, {
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      securityToken: c.SecurityToken,
    }).getCallerIdentity();
    expect(who.body!.arn).toBe(
      `acs:ram::${yb.accountId}:assumed-role/RamReader/${narrow.instanceId}`,
    );
  });
});
