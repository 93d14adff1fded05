/**
 * SSH key pairs through @alicloud/ecs20140526: CreateKeyPair (an RSA private key returned once,
 * never again), ImportKeyPair (OpenSSH keys validated), DescribeKeyPairs (wildcards, fingerprints,
 * IncludePublicKey, pages), binding at launch and with AttachKeyPair/DetachKeyPair (per-instance
 * results, replacing the key pair an instance had), the public key served at
 * `meta-data/public-keys/<id>/openssh-key` as cloud-init reads it, DescribeInstances' KeyPairName,
 * DeleteKeyPairs refusing a bound key pair and deleting nothing, the error codes, and RAM
 * authorisation on `keypair/<name>`.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { failure } from '../../../src/testing/failure.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  createUserWithKey,
  grantCustomPolicy,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

let yb: TestServer;
let ecs: ReturnType<typeof ecsClient>;
let vswitchId: string;

beforeAll(async () => {
  yb = await startTestServer({
    clock: 'manual',
    clockStart: '2026-07-01T08:00:00Z',
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

/** The OpenSSH line of an Ed25519 public key. */
function ed25519Line(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(x)]);
  return `ssh-ed25519 ${blob.toString('base64')}`;
}

async function runInstance(extra: Record<string, unknown> = {}): Promise<string> {
  const r = await ecs.runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: 'cn-hangzhou',
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      vSwitchId: vswitchId,
      ...extra,
    }),
  );
  const id = r.body!.instanceIdSets!.instanceIdSet![0]!;
  advanceClocks(yb, 2);
  return id;
}

const describeKeyPairs = async (extra: Record<string, unknown> = {}) =>
  (
    await ecs.describeKeyPairs(
      new $Ecs.DescribeKeyPairsRequest({ regionId: 'cn-hangzhou', ...extra }),
    )
  ).body!;

const publicKeysOf = async (instanceId: string) => {
  const url = await yb.metadata.urlFor(instanceId);
  const listing = await fetch(`${url}/latest/meta-data/public-keys/`);
  if (listing.status !== 200) return { status: listing.status, keys: {} as Record<string, string> };
  const keys: Record<string, string> = {};
  for (const entry of (await listing.text()).split('\n')) {
    const id = entry.replace(/\/$/, '');
    keys[id] = await fetch(`${url}/latest/meta-data/public-keys/${id}/openssh-key`).then((r) =>
      r.text(),
    );
  }
  return { status: 200, keys };
};

