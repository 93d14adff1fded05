/**
 * @module The RPC pipeline (RAM, STS, ECS, VPC on one listener), stage by stage:
 *
 * ```
 * read      kernel/body.ts          bounded body; query + form parameters decoded (auth/pct.ts)
 * route     this file               Version + Action (parameters, or x-acs-* headers for ACS3), checked
 *                                   as names, -> operation
 * authn     auth/rpc-v1.ts, acs3.ts signature, timestamp fresh on either clock (kernel/clock.ts),
 *                                   nonce, STS token (expiry on yunbox's clock) -> Principal
 * parse     protocol/rpc-schema.ts  declared parameters validated with Alibaba's codes
 * authz     kernel/authorizer.ts    the operation's checks through the policy engine
 * handler   services/x/handlers.ts  (ctx, input) => output
 * serialise protocol/rpc.ts         JSON or XML, errors in Alibaba's shape
 * trail     services/trail          every routed request, once answered (written behind)
 * ```
 */
import type { IncomingMessage } from 'node:http';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { parseFormEncoded } from '../auth/pct.js';
import { parseAcs3, verifyAcs3, isAcs3Authorization } from '../auth/acs3.js';
import { parseV1, verifyV1 } from '../auth/rpc-v1.js';
import { collectParameters, type RpcAuthError, type RpcRequest } from '../auth/rpc-request.js';
import type { CredentialFailure, CredentialResolver } from '../auth/credentials.js';
import { readParams } from '../protocol/rpc-schema.js';
import {
  encodeRpcError,
  encodeRpcSuccess,
  rpcFormat,
  type Encoded,
  type RpcFormat,
} from '../protocol/rpc.js';
import type { BoundOperation, RpcProduct } from '../protocol/rpc-operation.js';
import * as R from '../protocol/rpc-errors.js';
import { BodyIncomplete, BodyTimeout, BodyTooLarge, readBody } from './body.js';
import {
  REQUEST_TIME_WINDOW_MS,
  horizon,
  isFresh,
  readClock,
  type Clock,
  type ClockReading,
} from './clock.js';
import { compose, type Stage } from './compose.js';
import type { AuthzCheck, HandlerContext, RequestInfo } from './context.js';
import { ServiceError } from './errors.js';
import { accessDeniedDetail, type Authorizer } from './authorizer.js';
import type { NonceStore } from './nonces.js';
import type { Principal } from './principal.js';
import type { Decision } from '../policy/index.js';

/** Largest accepted RPC body (forms carry policy documents and UserData, both small). */
export const RPC_BODY_LIMIT = 1024 * 1024;
/**
 * Allowed clock skew of `Timestamp` / `x-acs-date` (openapi.md §b.4), from yunbox's clock or the
 * host's real one (`isFresh`, kernel/clock.ts).
 */
export const RPC_SKEW_MS = REQUEST_TIME_WINDOW_MS;

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;

/** Longest `Action` accepted as a name (Alibaba's longest API names are under 50 characters). */
export const MAX_ACTION_LENGTH = 64;
/** Longest error message answered; longer ones (a string to sign quoting a huge request) are cut. */
export const MAX_ERROR_MESSAGE = 64 * 1024;

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * True when `s` can be an API name: a letter, then letters and digits, at most
 * {@link MAX_ACTION_LENGTH} in all. Only such names are routed, stored in the trail or quoted.
 * @example
 * isActionName('CreateUser') // true
 * isActionName('Create User') // false
 */
export function isActionName(s: string): boolean {
  if (s.length === 0 || s.length > MAX_ACTION_LENGTH || !isLetter(s.charCodeAt(0))) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isLetter(c) && !isDigit(c)) return false;
  }
  return true;
}

/**
 * True when `s` has the shape of an API version, `YYYY-MM-DD`.
 * @example
 * isVersionName('2015-05-01') // true
 */
export function isVersionName(s: string): boolean {
  if (s.length !== 10 || s[4] !== '-' || s[7] !== '-') return false;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9]) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** What the RPC pipeline needs from the rest of yunbox. */
export interface RpcDeps {
  products: RpcProduct[];
  resolver: CredentialResolver;
  nonces: NonceStore;
  authorizer: Authorizer;
  clock: Clock;
  region: string;
  /** Told of every request that reached routing once it is answered (the audit trail). */
  trail?: { rpc(ctx: RpcCtx, eventType?: string): void };
}

