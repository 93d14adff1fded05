/**
 * @module The compact form of an OSS request's trail event: the few strings its event is made of
 * (headers, principal, decision, parameters…), copied by the serving thread into one small
 * fixed-order array ({@link compactOss}) instead of building and serialising the 29-property
 * event there; the writer thread rebuilds the facts from it and makes the event with the same
 * {@link ossEvent} as ever ({@link readCompact}), and bounds it as every event. So the serving
 * event loop pays one array of references per OSS request (`npm run bench`'s trail row: no
 * string is built, and one object instead of a rope of dozens or a 2 KB text lives in the
 * buffer until its batch is sent, which is what the young-generation collections were copying),
 * and the event is the one it always was: same fields, same values, its id stamped and its time
 * taken when the request was answered.
 *
 * The array holds the request's own secrets (its `Authorization`, security token, signature
 * parameters) so that the writer can scrub them from what it keeps; it lives only in the
 * process's memory, bounded by the buffer, goes to the writer by `postMessage` (a structured
 * clone) and is never logged.
 */
import type { Principal } from '../../kernel/principal.js';
import type { RpcCtx } from '../../kernel/rpc-pipeline.js';
import type { Decision } from '../../policy/index.js';
import type { OssTrailFacts } from '../oss/index.js';
import { eventIdAt, header } from './event-common.js';
import type { TrailEvent } from './model.js';
import { ossEvent } from './oss-event.js';
import { rpcEventNamed } from './rpc-event.js';

/**
 * An OSS event in compact form: a fixed-order array (the indices below). Its first element is
 * its size for the buffer's bound: the UTF-16 code units of its strings, and a little for the
 * rest (as a serialised event's length is its size).
 */
export type CompactOss = unknown[];
/** An RPC event in compact form (the same shape, {@link compactRpc}). */
export type CompactRpc = unknown[];

// The indices every compact event shares.
const SIZE = 0;
const MS = 1;
const SEQUENCE = 2;
const SAMPLED = 3;
const COPY_TO = 4;
/** `oss` or `rpc`. */
const FORM = 5;
// The indices of a CompactOss.
const NOW = 6;
const REGION = 7;
const SOURCE_IP = 8;
const REQUEST_ID = 9;
const METHOD = 10;
const OPERATION = 11;
const BUCKET = 12;
const KEY = 13;
const BUCKET_OWNER = 14;
const ERROR_CODE = 15;
const ERROR_MESSAGE = 16;
const ACTION = 17;
const RESOURCE = 18;
const DECISION = 19;
const EXPLANATION = 20;
const KIND = 21;
const ACCOUNT_ID = 22;
const ACCESS_KEY_ID = 23;
/** userId, roleId */
const PRINCIPAL_ID = 24;
/** userName, roleName */
const PRINCIPAL_NAME = 25;
const SESSION_NAME = 26;
const ISSUED_AT = 27;
const SOURCE = 28;
const AUTHORIZATION = 29;
const TOKEN = 30;
const USER_AGENT = 31;
const QUERY = 32;
// The indices of a CompactRpc: the shared ones above and NOW…SOURCE and USER_AGENT as an OSS
// event's (ACTION: the deciding check's, whose presence says there was one; AUTHORIZATION,
// TOKEN: `x-acs-security-token`), then these.
const HOST_ID = 10;
const EVENT_NAME = 11;
const API_VERSION = 12;
const PRODUCT = 13;
const READ_ONLY = 14;
const PARAMS = 32;
const ATTRIBUTED_TO = 33;
const EVENT_TYPE = 34;
const NO_PERMISSION_TYPE = 35;
const DIAGNOSTIC = 36;

/** What a compact event's parts other than strings count for in the buffer's bound. */
const FIXED_SIZE = 64;

/**
 * The facts of an OSS request in compact form, not yet stamped ({@link stampCompact}): `region`
 * is the region the event is recorded in (`f.region`, else the recorder's). Throws on facts that
 * are not an OSS request's (the recorder counts the event lost).
 * @example
 * stampCompact(compactOss(facts, 'cn-hangzhou'), ms, sequence, false, undefined)
 */