describe('creating and importing', () => {
  it('creates an RSA key pair whose private key is returned once and matches what is kept', async () => {
    const r = await ecs.createKeyPair(
      new $Ecs.CreateKeyPairRequest({ regionId: 'cn-hangzhou', keyPairName: 'created-key' }),
    );
    const body = r.body!;
    expect(body.keyPairName).toBe('created-key');
    expect(body.keyPairId).toMatch(/^skp-[a-z0-9]{20}$/);
    expect(body.keyPairFingerPrint).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(body.privateKeyBody).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const derived = createPublicKey(createPrivateKey(body.privateKeyBody!));
    expect(derived.asymmetricKeyDetails?.modulusLength).toBe(2048);

    const listed = await describeKeyPairs({ keyPairName: 'created-key', includePublicKey: true });
    expect(listed.totalCount).toBe(1);
    const kp = listed.keyPairs!.keyPair![0]!;
    expect(kp).toMatchObject({
      keyPairName: 'created-key',
      keyPairFingerPrint: body.keyPairFingerPrint,
      creationTime: '2026-07-01T08:00Z',
    });
    expect(kp.publicKey).toMatch(/^ssh-rsa AAAA/);
    // The private key is nowhere to be read again.
    expect(JSON.stringify(await describeKeyPairs({ includePublicKey: true }))).not.toContain(
      'PRIVATE',
    );
    const row = JSON.stringify(await yb.db.k.selectFrom('ecs_key_pairs').selectAll().execute());
    expect(row).not.toContain('PRIVATE');

    const twice = await failure(
      ecs.createKeyPair(
        new $Ecs.CreateKeyPairRequest({ regionId: 'cn-hangzhou', keyPairName: 'created-key' }),
      ),
    );
    expect([twice.statusCode, twice.code]).toEqual([400, 'KeyPair.AlreadyExist']);
  });

  it('imports OpenSSH public keys and refuses what is not one', async () => {
    const line = ed25519Line();
    const r = await ecs.importKeyPair(
      new $Ecs.ImportKeyPairRequest({
        regionId: 'cn-hangzhou',
        keyPairName: 'imported-key',
        publicKeyBody: `${line} me@laptop`,
      }),
    );
    expect(r.body!.keyPairName).toBe('imported-key');
    const kp = (await describeKeyPairs({ keyPairName: 'imported-key', includePublicKey: true }))
      .keyPairs!.keyPair![0]!;
    expect(kp.publicKey).toBe(line);
    expect(kp.keyPairFingerPrint).toBe(r.body!.keyPairFingerPrint);

    const cases: Array<[Record<string, unknown>, string]> = [
      [{ keyPairName: 'bad1', publicKeyBody: 'not a key' }, '400 InvalidPublicKeyBody.Malformed'],
      [
        { keyPairName: 'bad2', publicKeyBody: line.replace('ssh-ed25519', 'ssh-rsa') },
        '400 InvalidPublicKeyBody.Malformed',
      ],
      [
        { keyPairName: 'bad3', publicKeyBody: 'x'.repeat(9000) },
        '400 InvalidPublicKeyBody.Malformed',
      ],
      [{ keyPairName: '1-digit', publicKeyBody: line }, '400 InvalidKeyPairName.Malformed'],
      [{ keyPairName: 'imported-key', publicKeyBody: line }, '400 KeyPair.AlreadyExist'],
      [{ keyPairName: 'no-body' }, '400 MissingPublicKeyBody'],
    ];
    for (const [extra, expected] of cases) {
      const e = await failure(
        ecs.importKeyPair(new $Ecs.ImportKeyPairRequest({ regionId: 'cn-hangzhou', ...extra })),
      );
      expect(`${e.statusCode} ${e.code}`, JSON.stringify(extra).slice(0, 60)).toBe(expected);
    }
    expect((await describeKeyPairs({ keyPairName: 'bad*' })).totalCount).toBe(0);
  });

  it('lists with wildcards, fingerprints and pages', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) {
      await ecs.importKeyPair(
        new $Ecs.ImportKeyPairRequest({
          regionId: 'cn-hangzhou',
          keyPairName: n,
          publicKeyBody: ed25519Line(),
        }),
      );
    }
    const pages = await describeKeyPairs({ keyPairName: 'page-*', pageSize: 2, pageNumber: 2 });
    expect(pages.totalCount).toBe(3);
    expect(pages.keyPairs!.keyPair!.map((k) => k.keyPairName)).toEqual(['page-c']);
    const one = (await describeKeyPairs({ keyPairName: 'page-a' })).keyPairs!.keyPair![0]!;
    expect(one.publicKey).toBeUndefined();
    const byPrint = await describeKeyPairs({ keyPairFingerPrint: one.keyPairFingerPrint });
    expect(byPrint.keyPairs!.keyPair!.map((k) => k.keyPairName)).toEqual(['page-a']);
    expect((await failure(describeKeyPairs({ pageSize: 51 }))).code).toBe('InvalidPageSize');
  });
});

