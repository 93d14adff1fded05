/**
 * @module Unit tests of the condition families: IP, date, number and boolean readers, operator parsing, three-valued evaluation.
 */
import { describe, expect, it } from 'vitest';
import { parseBool } from './bool.js';
import { parseIsoDate } from './date.js';
import { MAX_LIKE_VALUE_LENGTH } from '../wildcard.js';
import { compileCondition, evaluateCondition, lookupContext, parseOperator } from './index.js';
import { cidrContains, parseCidr, parseIp, parseIpv4, parseIpv6 } from './ip.js';
import { parseNumber } from './numeric.js';

describe('IP addresses', () => {
  it('parses IPv4 strictly', () => {
    expect(parseIpv4('10.0.0.1')).toBe(167772161);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of [
      '256.0.0.1',
      '10.0.0',
      '10.0.0.1.1',
      '010.0.0.1',
      '1.2.3.-4',
      ' 1.2.3.4',
      '1.2.3.4 ',
    ]) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
  });

  it('parses IPv6 forms', () => {
    expect(parseIpv6('::')).toBe(0n);
    expect(parseIpv6('::1')).toBe(1n);
    expect(parseIpv6('1::')).toBe(1n << 112n);
    expect(parseIpv6('2001:db8::1')).toBe(parseIpv6('2001:0db8:0000:0000:0000:0000:0000:0001'));
    expect(parseIpv6('::ffff:1.2.3.4')).toBe((0xffffn << 32n) | 0x01020304n);
    expect(parseIpv6('1:2:3:4:5:6:1.2.3.4')).toBeDefined();
    for (const bad of [
      '1::2::3',
      ':1',
      '1:',
      '12345::',
      '1:2:3:4:5:6:7:8:9',
      'fe80::1%eth0',
      '1.2.3.4::',
      'g::',
      '1:2:3:4:5:6:7::8',
    ]) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
  });

  it('treats IPv4-mapped IPv6 as IPv4', () => {
    expect(parseIp('::ffff:10.1.2.3')).toEqual({ v: 4, n: parseIpv4('10.1.2.3') });
    expect(parseIp('::ffff:a01:203')).toEqual({ v: 4, n: parseIpv4('10.1.2.3') });
    expect(parseIp('::a01:203')?.v).toBe(6);
  });

  it('contains', () => {
    const c = parseCidr('10.1.2.3/8')!;
    expect(cidrContains(c, parseIp('10.255.0.1')!)).toBe(true);
    expect(cidrContains(c, parseIp('11.0.0.0')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('1.2.3.4')!)).toBe(true);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('::1')!)).toBe(false);
    expect(cidrContains(parseCidr('::/0')!, parseIp('2001:db8::1')!)).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::/127')!, parseIp('2001:db8::1')!)).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::/128')!, parseIp('2001:db8::1')!)).toBe(false);
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/08',
      '::/129',
      'x/8',
      '10.0.0.0/8/8',
    ]) {
      expect(parseCidr(bad), bad).toBeUndefined();
    }
  });
});

