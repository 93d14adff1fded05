/**
 * Terraform replay of `alicloud_key_pair` (alias of alicloud_ecs_key_pair) and
 * `alicloud_key_pair_attachment` with the official Tea ECS client, in the order and with the
 * parameters of terraform-provider-alicloud's resource_alicloud_ecs_key_pair.go and
 * resource_alicloud_ecs_key_pair_attachment.go (all through RpcPost):
 *
 * - key pair create: CreateKeyPair {RegionId, KeyPairName, Tag.N} (or ImportKeyPair with
 *   PublicKeyBody when `public_key` is set), the id is the answer's KeyPairName, `key_file` gets
 *   the PrivateKeyBody; read: DescribeKeyPairs {KeyPairName, RegionId}, the first KeyPair's
 *   KeyPairFingerPrint, CreationTime, ResourceGroupId, KeyPairName and Tags.Tag; update of
 *   `tags`: EcsServiceV2.SetResourceTags with ResourceType keypair and the resource id (the
 *   name) as ResourceId.1: UntagResources for the keys that went or changed, TagResources with
 *   the whole new map; delete: DeleteKeyPairs {KeyPairNames: JSON list}, retried on
 *   InvalidParameter.KeypairAlreadyAttachedInstance; a read that finds none drops the resource.
 * - attachment create: AttachKeyPair {RegionId, InstanceIds, KeyPairName}, with `force` a
 *   RebootInstance and a wait for Running; read: DescribeInstances {KeyPairName, InstanceIds,
 *   MaxResults} page by page, the instances whose KeyPairName is the key pair's; delete:
 *   DetachKeyPair.
 *
 * Runs on the store YUNBOX_TEST_STORE selects.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followServerClock, restoreClock } from '../../src/testing/clock.js';
import { failure } from '../../src/testing/failure.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  rootOf,
} from '../../src/testing/fixtures.js';
import { ecsClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { rpcPost, setResourceTags, waitForState, type EcsClient } from './provider-rpc.js';

let yb: TestServer;
let ecs: EcsClient;
let vswitchId: string;

beforeAll(async () => {
  yb = await startTestServer({
    clock: 'manual',
    clockStart: '2026-08-01T00:00:00Z',
    metadataListen: '127.0.0.1:0',
  });
  followServerClock(yb);
  ({ vswitchId } = await createNetwork(yb, rootOf(yb)));
  ecs = ecsClient(yb, rootOf(yb));
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

/** resourceAliCloudEcsKeyPairRead: the object it reads, or undefined (NotFound: dropped). */
async function readKeyPair(id: string) {
  const r = await rpcPost(ecs, 'DescribeKeyPairs', { KeyPairName: id, RegionId: yb.region });
  const found = r.KeyPairs.KeyPair as any[];
  if (found.length === 0 || found[0].KeyPairName === '') return undefined;
  const o = found[0];
  return {
    finger_print: o.KeyPairFingerPrint,
    create_time: o.CreationTime,
    resource_group_id: o.ResourceGroupId,
    key_pair_name: o.KeyPairName,
    key_name: o.KeyPairName,
    tags: Object.fromEntries((o.Tags?.Tag ?? []).map((t: any) => [t.TagKey, t.TagValue])),
  };
}

/** resourceAliCloudEcsKeyPairDelete: retried while the key pair is still bound. */
async function deleteKeyPair(id: string): Promise<string> {
  try {
    await rpcPost(ecs, 'DeleteKeyPairs', {
      KeyPairNames: JSON.stringify([id]),
      RegionId: yb.region,
    });
    return 'deleted';
  } catch (e: any) {
    if (e.code === 'InvalidParameter.KeypairAlreadyAttachedInstance') return 'retry';
    throw e;
  }
}

async function runInstance(): Promise<string> {
  const r = await rpcPost(ecs, 'RunInstances', {
    RegionId: yb.region,
    ImageId: TUTORIAL_IMAGE,
    InstanceType: TUTORIAL_INSTANCE_TYPE,
    VSwitchId: vswitchId,
  });
  const id = r.InstanceIdSets.InstanceIdSet[0] as string;
  await waitForState(yb, ecs, id, ['Pending', 'Starting', 'Stopped'], 'Running');
  return id;
}

/** resourceAliCloudEcsKeyPairAttachmentRead: the instance ids bound, or undefined. */
async function readAttachment(keyPairName: string, instanceIds: string[]) {
  const request: Record<string, unknown> = {
    RegionId: yb.region,
    KeyPairName: keyPairName,
    InstanceIds: JSON.stringify(instanceIds),
    MaxResults: 50,
  };
  const bound: string[] = [];
  for (let page = 0; page < 10; page++) {
    const r = await rpcPost(ecs, 'DescribeInstances', request);
    const instances = r.Instances.Instance as any[];
    if (instances.length < 1) return undefined;
    for (const i of instances) if (i.KeyPairName === keyPairName) bound.push(i.InstanceId);
    if (r.NextToken) request.NextToken = r.NextToken;
    else break;
  }
  return [...bound].sort().join() === [...instanceIds].sort().join() ? bound : undefined;
}

