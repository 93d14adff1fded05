/**
 * @module Unit tests of wildcard matching for actions (case-insensitive) and ARNs (case-sensitive).
 */
import { describe, expect, it } from 'vitest';
import {
  compilePatterns,
  globMatch,
  globToRegexSource,
  matchesAction,
  matchesArn,
} from './wildcard.js';

describe('wildcards', () => {
  it('matches actions case-insensitively', () => {
    expect(matchesAction('oss:Get*', 'oss:GetObjectAcl')).toBe(true);
    expect(matchesAction('oss:Get*', 'oss:GetObject')).toBe(true);
    expect(matchesAction('oss:Get*', 'oss:PutObject')).toBe(false);
    expect(matchesAction('OSS:GETOBJECT', 'oss:getobject')).toBe(true);
    expect(matchesAction('*', 'anything:at-all')).toBe(true);
    expect(matchesAction('ecs:?tart*', 'ecs:StartInstance')).toBe(true);
  });

  it('matches ARNs case-sensitively, bucket vs objects', () => {
    expect(matchesArn('acs:oss:*:*:bucket/*', 'acs:oss:*:123:bucket/a/b')).toBe(true);
    expect(matchesArn('acs:oss:*:*:bucket/*', 'acs:oss:*:123:bucket')).toBe(false);
    expect(matchesArn('acs:oss:*:*:bucket*', 'acs:oss:*:123:bucket')).toBe(true);
    expect(matchesArn('acs:oss:*:*:bucket/*', 'acs:oss:*:123:Bucket/a')).toBe(false);
    expect(matchesArn('acs:oss:*:*:b/?', 'acs:oss:*:1:b/ab')).toBe(false);
    expect(matchesArn('acs:oss:*:*:b/?', 'acs:oss:*:1:b/é')).toBe(true);
  });

  it('escapes regular-expression characters', () => {
    expect(globToRegexSource('a.b(c)[d]{e}|f+g^h$i\\j/k')).toBe(
      'a\\.b\\(c\\)\\[d\\]\\{e\\}\\|f\\+g\\^h\\$i\\\\j\\/k',
    );
    expect(globMatch('a.b', 'axb')).toBe(false);
    expect(globMatch('a(b', 'a(b')).toBe(true);
    expect(globMatch('a*', 'a\nb')).toBe(true);
  });

  it('combines exact, prefix and general patterns', () => {
    const s = compilePatterns(['x', 'y*', 'z?z', '*w']);
    expect(['x', 'y', 'yyy', 'zaz', 'w', 'aw'].every((v) => s.test(v))).toBe(true);
    expect(['xx', 'zz', 'wa', ''].some((v) => s.test(v))).toBe(false);
    expect(compilePatterns([]).test('')).toBe(false);
    expect(compilePatterns(['a', '*']).matchesAll).toBe(true);
  });
});
