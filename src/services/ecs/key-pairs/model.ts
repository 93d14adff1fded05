/**
 * @module SSH key pairs (docs "CreateKeyPair", "ImportKeyPair", "DescribeKeyPairs"): names, the
 * OpenSSH public key line yunbox keeps, its RFC 4716 MD5 fingerprint, key generation for
 * CreateKeyPair (RSA 2048; the private key is returned once and never kept) and the parsing of
 * imported public keys, which must be keys Node's crypto accepts (ssh-rsa of 1024 to 16384 bits,
 * ecdsa-sha2-nistp256/384/521, ssh-ed25519).
 *
 * Parsing reads length-prefixed fields of a decoded Base64 blob, bounded by the declared
 * parameter length; no regular expression runs over the key body.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPair,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/** A key pair as stored (the public half only). */
export interface KeyPair {
  keyPairId: string;
  accountId: string;
  regionId: string;
  keyPairName: string;
  /** Colon-separated hex MD5 of the public key blob (RFC 4716). */
  fingerPrint: string;
  /** The OpenSSH public key line, `<type> <base64>` (no comment). */
  publicKey: string;
  resourceGroupId: string;
  /** Its tags, in the order they were added (rows of `ecs_tags`, kept under its id). */
  tags: Array<{ key: string; value: string }>;
  createdAt: number;
}

/** The key pair bound to an instance, as its row keeps it (names and keys never change). */
export interface AttachedKeyPair {
  keyPairId: string;
  keyPairName: string;
  publicKey: string;
}

/** Key pairs per account and region (doc "CreateKeyPair": up to 500 per region). */
export const KEY_PAIR_QUOTA = 500;

/**
 * Key pair names: 2 to 128 characters, starting with a letter, then letters, digits, `:`, `_`,
 * `.` and `-`; not starting with `http://` or `https://` (doc "CreateKeyPair").
 */
export const KEY_PAIR_NAME = /^(?!https?:\/\/)\p{L}[\p{L}\p{N}:_.-]{1,127}$/u;

/** The longest public key line accepted (an RSA 16384-bit key is about 2.8 KB). */
export const MAX_PUBLIC_KEY_LENGTH = 8192;

/** `acs:ecs:<region>:<uid>:keypair/<name>` resource path. */
export function keyPairResource(name: string): string {
  return `keypair/${name}`;
}

/** A parsed OpenSSH public key. */
export interface ParsedPublicKey {
  type: string;
  /** The decoded key blob. */
  blob: Buffer;
  /** The normalised line, `<type> <base64>`. */
  line: string;
}

/** Why a public key was refused (for the error message). */
export type PublicKeyVerdict = { ok: true; key: ParsedPublicKey } | { ok: false; reason: string };

