/**
 * @module Scheme detection, malformed credentials, time checks and mismatch reporting for the OSS
 * verifiers (known answers live in oss-vectors.test.ts).
 */

import { describe, expect, it } from 'vitest';
import {
  checkOssAuthTime,
  detectOssAuthScheme,
  readOssAuth,
  verifyOssSignature,
} from './oss-auth.js';
import {
  OSS_V1_SUB_RESOURCES,
  constantTimeEqual,
  headerText,
  invalidAccessKeyId,
  invalidSecurityToken,
  parseIsoBasic,
  securityTokenExpired,
  parseOssDate,
  signatureDoesNotMatch,
  type OssSignedRequest,
} from './oss-common.js';
import type { OssRequest } from './oss-request.js';
import { ossV1CanonicalResource, parseOssV1Authorization, signOssV1 } from './oss-v1.js';
import { ossV2CanonicalResource, parseOssV2Authorization, signOssV2 } from './oss-v2.js';
import {
  ossV4AdditionalHeaders,
  ossV4CanonicalQuery,
  ossV4CanonicalUri,
  parseOssV4Authorization,
  parseOssV4Credential,
  signOssV4,
} from './oss-v4.js';

const NOW = Date.parse('2025-01-02T03:04:05Z');
/** Both clocks at `t` (the system clock). */
const both = (t: number) => ({ now: t, real: t });
const HTTP_DATE = 'Thu, 02 Jan 2025 03:04:05 GMT';
const SECRET = 'DummyAccessKeySecret0123456789ab';
const CRED = 'LTAI5tDummyAccessKeyId/20250102/cn-hangzhou/oss/aliyun_v4_request';

function req(partial: Partial<OssRequest> & Pick<OssRequest, 'headers'>): OssRequest {
  return { method: 'GET', path: '/k', query: [], bucket: 'b', key: 'k', ...partial };
}

function readOk(r: OssRequest): OssSignedRequest {
  const read = readOssAuth(r);
  if (!read.ok) throw new Error(`${read.code}: ${read.message}`);
  if (read.value === 'anonymous') throw new Error('anonymous');
  return read.value;
}

function readFail(r: OssRequest, options = {}) {
  const read = readOssAuth(r, options);
  if (read.ok) throw new Error('expected a failure');
  return read;
}

/** Sign a request with our own canonicaliser, for tests of everything around the signature. */
function signed(r: OssRequest, secret = SECRET): OssRequest {
  const auth = readOk(r);
  const sig = auth.scheme.startsWith('v1')
    ? signOssV1(secret, auth.stringToSign)
    : auth.scheme.startsWith('v2')
      ? signOssV2(secret, auth.stringToSign)
      : signOssV4(secret, auth.scope!, auth.stringToSign);
  const header = r.headers.authorization;
  if (typeof header === 'string') {
    const replaced = header.startsWith('OSS4')
      ? header.replace(/Signature=[0-9a-f]+/, `Signature=${sig}`)
      : header.replace(/(Signature:|:)[^:,]*$/, `$1${sig}`);
    return { ...r, headers: { ...r.headers, authorization: replaced } };
  }
  const name = auth.scheme === 'v1-presigned' ? 'Signature' : 'x-oss-signature';
  return { ...r, query: r.query.map(([n, v]) => [n, n === name ? sig : v] as const) };
}

