import { execFile, spawnSync } from 'node:child_process';
import { generateKeyPairSync, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { children, oid, readTlv, tlv } from './der.js';
import { base64Lines, OID, selfSignedCertificate, signedData } from './signed-data.js';

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
// CI must run the openssl checks; elsewhere they need the binary.
const OPENSSL = HAS_OPENSSL || process.env.CI === 'true';

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, (e, stdout, stderr) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: stdout, err: stderr });
    });
  });
}

interface Signer {
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificate: Buffer;
}

function signer(commonName: string, notBefore = Date.now() - 60_000): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = selfSignedCertificate({
    privateKey,
    publicKey,
    organization: 'yunbox',
    commonName,
    serial: Buffer.from('00ff0102030405060708', 'hex'),
    notBefore,
    notAfter: notBefore + 20 * 365 * 86_400_000,
  });
  return { privateKey, publicKey, certificate };
}

const pem = (label: string, der: Buffer) =>
  `-----BEGIN ${label}-----\n${base64Lines(der)}\n-----END ${label}-----\n`;

let a: Signer;
let b: Signer;
let dir: string;
beforeAll(async () => {
  a = signer('yunbox instance identity');
  b = signer('someone else');
  dir = await mkdtemp(join(tmpdir(), 'yunbox-signed-data-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('selfSignedCertificate', () => {
  it('makes a certificate Node parses and verifies, for signing only', () => {
    const x = new X509Certificate(a.certificate);
    expect(x.subject).toBe('O=yunbox\nCN=yunbox instance identity');
    expect(x.issuer).toBe(x.subject);
    expect(x.verify(a.publicKey)).toBe(true);
    expect(x.verify(b.publicKey)).toBe(false);
    expect(x.ca).toBe(false);
    // A serial with a leading zero octet is written minimally.
    expect(x.serialNumber).toBe('FF0102030405060708');
    expect(x.publicKey.export({ type: 'spki', format: 'der' })).toEqual(
      a.publicKey.export({ type: 'spki', format: 'der' }),
    );
    expect(Date.parse(x.validTo) - Date.parse(x.validFrom)).toBeGreaterThan(19 * 365 * 86_400_000);
  });

  it('writes GeneralizedTime past 2049, as RFC 5280 wants', () => {
    const late = signer('late', Date.parse('2049-06-01T00:00:00Z'));
    const x = new X509Certificate(late.certificate);
    expect(new Date(x.validTo).getUTCFullYear()).toBe(2069);
  });

  it.skipIf(!OPENSSL)('shows openssl its critical extensions', async () => {
    const path = join(dir, 'a.pem');
    await writeFile(path, pem('CERTIFICATE', a.certificate));
    const text = await run(['x509', '-in', path, '-noout', '-text']);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text.out).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    expect(text.out).toMatch(/Subject Key Identifier/);
    expect(text.out).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
  });
});

describe('signedData', () => {
  const content = Buffer.from('{"instance-id":"i-1","audience":"x"}');

  it('embeds the content and signs its attributes with the certificate key', () => {
    const now = Date.parse('2024-05-06T07:08:09Z');
    const der = signedData({
      content,
      certificate: a.certificate,
      privateKey: a.privateKey,
      signingTime: now,
    });
    const info = children(readTlv(der, 0).content);
    expect(info[0]!.raw).toEqual(oid(OID.signedData));
    const [version, digests, encap, signerInfos, ...more] = children(
      children(info[1]!.content)[0]!.content,
    );
    expect(more).toEqual([]); // no certificates, no CRLs
    expect(version!.raw.toString('hex')).toBe('020101');
    expect(digests!.tag).toBe(0x31);
    const [type, wrapped] = children(encap!.content);
    expect(type!.raw).toEqual(oid(OID.data));
    expect(children(wrapped!.content)[0]!.content).toEqual(content);

    const [si] = children(signerInfos!.content);
    const fields = children(si!.content);
    expect(fields).toHaveLength(6);
    const [, sid, , attrs, , signature] = fields;
    // The signer named by the certificate's issuer and serial.
    const tbs = children(children(readTlv(a.certificate, 0).content)[0]!.content);
    expect(children(sid!.content).map((t) => t.raw)).toEqual([tbs[3]!.raw, tbs[1]!.raw]);
    // RFC 5652 5.4: the signature covers the attributes as a SET OF.
    expect(attrs!.tag).toBe(0xa0);
    const signedBytes = tlv(0x31, attrs!.content);
    expect(verify('sha256', signedBytes, a.publicKey, signature!.content)).toBe(true);
    expect(verify('sha256', signedBytes, b.publicKey, signature!.content)).toBe(false);
    const text = attrs!.content.toString('latin1');
    expect(text).toContain('240506070809Z');
  });

  it('formats base64 in lines of 64', () => {
    const lines = base64Lines(Buffer.alloc(100, 7)).split('\n');
    // 100 octets: 136 characters.
    expect(lines.map((l) => l.length)).toEqual([64, 64, 8]);
    expect(base64Lines(Buffer.alloc(0))).toBe('');
  });

  it.skipIf(!OPENSSL)(
    'verifies in openssl smime and cms against the certificate, and only that one',
    async () => {
      const der = signedData({
        content,
        certificate: a.certificate,
        privateKey: a.privateKey,
        signingTime: Date.now(),
      });
      const files = {
        sig: join(dir, 'sig.p7'),
        content: join(dir, 'content'),
        tampered: join(dir, 'tampered'),
        certA: join(dir, 'cert-a.pem'),
        certB: join(dir, 'cert-b.pem'),
        other: join(dir, 'sig-other.p7'),
      };
      await writeFile(files.sig, pem('PKCS7', der));
      await writeFile(files.content, content);
      await writeFile(files.tampered, Buffer.from(content.toString().replace('i-1', 'i-2')));
      await writeFile(files.certA, pem('CERTIFICATE', a.certificate));
      await writeFile(files.certB, pem('CERTIFICATE', b.certificate));

      // As Alibaba's guide runs it: the document beside the signature, the certificate given.
      const smime = await run([
        'smime', '-verify', '-in', files.sig, '-inform', 'PEM',
        '-content', files.content, '-certfile', files.certA, '-noverify',
      ]); // prettier-ignore
      expect(smime.err).toContain('Verification successful');
      expect(smime.code).toBe(0);
      expect(smime.out).toBe(content.toString());
      // The embedded content alone, and the certificate as a trust anchor (full chain check).
      const cms = await run([
        'cms', '-verify', '-in', files.sig, '-inform', 'PEM',
        '-certfile', files.certA, '-CAfile', files.certA,
      ]); // prettier-ignore
      expect(cms.err).toContain('Verification successful');
      expect(cms.out).toBe(content.toString());

      for (const args of [
        // Another certificate.
        ['-certfile', files.certB, '-noverify'],
        // No certificate: the signature carries none.
        ['-noverify'],
        // Other content.
        ['-content', files.tampered, '-certfile', files.certA, '-noverify'],
      ]) {
        const r = await run(['smime', '-verify', '-in', files.sig, '-inform', 'PEM', ...args]);
        expect(r.code, args.join(' ')).not.toBe(0);
        expect(r.err).not.toContain('Verification successful');
      }
      // Signed by another key under A's name: refused against A.
      const forged = signedData({
        content,
        certificate: a.certificate,
        privateKey: b.privateKey,
        signingTime: Date.now(),
      });
      await writeFile(files.other, pem('PKCS7', forged));
      const r = await run(['smime', '-verify', '-in', files.other, '-inform', 'PEM',
        '-certfile', files.certA, '-noverify']); // prettier-ignore
      expect(r.code).not.toBe(0);
    },
  );
});
