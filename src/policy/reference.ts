/**
 * @module A small reference evaluator for tests only: it reads policy JSON text with `JSON.parse`
 * on every call and interprets it directly, with its own wildcard, IP, date and number code and no
 * compilation or caching, so that property tests can require the engine to agree with something
 * that is easy to check by reading. It assumes documents the engine accepted as valid.
 */
import type { AuthzRequest, EvalResult, RequestPrincipal, StatementRef } from './types.js';
import { MAX_LIKE_VALUE_LENGTH } from './wildcard.js';

/** A policy as the reference sees it: raw text. */
export interface ReferencePolicy {
  name: string;
  type: string;
  version?: string;
  kind: 'identity' | 'session' | 'trust' | 'bucket';
  text: string;
}

type Scalar = string | number | boolean;

// ---------------------------------------------------------------- wildcards

/** `*` = any run (incl. empty), `?` = one code point; dynamic programming over code points. */
export function refGlob(pattern: string, input: string): boolean {
  const p = Array.from(pattern);
  const s = Array.from(input);
  // can[j] = pattern prefix of length i matches input prefix of length j
  let can: boolean[] = new Array<boolean>(s.length + 1).fill(false);
  can[0] = true;
  for (let i = 1; i <= p.length; i++) {
    const next: boolean[] = new Array<boolean>(s.length + 1).fill(false);
    const pc = p[i - 1];
    if (pc === '*') {
      let seen = false;
      for (let j = 0; j <= s.length; j++) {
        seen = seen || can[j]!;
        next[j] = seen;
      }
    } else {
      for (let j = 1; j <= s.length; j++) {
        next[j] = can[j - 1]! && (pc === '?' || pc === s[j - 1]);
      }
    }
    can = next;
  }
  return can[s.length]!;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? (v as string[]) : [v as string];
}

// ---------------------------------------------------------------- value readers

function refNumber(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v)) return undefined;
  const n = parseFloat(v);
  return Number.isFinite(n) ? n : undefined;
}

