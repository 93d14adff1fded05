/**
 * @module The metadata service outside sandboxes (`--metadata-listen`), for developers without
 * root. Identity cannot come from the source address there (every program on the host connects
 * from 127.0.0.1), so it comes from the *local* address the connection arrived on: instance number
 * N (its never-reused sequence number) gets its own loopback address `127.77.X.Y`, and yunbox
 * listens on the metadata port at every instance's address. A program reaches "its" metadata by
 * connecting to its instance's address; nothing it sends can change which instance answers.
 *
 * This is identification, not isolation: any local program may connect to any of these addresses.
 * Real isolation (each instance sees only its own 100.100.100.200) needs the sandboxes.
 *
 * Listeners follow the store: a cheap periodic reconcile binds one per existing instance and
 * closes those of released ones, so it works with several nodes (on one host, the first node to
 * bind an address serves it; every node answers the same from the store). Linux routes all of
 * 127.0.0.0/8 to `lo`; other systems need the addresses added (`ifconfig lo0 alias 127.77.0.1`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ListenAddress } from '../../../config/config.js';
import { ListenerLimits } from '../../../kernel/limits.js';
import type { MetadataHandler } from './handler.js';

/** First two octets of the per-instance loopback addresses. */
export const METADATA_LOOPBACK_PREFIX = '127.77';
const PER_BLOCK = 254;

/**
 * The loopback address of instance number `seq` (1-based): `127.77.X.Y`, Y in 1…254.
 * @example
 * loopbackAddress(1); // '127.77.0.1'
 * loopbackAddress(255); // '127.77.1.1'
 */
export function loopbackAddress(seq: number): string {
  const n = seq - 1;
  return `${METADATA_LOOPBACK_PREFIX}.${Math.floor(n / PER_BLOCK)}.${(n % PER_BLOCK) + 1}`;
}

/** The sequence number a loopback address belongs to, or `undefined`. */
export function seqOfLoopbackAddress(address: string): number | undefined {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  const m = /^127\.77\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const x = Number(m[1]);
  const y = Number(m[2]);
  if (x > 255 || y < 1 || y > PER_BLOCK) return undefined;
  return x * PER_BLOCK + y;
}

/** Where instances come from. */
export interface PlainListenerInstances {
  /** Every existing instance's id and sequence number. */
  listSeqs(): Promise<Array<{ instanceId: string; seq: number }>>;
  /** The id of the instance with this sequence number. */
  idBySeq(seq: number): Promise<string | undefined>;
}

/** Options of {@link PlainMetadataListener}. */
export interface PlainListenerOptions {
  listen: ListenAddress;
  handler: MetadataHandler;
  instances: PlainListenerInstances;
  log: Logger;
  /**
   * Time limits and connection caps (kernel/limits.ts), shared with the process's other
   * listeners; default: limits of its own with the default settings.
   */
  limits?: ListenerLimits;
  /** Reconcile period (ms); default 2000. */
  reconcileMs?: number;
  /** Called once when the listener closes. */
  onClose?: () => void;
}

/** Where an instance's metadata is served by the plain listener. */
export interface PlainEndpoint {
  address: string;
  /** `http://127.77.X.Y:PORT`, when listening. */
  url?: string;
  /** Why it is not listening (e.g. the address cannot be bound). */
  error?: string;
}

