import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { matchCorsRule } from './handlers/cors.js';
import { checkPreconditions, parseRange } from './handlers/objects.js';
import { parsePostPolicy } from './handlers/post-object.js';
import type { OssObject } from './model.js';
import { selectOperation } from './operations.js';
import { isOssRequest } from './protocol.js';

function req(method: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { method, url, headers } as unknown as IncomingMessage;
}

describe('which requests are OSS’s', () => {
  it('claims OSS hosts, signatures and x-oss headers, and path-style requests', () => {
    expect(isOssRequest(req('GET', '/', { host: 'b.oss-cn-hangzhou.aliyuncs.com' }))).toBe(true);
    expect(isOssRequest(req('GET', '/', { host: '.oss-cn-hangzhou.aliyuncs.com' }))).toBe(true);
    expect(isOssRequest(req('GET', '/k', { host: 'oss-cn-hangzhou-internal.aliyuncs.com' }))).toBe(
      true,
    );
    expect(
      isOssRequest(req('GET', '/', { host: '127.0.0.1:9910', authorization: 'OSS a:b' })),
    ).toBe(true);
    expect(
      isOssRequest(
        req('GET', '/', {
          authorization: 'OSS4-HMAC-SHA256 Credential=a/b/c/oss/aliyun_v4_request',
        }),
      ),
    ).toBe(true);
    expect(isOssRequest(req('GET', '/b/k?OSSAccessKeyId=a&Expires=1&Signature=s'))).toBe(true);
    expect(isOssRequest(req('GET', '/b/k?x-oss-signature-version=OSS4-HMAC-SHA256'))).toBe(true);
    expect(isOssRequest(req('PUT', '/', { 'x-oss-date': 'now' }))).toBe(true);
    expect(isOssRequest(req('GET', '/bucket/key'))).toBe(true);
    expect(isOssRequest(req('GET', '/', { host: 'bucket.localhost:9910' }))).toBe(true);
  });

  it('leaves RPC calls to the RPC pipeline', () => {
    expect(isOssRequest(req('GET', '/?Action=ListRoles&Version=2015-05-01'))).toBe(false);
    expect(isOssRequest(req('GET', '/', { host: 'ram.aliyuncs.com' }))).toBe(false);
    expect(
      isOssRequest(
        req('POST', '/', { authorization: 'ACS3-HMAC-SHA256 Credential=a', 'x-acs-action': 'X' }),
      ),
    ).toBe(false);
    expect(
      isOssRequest(req('POST', '/', { 'x-acs-action': 'CreateRole', 'x-acs-version': 'v' })),
    ).toBe(false);
    expect(
      isOssRequest(req('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' })),
    ).toBe(false);
    expect(isOssRequest(req('GET', '/', { host: 'ecs.cn-hangzhou.aliyuncs.com' }))).toBe(false);
    expect(isOssRequest(req('GET', '/'))).toBe(false);
  });
});

describe('operation selection', () => {
  const q = (pairs: Array<[string, string | null]>) => {
    const m = new Map(pairs);
    return {
      get: (n: string) => m.get(n),
      has: (n: string) => m.has(n),
      names: () => [...m.keys()],
    };
  };
  const none = (_name: string): string | undefined => undefined;
  it('goes from specific to general', () => {
    const name = (level: any, method: string, query: Array<[string, string | null]>, h = none) =>
      selectOperation(level, method, q(query), h)?.name;
    expect(
      name(
        'object',
        'PUT',
        [
          ['partNumber', '1'],
          ['uploadId', 'U'],
        ],
        (n) => (n === 'x-oss-copy-source' ? '/b/k' : undefined),
      ),
    ).toBe('UploadPartCopy');
    expect(
      name('object', 'PUT', [
        ['partNumber', '1'],
        ['uploadId', 'U'],
      ]),
    ).toBe('UploadPart');
    expect(name('object', 'PUT', [], (n) => (n === 'x-oss-copy-source' ? '/b/k' : undefined))).toBe(
      'CopyObject',
    );
    expect(name('object', 'PUT', [])).toBe('PutObject');
    expect(name('object', 'PUT', [['acl', null]])).toBe('PutObjectAcl');
    expect(name('bucket', 'GET', [['list-type', '2']])).toBe('ListObjectsV2');
    expect(name('bucket', 'GET', [['uploads', null]])).toBe('ListMultipartUploads');
    expect(name('bucket', 'GET', [['prefix', 'a']])).toBe('ListObjects');
    expect(name('object', 'HEAD', [['objectMeta', null]])).toBe('GetObjectMeta');
    expect(
      name('object', 'POST', [
        ['append', null],
        ['position', '0'],
      ]),
    ).toBe('AppendObject');
    expect(name('service', 'GET', [])).toBe('ListBuckets');
    expect(name('object', 'OPTIONS', [])).toBe('Options');
    expect(name('bucket', 'PATCH', [])).toBeUndefined();
  });
});

