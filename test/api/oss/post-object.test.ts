/**
 * PostObject: browser form uploads signed by ali-oss's own policy signers
 * (`calculatePostSignature` for V1, `signPostObjectPolicyV4` for V4), with STS tokens, policy
 * conditions (`content-length-range`, `starts-with`, exact fields), expiry on the manual clock,
 * anonymous uploads by ACL, and success_action_status.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../../src/blob/crc64.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient, type TestCredentials } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { md5hex, policy, roleSession } from './helpers.js';

let yb: TestServer;
let root: OssClient;
const BUCKET = 'post-bucket';

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual' });
  followServerClock(yb);
  root = ossClient(yb, rootOf(yb), { bucket: BUCKET });
  await root.putBucket(BUCKET);
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

function postPolicy(conditions: unknown[], seconds = 600) {
  return {
    expiration: new Date(yb.clock.now().getTime() + seconds * 1000).toISOString(),
    conditions: [{ bucket: BUCKET }, ...conditions],
  };
}

async function post(fields: Record<string, string>, file: Buffer, bucket = BUCKET) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file], { type: 'application/octet-stream' }), 'upload.bin');
  const port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
  const r = await fetch(`http://localhost:${port}/${bucket}`, { method: 'POST', body: form });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

function v1Fields(creds: TestCredentials, p: object): Record<string, string> {
  const s = ossClient(yb, creds, { bucket: BUCKET }).calculatePostSignature(p);
  return {
    OSSAccessKeyId: s.OSSAccessKeyId,
    policy: s.policy,
    Signature: s.Signature,
    ...(creds.securityToken ? { 'x-oss-security-token': creds.securityToken } : {}),
  };
}

function v4Fields(creds: TestCredentials, p: object): Record<string, string> {
  const c = ossClient(yb, creds, { bucket: BUCKET });
  const date = yb.clock.now();
  const stamp = date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return {
    policy: Buffer.from(JSON.stringify(p)).toString('base64'),
    'x-oss-signature-version': 'OSS4-HMAC-SHA256',
    'x-oss-credential': `${creds.accessKeyId}/${stamp.slice(0, 8)}/cn-hangzhou/oss/aliyun_v4_request`,
    'x-oss-date': stamp,
    'x-oss-signature': c.signPostObjectPolicyV4(p, date),
    ...(creds.securityToken ? { 'x-oss-security-token': creds.securityToken } : {}),
  };
}

describe('PostObject', () => {
  it('uploads with a V1-signed policy (204 by default), with metadata and CRC-64', async () => {
    const data = randomBytes(5000);
    const p = postPolicy([
      ['starts-with', '$key', 'forms/'],
      ['content-length-range', 1, 10_000],
    ]);
    const r = await post(
      {
        key: 'forms/${filename}',
        ...v1Fields(rootOf(yb), p),
        'x-oss-meta-from': 'form',
        'Content-Type': 'image/png',
      },
      data,
    );
    expect(r.status).toBe(204);
    expect(r.headers.get('etag')).toBe(`"${md5hex(data).toUpperCase()}"`);
    expect(r.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(data));
    const got = await root.get('forms/upload.bin');
    expect(got.content.equals(data)).toBe(true);
    expect(got.res.headers['x-oss-meta-from']).toBe('form');
    expect(got.res.headers['content-type']).toBe('image/png');
  });

  it('uploads with a V4-signed policy and STS credentials; 201 answers XML', async () => {
    const sts = await roleSession(
      yb,
      policy([{ Effect: 'Allow', Action: 'oss:PutObject', Resource: `acs:oss:*:*:${BUCKET}/*` }]),
    );
    const p = postPolicy([{ key: 'forms/v4.bin' }]);
    const r = await post(
      { key: 'forms/v4.bin', success_action_status: '201', ...v4Fields(sts, p) },
      Buffer.from('v4'),
    );
    expect(r.status).toBe(201);
    expect(r.text).toContain('<PostResponse>');
    expect(r.text).toContain('<Key>forms/v4.bin</Key>');
    expect((await root.get('forms/v4.bin')).content.toString()).toBe('v4');
  });

  it('checks the policy: content-length-range, conditions, expiry, signature', async () => {
    const tooBig = await post(
      { key: 'forms/big', ...v1Fields(rootOf(yb), postPolicy([['content-length-range', 1, 100]])) },
      randomBytes(101),
    );
    expect(tooBig.status).toBe(400);
    expect(tooBig.text).toContain('<Code>EntityTooLarge</Code>');
    const tooSmall = await post(
      {
        key: 'forms/small',
        ...v1Fields(rootOf(yb), postPolicy([['content-length-range', 10, 100]])),
      },
      randomBytes(9),
    );
    expect(tooSmall.text).toContain('<Code>EntityTooSmall</Code>');
    const wrongKey = await post(
      {
        key: 'elsewhere/x',
        ...v1Fields(rootOf(yb), postPolicy([['starts-with', '$key', 'forms/']])),
      },
      Buffer.from('x'),
    );
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.text).toContain('Policy Condition failed');
    const expired = await post(
      { key: 'forms/old', ...v1Fields(rootOf(yb), postPolicy([], -1)) },
      Buffer.from('x'),
    );
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Policy expired.');
    const fields = v1Fields(rootOf(yb), postPolicy([]));
    const forged = await post(
      { key: 'forms/f', ...fields, Signature: 'AAAA' + fields.Signature!.slice(4) },
      Buffer.from('x'),
    );
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    for (const k of ['forms/big', 'forms/small', 'elsewhere/x', 'forms/old', 'forms/f']) {
      await expect(root.head(k)).rejects.toMatchObject({ status: 404 });
    }
  });

  it('the signer still needs oss:PutObject', async () => {
    const sts = await roleSession(
      yb,
      policy([{ Effect: 'Allow', Action: 'oss:GetObject', Resource: `acs:oss:*:*:${BUCKET}/*` }]),
    );
    const r = await post({ key: 'forms/no', ...v1Fields(sts, postPolicy([])) }, Buffer.from('x'));
    expect(r.status).toBe(403);
    expect(r.text).toContain('<Code>AccessDenied</Code>');
  });

  it('anonymous forms work only on public-read-write buckets', async () => {
    await root.putBucket('post-open', { acl: 'public-read-write' });
    expect((await post({ key: 'anon.bin' }, Buffer.from('a'), 'post-open')).status).toBe(204);
    const closed = await post({ key: 'anon.bin' }, Buffer.from('a'));
    expect(closed.status).toBe(403);
  });

  it('x-oss-server-side-encryption as a form field is stored and echoed; KMS is refused', async () => {
    const sse = 'x-oss-server-side-encryption';
    const fields = (value: string) => ({
      key: `forms/sse-${value}`,
      [sse]: value,
      ...v1Fields(rootOf(yb), postPolicy([{ [sse]: value }])),
    });
    const ok = await post(fields('AES256'), Buffer.from('enc'));
    expect(ok.status).toBe(204);
    expect(ok.headers.get(sse)).toBe('AES256');
    expect((await root.head('forms/sse-AES256')).res.headers[sse]).toBe('AES256');
    const kms = await post(fields('KMS'), Buffer.from('enc'));
    expect(kms.status).toBe(403);
    expect(kms.text).toContain('<Code>KmsServiceNotEnabled</Code>');
    await expect(root.head('forms/sse-KMS')).rejects.toMatchObject({ status: 404 });
  });
});
