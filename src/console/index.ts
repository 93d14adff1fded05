/**
 * @module The console (yunbox's OpenAPI Explorer) at `/_yunbox/console/` on the gateway: the page
 * (`web/`, bundled into `dist/console/`), its sign-in (`session.ts`) and the API catalogue its
 * forms are generated from (`catalogue.ts`). The page then calls the real APIs from the browser,
 * signed there with temporary credentials, so every call goes through the same authentication,
 * authorisation and audit trail as an SDK's. Bucket names cannot contain `_`, so no path-style
 * OSS request can reach this prefix, and the gateway keeps bucket virtual hosts away from it.
 * The gateway's admin guard (`kernel/admin-guard.ts`) runs first: this server's names only,
 * same-origin browsers only, JSON bodies only. Sign-in attempts are limited per source
 * (`sign-in-limit.ts`) and each is recorded in the audit trail (`sign-in-trail.ts`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CredentialResolver } from '../auth/credentials.js';
import type { StsKey } from '../auth/sts-token.js';
import { BodyTooLarge, readBody } from '../kernel/body.js';
import { peerAddress, type AdminHandler } from '../kernel/gateway.js';
import type { RpcDeps } from '../kernel/rpc-pipeline.js';
import type { RpcProduct } from '../protocol/rpc-operation.js';
import { ASSET_TYPES, assetLoader, defaultAssetsDir } from './assets.js';
import { buildCatalogue } from './catalogue.js';
import { signIn, type ConsoleReply, type SignInOutcome } from './session.js';
import { SignInLimiter, type SignInLimitOptions } from './sign-in-limit.js';
import { recordSignIn } from './sign-in-trail.js';

/** Where the console is served. */
export const CONSOLE_PATH = '/_yunbox/console/';

/** What the console needs from the server. */
export interface ConsoleDeps {
  products: readonly RpcProduct[];
  resolver: CredentialResolver;
  stsKey(now: number): Promise<StsKey>;
  /** yunbox's clock (the trail's event times). */
  now(): number;
  /** The host's real clock (sessions live on it). */
  real(): number;
  region: string;
  /** Folder of the built page (default: the package's `dist/console`). */
  assetsDir?: string;
  /** The audit trail, told of every sign-in attempt (absent: not recorded). */
  trail?: RpcDeps['trail'];
  /** Sign-in attempts allowed per source (default 10 a minute, bursts of 10). */
  signInLimit?: SignInLimitOptions;
  /** Where sign-in outcomes are logged (never a secret). */
  log?: Logger;
}

/**
 * Headers of every console answer: a strict Content-Security-Policy (scripts, styles and
 * connections from this origin only, no inline script, no framing), no sniffing, no referrer (a
 * presigned link must not leak through one).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: string | Buffer,
  head = false,
) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    ...headers,
    'content-length': Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}

function json(res: ServerResponse, reply: ConsoleReply, requestId: string) {
  send(
    res,
    reply.status,
    {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-yunbox-request-id': requestId,
    },
    JSON.stringify({ ...reply.body, RequestId: requestId }),
  );
}

const error = (status: number, code: string, message: string): ConsoleReply => ({
  status,
  body: { Code: code, Message: message },
});

/**
 * The console's handler for the gateway's admin stage: answers everything under
 * `/_yunbox/console`, and false for other paths.
 * @example
 * const admin = firstAdmin(createConsole({ products, resolver, stsKey, now, real, region }), core);
 */
