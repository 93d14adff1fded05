/**
 * Secrets never reach the audit trail. Calls that carry or return secrets — CreateAccessKey and
 * AssumeRole (their responses), STS-signed RPC calls (SecurityToken parameter, x-acs-security-token
 * header, and a refused one whose error quotes the string to sign), STS-signed OSS requests and
 * presigned URLs (V1 and V4, with tokens), RunInstances with Password and UserData, a password
 * passed where none is expected — are all recorded, and not one of their secrets, tokens,
 * signatures or payloads appears anywhere in the trail table or in LookupEvents' answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcCall } from '../../../src/protocol/rpc-client.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import {
  $Ecs,
  $Sts,
  ecsClient,
  ossClient,
  popClient,
  stsClient,
  type TestCredentials,
} from '../../../src/testing/sdk.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  createRamRole,
  createUserWithKey,
  rootOf,
  sessionCredentials,
} from '../../../src/testing/fixtures.js';
import { failure } from '../../../src/testing/failure.js';
import { lookupAll } from './helpers.js';

const BUCKET = 'secret-bucket';
const PASSWORD = 'Sup3r-Secret-Passw0rd!';
const USER_DATA_TEXT = '#!/bin/sh\necho user-data-secret-payload-42\n';
const USER_DATA = Buffer.from(USER_DATA_TEXT).toString('base64');

let yb: TestServer;
let sts: TestCredentials;
/** Every secret, token and signature the calls carried or received. */
const secrets = new Map<string, string>();

function keep(label: string, value: string | undefined): void {
  expect(value, label).toBeTruthy();
  secrets.set(label, value!);
}

beforeAll(async () => {
  yb = await startTestServer();
  const root = rootOf(yb);
  keep('root secret', root.accessKeySecret);

  // CreateAccessKey returns a secret: through the ACS3 SDK and through pop-core (signature v1).
  const bob = await createUserWithKey(yb, root, 'bob', ['AliyunSTSAssumeRoleAccess']);
  keep('bob secret (SDK)', bob.accessKeySecret);
  const again = await popClient(yb, root, '2015-05-01').request<any>('CreateAccessKey', {
    UserName: 'bob',
  });
  keep('bob secret (pop-core)', again.AccessKey.AccessKeySecret);

  // AssumeRole returns a secret and a token.
  await createRamRole(yb, root, 'bucket-writer', [yb.accountId], {
    systemPolicies: ['AliyunOSSFullAccess'],
  });
  const roleArn = `acs:ram::${yb.accountId}:role/bucket-writer`;
  const assumed = await stsClient(yb, bob).assumeRole(
    new $Sts.AssumeRoleRequest({ roleArn, roleSessionName: 'sdk-session' }),
  );
  const c1 = assumed.body!.credentials!;
  keep('session secret (SDK)', c1.accessKeySecret);
  keep('session token (SDK)', c1.securityToken);
  const viaPop = await popClient(yb, bob, '2015-04-01').request<any>('AssumeRole', {
    RoleArn: roleArn,
    RoleSessionName: 'pop-session',
  });
  keep('session secret (pop-core)', viaPop.Credentials.AccessKeySecret);
  keep('session token (pop-core)', viaPop.Credentials.SecurityToken);
  sts = sessionCredentials(c1);

  // STS-signed RPC calls: the token as a parameter (v1), as a header (ACS3), and a refused call
  // whose SignatureDoesNotMatch message quotes the string to sign (token included).
  await popClient(yb, sts, '2015-04-01').request('GetCallerIdentity', {});
  await stsClient(yb, sts).getCallerIdentity();
  const signed = await rpcCall({
    endpoint: yb.endpoint,
    version: '2015-04-01',
    action: 'GetCallerIdentity',
    credentials: sts,
    tamperAfterSign: (params) => keep('v1 signature', params.get('Signature')),
  });
  expect(signed.status).toBe(200);
  const refused = await rpcCall({
    endpoint: yb.endpoint,
    version: '2015-04-01',
    action: 'GetCallerIdentity',
    credentials: { ...sts, accessKeySecret: 'not-the-secret-0000000000' },
  });
  expect(refused.json.Code).toBe('SignatureDoesNotMatch');
  expect(refused.text).toContain('SecurityToken%3D');
  const acs3 = await rpcCall({
    endpoint: yb.endpoint,
    version: '2015-05-01',
    action: 'ListUsers',
    credentials: root,
    signature: 'acs3',
    tamperAfterSign: () => {},
  });
  expect(acs3.status).toBe(200);

  // A password where none is expected, and ECS Password and UserData.
  await popClient(yb, root, '2015-05-01').request('CreateUser', {
    UserName: 'carol',
    Password: PASSWORD,
  });
  const { vswitchId } = await createNetwork(yb, root);
  await ecsClient(yb, root).runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: yb.region,
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      vSwitchId: vswitchId,
      password: PASSWORD,
      userData: USER_DATA,
    }),
  );

  // OSS with STS credentials: header-signed, presigned V1 and V4 URLs (tokens in the query), and
  // a tampered URL refused with SignatureDoesNotMatch.
  await ossClient(yb, root, { bucket: BUCKET }).putBucket(BUCKET);
  const oss = ossClient(yb, sts, { bucket: BUCKET, style: 'path' });
  await oss.put('doc.txt', Buffer.from('document'));
  expect((await oss.get('doc.txt')).content.toString()).toBe('document');
  const v1 = new URL(oss.signatureUrl('doc.txt', { expires: 300 }));
  keep('presigned V1 signature', v1.searchParams.get('Signature') ?? undefined);
  expect(v1.searchParams.get('security-token')).toBe(sts.securityToken);
  expect((await fetch(v1)).status).toBe(200);
  const tampered = new URL(v1);
  tampered.searchParams.set('Expires', String(Number(v1.searchParams.get('Expires')) + 1));
  expect((await fetch(tampered)).status).toBe(403);
  const v4client = ossClient(yb, sts, { bucket: BUCKET, style: 'path', v4: true });
  const v4 = new URL(await v4client.signatureUrlV4('GET', 300, undefined, 'doc.txt'));
  keep('presigned V4 signature', v4.searchParams.get('x-oss-signature') ?? undefined);
  expect(v4.searchParams.get('x-oss-security-token')).toBe(sts.securityToken);
  expect((await fetch(v4)).status).toBe(200);

  // And a refused call presenting a secret as a token.
  await failure(
    popClient(
      yb,
      { accessKeyId: 'STS.NotARealKey', accessKeySecret: 'x', securityToken: root.accessKeySecret },
      '2015-04-01',
    ).request('GetCallerIdentity', {}),
  );
  await yb.services.trail.recorder.flush();
});
afterAll(async () => {
  await yb?.close();
});