describe('detectOssAuthScheme / readOssAuth', () => {
  it('tells the schemes apart', () => {
    const h = (authorization: string) => req({ headers: { authorization } });
    expect(detectOssAuthScheme(h('OSS a:b'))).toBe('v1-header');
    expect(detectOssAuthScheme(h('OSS2 AccessKeyId:a,Signature:b'))).toBe('v2-header');
    expect(detectOssAuthScheme(h(`OSS4-HMAC-SHA256 Credential=${CRED},Signature=x`))).toBe(
      'v4-header',
    );
    expect(detectOssAuthScheme(h('AWS4-HMAC-SHA256 Credential=x'))).toBe('unknown');
    const q = (query: OssRequest['query']) => req({ headers: {}, query });
    expect(detectOssAuthScheme(q([['OSSAccessKeyId', 'a']]))).toBe('v1-presigned');
    expect(detectOssAuthScheme(q([['x-oss-signature-version', 'OSS4-HMAC-SHA256']]))).toBe(
      'v4-presigned',
    );
    expect(detectOssAuthScheme(q([['x-oss-signature-version', 'OSS2']]))).toBe('v2-presigned');
    expect(detectOssAuthScheme(q([['x-oss-signature-version', 'ABC']]))).toBe('unknown');
    expect(detectOssAuthScheme(q([['prefix', 'a']]))).toBe('anonymous');
    expect(readOssAuth(q([]))).toEqual({ ok: true, value: 'anonymous' });
  });

  it('refuses unknown schemes with InvalidArgument', () => {
    expect(readFail(req({ headers: { authorization: 'Bearer x' } })).code).toBe('InvalidArgument');
    const v = readFail(req({ headers: {}, query: [['x-oss-signature-version', 'ABC']] }));
    expect([v.code, v.status, v.ec]).toEqual(['InvalidArgument', 400, '0002-00000066']);
  });
});

