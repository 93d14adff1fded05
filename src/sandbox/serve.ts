/**
 * @module What a sandbox serves on the sockets opened inside its namespace (`listen.ts`): the
 * metadata handler for its instance on 100.100.100.200:80, the gateway over HTTP and HTTPS on
 * 100.100.2.136:80 and :443 (each request marked with the instance's origin, `/_yunbox/*` not
 * answered), and DNS over UDP and TCP on 100.100.2.136:53 (`dns.ts`). Every request first asks
 * whether the sandbox is still live (its instance Running), and is dropped when not.
 */
import type { Socket as UdpSocket } from 'node:dgram';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { setRequestOrigin, type RequestOrigin } from '../kernel/gateway.js';
import { respondToDnsPacket, type DnsZone } from './dns.js';
import type { NetnsSockets } from './listen.js';
import type { MetadataHandler } from './types.js';

/** Requests inside a sandbox that are not answered: the admin API is not for instances. */
const ADMIN_PREFIX = '/_yunbox/';

/** What {@link serveSandbox} needs. */
export interface SandboxServeOptions {
  /** Sockets tagged `metadata`, `http`, `https`, `dns-tcp` (TCP) and `dns` (UDP). */
  sockets: NetnsSockets;
  instanceId: string;
  /** What the gateway sees as the request's source (`acs:SourceIp`, `acs:SourceVpc`). */
  origin: RequestOrigin;
  zone: DnsZone;
  /** The sandbox's HTTPS certificate and key. */
  tls: { certPem: string; keyPem: string };
  gateway: (req: IncomingMessage, res: ServerResponse) => void;
  metadata: MetadataHandler;
  /** False once the sandbox goes (its instance stopped): the request's connection is dropped. */
  live: () => Promise<boolean>;
  log: Logger;
}

/** The servers of one sandbox, to close when it goes. */
export interface SandboxServers {
  http: HttpServer[];
  dnsTcp: TcpServer;
  dnsConns: Set<Socket>;
  udp: UdpSocket;
}

/** Starts serving a sandbox's sockets; closes them all when that fails. */
export function serveSandbox(o: SandboxServeOptions): SandboxServers {
  try {
    return startServers(o);
  } catch (e) {
    for (const s of [...o.sockets.tcp.values(), ...o.sockets.udp.values()]) {
      try {
        s.close();
      } catch {
        /* closed */
      }
    }
    throw e;
  }
}

/** Stops a sandbox's servers and ends their connections. */
export function closeSandboxServers(s: SandboxServers): void {
  for (const h of s.http) {
    h.close();
    h.closeAllConnections();
  }
  s.dnsTcp.close();
  for (const c of s.dnsConns) c.destroy();
  try {
    s.udp.close();
  } catch {
    /* closed */
  }
}

function startServers(o: SandboxServeOptions): SandboxServers {
  const serve =
    (handle: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>) =>
    (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        if (!(await o.live())) {
          req.socket.destroy();
          return;
        }
        await handle(req, res);
      })().catch((e) => {
        o.log.error({ err: e }, 'sandbox request failed');
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error');
        } else res.destroy();
      });
    };
  const metadata = serve((req, res) => o.metadata(req, res, o.instanceId));
  const gateway = serve((req, res) => {
    if ((req.url ?? '').startsWith(ADMIN_PREFIX)) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    setRequestOrigin(req, o.origin);
    o.gateway(req, res);
  });
  const httpOptions = { keepAliveTimeout: 65_000, headersTimeout: 30_000, requestTimeout: 0 };
  const metadataServer = createHttpServer(
    { keepAliveTimeout: 5000, headersTimeout: 10_000, requestTimeout: 30_000 },
    metadata,
  );
  const httpServer = createHttpServer(httpOptions, gateway);
  const httpsServer = createHttpsServer(
    { ...httpOptions, cert: o.tls.certPem, key: o.tls.keyPem },
    gateway,
  );
  metadataServer.listen(o.sockets.tcp.get('metadata')!);
  httpServer.listen(o.sockets.tcp.get('http')!);
  httpsServer.listen(o.sockets.tcp.get('https')!);

  const udp = o.sockets.udp.get('dns')!;
  udp.on('message', (msg, rinfo) => {
    const out = respondToDnsPacket(msg, o.zone, 'udp');
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  udp.on('error', (e) => o.log.warn({ err: e }, 'sandbox dns socket error'));
  const dnsConns = new Set<Socket>();
  const dnsTcp = createTcpServer((conn) => serveDnsTcp(conn, o.zone, dnsConns));
  dnsTcp.listen(o.sockets.tcp.get('dns-tcp')!);
  return { http: [metadataServer, httpServer, httpsServer], dnsTcp, dnsConns, udp };
}

/** Answers DNS over TCP (two-byte length before each message) on one connection. */
function serveDnsTcp(conn: Socket, zone: DnsZone, conns: Set<Socket>): void {
  conns.add(conn);
  conn.on('close', () => conns.delete(conn));
  conn.on('error', () => conn.destroy());
  conn.setTimeout(10_000, () => conn.destroy());
  let buf = Buffer.alloc(0);
  conn.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      const out = respondToDnsPacket(buf.subarray(2, 2 + len), zone, 'tcp');
      buf = buf.subarray(2 + len);
      if (out) {
        const frame = Buffer.alloc(2 + out.length);
        frame.writeUInt16BE(out.length, 0);
        frame.set(out, 2);
        conn.write(frame);
      }
    }
  });
}