/** Per-request state of the RPC pipeline. */
export interface RpcCtx {
  req: IncomingMessage;
  requestId: string;
  now: number;
  log: Logger;
  sourceIp: string;
  sourceVpc?: string;
  secure: boolean;
  host: string;
  format: RpcFormat;
  hostId: string;
  wire?: RpcRequest;
  params?: Map<string, string>;
  action?: string;
  version?: string;
  product?: RpcProduct;
  op?: BoundOperation;
  principal?: Exclude<Principal, { kind: 'anonymous' }>;
  /** Parameters read by the operation declaration. */
  input?: Record<string, unknown>;
  encoded?: Encoded;
  /** Short error code for the access log. */
  errorCode?: string;
  /** The error answered, if any (the audit trail records its code and message). */
  error?: ServiceError;
  /** The authorisation check that settled the request: the last decided, or the denying one. */
  decided?: { action: string; resource: string; decision: Decision };
  /** The account an unsigned request concerns, named by its handler (`attributeTo`). */
  attributedTo?: string;
  /** Another account whose trail also gets the event, named by its handler (`shareWith`). */
  sharedWith?: string;
}

function authError(e: RpcAuthError): ServiceError {
  return new ServiceError(e.code, 400, e.message);
}

function credentialError(reason: CredentialFailure): ServiceError {
  switch (reason) {
    case 'key-not-found':
      return R.InvalidAccessKeyIdNotFound();
    case 'key-inactive':
      return R.InvalidAccessKeyIdInactive();
    case 'token-missing':
      return R.MissingSecurityToken();
    case 'token-malformed':
      return R.InvalidSecurityTokenMalformed();
    case 'token-expired':
      return R.InvalidSecurityTokenExpired();
    case 'token-mismatch':
      return R.InvalidSecurityTokenMismatch();
  }
}

