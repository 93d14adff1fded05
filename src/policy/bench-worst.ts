/**
 * @module Micro-benchmark of the slowest decisions wildcards allow: patterns that a backtracking
 * matcher took seconds on (a `logs/` Resource with six `*`, `*a*a*a*a*x`), patterns with the most
 * wildcards validation accepts, and a long `?` segment that keeps the whole shift-and state busy,
 * all against 1 KiB values, each decided through `authorize` as the services call it; and a whole
 * 2 KiB session policy filled with the densest `StringLike` pattern. The benchmarks call
 * {@link benchWorstCases}; tests only check it runs.
 */
import { compilePolicy } from './compile.js';
import { authorize, type PolicySets } from './evaluate.js';
import type { AuthzRequest, EvalResult, PolicyKind } from './types.js';
import { MAX_PATTERN_WILDCARDS, countWildcards } from './wildcard.js';

const ACCOUNT = '1234567890123456';
const BUCKET = 'bench-logs';

/** One pathological decision: the policies, the request and the decision it must get. */
export interface WorstCase {
  name: string;
  sets: PolicySets;
  request: AuthzRequest;
  expected: EvalResult['decision'];
}

function ref(text: string, kind: PolicyKind, name: string) {
  const r = compilePolicy(text, kind);
  // INVARIANT: every benchmark document keeps the validation limits.
  if (!r.ok) throw new Error(`benchmark ${kind} policy \`${name}\` does not compile`);
  const type = kind === 'bucket' ? 'Bucket' : kind === 'session' ? 'Session' : 'Custom';
  return { name, type, policy: r.policy } as const;
}

function bucketPolicy(resource: string, condition?: Record<string, unknown>): string {
  return JSON.stringify({
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Principal: ['*'],
        Action: ['oss:GetObject'],
        Resource: [resource],
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });
}

/** `*` then `a?` pairs then `x*`, with `total` wildcards before `prefix`'s own. */
function densePattern(prefix: string, total: number): string {
  const own = countWildcards(prefix);
  const pairs = total - own - 2;
  return `${prefix}*${'a?'.repeat(pairs)}x*`;
}

/**
 * The cases, against values of `valueLength` characters (1 KiB in the benchmark).
 * @example
 * for (const c of worstCases()) authorize(c.request, c.sets);
 */
