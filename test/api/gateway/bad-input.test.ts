/**
 * Every bad input the RPC gateway must refuse, each with its exact code and status, and nothing
 * stored. Requests are built with our own signer (the official SDKs never send most of these).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { rowCounts } from '../../../src/testing/snapshot.js';
import { rpcCall, type RpcCall } from '../../../src/protocol/rpc-client.js';
import { $Ram, $Sts, ramClient, stsClient } from '../../../src/testing/sdk.js';
import {
  ECS_TRUST_POLICY,
  createUserWithKey,
  ramTrustPolicy,
  rootOf,
} from '../../../src/testing/fixtures.js';
import { isoSeconds } from '../../../src/kernel/clock.js';

let yb: TestServer;
let root: { accessKeyId: string; accessKeySecret: string };
let session: { accessKeyId: string; accessKeySecret: string; securityToken: string };
let otherSession: typeof session;

const createRole = (over: Partial<RpcCall> = {}, params: Record<string, string> = {}) =>
  rpcCall({
    endpoint: yb.endpoint,
    version: '2015-05-01',
    action: 'CreateRole',
    credentials: root,
    params: { RoleName: 'bad-input-role', AssumeRolePolicyDocument: ECS_TRUST_POLICY, ...params },
    ...over,
  });

beforeAll(async () => {
  yb = await startTestServer();
  root = rootOf(yb);
  const user = await createUserWithKey(yb, root, 'chain', ['AliyunSTSAssumeRoleAccess']);
  await ramClient(yb, root).createRole(
    new $Ram.CreateRoleRequest({
      roleName: 'target',
      assumeRolePolicyDocument: ramTrustPolicy([yb.accountId]),
    }),
  );
  const assume = async (n: string) => {
    const r = await stsClient(yb, user).assumeRole(
      new $Sts.AssumeRoleRequest({
        roleArn: `acs:ram::${yb.accountId}:role/target`,
        roleSessionName: n,
      }),
    );
    const c = r.body!.credentials!;
    return {
      accessKeyId: c.accessKeyId!,
      accessKeySecret: c.accessKeySecret!,
      securityToken: c.securityToken!,
    };
  };
  session = await assume('s1');
  otherSession = await assume('s2');
});
afterAll(async () => {
  await yb?.close();
});

async function expectRefused(
  send: () => Promise<{ status: number; json: any; headers: Headers }>,
  code: string,
  status: number,
) {
  const before = await rowCounts(yb.db);
  const r = await send();
  expect({ status: r.status, code: r.json?.Code }).toEqual({ status, code });
  expect(r.json.Message).toEqual(expect.any(String));
  expect(r.json.RequestId).toBe(r.headers.get('x-acs-request-id'));
  expect(r.json.HostId).toBe('ram.aliyuncs.com');
  expect(await rowCounts(yb.db)).toEqual(before);
  return r.json;
}

describe('signature and credentials', () => {
  it('unknown AccessKey', () =>
    expectRefused(
      () => createRole({ credentials: { accessKeyId: 'LTAInope', accessKeySecret: 'x' } }),
      'InvalidAccessKeyId.NotFound',
      404,
    ));

  it('disabled AccessKey', async () => {
    const u = await createUserWithKey(yb, root, 'disabled-user', ['AdministratorAccess']);
    await ramClient(yb, root).updateAccessKey(
      new $Ram.UpdateAccessKeyRequest({
        userAccessKeyId: u.accessKeyId,
        status: 'Inactive',
        userName: u.userName,
      }),
    );
    await expectRefused(() => createRole({ credentials: u }), 'InvalidAccessKeyId.Inactive', 400);
  });

  it('wrong signature (v1), with the server string to sign in the message', async () => {
    const j = await expectRefused(
      () => createRole({ credentials: { ...root, accessKeySecret: 'wrong' } }),
      'SignatureDoesNotMatch',
      400,
    );
    expect(j.Message).toMatch(
      /^Specified signature is not matched with our calculation\. server string to sign is:GET&%2F&AccessKeyId%3D/,
    );
  });

  it('wrong signature (ACS3)', () =>
    expectRefused(
      () => createRole({ signature: 'acs3', credentials: { ...root, accessKeySecret: 'wrong' } }),
      'SignatureDoesNotMatch',
      400,
    ));

  it('a parameter changed after signing', () =>
    expectRefused(
      () => createRole({ tamperAfterSign: (p) => p.set('RoleName', 'other-name') }),
      'SignatureDoesNotMatch',
      400,
    ));

  it('ACS3 with an x-acs header left unsigned', () =>
    expectRefused(
      () => createRole({ signature: 'acs3', unsignedHeaders: { 'x-acs-extra': '1' } }),
      'IncompleteSignature',
      400,
    ));

  it('ACS3 body different from its signed hash', () =>
    expectRefused(
      () =>
        createRole({
          signature: 'acs3',
          params: {},
          body: { contentType: 'application/x-www-form-urlencoded', data: 'RoleName=x' },
          contentSha256: 'a'.repeat(64),
        }),
      'SignatureDoesNotMatch',
      400,
    ));

  it('no signature at all', () =>
    expectRefused(() => createRole({ credentials: undefined }), 'MissingParameter', 400));

  it('missing Timestamp', () =>
    expectRefused(
      () => createRole({ tamperBeforeSign: (p) => p.delete('Timestamp') }),
      'MissingParameter',
      400,
    ));

  it('malformed Timestamp', () =>
    expectRefused(
      () => createRole({ timestamp: '2026/01/01 00:00:00' }),
      'InvalidTimeStamp.Format',
      400,
    ));

  it('Timestamp beyond the 15-minute skew, both ways', async () => {
    await expectRefused(
      () => createRole({ timestamp: isoSeconds(Date.now() - 16 * 60_000) }),
      'InvalidTimeStamp.Expired',
      400,
    );
    await expectRefused(
      () => createRole({ timestamp: isoSeconds(Date.now() + 16 * 60_000) }),
      'InvalidTimeStamp.Expired',
      400,
    );
  });

  it('ACS3 x-acs-date beyond the skew', () =>
    expectRefused(
      () => createRole({ signature: 'acs3', timestamp: isoSeconds(Date.now() - 3600_000) }),
      'InvalidTimeStamp.Expired',
      400,
    ));

  it('a reused SignatureNonce (after one success)', async () => {
    const nonce = `nonce-${Date.now()}`;
    const ok = await rpcCall({
      endpoint: yb.endpoint,
      version: '2015-05-01',
      action: 'ListRoles',
      credentials: root,
      nonce,
    });
    expect(ok.status).toBe(200);
    await expectRefused(() => createRole({ nonce }), 'SignatureNonceUsed', 400);
  });

  it('missing SignatureNonce', () =>
    expectRefused(
      () => createRole({ tamperBeforeSign: (p) => p.delete('SignatureNonce') }),
      'MissingParameter',
      400,
    ));

  it('unsupported SignatureMethod', () =>
    expectRefused(
      () => createRole({ tamperBeforeSign: (p) => p.set('SignatureMethod', 'HMAC-SHA256') }),
      'InvalidSignatureMethod',
      400,
    ));

  it('an STS key without its token', () =>
    expectRefused(
      () =>
        createRole({
          credentials: {
            accessKeyId: session.accessKeyId,
            accessKeySecret: session.accessKeySecret,
          },
        }),
      'MissingSecurityToken',
      400,
    ));

  it('a tampered token', () =>
    expectRefused(
      () =>
        createRole({
          credentials: { ...session, securityToken: session.securityToken.slice(0, -6) + 'AAAAAA' },
        }),
      'InvalidSecurityToken.Malformed',
      400,
    ));

  it('a token belonging to another STS key', () =>
    expectRefused(
      () => createRole({ credentials: { ...session, securityToken: otherSession.securityToken } }),
      'InvalidSecurityToken.MismatchWithAccessKey',
      400,
    ));

  it('a token that is not ours at all', () =>
    expectRefused(
      () => createRole({ credentials: { ...session, securityToken: 'CAIS' + 'x'.repeat(80) } }),
      'InvalidSecurityToken.Malformed',
      400,
    ));
});

describe('routing and parameters', () => {
  it('unknown Action', () =>
    expectRefused(() => createRole({ action: 'CreateRoleX' }), 'InvalidAction.NotFound', 404));

  it('unknown Version', async () => {
    const r = await createRole({ version: '2099-01-01' });
    expect({ status: r.status, code: r.json.Code }).toEqual({
      status: 400,
      code: 'InvalidVersion',
    });
  });

  it('unsupported HTTP method', async () => {
    const r = await fetch(`${yb.endpoint}/?Action=ListRoles&Version=2015-05-01`, { method: 'PUT' });
    expect(r.status).toBe(403);
    expect(((await r.json()) as any).Code).toBe('UnsupportedHTTPMethod');
  });

  it('malformed percent-encoding', async () => {
    const r = await fetch(`${yb.endpoint}/?Action=ListRoles&Version=2015-05-01&RoleName=%zz`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).Code).toBe('InvalidParameter');
  });

  it('a parameter given twice', async () => {
    const r = await fetch(`${yb.endpoint}/?Action=ListRoles&Action=ListRoles&Version=2015-05-01`);
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).Code).toBe('InvalidParameter');
  });

  it('a body over the limit', async () => {
    const r = await fetch(`${yb.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'A=' + 'x'.repeat(2 * 1024 * 1024),
    });
    expect(r.status).toBe(413);
    expect(((await r.json()) as any).Code).toBe('InvalidParameter.RequestTooLarge');
  });

  it('missing required parameter', () =>
    expectRefused(() => createRole({}, { RoleName: '' }), 'MissingRoleName', 400));

  it('role name too long / bad characters', async () => {
    await expectRefused(
      () => createRole({}, { RoleName: 'x'.repeat(65) }),
      'InvalidParameter.RoleName.Length',
      400,
    );
    await expectRefused(
      () => createRole({}, { RoleName: 'bad name!' }),
      'InvalidParameter.RoleName.InvalidChars',
      400,
    );
  });

  it('malformed trust policy', async () => {
    const j = await expectRefused(
      () => createRole({}, { AssumeRolePolicyDocument: '{"Version":"1","Statement":[' }),
      'MalformedPolicyDocument',
      400,
    );
    expect(j.Message).toMatch(/malformed/i);
    await expectRefused(
      () => createRole({}, { AssumeRolePolicyDocument: '{"Version":"2","Statement":[]}' }),
      'MalformedPolicyDocument',
      400,
    );
  });

  it('MaxSessionDuration out of range', () =>
    expectRefused(
      () => createRole({}, { MaxSessionDuration: '100' }),
      'InvalidParameter.MaxSessionDuration',
      400,
    ));

  it('trust policy over its length limit', () =>
    expectRefused(
      () =>
        createRole(
          {},
          {
            AssumeRolePolicyDocument: JSON.stringify({
              Version: '1',
              Statement: [],
              Pad: 'x'.repeat(3000),
            }),
          },
        ),
      'InvalidParameter.AssumeRolePolicyDocument.Length',
      400,
    ));

  it('Format=XML errors are XML', async () => {
    const r = await createRole({
      format: 'XML',
      credentials: { accessKeyId: 'LTAInope', accessKeySecret: 'x' },
    });
    expect(r.status).toBe(404);
    expect(r.text).toContain('<Code>InvalidAccessKeyId.NotFound</Code>');
  });
});
