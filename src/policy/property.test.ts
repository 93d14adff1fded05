/**
 * @module Property tests: random policies and requests, drawn from small pools so that wildcards,
 * conditions, missing keys and type mismatches collide often, must get the same decision, the same
 * deciding statements and the same unevaluable statements from the engine and from the reference
 * evaluator (reference.ts). 12,000 cases per run. The pools include Resources with many
 * wildcards, `StringLike` patterns that backtrack badly in a regular expression, and condition
 * values at and just over the length `StringLike` compares.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import { authorize, evaluate, type PolicyRef } from './evaluate.js';
import {
  referenceAuthorize,
  referenceEvaluate,
  refGlob,
  type ReferencePolicy,
} from './reference.js';
import type { AuthzRequest, EvalResult, PolicyKind, RequestPrincipal } from './types.js';
import { globMatch, MAX_LIKE_VALUE_LENGTH } from './wildcard.js';

const RUNS = 3000;

// ------------------------------------------------------------------ pools

const REQUEST_ACTIONS = [
  'oss:GetObject',
  'oss:GetObjectAcl',
  'oss:PutObject',
  'oss:ListObjects',
  'OSS:getobject',
  'ram:CreateRole',
  'ram:PassRole',
  'sts:AssumeRole',
  'ecs:DescribeInstances',
  'ecs:RunInstances',
];
const ACTION_PATTERNS = [
  '*',
  'oss:*',
  'oss:Get*',
  'oss:GetObject',
  'oss:Get?bject',
  'oss:*Object*',
  'OSS:GETOBJECT*',
  '*:Describe*',
  'ram:*Role',
  'sts:AssumeRole',
  'ecs:Describe?nstances',
  'ecs:*',
];
const REQUEST_RESOURCES = [
  'acs:oss:*:111:bucket',
  'acs:oss:*:111:bucket/a.txt',
  'acs:oss:*:111:bucket/dir/b.txt',
  'acs:oss:*:111:Bucket/A.txt',
  'acs:oss:*:222:other/x',
  'acs:ram:*:111:role/app',
  'acs:ecs:cn-hangzhou:111:instance/i-1',
  'acs:oss:*:111:bucket/logs/a/b/c/d.gz',
  'acs:oss:*:111:bucket/logs/a/b/c/d.gz/e',
  '',
];
const RESOURCE_PATTERNS = [
  '*',
  'acs:oss:*:*:bucket',
  'acs:oss:*:*:bucket/*',
  'acs:oss:*:*:bucket*',
  'acs:oss:*:111:*',
  'acs:oss:*:*:bucket/?.txt',
  'acs:oss:*:*:*/dir/*',
  'acs:ram:*:111:role/*',
  'acs:*:*:*:*',
  'acs:ecs:*:*:instance/i-?',
  'acs:oss:*:*:bucket/logs/*/*/*/*.gz',
  'acs:oss:*:*:*/*?*/*',
];
const OSS_RESOURCE_PATTERNS = RESOURCE_PATTERNS.filter((r) => r.startsWith('acs:oss:'));

type Scalar = string | number | boolean;
const FAMILIES: { operators: string[]; keys: string[]; values: Scalar[] }[] = [
  {
    operators: [
      'StringEquals',
      'StringNotEquals',
      'StringEqualsIgnoreCase',
      'StringNotEqualsIgnoreCase',
      'StringLike',
      'StringNotLike',
    ],
    keys: ['oss:Prefix', 'acs:TagKeys', 'acs:ResourceTag/team', 'sts:ExternalId'],
    values: ['a', 'b', 'dev', 'Dev', 'a*', '*', '?', 'dev/*', '', 1, '*a*a*x', '*a?a*'],
  },
  {
    operators: [
      'NumericEquals',
      'NumericNotEquals',
      'NumericLessThan',
      'NumericLessThanEquals',
      'NumericGreaterThan',
      'NumericGreaterThanEquals',
    ],
    keys: ['oss:max-keys'],
    values: [0, 10, '10', '100', -1, '2.5'],
  },
  {
    operators: [
      'DateEquals',
      'DateNotEquals',
      'DateLessThan',
      'DateLessThanEquals',
      'DateGreaterThan',
      'DateGreaterThanEquals',
    ],
    keys: ['acs:CurrentTime'],
    values: [
      '2025-01-01T00:00:00Z',
      '2025-06-01T12:00:00+08:00',
      '2024-12-31T23:59:59',
      '2025-01-01',
    ],
  },
  {
    operators: ['Bool'],
    keys: ['acs:SecureTransport', 'acs:MFAPresent'],
    values: [true, false, 'true', 'FALSE'],
  },
  {
    operators: ['IpAddress', 'NotIpAddress'],
    keys: ['acs:SourceIp'],
    values: [
      '10.0.0.0/8',
      '10.1.2.3',
      '192.168.0.0/16',
      '0.0.0.0/0',
      '2001:db8::/32',
      '::1',
      '10.0.0.0/32',
    ],
  },
];

// Values at and just over the length `StringLike` compares (longer: the condition is unknown).
const LONG_AT_BOUND = 'a'.repeat(MAX_LIKE_VALUE_LENGTH - 1) + 'x';
const LONG_OVER_BOUND = 'a'.repeat(MAX_LIKE_VALUE_LENGTH) + 'x';

const CONTEXT_VALUES: Record<string, (string | number | boolean | string[] | undefined)[]> = {
  'acs:SourceIp': [
    '10.1.2.3',
    '192.168.5.5',
    '8.8.8.8',
    '::1',
    '2001:db8::5',
    '::ffff:10.0.0.1',
    'garbage',
    ['10.0.0.1', '8.8.8.8'],
  ],
  'acs:CurrentTime': [
    '2025-01-01T00:00:00Z',
    '2024-06-01T00:00:00Z',
    '2025-06-01T04:00:00Z',
    'nope',
    1735689600000,
    '2025-01-01',
  ],
  'acs:SecureTransport': ['true', 'false', true, false, 'maybe'],
  'acs:MFAPresent': ['true', false, undefined],
  'oss:Prefix': ['a', 'dev/x', 'Dev', '', 'b', ['a', 'dev'], LONG_AT_BOUND, LONG_OVER_BOUND],
  'oss:max-keys': ['10', 5, '100', 'abc', 2.5, '1e1', -1],
  'acs:TagKeys': [['a', 'b'], ['dev'], [], 'a', ['x', 'dev']],
  'acs:ResourceTag/team': ['dev', 'DEV', 'a'],
  'sts:ExternalId': ['a', 'abcd', ['a', LONG_OVER_BOUND]],
};

const PRINCIPALS: (RequestPrincipal | undefined)[] = [
  undefined,
  { kind: 'anonymous' },
  { kind: 'account', accountId: '111' },
  { kind: 'account', accountId: '222' },
  { kind: 'user', accountId: '111', userName: 'alice', userId: '9001' },
  { kind: 'user', accountId: '222', userName: 'bob', userId: '9002' },
  { kind: 'role-session', accountId: '111', roleName: 'app', roleId: '8001', sessionName: 's1' },
  {
    kind: 'role-session',
    accountId: '222',
    roleName: 'reader',
    roleId: '8002',
    sessionName: 'job',
  },
  { kind: 'service', service: 'ecs.aliyuncs.com' },
  { kind: 'federated', provider: 'acs:ram::111:saml-provider/idp' },
];

const BUCKET_PRINCIPALS: unknown[] = [
  '*',
  ['*'],
  ['111'],
  ['111', '222'],
  ['9001'],
  ['arn:sts::*:assumed-role/*/*'],
  ['arn:sts::222:assumed-role/reader/*'],
  ['acs:ram::111:user/alice'],
  { RAM: ['acs:ram::111:root'] },
];
const TRUST_PRINCIPALS: unknown[] = [
  '*',
  { RAM: 'acs:ram::111:root' },
  { RAM: ['acs:ram::222:user/bob', 'acs:ram::111:role/app'] },
  { RAM: ['*'] },
  { RAM: ['8001'] },
  { Service: ['ecs.aliyuncs.com'] },
  { Service: 'ECS.*' },
  { Federated: 'acs:ram::111:saml-provider/*' },
  { RAM: 'acs:ram::111:root', Service: 'fc.aliyuncs.com' },
];

