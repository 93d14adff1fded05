/**
 * ECS tags with @alicloud/ecs20140526: Tag.N on RunInstances and CreateInstance, TagResources
 * (merge, overwrite, limits), UntagResources (keys, All), ListTagResources (filters, paging) and
 * DescribeInstances showing and filtering by the same tags; every documented refusal with its code
 * (Tag rules, 20 per resource, 50 resources, unknown types and ids, another account's instance),
 * and refusals change nothing. Runs on the store YUNBOX_TEST_STORE selects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { outcome } from '../../../src/testing/failure.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

const REGION = 'cn-hangzhou';
let yb: TestServer;
let ecs: ReturnType<typeof ecsClient>;
let vswitchId: string;

beforeAll(async () => {
  yb = await startTestServer();
  ecs = ecsClient(yb, rootOf(yb));
  vswitchId = (await createNetwork(yb, rootOf(yb))).vswitchId;
});
afterAll(async () => {
  await yb?.close();
});

const tag = (key: string, value = '') => new $Ecs.TagResourcesRequestTag({ key, value });

async function run(tags: Array<{ key: string; value?: string }> = [], amount = 1) {
  const r = await ecs.runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: REGION,
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      vSwitchId: vswitchId,
      amount,
      tag: tags.map((t) => new $Ecs.RunInstancesRequestTag(t)),
    }),
  );
  return r.body!.instanceIdSets!.instanceIdSet!;
}

async function tagsOf(instanceId: string): Promise<Record<string, string>> {
  const r = await ecs.describeInstances(
    new $Ecs.DescribeInstancesRequest({
      regionId: REGION,
      instanceIds: JSON.stringify([instanceId]),
    }),
  );
  const tags = r.body!.instances!.instance![0]!.tags?.tag ?? [];
  return Object.fromEntries(tags.map((t) => [t.tagKey!, t.tagValue!]));
}

async function listed(req: Record<string, unknown>) {
  const r = await ecs.listTagResources(
    new $Ecs.ListTagResourcesRequest({ regionId: REGION, resourceType: 'instance', ...req }),
  );
  return r.body!;
}

const tagResources = (resourceId: string[], tags: ReturnType<typeof tag>[], type = 'instance') =>
  ecs.tagResources(
    new $Ecs.TagResourcesRequest({ regionId: REGION, resourceType: type, resourceId, tag: tags }),
  );

describe('tags on instances', () => {
  it('RunInstances Tag.N become the instances tags, read back by DescribeInstances and ListTagResources', async () => {
    const [a, b] = await run(
      [
        { key: 'env', value: 'dev' },
        { key: 'team', value: 'blue' },
      ],
      2,
    );
    expect(await tagsOf(a!)).toEqual({ env: 'dev', team: 'blue' });
    expect(await tagsOf(b!)).toEqual({ env: 'dev', team: 'blue' });
    const body = await listed({ resourceId: [a!] });
    expect(body.nextToken).toBe('');
    expect(body.tagResources!.tagResource).toEqual([
      { resourceId: a, resourceType: 'instance', tagKey: 'env', tagValue: 'dev' },
      { resourceId: a, resourceType: 'instance', tagKey: 'team', tagValue: 'blue' },
    ]);
  });

  it('TagResources merges (a key present takes the new value), UntagResources removes keys or All', async () => {
    const [id] = await run([{ key: 'env', value: 'dev' }]);
    await tagResources([id!], [tag('env', 'prod'), tag('owner', 'me')]);
    expect(await tagsOf(id!)).toEqual({ env: 'prod', owner: 'me' });
    await ecs.untagResources(
      new $Ecs.UntagResourcesRequest({
        regionId: REGION,
        resourceType: 'instance',
        resourceId: [id!],
        tagKey: ['owner', 'absent'],
      }),
    );
    expect(await tagsOf(id!)).toEqual({ env: 'prod' });
    await ecs.untagResources(
      new $Ecs.UntagResourcesRequest({
        regionId: REGION,
        resourceType: 'instance',
        resourceId: [id!],
        all: true,
      }),
    );
    expect(await tagsOf(id!)).toEqual({});
  });

  it('DescribeInstances and ListTagResources filter by tag; ListTagResources pages 50 at a time', async () => {
    const ids = await run([], 3);
    for (const [n, id] of ids.entries()) {
      await tagResources(
        [id],
        Array.from({ length: 20 }, (_, k) => tag(`k${String(k).padStart(2, '0')}`, `v${n}`)),
      );
    }
    const onlyV1 = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: REGION,
        tag: [new $Ecs.DescribeInstancesRequestTag({ key: 'k07', value: 'v1' })],
      }),
    );
    expect(onlyV1.body!.instances!.instance!.map((i) => i.instanceId)).toEqual([ids[1]]);

    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const body = await listed({ resourceId: ids, ...(nextToken ? { nextToken } : {}) });
      pages++;
      expect(body.tagResources!.tagResource!.length).toBeLessThanOrEqual(50);
      seen.push(...body.tagResources!.tagResource!.map((t) => `${t.resourceId}/${t.tagKey}`));
      nextToken = body.nextToken || undefined;
    } while (nextToken);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);

    const exact = await listed({
      tag: [new $Ecs.ListTagResourcesRequestTag({ key: 'k00', value: 'v2' })],
    });
    expect(new Set(exact.tagResources!.tagResource!.map((t) => t.resourceId))).toEqual(
      new Set([ids[2]]),
    );
    const fuzzy = await listed({
      resourceId: ids,
      tagFilter: [
        new $Ecs.ListTagResourcesRequestTagFilter({ tagKey: 'k19', tagValues: ['*1', 'v2*'] }),
      ],
    });
    expect(new Set(fuzzy.tagResources!.tagResource!.map((t) => t.resourceId))).toEqual(
      new Set([ids[1], ids[2]]),
    );
  });

  it('tags go with a released instance', async () => {
    const [id] = await run([{ key: 'env', value: 'gone' }]);
    await ecs.deleteInstance(new $Ecs.DeleteInstanceRequest({ instanceId: id, force: true }));
    const body = await listed({ resourceId: [id!] });
    expect(body.tagResources!.tagResource).toEqual([]);
    expect(await outcome(tagResources([id!], [tag('a')]))).toBe('404 InvalidResourceId.NotFound');
  });
});

describe('refusals, with ECS codes, that change nothing', () => {
  it('refuses bad tags on RunInstances before creating anything', async () => {
    const before = (
      await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION }))
    ).body!.totalCount;
    const bad = (t: Array<{ key: string; value?: string }>) =>
      outcome(
        ecs.runInstances(
          new $Ecs.RunInstancesRequest({
            regionId: REGION,
            imageId: TUTORIAL_IMAGE,
            instanceType: TUTORIAL_INSTANCE_TYPE,
            vSwitchId: vswitchId,
            tag: t.map((x) => new $Ecs.RunInstancesRequestTag(x)),
          }),
        ),
      );
    expect(await bad([{ key: 'aliyun:x', value: '1' }])).toBe('400 InvalidTagKey.Malformed');
    expect(await bad([{ key: 'a', value: 'acs:y' }])).toBe('400 InvalidTagValue.Malformed');
    expect(
      await bad([
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ]),
    ).toBe('400 Duplicate.TagKey');
    const after = (
      await ecs.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION }))
    ).body!.totalCount;
    expect(after).toBe(before);
  });

  it('refuses TagResources with the documented codes', async () => {
    const [id] = await run([]);
    const fill = Array.from({ length: 19 }, (_, n) => tag(`f${n}`));
    await tagResources([id!], fill);
    expect(await outcome(tagResources([id!], [tag('x'), tag('y')]))).toBe(
      '400 OperationDenied.QuotaExceed',
    );
    expect(await tagsOf(id!)).not.toHaveProperty('x');
    expect(await outcome(tagResources([id!], [tag('f1', 'new'), tag('z')]))).toBe('ok');
    expect(
      await outcome(
        tagResources(
          [id!],
          Array.from({ length: 21 }, (_, n) => tag(`t${n}`)),
        ),
      ),
    ).toBe('400 NumberExceed.Tags');
    const fiftyOne = Array.from({ length: 51 }, (_, n) => `i-nope${n}`);
    expect(await outcome(tagResources(fiftyOne, [tag('a')]))).toBe('400 NumberExceed.ResourceIds');
    expect(await outcome(tagResources([id!], [tag('acs:k')]))).toBe('400 InvalidTagKey.Malformed');
    expect(await outcome(tagResources([id!], [tag('k', 'https://x')]))).toBe(
      '400 InvalidTagValue.Malformed',
    );
    expect(await outcome(tagResources([id!], [tag('k'.repeat(129))]))).toBe(
      '400 InvalidTagKey.Malformed',
    );
    expect(await outcome(tagResources([id!], [tag('d'), tag('d')]))).toBe('400 Duplicate.TagKey');
    expect(await outcome(tagResources([id!, 'i-missing'], [tag('a')]))).toBe(
      '404 InvalidResourceId.NotFound',
    );
    expect(await outcome(tagResources(['sg-none'], [tag('a')], 'securitygroup'))).toBe(
      '404 InvalidResourceId.NotFound',
    );
    expect(await outcome(tagResources([id!], [tag('a')], 'bucket'))).toBe(
      '404 InvalidResourceType.NotFound',
    );
    expect(await outcome(tagResources([id!], []))).toBe('404 MissingParameter.Tags');
    expect(
      await outcome(
        ecs.tagResources(
          new $Ecs.TagResourcesRequest({ regionId: REGION, resourceId: [id!], tag: [tag('a')] }),
        ),
      ),
    ).toBe('404 MissingParameter.ResourceType');
    expect(
      await outcome(
        ecs.untagResources(
          new $Ecs.UntagResourcesRequest({
            regionId: REGION,
            resourceType: 'instance',
            resourceId: [id!],
          }),
        ),
      ),
    ).toBe('404 MissingParameter.Tags');
    expect(await outcome(listed({ nextToken: 'not-a-token' }))).toBe(
      '400 InvalidNextToken.Malformed',
    );
    expect(Object.keys(await tagsOf(id!))).toHaveLength(20);
  });

  it('a RAM user needs ecs:TagResources on the instance', async () => {
    const [id] = await run([{ key: 'env', value: 'dev' }]);
    const user = await createUserWithKey(yb, rootOf(yb), 'tagger');
    const asUser = ecsClient(yb, user);
    const userTag = () =>
      outcome(
        asUser.tagResources(
          new $Ecs.TagResourcesRequest({
            regionId: REGION,
            resourceType: 'instance',
            resourceId: [id!],
            tag: [tag('by', 'user')],
          }),
        ),
      );
    expect(await userTag()).toBe('403 Forbidden.RAM');
    await grantCustomPolicy(yb, rootOf(yb), 'tagger', 'TagOneInstance', [
      { Effect: 'Allow', Action: 'ecs:TagResources', Resource: `acs:ecs:*:*:instance/${id}` },
    ]);
    expect(await userTag()).toBe('ok');
    expect(await tagsOf(id!)).toEqual({ env: 'dev', by: 'user' });
  });
});
