/**
 * AssumeRoleWithOIDC with the official clients: yunbox's own issuer (on its HTTPS listener) signs
 * a token, an IMS provider registers the issuer URL and its CA fingerprint, and the unsigned Tea
 * STS call returns credentials with OIDCTokenInfo that ali-oss uses with the role's rights. Tokens
 * with the wrong audience, subject, issuer, signature, an expired `exp` (yunbox's manual clock),
 * and a provider whose fingerprint matches nothing are refused with Alibaba's codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { followServerClock, restoreClock } from '../../../src/testing/clock.js';
import {
  $Ims,
  $Ram,
  $Sts,
  imsClient,
  ossClient,
  popClient,
  ramClient,
  stsClient,
} from '../../../src/testing/sdk.js';
import { failure } from '../../../src/testing/failure.js';
import {
  createAccount,
  policyDocument,
  rootOf,
  sessionCredentials,
} from '../../../src/testing/fixtures.js';
import { lookupAll } from '../trail/helpers.js';

const SUB = 'system:serviceaccount:default:app';
const AUD = 'sts.aliyuncs.com';

let yb: TestServer;
let issuerUrl: string;
let fingerprint: string;
let providerArn: string;
let roleArn: string;

const yunbox = () => popClient(yb, rootOf(yb), '2026-11-01');
async function token(sub = SUB, aud = AUD, ttl?: number): Promise<string> {
  const r = await yunbox().request<{ Token: string }>(
    'IssueOIDCToken',
    { Subject: sub, Audience: aud, ...(ttl ? { DurationSeconds: ttl } : {}) },
    { method: 'POST' },
  );
  return r.Token;
}
function assume(oidcToken: string, extra: Record<string, unknown> = {}) {
  // Unsigned (authType Anonymous): the credentials given to the client are never used.
  return stsClient(yb, { accessKeyId: 'unused', accessKeySecret: 'unused' }).assumeRoleWithOIDC(
    new $Sts.AssumeRoleWithOIDCRequest({
      OIDCProviderArn: providerArn,
      roleArn,
      OIDCToken: oidcToken,
      roleSessionName: 'pod-app',
      ...extra,
    }),
  );
}

beforeAll(async () => {
  yb = await startTestServer({
    clock: 'manual',
    clockStart: '2026-03-01T00:00:00Z',
    tlsListen: '127.0.0.1:0',
  });
  followServerClock(yb);
  const d = await yunbox().request<{ IssuerUrl: string; Fingerprint: string }>(
    'DescribeOIDCIssuer',
    {},
    { method: 'POST' },
  );
  issuerUrl = d.IssuerUrl;
  fingerprint = d.Fingerprint;
  expect(issuerUrl).toBe(`${yb.tlsEndpoint}/_yunbox/oidc/${yb.accountId}`);
  const ims = imsClient(yb, rootOf(yb));
  const created = await ims.createOIDCProvider(
    new $Ims.CreateOIDCProviderRequest({
      OIDCProviderName: 'ack-rrsa',
      issuerUrl,
      fingerprints: fingerprint,
      clientIds: AUD,
    }),
  );
  providerArn = created.body!.OIDCProvider!.arn!;
  const ram = ramClient(yb, rootOf(yb));
  await ram.createRole(
    new $Ram.CreateRoleRequest({
      roleName: 'app-reader',
      assumeRolePolicyDocument: policyDocument([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [providerArn] },
          Condition: {
            StringEquals: { 'oidc:iss': issuerUrl, 'oidc:aud': AUD, 'oidc:sub': SUB },
          },
        },
      ]),
    }),
  );
  await ram.createPolicy(
    new $Ram.CreatePolicyRequest({
      policyName: 'list-app-data',
      policyDocument: policyDocument([
        { Effect: 'Allow', Action: 'oss:ListObjects', Resource: 'acs:oss:*:*:app-data' },
      ]),
    }),
  );
  await ram.attachPolicyToRole(
    new $Ram.AttachPolicyToRoleRequest({
      policyType: 'Custom',
      policyName: 'list-app-data',
      roleName: 'app-reader',
    }),
  );
  roleArn = `acs:ram::${yb.accountId}:role/app-reader`;
  const root = ossClient(yb, rootOf(yb));
  await root.putBucket('app-data');
  await root.putBucket('other-data');
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

describe('yunbox as an OIDC issuer', () => {
  it('serves its discovery document and JWKS to anyone', async () => {
    const { request } = await import('node:https');
    const { readFile } = await import('node:fs/promises');
    const ca = await readFile(yb.caCertPath!, 'utf8');
    const get = (url: string) =>
      new Promise<any>((resolve, reject) => {
        request(url, { ca }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
        })
          .on('error', reject)
          .end();
      });
    const disco = await get(`${issuerUrl}/.well-known/openid-configuration`);
    expect(disco.status).toBe(200);
    expect(disco.body.issuer).toBe(issuerUrl);
    const jwks = await get(disco.body.jwks_uri);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
    expect((await get(`${yb.tlsEndpoint}/_yunbox/oidc/1/jwks.json`)).status).toBe(404);
  });
});

describe('AssumeRoleWithOIDC', () => {
  it('answers credentials and OIDCTokenInfo; the role rights apply to them', async () => {
    const r = await assume(await token());
    const b = r.body!;
    expect(b.OIDCTokenInfo).toMatchObject({ subject: SUB, issuer: issuerUrl, clientIds: AUD });
    expect(b.assumedRoleUser!.arn).toBe(`acs:ram::${yb.accountId}:role/app-reader/pod-app`);
    const creds = sessionCredentials(b.credentials!);
    const me = await stsClient(yb, creds).getCallerIdentity();
    expect(me.body!.arn).toBe(`acs:ram::${yb.accountId}:assumed-role/app-reader/pod-app`);
    const oss = ossClient(yb, creds);
    oss.useBucket('app-data');
    const listed = await oss.list({ 'max-keys': 10 });
    expect(listed.res.status).toBe(200);
    oss.useBucket('other-data');
    const e = await failure(oss.list({ 'max-keys': 10 }));
    expect(e.status).toBe(403);
  });

  it('narrows the session by Policy, and bounds DurationSeconds by the role', async () => {
    const policy = policyDocument([
      { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:app-data/*' },
    ]);
    const r = await assume(await token(), { policy, durationSeconds: 900 });
    const oss = ossClient(yb, sessionCredentials(r.body!.credentials!));
    oss.useBucket('app-data');
    expect((await failure(oss.list({ 'max-keys': 10 }))).status).toBe(403);
    const e = await failure(assume(await token(), { durationSeconds: 7200 }));
    expect([e.statusCode, e.code]).toEqual([400, 'InvalidParameter.DurationSeconds']);
  });

  it('refuses a token for another audience', async () => {
    const e = await failure(assume(await token(SUB, 'other-client')));
    expect([e.statusCode, e.code]).toEqual([401, 'AuthenticationFail.OIDCToken.AudienceNotMatch']);
    expect(e.data.Message).toContain('other-client');
  });

  it('refuses a subject the trust policy does not allow, naming the rule', async () => {
    const e = await failure(assume(await token('system:serviceaccount:default:intruder')));
    expect([e.statusCode, e.code]).toEqual([401, 'AuthenticationFail.NoPermission']);
    expect(e.data.Message).toContain('app-reader trust policy');
  });

  it('refuses a token of another issuer than the provider', async () => {
    const ims = imsClient(yb, rootOf(yb));
    await ims.createOIDCProvider(
      new $Ims.CreateOIDCProviderRequest({
        OIDCProviderName: 'elsewhere',
        issuerUrl: 'https://issuer.example.com',
        fingerprints: fingerprint,
        clientIds: AUD,
      }),
    );
    const e = await failure(
      assume(await token(), {
        OIDCProviderArn: `acs:ram::${yb.accountId}:oidc-provider/elsewhere`,
      }),
    );
    expect([e.statusCode, e.code]).toEqual([401, 'AuthenticationFail.OIDCToken.Invalid']);
    expect(e.data.Message).toContain('https://issuer.example.com');
  });

  it('refuses a token whose signature does not verify', async () => {
    const [h, p, s] = (await token()).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: `${SUB}x` })).toString('base64url');
    const e = await failure(assume(`${h}.${forged}.${s}`));
    expect([e.statusCode, e.code]).toEqual([401, 'AuthenticationFail.OIDCToken.InvalidSignature']);
    const none = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const e2 = await failure(assume(`${none}.${p}.${s}`));
    expect([e2.statusCode, e2.code]).toEqual([401, 'AuthenticationFail.OIDCToken.Invalid']);
    const e3 = await failure(assume('not-a-jwt'));
    expect([e3.statusCode, e3.code]).toEqual([401, 'AuthenticationFail.OIDCToken.Invalid']);
  });

  it('refuses a provider whose fingerprints match no certificate of the issuer', async () => {
    const ims = imsClient(yb, rootOf(yb));
    await ims.updateOIDCProvider(
      new $Ims.UpdateOIDCProviderRequest({ OIDCProviderName: 'ack-rrsa' }),
    );
    await ims.addFingerprintToOIDCProvider(
      new $Ims.AddFingerprintToOIDCProviderRequest({
        OIDCProviderName: 'ack-rrsa',
        fingerprint: '0'.repeat(40),
      }),
    );
    await ims.removeFingerprintFromOIDCProvider(
      new $Ims.RemoveFingerprintFromOIDCProviderRequest({
        OIDCProviderName: 'ack-rrsa',
        fingerprint,
      }),
    );
    try {
      const e = await failure(assume(await token()));
      expect([e.statusCode, e.code]).toEqual([
        401,
        'AuthenticationFail.OIDCToken.PublicKeyFingerprintMismatch',
      ]);
    } finally {
      await ims.addFingerprintToOIDCProvider(
        new $Ims.AddFingerprintToOIDCProviderRequest({
          OIDCProviderName: 'ack-rrsa',
          fingerprint,
        }),
      );
    }
  });

  it("refuses an expired token by yunbox's clock", async () => {
    const t = await token(SUB, AUD, 600);
    await assume(t);
    await yb.clock.advance(601);
    const e = await failure(assume(t));
    expect([e.statusCode, e.code]).toEqual([401, 'AuthenticationFail.OIDCToken.Expired']);
  });

  it('refuses an unknown provider and a malformed ARN', async () => {
    const e = await failure(
      assume(await token(), { OIDCProviderArn: `acs:ram::${yb.accountId}:oidc-provider/none` }),
    );
    expect([e.statusCode, e.code]).toEqual([401, 'AuthenticationFail.NoPermission']);
    const e2 = await failure(assume(await token(), { OIDCProviderArn: 'acs:ram::x' }));
    expect([e2.statusCode, e2.code]).toEqual([400, 'InvalidParameter.OIDCProviderArn']);
  });

  it("lands in the role's account's trail (the call is unsigned), not in another account's", async () => {
    await assume(await token());
    await failure(assume(await token(SUB, 'someone-else')));
    await yb.services.trail.recorder.flush();
    const mine = await lookupAll(yb, rootOf(yb), [['EventName', 'AssumeRoleWithOIDC']]);
    const ok = mine.find((e) => e.additionalEventData.Decision === 'allow' || !e.errorCode);
    expect(ok?.userIdentity.accountId).toBe(yb.accountId);
    const refused = mine.find(
      (e) => e.errorCode === 'AuthenticationFail.OIDCToken.AudienceNotMatch',
    );
    expect(refused?.userIdentity.accountId).toBe(yb.accountId);
    // The OIDCToken, a bearer credential, is never kept.
    expect(JSON.stringify(mine)).not.toContain('OIDCToken":');
    const other = await createAccount(yb, rootOf(yb), 'team-b');
    expect(await lookupAll(yb, other.root, [['EventName', 'AssumeRoleWithOIDC']])).toEqual([]);
  });
});
