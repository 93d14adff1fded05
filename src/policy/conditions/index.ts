/**
 * @module Condition operators and keys: the operator table (five families, as RAM's "Conditional
 * operators" lists them), the known condition keys, compilation of one `Operator: {key: values}`
 * entry, and its three-valued evaluation against a request context.
 *
 * Semantics (RAM "Policy elements": several values for a key = OR, several keys under an operator
 * = AND, several operators = AND):
 * - A key is looked up case-insensitively; `undefined` or an empty array is a missing key.
 * - Positive operator, missing key: does not match (`missing`), as RAM does for `acs:MFAPresent`
 *   on AccessKey calls.
 * - Negated operator (`StringNotEquals`, `NotIpAddress`...), missing key: `unknown`. The statement
 *   then never allows, but a Deny still applies (a "deny unless from VPC x" guard keeps guarding
 *   requests that carry no VPC).
 * - A request value of the wrong type (`acs:SourceIp` = `abc`): `unknown`.
 * - Several request values without a qualifier: the positive operator matches when any value
 *   matches; a negated operator is its complement (none of the values matches).
 * - `ForAnyValue:` / `ForAllValues:` apply the operator per request value; a missing key is
 *   `missing` for ForAnyValue and `unknown` for ForAllValues (which would otherwise be vacuously true).
 */
import type { RequestContext } from '../types.js';
import { boolFamily } from './bool.js';
import { dateFamily } from './date.js';
import type { OperatorFamily, Scalar } from './family.js';
import { ipFamily } from './ip.js';
import { numericFamily } from './numeric.js';
import { stringFamily } from './string.js';

export type { Scalar } from './family.js';

/** One base operator: its family, the positive operator it negates (if any). */
export interface OperatorInfo {
  name: string;
  family: OperatorFamily<any, any>;
  /** The positive operator tested per value (`StringEquals` for `StringNotEquals`). */
  positive: string;
  negated: boolean;
}

const OPERATORS: OperatorInfo[] = [];
function op(
  name: string,
  family: OperatorFamily<any, any>,
  positive = name,
  negated = false,
): void {
  OPERATORS.push({ name, family, positive, negated });
}
op('StringEquals', stringFamily);
op('StringNotEquals', stringFamily, 'StringEquals', true);
op('StringEqualsIgnoreCase', stringFamily);
op('StringNotEqualsIgnoreCase', stringFamily, 'StringEqualsIgnoreCase', true);
op('StringLike', stringFamily);
op('StringNotLike', stringFamily, 'StringLike', true);
op('NumericEquals', numericFamily);
op('NumericNotEquals', numericFamily, 'NumericEquals', true);
op('NumericLessThan', numericFamily);
op('NumericLessThanEquals', numericFamily);
op('NumericGreaterThan', numericFamily);
op('NumericGreaterThanEquals', numericFamily);
op('DateEquals', dateFamily);
op('DateNotEquals', dateFamily, 'DateEquals', true);
op('DateLessThan', dateFamily);
op('DateLessThanEquals', dateFamily);
op('DateGreaterThan', dateFamily);
op('DateGreaterThanEquals', dateFamily);
op('Bool', boolFamily);
op('IpAddress', ipFamily);
op('NotIpAddress', ipFamily, 'IpAddress', true);

const BY_NAME = new Map(OPERATORS.map((o) => [o.name, o]));

/** Every base operator RAM supports, in documentation order. */
export const CONDITION_OPERATORS: readonly string[] = OPERATORS.map((o) => o.name);

/** Set qualifiers accepted in front of an operator. */
export type Qualifier = 'ForAnyValue' | 'ForAllValues';

/** The result of reading an operator name as written in a policy. */
export type ParsedOperator =
  | { ok: true; info: OperatorInfo; qualifier?: Qualifier }
  | { ok: false; reason: 'unsupported' | 'unknown'; suggestion?: string };

/**
 * Reads `StringEquals`, `ForAnyValue:StringLike`... Operator names are case-sensitive. `...IfExists`
 * and `Null` are reported as unsupported: RAM rejects them ("The condition operator ... is not
 * supported", field report in ../shared/spec/openapi.md f.3) and its operator list has neither.
 * @example
 * parseOperator('ForAllValues:StringLike'); // { ok: true, info: ..., qualifier: 'ForAllValues' }
 */
