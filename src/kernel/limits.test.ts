/**
 * The listener guard against real sockets on loopback, with short limits: a stalled head, a
 * stalled whole body, an idle stream (and back-pressure that is not idleness), a body nobody
 * reads, a response nobody reads, the TLS handshake, and the connection caps (several loopback
 * source addresses stand for several clients). Also the caps' arithmetic and the config keys.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig, ConfigError } from '../config/config.js';
import { issueServerCertificate, ensureCa } from '../tls/ca.js';
import { BodyTimeout, readBody, streamBody } from './body.js';
import {
  ListenerLimits,
  descriptorLimit,
  effectiveCaps,
  sourceOf,
  type LimitSettings,
} from './limits.js';

/** Slack over a configured time: one sweep, scheduling on a busy machine. */
const SLACK_MS = 1500;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(
  settings: Partial<LimitSettings>,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  extra: Partial<LimitSettings> = {},
): Promise<{ port: number; limits: ListenerLimits; server: Server }> {
  const limits = new ListenerLimits({ ...settings, ...extra }, { fdLimit: null });
  const server = limits.guardHttp(createServer(limits.httpOptions('gateway'), handler), {
    name: 'test',
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    limits.close();
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return { port: (server.address() as AddressInfo).port, limits, server };
}

interface Raw {
  socket: Socket;
  /** Everything received. */
  text(): string;
  /** Resolves with ms from connect to close. */
  closed: Promise<number>;
}

function raw(port: number, first?: string, localAddress?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - started)));
    socket.on('data', (d) => (received += d));
    socket.on('error', () => {});
    socket.once('connect', () => {
      if (first !== undefined) socket.write(first);
      resolve({ socket, text: () => received, closed });
    });
    socket.once('error', reject);
  });
}

const STALLED_PUT = 'PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\na';

