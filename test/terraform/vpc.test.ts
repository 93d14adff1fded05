/**
 * Terraform replay of `alicloud_vpc` (terraform-provider-alicloud resource_alicloud_vpc.go,
 * VpcServiceV2.DescribeVpcVpc / DescribeVpcDescribeRouteTableList / SetResourceTags) with
 * @alicloud/vpc20160428: create with tags and a named system route table, the wait for Available,
 * the update the create ends with, read, update of name, description, route table and tags, read,
 * delete and the wait for gone. SQLite, and PostgreSQL with `YUNBOX_TEST_STORE=postgres`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../src/testing/failure.js';
import { testStoreKind } from '../../src/testing/server.js';
import { $Ecs, $Vpc } from '../../src/testing/sdk.js';
import {
  REGION,
  clientToken,
  startReplay,
  tagDiff,
  tagsToMap,
  type Replay,
} from './network-replay.js';

let r: Replay;
beforeAll(async () => {
  r = await startReplay();
});
afterAll(async () => {
  await r?.yb.close();
});

/** What the provider's read sets from DescribeVpcAttribute and the system route table. */
async function read(vpcId: string) {
  const attr = (
    await r.vpc.describeVpcAttribute(
      new $Vpc.DescribeVpcAttributeRequest({ vpcId, regionId: REGION }),
    )
  ).body!;
  const tables = (
    await r.vpc.describeRouteTableList(
      new $Vpc.DescribeRouteTableListRequest({ vpcId, regionId: REGION }),
    )
  ).body!;
  const system = tables.routerTableList!.routerTableListType!.find(
    (t) => t.routeTableType === 'System' && t.vpcId === vpcId,
  );
  return {
    cidr_block: attr.cidrBlock,
    classic_link_enabled: attr.classicLinkEnabled,
    create_time: attr.creationTime,
    description: attr.description,
    dns_hostname_status: attr.dnsHostnameStatus,
    enable_ipv6: attr.enabledIpv6,
    ipv6_cidr_block: attr.ipv6CidrBlock,
    region_id: attr.regionId,
    is_default: attr.isDefault,
    resource_group_id: system?.resourceGroupId,
    router_id: system?.routerId,
    status: attr.status,
    vpc_name: attr.vpcName,
    ipv6_cidr_blocks: attr.ipv6CidrBlocks?.ipv6CidrBlock,
    secondary_cidr_blocks: attr.secondaryCidrBlocks?.secondaryCidrBlock,
    tags: tagsToMap(attr.tags?.tag),
    user_cidrs: attr.userCidrs?.userCidr,
    route_table_id: system?.routeTableId,
    system_route_table_description: system?.description,
    system_route_table_name: system?.routeTableName,
    system_route_table_route_propagation_enable: system?.routePropagationEnable,
  };
}

const tag = (entries: Array<[string, string]>) =>
  entries.map(([key, value]) => new $Vpc.TagResourcesRequestTag({ key, value }));

