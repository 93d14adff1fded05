/**
 * @module yunbox's local certificate authority. The gateway serves HTTPS with a leaf certificate
 * from this CA because some official clients hard-code `https` (the @alicloud/credentials
 * `ram_role_arn` provider, openapi.md a.3); clients trust the CA with `NODE_EXTRA_CA_CERTS`
 * pointed at `ca.pem`, never by turning certificate checks off.
 *
 * The CA lives in one directory dedicated to it: `ca.pem` (certificate, 0644) and `ca-key.pem`
 * (PKCS#8 private key, 0600), the directory 0700. Both are ECDSA P-256, made with Node's WebCrypto
 * and @peculiar/x509. Files are published atomically and only once: each is written to a temp
 * file, flushed, then hard-linked to its final name, which fails if another process got there
 * first; the loser discards its copy and loads the winner's. So processes racing on a fresh
 * directory all end up with the same key and certificate. (Where hard links are unsupported,
 * we fall back to `rename`, last writer wins, and a mismatched pair is reported.)
 *
 * The CA may vouch only for some names: a critical name constraints extension (RFC 5280
 * 4.2.1.10, `name-constraints.ts`) permits `localhost`, loopback addresses, `aliyuncs.com`, the
 * sandbox gateway address and the configured public names, so a leaked `ca-key.pem` cannot
 * impersonate any other host to the programs that trust `ca.pem`. A CA made before the constraints
 * existed is replaced (its certificate kept as `ca.pem.old`, its key deleted); a CA whose public
 * names differ from the configured ones is re-issued under the same key. Every look at the
 * directory happens under its lock file (`files.ts`), so no process reads a half-replaced CA.
 *
 * Leaf certificates carry the service names as subjectAltName (DNS or IP, detected), EKU
 * serverAuth, and live at most 397 days. They are kept in memory unless a path is given.
 */

import { createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { readFile, rename, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
// tsyringe (under @peculiar/x509) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { classifyNames } from './names.js';
import {
  isErrno,
  prepareDirectory,
  publishOnce,
  readIfExists,
  tightenKeyMode,
  withDirectoryLock,
  writeAtomically,
} from './files.js';
import {
  NAME_CONSTRAINTS_OID,
  decodeNameConstraints,
  encodeNameConstraints,
  formatSubtree,
  parseSubtree,
  permits,
  type Subtree,
} from './name-constraints.js';

export { classifyNames, defaultServiceNames, type CertificateNames } from './names.js';

/** File name of the CA certificate inside the CA directory. */
export const CA_CERT_FILE = 'ca.pem';
/** File name of the CA private key inside the CA directory. */
export const CA_KEY_FILE = 'ca-key.pem';
/** Where a replaced CA certificate (one without name constraints) is kept. */
export const CA_OLD_CERT_FILE = 'ca.pem.old';
/**
 * What the local CA may vouch for whatever the configuration (RFC 5280 name constraints): loopback
 * names and addresses, Alibaba Cloud's service domain (every endpoint and bucket host), and the
 * sandbox gateway `100.100.2.136` (`SANDBOX_GATEWAY_ADDRESS`, src/sandbox/names.ts). A bare name
 * includes the names under it; the dotted form says so again for clients that read it literally.
 */
export const CA_PERMITTED_NAMES: readonly string[] = [
  'localhost',
  '.localhost',
  'aliyuncs.com',
  '.aliyuncs.com',
  '127.0.0.0/8',
  '::1/128',
  '100.100.2.136/32',
];
/** Longest leaf validity we issue, in days (the CA/Browser Forum ceiling Apple enforces). */
export const MAX_LEAF_VALIDITY_DAYS = 397;
/** Validity of a new CA certificate, in days (ten years). */
export const CA_VALIDITY_DAYS = 3652;

const DAY_MS = 86_400_000;
/** Back-date certificates so a client whose clock runs a little behind still accepts them. */
const BACKDATE_MS = 3_600_000;
const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
// Node's webcrypto is what @peculiar/x509 expects; its types come from lib.dom, absent here.
const x509Crypto = webcrypto as unknown as Parameters<
  typeof x509.X509CertificateGenerator.create
>[1];
const subtle = webcrypto.subtle;

/** The local CA as {@link ensureCa} returns it. */
export interface LocalCa {
  /** PEM of the CA certificate (what clients trust). */
  certPem: string;
  /** PEM (PKCS#8) of the CA private key. */
  keyPem: string;
  /** Absolute or given path of `ca.pem`, for `NODE_EXTRA_CA_CERTS`. */
  certPath: string;
}

/** Options of {@link ensureCa}; tests pin the clock and host name. */
export interface EnsureCaOptions {
  /** Current time for a new CA (default: now). */
  now?: Date;
  /** Host name shown in a new CA's subject (default: `os.hostname()`). */
  hostname?: string;
  /**
   * Names the CA may vouch for besides {@link CA_PERMITTED_NAMES} (the configured public host
   * names: DNS names or IP addresses). Given, the CA permits exactly those and these, and is
   * re-issued under the same key when they differ; absent, a CA that permits at least the
   * built-in names is used as it is.
   */
  publicNames?: readonly string[];
  /** Where to say that the CA was replaced or re-issued (default: `process.emitWarning`). */
  warn?: (message: string) => void;
}

/**
 * Create the local CA in `dir` on first call, load it afterwards.
 *
 * The directory is created 0700 (an existing one is tightened to 0700); the key is written 0600.
 * A CA without name constraints (made by an older yunbox) is replaced by a new one, and one whose
 * constraints differ from the wanted ones is re-issued under its key; both are reported through
 * `warn`, since clients must then trust the new `ca.pem`. Throws when the directory is writable
 * by others and cannot be tightened, when the files exist but do not form a valid pair, when the
 * CA certificate has expired (remove both files to get a new CA), or when an unconstrained CA is
 * not one yunbox made.
 * @example
 * const ca = await ensureCa(join(dataDir, 'tls'));
 * console.log(`export NODE_EXTRA_CA_CERTS=${ca.certPath}`);
 */
export async function ensureCa(dir: string, options: EnsureCaOptions = {}): Promise<LocalCa> {
  const wanted = caSubtrees(options.publicNames ?? []);
  await prepareDirectory(dir);
  return withDirectoryLock(dir, () => loadOrCreateCa(dir, wanted, options));
}

/**
 * The subtrees a CA permits: {@link CA_PERMITTED_NAMES} and `publicNames`, without repeats.
 * Throws on a public name that is not a DNS name or a single IP address.
 * @example
 * caSubtrees(['dev.example.com']).map(formatSubtree).at(-1) // 'dev.example.com'
 */
export function caSubtrees(publicNames: readonly string[]): Subtree[] {
  const out = new Map<string, Subtree>();
  for (const name of CA_PERMITTED_NAMES) {
    const s = parseSubtree(name);
    out.set(formatSubtree(s), s);
  }
  for (const name of publicNames) {
    let s: Subtree;
    try {
      if (name.includes('/')) throw new Error('a range');
      s = parseSubtree(name);
    } catch {
      throw new Error(`public name \`${name}\` is not a dns name or ip address`);
    }
    out.set(formatSubtree(s), s);
  }
  return [...out.values()];
}

/**
 * The subtrees `certPem` permits: undefined without a name constraints extension, `false` when it
 * has one yunbox would not have written (not critical, or not read by `decodeNameConstraints`).
 */
export function caPermittedSubtrees(certPem: string): Subtree[] | false | undefined {
  const ext = new x509.X509Certificate(certPem).getExtension(NAME_CONSTRAINTS_OID);
  if (!ext) return undefined;
  if (!ext.critical) return false;
  return decodeNameConstraints(new Uint8Array(ext.value)) ?? false;
}

async function loadOrCreateCa(
  dir: string,
  wanted: Subtree[],
  options: EnsureCaOptions,
): Promise<LocalCa> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const warn = options.warn ?? ((m: string) => process.emitWarning(m, 'YunboxWarning'));
  const now = options.now ?? new Date();

  let keyPem = await readIfExists(keyPath);
  let certPem = await readIfExists(certPath);
  if (certPem !== undefined && isUnconstrainedYunboxCa(certPem)) {
    // INVARIANT: a CA that may vouch for any name is never used again. Its key goes first, so
    // that a crash half-way leaves a certificate without a key (moved aside next time), never
    // the old key with a new certificate.
    if (keyPem !== undefined) checkCaPair(certPem, keyPem, certPath, keyPath, now);
    await unlink(keyPath).catch((err: unknown) => {
      if (!isErrno(err, 'ENOENT')) throw err;
    });
    await rename(certPath, join(dir, CA_OLD_CERT_FILE));
    warn(
      `the local ca \`${certPath}\` could vouch for any host name: replaced by a new one limited to yunbox's names (old certificate kept as \`${CA_OLD_CERT_FILE}\`, its key deleted); trust the new \`${CA_CERT_FILE}\` and stop trusting the old one`,
    );
    keyPem = certPem = undefined;
  }

  if (keyPem === undefined) {
    if (certPem !== undefined) {
      throw new Error(
        `ca certificate \`${certPath}\` exists without its key \`${keyPath}\`; remove it to create a new ca`,
      );
    }
    const keys = await generateKeyPair();
    const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
    await publishOnce(dir, CA_KEY_FILE, toPem(pkcs8, 'PRIVATE KEY'), 0o600);
    keyPem = await readFile(keyPath, 'utf8');
  } else {
    await tightenKeyMode(keyPath);
  }

  if (certPem === undefined) {
    const created = await createCaCertificate(keyPem, wanted, options);
    await publishOnce(dir, CA_CERT_FILE, created, 0o644);
    certPem = await readFile(certPath, 'utf8');
  }

  checkCaPair(certPem, keyPem, certPath, keyPath, now);
  const have = caPermittedSubtrees(certPem);
  const haveSet = new Set(have ? have.map(formatSubtree) : []);
  const wantedSet = wanted.map(formatSubtree);
  const fits =
    have !== false &&
    have !== undefined &&
    wantedSet.every((t) => haveSet.has(t)) &&
    (options.publicNames === undefined || haveSet.size === wantedSet.length);
  if (!fits) {
    if (!isYunboxCaSubject(new x509.X509Certificate(certPem))) {
      throw new Error(
        `ca certificate \`${certPath}\` is not yunbox's and lacks its name constraints; remove both files to create a new ca`,
      );
    }
    certPem = await reissueCaCertificate(certPem, keyPem, wanted);
    await writeAtomically(certPath, certPem, 0o644);
    warn(
      `the local ca \`${certPath}\` was re-issued for the names ${wantedSet.map((t) => `\`${t}\``).join(', ')}; clients must trust the new \`${CA_CERT_FILE}\` to accept the names added`,
    );
  }
  return { certPem, keyPem, certPath };
}

