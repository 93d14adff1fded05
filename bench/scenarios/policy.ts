/**
 * @module Policy decision in process: yunbox's engine (`benchDecision()` in src/policy/bench.ts, a
 * 10-statement identity policy with wildcards, a Deny and an `IpAddress` condition) against
 * `@cedar-policy/cedar-wasm` deciding the same request on an equivalent Cedar policy set,
 * pre-parsed once (`preparsePolicySet` + `statefulIsAuthorized`, Cedar's fastest JS path).
 *
 * Equivalence: Alibaba's wildcard actions and resources become `like` patterns on context
 * strings (Cedar entity ids have no wildcards), the `IpAddress` condition `ip(...).isInRange`.
 * Cedar has no single-character wildcard, so statement 5's `ecs-?-role` is `ecs-*-role` there.
 * Before timing, both engines must agree on a handful of requests (allow, explicit deny, failed
 * condition, no match).
 *
 * Two more rows give the worst-case decision times wildcards allow (no baseline; see
 * `worstCaseRows`).
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { BENCH_POLICY, BENCH_REQUEST, benchDecision } from '../../src/policy/bench.js';
import { benchWorstCases } from '../../src/policy/bench-worst.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { authorize, type PolicyRef } from '../../src/policy/evaluate.js';
import type { AuthzRequest } from '../../src/policy/types.js';
import { summarize } from '../lib/stats.js';
import type { BenchContext, Row, Scenario } from '../lib/types.js';

/** BENCH_POLICY in Cedar, statement by statement. */
export const CEDAR_POLICIES = `
permit (principal, action, resource)
  when { context.action like "ecs:Describe*" || context.action like "ecs:List*" };
permit (principal, action, resource)
  when { context.action like "vpc:Describe*" && context.resource like "acs:vpc:*:*:*" };
permit (principal, action, resource)
  when { (context.action like "ram:Get*" || context.action like "ram:List*")
         && context.resource like "acs:ram:*:1234567890123456:*" };
permit (principal, action == Action::"sts:AssumeRole", resource)
  when { context.resource like "acs:ram:*:1234567890123456:role/app-*" };
permit (principal, action == Action::"ram:PassRole", resource)
  when { context.resource like "acs:ram:*:1234567890123456:role/ecs-*-role" };
permit (principal, action == Action::"oss:ListBuckets", resource)
  when { context.resource like "acs:oss:*:1234567890123456:*" };
permit (principal, action, resource)
  when { (context.action == "oss:ListObjects" || context.action like "oss:GetBucket*")
         && context.resource like "acs:oss:*:*:data-*" };
permit (principal, action, resource)
  when { (context.action like "oss:Get*" || context.action like "oss:Head*")
         && (context.resource like "acs:oss:*:*:data-*/reports/*"
             || context.resource like "acs:oss:*:*:data-*/public/*")
         && (ip(context.sourceIp).isInRange(ip("10.0.0.0/8"))
             || ip(context.sourceIp).isInRange(ip("192.168.0.0/16"))
             || ip(context.sourceIp).isInRange(ip("2001:db8::/32"))) };
permit (principal, action == Action::"oss:PutObject", resource)
  when { context.resource like "acs:oss:*:*:data-*/uploads/*" };
forbid (principal, action, resource)
  when { context.action like "oss:Delete*" || context.action like "ram:Delete*" };
`;

const POLICY_SET_ID = 'yunbox-bench';

function cedarCall(r: AuthzRequest): cedar.StatefulAuthorizationCall {
  return {
    principal: { type: 'User', id: 'analyst' },
    action: { type: 'Action', id: r.action },
    resource: { type: 'Resource', id: r.resource },
    context: {
      action: r.action,
      resource: r.resource,
      sourceIp: String(r.context?.['acs:SourceIp'] ?? '0.0.0.0'),
      secureTransport: true,
    },
    preparsedPolicySetId: POLICY_SET_ID,
    entities: [],
  };
}

function cedarDecide(call: cedar.StatefulAuthorizationCall): 'allow' | 'deny' {
  const a = cedar.statefulIsAuthorized(call);
  if (a.type !== 'success') throw new Error(`cedar failed: ${JSON.stringify(a.errors)}`);
  return a.response.decision;
}

function variant(action: string, resource: string, ip = '10.20.30.40'): AuthzRequest {
  return {
    ...BENCH_REQUEST,
    action,
    resource,
    context: { ...BENCH_REQUEST.context, 'acs:SourceIp': ip },
  };
}

/** Requests both engines must decide alike before anything is timed. */
const AGREEMENT: AuthzRequest[] = [
  BENCH_REQUEST,
  variant(BENCH_REQUEST.action, BENCH_REQUEST.resource, '8.8.8.8'),
  variant('oss:DeleteObject', 'acs:oss:*:1234567890123456:data-eu/reports/x'),
  variant('sts:AssumeRole', 'acs:ram:*:1234567890123456:role/app-web'),
  variant('sts:AssumeRole', 'acs:ram:*:1234567890123456:role/admin'),
  variant('ram:PassRole', 'acs:ram:*:1234567890123456:role/ecs-a-role'),
  variant('oss:PutObject', 'acs:oss:*:1234567890123456:data-x/uploads/a'),
  variant('oss:PutObject', 'acs:oss:*:1234567890123456:data-x/reports/a'),
  variant('ecs:DescribeInstances', 'acs:ecs:cn-hangzhou:1234567890123456:instance/i-1'),
];

