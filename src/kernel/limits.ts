/**
 * @module Time limits and connection caps of every listener: the gateway (HTTP, HTTPS), the plain
 * metadata listener, and each sandbox's metadata, gateway and DNS-over-TCP sockets. One
 * {@link ListenerLimits} per yunbox process holds them all:
 *
 * ```
 * accept      caps      over every listener at most `maxConnections` open, from one source at most
 *                       `maxConnectionsPerSource` (a sandbox is one source); more are closed at once
 * handshake   node:tls  `handshakeTimeout` = headers timeout (HTTPS)
 * head        node:http `headersTimeout`: the whole request head within the headers timeout
 * body        sweep     whole bodies (RPC, admin, small OSS documents) within the request timeout;
 *                       streams (object uploads) never idle for the body idle timeout; the reader
 *                       (kernel/body.ts) fails with BodyTimeout, the service answers in its own
 *                       format, and the connection is closed after the answer
 * response    sweep     a response the client stops reading for the body idle timeout is dropped
 * keep-alive  node:http `keepAliveTimeout` between requests (65 s gateway, 5 s metadata)
 * ```
 *
 * Caps hold descriptors, not bandwidth: at most half of the process's descriptor limit goes to
 * connections (the rest serve the database, object files and the uploads' own temporary files),
 * so a flood of connections cannot exhaust descriptors (EMFILE), and one source holds at most
 * half of the connections, so one client cannot lock out another (or `/_yunbox/health`).
 * An accept that fails anyway (EMFILE) is logged, never fatal: Node keeps accepting.
 *
 * Timers are one sweep for the whole process (every 100 ms to 1 s, a quarter of the shortest
 * timeout), which looks at requests whose body or response is still moving; nothing is added to
 * a request that is answered at once beyond a set entry.
 */
import { readFileSync } from 'node:fs';
import type {
  IncomingMessage,
  Server as HttpServer,
  ServerOptions,
  ServerResponse,
} from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import type { Logger } from 'pino';
import { BodyTimeout, bodyReader } from './body.js';

/** The configurable limits (milliseconds and counts). */
export interface LimitSettings {
  /** Time to receive a whole request head, and to finish a TLS handshake. */
  headersTimeoutMs: number;
  /** Time to receive the whole body of a request read at once (RPC, admin, small OSS bodies). */
  requestTimeoutMs: number;
  /** Longest time a streaming body, or a response being written, may move no byte. */
  bodyIdleTimeoutMs: number;
  /** Connections open at once over every listener (before the descriptor bound). */
  maxConnections: number;
  /** Connections open at once from one source (before the half-of-the-total bound). */
  maxConnectionsPerSource: number;
}

/** Defaults: generous for SDKs over slow links and the test suite's parallel calls. */
export const DEFAULT_LIMITS: Readonly<LimitSettings> = Object.freeze({
  headersTimeoutMs: 30_000,
  requestTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 30_000,
  maxConnections: 4096,
  maxConnectionsPerSource: 1024,
});

/** Keep-alive idle time of the gateway (longer than the SDKs' agents keep sockets). */
export const GATEWAY_KEEP_ALIVE_MS = 65_000;
/** Keep-alive idle time of metadata listeners (clients make one or two calls). */
export const METADATA_KEEP_ALIVE_MS = 5_000;
/** A timed-out request whose answer has not closed the connection after this is cut off. */
const ANSWER_GRACE_MS = 2_000;
/** At most one "connection refused" warning per source in this period. */
const WARN_EVERY_MS = 10_000;

/**
 * The soft limit on open descriptors of this process (`ulimit -n`; Node raises it to the hard
 * limit at start), or `undefined` where it cannot be read (not Linux).
 */
