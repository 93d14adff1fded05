/**
 * @module The console's server side on a real yunbox: the page's files with their headers, the
 * catalogue from the operation declarations, sign-in (root and RAM user, bad input, what the
 * temporary credentials can do), and the gateway's routing fix (a bucket's virtual host never
 * reaches `/_yunbox/*`: its object keys under `_yunbox/` stay objects).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressedToBucket } from '../../src/kernel/gateway.js';
import { rpcCall } from '../../src/protocol/rpc-client.js';
import { createUserWithKey, rootOf } from '../../src/testing/fixtures.js';
import { ossClient, stsClient, $Sts } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import type { Catalogue } from '../../src/console/web/catalogue-types.js';

let yb: TestServer;
const base = () => `${yb.endpoint}/_yunbox/console/`;
const post = (body: unknown, type = 'application/json') =>
  fetch(`${base()}session`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  yb = await startTestServer();
});
afterAll(async () => {
  await yb?.close();
});

describe('console files', () => {
  it('serves the page, script and style with their types and a strict CSP', async () => {
    for (const [path, type] of [
      ['', 'text/html'],
      ['app.js', 'text/javascript'],
      ['style.css', 'text/css'],
    ] as const) {
      const res = await fetch(`${base()}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
      );
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const etag = res.headers.get('etag')!;
      const again = await fetch(`${base()}${path}`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
    }
    const html = await (await fetch(base())).text();
    expect(html).not.toMatch(/<script(?![^>]*src=)/);
  });

  it('redirects the bare path and answers plainly for anything else', async () => {
    const bare = await fetch(`${yb.endpoint}/_yunbox/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/_yunbox/console/');
    const missing = await fetch(`${base()}../../etc/passwd`.replace('/../../', '/%2e%2e/'));
    expect(missing.status).toBe(404);
    expect(await (await fetch(`${base()}main.js`)).json()).toMatchObject({ Code: 'NotFound' });
    expect(
      (
        await fetch(`${base()}app.js`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(405);
    // Without a JSON body the admin guard refuses it first (test/e2e/admin-surface.test.ts).
    expect((await fetch(`${base()}app.js`, { method: 'POST' })).status).toBe(403);
  });
});

describe('catalogue', () => {
  it('lists every product and operation from the declarations, with RAM actions', async () => {
    const c = (await (await fetch(`${base()}api/catalogue`)).json()) as Catalogue;
    const products = c.products.map((p) => p.product);
    expect(products).toEqual(expect.arrayContaining(['Ram', 'Sts', 'Ecs', 'Vpc', 'Yunbox', 'Oss']));
    const ram = c.products.find((p) => p.product === 'Ram')!;
    expect(ram.sdkPackage).toBe('@alicloud/ram20150501');
    const createRole = ram.operations.find((o) => o.name === 'CreateRole')!;
    expect(createRole.params.RoleName).toMatchObject({ type: 'string', required: true, max: 64 });
    expect(createRole.actions).toEqual(['ram:CreateRole']);
    expect(createRole.resources).toEqual(['acs:ram::{AccountId}:role/{RoleName}']);
    const ecs = c.products.find((p) => p.product === 'Ecs')!;
    const attach = ecs.operations.find((o) => o.name === 'AttachInstanceRamRole')!;
    expect(attach.params.InstanceIds).toMatchObject({ type: 'json-array', required: true });
    expect(attach.actions).toEqual(['ecs:AttachInstanceRamRole', 'ram:PassRole']);
    const sts = c.products.find((p) => p.product === 'Sts')!;
    expect(sts.operations.find((o) => o.name === 'AssumeRole')).toMatchObject({
      authz: 'handler',
      actions: ['sts:AssumeRole'],
    });
    const yunbox = c.products.find((p) => p.product === 'Yunbox')!;
    expect(yunbox.operations.map((o) => o.name)).toContain('DescribeInstanceMetadataCredential');
    const ossOps = c.products.find((p) => p.product === 'Oss')!.operations;
    expect(ossOps.find((o) => o.name === 'PutObject')).toMatchObject({
      actions: ['oss:PutObject'],
      oss: { method: 'PUT', level: 'object', query: [] },
    });
    expect(ossOps.find((o) => o.name === 'GetBucketAcl')!.oss!.query).toEqual([['acl', null]]);
    expect(ossOps.map((o) => o.name)).not.toContain('PostObject');
    expect(ossOps.filter((o) => o.name === 'DescribeRegions')).toHaveLength(1);
    expect(ossOps.find((o) => o.name === 'GetBucketStat')!.oss!.query).toEqual([['stat', null]]);
  });
});

describe('sign-in', () => {
  it('gives the root account temporary credentials of itself, never the secret', async () => {
    const root = rootOf(yb);
    const res = await post({
      accessKeyId: root.accessKeyId,
      accessKeySecret: root.accessKeySecret,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const s = (await res.json()) as any;
    expect(s.AccessKeyId).toMatch(/^STS\./);
    expect(JSON.stringify(s)).not.toContain(root.accessKeySecret);
    expect(Date.parse(s.Expiration) - yb.clock.now().getTime()).toBeLessThanOrEqual(3600_000);
    expect(s.Identity).toMatchObject({ Type: 'Account', Arn: `acs:ram::${yb.accountId}:root` });
    const me = await stsClient(yb, {
      accessKeyId: s.AccessKeyId,
      accessKeySecret: s.AccessKeySecret,
      securityToken: s.SecurityToken,
    }).getCallerIdentity();
    expect(me.body!.arn).toBe(`acs:ram::${yb.accountId}:root`);
  });

  it('gives a RAM user credentials decided by that user’s own policies', async () => {
    const user = await createUserWithKey(yb, rootOf(yb), 'console-reader', [
      'AliyunOSSReadOnlyAccess',
    ]);
    const s = (await (await post(user)).json()) as any;
    expect(s.Identity).toMatchObject({ Type: 'RAMUser', UserName: 'console-reader' });
    const creds = {
      accessKeyId: s.AccessKeyId,
      accessKeySecret: s.AccessKeySecret,
      securityToken: s.SecurityToken,
    };
    expect((await stsClient(yb, creds).getCallerIdentity()).body!.arn).toBe(
      `acs:ram::${yb.accountId}:user/console-reader`,
    );
    // Allowed to read OSS, not to create a role.
    await ossClient(yb, creds).listBuckets();
    const denied = await rpcCall({
      endpoint: yb.endpoint,
      version: '2015-05-01',
      action: 'CreateRole',
      params: { RoleName: 'x', AssumeRolePolicyDocument: '{}' },
      credentials: creds,
      signature: 'acs3',
    });
    expect(denied.status).toBe(403);
    expect((denied.json as any).AccessDeniedDetail).toMatchObject({
      AuthPrincipalType: 'SubUser',
      AuthPrincipalDisplayName: 'console-reader',
    });
    // A role cannot be assumed without sts:AssumeRole: the session is the user, not more.
    await expect(
      stsClient(yb, creds).assumeRole(
        new $Sts.AssumeRoleRequest({
          roleArn: `acs:ram::${yb.accountId}:role/none`,
          roleSessionName: 'x',
        }),
      ),
    ).rejects.toThrow();
  });

  it('refuses bad input plainly, with one answer for unknown keys and wrong secrets', async () => {
    const root = rootOf(yb);
    const cases: Array<[unknown, string, number, string]> = [
      [
        { accessKeyId: root.accessKeyId, accessKeySecret: 'wrong' },
        'application/json',
        401,
        'InvalidAccessKey',
      ],
      [
        { accessKeyId: 'LTAInope', accessKeySecret: 'wrong' },
        'application/json',
        401,
        'InvalidAccessKey',
      ],
      [
        { accessKeyId: 'STS.abc', accessKeySecret: 'x' },
        'application/json',
        400,
        'InvalidAccessKeyId.Temporary',
      ],
      [{ accessKeySecret: 'x' }, 'application/json', 400, 'MissingAccessKeyId'],
      [{ accessKeyId: root.accessKeyId }, 'application/json', 400, 'MissingAccessKeySecret'],
      ['{', 'application/json', 400, 'InvalidJson'],
      ['x'.repeat(5000), 'application/json', 413, 'RequestTooLarge'],
    ];
    for (const [body, type, status, code] of cases) {
      const res = await post(body, type);
      expect(res.status, code).toBe(status);
      const j = (await res.json()) as any;
      expect(j.Code).toBe(code);
      expect(typeof j.Message).toBe('string');
      expect(JSON.stringify(j)).not.toMatch(/\n\s+at |\.ts:\d+/);
    }
    // Not JSON: the admin guard answers, in the admin routes' shape, before sign-in reads it.
    const plain = await post({ accessKeyId: 'a', accessKeySecret: 'b' }, 'text/plain');
    expect(plain.status).toBe(403);
    expect(await plain.json()).toEqual({ error: 'send the request body as `application/json`' });
  });
});

describe('gateway routing', () => {
  it('keeps /_yunbox/ away from bucket virtual hosts only', () => {
    expect(addressedToBucket('ramroletest.oss-cn-hangzhou.aliyuncs.com')).toBe(true);
    expect(addressedToBucket('ramroletest.oss-cn-hangzhou-internal.aliyuncs.com:9910')).toBe(true);
    expect(addressedToBucket('.oss-cn-hangzhou.aliyuncs.com')).toBe(true);
    expect(addressedToBucket('ramroletest.localhost:9910')).toBe(true);
    expect(addressedToBucket('127.0.0.1:9910')).toBe(false);
    expect(addressedToBucket('localhost:9910')).toBe(false);
    expect(addressedToBucket('yunbox.example.com')).toBe(false);
    expect(addressedToBucket(undefined)).toBe(false);
  });

  it('serves an object whose key starts with `_yunbox/` on the bucket’s host', async () => {
    const client = ossClient(yb, rootOf(yb), { bucket: 'keys-like-admin' });
    await client.putBucket('keys-like-admin');
    await client.put('_yunbox/health', Buffer.from('an object, not the health check'));
    await client.put('_yunbox/console/index.html', Buffer.from('also an object'));
    expect((await client.get('_yunbox/health')).content.toString()).toBe(
      'an object, not the health check',
    );
    expect((await client.get('_yunbox/console/index.html')).content.toString()).toBe(
      'also an object',
    );
    const listed = await client.list({ prefix: '_yunbox/' });
    expect(listed.objects.map((o: any) => o.name)).toEqual([
      '_yunbox/console/index.html',
      '_yunbox/health',
    ]);
    // The gateway's own address still reaches the admin routes and the console.
    expect((await fetch(`${yb.endpoint}/_yunbox/health`)).status).toBe(200);
    expect((await fetch(base())).status).toBe(200);
  });
});