export function compactOss(f: OssTrailFacts, region: string): CompactOss {
  const h = f.req.headers;
  const p = f.principal;
  const d = f.decided;
  const kind = p.kind;
  if (kind !== 'account' && kind !== 'user' && kind !== 'role-session' && kind !== 'anonymous') {
    // INVARIANT: these are every principal; ossEvent would fail on another.
    throw new TypeError('not a principal');
  }
  const authorization = h.authorization;
  const token = header(h, 'x-oss-security-token');
  const userAgent = h['user-agent'];
  // INVARIANT: the parsed query (a QueryView's array) is not changed once the request is parsed.
  const query = f.query;
  let size = FIXED_SIZE;
  if (query !== undefined) {
    for (const [n, v] of query) size += n.length + (v === null ? 0 : v.length);
  }
  const c: CompactOss = [
    0,
    0,
    0,
    false,
    undefined,
    'oss',
    f.base.now,
    region,
    f.base.sourceIp,
    f.base.requestId,
    f.method,
    f.operation,
    f.bucket,
    f.key,
    f.bucketOwner,
    f.errorCode,
    f.errorMessage,
    d?.action,
    d?.resource,
    d?.decision.decision,
    d?.decision.explanation,
    kind,
    kind === 'anonymous' ? undefined : p.accountId,
    kind === 'anonymous' ? undefined : p.accessKeyId,
    kind === 'user' ? p.userId : kind === 'role-session' ? p.roleId : undefined,
    kind === 'user' ? p.userName : kind === 'role-session' ? p.roleName : undefined,
    kind === 'role-session' ? p.sessionName : undefined,
    kind === 'role-session' ? p.issuedAt : undefined,
    kind === 'role-session' ? p.source : undefined,
    authorization,
    token,
    userAgent,
    query,
  ];
  for (let i = NOW; i < QUERY; i++) {
    const v = c[i];
    if (typeof v === 'string') size += v.length;
  }
  c[SIZE] = size;
  return c;
}

/**
 * `c` stamped: the event id's clock reading (`nextEventStamp`, taken when the request was
 * answered), whether it was sampled, and the account of a cross-account copy (else `undefined`).
 * Changes `c` and returns it.
 */
export function stampCompact(
  c: CompactOss,
  ms: number,
  sequence: number,
  sampled: boolean,
  copyTo: string | undefined,
): CompactOss {
  c[MS] = ms;
  c[SEQUENCE] = sequence;
  c[SAMPLED] = sampled;
  c[COPY_TO] = copyTo;
  return c;
}

/** The size of `c` for the buffer's bound (UTF-16 code units, estimated). */
export function compactSize(c: CompactOss): number {
  return c[SIZE] as number;
}

const s = (v: unknown) => v as string;
const o = (v: unknown) => v as string | undefined;

function readPrincipal(c: CompactOss): Principal {
  switch (c[KIND]) {
    case 'account':
      return { kind: 'account', accountId: s(c[ACCOUNT_ID]), accessKeyId: s(c[ACCESS_KEY_ID]) };
    case 'user':
      return {
        kind: 'user',
        accountId: s(c[ACCOUNT_ID]),
        userId: s(c[PRINCIPAL_ID]),
        userName: s(c[PRINCIPAL_NAME]),
        accessKeyId: s(c[ACCESS_KEY_ID]),
      };
    case 'role-session': {
      const p = {
        kind: 'role-session' as const,
        accountId: s(c[ACCOUNT_ID]),
        roleId: s(c[PRINCIPAL_ID]),
        roleName: s(c[PRINCIPAL_NAME]),
        sessionName: s(c[SESSION_NAME]),
        accessKeyId: s(c[ACCESS_KEY_ID]),
        issuedAt: c[ISSUED_AT] as number,
        // Not part of the event.
        expiresAt: 0,
      };
      const source = o(c[SOURCE]);
      return source === undefined ? p : { ...p, source };
    }
    case 'anonymous':
      return { kind: 'anonymous' };
    default:
      throw new TypeError('compact trail event: not a principal');
  }
}

