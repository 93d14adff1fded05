import { VECTORS_URL } from '../testing/vectors.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFormEncoded, pct } from './pct.js';
import { SIGNATURE_MISMATCH_PREFIX, type RpcRequest } from './rpc-request.js';
import { parseV1, signV1, v1CanonicalizedQueryString, v1StringToSign, verifyV1 } from './rpc-v1.js';

const VECTORS = VECTORS_URL;

interface WireRequest {
  method: string;
  path: string;
  rawQuery: string;
  headers: Record<string, string>;
  body: string;
}

interface SignatureVector {
  id: string;
  algorithm: string;
  inputs: {
    accessKeySecret: string;
    method?: string;
    parameters?: Record<string, string>;
  };
  request?: WireRequest & { decodedQuery: Record<string, string> };
  canonical: { canonicalizedQueryString: string; stringToSign: string };
  expected: { signature: string };
}

interface CapturedRequest extends WireRequest {
  sdk: string;
  mode: string;
  operation: string;
  signatureScheme: string;
}

const signatureVectors = (
  JSON.parse(readFileSync(new URL('openapi-signatures.json', VECTORS), 'utf8')) as {
    vectors: SignatureVector[];
  }
).vectors.filter((v) => v.algorithm.startsWith('HMAC-SHA1'));

const captured = (
  JSON.parse(readFileSync(new URL('openapi-requests.json', VECTORS), 'utf8')) as {
    requests: CapturedRequest[];
  }
).requests.filter((r) => r.signatureScheme === 'HMAC-SHA1 v1');