/** Reads SSH wire fields (uint32 length + bytes) from a blob, refusing overruns. */
class SshReader {
  #at = 0;
  constructor(readonly buf: Buffer) {}
  bytes(): Buffer | undefined {
    if (this.#at + 4 > this.buf.length) return undefined;
    const n = this.buf.readUInt32BE(this.#at);
    if (n > this.buf.length - this.#at - 4) return undefined;
    const out = this.buf.subarray(this.#at + 4, this.#at + 4 + n);
    this.#at += 4 + n;
    return out;
  }
  get done(): boolean {
    return this.#at === this.buf.length;
  }
}

/** An SSH mpint as unsigned big-endian bytes (leading zero dropped), for JWK. */
function unsignedBytes(mpint: Buffer): Buffer {
  let i = 0;
  while (i < mpint.length - 1 && mpint[i] === 0) i++;
  return mpint.subarray(i);
}

const b64url = (b: Buffer) => b.toString('base64url');

const CURVES: Record<string, { crv: string; size: number }> = {
  nistp256: { crv: 'P-256', size: 32 },
  nistp384: { crv: 'P-384', size: 48 },
  nistp521: { crv: 'P-521', size: 66 },
};

/** The JWK of an SSH key blob of `type`, or why it cannot be one. */
function jwkOf(type: string, r: SshReader): JsonWebKey | string {
  if (type === 'ssh-rsa') {
    const e = r.bytes();
    const n = r.bytes();
    if (!e || !n || !r.done) return 'the ssh-rsa key is truncated';
    const bits = unsignedBytes(n).length * 8;
    if (bits < 1024 || bits > 16384)
      return `an RSA key of ${bits} bits (1024 to 16384 are accepted)`;
    return { kty: 'RSA', e: b64url(unsignedBytes(e)), n: b64url(unsignedBytes(n)) };
  }
  if (type === 'ssh-ed25519') {
    const k = r.bytes();
    if (!k || k.length !== 32 || !r.done) return 'the ssh-ed25519 key is not 32 bytes';
    return { kty: 'OKP', crv: 'Ed25519', x: b64url(k) };
  }
  const ec = /^ecdsa-sha2-(nistp256|nistp384|nistp521)$/.exec(type);
  if (ec) {
    const curve = CURVES[ec[1]!]!;
    const name = r.bytes();
    const q = r.bytes();
    if (!name || name.toString('latin1') !== ec[1] || !q || !r.done) {
      return `the ${type} key is truncated or names another curve`;
    }
    if (q.length !== 1 + 2 * curve.size || q[0] !== 4)
      return `the ${type} point is not uncompressed`;
    return {
      kty: 'EC',
      crv: curve.crv,
      x: b64url(q.subarray(1, 1 + curve.size)),
      y: b64url(q.subarray(1 + curve.size)),
    };
  }
  return `key type \`${type.slice(0, 64)}\` (ssh-rsa, ssh-ed25519 and ecdsa-sha2-nistp256/384/521 are accepted)`;
}

/**
 * Parses an OpenSSH public key line (`<type> <base64> [comment]`) and checks that it is a real
 * key of an accepted type (the blob's type matches the line's, and crypto accepts the key).
 * @example
 * parsePublicKey('ssh-ed25519 AAAAC3Nza… me@host') // { ok: true, key: { type: 'ssh-ed25519', … } }
 */
export function parsePublicKey(text: string): PublicKeyVerdict {
  if (text.length > MAX_PUBLIC_KEY_LENGTH) {
    return { ok: false, reason: `it is longer than ${MAX_PUBLIC_KEY_LENGTH} characters` };
  }
  const fields = text.trim().split(/[ \t]+/);
  const [type, body] = fields;
  if (type === undefined || body === undefined) {
    return {
      ok: false,
      reason: 'expected an OpenSSH public key line, `<type> <base64> [comment]`',
    };
  }
  if (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    return { ok: false, reason: 'the key body is not Base64' };
  }
  const blob = Buffer.from(body, 'base64');
  const r = new SshReader(blob);
  const inner = r.bytes();
  if (!inner || inner.toString('latin1') !== type) {
    return { ok: false, reason: `the key body is not a \`${type.slice(0, 64)}\` key` };
  }
  const jwk = jwkOf(type, r);
  if (typeof jwk === 'string') return { ok: false, reason: jwk };
  try {
    createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return { ok: false, reason: `the ${type} key is not a valid key` };
  }
  return { ok: true, key: { type, blob, line: `${type} ${blob.toString('base64')}` } };
}

/** The RFC 4716 fingerprint of a key blob: MD5, hex bytes joined by colons. */
export function fingerPrintOf(blob: Buffer): string {
  return createHash('md5')
    .update(blob)
    .digest('hex')
    .replace(/(..)(?!$)/g, '$1:');
}

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

function sshMpint(unsigned: Buffer): Buffer {
  return sshString(unsigned[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), unsigned]) : unsigned);
}

/** A new RSA 2048 key pair: the OpenSSH public line and the PEM (PKCS#1) private key. */
export async function generateRsaKeyPair(): Promise<{
  publicKey: ParsedPublicKey;
  privateKeyPem: string;
}> {
  const pair = await new Promise<{ publicKey: KeyObject; privateKey: KeyObject }>(
    (resolve, reject) =>
      generateKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 }, (err, pub, priv) =>
        err ? reject(err) : resolve({ publicKey: pub, privateKey: priv }),
      ),
  );
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const blob = Buffer.concat([
    sshString(Buffer.from('ssh-rsa')),
    sshMpint(Buffer.from(jwk.e!, 'base64url')),
    sshMpint(Buffer.from(jwk.n!, 'base64url')),
  ]);
  return {
    publicKey: { type: 'ssh-rsa', blob, line: `ssh-rsa ${blob.toString('base64')}` },
    privateKeyPem: pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}
