/**
 * Terraform replay of `alicloud_security_group` (terraform-provider-alicloud
 * resource_alicloud_security_group.go, EcsServiceV2.DescribeEcsSecurityGroup /
 * DescribeSecurityGroupDescribeSecurityGroupAttribute / SetResourceTags) with
 * @alicloud/ecs20140526: create with tags, the update the create ends with (inner access policy),
 * read, update of name, description and policy, read, update of tags (UntagResources for the keys
 * that went or changed, then TagResources with the whole new map, ResourceType securitygroup),
 * read, delete (refused while an instance is in it: DependencyViolation, which the provider
 * retries on) and the read of a deleted group. SQLite, and PostgreSQL with
 * `YUNBOX_TEST_STORE=postgres`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../src/testing/failure.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  rootOf,
} from '../../src/testing/fixtures.js';
import { $Ecs } from '../../src/testing/sdk.js';
import { testStoreKind } from '../../src/testing/server.js';
import { REGION, clientToken, startReplay, tagsToMap, type Replay } from './network-replay.js';
import { setResourceTags as setTags } from './provider-rpc.js';

let r: Replay;
let net: { vpcId: string; vswitchId: string };
beforeAll(async () => {
  r = await startReplay();
  net = await createNetwork(r.yb, rootOf(r.yb));
});
afterAll(async () => {
  await r?.yb.close();
});

/** What the provider's read sets: DescribeSecurityGroups, then DescribeSecurityGroupAttribute. */
async function read(securityGroupId: string) {
  const list = (
    await r.ecs.describeSecurityGroups(
      new $Ecs.DescribeSecurityGroupsRequest({ securityGroupId, regionId: REGION }),
    )
  ).body!;
  const g = list.securityGroups!.securityGroup![0];
  if (!g) return undefined; // NotFoundErr: the resource is gone from the state
  const attr = (
    await r.ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({ securityGroupId, regionId: REGION }),
    )
  ).body!;
  return {
    id: g.securityGroupId,
    create_time: g.creationTime,
    description: g.description,
    resource_group_id: g.resourceGroupId,
    security_group_name: g.securityGroupName,
    security_group_type: g.securityGroupType,
    vpc_id: g.vpcId,
    tags: tagsToMap(g.tags?.tag),
    inner_access_policy: attr.innerAccessPolicy,
    inner_access: attr.innerAccessPolicy === 'Accept',
  };
}

/** The update the create ends with: the policy read, then set when configured. */
async function setPolicy(securityGroupId: string, policy: string) {
  await r.ecs.describeSecurityGroupAttribute(
    new $Ecs.DescribeSecurityGroupAttributeRequest({ securityGroupId, regionId: REGION }),
  );
  await r.ecs.modifySecurityGroupPolicy(
    new $Ecs.ModifySecurityGroupPolicyRequest({
      securityGroupId,
      regionId: REGION,
      clientToken: clientToken('ModifySecurityGroupPolicy'),
      innerAccessPolicy: policy,
    }),
  );
}

/** EcsServiceV2.SetResourceTags(d, "securitygroup"). */
const setResourceTags = (id: string, old: Record<string, string>, next: Record<string, string>) =>
  setTags(r.ecs, REGION, 'securitygroup', [id], old, next);

const tags = { Created: 'TF', For: 'acceptance' };

async function create(extra: Record<string, unknown> = {}): Promise<string> {
  const created = await r.ecs.createSecurityGroup(
    new $Ecs.CreateSecurityGroupRequest({
      regionId: REGION,
      clientToken: clientToken('CreateSecurityGroup'),
      securityGroupType: 'normal',
      tag: Object.entries(tags).map(
        ([key, value]) => new $Ecs.CreateSecurityGroupRequestTag({ key, value }),
      ),
      description: 'created by terraform',
      vpcId: net.vpcId,
      securityGroupName: 'tf-testacc-sg',
      ...extra,
    }),
  );
  return created.body!.securityGroupId!;
}

