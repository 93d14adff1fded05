/**
 * @module Micro-benchmark of one decision: a 10-statement identity policy with wildcards in actions
 * and resources, a Deny, and an `IpAddress` condition, evaluated through `authorize` as the
 * services call it. The benchmarks issue calls {@link benchDecision}; tests only check it runs.
 */
import { compilePolicy } from './compile.js';
import { authorize, type PolicyRef } from './evaluate.js';
import type { AuthzRequest } from './types.js';

/** The benchmark's policy document (10 statements). */
export const BENCH_POLICY = JSON.stringify({
  Version: '1',
  Statement: [
    { Effect: 'Allow', Action: ['ecs:Describe*', 'ecs:List*'], Resource: '*' },
    { Effect: 'Allow', Action: 'vpc:Describe*', Resource: 'acs:vpc:*:*:*' },
    {
      Effect: 'Allow',
      Action: ['ram:Get*', 'ram:List*'],
      Resource: 'acs:ram:*:1234567890123456:*',
    },
    {
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: 'acs:ram:*:1234567890123456:role/app-*',
    },
    {
      Effect: 'Allow',
      Action: 'ram:PassRole',
      Resource: 'acs:ram:*:1234567890123456:role/ecs-?-role',
    },
    { Effect: 'Allow', Action: ['oss:ListBuckets'], Resource: 'acs:oss:*:1234567890123456:*' },
    {
      Effect: 'Allow',
      Action: ['oss:ListObjects', 'oss:GetBucket*'],
      Resource: 'acs:oss:*:*:data-*',
    },
    {
      Sid: 'ReadFromOffice',
      Effect: 'Allow',
      Action: ['oss:Get*', 'oss:Head*'],
      Resource: ['acs:oss:*:*:data-*/reports/*', 'acs:oss:*:*:data-*/public/*'],
      Condition: {
        IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'] },
      },
    },
    { Effect: 'Allow', Action: 'oss:PutObject', Resource: 'acs:oss:*:*:data-*/uploads/*' },
    { Sid: 'NoDeletes', Effect: 'Deny', Action: ['oss:Delete*', 'ram:Delete*'], Resource: '*' },
  ],
});

/** The request decided in the benchmark (allowed by statement 7). */
export const BENCH_REQUEST: AuthzRequest = {
  action: 'oss:GetObject',
  resource: 'acs:oss:*:1234567890123456:data-eu/reports/2025/q1.csv',
  principal: {
    kind: 'user',
    accountId: '1234567890123456',
    userName: 'analyst',
    userId: '216959339000001',
  },
  context: {
    'acs:SourceIp': '10.20.30.40',
    'acs:SecureTransport': 'true',
    'acs:CurrentTime': '2025-01-15T08:30:00Z',
  },
};

/**
 * Measures nanoseconds per decision (median of several rounds after a warm-up).
 * @example
 * console.log(`${benchDecision().toFixed(0)} ns/decision`);
 */
export function benchDecision(iterations = 200_000, rounds = 5): number {
  const r = compilePolicy(BENCH_POLICY, 'identity');
  // INVARIANT: the benchmark policy is valid.
  if (!r.ok) throw new Error('benchmark policy does not compile');
  const ref: PolicyRef = { name: 'BenchPolicy', type: 'Custom', version: 'v1', policy: r.policy };
  const sets = { identity: [ref], resourceOwnerAccountId: '1234567890123456' };
  const warm = Math.min(iterations, 20_000);
  let sink = 0;
  for (let i = 0; i < warm; i++) if (authorize(BENCH_REQUEST, sets).decision === 'allow') sink++;
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++)
      if (authorize(BENCH_REQUEST, sets).decision === 'allow') sink++;
    samples.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  if (sink === 0) throw new Error('benchmark request was not allowed');
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
