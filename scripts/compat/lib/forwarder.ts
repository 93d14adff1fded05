/**
 * @module A TCP forwarder the compatibility runner owns: it listens on a loopback address and
 * port (80 and 443, where the suite's clients connect by default) and pipes each connection to
 * yunbox's HTTP or HTTPS listener unchanged. TLS passes through untouched, so the client checks
 * yunbox's own certificate. Half-closes are forwarded; an error on either side ends both.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A running forwarder. */
export interface Forwarder {
  /** `HOST:PORT` it listens on. */
  address: string;
  /** Stops listening and ends every open connection. */
  close(): Promise<void>;
}

/**
 * Listens on `host:port` and forwards every connection to `target` (`HOST:PORT`).
 *
 * Rejects with the listen error, e.g. `EACCES` for a port below 1024 without privileges or
 * `EADDRINUSE`.
 * @example
 * const f = await startForwarder('127.53.1.2', 80, '127.0.0.1:41234');
 * try { ... } finally { await f.close(); }
 */
export async function startForwarder(
  host: string,
  port: number,
  target: string,
): Promise<Forwarder> {
  const colon = target.lastIndexOf(':');
  const targetHost = target.slice(0, colon);
  const targetPort = Number(target.slice(colon + 1));
  const open = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: targetHost, port: targetPort, allowHalfOpen: true });
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    // Each side closes by itself once both directions have ended (pipe forwards each end); an
    // error or a close on one side ends the other.
    client.on('error', end).on('close', () => {
      open.delete(client);
      upstream.destroy();
    });
    upstream.on('error', end).on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // Past listening, an accept error ends only that connection; never the runner.
      server.on('error', () => undefined);
      resolve();
    });
  });
  return {
    address: `${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