export function descriptorLimit(): number | undefined {
  try {
    const text = readFileSync('/proc/self/limits', 'utf8');
    const line = text.split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The caps in force: `maxConnections` bounded by half the descriptor limit, `perSource` by half
 * of that (each at least 1).
 * @example
 * effectiveCaps({ maxConnections: 4096, maxConnectionsPerSource: 1024 }, 200);
 * // { maxConnections: 100, maxConnectionsPerSource: 50 }
 */
export function effectiveCaps(
  settings: Pick<LimitSettings, 'maxConnections' | 'maxConnectionsPerSource'>,
  fdLimit: number | undefined,
): { maxConnections: number; maxConnectionsPerSource: number } {
  const byFds = fdLimit === undefined ? Infinity : Math.floor(fdLimit / 2);
  const maxConnections = Math.max(1, Math.min(settings.maxConnections, byFds));
  const maxConnectionsPerSource = Math.max(
    1,
    Math.min(settings.maxConnectionsPerSource, Math.floor(maxConnections / 2)),
  );
  return { maxConnections, maxConnectionsPerSource };
}

/** How a guarded listener counts its connections. */
export interface GuardOptions {
  /** For logs: `gateway`, `gateway-tls`, `metadata`, `sandbox-dns`… */
  name: string;
  /**
   * Source key of every connection this listener accepts (a sandbox's id: everything inside one
   * namespace is one instance); default the peer address.
   */
  source?: string;
}

/** What the limits did, for logs and tests. */
export interface LimitStats {
  open: number;
  refused: number;
  timedOut: number;
  stalledResponses: number;
  acceptErrors: number;
}

interface Watched {
  req: IncomingMessage;
  res: ServerResponse;
  socket: Socket;
  /** When the head was complete (the request listener ran). */
  started: number;
  /** Idle-limited once a stream reader took the body (stays so after it lets go). */
  streaming: boolean;
  lastRead: number;
  readAt: number;
  lastWritten: number;
  lastPending: number;
  writtenAt: number;
  responded: boolean;
  /** Set once timed out: the connection is cut off if still open then. */
  killAt?: number;
}

function normaliseAddress(a: string | undefined): string {
  if (a === undefined) return 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/**
 * The source a connection from `address` counts against: an IPv4 address as it is, an IPv6 one
 * by its /64 (one host, or one customer of a provider, usually holds a whole /64, so per-address
 * counting would not cap it).
 * @example
 * sourceOf('::ffff:10.0.0.7'); // '10.0.0.7'
 * sourceOf('2001:db8:0:1::42'); // '2001:db8:0:1::/64'
 */
export function sourceOf(address: string | undefined): string {
  const a = normaliseAddress(address).split('%')[0]!;
  if (!a.includes(':')) return a;
  const halves = a.split('::');
  const groups = (part: string | undefined) =>
    part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [];
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const all =
    halves.length === 1
      ? head
      : [...head, ...Array<string>(Math.max(0, 8 - head.length - tail.length)).fill('0'), ...tail];
  return `${all
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/** The limits of one yunbox process, shared by all of its listeners. */
export class ListenerLimits {
  /** The configured limits. */
  readonly settings: Readonly<LimitSettings>;
  /** Connection caps in force (after the descriptor bound). */
  readonly caps: { readonly maxConnections: number; readonly maxConnectionsPerSource: number };
  /** The descriptor limit the caps were derived from, when known. */
  readonly fdLimit: number | undefined;
  readonly #log: Logger | undefined;
  readonly #bySource = new Map<string, number>();
  readonly #warned = new Map<string, number>();
  readonly #watched = new Set<Watched>();
  readonly #stats: LimitStats = {
    open: 0,
    refused: 0,
    timedOut: 0,
    stalledResponses: 0,
    acceptErrors: 0,
  };
  readonly #sweepMs: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    settings: Partial<LimitSettings> = {},
    options: { log?: Logger; fdLimit?: number | null } = {},
  ) {
    this.settings = Object.freeze({ ...DEFAULT_LIMITS, ...settings });
    this.fdLimit = options.fdLimit === null ? undefined : (options.fdLimit ?? descriptorLimit());
    this.caps = Object.freeze(effectiveCaps(this.settings, this.fdLimit));
    this.#log = options.log;
    const shortest = Math.min(
      this.settings.headersTimeoutMs,
      this.settings.requestTimeoutMs,
      this.settings.bodyIdleTimeoutMs,
    );
    this.#sweepMs = Math.min(1000, Math.max(100, Math.floor(shortest / 4)));
  }

  /** Counters since start. */
  stats(): LimitStats {
    return { ...this.#stats };
  }

  /**
   * Options for `http.createServer` / `https.createServer`: the headers timeout (checked as often
   * as the sweep runs), keep-alive, no whole-request timeout of Node's own (object uploads may
   * take long; bodies are limited by the sweep instead).
   */
  httpOptions(kind: 'gateway' | 'metadata'): ServerOptions {
    return {
      headersTimeout: Math.round(this.settings.headersTimeoutMs),
      requestTimeout: 0,
      keepAliveTimeout: kind === 'gateway' ? GATEWAY_KEEP_ALIVE_MS : METADATA_KEEP_ALIVE_MS,
      connectionsCheckingInterval: this.#sweepMs,
    };
  }

  /** Options for `https.createServer` / `tls.createServer`: the handshake timeout. */
  tlsOptions(): { handshakeTimeout: number } {
    return { handshakeTimeout: Math.round(this.settings.headersTimeoutMs) };
  }

  /**
   * Guards an HTTP(S) server made with {@link httpOptions}: connection caps, body and response
   * timeouts, accept errors logged instead of thrown. Call before it listens.
   */
  guardHttp<S extends HttpServer>(server: S, options: GuardOptions): S {
    this.guardTcp(server, options);
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
      this.#watch(req, res),
    );
    return server;
  }

  /**
   * Guards a plain TCP server (and the TCP side of HTTP ones): connection caps and accept errors.
   * Timeouts of its own protocol stay with its owner (e.g. DNS over TCP).
   */
  guardTcp<S extends NetServer>(server: S, options: GuardOptions): S {
    server.prependListener('connection', (socket: Socket) => this.#admit(socket, options));
    server.on('error', (e: NodeJS.ErrnoException) => {
      // Before listening, errors are the owner's (EADDRINUSE…). After, they come from accept
      // (EMFILE, ENFILE…): with this listener they are not fatal, and Node goes on accepting.
      if (!server.listening) return;
      this.#stats.acceptErrors++;
      this.#warn(
        `accept:${options.name}`,
        { listener: options.name, code: e.code },
        'accept failed',
      );
    });
    return server;
  }

  /** Stops the sweep (connections already open keep their own Node timeouts). */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#watched.clear();
  }

  #admit(socket: Socket, options: GuardOptions): void {
    const source = options.source ?? sourceOf(socket.remoteAddress);
    const held = this.#bySource.get(source) ?? 0;
    if (this.#stats.open >= this.caps.maxConnections || held >= this.caps.maxConnectionsPerSource) {
      this.#stats.refused++;
      socket.destroy();
      const total = this.#stats.open >= this.caps.maxConnections;
      this.#warn(
        `cap:${total ? '*' : source}`,
        {
          listener: options.name,
          source,
          open: this.#stats.open,
          fromSource: held,
          cap: total ? this.caps.maxConnections : this.caps.maxConnectionsPerSource,
        },
        total
          ? 'connection refused: too many connections (--max-connections)'
          : 'connection refused: too many connections from one source (--max-connections-per-source)',
      );
      return;
    }
    this.#stats.open++;
    this.#bySource.set(source, held + 1);
    socket.once('close', () => {
      this.#stats.open--;
      const n = (this.#bySource.get(source) ?? 1) - 1;
      if (n <= 0) this.#bySource.delete(source);
      else this.#bySource.set(source, n);
    });
  }

  #watch(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closed) return;
    const socket = req.socket;
    const now = Date.now();
    const w: Watched = {
      req,
      res,
      socket,
      started: now,
      streaming: false,
      lastRead: socket.bytesRead,
      readAt: now,
      lastWritten: socket.bytesWritten,
      lastPending: 0,
      writtenAt: now,
      responded: false,
    };
    this.#watched.add(w);
    res.once('close', () => {
      w.responded = true;
      if (req.complete || socket.destroyed) this.#watched.delete(w);
    });
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#sweep(), this.#sweepMs);
      this.#timer.unref();
    }
  }

  #sweep(): void {
    const now = Date.now();
    const { requestTimeoutMs, bodyIdleTimeoutMs } = this.settings;
    for (const w of this.#watched) {
      const { req, res, socket } = w;
      if (socket.destroyed || (w.responded && req.complete)) {
        this.#watched.delete(w);
        continue;
      }
      if (w.killAt !== undefined) {
        if (now >= w.killAt) {
          socket.destroy();
          this.#watched.delete(w);
        }
        continue;
      }
      if (!req.complete) {
        const reader = bodyReader(req);
        if (reader?.mode === 'stream' && !w.streaming) {
          w.streaming = true;
          w.readAt = now;
        }
        // A byte arrived, or bytes wait for the reader (the stall is ours, not the client's).
        const read = socket.bytesRead;
        if (read !== w.lastRead || req.readableLength > 0) {
          w.lastRead = read;
          w.readAt = now;
        }
        const expired = w.streaming
          ? now - w.readAt >= bodyIdleTimeoutMs
          : now - w.started >= requestTimeoutMs;
        if (expired) {
          this.#timeOut(w, reader, w.streaming ? 'stream' : 'whole');
          continue;
        }
      }
      if (res.headersSent && !res.writableFinished) {
        // The client stopped reading the answer: bytes queued, none leaving.
        const written = socket.bytesWritten;
        const pending = socket.writableLength;
        if (written !== w.lastWritten || pending !== w.lastPending || pending === 0) {
          w.lastWritten = written;
          w.lastPending = pending;
          w.writtenAt = now;
        } else if (now - w.writtenAt >= bodyIdleTimeoutMs) {
          this.#stats.stalledResponses++;
          this.#log?.debug({ src: normaliseAddress(socket.remoteAddress) }, 'response stalled');
          socket.destroy();
          this.#watched.delete(w);
        }
      }
    }
  }

  #timeOut(w: Watched, reader: ReturnType<typeof bodyReader>, kind: 'whole' | 'stream'): void {
    this.#stats.timedOut++;
    const ms = kind === 'stream' ? this.settings.bodyIdleTimeoutMs : this.settings.requestTimeoutMs;
    this.#log?.debug(
      { src: normaliseAddress(w.socket.remoteAddress), kind, reader: reader?.mode },
      'request body timed out',
    );
    if (!reader || w.responded || w.res.headersSent) {
      // Nobody reads the body (or the answer is out): nothing to say, the connection goes.
      w.socket.destroy();
      this.#watched.delete(w);
      return;
    }
    // The reader fails, the service answers in its format, and the connection closes after it.
    w.res.setHeader('connection', 'close');
    w.killAt = Date.now() + ANSWER_GRACE_MS;
    reader.fail(new BodyTimeout(kind, ms / 1000));
  }

  #warn(key: string, fields: Record<string, unknown>, msg: string): void {
    if (!this.#log) return;
    const now = Date.now();
    const last = this.#warned.get(key);
    if (last !== undefined && now - last < WARN_EVERY_MS) return;
    if (this.#warned.size > 1024) this.#warned.clear();
    this.#warned.set(key, now);
    this.#log.warn(fields, msg);
  }
}
