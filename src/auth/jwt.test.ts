import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt, importJwk, signJwtRs256, verifyJwtSignature, MAX_JWT_LENGTH } from './jwt.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaJwk = rsa.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('decodeJwt', () => {
  it('decodes a signed token; the signature verifies under its key only', () => {
    const token = signJwtRs256({ iss: 'https://i', sub: 's' }, rsaPem, 'k1');
    const d = decodeJwt(token);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.jwt.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    expect(d.jwt.payload.sub).toBe('s');
    expect(verifyJwtSignature(d.jwt, importJwk(rsaJwk)!)).toBe(true);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(verifyJwtSignature(d.jwt, other)).toBe(false);
  });

  it('verifies ES256 (P-256, raw r||s) and refuses a DER-encoded signature', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const input = `${b64({ alg: 'ES256' })}.${b64({ sub: 'x' })}`;
    const raw = sign('sha256', Buffer.from(input), {
      key: ec.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const d = decodeJwt(`${input}.${raw.toString('base64url')}`);
    expect(d.ok).toBe(true);
    const key = importJwk(ec.publicKey.export({ format: 'jwk' }) as Record<string, unknown>)!;
    if (d.ok) expect(verifyJwtSignature(d.jwt, key)).toBe(true);
    const der = sign('sha256', Buffer.from(input), ec.privateKey);
    const d2 = decodeJwt(`${input}.${der.toString('base64url')}`);
    if (d2.ok) expect(verifyJwtSignature(d2.jwt, key)).toBe(false);
    // An RS256 header never verifies with an EC key (no algorithm confusion).
    const d3 = decodeJwt(`${b64({ alg: 'RS256' })}.${b64({})}.${raw.toString('base64url')}`);
    if (d3.ok) expect(verifyJwtSignature(d3.jwt, key)).toBe(false);
  });

  it("refuses malformed tokens in Alibaba's words", () => {
    const msg = (t: string) => {
      const d = decodeJwt(t);
      return d.ok ? 'ok' : d.message;
    };
    expect(msg('')).toBe('The OIDCToken can not empty.');
    expect(msg('a.b')).toContain('3 parts');
    expect(msg('a.b.c.d')).toContain('3 parts');
    expect(msg('a!.b.c')).toContain('Cannot decode base64');
    expect(msg(`${b64({ alg: 'HS256' })}.${b64({})}.`)).toBe(
      'The algorithm HS256 that be specified in Jwt header is unknown.',
    );
    expect(msg(`${b64({ alg: 'none' })}.${b64({})}.`)).toContain('none');
    expect(msg(`${b64([1])}.${b64({})}.`)).toContain('cannot be recognized');
    expect(msg('x'.repeat(MAX_JWT_LENGTH + 1))).toContain('longer than');
  });

  it('imports only RSA keys of 2048 bits or more and P-256 EC keys', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(importJwk(small.export({ format: 'jwk' }) as Record<string, unknown>)).toBeUndefined();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    expect(importJwk(p384.export({ format: 'jwk' }) as Record<string, unknown>)).toBeUndefined();
    expect(importJwk({ kty: 'oct', k: 'AAAA' })).toBeUndefined();
    expect(importJwk({ kty: 'RSA', n: '!!', e: 'AQAB' })).toBeUndefined();
  });
});