describe(`alicloud_vpc on ${testStoreKind()}`, () => {
  it('create → read → update → read → delete, as the provider calls them', async () => {
    const tags = { Created: 'TF', For: 'acceptance' };
    // Create: CreateVpc with the configured attributes and tags.
    const created = await r.vpc.createVpc(
      new $Vpc.CreateVpcRequest({
        regionId: REGION,
        clientToken: clientToken('CreateVpc'),
        cidrBlock: '172.16.0.0/12',
        vpcName: 'tf-testacc-vpc',
        description: 'created by terraform',
        tag: Object.entries(tags).map(
          ([key, value]) => new $Vpc.CreateVpcRequestTag({ key, value }),
        ),
      }),
    );
    const vpcId = created.body!.vpcId!;
    // The create waits for Status Available.
    const state = await r.vpc.describeVpcAttribute(
      new $Vpc.DescribeVpcAttributeRequest({ vpcId, regionId: REGION }),
    );
    expect(state.body!.status).toBe('Available');
    // The update that ends the create: the system route table's configured name and description,
    // then the tags (HasChange on a new resource), as SetResourceTags(d, "VPC") sends them.
    const table = (
      await r.vpc.describeRouteTableList(
        new $Vpc.DescribeRouteTableListRequest({ vpcId, regionId: REGION }),
      )
    ).body!.routerTableList!.routerTableListType![0]!;
    await r.vpc.modifyRouteTableAttributes(
      new $Vpc.ModifyRouteTableAttributesRequest({
        regionId: REGION,
        routeTableId: table.routeTableId,
        description: 'system table',
        routeTableName: 'tf-system',
      }),
    );
    await r.vpc.tagResources(
      new $Vpc.TagResourcesRequest({
        resourceId: [vpcId],
        regionId: REGION,
        tag: tag(Object.entries(tags)),
        resourceType: 'VPC',
      }),
    );
    // Read.
    const first = await read(vpcId);
    expect(first).toMatchObject({
      cidr_block: '172.16.0.0/12',
      classic_link_enabled: false,
      description: 'created by terraform',
      dns_hostname_status: 'DISABLED',
      enable_ipv6: false,
      ipv6_cidr_block: '',
      region_id: REGION,
      is_default: false,
      resource_group_id: '',
      status: 'Available',
      vpc_name: 'tf-testacc-vpc',
      ipv6_cidr_blocks: [],
      secondary_cidr_blocks: [],
      tags,
      user_cidrs: [],
      route_table_id: created.body!.routeTableId,
      router_id: created.body!.VRouterId,
      system_route_table_description: 'system table',
      system_route_table_name: 'tf-system',
      system_route_table_route_propagation_enable: true,
    });
    expect(first.create_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // Update: name, description, the system route table's description and propagation, tags.
    await r.vpc.modifyVpcAttribute(
      new $Vpc.ModifyVpcAttributeRequest({
        vpcId,
        regionId: REGION,
        description: 'changed by terraform',
        vpcName: 'tf-testacc-vpc-renamed',
      }),
    );
    expect((await read(vpcId)).status).toBe('Available');
    await r.vpc.modifyRouteTableAttributes(
      new $Vpc.ModifyRouteTableAttributesRequest({
        regionId: REGION,
        routeTableId: first.route_table_id,
        description: 'system table, changed',
        routePropagationEnable: false,
      }),
    );
    const nextTags = { Created: 'TF', Team: 'network' };
    const { removed, added } = tagDiff(tags, nextTags);
    await r.vpc.unTagResources(
      new $Vpc.UnTagResourcesRequest({
        resourceId: [vpcId],
        regionId: REGION,
        tagKey: removed,
        resourceType: 'VPC',
      }),
    );
    await r.vpc.tagResources(
      new $Vpc.TagResourcesRequest({
        resourceId: [vpcId],
        regionId: REGION,
        tag: tag(added),
        resourceType: 'VPC',
      }),
    );
    // Read.
    expect(await read(vpcId)).toMatchObject({
      vpc_name: 'tf-testacc-vpc-renamed',
      description: 'changed by terraform',
      system_route_table_description: 'system table, changed',
      system_route_table_name: 'tf-system',
      system_route_table_route_propagation_enable: false,
      tags: nextTags,
    });
    // Emptying the description (the provider sends the empty value).
    await r.vpc.modifyVpcAttribute(
      new $Vpc.ModifyVpcAttributeRequest({ vpcId, regionId: REGION, description: '' }),
    );
    expect((await read(vpcId)).description).toBe('');

    // Delete, then the wait until DescribeVpcAttribute says it is gone (a 404: NotFoundError).
    await r.vpc.deleteVpc(
      new $Vpc.DeleteVpcRequest({ vpcId, regionId: REGION, clientToken: clientToken('DeleteVpc') }),
    );
    const gone = await failure(
      r.vpc.describeVpcAttribute(new $Vpc.DescribeVpcAttributeRequest({ vpcId, regionId: REGION })),
    );
    expect([gone.statusCode, gone.code]).toEqual([404, 'InvalidVpcId.NotFound']);
    // A second delete (the resource already gone) is a NotFoundError the provider accepts.
    const again = await failure(
      r.vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ vpcId, regionId: REGION })),
    );
    expect(again.statusCode).toBe(404);
  });

  it('answers the codes the provider retries on while dependants remain', async () => {
    const vpcId = (
      await r.vpc.createVpc(
        new $Vpc.CreateVpcRequest({
          regionId: REGION,
          clientToken: clientToken('CreateVpc'),
          cidrBlock: '10.8.0.0/16',
        }),
      )
    ).body!.vpcId!;
    const vsw = (
      await r.vpc.createVSwitch(
        new $Vpc.CreateVSwitchRequest({
          regionId: REGION,
          vpcId,
          zoneId: `${REGION}-i`,
          cidrBlock: '10.8.1.0/24',
        }),
      )
    ).body!.vSwitchId!;
    const sg = (
      await r.ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({ regionId: REGION, vpcId }),
      )
    ).body!.securityGroupId!;
    // DeleteVpc retries on DependencyViolation.VSwitch and DependencyViolation.SecurityGroup.
    const e1 = await failure(
      r.vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ vpcId, regionId: REGION })),
    );
    expect(e1.code).toBe('DependencyViolation.VSwitch');
    await r.vpc.deleteVSwitch(new $Vpc.DeleteVSwitchRequest({ vSwitchId: vsw, regionId: REGION }));
    const e2 = await failure(
      r.vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ vpcId, regionId: REGION })),
    );
    expect(e2.code).toBe('DependencyViolation.SecurityGroup');
    await r.ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ regionId: REGION, securityGroupId: sg }),
    );
    await r.vpc.deleteVpc(new $Vpc.DeleteVpcRequest({ vpcId, regionId: REGION }));
  });

  it("refuses what yunbox's VPCs cannot be, rather than ignoring it", async () => {
    const vpcId = (
      await r.vpc.createVpc(
        new $Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.9.0.0/16' }),
      )
    ).body!.vpcId!;
    for (const change of [
      { enableIPv6: true },
      { cidrBlock: '10.9.0.0/15' },
      { enableDnsHostname: true },
    ]) {
      const e = await failure(
        r.vpc.modifyVpcAttribute(
          new $Vpc.ModifyVpcAttributeRequest({ vpcId, regionId: REGION, ...change }),
        ),
      );
      expect([e.statusCode, e.code], JSON.stringify(change)).toEqual([400, 'InvalidParameter']);
    }
    const e = await failure(
      r.vpc.tagResources(
        new $Vpc.TagResourcesRequest({
          resourceId: [vpcId],
          regionId: REGION,
          tag: tag([['k', 'v']]),
          resourceType: 'EIP',
        }),
      ),
    );
    expect([e.statusCode, e.code]).toEqual([404, 'InvalidResourceType.NotFound']);
    const missing = await failure(
      r.vpc.tagResources(
        new $Vpc.TagResourcesRequest({
          resourceId: [vpcId, 'vpc-nope'],
          regionId: REGION,
          tag: tag([['k', 'v']]),
          resourceType: 'vpc',
        }),
      ),
    );
    expect([missing.statusCode, missing.code]).toEqual([404, 'InvalidResourceId.NotFound']);
    // All or none: the existing VPC was not tagged either.
    expect((await read(vpcId)).tags).toEqual({});
    const noTable = await failure(
      r.vpc.modifyRouteTableAttributes(
        new $Vpc.ModifyRouteTableAttributesRequest({
          regionId: REGION,
          routeTableId: 'vtb-nope',
          routeTableName: 'x',
        }),
      ),
    );
    expect([noTable.statusCode, noTable.code]).toEqual([404, 'InvalidRouteTableId.NotFound']);
    // Tags of several resources, listed by tag and paged.
    const second = (
      await r.vpc.createVpc(
        new $Vpc.CreateVpcRequest({ regionId: REGION, cidrBlock: '10.10.0.0/16' }),
      )
    ).body!.vpcId!;
    await r.vpc.tagResources(
      new $Vpc.TagResourcesRequest({
        resourceId: [vpcId, second],
        regionId: REGION,
        tag: tag([
          ['team', 'net'],
          ['tier', 'core'],
        ]),
        resourceType: 'VPC',
      }),
    );
    const byTag = await r.vpc.listTagResources(
      new $Vpc.ListTagResourcesRequest({
        regionId: REGION,
        resourceType: 'VPC',
        tag: [new $Vpc.ListTagResourcesRequestTag({ key: 'team', value: 'net' })],
        maxResults: 3,
      }),
    );
    expect(byTag.body!.tagResources!.tagResource).toHaveLength(3);
    const rest = await r.vpc.listTagResources(
      new $Vpc.ListTagResourcesRequest({
        regionId: REGION,
        resourceType: 'VPC',
        tag: [new $Vpc.ListTagResourcesRequestTag({ key: 'team', value: 'net' })],
        maxResults: 3,
        nextToken: byTag.body!.nextToken,
      }),
    );
    expect([rest.body!.tagResources!.tagResource!.length, rest.body!.nextToken]).toEqual([1, '']);
    await r.vpc.unTagResources(
      new $Vpc.UnTagResourcesRequest({
        resourceId: [vpcId, second],
        regionId: REGION,
        all: true,
        resourceType: 'VPC',
      }),
    );
    const listed = await r.vpc.listTagResources(
      new $Vpc.ListTagResourcesRequest({
        regionId: REGION,
        resourceType: 'VPC',
        resourceId: [vpcId],
      }),
    );
    expect(listed.body!.tagResources!.tagResource).toEqual([]);
  });
});