function refBool(v: Scalar): boolean | undefined {
  if (v === true || v === false) return v;
  if (typeof v === 'string' && v.toLowerCase() === 'true') return true;
  if (typeof v === 'string' && v.toLowerCase() === 'false') return false;
  return undefined;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function refDate(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m =
    /^(\d{4})-(\d\d)-(\d\d)(?:[Tt ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?([Zz]|[+-]\d\d:?\d\d)?)?$/.exec(
      v,
    );
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (mo < 1 || mo > 12 || d < 1 || d > monthDays[mo - 1]!) return undefined;
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const ms = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
  let offset = 0;
  if (m[8] && m[8].toUpperCase() !== 'Z') {
    const digits = m[8].replace(':', '');
    const oh = Number(digits.slice(1, 3));
    const om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return undefined;
    offset = (digits[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi - offset) * 60_000 + s * 1000 + ms;
}

/** An address as 16 bytes (IPv4 in the first 4 bytes, with a version tag). */
type RefIp = { v: 4 | 6; bytes: number[] };

function refIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

function refIpv6(s: string): number[] | undefined {
  if (s.includes('%') || (s.match(/::/g) ?? []).length > 1) return undefined;
  let text = s;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = refIpv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [v4[0]! * 256 + v4[1]!, v4[2]! * 256 + v4[3]!];
    text = s.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const split = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (text.includes('::')) {
    const [a, b] = text.split('::') as [string, string];
    const left = split(a);
    const right = split(b);
    if (!left || !right) return undefined;
    const fill = 8 - left.length - right.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right, ...tail];
  } else {
    const all = split(text);
    if (!all) return undefined;
    groups = [...all, ...tail];
    if (groups.length !== 8) return undefined;
  }
  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 255);
  return bytes;
}

function refIp(s: string): RefIp | undefined {
  const v4 = refIpv4(s);
  if (v4) return { v: 4, bytes: v4 };
  const v6 = refIpv6(s);
  if (!v6) return undefined;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 255 && v6[11] === 255;
  return mapped ? { v: 4, bytes: v6.slice(12) } : { v: 6, bytes: v6 };
}

function refInCidr(cidr: string, ip: RefIp): boolean {
  const [addr, len] = cidr.split('/') as [string, string | undefined];
  const v4 = refIpv4(addr);
  const net: RefIp | undefined = v4
    ? { v: 4, bytes: v4 }
    : (() => {
        const v6 = refIpv6(addr);
        return v6 ? ({ v: 6, bytes: v6 } as RefIp) : undefined;
      })();
  if (!net || net.v !== ip.v) return false;
  const bits = len === undefined ? net.bytes.length * 8 : Number(len);
  for (let i = 0; i < bits; i++) {
    const byte = Math.floor(i / 8);
    const mask = 0x80 >> (i % 8);
    if ((net.bytes[byte]! & mask) !== (ip.bytes[byte]! & mask)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- conditions

type Outcome = 'true' | 'false' | 'missing' | 'unknown';

const NEGATED: Record<string, string> = {
  StringNotEquals: 'StringEquals',
  StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase',
  StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals',
  DateNotEquals: 'DateEquals',
  NotIpAddress: 'IpAddress',
};

/** Positive test of one request value against the policy values; undefined = type mismatch. */
function positive(op: string, requestValue: Scalar, policyValues: Scalar[]): boolean | undefined {
  if (op.startsWith('String')) {
    const r = String(requestValue);
    if (op === 'StringEquals') return policyValues.some((p) => String(p) === r);
    if (op === 'StringEqualsIgnoreCase')
      return policyValues.some((p) => String(p).toLowerCase() === r.toLowerCase());
    // StringLike: a value longer than the bound cannot be compared (unknown, fail closed).
    if (r.length > MAX_LIKE_VALUE_LENGTH) return undefined;
    return policyValues.some((p) => refGlob(String(p), r));
  }
  if (op.startsWith('Numeric') || op.startsWith('Date')) {
    const read = op.startsWith('Numeric') ? refNumber : refDate;
    const r = read(requestValue);
    if (r === undefined) return undefined;
    const rel = op.replace(/^(Numeric|Date)/, '');
    return policyValues.some((pv) => {
      const p = read(pv)!;
      if (rel === 'Equals') return r === p;
      if (rel === 'LessThan') return r < p;
      if (rel === 'LessThanEquals') return r <= p;
      if (rel === 'GreaterThan') return r > p;
      return r >= p;
    });
  }
  if (op === 'Bool') {
    const r = refBool(requestValue);
    if (r === undefined) return undefined;
    return policyValues.some((p) => refBool(p) === r);
  }
  // IpAddress
  if (typeof requestValue !== 'string') return undefined;
  const ip = refIp(requestValue);
  if (!ip) return undefined;
  return policyValues.some((p) => refInCidr(String(p), ip));
}

function lookup(context: AuthzRequest['context'], key: string): Scalar[] | undefined {
  // The key as written in the policy wins; otherwise the first case-insensitive match.
  const keys = Object.keys(context);
  if (keys.includes(key)) keys.unshift(key);
  for (const k of keys) {
    if (k.toLowerCase() !== key.toLowerCase()) continue;
    const v = context[k];
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [v];
    return values.length === 0 ? undefined : values;
  }
  return undefined;
}

function conditionOutcome(
  operator: string,
  key: string,
  raw: unknown,
  context: AuthzRequest['context'],
): Outcome {
  const qualifier = operator.includes(':') ? operator.split(':')[0] : undefined;
  const base = operator.includes(':') ? operator.split(':')[1]! : operator;
  const negated = base in NEGATED;
  const pos = NEGATED[base] ?? base;
  const policyValues = (Array.isArray(raw) ? raw : [raw]) as Scalar[];
  const values = lookup(context, key);
  if (values === undefined) {
    if (qualifier === 'ForAllValues') return 'unknown';
    if (qualifier === 'ForAnyValue') return 'missing';
    return negated ? 'unknown' : 'missing';
  }
  const tests: boolean[] = [];
  for (const v of values) {
    const t = positive(pos, v, policyValues);
    if (t === undefined) return 'unknown';
    tests.push(t);
  }
  let result: boolean;
  if (qualifier === 'ForAnyValue') result = tests.some((t) => t !== negated);
  else if (qualifier === 'ForAllValues') result = tests.every((t) => t !== negated);
  else result = tests.some((t) => t) !== negated;
  return result ? 'true' : 'false';
}

// ---------------------------------------------------------------- principals

function namesOf(p: RequestPrincipal): string[] {
  if (p.kind === 'account') return [`acs:ram::${p.accountId}:root`, p.accountId];
  if (p.kind === 'user') {
    return [
      `acs:ram::${p.accountId}:root`,
      p.accountId,
      `acs:ram::${p.accountId}:user/${p.userName}`,
      p.userId,
    ].filter((n) => n !== '');
  }
  if (p.kind === 'role-session') {
    return [
      `acs:ram::${p.accountId}:root`,
      p.accountId,
      `acs:ram::${p.accountId}:role/${p.roleName}`,
      `acs:ram::${p.accountId}:assumed-role/${p.roleName}/${p.sessionName}`,
      `arn:sts::${p.accountId}:assumed-role/${p.roleName}/${p.sessionName}`,
      p.roleId,
    ].filter((n) => n !== '');
  }
  return [];
}

function principalMatches(
  element: unknown,
  p: RequestPrincipal | undefined,
): { matches: boolean; any: boolean } {
  if (element === '*') return { matches: true, any: true };
  const entries: { type: string; value: string }[] = [];
  if (typeof element === 'string' || Array.isArray(element)) {
    for (const e of list(element)) entries.push({ type: 'RAM', value: e });
  } else {
    for (const [type, v] of Object.entries(element as Record<string, unknown>)) {
      for (const e of list(v)) entries.push({ type, value: e });
    }
  }
  // A `*` entry in a bucket policy list means everyone.
  if (
    entries.some((e) => e.type === 'RAM' && e.value === '*') &&
    (typeof element === 'string' || Array.isArray(element))
  ) {
    return { matches: true, any: true };
  }
  if (p === undefined || p.kind === 'anonymous') return { matches: false, any: false };
  const matches = entries.some((e) => {
    if (e.type === 'Service')
      return p.kind === 'service' && refGlob(e.value.toLowerCase(), p.service.toLowerCase());
    if (e.type === 'Federated') return p.kind === 'federated' && refGlob(e.value, p.provider);
    if (p.kind === 'service' || p.kind === 'federated') return false;
    return e.value === '*' || namesOf(p).some((n) => refGlob(e.value, n));
  });
  return { matches, any: false };
}

// ---------------------------------------------------------------- evaluation

/** Evaluates one set of policies the slow, obvious way. */
export function referenceEvaluate(
  request: AuthzRequest,
  policies: ReferencePolicy[],
  opts: { resourceOwnerAccountId?: string } = {},
): EvalResult {
  const denies: StatementRef[] = [];
  const allows: StatementRef[] = [];
  const errors: EvalResult['errors'] = [];
  for (const policy of policies) {
    const doc = JSON.parse(policy.text) as { Statement: unknown };
    const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Record<
      string,
      any
    >[];
    statements.forEach((st, index) => {
      const ref: StatementRef = {
        policyName: policy.name,
        policyType: policy.type,
        statementIndex: index,
        effect: st.Effect,
      };
      if (policy.version !== undefined) ref.version = policy.version;
      if (st.Sid !== undefined) ref.sid = st.Sid;

      const action = request.action.toLowerCase();
      const actionHit = (pats: unknown) => list(pats).some((p) => refGlob(p.toLowerCase(), action));
      if (st.Action !== undefined && !actionHit(st.Action)) return;
      if (st.NotAction !== undefined && actionHit(st.NotAction)) return;
      const resourceHit = (pats: unknown) => list(pats).some((p) => refGlob(p, request.resource));
      if (st.Resource !== undefined && !resourceHit(st.Resource)) return;
      if (st.NotResource !== undefined && resourceHit(st.NotResource)) return;
      // A bucket statement without Principal is read as `"*"` (validate.ts, ImplicitPrincipal).
      const stPrincipal = st.Principal ?? (policy.kind === 'bucket' ? '*' : undefined);
      if (stPrincipal !== undefined) {
        const m = principalMatches(stPrincipal, request.principal);
        if (!m.matches) return;
        const ownerRoot =
          request.principal?.kind === 'account' &&
          opts.resourceOwnerAccountId !== undefined &&
          request.principal.accountId === opts.resourceOwnerAccountId;
        if (policy.kind === 'bucket' && m.any && st.Condition === undefined && ownerRoot) return;
        if (
          policy.kind === 'bucket' &&
          m.any &&
          st.Condition !== undefined &&
          Object.keys(st.Condition).length === 0 &&
          ownerRoot
        )
          return;
      }
      const outcomes: Outcome[] = [];
      for (const [operator, body] of Object.entries(
        (st.Condition ?? {}) as Record<string, Record<string, unknown>>,
      )) {
        for (const [key, raw] of Object.entries(body)) {
          const o = conditionOutcome(operator, key, raw, request.context ?? {});
          outcomes.push(o);
          if (o === 'missing' || o === 'unknown') {
            errors.push({ statement: ref, message: `${operator} ${key} ${o}` });
          }
        }
      }
      if (outcomes.includes('false') || outcomes.includes('missing')) return;
      if (st.Effect === 'Deny') denies.push(ref);
      else if (!outcomes.includes('unknown')) allows.push(ref);
    });
  }
  if (denies.length > 0) return { decision: 'explicit-deny', reasons: denies, errors };
  if (allows.length > 0) return { decision: 'allow', reasons: allows, errors };
  return { decision: 'implicit-deny', reasons: [], errors };
}

/** The reference combination of policy sets (see evaluate.ts for the rules it restates). */
export function referenceAuthorize(
  request: AuthzRequest,
  sets: {
    identity: ReferencePolicy[];
    session?: ReferencePolicy[];
    resource?: ReferencePolicy[];
    resourceOwnerAccountId?: string;
    isRoot?: boolean;
  },
): Pick<EvalResult, 'decision' | 'reasons'> {
  const p = request.principal;
  const owner = sets.resourceOwnerAccountId;
  const hasResource = (sets.resource ?? []).length > 0;
  const hasSession = sets.session !== undefined;
  const resource = hasResource
    ? referenceEvaluate(request, sets.resource!, { resourceOwnerAccountId: owner })
    : undefined;
  const account = p && 'accountId' in p ? p.accountId : undefined;
  const owns = owner === undefined || account === undefined || account === owner;
  const root = (sets.isRoot ?? p?.kind === 'account') && owns;
  if (root) {
    if (resource?.decision === 'explicit-deny')
      return { decision: 'explicit-deny', reasons: resource.reasons };
    return { decision: 'allow', reasons: [] };
  }
  const anonymous = p?.kind === 'anonymous';
  const session = hasSession ? referenceEvaluate(request, sets.session!) : undefined;
  const identity = anonymous
    ? { decision: 'implicit-deny', reasons: [] as StatementRef[] }
    : referenceEvaluate(request, sets.identity);
  const denies = [session, identity, resource].flatMap((r) =>
    r && r.decision === 'explicit-deny' ? r.reasons : [],
  );
  if (denies.length > 0) return { decision: 'explicit-deny', reasons: denies };
  if (session && session.decision !== 'allow') return { decision: 'implicit-deny', reasons: [] };
  const callerAccount = p && 'accountId' in p ? p.accountId : undefined;
  const sameAccount =
    p === undefined ||
    (callerAccount !== undefined && (owner === undefined || owner === callerAccount));
  const identityAllows = !anonymous && sameAccount && identity.decision === 'allow';
  const resourceAllows = resource?.decision === 'allow';
  if (!identityAllows && !resourceAllows) return { decision: 'implicit-deny', reasons: [] };
  return {
    decision: 'allow',
    reasons: [
      ...(session?.reasons ?? []),
      ...(identityAllows ? identity.reasons : []),
      ...(resourceAllows ? resource!.reasons : []),
    ],
  };
}
