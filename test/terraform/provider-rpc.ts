/**
 * @module What the Terraform replay tests share: terraform-provider-alicloud's `client.RpcPost`
 * (connectivity/client.go: a form-encoded POST of the request map, nested lists and maps
 * flattened to `Name.1`, `Name.1.Key`, `Name.Key`), made with the official Tea client's own
 * `callApi`; the provider's state waits (`BuildStateConf` over DescribeInstances), driven on the
 * manual clock; and whether yunbox declares an operation, for calls the provider makes that
 * another part of yunbox serves (security groups, ENIs, tags): the replay makes them once they
 * exist.
 */
import * as Core from '@alicloud/openapi-core';
import { expect } from 'vitest';
import { allDeclaredProducts } from '../../src/services/catalogue.js';
import { advanceClocks } from '../../src/testing/clock.js';
import { $Ecs, type ecsClient } from '../../src/testing/sdk.js';
import type { TestServer } from '../../src/testing/server.js';
import { tagDiff } from './network-replay.js';

/** An ECS Tea client. */
export type EcsClient = ReturnType<typeof ecsClient>;

/**
 * The provider's request map flattened as its Go client sends it: lists as `Name.N` (1-based),
 * maps as `Name.Key`, booleans and numbers as text; null and undefined left out.
 * @example
 * flatten({ SecurityGroupIds: ['sg-1'], Tag: [{ Key: 'k', Value: 'v' }] })
 * // { 'SecurityGroupIds.1': 'sg-1', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' }
 */
export function flatten(
  map: Record<string, unknown>,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
  for (const [k, v] of Object.entries(map)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (item !== null && typeof item === 'object') {
          flatten(item as Record<string, unknown>, `${name}.${i + 1}`, out);
        } else out[`${name}.${i + 1}`] = String(item);
      });
    } else if (typeof v === 'object') {
      flatten(v as Record<string, unknown>, name, out);
    } else out[name] = String(v);
  }
  return out;
}

/** `client.RpcPost("Ecs", "2014-05-26", action, nil, request, …)`: the answer's JSON body. */
export async function rpcPost(
  ecs: EcsClient,
  action: string,
  request: Record<string, unknown>,
): Promise<any> {
  const params = new Core.$OpenApiUtil.Params({
    action,
    version: '2014-05-26',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const req = new Core.$OpenApiUtil.OpenApiRequest({ body: flatten(request) });
  const r = await (ecs as any).callApi(params, req, {});
  return r.body;
}

/**
 * The provider's change of a resource's `tags` (EcsServiceV2.SetResourceTags; `updateTags` for
 * `alicloud_instance`'s tags and volume tags, which names several ids): UntagResources for the
 * keys that went or changed value, then TagResources with every tag of the new map, each only
 * when it has something to send.
 */
export async function setResourceTags(
  ecs: EcsClient,
  region: string,
  resourceType: string,
  ids: string[],
  old: Record<string, string>,
  next: Record<string, string>,
): Promise<void> {
  const { removed, added } = tagDiff(old, next);
  const base = { ResourceId: ids, RegionId: region, ResourceType: resourceType };
  if (removed.length > 0) await rpcPost(ecs, 'UntagResources', { ...base, TagKey: removed });
  if (added.length > 0) {
    const Tag = added.map(([Key, Value]) => ({ Key, Value }));
    await rpcPost(ecs, 'TagResources', { ...base, Tag });
  }
}

/** True when yunbox serves `product`'s `action` (calls owned by other parts of yunbox). */
export function declared(product: string, action: string): boolean {
  return allDeclaredProducts().some(
    (p) => p.product === product && p.operations.some((o) => o.decl.name === action),
  );
}

/** The provider's `ecsService.DescribeInstance(id)`: DescribeInstances with its attributes. */
export async function describeInstance(ecs: EcsClient, region: string, id: string) {
  const r = await ecs.describeInstances(
    new $Ecs.DescribeInstancesRequest({
      regionId: region,
      instanceIds: JSON.stringify([id]),
      additionalAttributes: [
        'META_OPTIONS',
        'NETWORK_PRIMARY_ENI_IP',
        'LOGIN_AS_NON_ROOT',
        'DISK_HIGH_DENSITY_MODE',
      ],
    }),
  );
  return r.body!.instances!.instance![0];
}

/**
 * `BuildStateConf(pending, [target], …, InstanceStateRefreshFunc(id, fail))`: polls
 * DescribeInstances, moving the manual clock a second between polls, until the instance shows
 * `target` (or is gone, for `target` undefined); a state outside a non-empty `pending` fails the
 * wait (Terraform's StateChangeConf tolerates any state when `pending` is empty).
 */
export async function waitForState(
  yb: TestServer,
  ecs: EcsClient,
  id: string,
  pending: string[],
  target: string | undefined,
): Promise<void> {
  for (let poll = 0; poll < 30; poll++) {
    const i = await describeInstance(ecs, yb.region, id);
    const status = i?.status;
    if (status === target) return;
    if (pending.length > 0) {
      expect(pending, `instance ${id} went ${status ?? 'away'} waiting for ${target}`).toContain(
        status ?? 'gone',
      );
    }
    advanceClocks(yb, 1);
  }
  throw new Error(`instance ${id} never reached ${target}`);
}
