/**
 * A sandbox's listeners under the time limits and caps, without a namespace: serveSandbox runs
 * on sockets bound on loopback here (inside a sandbox they are bound in its namespace, which
 * needs root; test/sandbox covers that). DNS over TCP answers a whole query and drops a
 * connection whose query stalls or that stays idle; the metadata and gateway sockets drop a
 * stalled head; and the sandbox is one source, whatever address its connections come from.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListenerLimits, METADATA_KEEP_ALIVE_MS } from '../kernel/limits.js';
import { ensureCa, issueServerCertificate } from '../tls/ca.js';
import { DNS_CLASS_IN, DnsType, decodeDnsMessage, encodeDnsMessage } from './dns.js';
import { serveSandbox, type SandboxListeners } from './serve.js';

const HEADERS_MS = 400;
const SLACK_MS = 1500;

let dir: string;
let caPem: string;
let limits: ListenerLimits;
let listeners: SandboxListeners;
const ports: Record<string, number> = {};

async function tcp(): Promise<Server> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return s;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-sandbox-serve-'));
  const ca = await ensureCa(dir);
  caPem = ca.certPem;
  const leaf = await issueServerCertificate(ca, ['localhost']);
  const tcpSockets = new Map<string, Server>();
  for (const tag of ['metadata', 'http', 'https', 'dns-tcp']) {
    const s = await tcp();
    ports[tag] = (s.address() as AddressInfo).port;
    tcpSockets.set(tag, s);
  }
  const udp: UdpSocket = createSocket('udp4');
  udp.bind(0, '127.0.0.1');
  await once(udp, 'listening');
  limits = new ListenerLimits(
    { headersTimeoutMs: HEADERS_MS, maxConnections: 100, maxConnectionsPerSource: 3 },
    { fdLimit: null },
  );
  listeners = serveSandbox({
    sandboxId: 'sbx-test',
    instanceId: 'i-test',
    sockets: { tcp: tcpSockets, udp: new Map([['dns', udp]]) },
    origin: { sourceIp: '172.16.0.5', instanceId: 'i-test' },
    zone: { gatewayAddress: '100.100.2.136' },
    tls: { certPem: leaf.certPem, keyPem: leaf.keyPem },
    gateway: (_req, res) => res.end('gateway'),
    metadata: async (_req, res, id) => void res.end(`metadata ${id}`),
    live: async () => true,
    limits,
    log: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  listeners?.close();
  limits?.close();
  await rm(dir, { recursive: true, force: true });
});

function open(
  port: number,
  localAddress = '127.0.0.1',
): Promise<{ socket: Socket; data: () => Buffer; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - started)));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, data: () => Buffer.concat(chunks), closed }));
    socket.once('error', reject);
  });
}

function framedQuery(id: number): Buffer {
  const q = encodeDnsMessage({
    id,
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
    questions: [{ name: 'sts.aliyuncs.com', type: DnsType.A, class: DNS_CLASS_IN }],
    answers: [],
    authorities: [],
    additionals: [],
  });
  const frame = Buffer.alloc(2 + q.length);
  frame.writeUInt16BE(q.length, 0);
  frame.set(q, 2);
  return frame;
}

describe('sandbox listeners under the limits', () => {
  it('answers DNS over TCP, then closes the idle connection', async () => {
    const c = await open(ports['dns-tcp']!);
    c.socket.write(framedQuery(0x4242));
    const closedAfter = await c.closed;
    const reply = c.data();
    const decoded = decodeDnsMessage(reply.subarray(2, 2 + reply.readUInt16BE(0)));
    expect(decoded.ok && decoded.message.id).toBe(0x4242);
    expect(decoded.ok && decoded.message.answers.length).toBe(1);
    expect(closedAfter).toBeLessThan(METADATA_KEEP_ALIVE_MS + SLACK_MS);
  });

  it('drops a DNS-over-TCP query that stalls, however slowly it drips', async () => {
    const c = await open(ports['dns-tcp']!);
    const frame = framedQuery(7);
    // A byte every 100 ms would take longer than the headers timeout to finish the query.
    let sent = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed && sent < frame.length) c.socket.write(frame.subarray(sent, ++sent));
    }, 100);
    const closedAfter = await c.closed;
    clearInterval(drip);
    expect(closedAfter).toBeLessThan(HEADERS_MS + SLACK_MS);
    expect(c.data().length).toBe(0);
  });

  it('serves the gateway over HTTPS with the sandbox certificate', async () => {
    const socket = tlsConnect({
      port: ports.https!,
      host: '127.0.0.1',
      servername: 'localhost',
      ca: caPem,
    });
    await once(socket, 'secureConnect');
    socket.end('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    let text = '';
    for await (const d of socket) text += d;
    expect(text).toMatch(/^HTTP\/1\.1 200[\s\S]*gateway$/);
  });

  it('drops a stalled head on the metadata, gateway and HTTPS sockets', async () => {
    const [m, g, t] = await Promise.all([
      open(ports.metadata!),
      open(ports.http!),
      open(ports.https!),
    ]);
    m.socket.write('GET /latest/meta-data/ HTTP/1.1\r\n');
    g.socket.write('GET / HTTP/1.1\r\nHost: sts.aliyuncs.com\r\n');
    t.socket.write('\x16\x03\x01');
    for (const c of [m, g, t]) expect(await c.closed).toBeLessThan(HEADERS_MS + SLACK_MS);
    expect(m.data().toString()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('counts the whole sandbox as one source', async () => {
    const refusedBefore = limits.stats().refused;
    const held = await Promise.all([
      open(ports.metadata!, '127.0.0.2'),
      open(ports.http!, '127.0.0.3'),
      open(ports['dns-tcp']!, '127.0.0.4'),
    ]);
    const refused = await open(ports.http!, '127.0.0.5');
    expect(await refused.closed).toBeLessThan(SLACK_MS);
    held[0]!.socket.write('GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 200));
    expect(held[0]!.data().toString()).toMatch(/metadata i-test$/);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    expect(limits.stats().refused - refusedBefore).toBe(1);
  });
});
