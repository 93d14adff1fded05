/**
 * @module Console sign-in attempts in the audit trail, as ActionTrail records a console logon:
 * event name `ConsoleSignin`, service `AasSub` for a RAM user and `AasCustomer` for the root
 * account ("Logon events", alibabacloud.com/help/en/actiontrail/user-guide/logon-events-by-using-
 * an-alibaba-cloud-account), with the outcome (`errorCode` empty, or why it was refused), the
 * source address, the user agent and the AccessKeyId presented (at most 128 characters). Never
 * the secret: it is not among the facts passed on. Recorded through the trail's recorder like an
 * RPC call (`TrailRecorder.rpc`, with ActionTrail's event type `ConsoleSignin`), so the trail's
 * own bounds and sampling apply to these events too.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { pino, type Logger } from 'pino';
import { ServiceError } from '../kernel/errors.js';
import { hostOf, peerAddress } from '../kernel/gateway.js';
import type { Principal } from '../kernel/principal.js';
import type { RpcCtx, RpcDeps } from '../kernel/rpc-pipeline.js';
import type { RpcProduct } from '../protocol/rpc-operation.js';

/** What the trail is told of a console sign-in attempt. */
export interface SignInFacts {
  req: IncomingMessage;
  requestId: string;
  /** Time of the attempt by the one clock (ms). */
  now: number;
  /** The AccessKeyId presented (`''` when none could be read). */
  presentedKeyId: string;
  /** Who signed in, when it succeeded. */
  principal?: Extract<Principal, { kind: 'user' | 'account' }>;
  /** Why it was refused, when it was. */
  error?: { status: number; code: string; message: string };
}

/** Most characters of a presented AccessKeyId recorded. */
export const PRESENTED_KEY_MAX = 128;

/** The event name ActionTrail gives a console logon. */
export const CONSOLE_SIGNIN = 'ConsoleSignin';

const silent = pino({ level: 'silent' });

function logonService(product: string): RpcProduct {
  return {
    product,
    version: '',
    hostId: () => '',
    denied: (message) => new ServiceError('Forbidden', 403, message),
    operations: [],
  };
}

// RAM users sign in to "AasSub", the account to "AasCustomer"; a refused attempt is nobody yet.
const RAM_USER_LOGON = logonService('AasSub');
const ACCOUNT_LOGON = logonService('AasCustomer');

/**
 * Records one sign-in attempt in `trail` (the recorder's RPC entry point; never throws, never
 * waits for the store).
 * @example
 * recordSignIn(trail, { req, requestId, now, presentedKeyId: 'LTAI…', principal })
 */
export function recordSignIn(
  trail: NonNullable<RpcDeps['trail']>,
  f: SignInFacts,
  log: Logger = silent,
): void {
  const presented =
    f.presentedKeyId.length > PRESENTED_KEY_MAX
      ? `${f.presentedKeyId.slice(0, PRESENTED_KEY_MAX)}…`
      : f.presentedKeyId;
  const host = hostOf(f.req) || 'localhost';
  const ctx: RpcCtx = {
    req: f.req,
    requestId: f.requestId,
    now: f.now,
    log,
    sourceIp: peerAddress(f.req),
    secure: Boolean((f.req.socket as TLSSocket).encrypted),
    host,
    format: 'JSON',
    hostId: host,
    params: new Map(presented !== '' ? [['AccessKeyId', presented]] : []),
    action: CONSOLE_SIGNIN,
    version: '',
    product: f.principal?.kind === 'account' ? ACCOUNT_LOGON : RAM_USER_LOGON,
    ...(f.principal ? { principal: f.principal } : {}),
    ...(f.error
      ? {
          errorCode: f.error.code,
          error: new ServiceError(f.error.code, f.error.status, f.error.message),
        }
      : {}),
  };
  try {
    trail.rpc(ctx, CONSOLE_SIGNIN);
  } catch (e) {
    log.warn({ err: e }, 'console: sign-in not recorded in the trail');
  }
}
