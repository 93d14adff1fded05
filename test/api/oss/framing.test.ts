/**
 * Requests framed by both `Content-Length` and `Transfer-Encoding: chunked` (kernel/framing.ts):
 * ali-oss sends them for a stream with a declared length; OSS accepts them, the transfer coding
 * wins (RFC 9112 §6.3). The connection is closed after such a request, so bytes a front proxy
 * would read differently can never become a request of ours; every other leniency stays off.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOf } from '../../../src/testing/fixtures.js';
import { ossClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossPath, rawOss, signedHeaders } from './helpers.js';

let yb: TestServer;
let dir: string;
const BUCKET = 'framing-bucket';

beforeAll(async () => {
  yb = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'yunbox-framing-'));
  const c = ossClient(yb, rootOf(yb));
  await c.putBucket(BUCKET);
  await c.putBucketACL(BUCKET, 'public-read-write');
});
afterAll(async () => {
  await yb?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * Writes `text` on one fresh connection (HTTPS with `ca`) and collects everything until the
 * server closes it.
 */
function exchange(text: string | Buffer, server = yb, ca?: string): Promise<string> {
  const address = ca ? server.tlsAddress! : server.address;
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return new Promise((resolve, reject) => {
    const s = ca
      ? tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () => s.write(text))
      : connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    s.on('error', reject);
    s.on('close', () => resolve(got));
    s.setTimeout(10_000, () => s.destroy(new Error(`no close; received: ${got}`)));
  });
}

/** A V1-signed request head (path style) for `key` in the test bucket, plus extra header lines. */
function head(method: string, key: string, extra: string[], server = yb): string {
  const h = signedHeaders(server, { method, bucket: BUCKET, key, creds: rootOf(server) });
  const lines = Object.entries(h).map(([k, v]) => `${k}: ${v}`);
  return [`${method} ${ossPath(BUCKET, key)} HTTP/1.1`, 'host: localhost', ...lines, ...extra]
    .concat('', '')
    .join('\r\n');
}

describe('Content-Length with Transfer-Encoding: chunked', () => {
  it('accepts ali-oss put(stream, { headers: { Content-Length } }) and stores the bytes', async () => {
    const data = randomBytes(300_000);
    const file = join(dir, 'upload.bin');
    await writeFile(file, data);
    const c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
    const put = await c.put('stream-with-length.bin', createReadStream(file), {
      headers: { 'Content-Length': data.length },
    });
    expect(put.res.status).toBe(200);
    // The connection that carried it is not reused (RFC 9112 §6.3).
    expect(put.res.headers.connection).toBe('close');
    const got = await c.get('stream-with-length.bin');
    expect(got.content.equals(data)).toBe(true);
    // The client's next requests go on fresh connections and work as before.
    expect((await c.head('stream-with-length.bin')).status).toBe(200);
  });

  it('keeps the Content-Length a V4 signature covers (additionalHeaders)', async () => {
    const data = randomBytes(1000);
    const file = join(dir, 'v4.bin');
    await writeFile(file, data);
    const c = ossClient(yb, rootOf(yb), { bucket: BUCKET, v4: true, style: 'path' });
    const put = await c.put('v4-stream.bin', createReadStream(file), {
      headers: { 'Content-Length': data.length },
      additionalHeaders: ['content-length'],
    });
    expect(put.res.status).toBe(200);
    expect((await c.get('v4-stream.bin')).content.equals(data)).toBe(true);
  });

  it('frames by the transfer coding, answers once, and drops what follows on the connection', async () => {
    // A proxy framing by Content-Length (3) would take `3\r\na` as the body and what follows
    // as the next request; we frame by the chunks, store `abc` (3 bytes, as declared), answer
    // with Connection: close and never run the anonymous PUT pipelined behind it.
    const smuggled = [
      `PUT ${ossPath(BUCKET, 'smuggled')} HTTP/1.1`,
      'host: localhost',
      'content-length: 1',
      '',
      'x',
    ].join('\r\n');
    const reply = await exchange(
      head('PUT', 'framed', ['content-length: 3', 'transfer-encoding: chunked']) +
        '3\r\nabc\r\n0\r\n\r\n' +
        smuggled,
    );
    expect(reply.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
    expect(reply).toMatch(/^HTTP\/1\.1 200 /);
    expect(reply).toMatch(/\r\nConnection: close\r\n/i);
    const framed = await rawOss(yb, { bucket: BUCKET, key: 'framed', creds: rootOf(yb) });
    expect(framed.text).toBe('abc');
    const gone = await rawOss(yb, { method: 'HEAD', bucket: BUCKET, key: 'smuggled' });
    expect(gone.status).toBe(404);
  });

  it('refuses a body whose chunks disagree with its Content-Length, storing nothing', async () => {
    for (const [length, key] of [
      ['2', 'shorter'],
      ['9', 'longer'],
    ] as const) {
      const reply = await exchange(
        head('PUT', key, [`content-length: ${length}`, 'transfer-encoding: chunked']) +
          '3\r\nabc\r\n0\r\n\r\n',
      );
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(reply).toMatch(/\r\nConnection: close\r\n/i);
      const gone = await rawOss(yb, { method: 'HEAD', bucket: BUCKET, key, creds: rootOf(yb) });
      expect(gone.status).toBe(404);
    }
  });

  it('is the same on the HTTPS listener', async () => {
    const tls = await startTestServer({ tlsListen: '127.0.0.1:0' });
    try {
      await ossClient(tls, rootOf(tls)).putBucket(BUCKET);
      const ca = await readFile(tls.caCertPath!, 'utf8');
      const reply = await exchange(
        head('PUT', 'framed-tls', ['content-length: 3', 'transfer-encoding: chunked'], tls) +
          '3\r\nabc\r\n0\r\n\r\n' +
          `GET ${ossPath(BUCKET, 'framed-tls')} HTTP/1.1\r\nhost: localhost\r\n\r\n`,
        tls,
        ca,
      );
      expect(reply.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
      expect(reply).toMatch(/^HTTP\/1\.1 200 /);
      expect(reply).toMatch(/\r\nConnection: close\r\n/i);
    } finally {
      await tls.close();
    }
  });

  it('closes the connection even when the request is refused', async () => {
    const reply = await exchange(
      [
        `PUT ${ossPath('no-such-framing-bucket', 'k')} HTTP/1.1`,
        'host: localhost',
        'content-length: 3',
        'transfer-encoding: chunked',
        '',
        '3\r\nabc\r\n0\r\n\r\n',
      ].join('\r\n') + `GET ${ossPath(BUCKET, 'framed')} HTTP/1.1\r\nhost: localhost\r\n\r\n`,
    );
    expect(reply.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
    expect(reply).toMatch(/<Code>AccessDenied<\/Code>|<Code>NoSuchBucket<\/Code>/);
    expect(reply).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('keeps every other parser rule strict', async () => {
    // A transfer coding other than a final chunked (framingGuard), a bare LF in the head and
    // two lengths (the parser itself) are refused, as Node's strict parser refuses them.
    for (const bad of [
      'PUT /framing-bucket/a HTTP/1.1\r\nhost: localhost\r\ncontent-length: 3\r\ntransfer-encoding: gzip\r\n\r\nabc',
      'PUT /framing-bucket/a HTTP/1.1\r\nhost: localhost\ncontent-length: 3\r\n\r\nabc',
      'PUT /framing-bucket/a HTTP/1.1\r\nhost: localhost\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabc',
    ]) {
      expect(await exchange(bad)).toMatch(/^HTTP\/1\.1 400 /);
    }
  });
});
