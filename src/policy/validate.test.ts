/**
 * @module Unit tests of write-time validation messages, locations and normalisation, and of kind guessing.
 */
import { describe, expect, it } from 'vitest';
import { guessPolicyKind, validatePolicyText } from './validate.js';

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
