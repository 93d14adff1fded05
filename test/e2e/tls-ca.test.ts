/**
 * Finding 8 of issue 14, performed against `yunbox serve` as a user runs it: programs trust the
 * local CA through `NODE_EXTRA_CA_CERTS`, so whoever reads `ca-key.pem` could impersonate any
 * host to them. The server starts on a data directory an older yunbox left (a CA without name
 * constraints): it replaces that CA, says so, and keeps the old certificate aside. Then the
 * attacker takes the new `ca-key.pem`, signs a certificate for `evil.example.com` and serves it;
 * a Node program trusting `ca.pem` refuses it, while it still reaches the gateway over HTTPS by
 * the service name. The same forgery under the old CA is accepted: what the constraints stop.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode, spawnServe, type ServeProcess } from '../../src/testing/spawn.js';
import { forgeLeaf, writeLegacyCa, type CertAndKey } from '../../src/testing/tls.js';

let dir: string;
let server: ServeProcess;
let legacy: CertAndKey;
const impostors: Server[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-e2e-ca-'));
  legacy = await writeLegacyCa(join(dir, 'tls'));
  server = await spawnServe([
    ...['--data', dir, '--listen', '127.0.0.1:0', '--tls-listen', '127.0.0.1:0'],
    ...['--metadata-listen', 'off', '--log-level', 'warn'],
  ]);
});
afterAll(async () => {
  for (const s of impostors) s.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** An HTTPS server on loopback presenting `leaf`. */
async function impostor(leaf: CertAndKey): Promise<number> {
  const s = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (_req, res) => res.end('pwned'));
  impostors.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

/**
 * What a program does: `https.get('https://HOST:PORT/')`, the name resolved to loopback (as the
 * sandbox's DNS or /etc/hosts would), trusting `caFile` through NODE_EXTRA_CA_CERTS. Answers
 * `status <code> <body>` or `error <message>`.
 */
async function fetchAs(caFile: string, host: string, port: number): Promise<string> {
  const script = `
    const https = require('node:https');
    const lookup = (h, o, cb) => o && o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
    https.get('https://${host}:${port}/', { lookup, agent: false }, (res) => {
      let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => console.log('status ' + res.statusCode + ' ' + b.slice(0, 20)));
    }).on('error', (e) => console.log('error ' + e.message));
  `;
  const r = await runNode(['-e', script], { NODE_EXTRA_CA_CERTS: caFile });
  return r.stdout.trim();
}

describe('the local CA of a running yunbox', () => {
  it('replaces an older CA without name constraints, and says so', async () => {
    // Logs reach stdout through a buffer flushed every second.
    const warned = /could vouch for any host name: replaced/;
    for (let i = 0; i < 50 && !warned.test(server.stdout()); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(server.stdout()).toMatch(warned);
    expect(await readFile(join(dir, 'tls', 'ca.pem.old'), 'utf8')).toBe(legacy.certPem);
    expect(await readFile(join(dir, 'tls', 'ca-key.pem'), 'utf8')).not.toBe(legacy.keyPem);
    expect((await stat(join(dir, 'tls', 'ca-key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'tls'))).mode & 0o777).toBe(0o700);
  });

  it('is trusted for the gateway over HTTPS by its service names', async () => {
    const port = Number(server.tlsAddress!.split(':').pop());
    const ca = join(dir, 'tls', 'ca.pem');
    expect(await fetchAs(ca, 'sts.aliyuncs.com', port)).toMatch(/^status \d{3}/);
    expect(await fetchAs(ca, 'localhost', port)).toMatch(/^status \d{3}/);
    // The old certificate no longer vouches for the gateway.
    expect(await fetchAs(join(dir, 'tls', 'ca.pem.old'), 'sts.aliyuncs.com', port)).toMatch(
      /^error /,
    );
  });

  it('cannot vouch for another host even with its key in hand', async () => {
    const ca = {
      certPem: await readFile(join(dir, 'tls', 'ca.pem'), 'utf8'),
      keyPem: await readFile(join(dir, 'tls', 'ca-key.pem'), 'utf8'),
    };
    const evil = await forgeLeaf(ca, [{ type: 'dns', value: 'evil.example.com' }]);
    const port = await impostor(evil);
    expect(await fetchAs(join(dir, 'tls', 'ca.pem'), 'evil.example.com', port)).toBe(
      'error permitted subtree violation',
    );
    if (spawnSync('openssl', ['version']).status === 0) {
      const leafPath = join(dir, 'evil.pem');
      await writeFile(leafPath, evil.certPem);
      const v = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'tls', 'ca.pem'), leafPath]);
      expect(v.status).not.toBe(0);
      expect(v.stdout.toString() + v.stderr.toString()).toMatch(/permitted subtree violation/);
    }

    // Under the CA an older yunbox made, the same forgery was accepted.
    const before = await forgeLeaf(legacy, [{ type: 'dns', value: 'evil.example.com' }]);
    const oldPort = await impostor(before);
    expect(await fetchAs(join(dir, 'tls', 'ca.pem.old'), 'evil.example.com', oldPort)).toBe(
      'status 200 pwned',
    );
  });
});