describe(`alicloud_security_group on ${testStoreKind()}`, () => {
  it('create → read → update → read → delete, as the provider calls them', async () => {
    const id = await create();
    await setPolicy(id, 'Accept');
    const first = await read(id);
    expect(first).toMatchObject({
      id,
      description: 'created by terraform',
      resource_group_id: '',
      security_group_name: 'tf-testacc-sg',
      security_group_type: 'normal',
      vpc_id: net.vpcId,
      tags,
      inner_access_policy: 'Accept',
      inner_access: true,
    });
    expect(first!.create_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // Update: name and description, then the inner access policy.
    await r.ecs.modifySecurityGroupAttribute(
      new $Ecs.ModifySecurityGroupAttributeRequest({
        securityGroupId: id,
        regionId: REGION,
        securityGroupName: 'tf-testacc-sg-renamed',
        description: 'changed by terraform',
      }),
    );
    await setPolicy(id, 'Drop');
    expect(await read(id)).toMatchObject({
      security_group_name: 'tf-testacc-sg-renamed',
      description: 'changed by terraform',
      inner_access_policy: 'Drop',
      inner_access: false,
      tags,
    });
    // Update of tags (the last step of the provider's update), then the read.
    const retagged = { Created: 'TF', Team: 'network' };
    await setResourceTags(id, tags, retagged);
    expect((await read(id))!.tags).toEqual(retagged);
    // An emptied description is sent as such.
    await r.ecs.modifySecurityGroupAttribute(
      new $Ecs.ModifySecurityGroupAttributeRequest({
        securityGroupId: id,
        regionId: REGION,
        description: '',
      }),
    );
    expect((await read(id))!.description).toBe('');

    // Delete: DependencyViolation (retried by the provider) while an instance is in the group.
    const instanceId = (
      await r.ecs.createInstance(
        new $Ecs.CreateInstanceRequest({
          regionId: REGION,
          imageId: TUTORIAL_IMAGE,
          instanceType: TUTORIAL_INSTANCE_TYPE,
          vSwitchId: net.vswitchId,
          securityGroupId: id,
        }),
      )
    ).body!.instanceId!;
    const busy = await failure(
      r.ecs.deleteSecurityGroup(
        new $Ecs.DeleteSecurityGroupRequest({ securityGroupId: id, regionId: REGION }),
      ),
    );
    expect([busy.statusCode, busy.code]).toEqual([403, 'DependencyViolation']);
    await r.ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId, force: true }));
    await r.ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ securityGroupId: id, regionId: REGION }),
    );
    // The read of a deleted group: an empty list (NotFoundErr), and the attribute call's code.
    expect(await read(id)).toBeUndefined();
    const gone = await failure(
      r.ecs.describeSecurityGroupAttribute(
        new $Ecs.DescribeSecurityGroupAttributeRequest({ securityGroupId: id, regionId: REGION }),
      ),
    );
    expect(gone.code).toBe('InvalidSecurityGroupId.NotFound');
    // A delete of what is gone is a NotFoundError (404) the provider takes as done.
    const again = await failure(
      r.ecs.deleteSecurityGroup(
        new $Ecs.DeleteSecurityGroupRequest({ securityGroupId: id, regionId: REGION }),
      ),
    );
    expect(again.statusCode).toBe(404);
  });

  it('an advanced group: created isolated, its policy left alone (the provider suppresses the diff)', async () => {
    const id = await create({
      securityGroupType: 'enterprise',
      securityGroupName: 'tf-testacc-adv',
    });
    expect(await read(id)).toMatchObject({
      security_group_type: 'enterprise',
      inner_access_policy: 'Drop',
    });
    await r.ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ securityGroupId: id, regionId: REGION }),
    );
  });

  it('update of tags: SetResourceTags (securitygroup) → read, down to no tags at all', async () => {
    const id = await create();
    await setPolicy(id, 'Accept');
    const steps: Array<Record<string, string>> = [
      { Created: 'TF', Team: 'network' },
      { Created: 'TF-2', Team: 'network', Extra: '' },
      {},
    ];
    let state: Record<string, string> = tags;
    for (const next of steps) {
      await setResourceTags(id, state, next);
      expect((await read(id))!.tags).toEqual(next);
      state = next;
    }
    // What ListTagResources says agrees with the read.
    const listed = await r.ecs.listTagResources(
      new $Ecs.ListTagResourcesRequest({
        regionId: REGION,
        resourceType: 'securitygroup',
        resourceId: [id],
      }),
    );
    expect(listed.body!.tagResources!.tagResource).toEqual([]);
    await r.ecs.deleteSecurityGroup(
      new $Ecs.DeleteSecurityGroupRequest({ securityGroupId: id, regionId: REGION }),
    );
  });
});
