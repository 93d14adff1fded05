/**
 * @module Malformed-document fuzzing: random JSON, random text, policy-shaped garbage and random
 * mutations of valid policies must produce a result (a policy or diagnostics in house style),
 * never an exception; and whatever compiles must evaluate without throwing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, type ValidateResult } from './compile.js';
import { authorize, evaluate } from './evaluate.js';
import type { AuthzRequest, PolicyKind } from './types.js';

const KINDS: PolicyKind[] = ['identity', 'session', 'trust', 'bucket'];

const VALID = [
  '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:Get*","oss:List*"],"Resource":["acs:oss:*:*:bucket","acs:oss:*:*:bucket/*"],"Condition":{"IpAddress":{"acs:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"DateLessThan":{"acs:CurrentTime":"2026-01-01T00:00:00Z"}}},{"Sid":"D","Effect":"Deny","NotAction":"oss:Get*","Resource":"*"}]}',
  '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"RAM":["acs:ram::1234567890123456:root"],"Service":"ecs.aliyuncs.com"},"Condition":{"StringEquals":{"sts:ExternalId":"abc"}}}],"Version":"1"}',
  '{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:GetObject","Principal":["*"],"Resource":"acs:oss:*:1:b/*","Condition":{"Bool":{"acs:SecureTransport":"true"},"NumericLessThan":{"oss:max-keys":100}}}]}',
];

const REQUEST: AuthzRequest = {
  action: 'oss:GetObject',
  resource: 'acs:oss:*:1:bucket/x',
  principal: { kind: 'user', accountId: '1', userName: 'u', userId: '2' },
  context: {
    'acs:SourceIp': '10.0.0.1',
    'acs:CurrentTime': '2025-01-01T00:00:00Z',
    'acs:SecureTransport': 'true',
  },
};

function checkResult(r: ValidateResult): void {
  if (r.ok) {
    expect(r.policy.statements.length).toBeGreaterThan(0);
    expect(() =>
      evaluate(REQUEST, [{ name: 'p', type: 'Custom', policy: r.policy }]),
    ).not.toThrow();
    return;
  }
  expect(r.diagnostics.length).toBeGreaterThan(0);
  for (const d of r.diagnostics) {
    expect(d.code).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(d.message).toMatch(/^[a-z`]/);
    expect(d.message).not.toMatch(/[\r\n]/);
    expect(d.message).not.toMatch(/\.$/);
    expect(d.pointer === '' || d.pointer.startsWith('/')).toBe(true);
    if (d.line !== undefined) expect(d.line).toBeGreaterThan(0);
  }
}

function compileAll(text: string): void {
  for (const kind of KINDS) checkResult(compilePolicy(text, kind));
}

const ELEMENTS = [
  'Version',
  'Statement',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'Condition',
  'Sid',
  'RAM',
  'Service',
  'Federated',
  'StringEquals',
  'IpAddress',
  'ForAnyValue:StringLike',
  'acs:SourceIp',
  'acs:CurrentTime',
];
const VALUES = [
  '1',
  'Allow',
  'Deny',
  '*',
  'oss:*',
  'acs:oss:*:*:b/*',
  '10.0.0.0/8',
  '2025-01-01T00:00:00Z',
  'true',
  'acs:ram::1:root',
  '',
];

const policyish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...VALUES),
    fc.jsonValue({ maxDepth: 1 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...ELEMENTS), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('malformed documents never throw', () => {
  it('random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => compileAll(JSON.stringify(v) ?? 'null')),
      { numRuns: 500 },
    );
  });

  it('random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => compileAll(s)),
      { numRuns: 500 },
    );
  });

  it('policy-shaped garbage', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('Version', 'Statement', 'Id'), policyish, { maxKeys: 3 }),
        fc.array(fc.dictionary(fc.constantFrom(...ELEMENTS), policyish, { maxKeys: 6 }), {
          maxLength: 3,
        }),
        (top, statements) => {
          compileAll(JSON.stringify({ Version: '1', ...top, Statement: statements }));
          compileAll(JSON.stringify({ Version: '1', Statement: statements[0] ?? {} }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('mutations of valid policies', () => {
    const mutation = fc.oneof(
      fc.record({
        op: fc.constant('delete' as const),
        at: fc.nat(),
        len: fc.integer({ min: 1, max: 8 }),
      }),
      fc.record({
        op: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.constantFrom(
          '"',
          ',',
          '{',
          '}',
          '[',
          ']',
          ':',
          '*',
          '\\',
          '\u0000',
          'null',
          '1e999',
          '"x":',
          ' ',
        ),
      }),
      fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (base, mutations) => {
          let s = base;
          for (const m of mutations) {
            const at = m.at % (s.length + 1);
            if (m.op === 'delete') s = s.slice(0, at) + s.slice(at + m.len);
            else if (m.op === 'insert') s = s.slice(0, at) + m.text + s.slice(at);
            else if (s.length > 0) {
              const i = at % s.length;
              const j = m.with % s.length;
              const chars = [...s];
              [chars[i], chars[j]] = [chars[j]!, chars[i]!];
              s = chars.join('');
            }
          }
          compileAll(s);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('odd request contexts never throw', () => {
    const valid = VALID.map((t) => compilePolicy(t, 'identity')).filter((r) => r.ok);
    const refs = valid.map((r, i) => ({
      name: `p${i}`,
      type: 'Custom' as const,
      policy: (r as Extract<ValidateResult, { ok: true }>).policy,
    }));
    const weird = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(
        NaN,
        Infinity,
        -0,
        '',
        ' ',
        '::',
        '1.2.3.4.5',
        '9999-99-99',
        'TRUE',
        [],
        [[]],
        null,
      ),
    ) as fc.Arbitrary<any>;
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            'acs:SourceIp',
            'ACS:SOURCEIP',
            'acs:CurrentTime',
            'acs:SecureTransport',
            'oss:max-keys',
            'sts:ExternalId',
          ),
          weird,
        ),
        fc.string(),
        fc.string(),
        (context, action, resource) => {
          expect(() =>
            authorize(
              { action, resource, context, principal: { kind: 'anonymous' } },
              { identity: refs },
            ),
          ).not.toThrow();
          expect(() => evaluate({ action, resource, context }, refs)).not.toThrow();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('non-string input is a diagnostic', () => {
    for (const v of [undefined, null, 42, {}, [], Symbol('x')]) {
      const r = compilePolicy(v as unknown as string, 'identity');
      expect(r.ok).toBe(false);
    }
  });
});
