/**
 * AssumeRoleWithOIDC end to end with an ES256 token (a P-256 key, as many issuers besides
 * Kubernetes' sign with) from a test issuer outside yunbox: an HTTPS server on loopback, with a
 * certificate from yunbox's local CA, serving its discovery document and a JWKS of one EC key. The
 * Tea STS client's unsigned call is answered with credentials; a token signed by another P-256
 * key under the same `kid` is refused with AuthenticationFail.OIDCToken.InvalidSignature.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../../src/testing/failure.js';
import { policyDocument, rootOf, sessionCredentials } from '../../../src/testing/fixtures.js';
import {
  $Ims,
  $Ram,
  $Sts,
  imsClient,
  popClient,
  ramClient,
  stsClient,
} from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ensureCa, issueServerCertificate } from '../../../src/tls/ca.js';

const SUB = 'repo:team/app:ref:refs/heads/main';
const AUD = 'sts.aliyuncs.com';
const KID = 'es-1';

let yb: TestServer;
let issuer: Server;
let issuerUrl: string;
let providerArn: string;
let roleArn: string;
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** An ES256 JWT (JWS signature in the IEEE P1363 r||s form RFC 7518 §3.4 asks for). */
function es256(privateKey: KeyObject, claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${b64({ alg: 'ES256', typ: 'JWT', kid: KID })}.${b64(claims)}`;
  const sig = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

function claims(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuerUrl, sub: SUB, aud: AUD, iat: now, exp: now + 600 };
}

function assume(token: string) {
  return stsClient(yb, { accessKeyId: 'unused', accessKeySecret: 'unused' }).assumeRoleWithOIDC(
    new $Sts.AssumeRoleWithOIDCRequest({
      OIDCProviderArn: providerArn,
      roleArn,
      OIDCToken: token,
      roleSessionName: 'ci-job',
    }),
  );
}

beforeAll(async () => {
  yb = await startTestServer({ tlsListen: '127.0.0.1:0' });
  // The test issuer's certificate comes from yunbox's CA, which AssumeRoleWithOIDC trusts and
  // whose fingerprint DescribeOIDCIssuer prints.
  const ca = await ensureCa(join(yb.dataDir, 'tls'));
  const leaf = await issueServerCertificate(ca, ['127.0.0.1']);
  const jwk = { ...key.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'ES256', use: 'sig' };
  issuer = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration'
        ? {
            issuer: issuerUrl,
            jwks_uri: `${issuerUrl}/jwks`,
            id_token_signing_alg_values_supported: ['ES256'],
          }
        : req.url === '/jwks'
          ? { keys: [jwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((r) => issuer.listen(0, '127.0.0.1', r));
  issuerUrl = `https://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  const { Fingerprint } = await popClient(yb, rootOf(yb), '2026-11-01').request<{
    Fingerprint: string;
  }>('DescribeOIDCIssuer', {}, { method: 'POST' });
  const created = await imsClient(yb, rootOf(yb)).createOIDCProvider(
    new $Ims.CreateOIDCProviderRequest({
      OIDCProviderName: 'ci',
      issuerUrl,
      fingerprints: Fingerprint,
      clientIds: AUD,
    }),
  );
  providerArn = created.body!.OIDCProvider!.arn!;
  await ramClient(yb, rootOf(yb)).createRole(
    new $Ram.CreateRoleRequest({
      roleName: 'ci-deployer',
      assumeRolePolicyDocument: policyDocument([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [providerArn] },
          Condition: { StringEquals: { 'oidc:sub': SUB, 'oidc:aud': AUD } },
        },
      ]),
    }),
  );
  roleArn = `acs:ram::${yb.accountId}:role/ci-deployer`;
});
afterAll(async () => {
  await new Promise<void>((r) => (issuer ? issuer.close(() => r()) : r()));
  issuer?.closeAllConnections();
  await yb?.close();
});

describe('AssumeRoleWithOIDC with an ES256 token', () => {
  it('answers credentials for a token the issuer signed', async () => {
    const r = await assume(es256(key.privateKey, claims()));
    expect(r.body!.OIDCTokenInfo).toMatchObject({ subject: SUB, issuer: issuerUrl });
    const who = await stsClient(yb, sessionCredentials(r.body!.credentials!)).getCallerIdentity();
    expect(who.body!.arn).toBe(`acs:ram::${yb.accountId}:assumed-role/ci-deployer/ci-job`);
  });

  it('refuses a token another key signed under the same kid', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const e = await failure(assume(es256(other.privateKey, claims())));
    expect([e.statusCode, e.code]).toEqual([401, 'AuthenticationFail.OIDCToken.InvalidSignature']);
  });
});