export function createConsole(deps: ConsoleDeps): AdminHandler {
  const asset = assetLoader(deps.assetsDir ?? defaultAssetsDir());
  let catalogue: string | undefined;
  const limiter = new SignInLimiter(deps.signInLimit);

  /** `POST /_yunbox/console/session`: limited per source, each attempt in the trail. */
  const session = async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const now = deps.now();
    const source = peerAddress(req);
    const record = (
      o: Pick<SignInOutcome, 'presentedKeyId' | 'principal'>,
      reply: ConsoleReply,
    ) => {
      const failed = reply.status >= 400;
      if (deps.trail) {
        recordSignIn(
          deps.trail,
          {
            req,
            requestId,
            now,
            presentedKeyId: o.presentedKeyId,
            ...(o.principal ? { principal: o.principal } : {}),
            ...(failed
              ? {
                  error: {
                    status: reply.status,
                    code: String(reply.body.Code),
                    message: String(reply.body.Message),
                  },
                }
              : {}),
          },
          deps.log,
        );
      }
      deps.log?.info(
        { src: source, outcome: failed ? String(reply.body.Code) : 'ok', rid: requestId },
        'console sign-in',
      );
    };
    const allowance = limiter.take(source);
    if (!allowance.ok) {
      const reply = error(
        429,
        'Throttling.User',
        `too many sign-in attempts from this address: try again in ${allowance.retryAfterSeconds} s`,
      );
      // One event per run of refusals, not one per request: the trail must not grow at the rate
      // of whoever hammers the sign-in.
      if (allowance.first) record({ presentedKeyId: '' }, reply);
      res.setHeader('retry-after', String(allowance.retryAfterSeconds));
      res.setHeader('connection', 'close');
      json(res, reply, requestId);
      return;
    }
    const ctype = String(req.headers['content-type'] ?? '').toLowerCase();
    if (!ctype.startsWith('application/json')) {
      req.resume();
      const reply = error(
        415,
        'UnsupportedMediaType',
        'send the AccessKey pair as `application/json`',
      );
      record({ presentedKeyId: '' }, reply);
      json(res, reply, requestId);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 4096)).toString('utf8'));
    } catch (e) {
      const reply =
        e instanceof BodyTooLarge
          ? error(413, 'RequestTooLarge', 'request body too large')
          : error(400, 'InvalidJson', 'request body is not valid JSON');
      record({ presentedKeyId: '' }, reply);
      json(res, reply, requestId);
      return;
    }
    const outcome = await signIn(deps, body);
    record(outcome, outcome.reply);
    json(res, outcome.reply, requestId);
  };
  return async (req: IncomingMessage, res: ServerResponse, requestId: string) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== '/_yunbox/console' && !path.startsWith(CONSOLE_PATH)) return false;
    const method = req.method ?? 'GET';
    const rest = path.slice(CONSOLE_PATH.length);
    if (path === '/_yunbox/console') {
      send(res, 301, { location: CONSOLE_PATH, 'cache-control': 'no-cache' }, '');
      return true;
    }
    if (rest === 'session') {
      if (method === 'DELETE') {
        // Credentials live in the page only; signing out drops them there.
        json(res, { status: 200, body: {} }, requestId);
        return true;
      }
      if (method !== 'POST') {
        json(
          res,
          error(405, 'MethodNotAllowed', `method \`${method}\` not allowed here`),
          requestId,
        );
        return true;
      }
      await session(req, res, requestId);
      return true;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      json(res, error(405, 'MethodNotAllowed', `method \`${method}\` not allowed here`), requestId);
      return true;
    }
    if (rest === 'api/catalogue') {
      catalogue ??= JSON.stringify(buildCatalogue(deps.products, deps.region));
      send(
        res,
        200,
        { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
        catalogue,
        method === 'HEAD',
      );
      return true;
    }
    const name = rest === '' ? 'index.html' : rest;
    const file = asset(name);
    if (!file) {
      if (ASSET_TYPES[name] !== undefined) {
        json(
          res,
          error(503, 'ConsoleNotBuilt', 'the console is not built: run `npm run build`'),
          requestId,
        );
      } else {
        json(res, error(404, 'NotFound', `no such console file \`${name}\``), requestId);
      }
      return true;
    }
    const headers = { 'content-type': file.type, 'cache-control': 'no-cache', etag: file.etag };
    if (req.headers['if-none-match'] === file.etag) {
      send(res, 304, headers, '', true);
      return true;
    }
    send(res, 200, headers, file.body, method === 'HEAD');
    return true;
  };
}