export function parseOperator(written: string): ParsedOperator {
  let base = written;
  let qualifier: Qualifier | undefined;
  const colon = written.indexOf(':');
  if (colon >= 0) {
    const q = written.slice(0, colon);
    if (q !== 'ForAnyValue' && q !== 'ForAllValues') {
      const fixed = ['ForAnyValue', 'ForAllValues'].find(
        (x) => x.toLowerCase() === q.toLowerCase(),
      );
      return fixed
        ? { ok: false, reason: 'unknown', suggestion: `${fixed}:${written.slice(colon + 1)}` }
        : { ok: false, reason: 'unknown' };
    }
    qualifier = q;
    base = written.slice(colon + 1);
  }
  const info = BY_NAME.get(base);
  if (info) return qualifier ? { ok: true, info, qualifier } : { ok: true, info };
  if (base === 'Null' || (base.endsWith('IfExists') && BY_NAME.has(base.slice(0, -8)))) {
    return { ok: false, reason: 'unsupported' };
  }
  const lower = base.toLowerCase();
  const near = CONDITION_OPERATORS.find((n) => n.toLowerCase() === lower);
  if (near)
    return { ok: false, reason: 'unknown', suggestion: (qualifier ? `${qualifier}:` : '') + near };
  return { ok: false, reason: 'unknown' };
}

/** Value type of a known condition key; `undefined` for keys the engine does not know. */
export type KeyType = 'string' | 'ip' | 'bool' | 'date';

/** Condition keys with a fixed name. Sources: RAM "Policy elements", OSS "RAM Policy" overview. */
const KNOWN_KEYS: Record<string, KeyType> = {
  'acs:sourceip': 'ip',
  'acs:securetransport': 'bool',
  'acs:currenttime': 'date',
  'acs:mfapresent': 'bool',
  'acs:sourcevpc': 'string',
  'acs:accessid': 'string',
  'acs:useragent': 'string',
  'acs:tagkeys': 'string',
  // The service a role is passed to (`ram:PassRole`), as system policies such as
  // AliyunFCFullAccess condition it.
  'acs:service': 'string',
  // The service of a service-linked role (`ram:CreateServiceLinkedRole`).
  'ram:servicename': 'string',
  'oss:prefix': 'string',
  'oss:delimiter': 'string',
  'sts:externalid': 'string',
};

/** Key families with a variable suffix (`acs:ResourceTag/<tag-key>`). */
const KNOWN_KEY_PREFIXES: [string, KeyType][] = [
  ['acs:resourcetag/', 'string'],
  ['acs:requesttag/', 'string'],
  ['oss:buckettag/', 'string'],
  ['oss:existingobjecttag/', 'string'],
  ['oss:requestobjecttag/', 'string'],
  ['ecs:tag/', 'string'],
  ['rds:resourcetag/', 'string'],
  ['saml:', 'string'],
  ['oidc:', 'string'],
];

/**
 * Classifies a condition key: `known` with its type, `unknown-global` (an `acs:` key RAM does not
 * define: an error) or `unknown-service` (a service key the engine does not know: a warning).
 * @example
 * classifyKey('ACS:SourceIp'); // { status: 'known', type: 'ip' }
 */
export function classifyKey(
  key: string,
):
  | { status: 'known'; type: KeyType }
  | { status: 'unknown-global' }
  | { status: 'unknown-service' } {
  const lower = key.toLowerCase();
  const t = KNOWN_KEYS[lower];
  if (t) return { status: 'known', type: t };
  for (const [prefix, type] of KNOWN_KEY_PREFIXES) {
    if (lower.startsWith(prefix) && lower.length > prefix.length) return { status: 'known', type };
  }
  return lower.startsWith('acs:') ? { status: 'unknown-global' } : { status: 'unknown-service' };
}

/** The canonical spelling of the global keys, for messages and suggestions. */
export const GLOBAL_CONDITION_KEYS: readonly string[] = [
  'acs:SourceIp',
  'acs:SecureTransport',
  'acs:CurrentTime',
  'acs:MFAPresent',
  'acs:SourceVpc',
  'acs:AccessId',
  'acs:UserAgent',
  'acs:TagKeys',
  'acs:Service',
  'acs:ResourceTag/<tag-key>',
  'acs:RequestTag/<tag-key>',
];

/** The family a known key type goes with. */
export function familyForKeyType(t: KeyType): string {
  switch (t) {
    case 'ip':
      return 'IpAddress';
    case 'bool':
      return 'Bool';
    case 'date':
      return 'Date';
    case 'string':
      return 'String';
  }
}

/** One compiled `Operator: { key: values }` pair. */
export interface CompiledCondition {
  /** Operator as written, e.g. `ForAnyValue:StringLike`. */
  operator: string;
  /** Key as written, e.g. `acs:SourceIp`. */
  key: string;
  keyLower: string;
  info: OperatorInfo;
  qualifier: Qualifier | undefined;
  /** Positive per-value test. */
  test: (requestValue: any) => boolean;
  /** Longest string request value `test` is given; longer ones make the outcome `unknown`. */
  maxValueLength: number;
}