describe('ranges and conditions', () => {
  it('parses Range as OSS does', () => {
    expect(parseRange('bytes=0-9', 100, false)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100, false)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100, false)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=0-9,20-29', 100, false)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=9-0', 100, false)).toBeUndefined();
    expect(parseRange('items=0-9', 100, false)).toBeUndefined();
    expect(parseRange('bytes=50-200', 100, false)).toBeUndefined();
    expect(parseRange('bytes=50-200', 100, true)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-200', 100, false)).toBeUndefined();
    expect(parseRange('bytes=100-200', 100, true)).toBe('unsatisfiable');
  });

  it('evaluates conditional headers in RFC 7232 order', () => {
    const o = { etag: '"ABC"', lastModified: Date.UTC(2025, 0, 1) } as OssObject;
    const h = (m: Record<string, string>) => (n: string) => m[n];
    expect(checkPreconditions(h({ 'if-match': '"abc"' }), o)).toBe('ok');
    expect(() => checkPreconditions(h({ 'if-match': '"x"' }), o)).toThrow(/pre-conditions/);
    expect(checkPreconditions(h({ 'if-none-match': '*' }), o)).toBe('not-modified');
    expect(checkPreconditions(h({ 'if-modified-since': 'Wed, 01 Jan 2025 00:00:00 GMT' }), o)).toBe(
      'not-modified',
    );
    expect(checkPreconditions(h({ 'if-modified-since': 'Tue, 31 Dec 2024 23:59:59 GMT' }), o)).toBe(
      'ok',
    );
    expect(() =>
      checkPreconditions(h({ 'if-unmodified-since': 'Tue, 31 Dec 2024 00:00:00 GMT' }), o),
    ).toThrow(/pre-conditions/);
    expect(() =>
      checkPreconditions(h({ 'x-oss-copy-source-if-match': '"x"' }), o, 'x-oss-copy-source-'),
    ).toThrow(/pre-conditions/);
  });
});

describe('CORS rules', () => {
  const rules = [
    {
      allowedOrigins: ['https://*.example.com'],
      allowedMethods: ['GET'],
      allowedHeaders: ['x-oss-*'],
      exposeHeaders: [],
    },
    { allowedOrigins: ['*'], allowedMethods: ['PUT'], allowedHeaders: ['*'], exposeHeaders: [] },
  ];
  it('matches origin, method and requested headers', () => {
    expect(matchCorsRule(rules, 'https://a.example.com', 'GET', ['x-oss-meta-a'])).toBe(rules[0]);
    expect(matchCorsRule(rules, 'https://a.example.com', 'GET', ['content-type'])).toBeUndefined();
    expect(matchCorsRule(rules, 'http://a.example.com', 'GET')).toBeUndefined();
    expect(matchCorsRule(rules, 'http://anything', 'PUT', ['a', 'b'])).toBe(rules[1]);
  });
});

describe('PostObject policies', () => {
  it('reads conditions in all their forms', () => {
    const p = parsePostPolicy(
      JSON.stringify({
        expiration: '2030-01-01T00:00:00.000Z',
        conditions: [
          { bucket: 'b' },
          ['starts-with', '$key', 'user/'],
          ['content-length-range', 1, 10],
          ['in', '$content-type', ['image/png']],
        ],
      }),
    );
    expect(p.expiration).toBe(Date.UTC(2030, 0, 1));
    expect(p.conditions.map((c) => c.op)).toEqual(['eq', 'starts-with', 'range', 'in']);
    expect(() => parsePostPolicy('{"expiration":"soon"}')).toThrow(/expiration/);
    expect(() =>
      parsePostPolicy(
        '{"expiration":"2030-01-01T00:00:00Z","conditions":[["matches","$key","x"]]}',
      ),
    ).toThrow(/Unknown condition/);
  });
});
