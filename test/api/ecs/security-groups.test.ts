/**
 * Security groups with @alicloud/ecs20140526: create, list (filters, tags, both pagings), show,
 * rename, inner access policy, advanced groups, and ECS's codes; refusals store nothing. Rules are
 * security-groups-rules.test.ts. SQLite, and PostgreSQL with `YUNBOX_TEST_STORE=postgres`.
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
let vpcId: string;
let otherVpcId: string;
beforeAll(() => {
  ({ yb, ecs, vpcId, otherVpcId } = env);
});

const group = (extra: Record<string, unknown> = {}) => createGroup(env, extra);

describe('groups', () => {
  it('are created in a VPC, listed with their tags and shown', async () => {
    const id = await group({
      securityGroupName: 'web-tier',
      description: 'front ends',
      tag: [new $Ecs.CreateSecurityGroupRequestTag({ key: 'env', value: 'dev' })],
    });
    expect(id).toMatch(/^sg-[a-z0-9]{20}$/);
    const listed = await ecs.describeSecurityGroups(
      new $Ecs.DescribeSecurityGroupsRequest({ regionId: region, securityGroupId: id }),
    );
    expect(listed.body!.totalCount).toBe(1);
    const g = listed.body!.securityGroups!.securityGroup![0]!;
    expect(g).toMatchObject({
      securityGroupId: id,
      securityGroupName: 'web-tier',
      description: 'front ends',
      securityGroupType: 'normal',
      vpcId,
      ecsCount: 0,
      availableInstanceAmount: 2000,
      ruleCount: 0,
      serviceManaged: false,
      resourceGroupId: '',
    });
    expect(g.creationTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(g.tags!.tag).toEqual([
      new $Ecs.DescribeSecurityGroupsResponseBodySecurityGroupsSecurityGroupTagsTag({
        tagKey: 'env',
        tagValue: 'dev',
      }),
    ]);
    const attr = await ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({ regionId: region, securityGroupId: id }),
    );
    expect(attr.body).toMatchObject({
      securityGroupId: id,
      securityGroupName: 'web-tier',
      description: 'front ends',
      vpcId,
      regionId: region,
      innerAccessPolicy: 'Accept',
      nextToken: '',
    });
    expect(attr.body!.permissions!.permission).toEqual([]);
  });

  it('are filtered by ids, VPC, name, type and tags, and paged both ways', async () => {
    const ids = [
      await group({
        securityGroupName: 'page-a',
        tag: [new $Ecs.CreateSecurityGroupRequestTag({ key: 'page', value: '1' })],
      }),
      await group({
        securityGroupName: 'page-b',
        tag: [new $Ecs.CreateSecurityGroupRequestTag({ key: 'page', value: '2' })],
      }),
      await group({
        securityGroupName: 'page-c',
        securityGroupType: 'enterprise',
        tag: [new $Ecs.CreateSecurityGroupRequestTag({ key: 'page', value: '3' })],
      }),
    ];
    const list = async (extra: Record<string, unknown>) =>
      (
        await ecs.describeSecurityGroups(
          new $Ecs.DescribeSecurityGroupsRequest({ regionId: region, ...extra }),
        )
      ).body!;
    const names = (b: any) => b.securityGroups.securityGroup.map((g: any) => g.securityGroupName);
    expect(names(await list({ securityGroupIds: JSON.stringify(ids) }))).toEqual([
      'page-a',
      'page-b',
      'page-c',
    ]);
    expect(names(await list({ securityGroupName: 'page-b' }))).toEqual(['page-b']);
    expect(names(await list({ securityGroupType: 'enterprise', vpcId }))).toEqual(['page-c']);
    expect(
      names(await list({ tag: [new $Ecs.DescribeSecurityGroupsRequestTag({ key: 'page' })] })),
    ).toEqual(['page-a', 'page-b', 'page-c']);
    expect(
      names(
        await list({
          tag: [new $Ecs.DescribeSecurityGroupsRequestTag({ key: 'page', value: '2' })],
        }),
      ),
    ).toEqual(['page-b']);
    expect(names(await list({ vpcId: otherVpcId }))).toEqual([]);
    expect(names(await list({ networkType: 'classic' }))).toEqual([]);
    const p2 = await list({ securityGroupIds: JSON.stringify(ids), pageSize: 2, pageNumber: 2 });
    expect([p2.totalCount, p2.pageNumber, p2.pageSize, names(p2)]).toEqual([3, 2, 2, ['page-c']]);
    const t1 = await list({ securityGroupIds: JSON.stringify(ids), maxResults: 2 });
    expect(names(t1)).toEqual(['page-a', 'page-b']);
    expect(t1.totalCount).toBeUndefined();
    const t2 = await list({
      securityGroupIds: JSON.stringify(ids),
      maxResults: 2,
      nextToken: t1.nextToken,
    });
    expect([names(t2), t2.nextToken]).toEqual([['page-c'], '']);
    expect(await outcome(list({ nextToken: 'garbage' }))).toBe('400 InvalidNextToken.Malformed');
    expect(await outcome(list({ securityGroupType: 'fancy' }))).toBe(
      '400 InvalidParameter.SecurityGroupType',
    );
    expect(await outcome(list({ securityGroupIds: 'sg-1' }))).toBe(
      '400 InvalidSecurityGroupId.Malformed',
    );
  });

  it('are renamed, described and their inner access policy changed; advanced groups stay isolated', async () => {
    const id = await group({ securityGroupName: 'before', description: 'old' });
    await ecs.modifySecurityGroupAttribute(
      new $Ecs.ModifySecurityGroupAttributeRequest({
        regionId: region,
        securityGroupId: id,
        securityGroupName: 'after',
        description: 'new',
      }),
    );
    await ecs.modifySecurityGroupPolicy(
      new $Ecs.ModifySecurityGroupPolicyRequest({
        regionId: region,
        securityGroupId: id,
        innerAccessPolicy: 'drop',
      }),
    );
    const attr = await ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({ regionId: region, securityGroupId: id }),
    );
    expect([
      attr.body!.securityGroupName,
      attr.body!.description,
      attr.body!.innerAccessPolicy,
    ]).toEqual(['after', 'new', 'Drop']);
    const adv = await group({ securityGroupType: 'enterprise' });
    const advAttr = await ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({ regionId: region, securityGroupId: adv }),
    );
    expect(advAttr.body!.innerAccessPolicy).toBe('Drop');
    expect(
      await outcome(
        ecs.modifySecurityGroupPolicy(
          new $Ecs.ModifySecurityGroupPolicyRequest({
            regionId: region,
            securityGroupId: adv,
            innerAccessPolicy: 'Accept',
          }),
        ),
      ),
    ).toBe('400 InvalidGroupParameter.OperationDenied');
    expect(
      await outcome(
        ecs.modifySecurityGroupPolicy(
          new $Ecs.ModifySecurityGroupPolicyRequest({
            regionId: region,
            securityGroupId: id,
            innerAccessPolicy: 'Maybe',
          }),
        ),
      ),
    ).toBe('400 InvalidPolicy.Malformed');
  });

  it('refuse what ECS refuses, storing nothing', async () => {
    const before = await rowCounts(yb.db);
    const create = (extra: Record<string, unknown>) =>
      outcome(
        ecs.createSecurityGroup(
          new $Ecs.CreateSecurityGroupRequest({ regionId: region, vpcId, ...extra }),
        ),
      );
    expect(await create({ vpcId: undefined })).toBe('403 InvalidVpcId.NotFound');
    expect(await create({ vpcId: 'vpc-nope' })).toBe('404 InvalidVpcId.NotFound');
    expect(await create({ securityGroupName: '1starts-with-digit' })).toBe(
      '400 InvalidSecurityGroupName.Malformed',
    );
    expect(await create({ securityGroupName: 'x' })).toBe('400 InvalidSecurityGroupName.Malformed');
    expect(await create({ securityGroupName: 'has space' })).toBe(
      '400 InvalidSecurityGroupName.Malformed',
    );
    expect(await create({ description: 'https://example.com' })).toBe(
      '400 InvalidDescription.Malformed',
    );
    expect(await create({ securityGroupType: 'premium' })).toBe(
      '400 InvalidParameter.SecurityGroupType',
    );
    expect(
      await create({
        tag: [new $Ecs.CreateSecurityGroupRequestTag({ key: 'aliyun:x', value: '1' })],
      }),
    ).toBe('400 InvalidTagKey.Malformed');
    expect(await create({ regionId: 'cn-beijing' })).toBe('404 InvalidRegionId.NotFound');
    const missing = new $Ecs.DescribeSecurityGroupAttributeRequest({
      regionId: region,
      securityGroupId: 'sg-nope',
    });
    const e = await failure(ecs.describeSecurityGroupAttribute(missing));
    expect([e.statusCode, e.code]).toEqual([404, 'InvalidSecurityGroupId.NotFound']);
    expect(e.data.Message).toContain('sg-nope');
    expect(
      await outcome(
        ecs.deleteSecurityGroup(
          new $Ecs.DeleteSecurityGroupRequest({ regionId: region, securityGroupId: 'sg-nope' }),
        ),
      ),
    ).toBe('404 InvalidSecurityGroupId.NotFound');
    expect(await rowCounts(yb.db)).toEqual(before);
  });
});
