/**
 * @module What one sandbox serves on the sockets opened inside its namespace (`listen.ts`): the
 * metadata service on 100.100.100.200:80, the gateway on 100.100.2.136:80 and :443, and DNS on
 * 100.100.2.136:53 over UDP and TCP. Each listener runs under the process's time limits and
 * connection caps (`kernel/limits.ts`), the whole sandbox counting as one source: a program
 * inside can hold at most `--max-connections-per-source` connections and cannot stall one for
 * longer than the timeouts.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { allowChunkedWithLength } from '../kernel/framing.js';
import { setRequestOrigin, type RequestOrigin } from '../kernel/gateway.js';
import { METADATA_KEEP_ALIVE_MS, type ListenerLimits } from '../kernel/limits.js';
import { respondToDnsPacket, type DnsZone } from './dns.js';
import type { NetnsSockets } from './listen.js';
import type { MetadataHandler } from './types.js';

/** Requests inside a sandbox that are not answered: the admin API is not served there. */
const ADMIN_PREFIX = '/_yunbox/';
/**
 * What is served under it all the same: public documents a program inside needs (the certificate
 * verifying instance identities, services/ecs/metadata/identity.ts).
 */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/_yunbox/instance-identity.pem']);

/** What {@link serveSandbox} needs. */
export interface SandboxServeOptions {
  sandboxId: string;
  /** The instance whose metadata is served; none for a workload sandbox (unknown caller). */
  instanceId?: string;
  /** Sockets bound inside the namespace: tcp `metadata`, `http`, `https`, `dns-tcp`; udp `dns`. */
  sockets: NetnsSockets;
  /** The instance's address and VPC, marked on every gateway request. */
  origin: RequestOrigin;
  zone: DnsZone;
  tls: { certPem: string; keyPem: string };
  gateway: (req: IncomingMessage, res: ServerResponse) => void;
  metadata: MetadataHandler;
  /** False when the sandbox is going (its instance stopped): the connection is dropped. */
  live: () => Promise<boolean>;
  limits: ListenerLimits;
  log: Logger;
}

/** The listeners of one sandbox. */
export interface SandboxListeners {
  /** Stops every listener and drops every connection. */
  close(): void;
}

/** Starts the listeners of one sandbox on its sockets. */
export function serveSandbox(o: SandboxServeOptions): SandboxListeners {
  const { limits, sockets } = o;
  const guard = { source: `sandbox:${o.sandboxId}` };
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
        o.log.error({ err: e, sandbox: o.sandboxId }, 'sandbox request failed');
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error');
        } else res.destroy();
      });
    };
  const metadata = serve((req, res) => o.metadata(req, res, o.instanceId));
  const gateway = serve((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (path.startsWith(ADMIN_PREFIX) && !(req.method === 'GET' && PUBLIC_PATHS.has(path))) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    setRequestOrigin(req, o.origin);
    o.gateway(req, res);
  });
  const http: HttpServer[] = [
    limits.guardHttp(createHttpServer(limits.httpOptions('metadata'), metadata), {
      name: 'sandbox-metadata',
      ...guard,
    }),
    limits.guardHttp(createHttpServer(limits.httpOptions('gateway'), gateway), {
      name: 'sandbox-gateway',
      ...guard,
    }),
    limits.guardHttp(
      createHttpsServer(
        {
          ...limits.httpOptions('gateway'),
          ...limits.tlsOptions(),
          cert: o.tls.certPem,
          key: o.tls.keyPem,
        },
        gateway,
      ),
      { name: 'sandbox-gateway-tls', ...guard },
    ),
  ];
  // The gateway handler carries framingGuard (kernel/framing.ts); its parsers get the one leniency.
  allowChunkedWithLength(http[1]!);
  allowChunkedWithLength(http[2]!);
  http[0]!.listen(sockets.tcp.get('metadata')!);
  http[1]!.listen(sockets.tcp.get('http')!);
  http[2]!.listen(sockets.tcp.get('https')!);

  const udp = sockets.udp.get('dns')!;
  udp.on('message', (msg, rinfo) => {
    const out = respondToDnsPacket(msg, o.zone, 'udp');
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  udp.on('error', (e) => o.log.warn({ err: e, sandbox: o.sandboxId }, 'sandbox dns socket error'));
  const dnsConns = new Set<Socket>();
  const dnsTcp: TcpServer = limits.guardTcp(
    createTcpServer((conn) => serveDnsTcp(conn, o.zone, limits, dnsConns)),
    { name: 'sandbox-dns', ...guard },
  );
  dnsTcp.listen(sockets.tcp.get('dns-tcp')!);

  return {
    close() {
      for (const s of http) {
        s.close();
        s.closeAllConnections();
      }
      dnsTcp.close();
      for (const c of dnsConns) c.destroy();
      try {
        udp.close();
      } catch {
        /* closed */
      }
    },
  };
}

/**
 * DNS over TCP (RFC 7766): length-prefixed queries, answered in order. A query must arrive whole
 * within the headers timeout of its first byte; a connection idle between queries closes after
 * the metadata keep-alive time.
 */
function serveDnsTcp(
  conn: Socket,
  zone: DnsZone,
  limits: ListenerLimits,
  conns: Set<Socket>,
): void {
  conns.add(conn);
  conn.on('close', () => conns.delete(conn));
  conn.on('error', () => conn.destroy());
  const idleMs = METADATA_KEEP_ALIVE_MS;
  const queryMs = limits.settings.headersTimeoutMs;
  let deadline: NodeJS.Timeout | undefined;
  const arm = (pending: boolean) => {
    clearTimeout(deadline);
    deadline = setTimeout(() => conn.destroy(), pending ? queryMs : idleMs);
    deadline.unref();
  };
  conn.on('close', () => clearTimeout(deadline));
  // A connection must bring its first query whole within the query time too.
  let inQuery = true;
  arm(true);
  let buf: Buffer = Buffer.alloc(0);
  conn.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let answered = false;
    // INVARIANT: after this loop, buf holds less than one message (at most 2 + 65535 bytes).
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      // An empty message is no query: it would only keep the connection open.
      if (len === 0) {
        conn.destroy();
        return;
      }
      if (buf.length < 2 + len) break;
      const out = respondToDnsPacket(buf.subarray(2, 2 + len), zone, 'tcp');
      buf = buf.subarray(2 + len);
      answered = true;
      if (out) {
        const frame = Buffer.alloc(2 + out.length);
        frame.writeUInt16BE(out.length, 0);
        frame.set(out, 2);
        conn.write(frame);
      }
    }
    // The query deadline runs from a query's first byte, not from each byte.
    if (buf.length === 0) {
      inQuery = false;
      arm(false);
    } else if (!inQuery || answered) {
      inQuery = true;
      arm(true);
    }
  });
}