describe('V1', () => {
  it('parses the Authorization header strictly', () => {
    expect(parseOssV1Authorization('OSS ak:sig=')).toEqual({
      ok: true,
      value: { accessKeyId: 'ak', signature: 'sig=' },
    });
    for (const bad of ['OSS ak', 'OSS :sig', 'OSS ak:', 'OSSak:sig', 'OSS a k:sig']) {
      const r = parseOssV1Authorization(bad);
      expect(r.ok || [r.code, r.status]).toEqual(['InvalidArgument', 400]);
    }
  });

  it('signs only whitelisted sub-resources, bare when empty, sorted', () => {
    expect(
      ossV1CanonicalResource('b', 'k', [
        ['uploadId', 'U'],
        ['max-parts', '10'],
        ['partNumber', '2'],
        ['acl', null],
        ['response-content-type', 'text/html'],
        ['uploads', ''],
      ]),
    ).toBe('/b/k?acl&partNumber=2&response-content-type=text/html&uploadId=U&uploads');
    expect(ossV1CanonicalResource(undefined, undefined, [['prefix', 'x']])).toBe('/');
    expect(ossV1CanonicalResource('b', undefined, [])).toBe('/b/');
    // oss2's 86, and `cleanRestoredObject` of the V2 SDKs.
    expect(OSS_V1_SUB_RESOURCES.size).toBe(87);
    expect(OSS_V1_SUB_RESOURCES.has('cleanRestoredObject')).toBe(true);
  });

  it('needs x-oss-date or Date', () => {
    const base = { authorization: 'OSS ak:sig' };
    const none = readFail(req({ headers: base }));
    expect([none.code, none.status, none.ec]).toEqual(['AccessDenied', 403, '0002-00000503']);
    expect(readFail(req({ headers: { ...base, date: 'yesterday' } })).code).toBe('AccessDenied');
    const viaXOssDate = readOk(
      req({ headers: { ...base, 'x-oss-date': HTTP_DATE, date: 'junk' } }),
    );
    expect(viaXOssDate.requestTime).toBe(NOW);
    expect(viaXOssDate.stringToSign.split('\n')[3]).toBe(HTTP_DATE);
  });

  it('round-trips and checks the clock', () => {
    const r = signed(
      req({
        method: 'PUT',
        headers: {
          authorization: 'OSS LTAI5tDummyAccessKeyId:x',
          date: HTTP_DATE,
          'x-oss-security-token': 'tok',
        },
      }),
    );
    const auth = readOk(r);
    expect(auth.securityToken).toBe('tok');
    expect(verifyOssSignature(auth, SECRET)).toBe(true);
    expect(checkOssAuthTime(auth, both(NOW + 15 * 60 * 1000))).toBeUndefined();
    const skew = checkOssAuthTime(auth, both(NOW + 15 * 60 * 1000 + 1));
    expect(skew?.code).toBe('RequestTimeTooSkewed');
    expect(skew?.status).toBe(403);
    expect(skew?.fields).toEqual({
      MaxAllowedSkewMilliseconds: '900000',
      RequestTime: '2025-01-02T03:04:05.000Z',
      ServerTime: '2025-01-02T03:19:05.000Z',
    });
    expect(checkOssAuthTime(auth, both(NOW - 16 * 60 * 1000))?.code).toBe('RequestTimeTooSkewed');
  });

  it('takes a Date fresh on either clock: yunbox’s or the host’s real one', () => {
    const auth = readOk(
      signed(req({ method: 'GET', headers: { authorization: 'OSS ak:x', date: HTTP_DATE } })),
    );
    for (const offset of [3600_000, 6 * 3600_000, 30 * 86400_000]) {
      // Signed on the host's time, yunbox's clock moved on: accepted.
      expect(checkOssAuthTime(auth, { now: NOW + offset, real: NOW + 60_000 })).toBeUndefined();
      // Signed on yunbox's time (a program inside an instance): accepted.
      expect(checkOssAuthTime(auth, { now: NOW, real: NOW - offset })).toBeUndefined();
    }
    // Twenty minutes from both: refused, naming yunbox's time as the server's.
    const skew = checkOssAuthTime(auth, { now: NOW + 3600_000, real: NOW + 20 * 60_000 });
    expect(skew?.code).toBe('RequestTimeTooSkewed');
    expect(skew?.fields?.ServerTime).toBe('2025-01-02T04:04:05.000Z');
  });

  it('presigned: Expires is absolute, security-token is signed, missing pieces refused', () => {
    const query: OssRequest['query'] = [
      ['OSSAccessKeyId', 'LTAI5tDummyAccessKeyId'],
      ['Expires', String(NOW / 1000 + 60)],
      ['Signature', 'x'],
      ['security-token', 'tok'],
    ];
    const auth = readOk(signed(req({ headers: {}, query })));
    expect(auth.stringToSign).toBe(`GET\n\n\n${NOW / 1000 + 60}\n/b/k?security-token=tok`);
    expect(auth.securityToken).toBe('tok');
    expect(auth.expiresAt).toBe(NOW + 60_000);
    expect(verifyOssSignature(auth, SECRET)).toBe(true);
    expect(checkOssAuthTime(auth, both(NOW + 60_000))).toBeUndefined();
    const expired = checkOssAuthTime(auth, both(NOW + 60_001));
    expect([expired?.code, expired?.message, expired?.ec]).toEqual([
      'AccessDenied',
      'Request has expired.',
      '0002-00000069',
    ]);
    expect(expired?.fields?.Expires).toBe('2025-01-02T03:05:05.000Z');

    const without = (name: string) => query.filter(([n]) => n !== name);
    expect(readFail(req({ headers: {}, query: without('Expires') })).ec).toBe('0002-00000067');
    expect(readFail(req({ headers: {}, query: without('Signature') })).code).toBe('AccessDenied');
    expect(readFail(req({ headers: {}, query: [...without('Expires'), ['Expires', '']] })).ec).toBe(
      '0002-00000068',
    );
    expect(
      readFail(req({ headers: {}, query: [...without('Expires'), ['Expires', 'abc']] })).ec,
    ).toBe('0002-00000070');
    const signatureOnly = readFail(req({ headers: {}, query: [['Signature', 'x']] }));
    expect(signatureOnly.code).toBe('AccessDenied');
  });

  it('restores a `+` that arrived as a space in Signature', () => {
    const auth = readOk(
      req({
        headers: {},
        query: [
          ['OSSAccessKeyId', 'a'],
          ['Expires', '1'],
          ['Signature', 'ab cd='],
        ],
      }),
    );
    expect(auth.signature).toBe('ab+cd=');
  });
});

