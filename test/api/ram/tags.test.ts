/**
 * RAM tags with @alicloud/ram20150501, in the order terraform-provider-alicloud drives them for
 * `alicloud_ram_role` and `alicloud_ram_policy` (resource_alicloud_ram_role.go: CreateRole with
 * `Tag`, then ListTagResources by ResourceNames to read; on change UntagResources by TagKeys and
 * TagResources; DeleteRole), names in any case answered as created; the refusals with their codes,
 * changing nothing; ListRoles and ListPolicies filtered by `Tag` and answering each one's tags;
 * and tags going with a deleted role. Runs on the store YUNBOX_TEST_STORE selects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECS_TRUST_POLICY, OSS_READ_POLICY, rootOf } from '../../../src/testing/fixtures.js';
import { outcome } from '../../../src/testing/failure.js';
import { $Ram, ramClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

let yb: TestServer;
let ram: ReturnType<typeof ramClient>;

beforeAll(async () => {
  yb = await startTestServer();
  ram = ramClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

/** The provider's read: ListTagResources of one resource, as a map. */
async function tagsOf(type: 'role' | 'policy', name: string): Promise<Record<string, string>> {
  const r = await ram.listTagResources(
    new $Ram.ListTagResourcesRequest({ resourceType: type, resourceNames: [name] }),
  );
  for (const t of r.body!.tagResources ?? []) {
    expect(t.resourceType).toBe(type);
  }
  return Object.fromEntries((r.body!.tagResources ?? []).map((t) => [t.tagKey!, t.tagValue!]));
}

const tagList = (t: Record<string, string>) =>
  Object.entries(t).map(([key, value]) => new $Ram.TagResourcesRequestTag({ key, value }));

describe('alicloud_ram_role tags, as the provider drives them', () => {
  it('create with tags, read, change (untag then tag), read, delete', async () => {
    const created = await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'TaggedRole',
        assumeRolePolicyDocument: ECS_TRUST_POLICY,
        tag: [
          new $Ram.CreateRoleRequestTag({ key: 'env', value: 'dev' }),
          new $Ram.CreateRoleRequestTag({ key: 'owner', value: 'ops' }),
        ],
      }),
    );
    expect(created.body!.role!.roleName).toBe('TaggedRole');
    expect(await tagsOf('role', 'TaggedRole')).toEqual({ env: 'dev', owner: 'ops' });

    await ram.untagResources(
      new $Ram.UntagResourcesRequest({
        resourceType: 'role',
        resourceNames: ['TaggedRole'],
        tagKeys: ['owner'],
      }),
    );
    await ram.tagResources(
      new $Ram.TagResourcesRequest({
        resourceType: 'role',
        resourceNames: ['TaggedRole'],
        tag: tagList({ env: 'prod', cost: '42' }),
      }),
    );
    expect(await tagsOf('role', 'TaggedRole')).toEqual({ env: 'prod', cost: '42' });
    // Any case finds the role; the answer names it as created.
    const any = await ram.listTagResources(
      new $Ram.ListTagResourcesRequest({ resourceType: 'role', resourceNames: ['taggedrole'] }),
    );
    expect(new Set(any.body!.tagResources!.map((t) => t.resourceName))).toEqual(
      new Set(['TaggedRole']),
    );

    await ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'TaggedRole' }));
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'TaggedRole',
        assumeRolePolicyDocument: ECS_TRUST_POLICY,
      }),
    );
    expect(await tagsOf('role', 'TaggedRole')).toEqual({});
  });

  it('custom policies take tags too; ListTagResources filters by tag and pages', async () => {
    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'TaggedPolicy',
        policyDocument: OSS_READ_POLICY,
        tag: [new $Ram.CreatePolicyRequestTag({ key: 'env', value: 'dev' })],
      }),
    );
    expect(await tagsOf('policy', 'taggedpolicy')).toEqual({ env: 'dev' });
    for (const n of [1, 2, 3]) {
      await ram.createRole(
        new $Ram.CreateRoleRequest({
          roleName: `PagedRole${n}`,
          assumeRolePolicyDocument: ECS_TRUST_POLICY,
          tag: [
            new $Ram.CreateRoleRequestTag({ key: 'group', value: 'paged' }),
            new $Ram.CreateRoleRequestTag({ key: 'n', value: String(n) }),
          ],
        }),
      );
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const r = await ram.listTagResources(
        new $Ram.ListTagResourcesRequest({
          resourceType: 'role',
          tag: [new $Ram.ListTagResourcesRequestTag({ key: 'group', value: 'paged' })],
          pageSize: 4,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      expect(r.body!.tagResources!.length).toBeLessThanOrEqual(4);
      seen.push(...r.body!.tagResources!.map((t) => `${t.resourceName}/${t.tagKey}`));
      nextToken = r.body!.nextToken || undefined;
    } while (nextToken);
    expect(seen.sort()).toEqual(
      [1, 2, 3].flatMap((n) => [`PagedRole${n}/group`, `PagedRole${n}/n`]).sort(),
    );
  });
});