const SECRETS: Record<string, string> = {
  LTAI5tTestAccessKeyId0001: 'TestAccessKeySecret0000000000001',
  'STS.NTestTemporaryAccessKey01': 'TestStsTemporarySecret000000000001',
};

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** What the gateway does with a request off the wire: decode query and form body. */
function fromWire(w: WireRequest): RpcRequest {
  const query = parseFormEncoded(w.rawQuery);
  if (!query.ok) throw new Error(query.error.message);
  const req: RpcRequest = {
    method: w.method,
    path: w.path,
    query: query.pairs,
    headers: w.headers,
    bodySha256Hex: sha256Hex(w.body),
  };
  if ((w.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    const body = parseFormEncoded(w.body);
    if (!body.ok) throw new Error(body.error.message);
    req.bodyParams = body.pairs;
  }
  return req;
}

function mustParse(req: RpcRequest) {
  const parsed = parseV1(req);
  if (!parsed.ok) throw new Error(`${parsed.error.code}: ${parsed.error.detail}`);
  return parsed.value;
}

describe('signature v1 vectors (openapi-signatures.json)', () => {
  it('covers the expected vectors', () => {
    expect(signatureVectors.map((v) => v.id)).toEqual([
      'v1-get-popcore-createrole',
      'v1-post-popcore-createrole',
      'v1-get-popcore-nonascii',
      'v1-get-popcore-runinstances-sts',
      'v1-post-teasdk-assumerole-sts',
      'v1-post-credentials-assumerole',
      'doc-v1-get-describeregions',
      'derived-v1-get-describeregions-Timestamp',
    ]);
  });

  for (const v of signatureVectors) {
    it(`reproduces ${v.id}`, () => {
      if (v.request) {
        const req = fromWire(v.request);
        const parsed = mustParse(req);
        const signed = Object.fromEntries(parsed.parameters);
        const decodedQuery = Object.fromEntries(req.query);
        expect(decodedQuery).toEqual(v.request.decodedQuery);
        expect(parsed.canonicalizedQueryString).toBe(v.canonical.canonicalizedQueryString);
        expect(parsed.stringToSign).toBe(v.canonical.stringToSign);
        expect(parsed.signature).toBe(v.expected.signature);
        expect(verifyV1(parsed, v.inputs.accessKeySecret)).toEqual({ ok: true, value: true });
        const again = signV1(v.request.method, Object.entries(signed), v.inputs.accessKeySecret);
        expect(again.signature).toBe(v.expected.signature);
      } else {
        const params = Object.entries(v.inputs.parameters ?? {});
        const s = signV1(v.inputs.method ?? 'GET', params, v.inputs.accessKeySecret);
        expect(s.canonicalizedQueryString).toBe(v.canonical.canonicalizedQueryString);
        expect(s.stringToSign).toBe(v.canonical.stringToSign);
        expect(s.signature).toBe(v.expected.signature);
      }
    });
  }
});

describe('captured v1 requests (openapi-requests.json)', () => {
  it('has the 103 signed v1 captures', () => {
    expect(captured).toHaveLength(103);
  });

  for (const [i, r] of captured.entries()) {
    it(`verifies #${i} ${r.sdk} ${r.mode} ${r.operation}`, () => {
      const parsed = mustParse(fromWire(r));
      const secret = SECRETS[parsed.accessKeyId];
      expect(secret).toBeDefined();
      expect(verifyV1(parsed, secret ?? '')).toEqual({ ok: true, value: true });
    });
  }
});

describe('signature v1 rejections', () => {
  const base = signatureVectors.find((v) => v.id === 'v1-post-credentials-assumerole');
  if (!base?.request) throw new Error('vector missing');
  const wire = base.request;
  const secret = base.inputs.accessKeySecret;
  const good = fromWire(wire);

  function withQuery(edit: (q: Array<[string, string]>) => Array<[string, string]>): RpcRequest {
    return { ...good, query: edit(good.query.map(([n, v]): [string, string] => [n, v])) };
  }

  it('rejects a tampered body parameter', () => {
    const req = {
      ...good,
      bodyParams: (good.bodyParams ?? []).map(([n, v]): [string, string] =>
        n === 'DurationSeconds' ? [n, '43200'] : [n, v],
      ),
    };
    const verdict = verifyV1(mustParse(req), secret);
    expect(verdict).toMatchObject({ ok: false, error: { code: 'SignatureDoesNotMatch' } });
  });

  it('rejects an added, a removed and a renamed parameter', () => {
    for (const req of [
      withQuery((q) => [...q, ['RegionId', 'cn-hangzhou']]),
      withQuery((q) => q.filter(([n]) => n !== 'Format')),
      withQuery((q) => q.map(([n, v]) => (n === 'Format' ? ['format', v] : [n, v]))),
    ]) {
      expect(verifyV1(mustParse(req), secret).ok).toBe(false);
    }
  });

  it('rejects a different method', () => {
    expect(verifyV1(mustParse({ ...good, method: 'GET' }), secret).ok).toBe(false);
  });

  it('rejects a wrong secret with the message @alicloud/credentials parses', () => {
    const parsed = mustParse(good);
    const verdict = verifyV1(parsed, 'not-the-secret');
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.error.code).toBe('SignatureDoesNotMatch');
    expect(verdict.error.message).toBe(SIGNATURE_MISMATCH_PREFIX + base.canonical.stringToSign);
    expect(verdict.error.detail).not.toContain('not-the-secret');
  });

  it('rejects a signature of another length or encoding without throwing', () => {
    for (const sig of [
      '',
      'x',
      `${base.expected.signature}=`,
      base.expected.signature.toLowerCase(),
    ]) {
      const req = withQuery((q) => q.map(([n, v]) => (n === 'Signature' ? [n, sig] : [n, v])));
      const parsed = parseV1(req);
      if (parsed.ok) expect(verifyV1(parsed.value, secret).ok).toBe(false);
      else expect(parsed.error.code).toBe('MissingParameter');
    }
  });

  it('rejects a parameter given twice, within or across query and body', () => {
    const inBoth = withQuery((q) => [...q, ['RoleSessionName', 'alice-session']]);
    expect(parseV1(inBoth)).toMatchObject({
      ok: false,
      error: { code: 'InvalidParameter', parameter: 'RoleSessionName' },
    });
    const twice = withQuery((q) => [...q, ['Format', 'JSON']]);
    expect(parseV1(twice)).toMatchObject({
      ok: false,
      error: { code: 'InvalidParameter', parameter: 'Format' },
    });
    const sigTwice = withQuery((q) => [...q, ['Signature', base.expected.signature]]);
    expect(parseV1(sigTwice)).toMatchObject({ ok: false, error: { parameter: 'Signature' } });
  });

  it('requires the signature parameters', () => {
    for (const name of ['Signature', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion']) {
      const req = withQuery((q) => q.filter(([n]) => n !== name));
      expect(parseV1(req)).toMatchObject({
        ok: false,
        error: { code: 'MissingParameter', parameter: name },
      });
    }
  });

  it('accepts only HMAC-SHA1 and version 1.0', () => {
    const sha256 = withQuery((q) =>
      q.map(([n, v]) => (n === 'SignatureMethod' ? [n, 'HMAC-SHA256'] : [n, v])),
    );
    expect(parseV1(sha256)).toMatchObject({
      ok: false,
      error: {
        code: 'InvalidSignatureMethod',
        message: 'The specified parameter "SignatureMethod" is not valid.',
      },
    });
    const v2 = withQuery((q) =>
      q.map(([n, v]) => (n === 'SignatureVersion' ? [n, '2.0'] : [n, v])),
    );
    expect(parseV1(v2)).toMatchObject({
      ok: false,
      error: { code: 'InvalidParameter', parameter: 'SignatureVersion' },
    });
  });

  it('exposes the freshness and token parameters unchecked', () => {
    const parsed = mustParse(good);
    expect(parsed.timestamp).toBe('2025-01-15T08:30:00Z');
    expect(parsed.nonce).toBe('3a9f0b5c-6c1e-4a43-9d5e-0f7a1b2c3d4e');
    expect(parsed.securityToken).toBeUndefined();
    expect(parsed.parameters.has('Signature')).toBe(false);
    expect(parsed.parameters.get('RoleSessionName')).toBe('alice-session');
  });
});

describe('signature v1 properties', () => {
  const text = fc.string({ unit: 'binary', maxLength: 24 });
  const reserved = fc.string({
    unit: fc.constantFrom(
      '%',
      '+',
      '&',
      '=',
      '*',
      '~',
      ' ',
      '!',
      "'",
      '(',
      ')',
      '/',
      '?',
      '#',
      'é',
      '测',
      '😀',
    ),
    maxLength: 8,
  });
  const value = fc.oneof(text, reserved);
  const name = fc.oneof(fc.stringMatching(/^[A-Z][A-Za-z0-9.]{0,20}$/), value);
  const business = fc.uniqueArray(fc.tuple(name, value), {
    selector: ([n]) => n,
    maxLength: 10,
  });
  const common: Array<[string, string]> = [
    ['AccessKeyId', 'LTAI5tTestAccessKeyId0001'],
    ['SignatureMethod', 'HMAC-SHA1'],
    ['SignatureVersion', '1.0'],
    ['SignatureNonce', 'n'],
  ];
  const RESERVED_NAMES = new Set(['Signature', ...common.map(([n]) => n)]);
  const secret = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });

  it('verifies what it signed, whatever the split between query and body or the wire encoding', () => {
    fc.assert(
      fc.property(
        business,
        secret,
        fc.constantFrom('GET', 'POST'),
        fc.nat(),
        fc.boolean(),
        (biz, key, method, split, sdkWire) => {
          const params = [...common, ...biz.filter(([n]) => !RESERVED_NAMES.has(n))];
          const { signature, stringToSign } = signV1(method, params, key);
          const all: Array<[string, string]> = [...params, ['Signature', signature]];
          const cut = split % (all.length + 1);
          const encode = (ps: Array<[string, string]>): string =>
            sdkWire
              ? new URLSearchParams(ps).toString()
              : ps.map(([n, v]) => `${pct(n)}=${pct(v)}`).join('&');
          const w: WireRequest = {
            method,
            path: '/',
            rawQuery: encode(all.slice(0, cut)),
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: encode(all.slice(cut)),
          };
          const parsed = mustParse(fromWire(w));
          expect(parsed.stringToSign).toBe(stringToSign);
          expect(verifyV1(parsed, key).ok).toBe(true);
          expect(verifyV1(parsed, key + 'x').ok).toBe(false);
        },
      ),
    );
  });

  it('fails when any signed value changes', () => {
    fc.assert(
      fc.property(business, secret, fc.nat(), value, (biz, key, pick, replacement) => {
        const params = [...common, ...biz.filter(([n]) => !RESERVED_NAMES.has(n))];
        const { signature } = signV1('POST', params, key);
        const i = pick % params.length;
        const target = params[i];
        fc.pre(target !== undefined && target[1] !== replacement);
        const tampered = params.map((p, j): [string, string] =>
          j === i ? [p[0], replacement] : p,
        );
        fc.pre(tampered.every(([n, v]) => n !== 'SignatureMethod' || v === 'HMAC-SHA1'));
        fc.pre(tampered.every(([n, v]) => n !== 'SignatureVersion' || v === '1.0'));
        fc.pre(tampered.every(([n, v]) => n !== 'AccessKeyId' || v !== ''));
        const req: RpcRequest = {
          method: 'POST',
          path: '/',
          query: [...tampered, ['Signature', signature]],
          headers: {},
          bodySha256Hex: sha256Hex(''),
        };
        const parsed = mustParse(req);
        expect(verifyV1(parsed, key).ok).toBe(false);
      }),
    );
  });

  it('sorts by code unit and encodes names and values', () => {
    expect(
      v1CanonicalizedQueryString([
        ['b', '1'],
        ['B', '2'],
        ['a b', '*'],
        ['Signature', 'dropped'],
      ]),
    ).toBe('B=2&a%20b=%2A&b=1');
    expect(v1StringToSign('GET', 'A=%3A')).toBe('GET&%2F&A%3D%253A');
  });
});
