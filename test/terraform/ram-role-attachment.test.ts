/**
 * Terraform replay: `alicloud_ram_role_attachment` and its successor `alicloud_ecs_ram_role_attachment`
 * (terraform-provider-alicloud resource_alicloud_ram_role_attachment.go,
 * resource_alicloud_ecs_ram_role_attachment.go, service_alicloud_ram.go), replayed call by call with
 * the official Tea clients on SQLite and PostgreSQL:
 *
 * ```
 * create   GetRole (the provider parses the trust policy: Principal.Service must list
 *          ecs.aliyuncs.com) -> AttachInstanceRamRole {RegionId, InstanceIds: JSON, RamRoleName}
 * read     DescribeInstanceRamRole {RegionId, InstanceIds: JSON}: entries whose RamRoleName equals
 *          role_name exactly, their ids equal to instance_ids (else "gone")
 * delete   DetachInstanceRamRole {RegionId, RamRoleName, InstanceIds} -> reads until gone
 * ```
 *
 * The ECS resource reads by `{InstanceIds: ["id"], RamRoleName}` and stores the answer's
 * RamRoleName. Both compare or store the name ECS answers, which is the role's own spelling (as RAM
 * answers it): a role_name written in another case attaches, but the provider then finds nothing
 * (or plans a replacement), so configurations name the role as created (`alicloud_ram_role.x.name`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  rootOf,
} from '../../src/testing/fixtures.js';
import { pgSkipReason } from '../../src/testing/pg.js';
import { $Ecs, $Ram, ecsClient, ramClient } from '../../src/testing/sdk.js';
import { freshPgSchema, startTestServer, type TestServer } from '../../src/testing/server.js';

const REGION = 'cn-hangzhou';
/** The trust policy of the provider's own example for this resource (its docs). */
const TRUST = `{
  "Statement": [
    {
      "Action": "sts:AssumeRole",
      "Effect": "Allow",
      "Principal": {
        "Service": [
          "ecs.aliyuncs.com"
        ]
      }
    }
  ],
  "Version": "1"
}`;

