import { describe, expect, it } from 'vitest';
import { compareKeys, contentTypeFor, isValidBucketName, keyProblem, prefixEnd } from './model.js';

describe('OSS names and key order', () => {
  it('validates bucket names as OSS does', () => {
    for (const ok of ['abc', 'example-bucket-1', 'a'.repeat(63)])
      expect(isValidBucketName(ok)).toBe(true);
    for (const bad of ['ab', 'a'.repeat(64), 'Abc', 'a_b', '-ab', 'ab-', 'a.b', '..', 'a/b']) {
      expect(isValidBucketName(bad)).toBe(false);
    }
  });

  it('refuses keys OSS refuses, and keeps hostile-looking ones as data', () => {
    expect(keyProblem('../../etc/passwd')).toBeUndefined();
    expect(keyProblem('a\\b')).toBeUndefined();
    expect(keyProblem('/etc/passwd')).toMatch(/starts with/);
    expect(keyProblem('\\x')).toMatch(/starts with/);
    expect(keyProblem('a\u0000b')).toMatch(/NUL/);
    expect(keyProblem('')).toBe('empty');
    expect(keyProblem('é'.repeat(511) + 'a')).toBeUndefined(); // 1023 bytes
    expect(keyProblem('é'.repeat(512))).toMatch(/longer/);
    expect(keyProblem('a\uD800b')).toMatch(/UTF-8/);
  });

  it('orders keys by UTF-8 bytes', () => {
    const keys = ['😀', '\uFFFD', 'a', 'B', 'é', '中'];
    expect([...keys].sort(compareKeys)).toEqual(['B', 'a', 'é', '中', '\uFFFD', '😀']);
    expect([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))).toEqual(
      [...keys].sort(compareKeys),
    );
  });

  it('computes the end of a prefix range', () => {
    expect(prefixEnd('a/')).toBe('a0');
    expect(prefixEnd('\uD7FF')).toBe('\uE000');
    expect(prefixEnd('x\u{10FFFF}')).toBe('y');
    expect(prefixEnd('')).toBeUndefined();
  });

  it('guesses content types from extensions', () => {
    expect(contentTypeFor('a/b.TXT')).toBe('text/plain');
    expect(contentTypeFor('a.b/c')).toBe('application/octet-stream');
  });
});
