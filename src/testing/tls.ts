/**
 * @module Certificates for tests of the local CA (`src/tls/ca.ts`): what an attacker holding a CA
 * key would sign (a leaf for any names), and a CA as yunbox made it before name constraints, to
 * test the upgrade of older data directories.
 */
import { webcrypto } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const subtle = webcrypto.subtle;
const x509Crypto = webcrypto as unknown as Parameters<
  typeof x509.X509CertificateGenerator.create
>[1];
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A name on a forged certificate. */
export interface San {
  type: 'dns' | 'ip';
  value: string;
}

/** A certificate and its PKCS#8 key, as PEM. */
export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

function pkcs8Pem(der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

/**
 * What an attacker holding a CA's key signs: a serverAuth leaf for `sans` (none: a common name
 * only), no questions asked.
 * @example
 * const evil = await forgeLeaf(ca, [{ type: 'dns', value: 'evil.example.com' }]);
 */
export async function forgeLeaf(
  ca: { certPem: string; keyPem: string },
  sans: San[],
  commonName = sans[0]?.value ?? 'evil.example.com',
): Promise<CertAndKey> {
  const keys = await newKeys();
  const caKey = await subtle.importKey(
    'pkcs8',
    Buffer.from(ca.keyPem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'),
    EC,
    false,
    ['sign'],
  );
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '4e0f',
      subject: `CN=${commonName}`,
      issuer: new x509.X509Certificate(ca.certPem).subjectName,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + DAY_MS),
      signingAlgorithm: SIGNING,
      publicKey: keys.publicKey,
      signingKey: caKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        ...(sans.length > 0 ? [new x509.SubjectAlternativeNameExtension(sans)] : []),
      ],
    },
    x509Crypto,
  );
  return {
    certPem: cert.toString('pem') + '\n',
    keyPem: pkcs8Pem(await subtle.exportKey('pkcs8', keys.privateKey)),
  };
}

/**
 * Writes into `dir` a CA as yunbox made it before name constraints (same profile, no constraint):
 * `ca.pem` and `ca-key.pem` (0600), the directory 0700.
 */
export async function writeLegacyCa(
  dir: string,
  subject = 'CN=yunbox local CA (old 2024-01-01), O=yunbox',
): Promise<CertAndKey & { certPath: string }> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '41aa',
      name: subject,
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 3650 * DAY_MS),
      signingAlgorithm: SIGNING,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, x509Crypto),
      ],
    },
    x509Crypto,
  );
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const legacy = {
    certPem: cert.toString('pem') + '\n',
    keyPem: pkcs8Pem(await subtle.exportKey('pkcs8', keys.privateKey)),
    certPath: join(dir, 'ca.pem'),
  };
  await writeFile(join(dir, 'ca-key.pem'), legacy.keyPem, { mode: 0o600 });
  await writeFile(legacy.certPath, legacy.certPem);
  return legacy;
}
