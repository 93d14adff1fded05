/**
 * @module The instance identity signature (doc "Use instance identities"):
 * `/latest/dynamic/instance-identity/pkcs7[?audience=…]` is the identity document, with
 * `"audience":"…"` appended as a last member when an audience is given, signed as PKCS#7
 * SignedData (tls/signed-data.ts) and served as base64 in 64-character lines, without PEM armour:
 * a program wraps it in `-----BEGIN PKCS7-----` lines and runs
 * `openssl smime -verify -in sig -inform PEM -content document -certfile cert.pem -noverify`.
 *
 * Alibaba signs with its own key and publishes the certificate; yunbox signs with a key of its
 * own, RSA 2048, made on first use and kept in `ecs_identity_keys` with its self-signed
 * certificate, so every node sharing the store signs with the same key. The certificate is
 * public: the gateway serves it at `/_yunbox/instance-identity.pem` (main.ts). The key never leaves
 * the store.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { sendJson } from '../../../kernel/admin.js';
import type { Db } from '../../../store/db.js';
import { base64Lines, selfSignedCertificate, signedData } from '../../../tls/signed-data.js';

const generate = promisify(generateKeyPair);

/** The longest audience accepted (characters). */
export const MAX_AUDIENCE_LENGTH = 256;
/** The certificate's lifetime (20 years, as Alibaba's own). */
const CERTIFICATE_YEARS = 20;
const KEY_ID = 'k1';

/** Why `audience` cannot be signed, or `undefined` when it can. */
export function audienceProblem(audience: string): string | undefined {
  if (audience.length > MAX_AUDIENCE_LENGTH) {
    return `the audience is longer than ${MAX_AUDIENCE_LENGTH} characters`;
  }
  // Appended to JSON as it is, so nothing that JSON would have to escape.
  // eslint-disable-next-line no-control-regex
  if (/["\\\u0000-\u001f\u007f]/u.test(audience)) {
    return 'the audience may not contain quotes, backslashes or control characters';
  }
  return undefined;
}

/**
 * What the signature covers: the document, or with an audience the document without its closing
 * brace, then `,"audience":"<audience>"}`.
 * @example
 * signedContent('{"a":"1"}', 'x') // '{"a":"1","audience":"x"}'
 */
export function signedContent(document: string, audience?: string): string {
  if (audience === undefined) return document;
  return `${document.slice(0, -1)},"audience":"${audience}"}`;
}

interface IdentityKey {
  privateKey: KeyObject;
  certificate: Buffer;
  certificatePem: string;
}

/** Signs identity documents with the deployment's identity key. */
export class IdentitySigner {
  readonly #db: Db;
  #key: Promise<IdentityKey> | undefined;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The certificate (PEM) that verifies every signature. */
  async certificatePem(): Promise<string> {
    return (await this.#load()).certificatePem;
  }

  /**
   * The signature of `document` (with `audience`), as the metadata service serves it: base64 in
   * 64-character lines, no armour, no final newline.
   */
  async sign(document: string, audience: string | undefined, now: number): Promise<string> {
    const key = await this.#load();
    const der = signedData({
      content: Buffer.from(signedContent(document, audience), 'utf8'),
      certificate: key.certificate,
      privateKey: key.privateKey,
      signingTime: now,
    });
    return base64Lines(der);
  }

  #load(): Promise<IdentityKey> {
    // The key is immutable once written: one load per process (a failed one is retried).
    this.#key ??= this.#loadOrCreate().catch((e: unknown) => {
      this.#key = undefined;
      throw e;
    });
    return this.#key;
  }

  async #loadOrCreate(): Promise<IdentityKey> {
    const stored = await this.#read();
    if (stored) return stored;
    const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048 });
    // Real time: a certificate is judged on the verifier's clock, never on yunbox's.
    const notBefore = Date.now() - 3_600_000;
    const certificate = selfSignedCertificate({
      privateKey,
      publicKey,
      organization: 'yunbox',
      commonName: 'yunbox instance identity',
      serial: Buffer.concat([Buffer.from([0x01]), randomBytes(15)]),
      notBefore,
      notAfter: notBefore + CERTIFICATE_YEARS * 365.25 * 86_400_000,
    });
    // Two nodes may race on a fresh store: the first row wins, everyone uses it.
    await this.#db.k
      .insertInto('ecs_identity_keys')
      .values({
        key_id: KEY_ID,
        key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        certificate_pem: toPem(certificate),
        created_at: Date.now(),
      })
      .onConflict((oc: any) => oc.column('key_id').doNothing())
      .execute();
    const won = await this.#read();
    if (!won) throw new Error('instance identity key missing after insert');
    return won;
  }

  async #read(): Promise<IdentityKey | undefined> {
    const row: any = await this.#db.k
      .selectFrom('ecs_identity_keys')
      .selectAll()
      .where('key_id', '=', KEY_ID)
      .executeTakeFirst();
    if (!row) return undefined;
    const privateKey = createPrivateKey(row.key_pem);
    const certificatePem: string = row.certificate_pem;
    const certificate = Buffer.from(
      certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''),
      'base64',
    );
    // A row whose certificate is not its key's would sign what nothing verifies: refuse it.
    const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
    if (
      !spki(new X509Certificate(certificate).publicKey).equals(spki(createPublicKey(privateKey)))
    ) {
      throw new Error('the stored instance identity certificate is not for the stored key');
    }
    return { privateKey, certificate, certificatePem };
  }
}

/** DER certificate as PEM. */
function toPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${base64Lines(der)}\n-----END CERTIFICATE-----\n`;
}

/** Where the gateway publishes the certificate (open to anyone, like the health check). */
export const IDENTITY_CERTIFICATE_PATH = '/_yunbox/instance-identity.pem';

/**
 * An admin-stage handler (kernel/admin.ts `firstAdmin`) answering `GET`/`HEAD`
 * {@link IDENTITY_CERTIFICATE_PATH} with the certificate as PEM (405 for other methods there);
 * other paths pass on.
 */
export function identityCertificateAdmin(signer: Pick<IdentitySigner, 'certificatePem'>) {
  return async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<boolean> => {
    if ((req.url ?? '').split('?')[0] !== IDENTITY_CERTIFICATE_PATH) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: `method \`${req.method}\` not allowed here` }, requestId);
      return true;
    }
    const pem = await signer.certificatePem();
    res.writeHead(200, {
      'content-type': 'application/x-pem-file',
      'content-length': Buffer.byteLength(pem),
      'x-yunbox-request-id': requestId,
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : pem);
    return true;
  };
}