describe('secrets in the audit trail', () => {
  it('the calls are recorded', async () => {
    const all = await lookupAll(yb, rootOf(yb));
    const names = all.map((e) => e.eventName);
    for (const name of [
      'CreateAccessKey',
      'AssumeRole',
      'GetCallerIdentity',
      'CreateUser',
      'RunInstances',
      'PutObject',
      'GetObject',
    ]) {
      expect(names, name).toContain(name);
    }
    const run = all.find((e) => e.eventName === 'RunInstances')!;
    expect(run.requestParameters.ImageId).toBe(TUTORIAL_IMAGE);
    expect(run.requestParameters).not.toHaveProperty('UserData');
    expect(run.requestParameters).not.toHaveProperty('Password');
    const mismatch = all.find(
      (e) => e.errorCode === 'SignatureDoesNotMatch' && e.serviceName === 'Sts',
    )!;
    expect(mismatch.errorMessage).toBe('Specified signature is not matched with our calculation.');
    const fake = all.find((e) => e.userIdentity.accessKeyId === 'STS.NotARealKey')!;
    expect(fake.userIdentity.type).toBe('unknown');
    expect(fake.errorCode).toMatch(/^InvalidSecurityToken/);
    const ossMismatch = all.find(
      (e) => e.errorCode === 'SignatureDoesNotMatch' && e.serviceName === 'Oss',
    )!;
    expect(ossMismatch.userIdentity).toMatchObject({
      type: 'unknown',
      accessKeyId: sts.accessKeyId,
    });
    const presigned = all.filter(
      (e) => e.eventName === 'GetObject' && e.userIdentity.type === 'assumed-role',
    );
    expect(presigned.length).toBeGreaterThanOrEqual(3);
    expect(presigned.every((e) => !('security-token' in e.requestParameters))).toBe(true);
  });

  it('no secret, token or signature is in the trail table', async () => {
    // Every stored column, as the trail's writer thread stored it (its own file on SQLite).
    await yb.services.trail.recorder.flush();
    const rows = await yb.services.trail.store.lookup({
      accountId: yb.accountId,
      start: 0,
      end: Number.MAX_SAFE_INTEGER,
      filters: [],
      direction: 'forward',
      limit: 100_000,
    });
    expect(rows.length).toBeGreaterThan(20);
    const dump = JSON.stringify(rows);
    for (const [label, secret] of [...secrets, ['password', PASSWORD], ['user data', USER_DATA]]) {
      expect(dump.includes(secret!), label).toBe(false);
      expect(dump.includes(encodeURIComponent(secret!)), `${label} (encoded)`).toBe(false);
      const twice = encodeURIComponent(encodeURIComponent(secret!));
      expect(dump.includes(twice), `${label} (encoded twice)`).toBe(false);
    }
    expect(dump).not.toContain('user-data-secret-payload-42');
  });

  it('no secret, token or signature is in LookupEvents', async () => {
    const answers = [
      await lookupAll(yb, rootOf(yb)),
      await lookupAll(yb, rootOf(yb), [], { Direction: 'FORWARD' }),
    ];
    const dump = JSON.stringify(answers);
    for (const [label, secret] of [...secrets, ['password', PASSWORD], ['user data', USER_DATA]]) {
      expect(dump.includes(secret!), label).toBe(false);
      expect(dump.includes(encodeURIComponent(secret!)), `${label} (encoded)`).toBe(false);
    }
  });
});