/** Builds the RPC pipeline. */
export function rpcPipeline(deps: RpcDeps): (ctx: RpcCtx) => Promise<void> {
  const byVersion = new Map<string, { product: RpcProduct; ops: Map<string, BoundOperation> }>();
  for (const p of deps.products) {
    byVersion.set(p.version, {
      product: p,
      ops: new Map(p.operations.map((o) => [o.decl.name, o])),
    });
  }

  const catchErrors: Stage<RpcCtx> = async (ctx, next) => {
    try {
      await next();
    } catch (e) {
      let err: ServiceError;
      if (e instanceof ServiceError) err = e;
      else if (e instanceof BodyTooLarge) err = R.RequestTooLarge();
      // The guard (kernel/limits.ts) closes the connection after this answer.
      else if (e instanceof BodyTimeout)
        err = R.InvalidParameter(`The request body was not received within ${e.seconds} seconds.`);
      else if (e instanceof BodyIncomplete)
        err = R.InvalidParameter('The request body is incomplete.');
      else if (
        typeof e === 'object' &&
        e !== null &&
        (e as any).name === 'StoreError' &&
        (e as any).kind === 'Unavailable'
      ) {
        err = R.ServiceUnavailable();
        ctx.log.error({ err: e }, 'store unavailable');
      } else {
        ctx.log.error({ err: e }, 'internal error');
        err = R.InternalError(
          `The request processing has failed due to some unknown error, exception or failure. RequestId: ${ctx.requestId}`,
        );
      }
      if (err.message.length > MAX_ERROR_MESSAGE) {
        // A message quoting a huge request (the string to sign) answers its first 64 KiB.
        const cut = err.message.length - MAX_ERROR_MESSAGE;
        err = new ServiceError(
          err.code,
          err.status,
          `${err.message.slice(0, MAX_ERROR_MESSAGE)}…[truncated ${cut} characters]`,
          err.fields,
          err.headers,
        );
      }
      ctx.errorCode = err.code;
      ctx.error = err;
      ctx.encoded = encodeRpcError(ctx.format, err, ctx.requestId, ctx.hostId);
    }
    // Answered: the trail copies what it needs and writes later, never failing the request.
    if (ctx.params !== undefined) deps.trail?.rpc(ctx);
  };

  const read: Stage<RpcCtx> = async (ctx, next) => {
    const method = ctx.req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') throw R.UnsupportedHTTPMethod();
    const url = ctx.req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = parseFormEncoded(q === -1 ? '' : url.slice(q + 1));
    if (!query.ok)
      throw R.InvalidParameter(`The query string is malformed: ${query.error.message}.`);
    const body = method === 'POST' ? await readBody(ctx.req, RPC_BODY_LIMIT) : Buffer.alloc(0);
    const ctype = String(ctx.req.headers['content-type'] ?? '').toLowerCase();
    let bodyParams: Array<[string, string]> | undefined;
    if (body.length > 0 && ctype.startsWith('application/x-www-form-urlencoded')) {
      const form = parseFormEncoded(body.toString('utf8'));
      if (!form.ok) throw R.InvalidParameter(`The form body is malformed: ${form.error.message}.`);
      bodyParams = form.pairs;
    }
    ctx.wire = {
      method,
      path,
      query: query.pairs,
      headers: ctx.req.headersDistinct as RpcRequest['headers'],
      ...(bodyParams ? { bodyParams } : {}),
      bodySha256Hex: createHash('sha256').update(body).digest('hex'),
    };
    const collected = collectParameters(ctx.wire);
    if (!collected.ok) throw authError(collected.error);
    ctx.params = collected.value;
    ctx.format = rpcFormat(ctx.params.get('Format'));
    await next();
  };

  const route: Stage<RpcCtx> = async (ctx, next) => {
    const h = ctx.req.headers;
    const params = ctx.params!;
    const version =
      params.get('Version') ??
      (typeof h['x-acs-version'] === 'string' ? h['x-acs-version'] : undefined);
    const action =
      params.get('Action') ??
      (typeof h['x-acs-action'] === 'string' ? h['x-acs-action'] : undefined);
    if (!version)
      throw new ServiceError(
        'MissingParameter',
        400,
        'The input parameter "Version" that is mandatory for processing this request is not supplied.',
      );
    if (!action)
      throw new ServiceError(
        'MissingParameter',
        400,
        'The input parameter "Action" that is mandatory for processing this request is not supplied.',
      );
    // Checked as names before anything keeps or quotes them: the trail stores only names, and
    // a message quotes a short printable prefix of anything else (R.echoInput).
    const entry = isVersionName(version) ? byVersion.get(version) : undefined;
    if (!entry) {
      throw R.InvalidVersion(
        `Specified parameter Version is not valid: \`${R.echoInput(version)}\`.`,
      );
    }
    ctx.product = entry.product;
    ctx.hostId = entry.product.hostId(deps.region);
    ctx.version = version;
    const named = isActionName(action);
    if (named) ctx.action = action;
    const op = named ? entry.ops.get(action) : undefined;
    if (!op)
      throw R.InvalidActionNotFound(
        `Specified api is not found, please check your url and method: \`${R.echoInput(action)}\` (version ${version}).`,
      );
    ctx.op = op;
    await next();
  };

  /**
   * The request's own time (ms), once it is well formed and fresh on either clock: a client
   * signing with the host's time is accepted under a manual clock moved far away, so an expired
   * token then gets its expiry error, not a skew error.
   */
  const checkTimestamp = (ts: string | undefined, name: string, at: ClockReading): number => {
    if (ts === undefined || ts === '') {
      throw new ServiceError(
        'MissingParameter',
        400,
        `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
      );
    }
    const m = TIMESTAMP.exec(ts);
    const t = m ? Date.parse(ts) : NaN;
    if (!m || Number.isNaN(t)) {
      throw R.InvalidTimeStampFormat(
        `Specified time stamp or date value is not well formatted: \`${R.echoInput(ts)}\`.`,
      );
    }
    if (!isFresh(t, at, RPC_SKEW_MS)) {
      throw R.InvalidTimeStampExpired(
        `Specified time stamp or date value is expired: \`${ts}\`, server time ${new Date(at.now).toISOString().replace(/\.\d{3}Z$/, 'Z')}.`,
      );
    }
    return t;
  };

  const authn: Stage<RpcCtx> = async (ctx, next) => {
    // Calls Alibaba serves unsigned (AssumeRoleWithOIDC) authenticate by what they carry.
    if (ctx.op!.decl.anonymous) return next();
    const wire = ctx.wire!;
    const acs3 = isAcs3Authorization(wire.headers['authorization']);
    let accessKeyId: string;
    let token: string | undefined;
    let nonce: string | undefined;
    let verify: (secret: string) => { ok: true } | { ok: false; error: RpcAuthError };
    let signedAt: number;
    const at = readClock(deps.clock, ctx.now);
    if (acs3) {
      const parsed = parseAcs3(wire);
      if (!parsed.ok) throw authError(parsed.error);
      const v = parsed.value;
      signedAt = checkTimestamp(v.date, 'x-acs-date', at);
      accessKeyId = v.accessKeyId;
      token = v.securityToken;
      nonce = v.nonce;
      verify = (s) => verifyAcs3(v, s);
    } else if (ctx.params!.has('Signature')) {
      const parsed = parseV1(wire);
      if (!parsed.ok) throw authError(parsed.error);
      const v = parsed.value;
      signedAt = checkTimestamp(v.timestamp, 'Timestamp', at);
      accessKeyId = v.accessKeyId;
      token = v.securityToken;
      nonce = v.nonce;
      verify = (s) => verifyV1(v, s);
    } else {
      throw new ServiceError(
        'MissingParameter',
        400,
        'The input parameter "Signature" that is mandatory for processing this request is not supplied.',
      );
    }
    if (nonce === undefined || nonce === '') {
      throw new ServiceError(
        'MissingParameter',
        400,
        `The input parameter "${acs3 ? 'x-acs-signature-nonce' : 'SignatureNonce'}" that is mandatory for processing this request is not supplied.`,
      );
    }
    const cred = await deps.resolver.resolve(accessKeyId, token, at);
    if (!cred.ok) throw credentialError(cred.reason);
    const verdict = verify(cred.secret);
    if (!verdict.ok) throw authError(verdict.error);
    // Recorded only after the signature checks out, so nobody can burn another caller's nonces.
    // Remembered until its timestamp is stale on both clocks (with as much again to spare): a
    // request stamped with one clock's time may become fresh on the other when that one moves.
    const until = signedAt + 2 * RPC_SKEW_MS;
    if (!(await deps.nonces.use(accessKeyId, nonce, horizon(at), until))) {
      throw R.SignatureNonceUsed();
    }
    ctx.principal = cred.principal;
    await next();
  };

  const parse: Stage<RpcCtx> = async (ctx, next) => {
    ctx.input = readParams(ctx.op!.decl.params, ctx.params!);
    await next();
  };

  const handle: Stage<RpcCtx> = async (ctx) => {
    const principal: Principal = ctx.principal ?? { kind: 'anonymous' };
    const product = ctx.product!;
    const info: RequestInfo = {
      requestId: ctx.requestId,
      now: ctx.now,
      clock: deps.clock,
      region: deps.region,
      principal,
      accountId: principal.kind === 'anonymous' ? '' : principal.accountId,
      sourceIp: ctx.sourceIp,
      ...(ctx.sourceVpc !== undefined ? { sourceVpc: ctx.sourceVpc } : {}),
      secure: ctx.secure,
      host: ctx.host,
      log: ctx.log,
      ...(typeof ctx.req.headers['user-agent'] === 'string'
        ? { userAgent: ctx.req.headers['user-agent'] }
        : {}),
    };
    const hctx: HandlerContext = {
      ...info,
      attributeTo(accountId: string) {
        if (principal.kind === 'anonymous') ctx.attributedTo = accountId;
      },
      shareWith(accountId: string) {
        if (principal.kind !== 'anonymous' && accountId !== principal.accountId) {
          ctx.sharedWith = accountId;
        }
      },
      async authorize(checks: AuthzCheck | AuthzCheck[]) {
        for (const check of Array.isArray(checks) ? checks : [checks]) {
          const decided = await deps.authorizer.decide(info, check);
          const d =
            decided.decision !== 'allow' && check.denialNote !== undefined
              ? { ...decided, explanation: `${decided.explanation}; ${check.denialNote}` }
              : decided;
          ctx.decided = { action: check.action, resource: check.resource, decision: d };
          if (d.decision !== 'allow') {
            ctx.log.info(
              { action: check.action, resource: check.resource, decision: d.decision },
              'denied',
            );
            throw product.denied(
              `You are not authorized to do this action. You should be authorized by RAM. ${d.explanation}`,
              accessDeniedDetail(info, check, d),
            );
          }
        }
      },
    };
    const decl = ctx.op!.decl;
    if (typeof decl.authz === 'function') await hctx.authorize(decl.authz(ctx.input as any, info));
    const output = await ctx.op!.handler(hctx, ctx.input as any);
    ctx.encoded = encodeRpcSuccess(ctx.format, ctx.action!, ctx.requestId, output);
  };

  return compose<RpcCtx>([catchErrors, read, route, authn, parse, handle]);
}
