/**
 * @module CORS rule matching without regular expressions: several `*` in an AllowedHeader (the
 * case that used to build a backtracking `RegExp` over the request's header) match as before, `?`
 * and regular-expression characters are literal, and a pathological rule against a 16 KiB
 * requested header is answered (the test finishes only if nothing backtracks).
 */
import { describe, expect, it } from 'vitest';
import { matchCorsRule } from './cors.js';

const rule = (allowedOrigins: string[], allowedHeaders: string[]) => ({
  allowedOrigins,
  allowedMethods: ['GET'],
  allowedHeaders,
  exposeHeaders: [],
});

describe('CORS wildcards', () => {
  it('matches several `*` in an AllowedHeader, case-insensitively', () => {
    const rules = [rule(['*'], ['x-*-meta-*'])];
    expect(matchCorsRule(rules, 'https://a', 'GET', ['x-oss-meta-a'])).toBe(rules[0]);
    expect(matchCorsRule(rules, 'https://a', 'GET', ['X-OSS-META-A'])).toBe(rules[0]);
    expect(matchCorsRule(rules, 'https://a', 'GET', ['x-oss-meta'])).toBeUndefined();
  });

  it('treats `?` and regular-expression characters literally', () => {
    const rules = [rule(['https://a.example.com'], ['x-?-*', 'a.b*'])];
    expect(matchCorsRule(rules, 'https://a.example.com', 'GET', ['x-?-1'])).toBe(rules[0]);
    expect(matchCorsRule(rules, 'https://a.example.com', 'GET', ['x-y-1'])).toBeUndefined();
    expect(matchCorsRule(rules, 'https://a.example.com', 'GET', ['axb'])).toBeUndefined();
    expect(matchCorsRule(rules, 'https://aXexample.com', 'GET')).toBeUndefined();
  });

  it('answers a pathological AllowedHeader against a long requested header', () => {
    const rules = [rule(['*'], ['*a*a*a*a*a*a*a*a*x'])];
    expect(matchCorsRule(rules, 'https://a', 'GET', ['a'.repeat(16 * 1024)])).toBeUndefined();
    expect(matchCorsRule(rules, 'https://a', 'GET', ['a'.repeat(16 * 1024) + 'x'])).toBe(rules[0]);
  });
});
