/**
 * Helpers of the OSS API tests: RAM principals with OSS policies (users, role sessions), and a
 * raw V1-signed HTTP client for requests the SDKs never send (bad input, truncated bodies).
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { ossV1StringToSign, signOssV1 } from '../../../src/auth/oss-v1.js';
import { httpDate } from '../../../src/protocol/oss-format.js';
import type { TestServer } from '../../../src/testing/server.js';
import {
  $Ram,
  $Sts,
  ossClient,
  ramClient,
  stsClient,
  type OssClient,
  type TestCredentials,
} from '../../../src/testing/sdk.js';
import { createUserWithKey, ramTrustPolicy, rootOf } from '../../../src/testing/fixtures.js';

/** A policy document as a string. */
export function policy(statements: object[]): string {
  return JSON.stringify({ Version: '1', Statement: statements });
}

let counter = 0;

/** A RAM user whose only permission is `document` (a custom policy). */
export async function userWithPolicy(
  yb: TestServer,
  document: string,
): Promise<TestCredentials & { userName: string }> {
  const n = ++counter;
  const ram = ramClient(yb, rootOf(yb));
  const userName = `oss-user-${n}`;
  const user = await createUserWithKey(yb, rootOf(yb), userName);
  await ram.createPolicy(
    new $Ram.CreatePolicyRequest({ policyName: `oss-user-policy-${n}`, policyDocument: document }),
  );
  await ram.attachPolicyToUser(
    new $Ram.AttachPolicyToUserRequest({
      policyType: 'Custom',
      policyName: `oss-user-policy-${n}`,
      userName,
    }),
  );
  return user;
}

/**
 * STS credentials of a session of a new role whose policy is `rolePolicy`, optionally narrowed
 * by a session policy; `durationSeconds` defaults to 3600.
 */
export async function roleSession(
  yb: TestServer,
  rolePolicy: string,
  opts: { sessionPolicy?: string; durationSeconds?: number; sessionName?: string } = {},
): Promise<Required<TestCredentials> & { roleName: string }> {
  const n = ++counter;
  const ram = ramClient(yb, rootOf(yb));
  const roleName = `oss-role-${n}`;
  const user = await createUserWithKey(yb, rootOf(yb), `oss-assumer-${n}`, [
    'AliyunSTSAssumeRoleAccess',
  ]);
  await ram.createRole(
    new $Ram.CreateRoleRequest({
      roleName,
      assumeRolePolicyDocument: ramTrustPolicy([yb.accountId]),
    }),
  );
  await ram.createPolicy(
    new $Ram.CreatePolicyRequest({
      policyName: `oss-role-policy-${n}`,
      policyDocument: rolePolicy,
    }),
  );
  await ram.attachPolicyToRole(
    new $Ram.AttachPolicyToRoleRequest({
      policyType: 'Custom',
      policyName: `oss-role-policy-${n}`,
      roleName,
    }),
  );
  const r = await stsClient(yb, user).assumeRole(
    new $Sts.AssumeRoleRequest({
      roleArn: `acs:ram::${yb.accountId}:role/${roleName}`,
      roleSessionName: opts.sessionName ?? 'oss-test',
      durationSeconds: opts.durationSeconds ?? 3600,
      ...(opts.sessionPolicy ? { policy: opts.sessionPolicy } : {}),
    }),
  );
  const c = r.body!.credentials!;
  return {
    roleName,
    accessKeyId: c.accessKeyId!,
    accessKeySecret: c.accessKeySecret!,
    securityToken: c.securityToken!,
  };
}

/**
 * The two ways the object tests reach `bucket` through ali-oss, for `describe.each`: the root
 * over V1 with the IP endpoint, and a role session allowed `oss:*` on `resources` over V4 path
 * style. `server` is read when a client is made, after `beforeAll` has started it.
 */
export function rootV1AndSessionV4(
  server: () => TestServer,
  bucket: string,
  resources: string[],
): Array<[string, () => Promise<OssClient>]> {
  return [
    ['root, V1, IP endpoint', async () => ossClient(server(), rootOf(server()), { bucket })],
    [
      'role session, V4, path style',
      async () =>
        ossClient(
          server(),
          await roleSession(
            server(),
            policy([{ Effect: 'Allow', Action: 'oss:*', Resource: resources }]),
          ),
          { bucket, style: 'path', v4: true },
        ),
    ],
  ];
}

