/**
 * Security group rules with @alicloud/ecs20140526: authorise and revoke in both directions by
 * Permissions.N, by the flat parameters and by rule id, modify rules by id and by their fields,
 * rules naming other groups, advanced groups, the limits, and ECS's codes; refusals store
 * nothing. SQLite, and PostgreSQL with `YUNBOX_TEST_STORE=postgres`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { failure, outcome } from '../../../src/testing/failure.js';
import { $Ecs } from '../../../src/testing/sdk.js';
import type { TestServer } from '../../../src/testing/server.js';
import {
  createGroup,
  region,
  securityGroupEnv,
  type SecurityGroupEnv,
} from './security-group-env.js';
import { rowCounts } from '../../../src/testing/snapshot.js';

const env = securityGroupEnv();
let yb: TestServer;
let ecs: SecurityGroupEnv['ecs'];
let otherVpcId: string;
beforeAll(() => {
  ({ yb, ecs, otherVpcId } = env);
});

const group = (extra: Record<string, unknown> = {}) => createGroup(env, extra);

async function rules(securityGroupId: string, direction?: string) {
  const r = await ecs.describeSecurityGroupAttribute(
    new $Ecs.DescribeSecurityGroupAttributeRequest({
      regionId: region,
      securityGroupId,
      ...(direction ? { direction } : {}),
    }),
  );
  return r.body!.permissions!.permission ?? [];
}

const ingress = (p: Record<string, unknown>) =>
  new $Ecs.AuthorizeSecurityGroupRequestPermissions(p);
const egress = (p: Record<string, unknown>) =>
  new $Ecs.AuthorizeSecurityGroupEgressRequestPermissions(p);

describe('rules', () => {
  it('are authorised in both directions, once, and shown as Terraform reads them', async () => {
    const id = await group();
    await ecs.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: region,
        securityGroupId: id,
        permissions: [
          ingress({
            ipProtocol: 'tcp',
            portRange: '22/22',
            sourceCidrIp: '0.0.0.0/0',
            description: 'ssh',
          }),
          ingress({
            ipProtocol: 'TCP',
            portRange: '80/443',
            sourceCidrIp: '10.0.0.0/8',
            policy: 'drop',
            priority: '20',
            destCidrIp: '192.168.0.5',
            sourcePortRange: '1024/65535',
          }),
        ],
      }),
    );
    // The flat (deprecated) parameters, as Terraform's provider sends them for revoke and modify.
    await ecs.authorizeSecurityGroupEgress(
      new $Ecs.AuthorizeSecurityGroupEgressRequest({
        regionId: region,
        securityGroupId: id,
        ipProtocol: 'all',
        portRange: '-1/-1',
        destCidrIp: '0.0.0.0/0',
        nicType: 'intranet',
      }),
    );
    // The same rules again, one with another priority: nothing changes.
    await ecs.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: region,
        securityGroupId: id,
        permissions: [
          ingress({
            ipProtocol: 'tcp',
            portRange: '22/22',
            sourceCidrIp: '0.0.0.0/0',
            priority: '7',
          }),
        ],
      }),
    );
    const all = await rules(id);
    expect(all).toHaveLength(3);
    expect(all[0]).toMatchObject({
      direction: 'ingress',
      ipProtocol: 'TCP',
      portRange: '22/22',
      sourceCidrIp: '0.0.0.0/0',
      policy: 'Accept',
      priority: '1',
      nicType: 'intranet',
      description: 'ssh',
      sourceGroupId: '',
      destCidrIp: '',
    });
    expect(all[0]!.securityGroupRuleId).toMatch(/^sgr-[a-z0-9]{20}$/);
    expect(all[0]!.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(all[1]).toMatchObject({
      ipProtocol: 'TCP',
      portRange: '80/443',
      policy: 'Drop',
      priority: '20',
      destCidrIp: '192.168.0.5',
      sourcePortRange: '1024/65535',
    });
    expect(all[2]).toMatchObject({
      direction: 'egress',
      ipProtocol: 'ALL',
      portRange: '-1/-1',
      destCidrIp: '0.0.0.0/0',
      sourceCidrIp: '',
    });
    expect((await rules(id, 'egress')).map((r) => r.direction)).toEqual(['egress']);
    expect((await rules(id, 'ingress')).map((r) => r.direction)).toEqual(['ingress', 'ingress']);
    const listed = await ecs.describeSecurityGroups(
      new $Ecs.DescribeSecurityGroupsRequest({ regionId: region, securityGroupId: id }),
    );
    expect(listed.body!.securityGroups!.securityGroup![0]!.ruleCount).toBe(3);
  });

  it('are revoked by id, by Permissions and by the flat parameters, all or none', async () => {
    const id = await group();
    await ecs.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: region,
        securityGroupId: id,
        permissions: [22, 80, 443, 8080].map((port) =>
          ingress({ ipProtocol: 'tcp', portRange: `${port}/${port}`, sourceCidrIp: '0.0.0.0/0' }),
        ),
      }),
    );
    await ecs.authorizeSecurityGroupEgress(
      new $Ecs.AuthorizeSecurityGroupEgressRequest({
        regionId: region,
        securityGroupId: id,
        permissions: [
          egress({ ipProtocol: 'udp', portRange: '53/53', destCidrIp: '100.100.2.136' }),
        ],
      }),
    );
    const [r22, r80] = await rules(id, 'ingress');
    const [out53] = await rules(id, 'egress');
    const before = await rowCounts(yb.db);
    const revoke = (extra: Record<string, unknown>) =>
      outcome(
        ecs.revokeSecurityGroup(
          new $Ecs.RevokeSecurityGroupRequest({ regionId: region, securityGroupId: id, ...extra }),
        ),
      );
    expect(await revoke({ securityGroupRuleId: [r22!.securityGroupRuleId, 'sgr-missing'] })).toBe(
      '404 InvalidSecurityGroupRuleId.NotFound',
    );
    expect(await revoke({ securityGroupRuleId: [out53!.securityGroupRuleId] })).toBe(
      '404 InvalidSecurityGroupRuleId.NotFound',
    );
    expect(
      await revoke({ securityGroupRuleId: [r22!.securityGroupRuleId, r22!.securityGroupRuleId] }),
    ).toBe('400 InvalidParam.SecurityGroupRuleIdRepeated');
    expect(
      await revoke({ securityGroupRuleId: [r22!.securityGroupRuleId], ipProtocol: 'tcp' }),
    ).toBe('400 InvalidParam.Permissions');
    expect(
      await revoke({ ipProtocol: 'tcp', portRange: '9999/9999', sourceCidrIp: '10.99.0.0/16' }),
    ).toBe('400 InvalidSecurityGroupRule.RuleNotExist');
    expect(
      await revoke({
        permissions: [
          new $Ecs.RevokeSecurityGroupRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '443/443',
            sourceCidrIp: '0.0.0.0/0',
          }),
          new $Ecs.RevokeSecurityGroupRequestPermissions({
            ipProtocol: 'tcp',
            portRange: '444/444',
            sourceCidrIp: '0.0.0.0/0',
          }),
        ],
      }),
    ).toBe('400 InvalidSecurityGroupRule.RuleNotExist');
    expect(await rowCounts(yb.db)).toEqual(before);
    expect(
      await revoke({ securityGroupRuleId: [r22!.securityGroupRuleId, r80!.securityGroupRuleId] }),
    ).toBe('ok');
    expect(
      await revoke({
        permissions: [
          new $Ecs.RevokeSecurityGroupRequestPermissions({
            ipProtocol: 'TCP',
            portRange: '443/443',
            sourceCidrIp: '0.0.0.0/0',
            policy: 'Accept',
          }),
        ],
      }),
    ).toBe('ok');
    // Flat, with a priority and an empty description as Terraform sends them: found by the rest.
    expect(
      await revoke({
        ipProtocol: 'tcp',
        portRange: '8080/8080',
        sourceCidrIp: '0.0.0.0/0',
        priority: '1',
        nicType: 'intranet',
        description: '',
      }),
    ).toBe('ok');
    expect(await rules(id, 'ingress')).toEqual([]);
    expect(
      await outcome(
        ecs.revokeSecurityGroupEgress(
          new $Ecs.RevokeSecurityGroupEgressRequest({
            regionId: region,
            securityGroupId: id,
            ipProtocol: 'udp',
            portRange: '53/53',
            destCidrIp: '100.100.2.136',
          }),
        ),
      ),
    ).toBe('ok');
    expect(await rules(id)).toEqual([]);
  });

  it('are modified by id (any field but the kind of object) or found by their fields', async () => {
    const id = await group();
    await ecs.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: region,
        securityGroupId: id,
        permissions: [
          ingress({
            ipProtocol: 'tcp',
            portRange: '22/22',
            sourceCidrIp: '0.0.0.0/0',
            description: 'ssh',
          }),
        ],
      }),
    );
    const [r] = await rules(id);
    await ecs.modifySecurityGroupRule(
      new $Ecs.ModifySecurityGroupRuleRequest({
        regionId: region,
        securityGroupId: id,
        securityGroupRuleId: r!.securityGroupRuleId,
        portRange: '2222/2222',
        sourceCidrIp: '10.0.0.0/8',
        priority: '5',
        description: '',
      }),
    );
    expect((await rules(id))[0]).toMatchObject({
      securityGroupRuleId: r!.securityGroupRuleId,
      portRange: '2222/2222',
      sourceCidrIp: '10.0.0.0/8',
      priority: '5',
      description: 'ssh',
    });
    expect(
      await outcome(
        ecs.modifySecurityGroupRule(
          new $Ecs.ModifySecurityGroupRuleRequest({
            regionId: region,
            securityGroupId: id,
            securityGroupRuleId: r!.securityGroupRuleId,
            sourceGroupId: id,
          }),
        ),
      ),
    ).toBe('400 InvalidParameter');
    // Terraform's update: the rule's fields, its priority and the new description.
    await ecs.modifySecurityGroupRule(
      new $Ecs.ModifySecurityGroupRuleRequest({
        regionId: region,
        securityGroupId: id,
        ipProtocol: 'tcp',
        portRange: '2222/2222',
        sourceCidrIp: '10.0.0.0/8',
        policy: 'accept',
        priority: '5',
        nicType: 'intranet',
        description: 'admin ssh',
      }),
    );
    expect((await rules(id))[0]).toMatchObject({ priority: '5', description: 'admin ssh' });
    expect(
      await outcome(
        ecs.modifySecurityGroupRule(
          new $Ecs.ModifySecurityGroupRuleRequest({
            regionId: region,
            securityGroupId: id,
            ipProtocol: 'tcp',
            portRange: '22/22',
            sourceCidrIp: '10.0.0.0/8',
            description: 'x',
          }),
        ),
      ),
    ).toBe('400 InvalidSecurityGroupRule.RuleNotExist');
    expect(
      await outcome(
        ecs.modifySecurityGroupEgressRule(
          new $Ecs.ModifySecurityGroupEgressRuleRequest({
            regionId: region,
            securityGroupId: id,
            securityGroupRuleId: r!.securityGroupRuleId,
            description: 'x',
          }),
        ),
      ),
    ).toBe('404 InvalidSecurityGroupRuleId.NotFound');
    // Changing a rule into one the group has already is refused.
    await ecs.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: region,
        securityGroupId: id,
        permissions: [
          ingress({ ipProtocol: 'tcp', portRange: '80/80', sourceCidrIp: '10.0.0.0/8' }),
        ],
      }),
    );
    expect(
      await outcome(
        ecs.modifySecurityGroupRule(
          new $Ecs.ModifySecurityGroupRuleRequest({
            regionId: region,
            securityGroupId: id,
            securityGroupRuleId: r!.securityGroupRuleId,
            portRange: '80/80',
          }),
        ),
      ),
    ).toBe('400 InvalidParam.DuplicatePermissions');
  });

  it('name other groups of the VPC, which cannot then be deleted', async () => {
    const web = await group({ securityGroupName: 'web' });
    const db = await group({ securityGroupName: 'db' });
    await ecs.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: region,
        securityGroupId: db,
        permissions: [ingress({ ipProtocol: 'tcp', portRange: '5432/5432', sourceGroupId: web })],
      }),
    );
    await ecs.authorizeSecurityGroupEgress(
      new $Ecs.AuthorizeSecurityGroupEgressRequest({
        regionId: region,
        securityGroupId: web,
        permissions: [egress({ ipProtocol: 'tcp', portRange: '5432/5432', destGroupId: db })],
      }),
    );
    expect((await rules(db))[0]).toMatchObject({
      sourceGroupId: web,
      sourceGroupName: 'web',
      sourceCidrIp: '',
      sourceGroupOwnerAccount: '',
    });
    expect((await rules(web))[0]).toMatchObject({ destGroupId: db, destGroupName: 'db' });
    const listed = await ecs.describeSecurityGroups(
      new $Ecs.DescribeSecurityGroupsRequest({ regionId: region, securityGroupId: db }),
    );
    expect(listed.body!.securityGroups!.securityGroup![0]!.groupToGroupRuleCount).toBe(1);
    const e = await failure(
      ecs.deleteSecurityGroup(
        new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: web }),
      ),
    );
    expect([e.statusCode, e.code]).toEqual([403, 'DependencyViolation']);
    expect(e.data.Message).toContain('has been authorized in another one');
    const elsewhere = (
      await ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId: otherVpcId }),
      )
    ).body!.securityGroupId!;
    const adv = await group({ securityGroupType: 'enterprise' });
    const authorize = (securityGroupId: string, p: Record<string, unknown>) =>
      outcome(
        ecs.authorizeSecurityGroup(
          new $Ecs.AuthorizeSecurityGroupRequest({
            regionId: region,
            securityGroupId,
            permissions: [ingress({ ipProtocol: 'tcp', portRange: '1/1', ...p })],
          }),
        ),
      );
    expect(await authorize(db, { sourceGroupId: db })).toBe('403 InvalidParamter.Conflict');
    expect(await authorize(db, { sourceGroupId: 'sg-nope' })).toBe(
      '404 InvalidSourceGroupId.NotFound',
    );
    expect(await authorize(db, { sourceGroupId: elsewhere })).toBe(
      '400 InvalidSourceGroupId.Mismatch',
    );
    expect(await authorize(db, { sourceGroupId: web, sourceGroupOwnerId: 1234567 })).toBe(
      '404 InvalidSourceGroupId.NotFound',
    );
    expect(await authorize(db, { sourceGroupId: adv })).toBe(
      '400 InvalidGroupAuthParameter.OperationDenied',
    );
    expect(await authorize(adv, { sourceGroupId: web })).toBe(
      '400 InvalidGroupParameter.OperationDenied',
    );
    expect(await authorize(adv, { sourceCidrIp: '0.0.0.0/0', policy: 'drop' })).toBe(
      '400 InvalidGroupParameter.OperationDenied',
    );
    expect(await authorize(adv, { sourceCidrIp: '0.0.0.0/0' })).toBe('ok');
    expect(await authorize(db, { sourcePrefixListId: 'pl-x' })).toBe(
      '404 InvalidPrefixListId.NotFound',
    );
    expect(
      await outcome(
        ecs.authorizeSecurityGroupEgress(
          new $Ecs.AuthorizeSecurityGroupEgressRequest({
            regionId: region,
            securityGroupId: web,
            permissions: [egress({ ipProtocol: 'tcp', portRange: '1/1', destGroupId: web })],
          }),
        ),
      ),
    ).toBe('403 InvalidSecurityGroup.IsSame');
    // Revoked, the naming rules let both go.
    await ecs.revokeSecurityGroupEgress(
      new $Ecs.RevokeSecurityGroupEgressRequest({
        regionId: region,
        securityGroupId: web,
        ipProtocol: 'tcp',
        portRange: '5432/5432',
        destGroupId: db,
      }),
    );
    await ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: db }),
    );
    await ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: web }),
    );
  });

  it("refuse bad fields with ECS's codes and the rule limits, storing nothing", async () => {
    const id = await group();
    const before = await rowCounts(yb.db);
    const authorize = (p: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      outcome(
        ecs.authorizeSecurityGroup(
          new $Ecs.AuthorizeSecurityGroupRequest({
            regionId: region,
            securityGroupId: id,
            permissions: [ingress(p)],
            ...extra,
          }),
        ),
      );
    const ssh = { ipProtocol: 'tcp', portRange: '22/22', sourceCidrIp: '0.0.0.0/0' };
    expect(await authorize({ ...ssh, ipProtocol: 'sctp' })).toBe(
      '400 InvalidIpProtocol.ValueNotSupported',
    );
    expect(await authorize({ ...ssh, portRange: undefined })).toBe(
      '400 InvalidPortRange.Malformed',
    );
    expect(await authorize({ ...ssh, portRange: '22-23' })).toBe('400 InvalidParam.PortRange');
    expect(await authorize({ ...ssh, ipProtocol: 'icmp' })).toBe('400 OperationDenied');
    expect(await authorize({ ...ssh, policy: 'allow' })).toBe('400 InvalidPolicy.Malformed');
    expect(await authorize({ ...ssh, priority: '0' })).toBe(
      '400 InvalidPriority.ValueNotSupported',
    );
    expect(await authorize({ ...ssh, sourceCidrIp: undefined })).toBe(
      '400 MissingParameter.Source',
    );
    expect(await authorize({ ...ssh, sourceCidrIp: '10.0.0.0/40' })).toBe(
      '400 InvalidParam.SourceCidrIp',
    );
    expect(await authorize({ ...ssh, description: 'd'.repeat(513) })).toBe(
      '400 InvalidSecurityGroupDiscription.Malformed',
    );
    expect(await authorize(ssh, { ipProtocol: 'tcp' })).toBe('400 InvalidParam.Permissions');
    expect(
      await outcome(
        ecs.authorizeSecurityGroup(
          new $Ecs.AuthorizeSecurityGroupRequest({
            regionId: region,
            securityGroupId: id,
            permissions: [ingress(ssh), ingress({ ...ssh, priority: '3' })],
          }),
        ),
      ),
    ).toBe('400 InvalidParam.DuplicatePermissions');
    expect(
      await outcome(
        ecs.authorizeSecurityGroupEgress(
          new $Ecs.AuthorizeSecurityGroupEgressRequest({
            regionId: region,
            securityGroupId: id,
            permissions: [egress({ ipProtocol: 'tcp', portRange: '1/1' })],
          }),
        ),
      ),
    ).toBe('400 MissingParameter.Dest');
    expect(await rowCounts(yb.db)).toEqual(before);
    // 200 rules a group; a request that would pass the limit adds none.
    const batch = (from: number, n: number) =>
      Array.from({ length: n }, (_, k) =>
        ingress({
          ipProtocol: 'tcp',
          portRange: `${from + k}/${from + k}`,
          sourceCidrIp: '0.0.0.0/0',
        }),
      );
    for (const from of [1000, 1100]) {
      await ecs.authorizeSecurityGroup(
        new $Ecs.AuthorizeSecurityGroupRequest({
          regionId: region,
          securityGroupId: id,
          permissions: batch(from, 100),
        }),
      );
    }
    expect(
      await outcome(
        ecs.authorizeSecurityGroup(
          new $Ecs.AuthorizeSecurityGroupRequest({
            regionId: region,
            securityGroupId: id,
            permissions: batch(2000, 1),
          }),
        ),
      ),
    ).toBe('403 AuthorizationLimitExceed');
    expect(await rules(id)).toHaveLength(200);
    const page = await ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({
        regionId: region,
        securityGroupId: id,
        maxResults: 150,
      }),
    );
    expect(page.body!.permissions!.permission).toHaveLength(150);
    const rest = await ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({
        regionId: region,
        securityGroupId: id,
        maxResults: 150,
        nextToken: page.body!.nextToken,
      }),
    );
    expect([rest.body!.permissions!.permission!.length, rest.body!.nextToken]).toEqual([50, '']);
  });

  it('name at most 20 other groups from one basic group', async () => {
    const id = await group();
    const peers: string[] = [];
    for (let n = 0; n < 21; n++) peers.push(await group());
    await ecs.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: region,
        securityGroupId: id,
        permissions: peers
          .slice(0, 20)
          .map((sourceGroupId) => ingress({ ipProtocol: 'tcp', portRange: '1/1', sourceGroupId })),
      }),
    );
    expect(
      await outcome(
        ecs.authorizeSecurityGroup(
          new $Ecs.AuthorizeSecurityGroupRequest({
            regionId: region,
            securityGroupId: id,
            permissions: [
              ingress({ ipProtocol: 'tcp', portRange: '1/1', sourceGroupId: peers[20] }),
            ],
          }),
        ),
      ),
    ).toBe('400 AuthorizedGroupRule.LimitExceed');
  });
});