function listenOn(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

/** The plain metadata listener: a base address plus one listener per instance address. */
export class PlainMetadataListener {
  readonly #opts: PlainListenerOptions;
  readonly #servers = new Map<
    number,
    { server?: Server; url?: string; error?: string; retry?: boolean }
  >();
  #base: Server | undefined;
  readonly #limits: ListenerLimits;
  readonly #ownLimits: boolean;
  #port = 0;
  #timer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(opts: PlainListenerOptions) {
    this.#opts = opts;
    this.#ownLimits = opts.limits === undefined;
    this.#limits = opts.limits ?? new ListenerLimits({}, { log: opts.log });
  }

  /** `http://host:port` of the base listener (it answers 404: it is no instance's address). */
  get endpoint(): string {
    const h = this.#opts.listen.host;
    return `http://${h.includes(':') ? `[${h}]` : h}:${this.#port}`;
  }

  /** True when the base address is a wildcard: it receives every instance's connections itself. */
  get #wildcard(): boolean {
    return ['0.0.0.0', '::', ''].includes(this.#opts.listen.host);
  }

  #serve = (req: Parameters<MetadataHandler>[0], res: Parameters<MetadataHandler>[1]) => {
    void (async () => {
      const seq = seqOfLoopbackAddress(req.socket.localAddress ?? '');
      const id = seq === undefined ? undefined : await this.#opts.instances.idBySeq(seq);
      await this.#opts.handler(req, res, id);
    })().catch((e) => {
      this.#opts.log.error({ err: e }, 'metadata listener failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
      }
    });
  };

  #newServer(): Server {
    // Headers and request timeouts, connection caps: as every listener (kernel/limits.ts).
    return this.#limits.guardHttp(createServer(this.#limits.httpOptions('metadata'), this.#serve), {
      name: 'metadata',
    });
  }

  /** Binds the base address, then every instance's, and starts reconciling. */
  async start(): Promise<void> {
    this.#base = this.#newServer();
    const a = await listenOn(this.#base, this.#opts.listen.host, this.#opts.listen.port);
    this.#port = a.port;
    await this.reconcile();
    this.#timer = setInterval(() => void this.reconcile(), this.#opts.reconcileMs ?? 2_000);
    this.#timer.unref();
  }

  /** Brings the per-instance listeners in line with the store (concurrent calls coalesce). */
  async reconcile(): Promise<void> {
    if (this.#closed) return;
    if (this.#reconciling) {
      this.#again = true;
      return this.#reconciling;
    }
    this.#reconciling = (async () => {
      try {
        do {
          this.#again = false;
          await this.#reconcileOnce();
        } while (this.#again && !this.#closed);
      } catch (e) {
        this.#opts.log.warn({ err: e }, 'metadata listener reconcile failed');
      } finally {
        this.#reconciling = undefined;
      }
    })();
    return this.#reconciling;
  }

  async #reconcileOnce(): Promise<void> {
    const live = new Set((await this.#opts.instances.listSeqs()).map((i) => i.seq));
    for (const [seq, entry] of this.#servers) {
      if (live.has(seq)) continue;
      this.#servers.delete(seq);
      if (entry.server) await closeServer(entry.server);
    }
    for (const seq of live) {
      const known = this.#servers.get(seq);
      // An address another process holds (EADDRINUSE) is tried again: that process may stop.
      if ((known && !known.retry) || this.#closed) continue;
      const address = loopbackAddress(seq);
      if (this.#wildcard) {
        this.#servers.set(seq, { url: `http://${address}:${this.#port}` });
        continue;
      }
      const server = this.#newServer();
      try {
        let a: AddressInfo;
        try {
          a = await listenOn(server, address, this.#port);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.#opts.listen.port !== 0) {
            throw e;
          }
          a = await listenOn(server, address, 0);
        }
        this.#servers.set(seq, { server, url: `http://${address}:${a.port}` });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        const error =
          code === 'EADDRNOTAVAIL'
            ? `cannot bind \`${address}\` (EADDRNOTAVAIL): add it to the loopback interface, e.g. \`sudo ifconfig lo0 alias ${address}\``
            : `cannot bind \`${address}:${this.#port}\` (${code})`;
        if (!known) {
          this.#opts.log.warn(
            { address, code },
            'metadata listener cannot bind an instance address',
          );
        }
        this.#servers.set(seq, { error, retry: code === 'EADDRINUSE' });
      }
    }
  }

  /** Where instance number `seq` is served (after a reconcile, so a new instance is bound). */
  async endpointFor(seq: number): Promise<PlainEndpoint> {
    if (!this.#servers.has(seq)) await this.reconcile();
    const e = this.#servers.get(seq);
    return {
      address: loopbackAddress(seq),
      ...(e?.url !== undefined ? { url: e.url } : {}),
      ...(e?.error !== undefined ? { error: e.error } : {}),
      ...(e === undefined ? { error: 'no such instance' } : {}),
    };
  }

  /** Stops every listener. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#opts.onClose?.();
    if (this.#timer) clearInterval(this.#timer);
    await this.#reconciling;
    const all = [...this.#servers.values()].flatMap((e) => (e.server ? [e.server] : []));
    this.#servers.clear();
    await Promise.all([...all, ...(this.#base ? [this.#base] : [])].map(closeServer));
    if (this.#ownLimits) this.#limits.close();
  }
}
