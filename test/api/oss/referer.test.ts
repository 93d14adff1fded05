/**
 * Referer hotlink protection through ali-oss (putBucketReferer, getBucketReferer,
 * deleteBucketReferer) and raw requests for what ali-oss does not send (blacklist, TruncatePath):
 * the rules bind anonymous requests and presigned URLs, never a request signed in its header.
 * The Tea OSS client is not used: its GetBucketReferer parses the XML answer as JSON (on OSS too).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, rawOss, type RawResponse } from './helpers.js';

const BUCKET = 'referer-bucket';
let yb: TestServer;
let oss: OssClient;

beforeAll(async () => {
  yb = await startTestServer();
  const root = ossClient(yb, rootOf(yb));
  await root.putBucket(BUCKET, { acl: 'public-read' });
  oss = ossClient(yb, rootOf(yb), { bucket: BUCKET, style: 'path' });
  await oss.put('pic.png', Buffer.from('picture'));
});
afterAll(async () => {
  await yb?.close();
});

/** An anonymous GET of the object, with this Referer (none when undefined). */
function anonymous(referer?: string): Promise<RawResponse> {
  return rawOss(yb, {
    bucket: BUCKET,
    key: 'pic.png',
    ...(referer !== undefined ? { headers: { referer } } : {}),
  });
}

/** A GET of a presigned URL made by ali-oss, with this Referer. */
function presigned(referer?: string): Promise<RawResponse> {
  const url = new URL(oss.signatureUrl('pic.png', { expires: 300 }));
  return rawOss(yb, {
    rawPath: url.pathname,
    query: [...url.searchParams.entries()],
    ...(referer !== undefined ? { headers: { referer } } : {}),
  });
}

async function putRules(xml: string): Promise<RawResponse> {
  return rawOss(yb, {
    method: 'PUT',
    bucket: BUCKET,
    query: [['referer', null]],
    headers: { 'content-type': 'application/xml' },
    body: xml,
    creds: rootOf(yb),
  });
}

describe('Put/GetBucketReferer', () => {
  it('a bucket without rules shows the defaults and allows any Referer', async () => {
    const r = await oss.getBucketReferer(BUCKET);
    expect(r.allowEmpty).toBe(true);
    expect(r.referers).toBeNull();
    expect((await anonymous('https://anywhere.example')).status).toBe(200);
  });

  it('ali-oss sets a whitelist; anonymous and presigned requests are held to it', async () => {
    const put = await oss.putBucketReferer(BUCKET, false, [
      'https://www.example.com',
      'https://*.trusted.com',
      'http://img?.example.org',
    ]);
    expect(put.res.status).toBe(200);
    const got = await oss.getBucketReferer(BUCKET);
    expect(got.allowEmpty).toBe(false);
    expect(got.referers).toEqual([
      'https://www.example.com',
      'https://*.trusted.com',
      'http://img?.example.org',
    ]);
    // Allowed: exact, `*`, `?`, the query string cut by default, ASCII case ignored.
    expect((await anonymous('https://www.example.com')).status).toBe(200);
    expect((await anonymous('https://a.b.trusted.com')).status).toBe(200);
    expect((await anonymous('http://img1.example.org?utm=x')).status).toBe(200);
    expect((await anonymous('HTTPS://WWW.EXAMPLE.COM')).status).toBe(200);
    // Refused: another site, a path not in the rule, no Referer.
    for (const referer of ['https://evil.com', 'https://www.example.com/page', undefined]) {
      const r = await anonymous(referer);
      expect(r.status).toBe(403);
      expect(errorCode(r)).toBe('AccessDenied');
      expect(r.text).toContain('You are denied by bucket referer policy.');
    }
    expect((await presigned('https://www.example.com')).status).toBe(200);
    expect((await presigned('https://evil.com')).status).toBe(403);
    // A request signed in its header is not checked.
    const signed = await oss.get('pic.png', { headers: { Referer: 'https://evil.com' } });
    expect(signed.content.toString()).toBe('picture');
  });

  it('the blacklist wins; TruncatePath compares scheme and host only', async () => {
    const put = await putRules(
      '<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer>' +
        '<AllowTruncateQueryString>true</AllowTruncateQueryString><TruncatePath>true</TruncatePath>' +
        '<RefererList><Referer>https://*.example.com</Referer></RefererList>' +
        '<RefererBlacklist><Referer>https://bad.example.com</Referer></RefererBlacklist>' +
        '</RefererConfiguration>',
    );
    expect(put.status).toBe(200);
    expect((await anonymous('https://www.example.com/deep/page.html?x=1')).status).toBe(200);
    expect((await anonymous('https://bad.example.com/page')).status).toBe(403);
    expect((await anonymous()).status).toBe(200);
    const got = await rawOss(yb, { bucket: BUCKET, query: [['referer', null]], creds: rootOf(yb) });
    expect(got.text).toContain('<TruncatePath>true</TruncatePath>');
    expect(got.text).toContain(
      '<RefererBlacklist><Referer>https://bad.example.com</Referer></RefererBlacklist>',
    );
  });

  it('refuses bad documents and oversized rules', async () => {
    expect(errorCode(await putRules('<RefererConfiguration/>'))).toBe('MalformedXML');
    const badBool = await putRules(
      '<RefererConfiguration><AllowEmptyReferer>maybe</AllowEmptyReferer></RefererConfiguration>',
    );
    expect(errorCode(badBool)).toBe('InvalidArgument');
    const long = await putRules(
      '<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer><RefererList>' +
        `<Referer>https://${'a'.repeat(2000)}.com</Referer></RefererList></RefererConfiguration>`,
    );
    expect(errorCode(long)).toBe('InvalidArgument');
    const stars = await putRules(
      '<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer><RefererList>' +
        `<Referer>${'*a'.repeat(40)}</Referer></RefererList></RefererConfiguration>`,
    );
    expect(errorCode(stars)).toBe('InvalidArgument');
    const many = await putRules(
      '<RefererConfiguration><AllowEmptyReferer>true</AllowEmptyReferer><RefererList>' +
        Array.from({ length: 501 }, (_, i) => `<Referer>https://s${i}.com</Referer>`).join('') +
        '</RefererList></RefererConfiguration>',
    );
    expect(errorCode(many)).toBe('InvalidArgument');
  });

  it('a long Referer against many wildcard rules is answered, and matches nothing', async () => {
    await putRules(
      '<RefererConfiguration><AllowEmptyReferer>false</AllowEmptyReferer><RefererList>' +
        Array.from({ length: 200 }, (_, i) => `<Referer>*a*a*a*a*a*a*a*${i}?b</Referer>`).join('') +
        '</RefererList></RefererConfiguration>',
    );
    const r = await anonymous(`https://${'a'.repeat(8000)}`);
    expect(r.status).toBe(403);
  });

  it('deleteBucketReferer (ali-oss) restores the defaults', async () => {
    await oss.deleteBucketReferer(BUCKET);
    expect((await anonymous('https://evil.com')).status).toBe(200);
    const got = await oss.getBucketReferer(BUCKET);
    expect(got.allowEmpty).toBe(true);
    expect(got.referers).toBeNull();
  });
});
