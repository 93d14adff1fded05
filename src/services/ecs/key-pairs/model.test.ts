/**
 * Key pair model: OpenSSH public keys of every accepted type parse (RSA, Ed25519, ECDSA P-256,
 * P-384, P-521), refusals say why (type mismatch, truncation, DSA, certificates, bad Base64,
 * short RSA), arbitrary text never throws, fingerprints are RFC 4716 MD5 (checked against
 * `ssh-keygen -l -E md5` where it is installed), and generated key pairs are a matching PEM private
 * key and OpenSSH public key that ssh-keygen can derive from each other.
 */
import { execFileSync } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEY_PAIR_NAME, fingerPrintOf, generateRsaKeyPair, parsePublicKey } from './model.js';

const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const HAVE_SSH_KEYGEN = existsSync(SSH_KEYGEN);

function sshString(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}
const mpint = (b: Buffer) => sshString(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);

/** The OpenSSH public key line of a Node key object (built independently of the module). */
function opensshLine(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const b = (s: string | undefined) => Buffer.from(s!, 'base64url');
  let blob: Buffer;
  let type: string;
  if (jwk.kty === 'RSA') {
    type = 'ssh-rsa';
    blob = Buffer.concat([sshString(type), mpint(b(jwk.e)), mpint(b(jwk.n))]);
  } else if (jwk.kty === 'OKP') {
    type = 'ssh-ed25519';
    blob = Buffer.concat([sshString(type), sshString(b(jwk.x))]);
  } else {
    const curve = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' }[jwk.crv!]!;
    type = `ecdsa-sha2-${curve}`;
    const point = Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)]);
    blob = Buffer.concat([sshString(type), sshString(curve), sshString(point)]);
  }
  return `${type} ${blob.toString('base64')}`;
}

const keys = {
  rsa2048: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
  ed25519: generateKeyPairSync('ed25519').publicKey,
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey,
  p521: generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey,
};

describe('parsePublicKey', () => {
  it.each(Object.entries(keys))('accepts a real %s key, with or without a comment', (_, key) => {
    const line = opensshLine(key);
    const a = parsePublicKey(line);
    const b = parsePublicKey(`  ${line} someone@somewhere  \n`);
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.key.line).toBe(line);
      expect(b.key.line).toBe(line);
    }
  });

  it('refuses what is not an accepted public key, saying why', () => {
    const rsa = opensshLine(keys.rsa2048);
    const [type, body] = rsa.split(' ') as [string, string];
    const blob = Buffer.from(body, 'base64');
    const small = opensshLine(generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey);
    const dsaBlob = Buffer.concat([
      sshString('ssh-dss'),
      ...[1, 2, 3, 4].map(() => mpint(Buffer.from([7]))),
    ]);
    const cases: Array<[string, RegExp]> = [
      ['', /OpenSSH public key line/],
      ['ssh-rsa', /OpenSSH public key line/],
      [`${type} not*base64`, /not Base64/],
      [`ssh-ed25519 ${body}`, /not a `ssh-ed25519` key/],
      [`${type} ${blob.subarray(0, blob.length - 10).toString('base64')}`, /truncated/],
      [`${type} ${Buffer.concat([blob, Buffer.from([0])]).toString('base64')}`, /truncated/],
      [small, /512 bits/],
      [`ssh-dss ${dsaBlob.toString('base64')}`, /key type `ssh-dss`/],
      [
        `ssh-rsa-cert-v01@openssh.com ${sshString('ssh-rsa-cert-v01@openssh.com').toString('base64')}`,
        /key type/,
      ],
      [`ssh-rsa ${'A'.repeat(9000)}`, /longer than/],
    ];
    for (const [text, why] of cases) {
      const v = parsePublicKey(text);
      expect(v.ok, text.slice(0, 40)).toBe(false);
      if (!v.ok) expect(v.reason, text.slice(0, 40)).toMatch(why);
    }
  });

  it('never throws on arbitrary text or arbitrary blobs', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        parsePublicKey(s);
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom('ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256'),
        fc.uint8Array({ maxLength: 200 }),
        (type, bytes) => {
          const blob = Buffer.concat([sshString(type), Buffer.from(bytes)]);
          const v = parsePublicKey(`${type} ${blob.toString('base64')}`);
          expect(typeof v.ok).toBe('boolean');
        },
      ),
    );
  });
});

describe('fingerprints and generated key pairs', () => {
  it('fingerprints are colon-separated MD5 of the key blob (RFC 4716)', () => {
    const line = opensshLine(keys.ed25519);
    const blob = Buffer.from(line.split(' ')[1]!, 'base64');
    const fp = fingerPrintOf(blob);
    expect(fp).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(fp.replace(/:/g, '')).toBe(createHash('md5').update(blob).digest('hex'));
  });

  it('generates an RSA 2048 pair: a PKCS#1 PEM private key and its OpenSSH public key', async () => {
    const { publicKey, privateKeyPem } = await generateRsaKeyPair();
    expect(privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    const priv = createPrivateKey(privateKeyPem);
    expect(priv.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // The public half of the private key is the line returned.
    expect(publicKey.line).toBe(opensshLine(createPublicKey(priv)));
    expect(parsePublicKey(publicKey.line).ok).toBe(true);
  });

  it.skipIf(!HAVE_SSH_KEYGEN)(
    `agrees with ssh-keygen on keys and fingerprints${HAVE_SSH_KEYGEN ? '' : ' (skipped: no ssh-keygen)'}`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'yunbox-keypair-'));
      try {
        const { publicKey, privateKeyPem } = await generateRsaKeyPair();
        const file = join(dir, 'id_rsa');
        writeFileSync(file, privateKeyPem, { mode: 0o600 });
        // ssh-keygen derives the same public key from the private key yunbox handed out.
        const derived = execFileSync(SSH_KEYGEN, ['-y', '-f', file]).toString().trim();
        expect(derived.split(' ').slice(0, 2).join(' ')).toBe(publicKey.line);
        for (const key of Object.values(keys)) {
          const line = opensshLine(key);
          writeFileSync(join(dir, 'k.pub'), `${line}\n`);
          const out = execFileSync(SSH_KEYGEN, ['-l', '-E', 'md5', '-f', join(dir, 'k.pub')])
            .toString()
            .trim();
          const parsed = parsePublicKey(line);
          if (!parsed.ok) throw new Error(parsed.reason);
          expect(out).toContain(`MD5:${fingerPrintOf(parsed.key.blob)}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('key pair names', () => {
  it('follow the documented rule', () => {
    for (const ok of ['ab', 'terraform-20240101', 'Key:pair_1.2-x', '密钥对', 'a'.repeat(128)]) {
      expect(KEY_PAIR_NAME.test(ok), ok).toBe(true);
    }
    for (const bad of [
      'a',
      '1abc',
      '-abc',
      'http://x',
      'with space',
      'a'.repeat(129),
      'semi;colon',
    ]) {
      expect(KEY_PAIR_NAME.test(bad), bad).toBe(false);
    }
  });
});
