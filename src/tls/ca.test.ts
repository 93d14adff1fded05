import { spawn } from 'node:child_process';
import { X509Certificate as NodeX509 } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CA_CERT_FILE,
  CA_KEY_FILE,
  classifyNames,
  defaultServiceNames,
  ensureCa,
  issueServerCertificate,
  type LocalCa,
} from './ca.js';

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