describe('V4', () => {
  const v4 = (extra: Record<string, string> = {}, query: OssRequest['query'] = []) =>
    req({
      headers: {
        authorization: `OSS4-HMAC-SHA256 Credential=${CRED},Signature=${'0'.repeat(64)}`,
        'x-oss-date': '20250102T030405Z',
        'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
        ...extra,
      },
      query,
    });

  it('parses the header in either SDK spelling', () => {
    const sig = 'a'.repeat(64);
    const ali = parseOssV4Authorization(
      `OSS4-HMAC-SHA256 Credential=${CRED},AdditionalHeaders=range;host,Signature=${sig}`,
    );
    const oss2 = parseOssV4Authorization(
      `OSS4-HMAC-SHA256 Credential=${CRED}, Signature=${sig}, AdditionalHeaders=host;range`,
    );
    expect(ali).toEqual(oss2);
    expect(ali.ok && ali.value.additionalHeaders).toEqual(['host', 'range']);
    for (const bad of [
      'OSS4-HMAC-SHA256',
      `OSS4-HMAC-SHA256 Credential=${CRED}`,
      `OSS4-HMAC-SHA256 Signature=${sig}`,
      `OSS4-HMAC-SHA256 Credential=${CRED},Signature=xyz`,
      `OSS4-HMAC-SHA256 Credential=${CRED},Signature=${sig},Signature=${sig}`,
      `OSS4-HMAC-SHA256 Credential=${CRED},junk,Signature=${sig}`,
    ]) {
      const r = parseOssV4Authorization(bad);
      expect(r.ok || r.code).toBe('InvalidArgument');
    }
  });

  it('validates the credential scope', () => {
    const ec = (value: string, where: 'header' | 'url' = 'header') => {
      const r = parseOssV4Credential(value, where);
      return r.ok ? 'ok' : r.ec;
    };
    expect(ec(CRED)).toBe('ok');
    expect(ec('AK/2022-12-20/cn-hangzhou/oss/aliyun_v4_request')).toBe('0002-00000212');
    expect(ec('AK/2022-12-20/cn-hangzhou/oss/aliyun_v4_request', 'url')).toBe('0002-00000223');
    expect(ec('AK/20221301/cn-hangzhou/oss/aliyun_v4_request')).toBe('0002-00000212');
    expect(ec('AK/20221220/us-east-1/oss/abc')).toBe('0002-00000213');
    expect(ec('AK/20221220/cn-hangzhou/s3/aliyun_v4_request')).toBe('0002-00000213');
    expect(ec('AK/20221220/cn-hangzhou/oss')).toBe('0002-00000213');
  });

  it('checks x-oss-date, scope date, region and payload hash', () => {
    const noDate = readFail(req({ headers: { authorization: v4().headers.authorization } }));
    expect([noDate.code, noDate.ec]).toEqual(['AccessDenied', '0002-00000503']);
    expect(readFail(v4({ 'x-oss-date': HTTP_DATE })).code).toBe('AccessDenied');
    expect(readFail(v4({ 'x-oss-date': '20250103T030405Z' })).ec).toBe('0002-00000212');
    const region = readFail(v4(), { regions: ['cn-beijing'] });
    expect([region.code, region.ec]).toEqual(['InvalidArgument', '0002-00000226']);
    expect(readOssAuth(v4(), { regions: ['cn-hangzhou'] }).ok).toBe(true);
    const payload = readFail(v4({ 'x-oss-content-sha256': 'e3b0c442' }));
    expect([payload.code, payload.ec, payload.fields?.ArgumentName]).toEqual([
      'InvalidArgument',
      '0002-00000214',
      'x-oss-content-sha256',
    ]);
    const { 'x-oss-content-sha256': _, ...noPayload } = v4().headers as Record<string, string>;
    expect(
      readOk(req({ headers: noPayload })).canonicalRequest?.endsWith('\nUNSIGNED-PAYLOAD'),
    ).toBe(true);
  });

  it('canonicalises URI, query and additional headers', () => {
    expect(ossV4CanonicalUri('b', "a b/c+d*!'()~.txt")).toBe('/b/a%20b/c%2Bd%2A%21%27%28%29~.txt');
    expect(ossV4CanonicalUri(undefined, undefined)).toBe('/');
    expect(ossV4CanonicalUri('b', undefined)).toBe('/b/');
    const q: OssRequest['query'] = [
      ['prefix', ''],
      ['uploads', null],
      ['max-keys', '5'],
      ['x-oss-signature', 'dropped'],
      ['a', '1/2'],
      ['a', '0'],
    ];
    expect(ossV4CanonicalQuery(q)).toBe('a=0&a=1%2F2&max-keys=5&prefix&uploads');
    expect(ossV4CanonicalQuery(q, { emptyAsEquals: true })).toBe(
      'a=0&a=1%2F2&max-keys=5&prefix=&uploads',
    );
    expect(ossV4AdditionalHeaders('Range; host;x-oss-meta-a;Content-Type;range')).toEqual([
      'host',
      'range',
    ]);
    const withRange = readOk(
      req({
        headers: {
          ...v4().headers,
          authorization: `OSS4-HMAC-SHA256 Credential=${CRED},AdditionalHeaders=range;if-match,Signature=${'0'.repeat(64)}`,
          range: 'bytes=0-4',
        },
      }),
    );
    // A listed header that was not sent is left out of the canonical headers (oss2 behaviour).
    expect(withRange.canonicalRequest).toContain('\nrange:bytes=0-4\n');
    expect(withRange.canonicalRequest).toContain('\n\nif-match;range\n');
    expect(withRange.canonicalRequest).not.toContain('if-match:');
  });

  it('accepts the ali-oss `name=` variant for empty values', () => {
    const r = signed(
      v4({}, [
        ['prefix', ''],
        ['max-keys', '5'],
      ]),
    );
    const auth = readOk(r);
    expect(auth.alternatives).toHaveLength(1);
    // Re-sign the ali-oss way and check the verifier still accepts it.
    const alt = auth.alternatives?.[0];
    const sig = signOssV4(SECRET, auth.scope!, alt!.stringToSign);
    const aliStyle = readOk({
      ...r,
      headers: {
        ...r.headers,
        authorization: `OSS4-HMAC-SHA256 Credential=${CRED},Signature=${sig}`,
      },
    });
    expect(verifyOssSignature(aliStyle, SECRET)).toBe(true);
    expect(verifyOssSignature(auth, SECRET)).toBe(true);
    expect(readOk(v4({}, [['max-keys', '5']])).alternatives).toBeUndefined();
  });

  describe('presigned', () => {
    const base: OssRequest['query'] = [
      ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
      ['x-oss-credential', CRED],
      ['x-oss-date', '20250102T030405Z'],
      ['x-oss-expires', '600'],
      ['x-oss-security-token', 'tok'],
      ['x-oss-signature', '0'.repeat(64)],
    ];
    const url = (query: OssRequest['query']) => req({ headers: { host: 'localhost:1' }, query });
    const set = (name: string, value: string | null) =>
      base.map(([n, v]) => [n, n === name ? value : v] as const).filter(([, v]) => v !== null);

    it('signs every parameter but x-oss-signature; expiry is relative', () => {
      const auth = readOk(signed(url(base)));
      expect(auth.scheme).toBe('v4-presigned');
      expect(auth.securityToken).toBe('tok');
      expect(auth.expiresAt).toBe(NOW + 600_000);
      expect(auth.canonicalRequest?.split('\n')[2]).not.toContain('x-oss-signature=');
      expect(verifyOssSignature(auth, SECRET)).toBe(true);
      expect(checkOssAuthTime(auth, both(NOW + 600_000))).toBeUndefined();
      expect(checkOssAuthTime(auth, both(NOW + 600_001))?.message).toBe('Request has expired.');
      expect(checkOssAuthTime(auth, both(NOW - 16 * 60_000))?.code).toBe('RequestTimeTooSkewed');
    });

    it('a date ahead of both clocks is skewed; expiry is on yunbox’s clock alone', () => {
      const auth = readOk(signed(url(base)));
      // yunbox's clock 6 h ahead of the host's: the URL (made on the host's time) has expired.
      const moved = { now: NOW + 6 * 3600_000, real: NOW };
      expect(checkOssAuthTime(auth, moved)?.message).toBe('Request has expired.');
      // yunbox's clock behind: dated 20 minutes ahead of it but not of the real clock, fine.
      expect(checkOssAuthTime(auth, { now: NOW - 20 * 60_000, real: NOW })).toBeUndefined();
      expect(
        checkOssAuthTime(auth, { now: NOW - 20 * 60_000, real: NOW - 16 * 60_000 })?.code,
      ).toBe('RequestTimeTooSkewed');
    });

    it('refuses bad parameters', () => {
      expect(readFail(url(set('x-oss-expires', null))).ec).toBe('0002-00000215');
      expect(readFail(url(set('x-oss-expires', '0'))).ec).toBe('0002-00000232');
      expect(readFail(url(set('x-oss-expires', '604801'))).ec).toBe('0002-00000232');
      expect(readOssAuth(url(set('x-oss-expires', '604800'))).ok).toBe(true);
      expect(readFail(url(set('x-oss-credential', null))).code).toBe('AccessDenied');
      expect(readFail(url(set('x-oss-date', null))).code).toBe('AccessDenied');
      expect(readFail(url(set('x-oss-date', '2025'))).code).toBe('AccessDenied');
      expect(readFail(url(set('x-oss-date', '20250103T030405Z'))).ec).toBe('0002-00000223');
      expect(readFail(url(set('x-oss-signature', 'abc'))).code).toBe('InvalidArgument');
      expect(readFail(url(base), { regions: ['cn-beijing'] }).ec).toBe('0002-00000226');
    });
  });
});