// ------------------------------------------------------------------ arbitraries

const oneOrList = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof(arb, fc.array(arb, { minLength: 1, maxLength: 3 })) as fc.Arbitrary<T | T[]>;

const conditionArb: fc.Arbitrary<Record<string, Record<string, Scalar | Scalar[]>>> = fc
  .array(
    fc
      .tuple(
        fc.constantFrom(...FAMILIES),
        fc.constantFrom('', '', '', 'ForAnyValue:', 'ForAllValues:'),
        fc.nat(),
        fc.nat(),
      )
      .chain(([family, qualifier, o, k]) =>
        fc.tuple(
          fc.constant(qualifier + family.operators[o % family.operators.length]!),
          fc.constant(family.keys[k % family.keys.length]!),
          oneOrList(fc.constantFrom(...family.values)),
        ),
      ),
    { minLength: 0, maxLength: 3 },
  )
  .map((entries) => {
    const out: Record<string, Record<string, Scalar | Scalar[]>> = {};
    for (const [op, key, value] of entries) (out[op] ??= {})[key] = value;
    return out;
  });

function statementArb(kind: PolicyKind): fc.Arbitrary<Record<string, unknown>> {
  const resources = kind === 'bucket' ? OSS_RESOURCE_PATTERNS : RESOURCE_PATTERNS;
  const actions =
    kind === 'trust'
      ? ['sts:AssumeRole', 'sts:*', '*', 'sts:Assume?ole', 'ram:PassRole']
      : ACTION_PATTERNS;
  return fc
    .record({
      effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      notAction: fc.boolean(),
      action: oneOrList(fc.constantFrom(...actions)),
      notResource: fc.constantFrom(false, false, false, true),
      resource: oneOrList(fc.constantFrom(...resources)),
      sid: fc.option(fc.constantFrom('A', 'B', 'Deny1'), { nil: undefined }),
      condition: fc.option(conditionArb, { nil: undefined }),
      principal: fc.constantFrom(...(kind === 'trust' ? TRUST_PRINCIPALS : BUCKET_PRINCIPALS)),
    })
    .map((r) => {
      const st: Record<string, unknown> = { Effect: r.effect };
      if (r.sid !== undefined) st.Sid = r.sid;
      st[r.notAction ? 'NotAction' : 'Action'] = r.action;
      if (kind !== 'trust') st[r.notResource ? 'NotResource' : 'Resource'] = r.resource;
      if (kind === 'trust' || kind === 'bucket') st.Principal = r.principal;
      if (r.condition !== undefined) st.Condition = r.condition;
      return st;
    });
}