describe('resource "alicloud_key_pair"', () => {
  it('create (with key_file) -> read -> delete -> read finds nothing', async () => {
    const created = await rpcPost(ecs, 'CreateKeyPair', {
      RegionId: yb.region,
      KeyPairName: 'terraform-20260801000000000000001',
    });
    const id = created.KeyPairName as string;
    expect(id).toBe('terraform-20260801000000000000001');
    // key_file: written 0600 then 0400; it must be a private key ssh can use.
    expect(createPrivateKey(created.PrivateKeyBody).asymmetricKeyType).toBe('rsa');

    const state = await readKeyPair(id);
    expect(state).toEqual({
      finger_print: created.KeyPairFingerPrint,
      create_time: '2026-08-01T00:00Z',
      resource_group_id: '',
      key_pair_name: id,
      key_name: id,
      tags: {},
    });
    expect(await deleteKeyPair(id)).toBe('deleted');
    expect(await readKeyPair(id)).toBeUndefined();
    // Deleting what is gone is not an error (the provider treats NotFound as done).
    expect(await deleteKeyPair(id)).toBe('deleted');
  });

  it('create from public_key (ImportKeyPair) -> read', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const x = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const line = `ssh-ed25519 ${Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]).toString('base64')}`;
    const r = await rpcPost(ecs, 'ImportKeyPair', {
      RegionId: yb.region,
      KeyPairName: 'imported-from-tf',
      PublicKeyBody: `${line} user@host`,
    });
    expect(r.KeyPairName).toBe('imported-from-tf');
    expect((await readKeyPair('imported-from-tf'))?.finger_print).toBe(r.KeyPairFingerPrint);
  });
});

/** EcsServiceV2.SetResourceTags(d, "keypair"): the resource id, the name, is ResourceId.1. */
const setKeyPairTags = (id: string, old: Record<string, string>, next: Record<string, string>) =>
  setResourceTags(ecs, yb.region, 'keypair', [id], old, next);

describe('resource "alicloud_key_pair" with tags', () => {
  it('create with tags -> read -> update tags -> read -> remove them -> read -> delete', async () => {
    const tags = { Created: 'TF', For: 'acceptance test' };
    const created = await rpcPost(ecs, 'CreateKeyPair', {
      RegionId: yb.region,
      KeyPairName: 'tf-tagged-key',
      'Tag.1.Key': 'Created',
      'Tag.1.Value': tags.Created,
      'Tag.2.Key': 'For',
      'Tag.2.Value': tags.For,
    });
    const id = created.KeyPairName as string;
    expect((await readKeyPair(id))?.tags).toEqual(tags);

    const next = { Created: 'TF', For: 'update test', Team: 'ops' };
    await setKeyPairTags(id, tags, next);
    expect(await readKeyPair(id)).toMatchObject({ key_pair_name: id, tags: next });
    await setKeyPairTags(id, next, {});
    expect((await readKeyPair(id))?.tags).toEqual({});

    expect(await deleteKeyPair(id)).toBe('deleted');
    expect(await readKeyPair(id)).toBeUndefined();
    // A key pair created again under the name is another resource: no tags come back.
    await rpcPost(ecs, 'CreateKeyPair', { RegionId: yb.region, KeyPairName: id });
    expect((await readKeyPair(id))?.tags).toEqual({});
    await setKeyPairTags(id, {}, { Generation: '2' });
    expect((await readKeyPair(id))?.tags).toEqual({ Generation: '2' });
    expect(await deleteKeyPair(id)).toBe('deleted');
  });
});

describe('resource "alicloud_key_pair_attachment"', () => {
  it('create (force) -> read -> key pair delete retried while bound -> delete -> read', async () => {
    const name = 'attached-by-tf';
    await rpcPost(ecs, 'CreateKeyPair', { RegionId: yb.region, KeyPairName: name });
    const ids = [await runInstance(), await runInstance()];
    const instanceIds = JSON.stringify(ids);
    const attached = await rpcPost(ecs, 'AttachKeyPair', {
      RegionId: yb.region,
      InstanceIds: instanceIds,
      KeyPairName: name,
    });
    expect(attached.FailCount).toBe(0);
    const attachmentId = `${name}:${instanceIds}`;
    expect(attachmentId.split(':')[0]).toBe(name);
    // force = true: reboot each instance and wait for Running.
    for (const id of ids) {
      await rpcPost(ecs, 'RebootInstance', { InstanceId: id, ForceStop: true });
      await waitForState(yb, ecs, id, ['Starting', 'Stopping', 'Stopped'], 'Running');
    }
    expect(await readAttachment(name, ids)).toEqual(ids);
    // The instance serves the key (cloud-init reads it at boot).
    const url = await yb.metadata.urlFor(ids[0]!);
    expect(await fetch(`${url}/latest/meta-data/public-keys/`).then((r) => r.status)).toBe(200);

    // `terraform destroy` with the attachment still there: the key pair delete is retried.
    expect(await deleteKeyPair(name)).toBe('retry');
    await rpcPost(ecs, 'DetachKeyPair', {
      RegionId: yb.region,
      KeyPairName: name,
      InstanceIds: instanceIds,
    });
    expect(await readAttachment(name, ids)).toBeUndefined();
    expect(await deleteKeyPair(name)).toBe('deleted');
    const gone = await failure(
      rpcPost(ecs, 'AttachKeyPair', {
        RegionId: yb.region,
        InstanceIds: instanceIds,
        KeyPairName: name,
      }),
    );
    expect(gone.code).toBe('InvalidKeyPairName.NotFound');
  });
});
