import { execFile, spawn, spawnSync } from 'node:child_process';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createTlsServer } from 'node:tls';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxCertificateNames } from '../sandbox/names.js';
import { forgeLeaf, writeLegacyCa, type San } from '../testing/tls.js';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  CA_OLD_CERT_FILE,
  CA_PERMITTED_NAMES,
  caPermittedSubtrees,
  caSubtrees,
  classifyNames,
  defaultServiceNames,
  ensureCa,
  issueServerCertificate,
  type LocalCa,
} from './ca.js';
import { LOCK_FILE } from './files.js';
import { NAME_CONSTRAINTS_OID, formatSubtree, permits } from './name-constraints.js';

const POSIX = process.platform !== 'win32';
const DAY_MS = 86_400_000;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'yunbox-ca-test-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('ensureCa', () => {
  it('creates a P-256 CA with the right extensions and file modes, then loads it', async () => {
    const dir = join(root, 'fresh', 'ca');
    const now = new Date('2025-01-15T08:30:00Z');
    const ca = await ensureCa(dir, { now, hostname: 'devbox' });
    expect(ca.certPath).toBe(join(dir, CA_CERT_FILE));
    expect(await readFile(ca.certPath, 'utf8')).toBe(ca.certPem);
    expect(await readFile(join(dir, CA_KEY_FILE), 'utf8')).toBe(ca.keyPem);
    if (POSIX) {
      expect(await mode(dir)).toBe(0o700);
      expect(await mode(join(dir, CA_KEY_FILE))).toBe(0o600);
      expect(await mode(ca.certPath)).toBe(0o644);
    }

    const cert = new x509.X509Certificate(ca.certPem);
    expect(cert.subject).toBe('CN=yunbox local CA (devbox 2025-01-15), O=yunbox');
    expect(cert.issuer).toBe(cert.subject);
    const constraints = cert.getExtension(x509.BasicConstraintsExtension);
    expect(constraints?.ca).toBe(true);
    expect(constraints?.critical).toBe(true);
    const usage = cert.getExtension(x509.KeyUsagesExtension);
    expect(usage?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(usage?.critical).toBe(true);
    expect(cert.publicKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    const years = (cert.notAfter.getTime() - cert.notBefore.getTime()) / (365.25 * DAY_MS);
    expect(years).toBeGreaterThan(9.99);
    expect(years).toBeLessThan(10.01);
    expect(cert.notBefore.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(await cert.verify({ signatureOnly: true })).toBe(true);

    const again = await ensureCa(dir);
    expect(again).toEqual(ca);
  });

  it('gives every concurrent caller the same CA and leaves no temp files', async () => {
    const dir = join(root, 'race');
    const results = await Promise.all(Array.from({ length: 8 }, () => ensureCa(dir)));
    for (const r of results) expect(r).toEqual(results[0]);
    expect((await readdir(dir)).sort()).toEqual([CA_KEY_FILE, CA_CERT_FILE].sort());
  });

  it.skipIf(!POSIX)('tightens an existing directory and a loose key file', async () => {
    const dir = join(root, 'loose');
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    await ensureCa(dir);
    expect(await mode(dir)).toBe(0o700);
    await chmod(join(dir, CA_KEY_FILE), 0o644);
    await ensureCa(dir);
    expect(await mode(join(dir, CA_KEY_FILE))).toBe(0o600);
  });

  it('refuses a certificate that does not match its key, or lacks its key', async () => {
    const a = join(root, 'pair-a');
    const b = join(root, 'pair-b');
    await ensureCa(a);
    const other = await ensureCa(b);
    await writeFile(join(a, CA_CERT_FILE), other.certPem);
    await expect(ensureCa(a)).rejects.toThrow(/does not match key/);
    await rm(join(a, CA_KEY_FILE));
    await expect(ensureCa(a)).rejects.toThrow(/exists without its key/);
  });

  it('refuses an expired CA', async () => {
    const dir = join(root, 'old');
    await ensureCa(dir, { now: new Date('2000-01-01T00:00:00Z') });
    await expect(ensureCa(dir)).rejects.toThrow(/expired on 2009-12-30/);
  });
});

describe('names', () => {
  it('lists loopback and the Alibaba Cloud endpoints per region', () => {
    const names = defaultServiceNames(['cn-hangzhou', 'cn-shanghai', 'cn-hangzhou']);
    expect(names.slice(0, 8)).toEqual([
      'localhost',
      '127.0.0.1',
      '::1',
      '*.aliyuncs.com',
      'ram.aliyuncs.com',
      'sts.aliyuncs.com',
      'ecs.aliyuncs.com',
      'vpc.aliyuncs.com',
    ]);
    for (const n of [
      'sts.cn-hangzhou.aliyuncs.com',
      'sts-vpc.cn-hangzhou.aliyuncs.com',
      'ecs.cn-hangzhou.aliyuncs.com',
      'ecs-cn-hangzhou.aliyuncs.com',
      'vpc.cn-shanghai.aliyuncs.com',
      'oss-cn-shanghai.aliyuncs.com',
      'oss-cn-shanghai-internal.aliyuncs.com',
      '*.oss-cn-shanghai.aliyuncs.com',
      '*.oss-cn-shanghai-internal.aliyuncs.com',
    ]) {
      expect(names).toContain(n);
    }
    expect(new Set(names).size).toBe(names.length);
    expect(() => defaultServiceNames(['CN_Hangzhou'])).toThrow(
      'region `CN_Hangzhou` is not a valid region id',
    );
  });

  it('classifies, normalises and validates names', () => {
    expect(
      classifyNames(['LocalHost.', '127.0.0.1', '[::1]', '*.oss-cn-hangzhou.aliyuncs.com', '::1']),
    ).toEqual({
      dnsNames: ['localhost', '*.oss-cn-hangzhou.aliyuncs.com'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
    for (const bad of [
      '',
      'a b',
      '*.com',
      'a.*.com',
      '-a.com',
      'a..b',
      'x'.repeat(64) + '.com',
      'é.com',
    ]) {
      expect(() => classifyNames([bad]), bad).toThrow(/is not a dns name or ip address/);
    }
    expect(() => classifyNames([])).toThrow('a server certificate needs at least one name');
  });
});

describe('issueServerCertificate', () => {
  let ca: LocalCa;
  beforeAll(async () => {
    ca = await ensureCa(join(root, 'issuer'));
  });

  it('issues a serverAuth leaf with DNS and IP SANs, chained to the CA, for at most 397 days', async () => {
    const now = new Date();
    const leaf = await issueServerCertificate(ca, defaultServiceNames(['cn-hangzhou']), { now });
    const cert = new NodeX509(leaf.certPem);
    const caCert = new NodeX509(ca.certPem);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(cert.checkHost('sts.aliyuncs.com')).toBeDefined();
    expect(cert.checkHost('sts.cn-hangzhou.aliyuncs.com')).toBe('sts.cn-hangzhou.aliyuncs.com');
    expect(cert.checkHost('sts.cn-beijing.aliyuncs.com')).toBeUndefined();
    expect(cert.checkHost('demo.oss-cn-hangzhou.aliyuncs.com')).toBeDefined();
    expect(cert.checkHost('a.demo.oss-cn-hangzhou.aliyuncs.com')).toBeUndefined();
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS;
    expect(days).toBeLessThanOrEqual(397);
    expect(days).toBeGreaterThan(396);
    expect(leaf.ipAddresses).toEqual(['127.0.0.1', '::1']);
    const parsed = new x509.X509Certificate(leaf.certPem);
    expect(parsed.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(
      new x509.X509Certificate(ca.certPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
    );
  });

  it('writes the key only when asked, 0600', async () => {
    const dir = join(root, 'leaf-out');
    await mkdir(dir);
    const before = await readdir(dir);
    await issueServerCertificate(ca, ['localhost']);
    expect(await readdir(dir)).toEqual(before);
    const keyPath = join(dir, 'server-key.pem');
    const certPath = join(dir, 'server.pem');
    const leaf = await issueServerCertificate(ca, ['localhost'], { keyPath, certPath });
    expect(await readFile(keyPath, 'utf8')).toBe(leaf.keyPem);
    expect(await readFile(certPath, 'utf8')).toBe(leaf.certPem);
    if (POSIX) expect(await mode(keyPath)).toBe(0o600);
  });

  it('rejects bad options and names', async () => {
    await expect(issueServerCertificate(ca, ['localhost'], { validityDays: 398 })).rejects.toThrow(
      /from 1 to 397/,
    );
    await expect(issueServerCertificate(ca, ['bad name'])).rejects.toThrow(/`bad name`/);
  });

  it('never outlives the CA', async () => {
    const dir = join(root, 'short');
    const old = await ensureCa(dir, { now: new Date(Date.now() - 3600 * DAY_MS) });
    const leaf = await issueServerCertificate(old, ['localhost']);
    expect(leaf.notAfter.getTime()).toBe(new x509.X509Certificate(old.certPem).notAfter.getTime());
  });
});

describe('HTTPS with the issued certificate', () => {
  let ca: LocalCa;
  let otherCa: LocalCa;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    ca = await ensureCa(join(root, 'https'));
    otherCa = await ensureCa(join(root, 'https-other'));
    const leaf = await issueServerCertificate(ca, defaultServiceNames(['cn-hangzhou']));
    server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.end(`ok ${req.headers.host ?? ''}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function get(opts: { ca?: string; servername?: string; host?: string }): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          method: 'GET',
          agent: false,
          ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
          ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
          headers: { host: opts.host ?? opts.servername ?? '127.0.0.1' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve(body));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it('is trusted for the service names and the IP with the CA', async () => {
    await expect(get({ ca: ca.certPem, servername: 'sts.aliyuncs.com' })).resolves.toBe(
      'ok sts.aliyuncs.com',
    );
    await expect(
      get({ ca: ca.certPem, servername: 'ecs-cn-hangzhou.aliyuncs.com' }),
    ).resolves.toMatch(/^ok/);
    await expect(
      get({ ca: ca.certPem, servername: 'demo-bucket.oss-cn-hangzhou.aliyuncs.com' }),
    ).resolves.toMatch(/^ok/);
    await expect(get({ ca: ca.certPem })).resolves.toBe('ok 127.0.0.1');
  });

  it('fails for names outside the certificate', async () => {
    await expect(get({ ca: ca.certPem, servername: 'example.com' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    await expect(
      get({ ca: ca.certPem, servername: 'a.demo.oss-cn-hangzhou.aliyuncs.com' }),
    ).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('fails with another CA or the default trust store', async () => {
    await expect(
      get({ ca: otherCa.certPem, servername: 'sts.aliyuncs.com' }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/),
    });
    await expect(get({ servername: 'sts.aliyuncs.com' })).rejects.toHaveProperty('code');
  });

  function runChild(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
    // As the credentials library does: an https URL on the service name, resolved to loopback.
    const script = `
      const https = require('node:https');
      const lookup = (host, opts, cb) => opts && opts.all
        ? cb(null, [{ address: '127.0.0.1', family: 4 }])
        : cb(null, '127.0.0.1', 4);
      https.get('https://sts.aliyuncs.com:${port}/', { lookup, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => { console.log(res.statusCode + ' ' + body); });
      }).on('error', (err) => { console.log('error ' + err.code); process.exitCode = 2; });
    `;
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out: out.trim() }));
    });
  }

  function cleanEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    delete env.NODE_EXTRA_CA_CERTS;
    delete env.NODE_OPTIONS;
    return env;
  }

  it('is trusted by a plain node process through NODE_EXTRA_CA_CERTS', async () => {
    const ok = await runChild({ ...cleanEnv(), NODE_EXTRA_CA_CERTS: ca.certPath });
    expect(ok).toEqual({ code: 0, out: `200 ok sts.aliyuncs.com:${port}` });
    const without = await runChild(cleanEnv());
    expect(without.code).toBe(2);
    expect(without.out).toMatch(/^error /);
  });
});

// ---- Name constraints: what the CA may vouch for, and what a leaked key can no longer do.

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
// CI must run the openssl checks; elsewhere they need the binary.
const OPENSSL = HAS_OPENSSL || process.env.CI === 'true';

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

/** `openssl verify` of `leafPem` against `caPath` alone. */
async function opensslVerify(
  caPath: string,
  leafPem: string,
): Promise<{ code: number; out: string }> {
  const leafPath = join(root, `leaf-${Math.random().toString(36).slice(2)}.pem`);
  await writeFile(leafPath, leafPem);
  return run('openssl', ['verify', '-CAfile', caPath, leafPath]);
}

/**
 * Node's TLS client against a server presenting `leaf`, trusting `ca` only: `ok` or the error
 * (`code: message`). Host name checks are off unless `servername` is given, so the chain alone decides.
 */
async function tlsHandshake(
  ca: string,
  leaf: { certPem: string; keyPem: string },
  servername?: string,
): Promise<string> {
  const server = createTlsServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => s.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    return await new Promise<string>((resolve) => {
      const socket = connect(
        {
          host: '127.0.0.1',
          port,
          ca,
          ...(servername !== undefined ? { servername } : { checkServerIdentity: () => undefined }),
        },
        () => {
          socket.end();
          resolve('ok');
        },
      );
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(`${e.code}: ${e.message}`));
    });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

describe('name constraints of the local CA', () => {
  let ca: LocalCa;
  beforeAll(async () => {
    ca = await ensureCa(join(root, 'constrained'), {
      publicNames: ['dev.example.org', '192.0.2.7'],
    });
  });

  it('permit loopback, aliyuncs.com, the sandbox gateway and the public names, in a critical extension', async () => {
    const cert = new x509.X509Certificate(ca.certPem);
    const ext = cert.getExtension(NAME_CONSTRAINTS_OID);
    expect(ext?.critical).toBe(true);
    expect(caPermittedSubtrees(ca.certPem)).not.toBe(false);
    expect((caPermittedSubtrees(ca.certPem) || []).map(formatSubtree)).toEqual([
      'localhost',
      '.localhost',
      'aliyuncs.com',
      '.aliyuncs.com',
      '127.0.0.0/8',
      '::1/128',
      '100.100.2.136/32',
      'dev.example.org',
      '192.0.2.7/32',
    ]);
    expect(caSubtrees([]).map(formatSubtree)).toEqual([...CA_PERMITTED_NAMES]);
    if (!OPENSSL) return;
    const text = await run('openssl', ['x509', '-in', ca.certPath, '-noout', '-text']);
    expect(text.out).toMatch(/X509v3 Name Constraints: critical\s+Permitted:\s+DNS:localhost/);
    for (const line of [
      'DNS:.aliyuncs.com',
      'IP:127.0.0.0/255.0.0.0',
      'IP:0:0:0:0:0:0:0:1/FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF',
      'IP:100.100.2.136/255.255.255.255',
      'DNS:dev.example.org',
    ]) {
      expect(text.out).toContain(line);
    }
  });

  it('cover every name yunbox issues certificates for', () => {
    const permitted = caPermittedSubtrees(ca.certPem) || [];
    for (const n of [
      ...defaultServiceNames(['cn-hangzhou', 'ap-southeast-1']),
      ...sandboxCertificateNames('cn-hangzhou'),
    ]) {
      expect(permits(permitted, n), n).toBe(true);
    }
  });

  it.skipIf(!OPENSSL)(
    'refuse, in openssl verify, a leaf the CA key signs for any other name',
    async () => {
      const good = [
        await issueServerCertificate(ca, defaultServiceNames(['cn-hangzhou'])),
        await issueServerCertificate(ca, sandboxCertificateNames('cn-hangzhou')),
        await issueServerCertificate(ca, ['dev.example.org', 'api.dev.example.org', '192.0.2.7']),
        await issueServerCertificate(ca, ['127.0.0.1']),
      ];
      for (const leaf of good) {
        const r = await opensslVerify(ca.certPath, leaf.certPem);
        expect(r.out, leaf.dnsNames.join(' ')).toMatch(/: OK\s*$/);
      }
      for (const sans of [
        [{ type: 'dns', value: 'evil.example.com' }],
        [{ type: 'dns', value: 'aliyuncs.com.evil.example' }],
        [
          { type: 'dns', value: 'localhost' },
          { type: 'dns', value: 'www.example.com' },
        ],
        [{ type: 'ip', value: '10.0.0.1' }],
        [],
      ] as San[][]) {
        const evil = await forgeLeaf(ca, sans);
        const r = await opensslVerify(ca.certPath, evil.certPem);
        expect(r.code, JSON.stringify(sans)).not.toBe(0);
        expect(r.out).toMatch(/permitted subtree violation/);
      }
    },
  );

  it("refuse, in Node's TLS, a leaf the CA key signs for any other name", async () => {
    const gateway = await issueServerCertificate(ca, defaultServiceNames(['cn-hangzhou']));
    expect(await tlsHandshake(ca.certPem, gateway, 'sts.cn-hangzhou.aliyuncs.com')).toBe('ok');
    expect(await tlsHandshake(ca.certPem, gateway, 'localhost')).toBe('ok');
    const ipOnly = await issueServerCertificate(ca, ['127.0.0.1']);
    expect(await tlsHandshake(ca.certPem, ipOnly)).toBe('ok');

    const evil = await forgeLeaf(ca, [{ type: 'dns', value: 'evil.example.com' }]);
    // Node 20 names this OpenSSL error `UNSPECIFIED`; its message is OpenSSL's.
    expect(await tlsHandshake(ca.certPem, evil, 'evil.example.com')).toMatch(
      /^\w+: permitted subtree violation$/,
    );
    expect(await tlsHandshake(ca.certPem, evil)).toMatch(/permitted subtree violation/);
    const evilIp = await forgeLeaf(ca, [{ type: 'ip', value: '10.0.0.1' }]);
    expect(await tlsHandshake(ca.certPem, evilIp)).toMatch(/permitted subtree violation/);

    // The same forgery under a CA without constraints (an older yunbox's) was accepted.
    const legacy = await writeLegacyCa(join(root, 'legacy-control'));
    const forged = await forgeLeaf(legacy, [{ type: 'dns', value: 'evil.example.com' }]);
    expect(await tlsHandshake(legacy.certPem, forged, 'evil.example.com')).toBe('ok');
  });

  it('are kept by issueServerCertificate: a name outside them is refused', async () => {
    await expect(issueServerCertificate(ca, ['localhost', 'evil.example.com'])).rejects.toThrow(
      'certificate name `evil.example.com` is outside the names the local ca may vouch for',
    );
    await expect(issueServerCertificate(ca, ['10.0.0.1'])).rejects.toThrow(/`10\.0\.0\.1`/);
  });

  it('refuse a public name that is no host name or address', async () => {
    for (const bad of ['10.0.0.0/8', 'a b', '']) {
      await expect(ensureCa(join(root, 'bad-public'), { publicNames: [bad] })).rejects.toThrow(
        `public name \`${bad}\` is not a dns name or ip address`,
      );
    }
  });
});

describe('an existing CA', () => {
  it('without name constraints is replaced: certificate kept aside, key deleted, a warning', async () => {
    const dir = join(root, 'upgrade');
    const legacy = await writeLegacyCa(dir);
    const warnings: string[] = [];
    const ca = await ensureCa(dir, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/could vouch for any host name: replaced by a new one/);
    expect(warnings[0]).toContain('trust the new `ca.pem`');
    expect(await readFile(join(dir, CA_OLD_CERT_FILE), 'utf8')).toBe(legacy.certPem);
    expect(ca.keyPem).not.toBe(legacy.keyPem);
    expect(caPermittedSubtrees(ca.certPem)).toBeTruthy();
    expect((await readdir(dir)).sort()).toEqual(
      [CA_KEY_FILE, CA_CERT_FILE, CA_OLD_CERT_FILE].sort(),
    );
    if (POSIX) {
      expect(await mode(dir)).toBe(0o700);
      expect(await mode(join(dir, CA_KEY_FILE))).toBe(0o600);
    }
    // A leaf made with the old key does not chain to the new CA.
    const forged = await forgeLeaf(legacy, [{ type: 'dns', value: 'localhost' }]);
    expect(await tlsHandshake(ca.certPem, forged)).toMatch(
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/,
    );
    // And the next start finds nothing to do.
    expect(await ensureCa(dir, { warn: (m) => warnings.push(m) })).toEqual(ca);
    expect(warnings).toHaveLength(1);
  });

  it('without name constraints and without its key (a replacement cut short) is moved aside', async () => {
    const dir = join(root, 'upgrade-cut');
    const legacy = await writeLegacyCa(dir);
    await rm(join(dir, CA_KEY_FILE));
    const ca = await ensureCa(dir, { warn: () => undefined });
    expect(caPermittedSubtrees(ca.certPem)).toBeTruthy();
    expect(await readFile(join(dir, CA_OLD_CERT_FILE), 'utf8')).toBe(legacy.certPem);
  });

  it('without name constraints that yunbox did not make is refused, never deleted', async () => {
    const dir = join(root, 'foreign');
    const foreign = await writeLegacyCa(dir, 'CN=Corp Root, O=Corp');
    await expect(ensureCa(dir, { warn: () => undefined })).rejects.toThrow(
      /is not yunbox's and lacks its name constraints/,
    );
    expect(await readFile(join(dir, CA_KEY_FILE), 'utf8')).toBe(foreign.keyPem);
  });

  it('is re-issued under the same key when the public names change', async () => {
    const dir = join(root, 'public-names');
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const first = await ensureCa(dir, { publicNames: ['a.example.org'], warn });
    const leaf = await issueServerCertificate(first, ['localhost']);
    const names = (c: LocalCa) => (caPermittedSubtrees(c.certPem) || []).map(formatSubtree);

    // A caller without names (the sandboxes) takes a CA that covers the built-in names as it is.
    expect(await ensureCa(dir, { warn })).toEqual(first);
    expect(await ensureCa(dir, { publicNames: ['A.example.org.'], warn })).toEqual(first);
    expect(warnings).toEqual([]);

    const second = await ensureCa(dir, { publicNames: ['b.example.org'], warn });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/was re-issued for the names .*`b\.example\.org`/);
    expect(second.keyPem).toBe(first.keyPem);
    expect(names(second)).toContain('b.example.org');
    expect(names(second)).not.toContain('a.example.org');
    const [a, b] = [
      new x509.X509Certificate(first.certPem),
      new x509.X509Certificate(second.certPem),
    ];
    expect(b.subject).toBe(a.subject);
    expect(b.notAfter).toEqual(a.notAfter);
    // Leaves issued before still chain to the re-issued CA (same key and subject).
    expect(await tlsHandshake(second.certPem, leaf, 'localhost')).toBe('ok');
    await expect(issueServerCertificate(second, ['a.example.org'])).rejects.toThrow(/outside/);

    const none = await ensureCa(dir, { publicNames: [], warn });
    expect(names(none)).toEqual([...CA_PERMITTED_NAMES]);
    expect(await readFile(join(dir, CA_CERT_FILE), 'utf8')).toBe(none.certPem);
  });

  it('gives concurrent callers replacing an older CA one and the same new CA', async () => {
    const dir = join(root, 'upgrade-race');
    await writeLegacyCa(dir);
    const warnings: string[] = [];
    const results = await Promise.all(
      Array.from({ length: 6 }, () => ensureCa(dir, { warn: (m) => warnings.push(m) })),
    );
    for (const r of results) expect(r).toEqual(results[0]);
    expect(warnings).toHaveLength(1);
    expect((await readdir(dir)).sort()).toEqual(
      [CA_KEY_FILE, CA_CERT_FILE, CA_OLD_CERT_FILE].sort(),
    );
  });

  it('takes over a lock left by a process that is gone, and leaves none behind', async () => {
    const dir = join(root, 'stale-lock');
    await ensureCa(dir);
    // A pid that is not running: a child that has exited.
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString();
    await writeFile(join(dir, LOCK_FILE), gone);
    await ensureCa(dir);
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });
});
