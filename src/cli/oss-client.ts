/**
 * @module The few OSS calls the CLI makes (`serve --init`: PutBucket, PutObject), path style on
 * the gateway's address, signed with OSS signature V1 as ali-oss signs them, so they pass the same
 * authentication and RAM decision as any SDK's.
 */
import { signOssV1 } from '../auth/oss-v1.js';
import { unreachable } from './server-client.js';

/** Outcome of {@link ossPut}: never throws. */
export type OssPutResult = { ok: true } | { ok: false; code?: string; error: string };

/**
 * `PUT /<bucket>` (no key: PutBucket) or `PUT /<bucket>/<key>` (PutObject) on `endpoint`.
 * @example
 * await ossPut('http://127.0.0.1:9910', creds, 'ramroletest', 'hello.txt', Buffer.from('hi'))
 */
export async function ossPut(
  endpoint: string,
  credentials: { accessKeyId: string; accessKeySecret: string },
  bucket: string,
  key?: string,
  body?: Buffer,
  contentType = 'application/octet-stream',
): Promise<OssPutResult> {
  const date = new Date().toUTCString();
  const type = key === undefined ? '' : contentType;
  const resource = `/${bucket}/${key ?? ''}`;
  const signature = signOssV1(
    credentials.accessKeySecret,
    `PUT\n\n${type}\n${date}\nx-oss-date:${date}\n${resource}`,
  );
  const path = `/${encodeURIComponent(bucket)}/${key === undefined ? '' : key.split('/').map(encodeURIComponent).join('/')}`;
  let res: Response;
  try {
    res = await fetch(endpoint.replace(/\/+$/, '') + path, {
      method: 'PUT',
      headers: {
        'x-oss-date': date,
        authorization: `OSS ${credentials.accessKeyId}:${signature}`,
        ...(type ? { 'content-type': type } : {}),
      },
      body: body ?? new Uint8Array(0),
    });
  } catch (e) {
    return { ok: false, error: unreachable(endpoint, e) };
  }
  const text = await res.text();
  if (res.ok) return { ok: true };
  const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]{0,500})<\/Message>/.exec(text)?.[1] ?? `HTTP ${res.status}`;
  return {
    ok: false,
    error: `${code ?? `HTTP ${res.status}`}: ${message}`,
    ...(code ? { code } : {}),
  };
}