/** True for a certificate of a yunbox local CA without a name constraints extension. */
function isUnconstrainedYunboxCa(certPem: string): boolean {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch {
    return false; // checkCaPair says what is wrong with it
  }
  return (
    isYunboxCaSubject(cert) &&
    cert.getExtension(x509.BasicConstraintsExtension)?.ca === true &&
    cert.getExtension(NAME_CONSTRAINTS_OID) === null
  );
}

function isYunboxCaSubject(cert: x509.X509Certificate): boolean {
  return cert.subject.startsWith('CN=yunbox local CA (') && cert.subject.endsWith('), O=yunbox');
}

async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
}

type CryptoKeyPair = webcrypto.CryptoKeyPair;

async function importKeyPair(keyPem: string): Promise<CryptoKeyPair> {
  const der = fromPem(keyPem, 'PRIVATE KEY');
  const privateKey = await subtle.importKey('pkcs8', der, EC_KEY, false, ['sign']);
  const spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  const publicKey = await subtle.importKey('spki', spki, EC_KEY, true, ['verify']);
  return { privateKey, publicKey };
}

async function createCaCertificate(
  keyPem: string,
  subtrees: readonly Subtree[],
  options: EnsureCaOptions,
): Promise<string> {
  const now = options.now ?? new Date();
  const host = (options.hostname ?? osHostname()).replace(/[^A-Za-z0-9._-]/g, '-') || 'localhost';
  const date = now.toISOString().slice(0, 10);
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  return signCaCertificate(keyPem, subtrees, {
    name: `CN=yunbox local CA (${host} ${date}), O=yunbox`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + CA_VALIDITY_DAYS * DAY_MS),
  });
}

