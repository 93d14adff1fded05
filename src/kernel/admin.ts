/**
 * @module yunbox's own endpoints under `/_yunbox/` (a prefix no bucket or RPC call can take):
 * health and a read of the clock, behind the guard of `admin-guard.ts` ({@link guardAdmin}).
 * Nothing here changes state: the clock moves through the signed Yunbox API (`AdvanceClock`,
 * `SetClock`), and the console's sign-in checks an AccessKey pair. Answers JSON; errors use our
 * own message style.
 *
 * ```
 * GET    /_yunbox/health           open to anyone (not guarded)
 * GET    /_yunbox/clock            the time and mode, read by the console and the CLI to sign with
 * POST   /_yunbox/clock            410: moved to the signed API (`yunbox clock`, AdvanceClock)
 * GET    /_yunbox/console/…        the console's page and catalogue (src/console)
 * POST   /_yunbox/console/session  sign-in with an AccessKey pair (rate-limited, in the trail)
 * DELETE /_yunbox/console/session  sign-out (the page drops its credentials; nothing stored)
 * ```
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, readBody } from './body.js';
import { isoSeconds, type Clock } from './clock.js';

/** A route of the admin API. */
export interface AdminRoute {
  method: string;
  path: string;
  handle(body: unknown, req: IncomingMessage): Promise<{ status: number; body: unknown }>;
}

/** Sends a JSON admin response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-yunbox-request-id': requestId,
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Parses a time span such as `6h`, `30m`, `90s`, `2d`, `1h30m`, or a number of seconds. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[-+]/, '');
  while ((m = re.exec(body)) !== null) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms']!;
    consumed = re.lastIndex;
  }
  return consumed === body.length && consumed > 0 ? sign * total : undefined;
}

/** The built-in admin routes: health, and the clock (read; moving it is refused here). */
export function coreAdminRoutes(clock: Clock, ready: () => boolean): AdminRoute[] {
  const clockState = () => ({ now: isoSeconds(clock.now()), mode: clock.mode });
  return [
    {
      method: 'GET',
      path: '/_yunbox/health',
      handle: async () =>
        ready()
          ? { status: 200, body: { status: 'ok' } }
          : { status: 503, body: { status: 'starting' } },
    },
    {
      method: 'GET',
      path: '/_yunbox/clock',
      handle: async () => ({ status: 200, body: clockState() }),
    },
    {
      method: 'POST',
      path: '/_yunbox/clock',
      // Moving time expires every credential at once: it is a signed, authorised API call now.
      handle: async () => ({
        status: 410,
        body: {
          error:
            'the clock moves through the signed Yunbox API: `yunbox clock advance|set`, or AdvanceClock and SetClock (version 2026-11-01)',
        },
      }),
    },
  ];
}

/**
 * The first of `handlers` that takes the request (the console's, then the core routes', which
 * answer 404 for any other path, so they come last).
 * @example
 * firstAdmin(createConsole(deps), adminHandler(coreAdminRoutes(clock, ready)))
 */
export function firstAdmin(
  ...handlers: Array<
    (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<boolean>
  >
) {
  return async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<boolean> => {
    for (const h of handlers) if (await h(req, res, requestId)) return true;
    return false;
  };
}

/** Builds the admin handler over routes. */
export function adminHandler(routes: AdminRoute[]) {
  return async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<boolean> => {
    const path = (req.url ?? '').split('?')[0];
    const candidates = routes.filter((r) => r.path === path);
    if (candidates.length === 0) {
      sendJson(res, 404, { error: `no such endpoint \`${path}\`` }, requestId);
      return true;
    }
    const route = candidates.find((r) => r.method === req.method);
    if (!route) {
      sendJson(res, 405, { error: `method \`${req.method}\` not allowed here` }, requestId);
      return true;
    }
    let body: unknown;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      try {
        const raw = await readBody(req, 64 * 1024);
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch (e) {
        sendJson(
          res,
          e instanceof BodyTooLarge ? 413 : 400,
          {
            error:
              e instanceof BodyTooLarge
                ? 'request body too large'
                : 'request body is not valid JSON',
          },
          requestId,
        );
        return true;
      }
    }
    const out = await route.handle(body, req);
    sendJson(res, out.status, out.body, requestId);
    return true;
  };
}

/**
 * Puts `guard` (`adminGuard` of admin-guard.ts) in front of an admin handler: a refused request
 * is answered 403 with `{"error": why}` and the connection closed; its body is never read.
 * @example
 * guardAdmin(adminGuard({ listenHosts, publicHosts }), firstAdmin(console, core))
 */
export function guardAdmin(
  guard: (req: IncomingMessage) => string | undefined,
  handler: (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<boolean>,
) {
  return async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<boolean> => {
    const why = guard(req);
    if (why === undefined) return handler(req, res, requestId);
    // The body is not read: the connection closes after the answer instead of draining it.
    res.setHeader('connection', 'close');
    sendJson(res, 403, { error: why }, requestId);
    return true;
  };
}