/** The provider's JudgeRolePolicyPrincipal: Go's strict unmarshal into its RolePolicy struct. */
function judgeRolePolicyPrincipal(document: string): boolean {
  const policy = JSON.parse(document) as { Statement?: unknown };
  if (!Array.isArray(policy.Statement)) throw new Error('Statement is not a list');
  for (const s of policy.Statement as Array<Record<string, any>>) {
    if (s.Action !== undefined && typeof s.Action !== 'string') {
      throw new Error('json: cannot unmarshal array into Go struct field Action of type string');
    }
    const service = s.Principal?.Service;
    if (service !== undefined && !Array.isArray(service)) {
      throw new Error(
        'json: cannot unmarshal string into Go struct field Service of type []string',
      );
    }
    if ((service ?? []).some((v: string) => v.trim() === 'ecs.aliyuncs.com')) return true;
  }
  return false;
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`alicloud_ram_role_attachment replay on ${kind}`, () => {
    let yb: TestServer | undefined;
    let skip: string | undefined;
    let drop: (() => Promise<void>) | undefined;
    let ecs: ReturnType<typeof ecsClient>;
    let ram: ReturnType<typeof ramClient>;
    let instances: string[];

    beforeAll(async () => {
      let store = 'sqlite';
      if (kind === 'postgres') {
        skip = await pgSkipReason();
        if (skip !== undefined) return;
        const s = await freshPgSchema();
        drop = s.drop;
        store = s.url;
      }
      yb = await startTestServer({ store });
      ecs = ecsClient(yb, rootOf(yb));
      ram = ramClient(yb, rootOf(yb));
      const { vswitchId } = await createNetwork(yb, rootOf(yb));
      const run = await ecs.runInstances(
        new $Ecs.RunInstancesRequest({
          regionId: REGION,
          imageId: TUTORIAL_IMAGE,
          instanceType: TUTORIAL_INSTANCE_TYPE,
          vSwitchId: vswitchId,
          amount: 3,
        }),
      );
      instances = run.body!.instanceIdSets!.instanceIdSet!;
      await ram.createRole(
        new $Ram.CreateRoleRequest({
          roleName: 'EcsRamRoleTest',
          assumeRolePolicyDocument: TRUST,
          description: 'this is a test',
        }),
      );
      await ram.attachPolicyToRole(
        new $Ram.AttachPolicyToRoleRequest({
          policyType: 'System',
          policyName: 'AliyunOSSReadOnlyAccess',
          roleName: 'EcsRamRoleTest',
        }),
      );
    });
    afterAll(async () => {
      await yb?.close();
      await drop?.();
    });

    /** The provider's DescribeRamRoleAttachment for id `<role>:<instance ids JSON>`. */
    async function describeAttachment(roleName: string, ids: string[]) {
      const r = await ecs.describeInstanceRamRole(
        new $Ecs.DescribeInstanceRamRoleRequest({
          regionId: REGION,
          instanceIds: JSON.stringify(ids),
        }),
      );
      const sets = r.body!.instanceRamRoleSets!.instanceRamRoleSet ?? [];
      const matching = sets.filter((x) => x.ramRoleName === roleName).map((x) => x.instanceId!);
      const found = sets.length > 0 && [...matching].sort().join() === [...ids].sort().join();
      return { found, sets };
    }

    it('create -> read -> refresh -> delete -> read, as the provider calls them', async (t) => {
      if (skip) return t.skip(skip);
      const roleName = 'EcsRamRoleTest';
      const ids = instances.slice(0, 2);
      // create
      const role = await ram.getRole(new $Ram.GetRoleRequest({ roleName }));
      expect(judgeRolePolicyPrincipal(role.body!.role!.assumeRolePolicyDocument!)).toBe(true);
      const attached = await ecs.attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: REGION,
          instanceIds: JSON.stringify(ids),
          ramRoleName: roleName,
        }),
      );
      expect(attached.body!.failCount).toBe(0);
      expect(attached.body!.ramRoleName).toBe(roleName);
      // read (and the refresh of the next plan): every instance, this role, nothing else
      for (let n = 0; n < 2; n++) {
        const { found, sets } = await describeAttachment(roleName, ids);
        expect(found).toBe(true);
        expect(sets[0]!.ramRoleName).toBe(roleName);
        expect(sets.map((x) => x.instanceId).sort()).toEqual([...ids].sort());
      }
      // delete, then the provider reads until the attachment is gone
      const detached = await ecs.detachInstanceRamRole(
        new $Ecs.DetachInstanceRamRoleRequest({
          regionId: REGION,
          ramRoleName: roleName,
          instanceIds: JSON.stringify(ids),
        }),
      );
      expect(detached.body!.failCount).toBe(0);
      const after = await describeAttachment(roleName, ids);
      expect(after.found).toBe(false);
      expect(after.sets).toEqual([]);
    });

    it('alicloud_ecs_ram_role_attachment: id from the answer, read by instance and role, delete', async (t) => {
      if (skip) return t.skip(skip);
      const instanceId = instances[2]!;
      const policy = JSON.stringify({
        Statement: [{ Action: 'oss:GetObject', Effect: 'Allow', Resource: '*' }],
        Version: '1',
      });
      const a = await ecs.attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: REGION,
          ramRoleName: 'EcsRamRoleTest',
          instanceIds: `["${instanceId}"]`,
          policy,
        }),
      );
      const id = `${a.body!.attachInstanceRamRoleResults!.attachInstanceRamRoleResult![0]!.instanceId}:${a.body!.ramRoleName}`;
      expect(id).toBe(`${instanceId}:EcsRamRoleTest`);
      const [iid, rname] = id.split(':');
      const read = await ecs.describeInstanceRamRole(
        new $Ecs.DescribeInstanceRamRoleRequest({
          regionId: REGION,
          instanceIds: `["${iid}"]`,
          ramRoleName: rname,
        }),
      );
      const object = read.body!.instanceRamRoleSets!.instanceRamRoleSet![0]!;
      expect([object.instanceId, object.ramRoleName]).toEqual([instanceId, 'EcsRamRoleTest']);
      await ecs.detachInstanceRamRole(
        new $Ecs.DetachInstanceRamRoleRequest({
          regionId: REGION,
          ramRoleName: rname,
          instanceIds: `["${iid}"]`,
        }),
      );
      const gone = await ecs.describeInstanceRamRole(
        new $Ecs.DescribeInstanceRamRoleRequest({
          regionId: REGION,
          instanceIds: `["${iid}"]`,
          ramRoleName: rname,
        }),
      );
      expect(gone.body!.instanceRamRoleSets!.instanceRamRoleSet).toEqual([]);
    });

    it('a role_name in another case attaches, and reads back in the role’s own spelling', async (t) => {
      if (skip) return t.skip(skip);
      const ids = [instances[0]!];
      await ecs.attachInstanceRamRole(
        new $Ecs.AttachInstanceRamRoleRequest({
          regionId: REGION,
          instanceIds: JSON.stringify(ids),
          ramRoleName: 'ecsramroletest',
        }),
      );
      // The provider compares exactly: with the role's own spelling it finds the attachment; with
      // the lower-cased one it would not (configurations name roles as created).
      expect((await describeAttachment('EcsRamRoleTest', ids)).found).toBe(true);
      expect((await describeAttachment('ecsramroletest', ids)).found).toBe(false);
      await ecs.detachInstanceRamRole(
        new $Ecs.DetachInstanceRamRoleRequest({
          regionId: REGION,
          ramRoleName: 'ecsramroletest',
          instanceIds: JSON.stringify(ids),
        }),
      );
      expect((await describeAttachment('EcsRamRoleTest', ids)).sets).toEqual([]);
    });
  });
}