function policyArb(kind: PolicyKind): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(statementArb(kind), { minLength: 1, maxLength: 5 }),
      fc.integer({ min: 0, max: 9 }),
    )
    .map(([statements, shape]) =>
      JSON.stringify({
        Version: '1',
        Statement: shape === 0 && statements.length === 1 ? statements[0] : statements,
      }),
    );
}

const contextArb: fc.Arbitrary<AuthzRequest['context']> = fc
  .array(
    fc.tuple(
      fc.constantFrom(...Object.keys(CONTEXT_VALUES)),
      fc.nat(),
      fc.constantFrom('same', 'same', 'upper', 'lower'),
    ),
    { maxLength: 6 },
  )
  .map((entries) => {
    const ctx: AuthzRequest['context'] = {};
    for (const [key, i, casing] of entries) {
      const pool = CONTEXT_VALUES[key]!;
      const name =
        casing === 'upper' ? key.toUpperCase() : casing === 'lower' ? key.toLowerCase() : key;
      ctx[name] = pool[i % pool.length];
    }
    return ctx;
  });

const requestArb: fc.Arbitrary<AuthzRequest> = fc
  .record({
    action: fc.constantFrom(...REQUEST_ACTIONS),
    resource: fc.constantFrom(...REQUEST_RESOURCES),
    principal: fc.constantFrom(...PRINCIPALS),
    context: contextArb,
  })
  .map((r) => {
    const req: AuthzRequest = { action: r.action, resource: r.resource, context: r.context };
    if (r.principal !== undefined) req.principal = r.principal;
    return req;
  });

// ------------------------------------------------------------------ helpers

const TYPE: Record<PolicyKind, PolicyRef['type']> = {
  identity: 'Custom',
  session: 'Session',
  trust: 'Trust',
  bucket: 'Bucket',
};