/** Sets `obj[k]` only when `v` is defined (the facts' optional fields stay absent). */
function opt<T extends object, K extends keyof T>(obj: T, k: K, v: unknown): void {
  if (v !== undefined) obj[k] = v as T[K];
}

/** The facts `c` was made of ({@link compactOss}); its region comes back as `f.region`. */
function readFacts(c: CompactOss): OssTrailFacts {
  const headers: Record<string, string> = {};
  opt(headers, 'authorization', c[AUTHORIZATION]);
  opt(headers, 'x-oss-security-token', c[TOKEN]);
  opt(headers, 'user-agent', c[USER_AGENT]);
  const f = {
    base: { now: c[NOW], sourceIp: c[SOURCE_IP], requestId: c[REQUEST_ID] },
    req: { headers },
    method: c[METHOD],
    status: 0,
    principal: readPrincipal(c),
  } as unknown as OssTrailFacts;
  opt(f, 'operation', c[OPERATION]);
  opt(f, 'query', c[QUERY]);
  opt(f, 'bucket', c[BUCKET]);
  opt(f, 'key', c[KEY]);
  opt(f, 'region', c[REGION]);
  opt(f, 'bucketOwner', c[BUCKET_OWNER]);
  opt(f, 'errorCode', c[ERROR_CODE]);
  opt(f, 'errorMessage', c[ERROR_MESSAGE]);
  if (c[ACTION] !== undefined) {
    f.decided = {
      action: s(c[ACTION]),
      resource: s(c[RESOURCE]),
      decision: { decision: c[DECISION], explanation: c[EXPLANATION] } as Decision,
    };
  }
  return f;
}

/**
 * The event of `c` (unbounded: the caller bounds it, as every event): the one the serving thread
 * would have built with `ossEvent` from the same facts, with the id of its stamp, then copied
 * for another account and flagged sampled as the recorder does. Throws where `ossEvent` would,
 * and on an array that is not one {@link compactOss} made.
 */
export function readCompact(c: CompactOss | CompactRpc): TrailEvent {
  let e =
    c[FORM] === 'rpc'
      ? readRpc(c)
      : ossEvent(readFacts(c), s(c[REGION]), eventIdAt(c[MS] as number, c[SEQUENCE] as number));
  const copyTo = o(c[COPY_TO]);
  if (copyTo !== undefined) e = { ...e, accountId: copyTo, callerAccountId: e.accountId };
  if (c[SAMPLED] === true) e = { ...e, flags: ['sampled'] };
  return e;
}

/**
 * The context of an RPC request in compact form, not yet stamped ({@link stampCompact}): what
 * its event is made of (events.ts `rpcEvent`), with the API's name and version as checked by
 * events.ts `rpcNames` (here the writer's code would need the RPC pipeline); `eventType` names
 * another kind of event recorded from the same facts (`ConsoleSignin`).
 */
