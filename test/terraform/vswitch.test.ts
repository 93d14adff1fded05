/**
 * Terraform replay of `alicloud_vswitch` (terraform-provider-alicloud resource_alicloud_vswitch.go,
 * VpcServiceV2.DescribeVpcVswitch / SetResourceTags) with @alicloud/vpc20160428: create (tags
 * come after, in the update the create ends with), the wait for Available, read, update of name,
 * description and tags, read, delete refused while an instance uses it (a code the provider
 * retries on), delete and the wait for gone. SQLite, and PostgreSQL with `YUNBOX_TEST_STORE=postgres`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../src/testing/failure.js';
import { TUTORIAL_IMAGE, TUTORIAL_INSTANCE_TYPE } from '../../src/testing/fixtures.js';
import { $Ecs, $Vpc } from '../../src/testing/sdk.js';
import { testStoreKind } from '../../src/testing/server.js';
import {
  REGION,
  clientToken,
  startReplay,
  tagDiff,
  tagsToMap,
  type Replay,
} from './network-replay.js';

let r: Replay;
let vpcId: string;
beforeAll(async () => {
  r = await startReplay();
  vpcId = (
    await r.vpc.createVpc(
      new $Vpc.CreateVpcRequest({
        regionId: REGION,
        clientToken: clientToken('CreateVpc'),
        cidrBlock: '172.16.0.0/12',
      }),
    )
  ).body!.vpcId!;
});
afterAll(async () => {
  await r?.yb.close();
});

/** What the provider's read sets from DescribeVSwitchAttributes. */
async function read(vSwitchId: string) {
  const a = (
    await r.vpc.describeVSwitchAttributes(
      new $Vpc.DescribeVSwitchAttributesRequest({ vSwitchId, regionId: REGION }),
    )
  ).body!;
  return {
    id: a.vSwitchId,
    cidr_block: a.cidrBlock,
    create_time: a.creationTime,
    description: a.description,
    ipv6_cidr_block: a.ipv6CidrBlock,
    is_default: a.isDefault,
    status: a.status,
    vswitch_name: a.vSwitchName,
    vpc_id: a.vpcId,
    zone_id: a.zoneId,
    tags: tagsToMap(a.tags?.tag),
    // enable_ipv6 is read as Ipv6CidrBlock != "".
    enable_ipv6: a.ipv6CidrBlock !== '',
  };
}

const tag = (entries: Array<[string, string]>) =>
  entries.map(([key, value]) => new $Vpc.TagResourcesRequestTag({ key, value }));

