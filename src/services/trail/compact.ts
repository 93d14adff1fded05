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
import type { Decision } from '../../policy/index.js';
import type { OssTrailFacts } from '../oss/index.js';
import { eventIdAt, header } from './event-common.js';
import type { TrailEvent } from './model.js';
import { ossEvent } from './oss-event.js';

/**
 * An OSS event in compact form: a fixed-order array (the indices below). Its first element is
 * its size for the buffer's bound: the UTF-16 code units of its strings, and a little for the
 * rest (as a serialised event's length is its size).
 */
export type CompactOss = unknown[];

// The indices of a CompactOss.
const SIZE = 0;
const MS = 1;
const SEQUENCE = 2;
const SAMPLED = 3;
const COPY_TO = 4;
const NOW = 5;
const REGION = 6;
const SOURCE_IP = 7;
const REQUEST_ID = 8;
const METHOD = 9;
const OPERATION = 10;
const BUCKET = 11;
const KEY = 12;
const BUCKET_OWNER = 13;
const ERROR_CODE = 14;
const ERROR_MESSAGE = 15;
const ACTION = 16;
const RESOURCE = 17;
const DECISION = 18;
const EXPLANATION = 19;
const KIND = 20;
const ACCOUNT_ID = 21;
const ACCESS_KEY_ID = 22;
/** userId, roleId */
const PRINCIPAL_ID = 23;
/** userName, roleName */
const PRINCIPAL_NAME = 24;
const SESSION_NAME = 25;
const ISSUED_AT = 26;
const SOURCE = 27;
const AUTHORIZATION = 28;
const TOKEN = 29;
const USER_AGENT = 30;
const QUERY = 31;

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
export function readCompact(c: CompactOss): TrailEvent {
  const f = readFacts(c);
  let e = ossEvent(f, s(c[REGION]), eventIdAt(c[MS] as number, c[SEQUENCE] as number));
  const copyTo = o(c[COPY_TO]);
  if (copyTo !== undefined) e = { ...e, accountId: copyTo, callerAccountId: e.accountId };
  if (c[SAMPLED] === true) e = { ...e, flags: ['sampled'] };
  return e;
}
