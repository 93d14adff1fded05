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
 * Leaf certificates carry the service names as subjectAltName (DNS or IP, detected), EKU
 * serverAuth, and live at most 397 days. They are kept in memory unless a path is given.
 */

import { createPublicKey, randomBytes, webcrypto } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
// tsyringe (under @peculiar/x509) needs the Reflect metadata API before it loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** File name of the CA certificate inside the CA directory. */
export const CA_CERT_FILE = 'ca.pem';
/** File name of the CA private key inside the CA directory. */
export const CA_KEY_FILE = 'ca-key.pem';
/** Longest leaf validity we issue, in days (the CA/Browser Forum ceiling Apple enforces). */
export const MAX_LEAF_VALIDITY_DAYS = 397;
/** Validity of a new CA certificate, in days (ten years). */
export const CA_VALIDITY_DAYS = 3652;

const DAY_MS = 86_400_000;
/** Back-date certificates so a client whose clock runs a little behind still accepts them. */
const BACKDATE_MS = 3_600_000;
const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const POSIX = process.platform !== 'win32';
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
}

/**
 * Create the local CA in `dir` on first call, load it afterwards.
 *
 * The directory is created 0700 (an existing one is tightened to 0700); the key is written 0600.
 * Throws when the directory is writable by others and cannot be tightened, when the files exist
 * but do not form a valid pair, or when the CA certificate has expired (remove both files to get
 * a new CA).
 * @example
 * const ca = await ensureCa(join(dataDir, 'ca'));
 * console.log(`export NODE_EXTRA_CA_CERTS=${ca.certPath}`);
 */
export async function ensureCa(dir: string, options: EnsureCaOptions = {}): Promise<LocalCa> {
  await prepareDirectory(dir);
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);

  let keyPem = await readIfExists(keyPath);
  if (keyPem === undefined) {
    if ((await readIfExists(certPath)) !== undefined) {
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

  let certPem = await readIfExists(certPath);
  if (certPem === undefined) {
    const created = await createCaCertificate(keyPem, options);
    await publishOnce(dir, CA_CERT_FILE, created, 0o644);
    certPem = await readFile(certPath, 'utf8');
  }

  checkCaPair(certPem, keyPem, certPath, keyPath, options.now ?? new Date());
  return { certPem, keyPem, certPath };
}

async function prepareDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!POSIX) return;
  const mode = (await stat(dir)).mode & 0o777;
  if (mode === 0o700) return;
  try {
    await chmod(dir, 0o700);
  } catch (err) {
    if (mode & 0o022) {
      throw new Error(
        `ca directory \`${dir}\` is writable by group or others and cannot be set to 0700`,
        { cause: err },
      );
    }
  }
}

