/**
 * @module The console's browser signer (`src/console/web/signing.ts`, WebCrypto) against the
 * official SDKs' vectors (test/vectors): every ACS3 vector of openapi-signatures.json and
 * every OSS V4 vector of oss-signatures.json that uses no additional headers (the console never
 * signs any), header and presigned forms.
 */
import { describe, expect, it } from 'vitest';
import {
  isoBasic,
  ossPath,
  pct,
  presignOssV4,
  queryString,
  sha256Hex,
  signAcs3,
  signOssV4Header,
} from '../../src/console/web/signing.js';
import { readVectors } from '../../src/testing/vectors.js';

const load = (name: string) => readVectors(name);

interface Acs3Vector {
  id: string;
  algorithm: string;
  inputs: { accessKeyId: string; accessKeySecret: string };
  request?: {
    method: string;
    path: string;
    decodedQuery: Record<string, string>;
    headers: Record<string, string>;
    body: string;
  };
  canonical: { canonicalRequest: string; stringToSign: string };
  expected: { signature: string; authorization?: string };
}

const acs3 = (load('openapi-signatures.json').vectors as Acs3Vector[]).filter(
  (v) => v.algorithm === 'ACS3-HMAC-SHA256' && v.request,
);

describe('ACS3 in the browser signer', () => {
  it('has the ACS3 vectors', () => expect(acs3.length).toBeGreaterThanOrEqual(5));
  for (const v of acs3) {
    it(v.id, async () => {
      const r = v.request!;
      const headers = { ...r.headers };
      delete headers.authorization;
      const out = await signAcs3({
        method: r.method,
        path: r.path,
        query: Object.entries(r.decodedQuery),
        headers,
        bodySha256Hex: await sha256Hex(r.body),
        accessKeyId: v.inputs.accessKeyId,
        accessKeySecret: v.inputs.accessKeySecret,
      });
      expect(out.canonicalRequest).toBe(v.canonical.canonicalRequest);
      expect(out.stringToSign).toBe(v.canonical.stringToSign);
      expect(out.signature).toBe(v.expected.signature);
      expect(out.authorization).toBe(r.headers.authorization);
    });
  }
});

interface OssVector {
  id: string;
  scheme: string;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  request?: {
    method: string;
    headers: [string, string][];
    bucket?: string;
    key?: string;
    query: [string, string | null][];
  };
  requestAsReplayed?: OssVector['request'];
  region: string;
  canonicalRequest: string;
  signature: string;
}

const v4 = (load('oss-signatures.json').vectors as OssVector[]).filter((v) => {
  if (!v.scheme.startsWith('V4')) return false;
  const r = v.request ?? v.requestAsReplayed!;
  const auth = r.headers.find(([n]) => n.toLowerCase() === 'authorization')?.[1] ?? '';
  return (
    !auth.includes('AdditionalHeaders') && !r.query.some(([n]) => n === 'x-oss-additional-headers')
  );
});

const parseBasic = (t: string) =>
  Date.UTC(
    +t.slice(0, 4),
    +t.slice(4, 6) - 1,
    +t.slice(6, 8),
    +t.slice(9, 11),
    +t.slice(11, 13),
    +t.slice(13, 15),
  );

describe('OSS V4 in the browser signer', () => {
  it('has header and presigned vectors', () => {
    expect(v4.filter((v) => v.scheme === 'V4-header').length).toBeGreaterThanOrEqual(4);
    expect(v4.filter((v) => v.scheme === 'V4-presigned').length).toBeGreaterThanOrEqual(2);
  });
  for (const v of v4) {
    it(v.id, async () => {
      const r = v.request ?? v.requestAsReplayed!;
      const signing = new Set([
        'x-oss-date',
        'x-oss-content-sha256',
        'x-oss-security-token',
        'authorization',
      ]);
      const headers: Record<string, string> = {};
      for (const [n, value] of r.headers)
        if (!signing.has(n.toLowerCase())) headers[n.toLowerCase()] = value;
      const credentials = v.credentials;
      if (v.scheme === 'V4-header') {
        const date = r.headers.find(([n]) => n.toLowerCase() === 'x-oss-date')![1];
        const out = await signOssV4Header({
          method: r.method,
          ...(r.bucket ? { bucket: r.bucket } : {}),
          ...(r.key ? { key: r.key } : {}),
          query: r.query,
          headers,
          credentials,
          region: v.region,
          now: parseBasic(date),
        });
        expect(out.canonicalRequest).toBe(v.canonicalRequest);
        expect(out.signature).toBe(v.signature);
      } else {
        const q = new Map(r.query);
        const out = await presignOssV4({
          method: r.method,
          ...(r.bucket ? { bucket: r.bucket } : {}),
          ...(r.key ? { key: r.key } : {}),
          query: r.query.filter(([n]) => !n.startsWith('x-oss-')),
          credentials,
          region: v.region,
          now: parseBasic(q.get('x-oss-date')!),
          expiresSeconds: Number(q.get('x-oss-expires')),
        });
        expect(out.canonicalRequest).toBe(v.canonicalRequest);
        expect(out.signature).toBe(v.signature);
      }
    });
  }
});

describe('helpers', () => {
  it('encodes as the signers do', () => {
    expect(pct("a b*!'()~")).toBe('a%20b%2A%21%27%28%29~');
    expect(isoBasic(Date.UTC(2025, 0, 2, 3, 4, 5))).toBe('20250102T030405Z');
    expect(
      queryString([
        ['prefix', 'a/'],
        ['acl', null],
      ]),
    ).toBe('prefix=a%2F&acl');
    expect(ossPath('b', 'dir/a b.txt')).toBe('/b/dir%2Fa%20b.txt');
    expect(ossPath('b', '.hidden')).toBe('/b/%2Ehidden');
    expect(ossPath('b', undefined)).toBe('/b/');
    expect(ossPath(undefined, undefined)).toBe('/');
  });
});