export function compactRpc(
  ctx: RpcCtx,
  names: { eventName: string; apiVersion: string },
  region: string,
  eventType?: string,
): CompactRpc {
  const h = ctx.req.headers;
  const p = ctx.principal;
  const d = ctx.decided;
  const err = ctx.error;
  const detail = err?.fields?.AccessDeniedDetail as
    { NoPermissionType?: string; EncodedDiagnosticMessage?: string } | undefined;
  const kind = p?.kind;
  if (kind !== undefined && kind !== 'account' && kind !== 'user' && kind !== 'role-session') {
    // INVARIANT: these are every signed principal; rpcEvent would fail on another.
    throw new TypeError('not a principal');
  }
  // INVARIANT: the parameters (a request's own map) are not changed once it is answered.
  const params = ctx.params;
  let size = FIXED_SIZE;
  if (params !== undefined) for (const [n, v] of params) size += n.length + v.length;
  const c: CompactRpc = [
    0,
    0,
    0,
    false,
    undefined,
    'rpc',
    ctx.now,
    region,
    ctx.sourceIp,
    ctx.requestId,
    ctx.hostId,
    names.eventName,
    names.apiVersion,
    ctx.product?.product,
    ctx.op ? Boolean(ctx.op.decl.readOnly) : undefined,
    err?.code,
    err?.message,
    d?.action,
    d?.resource,
    d?.decision.decision,
    d?.decision.explanation,
    kind,
    p?.accountId,
    p?.accessKeyId,
    kind === 'user' ? p!.userId : kind === 'role-session' ? p!.roleId : undefined,
    kind === 'user' ? p!.userName : kind === 'role-session' ? p!.roleName : undefined,
    kind === 'role-session' ? p!.sessionName : undefined,
    kind === 'role-session' ? p!.issuedAt : undefined,
    kind === 'role-session' ? p!.source : undefined,
    h.authorization,
    header(h, 'x-acs-security-token'),
    h['user-agent'],
    params,
    ctx.attributedTo,
    eventType,
    detail?.NoPermissionType,
    detail?.EncodedDiagnosticMessage,
  ];
  for (let i = NOW; i < c.length; i++) {
    const v = c[i];
    if (typeof v === 'string') size += v.length;
  }
  c[SIZE] = size;
  return c;
}

const NO_PARAMETERS: ReadonlyMap<string, string> = new Map();

/** The event of a {@link CompactRpc}, as events.ts `rpcEvent` builds it from the context. */
function readRpc(c: CompactRpc): TrailEvent {
  const headers: Record<string, string> = {};
  opt(headers, 'authorization', c[AUTHORIZATION]);
  opt(headers, 'x-acs-security-token', c[TOKEN]);
  opt(headers, 'user-agent', c[USER_AGENT]);
  const ctx = {
    req: { headers },
    now: c[NOW],
    sourceIp: c[SOURCE_IP],
    requestId: c[REQUEST_ID],
    hostId: c[HOST_ID],
    params: (c[PARAMS] as ReadonlyMap<string, string> | undefined) ?? NO_PARAMETERS,
  } as unknown as RpcCtx;
  if (c[KIND] !== undefined) {
    ctx.principal = readPrincipal(c) as Exclude<Principal, { kind: 'anonymous' }>;
  }
  if (c[PRODUCT] !== undefined) ctx.product = { product: c[PRODUCT] } as RpcCtx['product'];
  if (c[READ_ONLY] !== undefined) {
    ctx.op = { decl: { readOnly: c[READ_ONLY] } } as unknown as RpcCtx['op'];
  }
  opt(ctx, 'attributedTo', c[ATTRIBUTED_TO]);
  if (c[ERROR_CODE] !== undefined) {
    const fields =
      c[NO_PERMISSION_TYPE] === undefined
        ? undefined
        : {
            AccessDeniedDetail: {
              NoPermissionType: c[NO_PERMISSION_TYPE],
              EncodedDiagnosticMessage: c[DIAGNOSTIC],
            },
          };
    ctx.error = {
      code: c[ERROR_CODE],
      message: c[ERROR_MESSAGE],
      fields,
    } as unknown as RpcCtx['error'];
  }
  if (c[ACTION] !== undefined) {
    ctx.decided = {
      action: s(c[ACTION]),
      resource: s(c[RESOURCE]),
      decision: { decision: c[DECISION], explanation: c[EXPLANATION] } as Decision,
    };
  }
  const e = rpcEventNamed(
    ctx,
    s(c[EVENT_NAME]),
    s(c[API_VERSION]),
    s(c[REGION]),
    eventIdAt(c[MS] as number, c[SEQUENCE] as number),
  );
  const eventType = o(c[EVENT_TYPE]);
  return eventType === undefined ? e : { ...e, eventType };
}