/** Three-valued result of one condition; `missing` is a definite non-match that is reported. */
export type ConditionOutcome = 'true' | 'false' | 'missing' | 'unknown';

/**
 * Compiles one condition whose values were already validated.
 * @example
 * compileCondition('IpAddress', 'acs:SourceIp', ['10.0.0.0/8']);
 */
export function compileCondition(
  operator: string,
  key: string,
  values: readonly Scalar[],
): CompiledCondition {
  const parsed = parseOperator(operator);
  if (!parsed.ok) throw new Error(`unsupported operator reached compile: ${operator}`);
  const family = parsed.info.family;
  const policyValues = values.map((v) => {
    const r = family.parsePolicyValue(v);
    if (!r.ok) throw new Error(`invalid value reached compile: ${String(v)}`);
    return r.value;
  });
  return {
    operator,
    key,
    keyLower: key.toLowerCase(),
    info: parsed.info,
    qualifier: parsed.qualifier,
    test: family.compileTest(parsed.info.positive, policyValues),
    maxValueLength: family.maxRequestValueLength?.(parsed.info.positive) ?? Infinity,
  };
}

/**
 * Looks a key up in the context, case-insensitively; returns the values (never empty) or
 * `undefined` when missing.
 */
export function lookupContext(
  context: RequestContext,
  key: string,
  keyLower: string,
): Scalar[] | undefined {
  let v = context[key];
  if (v === undefined) {
    for (const k in context) {
      if (k.toLowerCase() === keyLower) {
        v = context[k];
        if (v !== undefined) break;
      }
    }
  }
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : v;
  return [v];
}

/** Formats a request value for a message: at most 64 characters, on one line, no backticks. */
function show(v: Scalar): string {
  const s = String(v);
  const short = s.length > 64 ? `${s.slice(0, 61)}...` : s;
  // Control characters (a newline from a decoded `prefix` query parameter) would split the
  // explanation an error message and the log carry.
  let out = '';
  for (const ch of short) {
    const c = ch.charCodeAt(0);
    out += c < 32 || c === 127 ? ' ' : ch === '`' ? "'" : ch;
  }
  return out;
}

const TRUE: { outcome: ConditionOutcome } = Object.freeze({ outcome: 'true' });
const FALSE: { outcome: ConditionOutcome } = Object.freeze({ outcome: 'false' });

/**
 * Evaluates one compiled condition; `note` explains `missing` and `unknown` outcomes.
 */
export function evaluateCondition(
  c: CompiledCondition,
  context: RequestContext,
): { outcome: ConditionOutcome; note?: string } {
  const values = lookupContext(context, c.key, c.keyLower);
  if (values === undefined) {
    const note = `condition \`${c.operator}\` on \`${c.key}\`: the key is missing from the request`;
    if (c.qualifier === 'ForAllValues') return { outcome: 'unknown', note };
    if (c.qualifier === 'ForAnyValue') return { outcome: 'missing', note };
    return { outcome: c.info.negated ? 'unknown' : 'missing', note };
  }
  const family = c.info.family;
  const negated = c.info.negated;
  if (values.length === 1) {
    // With one request value, the plain operator and both qualifiers agree.
    const p = family.parseRequestValue(values[0]!);
    if (p === undefined) return mismatch(c, values[0]!);
    if (typeof p === 'string' && p.length > c.maxValueLength) return tooLong(c, p);
    return c.test(p) !== negated ? TRUE : FALSE;
  }
  const parsed: unknown[] = [];
  for (const v of values) {
    const p = family.parseRequestValue(v);
    if (p === undefined) return mismatch(c, v);
    if (typeof p === 'string' && p.length > c.maxValueLength) return tooLong(c, p);
    parsed.push(p);
  }
  let result: boolean;
  if (c.qualifier === 'ForAnyValue') {
    result = parsed.some((p) => c.test(p) !== negated);
  } else if (c.qualifier === 'ForAllValues') {
    result = parsed.every((p) => c.test(p) !== negated);
  } else {
    result = parsed.some((p) => c.test(p)) !== negated;
  }
  return result ? TRUE : FALSE;
}

function tooLong(c: CompiledCondition, v: string): { outcome: ConditionOutcome; note: string } {
  return {
    outcome: 'unknown',
    note: `condition \`${c.operator}\` on \`${c.key}\`: request value \`${show(v)}\` has ${v.length} characters; it compares values of at most ${c.maxValueLength}`,
  };
}

function mismatch(c: CompiledCondition, v: Scalar): { outcome: ConditionOutcome; note: string } {
  return {
    outcome: 'unknown',
    note: `condition \`${c.operator}\` on \`${c.key}\`: request value \`${show(v)}\` is not ${c.info.family.requestValueDescription}`,
  };
}
