/**
 * The instance identity signature through the plain metadata listener, as a program on an ECS
 * instance uses it: `dynamic/instance-identity/pkcs7?audience=…` is base64 PKCS#7 that
 * `openssl smime -verify` and `openssl cms -verify` accept against the certificate the gateway
 * publishes at `/_yunbox/instance-identity.pem` (open to any Host, like the health check), over
 * the document with the audience appended; another instance's document or another audience does
 * not verify; a bad audience is 400; hardened mode guards it like every other path.
 */
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreClock } from '../../../src/testing/clock.js';
import type { TestServer } from '../../../src/testing/server.js';
import { md, metadataServer, mdToken, runningInstance, type RunningInstance } from './setup.js';

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
// CI must run the openssl checks; elsewhere they need the binary.
const OPENSSL = HAS_OPENSSL || process.env.CI === 'true';
const PKCS7 = '/latest/dynamic/instance-identity/pkcs7';

let yb: TestServer;
let one: RunningInstance;
let two: RunningInstance;
let dir: string;

beforeAll(async () => {
  yb = await metadataServer();
  one = await runningInstance(yb);
  two = await runningInstance(yb, { httpTokens: 'required' });
  dir = await mkdtemp(join(tmpdir(), 'yunbox-identity-'));
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A GET to the gateway with the Host header given. */
function gatewayGet(
  path: string,
  host: string,
  method = 'GET',
): Promise<{ status: number; type?: string; body: string }> {
  const url = new URL(yb.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method, headers: { host } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, type: res.headers['content-type'], body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function openssl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, (e, out, err) => {
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err });
    });
  });
}

let n = 0;
/** `openssl <verb> -verify` of `signature` (as served) against the published certificate. */
async function verify(
  verb: 'smime' | 'cms',
  signature: string,
  extra: { content?: string } = {},
): Promise<{ code: number; out: string; err: string }> {
  const base = join(dir, String(n++));
  const certificate = (await gatewayGet('/_yunbox/instance-identity.pem', 'localhost')).body;
  await writeFile(`${base}.cert`, certificate);
  await writeFile(`${base}.p7`, `-----BEGIN PKCS7-----\n${signature}\n-----END PKCS7-----\n`);
  const args = [verb, '-verify', '-in', `${base}.p7`, '-inform', 'PEM'];
  if (extra.content !== undefined) {
    await writeFile(`${base}.content`, extra.content);
    args.push('-content', `${base}.content`);
  }
  return openssl([...args, '-certfile', `${base}.cert`, '-noverify']);
}

describe('instance identity signature (plain listener)', () => {
  it('publishes the certificate to any Host, GET only', async () => {
    const a = await gatewayGet('/_yunbox/instance-identity.pem', 'localhost');
    expect(a.status).toBe(200);
    expect(a.type).toBe('application/x-pem-file');
    expect(a.body).toMatch(
      /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/,
    );
    const cert = new X509Certificate(a.body);
    expect(cert.subject).toBe('O=yunbox\nCN=yunbox instance identity');
    // From inside a sandbox the gateway is 100.100.2.136: not one of this server's names.
    const b = await gatewayGet('/_yunbox/instance-identity.pem', '100.100.2.136');
    expect(b).toEqual(a);
    expect((await gatewayGet('/_yunbox/instance-identity.pem', 'localhost', 'HEAD')).status).toBe(
      200,
    );
    expect((await gatewayGet('/_yunbox/instance-identity.pem', 'localhost', 'DELETE')).status).toBe(
      405,
    );
    // The rest of /_yunbox/ stays guarded.
    expect((await gatewayGet('/_yunbox/clock', '100.100.2.136')).status).toBe(403);
  });

  it('lists pkcs7 beside the document and serves it as unarmoured base64', async () => {
    expect((await md(one.url, '/latest/dynamic/instance-identity')).body).toBe('document\npkcs7');
    const r = await md(one.url, `${PKCS7}?audience=abc`);
    expect([r.status, r.contentType]).toEqual([200, 'text/plain']);
    expect(r.body).toMatch(/^[A-Za-z0-9+/=]{1,64}(\n[A-Za-z0-9+/=]{1,64})*$/);
    expect(r.body).not.toContain('BEGIN');
    // Both versions, any case.
    expect((await md(one.url, `/2016-01-01/dynamic/Instance-Identity/PKCS7`)).status).toBe(200);
  });

  it.skipIf(!OPENSSL)(
    'verifies in openssl against the published certificate, the audience in the signed content',
    async () => {
      const document = (await md(one.url, '/latest/dynamic/instance-identity/document')).body;
      const audience = `nonce-${Date.now()} x:1`;
      const signature = (await md(one.url, `${PKCS7}?audience=${encodeURIComponent(audience)}`))
        .body;
      const signed = `${document.slice(0, -1)},"audience":"${audience}"}`;
      expect(JSON.parse(signed)).toEqual({ ...JSON.parse(document), audience });

      // As Alibaba's guide does it: the document and audience beside the signature.
      const smime = await verify('smime', signature, { content: signed });
      expect(smime.err).toContain('Verification successful');
      expect(smime.code).toBe(0);
      expect(smime.out).toBe(signed);
      // The content embedded in the signature alone.
      const cms = await verify('cms', signature);
      expect(cms.err).toContain('Verification successful');
      expect(cms.out).toBe(signed);

      // Without an audience: the document itself.
      const bare = (await md(one.url, PKCS7)).body;
      const plain = await verify('smime', bare, { content: document });
      expect([plain.code, plain.out]).toEqual([0, document]);

      // Another audience, or another instance's document, does not verify.
      const other = (await md(two.url, '/latest/dynamic/instance-identity/document', {
        headers: { 'x-aliyun-ecs-metadata-token': await mdToken(two.url) },
      })).body; // prettier-ignore
      for (const content of [
        `${document.slice(0, -1)},"audience":"nonce-other"}`,
        `${other.slice(0, -1)},"audience":"${audience}"}`,
        document,
      ]) {
        const r = await verify('smime', signature, { content });
        expect(r.code, content).not.toBe(0);
        expect(r.err).not.toContain('Verification successful');
      }
    },
  );

  it('refuses an audience it cannot append to JSON as it is, or a long one', async () => {
    for (const q of ['%22', 'a%5Cb', '%0A', 'x'.repeat(257)]) {
      const r = await md(one.url, `${PKCS7}?audience=${q}`);
      expect([r.status, r.body], q).toEqual([400, 'Bad Request']);
    }
    expect((await md(one.url, `${PKCS7}?audience=${'x'.repeat(256)}`)).status).toBe(200);
  });

  it('is guarded by hardened mode like every other path', async () => {
    expect((await md(two.url, PKCS7)).status).toBe(401);
    const r = await md(two.url, `${PKCS7}?audience=a`, {
      headers: { 'x-aliyun-ecs-metadata-token': await mdToken(two.url) },
    });
    expect(r.status).toBe(200);
  });
});