/**
 * The CA certificate again, under the same key, subject and validity (so leaves issued before
 * still chain to it), permitting `subtrees`.
 */
async function reissueCaCertificate(
  certPem: string,
  keyPem: string,
  subtrees: readonly Subtree[],
): Promise<string> {
  const old = new x509.X509Certificate(certPem);
  return signCaCertificate(keyPem, subtrees, {
    name: old.subjectName,
    notBefore: old.notBefore,
    notAfter: old.notAfter,
  });
}

async function signCaCertificate(
  keyPem: string,
  subtrees: readonly Subtree[],
  o: { name: string | x509.Name; notBefore: Date; notAfter: Date },
): Promise<string> {
  const keys = await importKeyPair(keyPem);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: o.name,
      notBefore: o.notBefore,
      notAfter: o.notAfter,
      signingAlgorithm: SIGNING,
      keys: keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, x509Crypto),
        // Critical: a client that cannot enforce the constraints must refuse the CA.
        new x509.Extension(NAME_CONSTRAINTS_OID, true, encodeNameConstraints(subtrees)),
      ],
    },
    x509Crypto,
  );
  return cert.toString('pem') + '\n';
}

function checkCaPair(
  certPem: string,
  keyPem: string,
  certPath: string,
  keyPath: string,
  now: Date,
): void {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch (err) {
    throw new Error(`ca certificate \`${certPath}\` cannot be parsed`, { cause: err });
  }
  let spki: Buffer;
  try {
    spki = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  } catch (err) {
    throw new Error(`ca key \`${keyPath}\` cannot be parsed`, { cause: err });
  }
  if (!spki.equals(Buffer.from(cert.publicKey.rawData))) {
    throw new Error(
      `ca certificate \`${certPath}\` does not match key \`${keyPath}\`; remove both to create a new ca`,
    );
  }
  const constraints = cert.getExtension(x509.BasicConstraintsExtension);
  if (!constraints?.ca) {
    throw new Error(`certificate \`${certPath}\` is not a ca certificate`);
  }
  if (cert.notAfter.getTime() <= now.getTime()) {
    throw new Error(
      `ca certificate \`${certPath}\` expired on ${cert.notAfter.toISOString()}; remove both files to create a new ca`,
    );
  }
}

/** A leaf certificate for the gateway's HTTPS listener. */
export interface ServerCertificate {
  /** PEM of the leaf certificate (serve it as `cert`; the CA is not part of the chain). */
  certPem: string;
  /** PEM (PKCS#8) of the leaf private key. */
  keyPem: string;
  /** DNS names in subjectAltName, normalised to lower case. */
  dnsNames: string[];
  /** IP addresses in subjectAltName. */
  ipAddresses: string[];
  /** End of validity. */
  notAfter: Date;
}