describe('V2 (OSS2)', () => {
  it('parses the header and canonicalises all query parameters', () => {
    expect(
      parseOssV2Authorization('OSS2 AccessKeyId:ak,AdditionalHeaders:Range;host,Signature:s'),
    ).toEqual({
      ok: true,
      value: { accessKeyId: 'ak', additionalHeaders: ['host', 'range'], signature: 's' },
    });
    const missing = parseOssV2Authorization('OSS2 AccessKeyId:ak,AdditionalHeaders:host');
    expect(missing.ok || missing.ec).toBe('0002-00000108');
    expect(parseOssV2Authorization('OSS2 junk').ok).toBe(false);
    expect(
      ossV2CanonicalResource('b', 'a/b c', [
        ['uploads', null],
        ['x', 'a/b'],
      ]),
    ).toBe('%2Fb%2Fa%2Fb%20c?uploads&x=a%2Fb');
    expect(ossV2CanonicalResource(undefined, undefined, [])).toBe('%2F');
  });

  it('uses Date, not x-oss-date, and signs additional headers', () => {
    const r = req({
      headers: {
        authorization: 'OSS2 AccessKeyId:ak,AdditionalHeaders:range,Signature:x',
        date: HTTP_DATE,
        'x-oss-date': 'ignored',
        range: 'bytes=0-1',
      },
    });
    const auth = readOk(r);
    expect(auth.stringToSign).toBe(
      `GET\n\n\n${HTTP_DATE}\nrange:bytes=0-1\nx-oss-date:ignored\nrange\n%2Fb%2Fk`,
    );
    expect(verifyOssSignature(readOk(signed(r)), SECRET)).toBe(true);
    expect(
      readFail(req({ headers: { authorization: 'OSS2 AccessKeyId:ak,Signature:x' } })).code,
    ).toBe('AccessDenied');
  });

  it('presigned: absolute x-oss-expires as the date line', () => {
    const query: OssRequest['query'] = [
      ['x-oss-signature-version', 'OSS2'],
      ['x-oss-expires', String(NOW / 1000 + 10)],
      ['x-oss-access-key-id', 'ak'],
      ['security-token', 'tok'],
      ['x-oss-signature', 'x'],
    ];
    const auth = readOk(signed(req({ headers: {}, query })));
    expect(auth.stringToSign.split('\n')[3]).toBe(String(NOW / 1000 + 10));
    expect(auth.securityToken).toBe('tok');
    expect(verifyOssSignature(auth, SECRET)).toBe(true);
    expect(checkOssAuthTime(auth, both(NOW + 10_001))?.code).toBe('AccessDenied');
    const noSig = readFail(req({ headers: {}, query: query.slice(0, 4) }));
    expect(noSig.ec).toBe('0002-00000117');
    const badExpires = readFail(
      req({
        headers: {},
        query: [...query.slice(0, 1), ['x-oss-expires', 'x'], ...query.slice(2)],
      }),
    );
    expect(badExpires.ec).toBe('0002-00000070');
  });
});