describe('ListRoles and ListPolicies with Tag, as the provider filters its data sources', () => {
  it('lists only what carries every tag given, each with its tags', async () => {
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'FilterDev',
        assumeRolePolicyDocument: ECS_TRUST_POLICY,
        tag: [
          new $Ram.CreateRoleRequestTag({ key: 'team', value: 'filter' }),
          new $Ram.CreateRoleRequestTag({ key: 'env', value: 'dev' }),
        ],
      }),
    );
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'FilterProd',
        assumeRolePolicyDocument: ECS_TRUST_POLICY,
        tag: [
          new $Ram.CreateRoleRequestTag({ key: 'team', value: 'filter' }),
          new $Ram.CreateRoleRequestTag({ key: 'env', value: 'prod' }),
        ],
      }),
    );
    const roles = async (tags: Array<{ key: string; value?: string }>) => {
      const r = await ram.listRoles(
        new $Ram.ListRolesRequest({ tag: tags.map((t) => new $Ram.ListRolesRequestTag(t)) }),
      );
      return r.body!.roles!.role!.map((x) => x.roleName);
    };
    expect(await roles([{ key: 'team', value: 'filter' }])).toEqual(['FilterDev', 'FilterProd']);
    expect(await roles([{ key: 'team' }, { key: 'env', value: 'prod' }])).toEqual(['FilterProd']);
    expect(await roles([{ key: 'team', value: 'other' }])).toEqual([]);
    const all = await ram.listRoles(new $Ram.ListRolesRequest({}));
    const dev = all.body!.roles!.role!.find((x) => x.roleName === 'FilterDev')!;
    expect(dev.tags!.tag!.map((t) => [t.tagKey, t.tagValue])).toEqual([
      ['team', 'filter'],
      ['env', 'dev'],
    ]);

    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'FilterPolicy',
        policyDocument: OSS_READ_POLICY,
        tag: [new $Ram.CreatePolicyRequestTag({ key: 'team', value: 'filter' })],
      }),
    );
    const pols = await ram.listPolicies(
      new $Ram.ListPoliciesRequest({
        tag: [new $Ram.ListPoliciesRequestTag({ key: 'team', value: 'filter' })],
      }),
    );
    expect(
      pols.body!.policies!.policy!.map((x) => [
        x.policyName,
        x.policyType,
        x.tags!.tag!.map((t) => `${t.tagKey}=${t.tagValue}`),
      ]),
    ).toEqual([['FilterPolicy', 'Custom', ['team=filter']]]);
    expect(
      await outcome(
        ram.listRoles(
          new $Ram.ListRolesRequest({
            tag: Array.from(
              { length: 21 },
              (_, n) => new $Ram.ListRolesRequestTag({ key: `k${n}` }),
            ),
          }),
        ),
      ),
    ).toBe('400 InvalidParameter.Tag');
  });

  it('RAM tags roles and policies only: users and groups are refused as RAM refuses them', async () => {
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'NoTags' }));
    for (const type of ['user', 'group']) {
      expect(
        await outcome(
          ram.tagResources(
            new $Ram.TagResourcesRequest({
              resourceType: type,
              resourceNames: ['NoTags'],
              tag: tagList({ k: 'v' }),
            }),
          ),
        ),
      ).toBe('400 InvalidParameter.ResourceType');
    }
  });
});

describe('refusals change nothing', () => {
  it('answers RAM codes for bad tags, unknown resources and the 20-tag limit', async () => {
    await ram.createRole(
      new $Ram.CreateRoleRequest({
        roleName: 'Limits',
        assumeRolePolicyDocument: ECS_TRUST_POLICY,
      }),
    );
    const tag = (names: string[], t: Record<string, string>, type = 'role') =>
      outcome(
        ram.tagResources(
          new $Ram.TagResourcesRequest({
            resourceType: type,
            resourceNames: names,
            tag: tagList(t),
          }),
        ),
      );
    expect(await tag(['Limits'], { 'acs:x': '1' })).toBe('400 InvalidParameter.Tag.Key');
    expect(await tag(['Limits'], { k: 'acs:x' })).toBe('400 InvalidParameter.Tag.Value');
    expect(await tag(['NoSuchRole'], { k: 'v' })).toBe('404 EntityNotExist.Role');
    expect(await tag(['NoSuchPolicy'], { k: 'v' }, 'policy')).toBe('404 EntityNotExist.Policy');
    expect(await tag(['Limits'], { k: 'v' }, 'user')).toBe('400 InvalidParameter.ResourceType');
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, n) => [`k${n}`, `${n}`]));
    expect(await tag(['Limits'], twenty)).toBe('ok');
    expect(await tag(['Limits'], { one: 'more' })).toBe('409 LimitExceeded.Tag');
    expect(await tag(['Limits'], { k0: 'changed' })).toBe('ok');
    expect(Object.keys(await tagsOf('role', 'Limits'))).toHaveLength(20);
    expect(
      await outcome(
        ram.createRole(
          new $Ram.CreateRoleRequest({
            roleName: 'BadTags',
            assumeRolePolicyDocument: ECS_TRUST_POLICY,
            tag: [new $Ram.CreateRoleRequestTag({ key: 'aliyun-x', value: '1' })],
          }),
        ),
      ),
    ).toBe('400 InvalidParameter.Tag.Key');
    expect(await outcome(ram.getRole(new $Ram.GetRoleRequest({ roleName: 'BadTags' })))).toBe(
      '404 EntityNotExist.Role',
    );
    expect(
      await outcome(
        ram.untagResources(
          new $Ram.UntagResourcesRequest({ resourceType: 'role', resourceNames: ['Limits'] }),
        ),
      ),
    ).toBe('400 InvalidParameter.TagKeys');
  });
});