/** Options of {@link issueServerCertificate}. */
export interface IssueOptions {
  /** Validity in days, 1 to {@link MAX_LEAF_VALIDITY_DAYS} (default: the maximum). */
  validityDays?: number;
  /** Current time (default: now). */
  now?: Date;
  /** Also write the certificate PEM here (0644). */
  certPath?: string;
  /** Also write the private key PEM here (0600); by default the key stays in memory. */
  keyPath?: string;
}

/**
 * Issue a server certificate signed by the local CA for DNS names and IP addresses.
 *
 * Names are classified (an IPv4 or IPv6 literal, optionally in brackets, becomes an IP SAN;
 * anything else must be a DNS name, optionally with a leading `*.` wildcard, which covers exactly
 * one label). Throws on an empty list, an invalid name, a name the CA's name constraints do not
 * permit (clients would refuse the certificate) or invalid options. Validity starts an hour in the
 * past, lasts at most 397 days and never outlives the CA.
 * @example
 * const ca = await ensureCa(caDir);
 * const leaf = await issueServerCertificate(ca, defaultServiceNames(['cn-hangzhou']));
 * https.createServer({ cert: leaf.certPem, key: leaf.keyPem }, handler);
 */
export async function issueServerCertificate(
  ca: Pick<LocalCa, 'certPem' | 'keyPem'>,
  names: readonly string[],
  options: IssueOptions = {},
): Promise<ServerCertificate> {
  const validityDays = options.validityDays ?? MAX_LEAF_VALIDITY_DAYS;
  if (
    !Number.isInteger(validityDays) ||
    validityDays < 1 ||
    validityDays > MAX_LEAF_VALIDITY_DAYS
  ) {
    throw new RangeError(
      `certificate validity \`${validityDays}\` must be a whole number of days from 1 to ${MAX_LEAF_VALIDITY_DAYS}`,
    );
  }
  const sans = classifyNames(names);
  const permitted = caPermittedSubtrees(ca.certPem);
  if (permitted) {
    for (const name of [...sans.dnsNames, ...sans.ipAddresses]) {
      if (!permits(permitted, name)) {
        throw new Error(
          `certificate name \`${name}\` is outside the names the local ca may vouch for; add it as a public host name`,
        );
      }
    }
  }
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKeys = await importKeyPair(ca.keyPem);
  const keys = await generateKeyPair();

  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const wanted = notBefore.getTime() + validityDays * DAY_MS;
  const notAfter = new Date(Math.min(wanted, caCert.notAfter.getTime()));
  const caKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const authorityKeyId =
    caKeyId !== undefined
      ? new x509.AuthorityKeyIdentifierExtension(caKeyId)
      : await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, x509Crypto);
  // Without a DNS name the common name is no host name: OpenSSL would check a dotted one against
  // the CA's DNS name constraints.
  const first = sans.dnsNames.find((n) => !n.startsWith('*.')) ?? sans.dnsNames[0];

  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(),
      subject: [{ CN: [first ?? 'yunbox'] }, { O: ['yunbox'] }],
      issuer: caCert.subjectName,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
        new x509.SubjectAlternativeNameExtension(
          [
            ...sans.dnsNames.map((value) => ({ type: 'dns' as const, value })),
            ...sans.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
          ],
          false,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, x509Crypto),
        authorityKeyId,
      ],
    },
    x509Crypto,
  );
  const certPem = cert.toString('pem') + '\n';
  const keyPem = toPem(await subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  if (options.keyPath !== undefined) await writeAtomically(options.keyPath, keyPem, 0o600);
  if (options.certPath !== undefined) await writeAtomically(options.certPath, certPem, 0o644);
  return { certPem, keyPem, dnsNames: sans.dnsNames, ipAddresses: sans.ipAddresses, notAfter };
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  // INVARIANT: a positive, non-zero-led DER integer (RFC 5280 4.1.2.2).
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function toPem(der: ArrayBuffer, label: string): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function fromPem(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (match?.[1] === undefined) throw new Error(`expected a pem block \`${label}\``);
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}