/** One raw request. */
export interface RawRequest {
  method?: string;
  bucket?: string;
  key?: string;
  /** Raw path, instead of one built from bucket and key (sent as is, not signed for it). */
  rawPath?: string;
  query?: Array<[string, string | null]>;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Signer credentials; anonymous when absent. */
  creds?: TestCredentials;
  /** `x-oss-date` to sign with (default: the server's clock). */
  date?: string;
  /** Called with the request before the body is written (to abort it half-way). */
  onRequest?: (req: import('node:http').ClientRequest) => void;
}

/** A raw response. */
export interface RawResponse {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** Path-style path of a bucket and key, escaped as ali-oss escapes keys. */
export function ossPath(bucket?: string, key?: string): string {
  let p = '/';
  if (bucket !== undefined) p += `${bucket}/`;
  if (key !== undefined) p += encodeURIComponent(key).replace(/%2F/g, '/');
  return p;
}

/** The headers of a request, V1-signed when `r.creds` is given (lower-case names). */
export function signedHeaders(yb: TestServer, r: RawRequest): Record<string, string> {
  const method = r.method ?? 'GET';
  const lower = Object.fromEntries(
    Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  if (r.creds) {
    const date = r.date ?? httpDate(yb.clock.now().getTime());
    lower['x-oss-date'] = date;
    if (r.creds.securityToken) lower['x-oss-security-token'] = r.creds.securityToken;
    const sts = ossV1StringToSign(
      {
        method,
        path: ossPath(r.bucket, r.key),
        query: r.query ?? [],
        headers: lower,
        ...(r.bucket !== undefined ? { bucket: r.bucket } : {}),
        ...(r.key !== undefined ? { key: r.key } : {}),
      },
      date,
    );
    lower.authorization = `OSS ${r.creds.accessKeyId}:${signOssV1(r.creds.accessKeySecret, sts)}`;
  }
  return lower;
}

/** Path and query of a raw request. */
export function requestPath(r: RawRequest): string {
  const qs = (r.query ?? [])
    .map(([n, v]) =>
      v === null ? encodeURIComponent(n) : `${encodeURIComponent(n)}=${encodeURIComponent(v)}`,
    )
    .join('&');
  return (r.rawPath ?? ossPath(r.bucket, r.key)) + (qs ? `?${qs}` : '');
}

/** Sends one V1-signed (or anonymous) path-style request with node:http. */
export function rawOss(yb: TestServer, r: RawRequest): Promise<RawResponse> {
  const method = r.method ?? 'GET';
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  const lower = signedHeaders(yb, r);
  const path = requestPath(r);
  const [host, port] = [
    yb.address.slice(0, yb.address.lastIndexOf(':')),
    yb.address.slice(yb.address.lastIndexOf(':') + 1),
  ];
  if (
    body !== undefined &&
    lower['content-length'] === undefined &&
    lower['transfer-encoding'] === undefined
  ) {
    lower['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port: Number(port), method, path, headers: { host: `localhost:${port}`, ...lower } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: b,
            text: b.toString('utf8'),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    r.onRequest?.(req);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** `<Code>` of an error body (or of `x-oss-err` on HEAD). */
export function errorCode(r: RawResponse): string | undefined {
  const xml =
    r.text || Buffer.from(String(r.headers['x-oss-err'] ?? ''), 'base64').toString('utf8');
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

/**
 * Text of one element of an error body (e.g. `Explanation`, where yunbox says which policy or
 * ACL refused a request), entities decoded.
 */
export function errorField(r: RawResponse, name: string): string | undefined {
  const open = `<${name}>`;
  const start = r.text.indexOf(open);
  if (start === -1) return undefined;
  const end = r.text.indexOf(`</${name}>`, start);
  return r.text
    .slice(start + open.length, end)
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

/** Base64 MD5 of bytes. */
export function md5b64(data: Buffer | string): string {
  return createHash('md5').update(data).digest('base64');
}

/** Hex MD5 of bytes. */
export function md5hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}