describe('ListenerLimits', () => {
  it('closes a connection whose head stalls, within the headers timeout', async () => {
    const { port } = await serve({ headersTimeoutMs: 400 }, (_req, res) => res.end('ok'));
    const c = await raw(port, 'GET / HTTP/1.1\r\nHost: t\r\n');
    expect(await c.closed).toBeLessThan(400 + SLACK_MS);
    expect(c.text()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('fails a whole-body read that stalls; the answer closes the connection', async () => {
    const errors: unknown[] = [];
    const { port, limits } = await serve({ requestTimeoutMs: 400 }, (req, res) => {
      readBody(req, 4096).then(
        () => res.end('read'),
        (e) => {
          errors.push(e);
          res.writeHead(400, { 'content-type': 'text/plain', 'content-length': 9 });
          res.end('timed out');
        },
      );
    });
    const c = await raw(port, STALLED_PUT);
    expect(await c.closed).toBeLessThan(400 + SLACK_MS);
    expect(c.text()).toMatch(/^HTTP\/1\.1 400/);
    expect(c.text()).toMatch(/\r\nconnection: close\r\n/i);
    expect(c.text()).toMatch(/timed out$/);
    expect(errors[0]).toBeInstanceOf(BodyTimeout);
    expect((errors[0] as BodyTimeout).kind).toBe('whole');
    expect(limits.stats().timedOut).toBe(1);
  });

  it('fails a stream that goes idle, never one that keeps moving slowly', async () => {
    const outcomes: string[] = [];
    const { port } = await serve({ bodyIdleTimeoutMs: 500, requestTimeoutMs: 300 }, (req, res) => {
      void (async () => {
        let n = 0;
        try {
          for await (const c of streamBody(req)) n += c.length;
          outcomes.push(`done ${n}`);
          res.end(`got ${n}`);
        } catch (e) {
          outcomes.push(e instanceof BodyTimeout ? `timeout ${e.kind} ${n}` : `error ${e}`);
          res.writeHead(400, { 'content-length': 4 });
          res.end('idle');
        }
      })();
    });
    // One byte every 150 ms for 1.5 s: longer than the request timeout, never idle.
    const slow = await raw(port, 'PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n');
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 150));
      slow.socket.write('b');
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(slow.text()).toMatch(/got 10$/);
    slow.socket.destroy();
    // Stops after 1 byte of 1000.
    const stalled = await raw(port, STALLED_PUT);
    expect(await stalled.closed).toBeLessThan(500 + SLACK_MS);
    expect(stalled.text()).toMatch(/^HTTP\/1\.1 400/);
    expect(outcomes).toEqual(['done 10', 'timeout stream 1']);
  });

  it('does not count its own back-pressure as idleness', async () => {
    let received = 0;
    let failedAfter: number | undefined;
    const { port } = await serve({ bodyIdleTimeoutMs: 300 }, (req, res) => {
      void (async () => {
        try {
          for await (const c of streamBody(req)) {
            // The first chunk takes long to "store": the rest waits in the request's buffer.
            if (received === 0) await new Promise((r) => setTimeout(r, 1200));
            received += c.length;
          }
          res.end('done');
        } catch (e) {
          failedAfter = received;
          res.writeHead(400, { 'content-length': 4 });
          res.end(String(e instanceof BodyTimeout));
        }
      })();
    });
    const c = await raw(port, 'PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: 200000\r\n\r\n');
    c.socket.write(Buffer.alloc(100_000, 1));
    await c.closed;
    // Everything sent was read (the pause was ours), then the client's stall timed out.
    expect(failedAfter).toBe(100_000);
    expect(c.text()).toMatch(/true$/);
  });

  it('closes a connection whose body nobody reads, answered or not', async () => {
    const { port } = await serve({ requestTimeoutMs: 400 }, (req, res) => {
      if (req.url === '/answer') res.end('early');
    });
    const silent = await raw(port, STALLED_PUT);
    const answered = await raw(port, STALLED_PUT.replace('/x', '/answer'));
    expect(await silent.closed).toBeLessThan(400 + SLACK_MS);
    expect(await answered.closed).toBeLessThan(400 + SLACK_MS);
    expect(silent.text()).toBe('');
    expect(answered.text()).toMatch(/early$/);
  });

  it('drops a response the client stops reading', async () => {
    const { port, limits } = await serve({ bodyIdleTimeoutMs: 400 }, (_req, res) => {
      // Endless: only the client's stall can end it.
      const chunk = Buffer.alloc(1 << 20, 7);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      Readable.from(
        (function* () {
          for (;;) yield chunk;
        })(),
      ).pipe(res);
    });
    const c = await raw(port, 'GET /big HTTP/1.1\r\nHost: t\r\n\r\n');
    cleanups.push(() => c.socket.destroy());
    await once(c.socket, 'data');
    c.socket.pause();
    const paused = Date.now();
    // The paused client would not see the close: watch the server's side.
    while (limits.stats().open > 0) await new Promise((r) => setTimeout(r, 50));
    // Kernel buffers fill first (a few MB on loopback), then nothing moves for the idle time.
    expect(Date.now() - paused).toBeLessThan(400 + 3 * SLACK_MS);
    expect(limits.stats().stalledResponses).toBe(1);
  });

  it('ends a TLS handshake that stalls, and an HTTPS head that stalls', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-limits-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const ca = await ensureCa(dir);
    const leaf = await issueServerCertificate(ca, ['localhost']);
    const limits = new ListenerLimits({ headersTimeoutMs: 400 }, { fdLimit: null });
    const server = limits.guardHttp(
      createHttpsServer(
        {
          ...limits.httpOptions('gateway'),
          ...limits.tlsOptions(),
          cert: leaf.certPem,
          key: leaf.keyPem,
        },
        (_req, res) => res.end('ok'),
      ),
      { name: 'test-tls' },
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => {
      limits.close();
      return new Promise((r) => server.close(r));
    });
    const port = (server.address() as AddressInfo).port;
    const nothing = await raw(port);
    const partial = await raw(port, '\x16\x03\x01');
    expect(await nothing.closed).toBeLessThan(400 + SLACK_MS);
    expect(await partial.closed).toBeLessThan(400 + SLACK_MS);
  });

  it('caps connections per source and in total, closing the excess at once', async () => {
    const { port, limits } = await serve({}, (_req, res) => res.end('ok'), {
      maxConnections: 6,
      maxConnectionsPerSource: 3,
    });
    expect(limits.caps).toEqual({ maxConnections: 6, maxConnectionsPerSource: 3 });
    const open = async (source: string) => {
      const c = await raw(port, undefined, source);
      cleanups.push(() => c.socket.destroy());
      return c;
    };
    const a = await Promise.all([1, 2, 3, 4, 5].map(() => open('127.0.0.2')));
    const refusedA = await Promise.race([
      Promise.all(a.slice(3).map((c) => c.closed)),
      new Promise((r) => setTimeout(() => r('timeout'), 2000)),
    ]);
    expect(refusedA).not.toBe('timeout');
    // Another source still gets in while 127.0.0.2 is at its cap, and is served.
    const b = await open('127.0.0.3');
    b.socket.write('GET /health HTTP/1.1\r\nHost: t\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(b.text()).toMatch(/ok$/);
    await Promise.all([open('127.0.0.3'), open('127.0.0.3')]);
    // 6 open: a third source is refused by the total cap, until one of the others closes.
    const c = await open('127.0.0.4');
    await c.closed;
    a[0]!.socket.destroy();
    await a[0]!.closed;
    await new Promise((r) => setTimeout(r, 50));
    const d = await open('127.0.0.4');
    d.socket.write('GET / HTTP/1.1\r\nHost: t\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(d.text()).toMatch(/ok$/);
    expect(limits.stats().refused).toBe(3);
  });

  it('survives accept errors (EMFILE) instead of throwing', async () => {
    const { server, limits } = await serve({}, (_req, res) => res.end('ok'));
    const e = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
    expect(() => server.emit('error', e)).not.toThrow();
    expect(limits.stats().acceptErrors).toBe(1);
  });
});

describe('effectiveCaps', () => {
  it('keeps half the descriptors, and half the connections from one source', () => {
    const wanted = { maxConnections: 4096, maxConnectionsPerSource: 1024 };
    expect(effectiveCaps(wanted, undefined)).toEqual(wanted);
    expect(effectiveCaps(wanted, 1_048_576)).toEqual(wanted);
    expect(effectiveCaps(wanted, 200)).toEqual({
      maxConnections: 100,
      maxConnectionsPerSource: 50,
    });
    expect(effectiveCaps({ maxConnections: 10, maxConnectionsPerSource: 10 }, undefined)).toEqual({
      maxConnections: 10,
      maxConnectionsPerSource: 5,
    });
    expect(effectiveCaps({ maxConnections: 1, maxConnectionsPerSource: 1 }, 1)).toEqual({
      maxConnections: 1,
      maxConnectionsPerSource: 1,
    });
  });

  it('counts IPv4 addresses one by one and IPv6 ones by their /64', () => {
    expect(sourceOf('127.0.0.2')).toBe('127.0.0.2');
    expect(sourceOf('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(sourceOf('2001:db8:0:1::42')).toBe('2001:db8:0:1::/64');
    expect(sourceOf('2001:0db8:0000:0001:ffff:ffff:ffff:ffff')).toBe('2001:db8:0:1::/64');
    expect(sourceOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceOf(undefined)).toBe('unknown');
  });

  it('reads the descriptor limit on Linux', () => {
    if (process.platform !== 'linux') return;
    expect(descriptorLimit()).toBeGreaterThan(0);
  });
});

describe('limit configuration', () => {
  it('has defaults, takes seconds or durations, and refuses nonsense', () => {
    const d = resolveConfig({}, {});
    expect([d.headersTimeout, d.requestTimeout, d.bodyIdleTimeout]).toEqual([30, 30, 30]);
    expect([d.maxConnections, d.maxConnectionsPerSource]).toEqual([4096, 1024]);
    const c = resolveConfig(
      { headersTimeout: '500ms', requestTimeout: 2, maxConnections: '10' },
      { YUNBOX_BODY_IDLE_TIMEOUT: '2m', YUNBOX_MAX_CONNECTIONS_PER_SOURCE: '3' },
    );
    expect([c.headersTimeout, c.requestTimeout, c.bodyIdleTimeout]).toEqual([0.5, 2, 120]);
    expect([c.maxConnections, c.maxConnectionsPerSource]).toEqual([10, 3]);
    for (const bad of ['0', '50ms', '2h', '-1', '1e3', 'soon', '']) {
      expect(() => resolveConfig({ headersTimeout: bad }, {}), bad).toThrow(ConfigError);
    }
    for (const bad of ['0', '-5', '1.5', '2000000', 'many']) {
      expect(() => resolveConfig({ maxConnections: bad }, {}), bad).toThrow(ConfigError);
    }
    expect(() => resolveConfig({ bodyIdleTimeout: 'x' }, {})).toThrow(
      /invalid body idle timeout `x`/,
    );
  });
});