function both(
  texts: string[],
  kind: PolicyKind,
  prefix: string,
): { engine: PolicyRef[]; reference: ReferencePolicy[] } {
  const engine: PolicyRef[] = [];
  const reference: ReferencePolicy[] = [];
  texts.forEach((text, i) => {
    const r = compilePolicy(text, kind);
    if (!r.ok)
      throw new Error(
        `generator produced an invalid ${kind} policy: ${JSON.stringify(r.diagnostics)}\n${text}`,
      );
    const name = `${prefix}${i}`;
    engine.push({ name, type: TYPE[kind], version: 'v1', policy: r.policy });
    reference.push({ name, type: TYPE[kind], version: 'v1', kind, text });
  });
  return { engine, reference };
}

function key(r: Pick<EvalResult, 'decision' | 'reasons'> & { errors?: EvalResult['errors'] }) {
  return {
    decision: r.decision,
    reasons: r.reasons.map((s) => `${s.policyName}#${s.statementIndex}:${s.effect}:${s.sid ?? ''}`),
    errors: r.errors?.map((e) => `${e.statement.policyName}#${e.statement.statementIndex}`),
  };
}

// ------------------------------------------------------------------ properties

describe('engine agrees with the reference evaluator', () => {
  it('identity policies (evaluate)', () => {
    fc.assert(
      fc.property(
        fc.array(policyArb('identity'), { minLength: 1, maxLength: 3 }),
        requestArb,
        (texts, request) => {
          const { engine, reference } = both(texts, 'identity', 'P');
          expect(key(evaluate(request, engine))).toEqual(
            key(referenceEvaluate(request, reference)),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('bucket policies (evaluate with an owner)', () => {
    fc.assert(
      fc.property(
        fc.array(policyArb('bucket'), { minLength: 1, maxLength: 2 }),
        requestArb,
        fc.constantFrom(undefined, '111', '222'),
        (texts, request, owner) => {
          const { engine, reference } = both(texts, 'bucket', 'B');
          const opts = owner === undefined ? {} : { resourceOwnerAccountId: owner };
          expect(key(evaluate(request, engine, opts))).toEqual(
            key(referenceEvaluate(request, reference, opts)),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('trust policies (evaluate)', () => {
    fc.assert(
      fc.property(policyArb('trust'), requestArb, (text, request) => {
        const { engine, reference } = both([text], 'trust', 'T');
        expect(key(evaluate(request, engine))).toEqual(key(referenceEvaluate(request, reference)));
      }),
      { numRuns: RUNS },
    );
  });

  it('combined sets (authorize)', () => {
    fc.assert(
      fc.property(
        fc.array(policyArb('identity'), { maxLength: 2 }),
        fc.array(policyArb('session'), { maxLength: 1 }),
        fc.array(policyArb('bucket'), { maxLength: 1 }),
        requestArb,
        fc.constantFrom(undefined, '111', '222'),
        fc.constantFrom(undefined, undefined, true, false),
        (identityTexts, sessionTexts, bucketTexts, request, owner, isRoot) => {
          const identity = both(identityTexts, 'identity', 'I');
          const session = both(sessionTexts, 'session', 'S');
          const bucket = both(bucketTexts, 'bucket', 'B');
          const sets = {
            identity: identity.engine,
            session: session.engine,
            resource: bucket.engine,
          } as Parameters<typeof authorize>[1];
          const refSets = {
            identity: identity.reference,
            session: session.reference,
            resource: bucket.reference,
          } as Parameters<typeof referenceAuthorize>[1];
          if (owner !== undefined)
            sets.resourceOwnerAccountId = refSets.resourceOwnerAccountId = owner;
          if (isRoot !== undefined) sets.isRoot = refSets.isRoot = isRoot;
          const got = authorize(request, sets);
          const want = referenceAuthorize(request, refSets);
          expect({ decision: got.decision, reasons: key(got).reasons }).toEqual({
            decision: want.decision,
            reasons: key({ ...want, errors: [] }).reasons,
          });
          expect(got.explanation).not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('wildcards agree with the reference glob on arbitrary strings', () => {
    const alphabet = fc.constantFrom('a', 'b', '/', ':', '*', '?', '.', 'é', '\n');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 8 }),
        fc.array(alphabet, { maxLength: 10 }),
        (p, s) => {
          const pattern = p.join('');
          const input = s.join('').replace(/[*?]/g, 'x');
          expect(globMatch(pattern, input)).toBe(refGlob(pattern, input));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
