/**
 * How requests find their bucket and key: ali-oss pointed at the real endpoint names
 * (`oss-cn-hangzhou.aliyuncs.com` and `-internal`) resolved to yunbox, as the tutorial's step 4
 * will once DNS points the name here (virtual-host style, presigned URLs included); the IP
 * endpoint (bucket only in the Host header); path style with `%2F` inside keys (oss2's escaping).
 */
import { Agent, get, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { rawOss } from './helpers.js';

let yb: TestServer;
let port: string;
/** Resolves every name to the test server, as a sandbox's DNS does for *.aliyuncs.com. */
const agent = new Agent({
  lookup: (_host, opts, cb) => {
    if ((opts as { all?: boolean }).all) (cb as any)(null, [{ address: '127.0.0.1', family: 4 }]);
    else (cb as any)(null, '127.0.0.1', 4);
  },
});

beforeAll(async () => {
  yb = await startTestServer();
  port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
  await ossClient(yb, rootOf(yb)).putBucket('ramroletest');
});
afterAll(async () => {
  agent.destroy();
  await yb?.close();
});

function byName(internal = false) {
  return ossClient(yb, rootOf(yb), {
    bucket: 'ramroletest',
    extra: {
      endpoint: `http://oss-cn-hangzhou${internal ? '-internal' : ''}.aliyuncs.com:${port}`,
      agent,
    },
  });
}

function fetchVia(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

describe('addressing', () => {
  it('works with the endpoint name oss-cn-hangzhou.aliyuncs.com (virtual-host style)', async () => {
    const c = byName();
    await c.put('ramroletest.txt', Buffer.from('tutorial'));
    await c.put('test.sh', Buffer.from('echo hi'));
    const listed = await c.list({ 'max-keys': 10 });
    expect(listed.objects.map((o: any) => o.name)).toEqual(['ramroletest.txt', 'test.sh']);
    expect(listed.res.requestUrls[0]).toContain(
      `http://ramroletest.oss-cn-hangzhou.aliyuncs.com:${port}/`,
    );
    expect((await c.get('ramroletest.txt')).content.toString()).toBe('tutorial');
    const url = c.signatureUrl('ramroletest.txt', { expires: 60 });
    expect(url.startsWith(`http://ramroletest.oss-cn-hangzhou.aliyuncs.com:${port}/`)).toBe(true);
    expect(await fetchVia(url)).toEqual({ status: 200, body: 'tutorial' });
    const buckets = await ossClient(yb, rootOf(yb), {
      extra: { endpoint: `http://oss-cn-hangzhou.aliyuncs.com:${port}`, agent },
    }).listBuckets();
    expect(buckets.buckets.map((b: any) => b.name)).toContain('ramroletest');
  });

  it('works with the internal endpoint name and with V4', async () => {
    const c = ossClient(yb, rootOf(yb), {
      bucket: 'ramroletest',
      v4: true,
      extra: { endpoint: `http://oss-cn-hangzhou-internal.aliyuncs.com:${port}`, agent },
    });
    expect((await c.get('ramroletest.txt')).content.toString()).toBe('tutorial');
    expect((await byName(true).head('test.sh')).status).toBe(200);
  });

  it('the IP endpoint puts the bucket only in the Host header', async () => {
    const c = ossClient(yb, rootOf(yb), { bucket: 'ramroletest' });
    const r = await c.get('test.sh');
    expect(r.res.requestUrls[0]).toBe(`http://127.0.0.1:${port}/test.sh`);
    expect(r.content.toString()).toBe('echo hi');
  });

  it('path style accepts `%2F` inside keys, as oss2 escapes them', async () => {
    await ossClient(yb, rootOf(yb), { bucket: 'ramroletest' }).put(
      'dir/a b+c.txt',
      Buffer.from('nested'),
    );
    const r = await rawOss(yb, {
      rawPath: '/ramroletest/dir%2Fa%20b%2Bc.txt',
      bucket: 'ramroletest',
      key: 'dir/a b+c.txt',
      creds: rootOf(yb),
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe('nested');
  });
});
