/**
 * @module The HTTP front door. Every listener (HTTP, HTTPS) runs the same gateway:
 *
 * ```
 * route     this file                 /_yunbox/* admin (not on a bucket's host) | a browser's
 *                                     GET / (to the console) and /favicon.ico | OSS | RPC
 * pipeline  kernel/rpc-pipeline.ts    read -> route -> authn -> parse -> authz+handler -> serialise
 *           (OSS: services/oss)       the OSS pipeline, streaming bodies
 * finalise  this file                 request-id headers, one access-log line, no secrets
 * ```
 *
 * Plain node:http with composed stages: Alibaba's routing is not path-based and object bodies
 * must stream, so a framework's router and body parsing would sit idle (STYLE §2).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { accessLogger } from './access-log.js';
import { hostWithoutPort, parseOssTarget } from '../auth/oss-request.js';
import type { Clock } from './clock.js';
import { OPEN_PATH } from './admin-guard.js';
import { requestId as newRequestId } from './ids.js';
import { rpcPipeline, type RpcCtx, type RpcDeps } from './rpc-pipeline.js';

/** Handles `/_yunbox/*` requests; answers false when the path is not its own. */
export type AdminHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
) => Promise<boolean>;

/** Another protocol mounted on the gateway (OSS): claims requests it recognises. */
export interface MountedProtocol {
  name: string;
  /** True when this request is for this protocol. */
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse, base: BaseRequest): Promise<void>;
}

/** Facts of every request, set before routing. */
export interface BaseRequest {
  requestId: string;
  now: number;
  log: Logger;
  /**
   * The access line's logger, shared by all requests ({@link accessLogger}): the line carries the
   * request id as a field.
   */
  accessLog: Logger;
  sourceIp: string;
  /** VPC the request comes from (`acs:SourceVpc`), when a listener knows it (instance sandboxes). */
  sourceVpc?: string;
  secure: boolean;
  host: string;
}

/** Where a request comes from, as the listener that accepted it knows (instance sandboxes). */
export interface RequestOrigin {
  /** Source address to use instead of the socket's (the instance's private IP). */
  sourceIp: string;
  sourceVpc?: string;
  instanceId?: string;
}

// Set only by listeners, from what they know of the connection; never from anything on the wire.
const origins = new WeakMap<IncomingMessage, RequestOrigin>();

/** Marks `req` as coming from `origin`; for listeners, before they call the gateway. */
export function setRequestOrigin(req: IncomingMessage, origin: RequestOrigin): void {
  origins.set(req, origin);
}

/** The origin a listener set for `req`, if any. */
export function requestOrigin(req: IncomingMessage): RequestOrigin | undefined {
  return origins.get(req);
}

/** Gateway dependencies. */
export interface GatewayDeps extends RpcDeps {
  log: Logger;
  clock: Clock;
  admin: AdminHandler;
  protocols?: MountedProtocol[];
  /**
   * Back-pressure from a writer behind the requests (the audit trail's buffer): `undefined` when
   * there is room, else a promise to await before serving (bounded by its writer).
   */
  room?: () => Promise<unknown> | undefined;
}