describe(`alicloud_vswitch on ${testStoreKind()}`, () => {
  it('create → read → update → read → delete, as the provider calls them', async () => {
    const zoneId = `${REGION}-j`;
    const created = await r.vpc.createVSwitch(
      new $Vpc.CreateVSwitchRequest({
        regionId: REGION,
        clientToken: clientToken('CreateVSwitch'),
        cidrBlock: '172.16.0.0/24',
        vpcId,
        vSwitchName: 'tf-testacc-vsw',
        description: 'created by terraform',
        zoneId,
      }),
    );
    const vSwitchId = created.body!.vSwitchId!;
    // The create waits for Status Available, then its update sets the tags (SetResourceTags
    // with "VSWITCH").
    expect((await read(vSwitchId)).status).toBe('Available');
    const tags = { Created: 'TF', For: 'acceptance' };
    await r.vpc.tagResources(
      new $Vpc.TagResourcesRequest({
        resourceId: [vSwitchId],
        regionId: REGION,
        tag: tag(Object.entries(tags)),
        resourceType: 'VSWITCH',
      }),
    );
    const first = await read(vSwitchId);
    expect(first).toMatchObject({
      id: vSwitchId,
      cidr_block: '172.16.0.0/24',
      description: 'created by terraform',
      ipv6_cidr_block: '',
      is_default: false,
      status: 'Available',
      vswitch_name: 'tf-testacc-vsw',
      vpc_id: vpcId,
      zone_id: zoneId,
      tags,
      enable_ipv6: false,
    });
    expect(first.create_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The VPC lists it.
    const vpc = await r.vpc.describeVpcAttribute(
      new $Vpc.DescribeVpcAttributeRequest({ vpcId, regionId: REGION }),
    );
    expect(vpc.body!.vSwitchIds!.vSwitchId).toEqual([vSwitchId]);

    // Update: ModifyVSwitchAttribute (name, description), the wait, then the tags.
    await r.vpc.modifyVSwitchAttribute(
      new $Vpc.ModifyVSwitchAttributeRequest({
        vSwitchId,
        regionId: REGION,
        vSwitchName: 'tf-testacc-vsw-renamed',
        description: 'changed by terraform',
      }),
    );
    expect((await read(vSwitchId)).status).toBe('Available');
    const nextTags = { Created: 'TF-changed' };
    const { removed, added } = tagDiff(tags, nextTags);
    expect(removed.sort()).toEqual(['Created', 'For']);
    await r.vpc.unTagResources(
      new $Vpc.UnTagResourcesRequest({
        resourceId: [vSwitchId],
        regionId: REGION,
        tagKey: removed,
        resourceType: 'VSWITCH',
      }),
    );
    await r.vpc.tagResources(
      new $Vpc.TagResourcesRequest({
        resourceId: [vSwitchId],
        regionId: REGION,
        tag: tag(added),
        resourceType: 'VSWITCH',
      }),
    );
    expect(await read(vSwitchId)).toMatchObject({
      vswitch_name: 'tf-testacc-vsw-renamed',
      description: 'changed by terraform',
      tags: nextTags,
    });
    const listed = await r.vpc.listTagResources(
      new $Vpc.ListTagResourcesRequest({
        regionId: REGION,
        resourceType: 'VSWITCH',
        resourceId: [vSwitchId],
      }),
    );
    expect(
      listed.body!.tagResources!.tagResource!.map((t) => [
        t.resourceId,
        t.resourceType,
        t.tagKey,
        t.tagValue,
      ]),
    ).toEqual([[vSwitchId, 'VSWITCH', 'Created', 'TF-changed']]);

    // Delete: refused with DependencyViolation (which the provider retries on) while an instance
    // is in it; then deleted, and the wait sees it gone (a 404).
    const instanceId = (
      await r.ecs.createInstance(
        new $Ecs.CreateInstanceRequest({
          regionId: REGION,
          imageId: TUTORIAL_IMAGE,
          instanceType: TUTORIAL_INSTANCE_TYPE,
          vSwitchId,
        }),
      )
    ).body!.instanceId!;
    const busy = await failure(
      r.vpc.deleteVSwitch(new $Vpc.DeleteVSwitchRequest({ vSwitchId, regionId: REGION })),
    );
    expect(busy.code).toBe('DependencyViolation');
    await r.ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId, force: true }));
    await r.vpc.deleteVSwitch(new $Vpc.DeleteVSwitchRequest({ vSwitchId, regionId: REGION }));
    const gone = await failure(
      r.vpc.describeVSwitchAttributes(
        new $Vpc.DescribeVSwitchAttributesRequest({ vSwitchId, regionId: REGION }),
      ),
    );
    expect([gone.statusCode, gone.code]).toEqual([404, 'InvalidVSwitchId.NotFound']);
    // A delete of what is gone answers the code the provider takes as done.
    const again = await failure(
      r.vpc.deleteVSwitch(new $Vpc.DeleteVSwitchRequest({ vSwitchId, regionId: REGION })),
    );
    expect(again.code).toBe('InvalidVSwitchId.NotFound');
  });

  it('takes tags on create too (CreateVSwitch Tag.N), for callers other than Terraform', async () => {
    const created = await r.vpc.createVSwitch(
      new $Vpc.CreateVSwitchRequest({
        regionId: REGION,
        cidrBlock: '172.16.1.0/24',
        vpcId,
        zoneId: `${REGION}-i`,
        tag: [new $Vpc.CreateVSwitchRequestTag({ key: 'env', value: 'dev' })],
      }),
    );
    expect((await read(created.body!.vSwitchId!)).tags).toEqual({ env: 'dev' });
    const e = await failure(
      r.vpc.modifyVSwitchAttribute(
        new $Vpc.ModifyVSwitchAttributeRequest({
          vSwitchId: created.body!.vSwitchId,
          regionId: REGION,
          enableIPv6: true,
        }),
      ),
    );
    expect(e.code).toBe('InvalidParameter');
  });
});