describe('binding key pairs to instances', () => {
  it('binds at launch, replaces and unbinds, serving the key to the instance', async () => {
    const first = ed25519Line();
    const second = ed25519Line();
    for (const [name, publicKeyBody] of [
      ['first-key', first],
      ['second-key', second],
    ]) {
      await ecs.importKeyPair(
        new $Ecs.ImportKeyPairRequest({
          regionId: 'cn-hangzhou',
          keyPairName: name,
          publicKeyBody,
        }),
      );
    }
    const id = await runInstance({ keyPairName: 'first-key' });
    const withFirst = await publicKeysOf(id);
    expect(Object.values(withFirst.keys)).toEqual([first]);
    const [keyId] = Object.keys(withFirst.keys);
    expect(keyId).toMatch(/^skp-/);
    const url = await yb.metadata.urlFor(id);
    const all = JSON.parse(await fetch(`${url}/latest/meta-data/all`).then((r) => r.text()));
    expect(all['public-keys']).toEqual({ [keyId!]: { 'openssh-key': first } });
    expect((await fetch(`${url}/latest/meta-data/`).then((r) => r.text())).split('\n')).toContain(
      'public-keys/',
    );

    const described = await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: 'cn-hangzhou', keyPairName: 'first-key' }),
    );
    expect(described.body!.instances!.instance!.map((i) => [i.instanceId, i.keyPairName])).toEqual([
      [id, 'first-key'],
    ]);

    // AttachKeyPair replaces the key pair (doc "AttachKeyPair"); unknown instances fail alone.
    const attached = await ecs.attachKeyPair(
      new $Ecs.AttachKeyPairRequest({
        regionId: 'cn-hangzhou',
        keyPairName: 'second-key',
        instanceIds: JSON.stringify([id, 'i-nothere']),
      }),
    );
    expect(attached.body).toMatchObject({
      keyPairName: 'second-key',
      totalCount: '2',
      failCount: '1',
    });
    expect(attached.body!.results!.result).toEqual([
      { instanceId: id, success: 'true', code: '200', message: 'successful' },
      expect.objectContaining({
        instanceId: 'i-nothere',
        success: 'false',
        code: 'InvalidInstanceId.NotFound',
      }),
    ]);
    expect(Object.values((await publicKeysOf(id)).keys)).toEqual([second]);

    // A bound key pair cannot be deleted, and nothing in the call is.
    const refused = await failure(
      ecs.deleteKeyPairs(
        new $Ecs.DeleteKeyPairsRequest({
          regionId: 'cn-hangzhou',
          keyPairNames: JSON.stringify(['first-key', 'second-key']),
        }),
      ),
    );
    expect([refused.statusCode, refused.code]).toEqual([
      400,
      'InvalidParameter.KeypairAlreadyAttachedInstance',
    ]);
    expect((await describeKeyPairs({ keyPairName: '*-key' })).totalCount).toBeGreaterThanOrEqual(2);

    const detachOther = await ecs.detachKeyPair(
      new $Ecs.DetachKeyPairRequest({
        regionId: 'cn-hangzhou',
        keyPairName: 'first-key',
        instanceIds: JSON.stringify([id]),
      }),
    );
    expect(detachOther.body!.failCount).toBe('1');
    await ecs.detachKeyPair(
      new $Ecs.DetachKeyPairRequest({
        regionId: 'cn-hangzhou',
        keyPairName: 'second-key',
        instanceIds: JSON.stringify([id]),
      }),
    );
    expect((await publicKeysOf(id)).status).toBe(404);
    expect((await describe1(id)).keyPairName).toBe('');
    await ecs.deleteKeyPairs(
      new $Ecs.DeleteKeyPairsRequest({
        regionId: 'cn-hangzhou',
        keyPairNames: JSON.stringify(['first-key', 'second-key', 'never-existed']),
      }),
    );
    expect((await describeKeyPairs({ keyPairName: 'first-key' })).totalCount).toBe(0);
    const gone = await failure(
      ecs.attachKeyPair(
        new $Ecs.AttachKeyPairRequest({
          regionId: 'cn-hangzhou',
          keyPairName: 'first-key',
          instanceIds: JSON.stringify([id]),
        }),
      ),
    );
    expect([gone.statusCode, gone.code]).toEqual([400, 'InvalidKeyPairName.NotFound']);
  });

  it('refuses too many instances and instances in a transition', async () => {
    await ecs.importKeyPair(
      new $Ecs.ImportKeyPairRequest({
        regionId: 'cn-hangzhou',
        keyPairName: 'busy-key',
        publicKeyBody: ed25519Line(),
      }),
    );
    const many = await failure(
      ecs.attachKeyPair(
        new $Ecs.AttachKeyPairRequest({
          regionId: 'cn-hangzhou',
          keyPairName: 'busy-key',
          instanceIds: JSON.stringify(Array.from({ length: 51 }, (_, n) => `i-${n}`)),
        }),
      ),
    );
    expect([many.statusCode, many.code]).toEqual([403, 'InstanceKeyPairLimitExceeded']);
    const pending = (
      await ecs.createInstance(
        new $Ecs.CreateInstanceRequest({
          regionId: 'cn-hangzhou',
          imageId: TUTORIAL_IMAGE,
          instanceType: TUTORIAL_INSTANCE_TYPE,
          vSwitchId: vswitchId,
        }),
      )
    ).body!.instanceId!;
    const r = await ecs.attachKeyPair(
      new $Ecs.AttachKeyPairRequest({
        regionId: 'cn-hangzhou',
        keyPairName: 'busy-key',
        instanceIds: JSON.stringify([pending]),
      }),
    );
    expect(r.body!.results!.result![0]).toMatchObject({
      success: 'false',
      code: 'IncorrectInstanceStatus',
    });
  });

  it('authorises on keypair/<name> and instance/<id>', async () => {
    const dev = await createUserWithKey(yb, rootOf(yb), 'keydev');
    await grantCustomPolicy(yb, rootOf(yb), 'keydev', 'OwnKeysOnly', [
      {
        Effect: 'Allow',
        Action: ['ecs:CreateKeyPair', 'ecs:DeleteKeyPairs', 'ecs:AttachKeyPair'],
        Resource: 'acs:ecs:*:*:keypair/*',
      },
      { Effect: 'Deny', Action: 'ecs:DeleteKeyPairs', Resource: 'acs:ecs:*:*:keypair/keep-*' },
    ]);
    const devEcs = ecsClient(yb, dev);
    await devEcs.createKeyPair(
      new $Ecs.CreateKeyPairRequest({ regionId: 'cn-hangzhou', keyPairName: 'keep-this' }),
    );
    await devEcs.createKeyPair(
      new $Ecs.CreateKeyPairRequest({ regionId: 'cn-hangzhou', keyPairName: 'drop-this' }),
    );
    const denied = await failure(
      devEcs.deleteKeyPairs(
        new $Ecs.DeleteKeyPairsRequest({
          regionId: 'cn-hangzhou',
          keyPairNames: JSON.stringify(['drop-this', 'keep-this']),
        }),
      ),
    );
    expect([denied.statusCode, denied.code]).toEqual([403, 'Forbidden.RAM']);
    expect((await describeKeyPairs({ keyPairName: 'drop-this' })).totalCount).toBe(1);
    await devEcs.deleteKeyPairs(
      new $Ecs.DeleteKeyPairsRequest({
        regionId: 'cn-hangzhou',
        keyPairNames: JSON.stringify(['drop-this']),
      }),
    );
    // The key pair is allowed, the instance is not.
    const id = await runInstance();
    const noInstance = await failure(
      devEcs.attachKeyPair(
        new $Ecs.AttachKeyPairRequest({
          regionId: 'cn-hangzhou',
          keyPairName: 'keep-this',
          instanceIds: JSON.stringify([id]),
        }),
      ),
    );
    expect(noInstance.code).toBe('Forbidden.RAM');
    expect(noInstance.data.Message).toContain(`instance/${id}`);
    const noImport = await failure(
      devEcs.importKeyPair(
        new $Ecs.ImportKeyPairRequest({
          regionId: 'cn-hangzhou',
          keyPairName: 'dev-imported',
          publicKeyBody: ed25519Line(),
        }),
      ),
    );
    expect(noImport.code).toBe('Forbidden.RAM');
  });
});

async function describe1(instanceId: string) {
  return (
    await ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: 'cn-hangzhou',
        instanceIds: JSON.stringify([instanceId]),
      }),
    )
  ).body!.instances!.instance![0]!;
}
