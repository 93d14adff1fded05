/**
 * @module Unit tests of write-time validation messages, locations and normalisation, of the limits
 * on wildcard patterns, and of kind guessing.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import { evaluate } from './evaluate.js';
import { guessPolicyKind, validatePolicyText } from './validate.js';
import { countWildcards, MAX_PATTERN_LENGTH, MAX_PATTERN_WILDCARDS } from './wildcard.js';

function diagnostics(doc: unknown, kind: 'identity' | 'session' | 'trust' | 'bucket' = 'identity') {
  const r = validatePolicyText(typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2), kind);
  return r.ok ? r.warnings : r.diagnostics;
}

describe('validatePolicyText', () => {
  it('normalises a valid document', () => {
    const r = validatePolicyText(
      JSON.stringify({
        Version: '1',
        Statement: [
          {
            Sid: 's',
            Effect: 'Deny',
            NotAction: 'ram:*',
            NotResource: ['acs:oss:*:*:b'],
            Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8', '::1'] } },
          },
        ],
      }),
      'identity',
    );
    expect(r).toEqual({
      ok: true,
      warnings: [],
      document: {
        version: '1',
        statements: [
          {
            index: 0,
            pointer: '/Statement/0',
            sid: 's',
            effect: 'Deny',
            notAction: ['ram:*'],
            notResource: ['acs:oss:*:*:b'],
            conditions: [
              {
                operator: 'IpAddress',
                key: 'acs:SourceIp',
                values: ['10.0.0.0/8', '::1'],
                pointer: '/Statement/0/Condition/IpAddress/acs:SourceIp',
              },
            ],
          },
        ],
      },
    });
  });

  it('writes messages good enough for MalformedPolicyDocument', () => {
    const d = diagnostics({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'oss:GetObject',
          Resource: '*',
          Condition: {
            StringEqualsIfExists: { 'oss:Prefix': 'a' },
            IpAddress: { 'acs:SourceIp': '10.0.0.300' },
          },
        },
      ],
    });
    expect(d).toEqual([
      {
        code: 'UnsupportedConditionOperator',
        message:
          'the condition operator `StringEqualsIfExists` is not supported by RAM; RAM has the String, Numeric, Date, Bool and IpAddress operators',
        pointer: '/Statement/0/Condition/StringEqualsIfExists',
        line: 9,
        column: 9,
        severity: 'error',
      },
      {
        code: 'InvalidConditionValue',
        message:
          '`10.0.0.300` is not an IPv4 or IPv6 address or CIDR block (for `IpAddress` on `acs:SourceIp`)',
        pointer: '/Statement/0/Condition/IpAddress/acs:SourceIp',
        line: 13,
        column: 11,
        severity: 'error',
      },
    ]);
  });

  it('suggests the right spelling', () => {
    expect(diagnostics({ Version: '1', statement: [] }).map((d) => d.message)).toContain(
      'unknown element `statement` at the top level; a policy has `Version` and `Statement`; did you mean `Statement`?',
    );
    expect(
      diagnostics({ Version: '1', Statement: [{ Effect: 'deny', Action: '*', Resource: '*' }] })[0]!
        .message,
    ).toBe('`Effect` must be `Allow` or `Deny`, not `deny`; did you mean `Deny`?');
    expect(
      diagnostics({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { ipaddress: { 'acs:SourceIp': '1.2.3.4' } },
          },
        ],
      })[0]!.message,
    ).toBe('unknown condition operator `ipaddress`; did you mean `IpAddress`?');
    expect(
      diagnostics({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: '*',
            Resource: '*',
            Condition: { IpAddress: { 'acs:sourceIP2': '1.2.3.4' } },
          },
        ],
      })[0]!.code,
    ).toBe('UnknownConditionKey');
  });

  it('quotes user input on one line', () => {
    const d = diagnostics({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'a\nb`c', Resource: '*' }],
    });
    expect(d[0]!.message).toMatch(/^`a b'c` is not an action/);
  });
});

describe('wildcard pattern limits', () => {
  const many = 'acs:oss:*:*:b/' + '*a'.repeat(MAX_PATTERN_WILDCARDS) + '*'; // one too many
  const most = 'acs:oss:*:*:b/' + '*a'.repeat(MAX_PATTERN_WILDCARDS - 3) + '*'; // exactly the bound
  const long = 'acs:oss:*:*:b/' + 'k'.repeat(MAX_PATTERN_LENGTH);
  const allow = (extra: Record<string, unknown>) => ({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: '*', ...extra }],
  });

  it('accepts a pattern with as many wildcards as allowed', () => {
    expect(countWildcards(most)).toBe(MAX_PATTERN_WILDCARDS);
    expect(validatePolicyText(JSON.stringify(allow({ Resource: most })), 'identity').ok).toBe(true);
  });

  it('refuses too many wildcards in a Resource, naming the bound', () => {
    const d = diagnostics(allow({ Resource: ['acs:oss:*:*:b/*', many] }));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({
      code: 'TooManyWildcards',
      pointer: '/Statement/0/Resource/1',
      severity: 'error',
      line: expect.any(Number),
    });
    expect(d[0]!.message).toBe(
      `\`acs:oss:*:*:b/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*\` has ${MAX_PATTERN_WILDCARDS + 3} wildcards (\`*\` and \`?\`); a pattern may have at most ${MAX_PATTERN_WILDCARDS}`,
    );
  });

  it('refuses a pattern longer than the bound', () => {
    const d = diagnostics(allow({ NotResource: long, Resource: undefined }));
    expect(d.map((x) => [x.code, x.pointer])).toEqual([
      ['PatternTooLong', '/Statement/0/NotResource'],
    ]);
    expect(d[0]!.message).toMatch(
      new RegExp(
        `has ${long.length} characters; a pattern may have at most ${MAX_PATTERN_LENGTH}$`,
      ),
    );
  });

  it('checks Action, Principal and StringLike values too, but not StringEquals values', () => {
    const q = '?'.repeat(MAX_PATTERN_WILDCARDS + 1);
    expect(diagnostics(allow({ Action: `oss:${q}` }))[0]!.code).toBe('TooManyWildcards');
    const like = (op: string) =>
      diagnostics(allow({ Condition: { [op]: { 'acs:UserAgent': ['ok*', `*${q}`] } } }));
    expect(like('StringLike').map((x) => [x.code, x.pointer])).toEqual([
      ['TooManyWildcards', '/Statement/0/Condition/StringLike/acs:UserAgent/1'],
    ]);
    expect(like('StringNotLike')[0]!.code).toBe('TooManyWildcards');
    expect(like('ForAnyValue:StringLike').map((x) => x.code)).toContain('TooManyWildcards');
    expect(like('StringEquals')).toEqual([]);
    const trust = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: [`acs:ram::${'?'.repeat(17)}:root`] },
        },
      ],
    };
    expect(diagnostics(trust, 'trust')[0]!.code).toBe('TooManyWildcards');
    const bucket = {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'oss:GetObject',
          Resource: 'acs:oss:*:*:b/*',
          Principal: [`arn:sts::1:assumed-role/${'*x'.repeat(17)}`],
        },
      ],
    };
    expect(diagnostics(bucket, 'bucket')[0]!.code).toBe('TooManyWildcards');
  });

  it('honours a stored document over the limits when asked to (its Deny keeps denying)', () => {
    const text = JSON.stringify({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'oss:*', Resource: 'acs:oss:*:*:b/*' },
        { Effect: 'Deny', Action: 'oss:GetObject', Resource: many },
      ],
    });
    expect(compilePolicy(text, 'identity').ok).toBe(false);
    const stored = compilePolicy(text, 'identity', { patternLimits: false });
    if (!stored.ok) throw new Error('a stored document compiles without the pattern limits');
    const ref = { name: 'p', type: 'Custom' as const, policy: stored.policy };
    const request = (key: string) => ({
      action: 'oss:GetObject',
      resource: `acs:oss:*:1:b/${key}`,
      context: {},
    });
    expect(evaluate(request('x'), [ref]).decision).toBe('allow');
    expect(evaluate(request('a'.repeat(MAX_PATTERN_WILDCARDS)), [ref]).decision).toBe(
      'explicit-deny',
    );
  });
});

describe('guessPolicyKind', () => {
  it.each([
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'identity'],
    [
      '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ecs.aliyuncs.com"}}],"Version":"1"}',
      'trust',
    ],
    [
      '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":"*"}],"Version":"1"}',
      'trust',
    ],
    [
      '{"Statement":[{"Action":"oss:GetObject","Effect":"Allow","Principal":"*","Resource":"acs:oss:*:*:b/*"}],"Version":"1"}',
      'bucket',
    ],
    [
      '{"Statement":[{"Action":"oss:GetObject","Effect":"Allow","Principal":["1"],"Resource":"acs:oss:*:*:b/*"}],"Version":"1"}',
      'bucket',
    ],
    ['not json', 'identity'],
  ])('%s -> %s', (text, kind) => {
    expect(guessPolicyKind(text)).toBe(kind);
  });
});