describe('dates', () => {
  it('reads ISO 8601 as UTC unless an offset is given', () => {
    expect(parseIsoDate('2012-11-11T23:59:59Z')).toBe(Date.UTC(2012, 10, 11, 23, 59, 59));
    expect(parseIsoDate('2012-11-11T23:59:59')).toBe(Date.UTC(2012, 10, 11, 23, 59, 59));
    expect(parseIsoDate('2012-11-12T07:59:59+08:00')).toBe(Date.UTC(2012, 10, 11, 23, 59, 59));
    expect(parseIsoDate('2012-11-11T18:59:59-0500')).toBe(Date.UTC(2012, 10, 11, 23, 59, 59));
    expect(parseIsoDate('2012-11-11')).toBe(Date.UTC(2012, 10, 11));
    expect(parseIsoDate('2012-11-11T23:59:59.1234Z')).toBe(Date.UTC(2012, 10, 11, 23, 59, 59, 123));
    expect(parseIsoDate('0050-01-01T00:00:00Z')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
    expect(parseIsoDate('2024-02-29T00:00:00Z')).toBeDefined();
  });

  it('rejects impossible or other formats', () => {
    for (const bad of [
      '2023-02-29',
      '2025-13-01',
      '2025-01-32',
      '2025-01-01T24:00:00Z',
      '2025-01-01T00:60:00Z',
      '2025-01-01T00:00:60Z',
      'Jan 1 2025',
      '1735689600',
      '2025-01-01T00:00:00+25:00',
      '2025-1-1',
    ]) {
      expect(parseIsoDate(bad), bad).toBeUndefined();
    }
  });
});

describe('numbers and booleans', () => {
  it('reads numbers', () => {
    expect(parseNumber('10')).toBe(10);
    expect(parseNumber('-2.5e1')).toBe(-25);
    expect(parseNumber(' 10')).toBeUndefined();
    expect(parseNumber('0x10')).toBeUndefined();
    expect(parseNumber('')).toBeUndefined();
    expect(parseNumber(Infinity)).toBeUndefined();
    expect(parseNumber(true)).toBeUndefined();
  });
  it('reads booleans', () => {
    expect(parseBool('True')).toBe(true);
    expect(parseBool(false)).toBe(false);
    expect(parseBool('1')).toBeUndefined();
    expect(parseBool(1)).toBeUndefined();
  });
});

describe('operators', () => {
  it('parses qualifiers and rejects IfExists and Null', () => {
    expect(parseOperator('ForAllValues:StringLike')).toMatchObject({
      ok: true,
      qualifier: 'ForAllValues',
    });
    expect(parseOperator('StringEqualsIfExists')).toEqual({ ok: false, reason: 'unsupported' });
    expect(parseOperator('ForAnyValue:NotIpAddressIfExists')).toEqual({
      ok: false,
      reason: 'unsupported',
    });
    expect(parseOperator('Null')).toEqual({ ok: false, reason: 'unsupported' });
    expect(parseOperator('numericlessthan')).toEqual({
      ok: false,
      reason: 'unknown',
      suggestion: 'NumericLessThan',
    });
    expect(parseOperator('foranyvalue:StringLike')).toEqual({
      ok: false,
      reason: 'unknown',
      suggestion: 'ForAnyValue:StringLike',
    });
    expect(parseOperator('Nope')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('looks keys up case-insensitively, preferring the written spelling', () => {
    expect(
      lookupContext({ 'ACS:SOURCEIP': '1', 'acs:SourceIp': '2' }, 'acs:SourceIp', 'acs:sourceip'),
    ).toEqual(['2']);
    expect(
      lookupContext(
        { 'ACS:SOURCEIP': '1', 'acs:SourceIp': undefined },
        'acs:SourceIp',
        'acs:sourceip',
      ),
    ).toEqual(['1']);
    expect(lookupContext({ k: [] }, 'k', 'k')).toBeUndefined();
  });

  it('evaluates three-valued outcomes', () => {
    const eq = compileCondition('StringEquals', 'k:x', ['a']);
    const ne = compileCondition('StringNotEquals', 'k:x', ['a']);
    const all = compileCondition('ForAllValues:StringEquals', 'k:x', ['a']);
    const ip = compileCondition('IpAddress', 'acs:SourceIp', ['10.0.0.0/8']);
    expect(evaluateCondition(eq, {}).outcome).toBe('missing');
    expect(evaluateCondition(ne, {}).outcome).toBe('unknown');
    expect(evaluateCondition(all, {}).outcome).toBe('unknown');
    expect(evaluateCondition(eq, { 'k:x': 'a' }).outcome).toBe('true');
    expect(evaluateCondition(ne, { 'k:x': ['b', 'a'] }).outcome).toBe('false');
    expect(evaluateCondition(all, { 'k:x': ['a', 'a'] }).outcome).toBe('true');
    expect(evaluateCondition(ip, { 'acs:SourceIp': 'x' })).toEqual({
      outcome: 'unknown',
      note: 'condition `IpAddress` on `acs:SourceIp`: request value `x` is not an IP address',
    });
    expect(evaluateCondition(ip, { 'acs:SourceIp': 7 }).outcome).toBe('unknown');
    expect(evaluateCondition(ip, { 'acs:SourceIp': 'a\nb`c' }).note).toBe(
      "condition `IpAddress` on `acs:SourceIp`: request value `a b'c` is not an IP address",
    );
  });

  it('makes `*Like` unknown on a value longer than the bound, fail closed', () => {
    const like = compileCondition('StringLike', 'acs:UserAgent', ['*a*a*a*a*x']);
    const notLike = compileCondition('StringNotLike', 'acs:UserAgent', ['*curl*']);
    const eq = compileCondition('StringEquals', 'acs:UserAgent', ['x']);
    const atBound = 'a'.repeat(MAX_LIKE_VALUE_LENGTH - 1) + 'x';
    const over = 'a'.repeat(MAX_LIKE_VALUE_LENGTH) + 'x';
    expect(evaluateCondition(like, { 'acs:UserAgent': atBound }).outcome).toBe('true');
    const r = evaluateCondition(like, { 'acs:UserAgent': over });
    expect(r.outcome).toBe('unknown');
    expect(r.note).toBe(
      `condition \`StringLike\` on \`acs:UserAgent\`: request value \`${'a'.repeat(61)}...\` has ${MAX_LIKE_VALUE_LENGTH + 1} characters; it compares values of at most ${MAX_LIKE_VALUE_LENGTH}`,
    );
    // A padded value neither matches StringLike nor escapes a StringNotLike Deny.
    expect(evaluateCondition(notLike, { 'acs:UserAgent': 'curl/8 ' + over }).outcome).toBe(
      'unknown',
    );
    expect(
      evaluateCondition(notLike, { 'acs:UserAgent': ['ok', 'b'.repeat(128 * 1024)] }).outcome,
    ).toBe('unknown');
    // Equality operators are linear and keep comparing long values.
    expect(evaluateCondition(eq, { 'acs:UserAgent': over }).outcome).toBe('false');
  });
});
