/**
 * ACK RRSA done locally, as a user runs it: a real `yunbox serve` with its HTTPS listener;
 * `yunbox oidc issuer` prints what to register, the IMS client registers it, a role trusts the
 * provider for one subject; `yunbox oidc token` prints a token STS accepts; and an unmodified
 * program under `yunbox workload exec` (the @alicloud/credentials default chain, configured only
 * by the three variables the command sets, the host's credentials kept out) lists a bucket with
 * the role's rights and is refused another; the token file is the program user's alone, and
 * 100.100.100.200 serves no instance there. The sandboxed part needs root on Linux.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  rootCredentialsIn,
  runNode,
  serveIn,
  type ServeProcess,
} from '../../src/testing/spawn.js';
import { isRootLinux, sandboxCheckout, sandboxSkipReason } from '../../src/testing/sandbox.js';
import {
  $Ims,
  $Ram,
  $Sts,
  imsClient,
  ossClient,
  ramClient,
  stsClient,
  type TestCredentials,
} from '../../src/testing/sdk.js';
import { policyDocument } from '../../src/testing/fixtures.js';

const SUB = 'system:serviceaccount:default:app';

let server: ServeProcess;
let dir: string;
let root: TestCredentials & { accountId: string };
let issuer: { issuer: string; fingerprint: string };
let providerArn: string;
let roleArn: string;

const cli = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) =>
  runNode([CLI, ...args, '--endpoint', server.endpoint, '--data', dir], env, 60_000, cwd);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-workload-e2e-'));
  server = await serveIn(dir, { args: ['--tls-listen', '127.0.0.1:0'] });
  root = await rootCredentialsIn(dir);
  const r = await cli(['oidc', 'issuer']);
  expect(r.stderr).toBe('');
  const lines = Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/:\s+/, 2) as [string, string]),
  );
  issuer = { issuer: lines.issuer!, fingerprint: lines.fingerprint! };
  expect(issuer.issuer).toBe(`https://${server.tlsAddress}/_yunbox/oidc/${root.accountId}`);
  const ims = imsClient(server, root);
  const p = await ims.createOIDCProvider(
    new $Ims.CreateOIDCProviderRequest({
      OIDCProviderName: 'ack-rrsa',
      issuerUrl: issuer.issuer,
      fingerprints: issuer.fingerprint,
      clientIds: 'sts.aliyuncs.com',
    }),
  );
  providerArn = p.body!.OIDCProvider!.arn!;
  const ram = ramClient(server, root);
  await ram.createRole(
    new $Ram.CreateRoleRequest({
      roleName: 'app',
      assumeRolePolicyDocument: policyDocument([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [providerArn] },
          Condition: { StringEquals: { 'oidc:aud': 'sts.aliyuncs.com', 'oidc:sub': SUB } },
        },
      ]),
    }),
  );
  await ram.createPolicy(
    new $Ram.CreatePolicyRequest({
      policyName: 'app-data',
      policyDocument: policyDocument([
        {
          Effect: 'Allow',
          Action: ['oss:ListObjects', 'oss:GetObject'],
          Resource: ['acs:oss:*:*:app-data', 'acs:oss:*:*:app-data/*'],
        },
      ]),
    }),
  );
  await ram.attachPolicyToRole(
    new $Ram.AttachPolicyToRoleRequest({
      policyType: 'Custom',
      policyName: 'app-data',
      roleName: 'app',
    }),
  );
  roleArn = `acs:ram::${root.accountId}:role/app`;
  const oss = ossClient(server, root);
  await oss.putBucket('app-data');
  oss.useBucket('app-data');
  await oss.put('hello.txt', Buffer.from('hello'));
  await oss.putBucket('other-data');
}, 120_000);
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('yunbox oidc', () => {
  it('token: prints a token AssumeRoleWithOIDC accepts for the subject the role trusts', async () => {
    const t = await cli([
      'oidc',
      'token',
      '--sub',
      SUB,
      '--aud',
      'sts.aliyuncs.com',
      '--ttl',
      '15m',
    ]);
    expect(t.stderr).toBe('');
    const token = t.stdout.trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ iss: issuer.issuer, sub: SUB, aud: 'sts.aliyuncs.com' });
    expect(claims.exp - claims.iat).toBe(900);
    const r = await stsClient(server, root).assumeRoleWithOIDC(
      new $Sts.AssumeRoleWithOIDCRequest({
        OIDCProviderArn: providerArn,
        roleArn,
        OIDCToken: token,
        roleSessionName: 'cli',
      }),
    );
    expect(r.body!.OIDCTokenInfo!.subject).toBe(SUB);
  });

  it('token: a usage mistake is exit 2', async () => {
    const t = await cli(['oidc', 'token', '--sub', SUB]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain('expected --sub and --aud');
  });
});

describe.skipIf(!isRootLinux)(`yunbox workload exec${sandboxSkipReason}`, () => {
  it('an unmodified program lists its bucket with the role and is refused another', async () => {
    const checkout = await sandboxCheckout();
    const script = `
const OSS = require('ali-oss');
const fs = require('fs');
const Credential = require('@alicloud/credentials').default;
(async () => {
  const credential = new Credential();
  const c = await credential.getCredential();
  const client = (bucket) => new OSS({
    region: 'oss-cn-hangzhou', bucket,
    accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, stsToken: c.securityToken,
    refreshSTSTokenInterval: 3600000, refreshSTSToken: async () => c,
  });
  const list = await client('app-data').list({ 'max-keys': 10 });
  let denied;
  try { await client('other-data').list({ 'max-keys': 10 }); } catch (e) { denied = e.code; }
  const mode = (fs.statSync(process.env.ALIBABA_CLOUD_OIDC_TOKEN_FILE).mode & 0o777).toString(8);
  const metadata = await new Promise((resolve) =>
    require('http').get('http://100.100.100.200/latest/meta-data/instance-id', (res) => { res.resume(); resolve(res.statusCode); }).on('error', (e) => resolve(e.code)));
  console.log(JSON.stringify({ provider: c.providerName, keys: list.objects.map((o) => o.name), denied, mode, metadata, uid: process.getuid() }));
})().catch((e) => { console.error(e); process.exit(1); });`;
    const r = await runNode(
      [
        CLI,
        'workload',
        'exec',
        '--endpoint',
        server.endpoint,
        '--data',
        dir,
        '--role-arn',
        roleArn,
        '--provider-arn',
        providerArn,
        '--sub',
        SUB,
        '--',
        process.execPath,
        '-e',
        script,
      ],
      {
        HOME: tmpdir(),
        // The host's credentials do not reach the workload.
        ALIBABA_CLOUD_ACCESS_KEY_ID: root.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: root.accessKeySecret,
      },
      60_000,
      checkout.dir,
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      provider: 'default/oidc_role_arn',
      keys: ['hello.txt'],
      denied: 'AccessDenied',
      mode: '600',
      // No instance behind the metadata address in a workload sandbox.
      metadata: 404,
      uid: 65534,
    });
  });
});
