/**
 * @module Who may reach the routes under `/_yunbox/` (the admin routes and the console) at all,
 * before any of them runs. Everything but `GET /_yunbox/health` (and the public documents named in
 * `openPaths`) is refused (403, `{"error": …}`) when:
 *
 * ```
 * Host            is not a loopback name (localhost, *.localhost, 127.0.0.0/8, [::1]), a listen
 *                 address (any address of this machine when listening on all interfaces) or a
 *                 --public-host name: a page on another name that resolves here (DNS rebinding)
 * Sec-Fetch-Site  says the request comes from another site or origin (a page the developer
 *                 visits); top-level navigations to the console's page are let through
 * Origin          is present and not this very origin, scheme included (`null` too)
 * Content-Type    of a POST, PUT or PATCH is not application/json: an HTML form or a "simple"
 *                 cross-site fetch can only send text/plain, urlencoded or multipart
 * ```
 *
 * State changes behind these routes are authenticated on top (the clock moved to the signed Yunbox
 * API; sign-in checks an AccessKey pair): this guard is what keeps a browser from being used
 * against a server it can reach.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { TLSSocket } from 'node:tls';

/** What the guard knows of this server. */
export interface AdminGuardOptions {
  /** Hosts the gateway listens on (`--listen`, `--tls-listen`): names or addresses. */
  listenHosts: readonly string[];
  /** Names the server is reached by besides those (`--public-host`). */
  publicHosts: readonly string[];
  /** This machine's addresses, for a listener on every interface (default: os.networkInterfaces). */
  interfaceAddresses?: () => readonly string[];
  /** More paths whose `GET` is open to anyone, like {@link OPEN_PATH}: public documents only. */
  openPaths?: readonly string[];
}

/** The one path served to anyone: load balancers and scripts poll it. */
export const OPEN_PATH = '/_yunbox/health';

/** How long this machine's interface addresses are kept before they are read again. */
const INTERFACES_TTL_MS = 5000;
/** Most characters of a refused Host echoed back in the error. */
const ECHO_MAX = 64;

/** Lower-cases a host and drops IPv6 brackets and one trailing dot. */
function bare(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

/** True for a wildcard listen host (every interface). */
export function isWildcardHost(host: string): boolean {
  const h = bare(host);
  return h === '' || h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0';
}

/**
 * True when `host` (bare or bracketed, without port) names this machine's loopback.
 * @example
 * isLoopbackHost('localhost') // true
 * isLoopbackHost('[::1]') // true
 * isLoopbackHost('10.0.0.1') // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = bare(host);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && isIP(mapped[1]!) === 4 && mapped[1]!.startsWith('127.');
  }
  return false;
}

/** The host of a Host header (without port), or undefined when it is not one. */
function hostPart(header: string): string | undefined {
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    return end === -1 ? undefined : header.slice(0, end + 1);
  }
  const colon = header.indexOf(':');
  return colon === -1 ? header : header.slice(0, colon);
}

function machineAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) =>
    (list ?? []).map((a) => bare(a.address)),
  );
}

function echo(value: string): string {
  return value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}…` : value;
}

/** The media type of a Content-Type header, lower-case, without parameters. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** True when `origin` is `scheme://host` (default ports and case normalised as URLs do). */
function sameOrigin(origin: string, scheme: string, hostHeader: string): boolean {
  try {
    const o = new URL(origin);
    const self = new URL(`${scheme}//${hostHeader}`);
    return o.protocol === scheme && o.host === self.host && o.pathname === '/';
  } catch {
    return false;
  }
}

/**
 * Builds the guard: for a request under `/_yunbox/`, `undefined` when it may proceed, else why
 * it is refused (one line, for `{"error": …}` with 403).
 * @example
 * const guard = adminGuard({ listenHosts: ['127.0.0.1'], publicHosts: [] });
 * guard(req) // 'host `evil.example` is not a name of this server: …'
 */
export function adminGuard(o: AdminGuardOptions): (req: IncomingMessage) => string | undefined {
  const names = new Set(
    [...o.listenHosts, ...o.publicHosts].filter((h) => !isWildcardHost(h)).map(bare),
  );
  const everyInterface = o.listenHosts.some(isWildcardHost);
  const open = new Set(o.openPaths ?? []);
  const readInterfaces = o.interfaceAddresses ?? machineAddresses;
  let interfaces: { at: number; set: Set<string> } | undefined;
  const isMachineAddress = (h: string): boolean => {
    const now = Date.now();
    if (!interfaces || now - interfaces.at > INTERFACES_TTL_MS) {
      interfaces = { at: now, set: new Set(readInterfaces().map(bare)) };
    }
    return interfaces.set.has(h);
  };

  return (req) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (method === 'GET' && (path === OPEN_PATH || open.has(path))) return undefined;

    // DNS rebinding: a page on evil.example whose name now resolves to this server.
    const hostHeader = req.headers.host ?? '';
    const host = hostPart(hostHeader);
    if (host === undefined || host === '') {
      return 'a Host header naming this server is required';
    }
    const h = bare(host);
    if (!isLoopbackHost(h) && !names.has(h) && !(everyInterface && isMachineAddress(h))) {
      return `host \`${echo(host)}\` is not a name of this server: admin routes answer loopback names, the listen address and --public-host names`;
    }

    // Browsers say where a request comes from; a page on another site or origin is refused,
    // except a link followed to the console's page (a navigation changes nothing).
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      const navigation =
        method === 'GET' &&
        req.headers['sec-fetch-mode'] === 'navigate' &&
        req.headers['sec-fetch-dest'] === 'document' &&
        path.startsWith('/_yunbox/console');
      if (!navigation) {
        return `requests from another site or origin are refused here (Sec-Fetch-Site \`${echo(String(site))}\`)`;
      }
    }

    const origin = req.headers.origin;
    if (origin !== undefined) {
      const scheme = (req.socket as TLSSocket).encrypted ? 'https:' : 'http:';
      if (!sameOrigin(origin, scheme, hostHeader)) {
        return `origin \`${echo(origin)}\` is not this server's: requests from other origins are refused here`;
      }
    }

    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      if (mediaType(req.headers['content-type']) !== 'application/json') {
        return 'send the request body as `application/json`';
      }
    }
    return undefined;
  };
}