async function tightenKeyMode(keyPath: string): Promise<void> {
  if (!POSIX) return;
  const mode = (await stat(keyPath)).mode & 0o777;
  if ((mode & 0o077) !== 0) await chmod(keyPath, 0o600);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

/**
 * Write `content` to `dir/name` unless that file already exists; true if ours was published.
 * INVARIANT: the final name only ever appears with complete, flushed content.
 */
async function publishOnce(
  dir: string,
  name: string,
  content: string,
  mode: number,
): Promise<boolean> {
  const final = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    if (POSIX) await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, final);
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    // No hard links on this file system: fall back to an atomic (last writer wins) rename.
    await rename(tmp, final);
    return true;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
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

async function createCaCertificate(keyPem: string, options: EnsureCaOptions): Promise<string> {
  const keys = await importKeyPair(keyPem);
  const now = options.now ?? new Date();
  const host = (options.hostname ?? osHostname()).replace(/[^A-Za-z0-9._-]/g, '-') || 'localhost';
  const date = now.toISOString().slice(0, 10);
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: [{ CN: [`yunbox local CA (${host} ${date})`] }, { O: ['yunbox'] }],
      notBefore,
      notAfter: new Date(notBefore.getTime() + CA_VALIDITY_DAYS * DAY_MS),
      signingAlgorithm: SIGNING,
      keys: keys,
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
 * one label). Throws on an empty list, an invalid name or invalid options. Validity starts an hour
 * in the past, lasts at most 397 days and never outlives the CA.
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
  const first =
    sans.dnsNames.find((n) => !n.startsWith('*.')) ?? sans.dnsNames[0] ?? sans.ipAddresses[0];

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

async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(
    tmp,
    fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
    mode,
  );
  try {
    await handle.writeFile(content, 'utf8');
    if (POSIX) await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const REGION = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Names split by kind, as they go into subjectAltName. */
export interface CertificateNames {
  /** Lower-case DNS names, wildcards included. */
  dnsNames: string[];
  /** IPv4 and IPv6 literals, without brackets. */
  ipAddresses: string[];
}

/**
 * Split certificate names into DNS names and IP addresses, validating and de-duplicating them.
 *
 * Throws on an empty list or a name that is neither an IP literal nor a DNS name (labels of
 * `a-z 0-9 -`, at most 253 characters, a wildcard only as the whole leftmost label and followed by
 * at least two labels).
 * @example
 * classifyNames(['localhost', '127.0.0.1', '[::1]', '*.oss-cn-hangzhou.aliyuncs.com'])
 * // { dnsNames: ['localhost', '*.oss-cn-hangzhou.aliyuncs.com'], ipAddresses: ['127.0.0.1', '::1'] }
 */
export function classifyNames(names: readonly string[]): CertificateNames {
  if (names.length === 0) throw new Error('a server certificate needs at least one name');
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
    if (isIP(bare) !== 0) {
      if (!ipAddresses.includes(bare)) ipAddresses.push(bare);
      continue;
    }
    const dns = name.toLowerCase().replace(/\.$/, '');
    if (!isDnsName(dns))
      throw new Error(`certificate name \`${raw}\` is not a dns name or ip address`);
    if (!dnsNames.includes(dns)) dnsNames.push(dns);
  }
  return { dnsNames, ipAddresses };
}

function isDnsName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  const rest = wildcard ? labels.slice(1) : labels;
  if (wildcard && rest.length < 2) return false;
  return rest.every((label) => DNS_LABEL.test(label));
}

/**
 * The names the gateway answers to: loopback, and the Alibaba Cloud endpoints the SDKs use
 * (openapi.md a.2; OSS bucket virtual hosts as one-label wildcards) for each region.
 *
 * Throws on a region that is not lower-case letters, digits and single hyphens.
 * @example
 * defaultServiceNames(['cn-hangzhou'])
 * // ['localhost', '127.0.0.1', '::1', '*.aliyuncs.com', 'ram.aliyuncs.com', ..., '*.oss-cn-hangzhou-internal.aliyuncs.com']
 */
export function defaultServiceNames(regions: readonly string[]): string[] {
  const names = [
    'localhost',
    '127.0.0.1',
    '::1',
    '*.aliyuncs.com',
    'ram.aliyuncs.com',
    'sts.aliyuncs.com',
    'ecs.aliyuncs.com',
    'vpc.aliyuncs.com',
  ];
  for (const region of regions) {
    if (!REGION.test(region)) throw new Error(`region \`${region}\` is not a valid region id`);
    names.push(
      `sts.${region}.aliyuncs.com`,
      `sts-vpc.${region}.aliyuncs.com`,
      `ecs.${region}.aliyuncs.com`,
      `ecs-${region}.aliyuncs.com`,
      `vpc.${region}.aliyuncs.com`,
      `oss-${region}.aliyuncs.com`,
      `oss-${region}-internal.aliyuncs.com`,
      `*.oss-${region}.aliyuncs.com`,
      `*.oss-${region}-internal.aliyuncs.com`,
    );
  }
  return [...new Set(names)];
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