/** ns per Cedar decision over `iterations` calls. */
function timeCedar(call: cedar.StatefulAuthorizationCall, iterations: number): number {
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (cedarDecide(call) === 'allow') allowed++;
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  if (allowed !== iterations) throw new Error('cedar did not allow the benchmark request');
  return ns;
}

/** The scenario. */
export const policy: Scenario = {
  id: 'policy',
  title: 'policy decision in process: yunbox engine vs @cedar-policy/cedar-wasm; worst wildcards',
  async run(ctx) {
    const { settings } = ctx;
    const parsed = cedar.preparsePolicySet(POLICY_SET_ID, { staticPolicies: CEDAR_POLICIES });
    if (parsed.type !== 'success') {
      throw new Error(`Cedar policy set does not parse: ${JSON.stringify(parsed.errors)}`);
    }
    const compiled = compilePolicy(BENCH_POLICY, 'identity');
    if (!compiled.ok) throw new Error('benchmark policy does not compile');
    const ref: PolicyRef = {
      name: 'Bench',
      type: 'Custom',
      version: 'v1',
      policy: compiled.policy,
    };
    const sets = { identity: [ref], resourceOwnerAccountId: '1234567890123456' };
    for (const r of AGREEMENT) {
      const ours = authorize(r, sets).decision === 'allow' ? 'allow' : 'deny';
      const theirs = cedarDecide(cedarCall(r));
      if (ours !== theirs) {
        throw new Error(`engines disagree on ${r.action} ${r.resource}: ${ours} vs ${theirs}`);
      }
    }
    ctx.log(`  both engines agree on ${AGREEMENT.length} requests`);
    const call = cedarCall(BENCH_REQUEST);
    timeCedar(call, Math.min(2000, settings.cedarIterations));
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      ours.push(benchDecision(settings.policyIterations, 1));
      theirs.push(timeCedar(call, settings.cedarIterations));
      ctx.log(
        `  round ${round + 1}/${settings.rounds}: yunbox ${(ours.at(-1)! / 1000).toFixed(2)} µs, ` +
          `cedar ${(theirs.at(-1)! / 1000).toFixed(2)} µs`,
      );
    }
    const y = summarize(ours.map((ns) => ({ value: ns / 1000 })));
    const c = summarize(theirs.map((ns) => ({ value: ns / 1000 })));
    const row: Row = {
      scenario: 'policy',
      name: 'policy decision, 10 statements, wildcards + IpAddress (in process)',
      unit: 'µs',
      status: 'ok',
      yunbox: y,
      baseline: { name: `cedar-wasm ${cedar.getCedarVersion()} (pre-parsed)`, stat: c },
      ratio: y.median / c.median,
      goals: [
        { kind: 'at-most', value: 5, text: '≤ 5 µs' },
        { kind: 'below-baseline', text: 'faster than Cedar' },
      ],
    };
    return [row, ...worstCaseRows(ctx)];
  },
};

/**
 * The slowest decisions wildcards allow (src/policy/bench-worst.ts), against 1 KiB values: the
 * worst single pattern per round (patterns a backtracking matcher took seconds on, and patterns
 * with the most wildcards validation accepts), and a 2 KiB session policy filled with the worst
 * `StringLike` pattern. No baseline: the backtracking matcher they replace does not finish.
 */
function worstCaseRows(ctx: BenchContext): Row[] {
  const { settings } = ctx;
  const timings = benchWorstCases(settings.rounds, settings.quick ? 50 : 200);
  for (const t of timings) ctx.log(`  ${t.name}: ${t.us.toFixed(1)} µs`);
  const whole = timings.at(-1)!;
  const single = timings.slice(0, -1);
  const worstPerRound = whole.rounds.map((_, r) => Math.max(...single.map((t) => t.rounds[r]!)));
  const worst = single.reduce((a, b) => (b.us > a.us ? b : a));
  return [
    {
      scenario: 'policy',
      name: 'policy decision, worst wildcard pattern vs 1 KiB values (in process)',
      unit: 'µs',
      status: 'ok',
      yunbox: summarize(worstPerRound.map((us) => ({ value: us }))),
      goals: [{ kind: 'at-most', value: 1000, text: '≤ 1 ms' }],
      note: `slowest of ${single.length}: ${worst.name}`,
    },
    {
      scenario: 'policy',
      name: 'policy decision, 2 KiB session policy of worst StringLike patterns (in process)',
      unit: 'ms',
      status: 'ok',
      yunbox: summarize(whole.rounds.map((us) => ({ value: us / 1000 }))),
      goals: [{ kind: 'at-most', value: 2, text: '≤ 2 ms' }],
      note: whole.name,
    },
  ];
}
