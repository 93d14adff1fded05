/**
 * @module What the network Terraform replays share (test/terraform/{vpc,vswitch,security-group,
 * security-group-rule}.test.ts): a server with root's official clients, the provider's client
 * tokens, and its tag diff. Each replay follows terraform-provider-alicloud's create → read →
 * update → read → delete for one resource, with the parameters the provider sends, in its order,
 * and checks the fields its read functions take from the answers.
 */
import { randomUUID } from 'node:crypto';
import { rootOf } from '../../src/testing/fixtures.js';
import { ecsClient, vpcClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';

/** The region the provider is configured with. */
export const REGION = 'cn-hangzhou';

/** A server and root's ECS and VPC clients (ACS3, as the provider's Tea clients sign). */
export interface Replay {
  yb: TestServer;
  ecs: ReturnType<typeof ecsClient>;
  vpc: ReturnType<typeof vpcClient>;
}

/** Starts a server on the store `YUNBOX_TEST_STORE` selects (SQLite, or PostgreSQL). */
export async function startReplay(): Promise<Replay> {
  const yb = await startTestServer();
  return { yb, ecs: ecsClient(yb, rootOf(yb)), vpc: vpcClient(yb, rootOf(yb)) };
}

/** The provider's `buildClientToken(action)`: `TF-<action>-<unix>-<uuid>`, at most 64 characters. */
export function clientToken(action: string): string {
  return `TF-${action}-${Math.floor(Date.now() / 1000)}-${randomUUID()}`.slice(0, 64);
}

/**
 * The provider's `parsingTags`: on a change of `tags` it removes the keys that went or changed
 * value, then sets every tag of the new map.
 */
export function tagDiff(
  old: Record<string, string>,
  next: Record<string, string>,
): { removed: string[]; added: Array<[string, string]> } {
  return {
    removed: Object.keys(old).filter((k) => next[k] !== old[k]),
    added: Object.entries(next),
  };
}

/**
 * The provider's `tagsToMap` over a read's `Tags.Tag`, in any of the spellings it reads (`TagKey`
 * of RpcPost's raw JSON, `Key`, the Tea models' `tagKey` and `key`); Alibaba's own tags left out.
 */
export function tagsToMap(
  tags: Array<Record<string, string | undefined>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) {
    const key = t.TagKey ?? t.Key ?? t.tagKey ?? t.key ?? '';
    if (/^(aliyun|acs:|https?:\/\/)/.test(key)) continue;
    out[key] = t.TagValue ?? t.Value ?? t.tagValue ?? t.value ?? '';
  }
  return out;
}