export function worstCases(valueLength = 1024): WorstCase[] {
  const objectArn = (key: string) => `acs:oss:*:${ACCOUNT}:${BUCKET}/${key}`;
  const anonymous = (resource: string, userAgent?: string): AuthzRequest => ({
    action: 'oss:GetObject',
    resource,
    principal: { kind: 'anonymous' },
    context: userAgent === undefined ? {} : { 'acs:UserAgent': userAgent },
  });
  const bucket = (text: string, name: string): PolicySets => ({
    identity: [],
    resource: [ref(text, 'bucket', name)],
    resourceOwnerAccountId: ACCOUNT,
  });
  const logKey = 'logs/' + 'a/'.repeat(Math.floor((valueLength - 5) / 2));
  const flatKey = 'a'.repeat(valueLength);
  const userAgent = 'a'.repeat(valueLength);
  const likeMax = densePattern('', MAX_PATTERN_WILDCARDS);
  // Half the value's length, all of it live in the shift-and state at every step.
  const longSegment = `*${'a?'.repeat(7)}${'a'.repeat(valueLength / 2 - 15)}x*`;

  // A session policy as long as AssumeRole takes, filled with the densest StringLike pattern.
  const values: string[] = [];
  const session = (vs: string[]) =>
    JSON.stringify({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'oss:GetObject',
          Resource: '*',
          Condition: { StringLike: { 'acs:UserAgent': vs } },
        },
      ],
    });
  while (session([...values, likeMax]).length <= 2048) values.push(likeMax);
  const allowAll = JSON.stringify({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }],
  });

  // The last case is the whole session policy; the others are one pattern each.
  return [
    {
      name: `Resource \`${BUCKET}/logs/*/*/*/*.gz\`, key of ${logKey.length}`,
      sets: bucket(bucketPolicy(`acs:oss:*:*:${BUCKET}/logs/*/*/*/*.gz`), 'logs'),
      request: anonymous(objectArn(logKey)),
      expected: 'implicit-deny',
    },
    {
      name: `StringLike \`*a*a*a*a*x\` on a User-Agent of ${valueLength}`,
      sets: bucket(
        bucketPolicy(`acs:oss:*:*:${BUCKET}/*`, {
          StringLike: { 'acs:UserAgent': '*a*a*a*a*x' },
        }),
        'ua',
      ),
      request: anonymous(objectArn('k'), userAgent),
      expected: 'implicit-deny',
    },
    {
      name: `Resource with ${MAX_PATTERN_WILDCARDS} wildcards, key of ${flatKey.length}`,
      sets: bucket(
        bucketPolicy(densePattern(`acs:oss:*:*:${BUCKET}/`, MAX_PATTERN_WILDCARDS)),
        'dense-resource',
      ),
      request: anonymous(objectArn(flatKey)),
      expected: 'implicit-deny',
    },
    {
      name: `StringLike with ${MAX_PATTERN_WILDCARDS} wildcards on a User-Agent of ${valueLength}`,
      sets: bucket(
        bucketPolicy(`acs:oss:*:*:${BUCKET}/*`, { StringLike: { 'acs:UserAgent': likeMax } }),
        'dense-ua',
      ),
      request: anonymous(objectArn('k'), userAgent),
      expected: 'implicit-deny',
    },
    {
      name: `StringLike with a ${longSegment.length - 2}-character segment of \`a\` and \`?\` on a User-Agent of ${valueLength}`,
      sets: bucket(
        bucketPolicy(`acs:oss:*:*:${BUCKET}/*`, {
          StringLike: { 'acs:UserAgent': longSegment },
        }),
        'long-ua',
      ),
      request: anonymous(objectArn('k'), userAgent),
      expected: 'implicit-deny',
    },
    {
      name: `2 KiB session policy of ${values.length} StringLike values with ${MAX_PATTERN_WILDCARDS} wildcards`,
      sets: {
        identity: [ref(allowAll, 'identity', 'all')],
        session: [ref(session(values), 'session', 'session')],
        resourceOwnerAccountId: ACCOUNT,
      },
      request: {
        action: 'oss:GetObject',
        resource: objectArn('k'),
        principal: {
          kind: 'role-session',
          accountId: ACCOUNT,
          roleName: 'r',
          roleId: '1',
          sessionName: 's',
        },
        context: { 'acs:UserAgent': userAgent },
      },
      expected: 'implicit-deny',
    },
  ];
}

/** One case's figures: microseconds per decision, per round and their median. */
export interface WorstCaseTiming {
  name: string;
  us: number;
  rounds: number[];
}

/**
 * Measures each case: microseconds per decision in each of `rounds` rounds of at least
 * `minRoundMs` (after one such round of warm-up), and their median, after checking that every
 * case gets its expected decision.
 * @example
 * for (const c of benchWorstCases(3, 50)) console.log(`${c.name}: ${c.us.toFixed(1)} µs`);
 */
export function benchWorstCases(
  rounds = 5,
  minRoundMs = 100,
  valueLength = 1024,
): WorstCaseTiming[] {
  const out: WorstCaseTiming[] = [];
  for (const c of worstCases(valueLength)) {
    const got = authorize(c.request, c.sets).decision;
    if (got !== c.expected) throw new Error(`${c.name}: ${got}, expected ${c.expected}`);
    const round = (): number => {
      let n = 0;
      let elapsed = 0;
      const start = process.hrtime.bigint();
      while (elapsed < minRoundMs * 1e6 || n === 0) {
        authorize(c.request, c.sets);
        n++;
        elapsed = Number(process.hrtime.bigint() - start);
      }
      return elapsed / n / 1000;
    };
    round();
    const samples: number[] = [];
    for (let r = 0; r < rounds; r++) samples.push(round());
    const sorted = samples.slice().sort((a, b) => a - b);
    out.push({ name: c.name, us: sorted[Math.floor(sorted.length / 2)]!, rounds: samples });
  }
  return out;
}