/** The origin's source address if a listener set one, else the normalised peer address. */
export function peerAddress(req: IncomingMessage): string {
  const origin = origins.get(req);
  if (origin) return origin.sourceIp;
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Host header without the port. */
export function hostOf(req: IncomingMessage): string {
  const h = req.headers.host ?? '';
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return (i === -1 ? h : h.slice(0, i)).toLowerCase();
}

// `<bucket>.oss-<region>[-internal].aliyuncs.com` (and ali-oss's `.oss-…` for ListBuckets).
const OSS_BUCKET_HOST = /\.(?:vpc100-)?oss-[a-z0-9-]+\.aliyuncs\.com$/;

/**
 * True when the Host header addresses a bucket (virtual-host style on an OSS endpoint name or
 * `<bucket>.localhost`): the path is then an object key, so `/_yunbox/…` is an object, not ours.
 * Other names with a dot (a DNS name the gateway is reached by) keep reaching the admin routes.
 * @example
 * addressedToBucket('ramroletest.oss-cn-hangzhou.aliyuncs.com') // true
 * addressedToBucket('127.0.0.1:9910') // false
 */
export function addressedToBucket(hostHeader: string | undefined): boolean {
  const host = hostWithoutPort(hostHeader ?? '');
  if (!OSS_BUCKET_HOST.test(host) && !host.endsWith('.localhost')) return false;
  const target = parseOssTarget(host, '/');
  return !target.ok || target.value.addressing === 'virtual-host';
}

/** Where a browser that opens the gateway's root is sent. */
export const CONSOLE_PATH = '/_yunbox/console/';

// A 16×16 icon: yunbox's cloud, white on the console's blue (SVG, which browsers take as favicon).
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6feb"/>' +
  '<path d="M4.5 11.5h7a2.5 2.5 0 0 0 .3-5A3.5 3.5 0 0 0 5 6.6a2.5 2.5 0 0 0-.5 4.9z" fill="#fff"/></svg>';

/**
 * What the gateway answers itself for a browser, before OSS and RPC see the request: a page
 * load of `/` (GET, `Accept: text/html`, unsigned, no query) goes to the console, and
 * `/favicon.ico` is an icon (as a path-style OSS request it would name the bucket `favicon.ico`,
 * which no bucket can be). Requests addressed to a bucket's host are OSS's.
 */
function browserRequest(req: IncomingMessage): ((res: ServerResponse) => void) | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  if (addressedToBucket(req.headers.host)) return undefined;
  const url = req.url ?? '';
  if (url === '/favicon.ico') {
    return (res) => {
      res.writeHead(200, {
        'content-type': 'image/svg+xml',
        'content-length': Buffer.byteLength(FAVICON),
        'cache-control': 'public, max-age=86400',
      });
      res.end(req.method === 'HEAD' ? undefined : FAVICON);
    };
  }
  if (
    url === '/' &&
    req.headers.authorization === undefined &&
    (req.headers.accept ?? '').includes('text/html')
  ) {
    return (res) => {
      res.writeHead(302, { location: CONSOLE_PATH, 'content-length': 0 });
      res.end();
    };
  }
  return undefined;
}

/** Builds the request listener shared by all gateway listeners. */
export function createGateway(
  deps: GatewayDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const rpc = rpcPipeline(deps);
  const protocols = deps.protocols ?? [];
  const accessLog = accessLogger(deps.log);
  return (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    const log = deps.log.child({ rid: requestId });
    const base: BaseRequest = {
      requestId,
      now: deps.clock.now(),
      log,
      accessLog,
      sourceIp: peerAddress(req),
      ...(origins.get(req)?.sourceVpc !== undefined
        ? { sourceVpc: origins.get(req)!.sourceVpc }
        : {}),
      secure: Boolean((req.socket as TLSSocket).encrypted),
      host: hostOf(req),
    };
    const access = (
      proto: string,
      extra: Record<string, unknown>,
      level: 'info' | 'debug' = 'info',
    ) => {
      res.once('finish', () => {
        accessLog[level](
          {
            rid: requestId,
            proto,
            method: req.method,
            status: res.statusCode,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            src: base.sourceIp,
            ...extra,
          },
          'request',
        );
      });
    };
    void (async () => {
      try {
        const wait = deps.room?.();
        if (wait !== undefined) await wait;
        const url = req.url ?? '';
        if (url.startsWith('/_yunbox/') && !addressedToBucket(req.headers.host)) {
          const path = url.split('?')[0];
          // Health checks come every few seconds from supervisors: kept out of `info`.
          access('admin', { path }, path === OPEN_PATH ? 'debug' : 'info');
          if (await deps.admin(req, res, requestId)) return;
        }
        const browser = browserRequest(req);
        if (browser) {
          access('admin', { path: url.split('?')[0] }, 'debug');
          browser(res);
          return;
        }
        const mounted = protocols.find((p) => p.matches(req));
        if (mounted) {
          await mounted.handle(req, res, base);
          return;
        }
        const ctx: RpcCtx = { ...base, req, format: 'JSON', hostId: base.host || 'localhost' };
        await rpc(ctx);
        access('rpc', {
          action: ctx.action,
          version: ctx.version,
          ...(ctx.errorCode ? { code: ctx.errorCode } : {}),
        });
        const enc = ctx.encoded!;
        res.writeHead(enc.status, {
          ...enc.headers,
          'x-acs-request-id': requestId,
          'content-length': Buffer.byteLength(enc.body),
        });
        res.end(enc.body);
      } catch (e) {
        log.error({ err: e }, 'unhandled gateway error');
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json;charset=utf-8' });
          res.end(
            JSON.stringify({
              RequestId: requestId,
              Code: 'InternalError',
              Message: 'internal error',
            }),
          );
        } else res.destroy();
      }
    })();
  };
}