describe('shared helpers', () => {
  it('constantTimeEqual', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  it('parses request dates strictly', () => {
    expect(parseOssDate(HTTP_DATE)).toBe(NOW);
    expect(parseOssDate('Thu, 2 Jan 2025 03:04:05 GMT')).toBe(NOW);
    expect(parseOssDate('20250102T030405Z')).toBe(NOW);
    expect(parseOssDate('Thu, 32 Jan 2025 03:04:05 GMT')).toBeUndefined();
    expect(parseOssDate('Thu, 02 Jan 2025 03:04:05 +0000')).toBeUndefined();
    expect(parseOssDate('2025-01-02T03:04:05Z')).toBeUndefined();
    expect(parseIsoBasic('20250230T000000Z')).toBeUndefined();
  });

  it('reports the server view of a mismatch as OSS does', () => {
    const auth = readOk(req({ headers: { authorization: 'OSS ak:sig', date: HTTP_DATE } }));
    const f = signatureDoesNotMatch(auth);
    expect([f.code, f.status]).toEqual(['SignatureDoesNotMatch', 403]);
    expect(Object.keys(f.fields ?? {})).toEqual([
      'OSSAccessKeyId',
      'SignatureProvided',
      'StringToSign',
      'StringToSignBytes',
    ]);
    expect(f.fields?.StringToSignBytes?.startsWith('47 45 54 0A ')).toBe(true);
    const v4auth = readOk(
      req({
        headers: {
          authorization: `OSS4-HMAC-SHA256 Credential=${CRED},Signature=${'0'.repeat(64)}`,
          'x-oss-date': '20250102T030405Z',
        },
      }),
    );
    const f4 = signatureDoesNotMatch(v4auth);
    expect(f4.ec).toBe('0002-00000201');
    expect(f4.fields?.CanonicalRequest).toBe(v4auth.canonicalRequest);
  });

  it('words key and token failures as OSS does', () => {
    expect(invalidAccessKeyId('AK')).toMatchObject({
      code: 'InvalidAccessKeyId',
      status: 403,
      message: 'The OSS Access Key Id you provided does not exist in our records.',
      fields: { OSSAccessKeyId: 'AK' },
    });
    expect(invalidAccessKeyId('STS.x', { stsWithoutToken: true }).ec).toBe('0002-00000003');
    expect(invalidAccessKeyId('AK', { disabled: true }).message).toContain('disabled');
    expect(securityTokenExpired('tok')).toMatchObject({
      code: 'SecurityTokenExpired',
      status: 403,
      fields: { SecurityToken: 'tok' },
    });
    expect(invalidSecurityToken()).toMatchObject({ code: 'InvalidSecurityToken', status: 403 });
  });
});

describe('headerText', () => {
  it('reads header bytes that are UTF-8 as their text, and leaves other values alone', () => {
    const bytes = Buffer.from('阿达 é');
    expect(headerText(bytes.toString('latin1'))).toBe('阿达 é');
    expect(headerText('plain ascii')).toBe('plain ascii');
    // Latin-1 bytes that are not UTF-8, and text that never was single bytes, stay as they are.
    expect(headerText('caf\u00e9')).toBe('caf\u00e9');
    expect(headerText('中')).toBe('中');
  });
});
