/**
 * @module Time and ETag formats of OSS responses (oss.md §7).
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  etagFromMd5,
  httpDate,
  isoMillis,
  multipartEtag,
  normalizeEtag,
  urlEncodeKey,
} from './oss-format.js';

// oss2/utils.py: _ISO8601_RE and _HTTP_GMT_RE, the parsers these formats must satisfy.
const OSS2_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;
const OSS2_GMT =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

describe('times', () => {
  it('RFC 1123 with a two-digit day', () => {
    expect(httpDate(Date.UTC(2025, 0, 1))).toBe('Wed, 01 Jan 2025 00:00:00 GMT');
    expect(httpDate(Date.parse('2025-01-02T03:04:05.999Z'))).toBe('Thu, 02 Jan 2025 03:04:05 GMT');
    expect(httpDate(Date.now())).toMatch(OSS2_GMT);
  });

  it('ISO with exactly .000Z', () => {
    expect(isoMillis(Date.UTC(2025, 0, 1, 0, 0, 0, 789))).toBe('2025-01-01T00:00:00.000Z');
    expect(isoMillis(Date.now())).toMatch(OSS2_ISO);
  });
});

describe('etags', () => {
  const md5 = createHash('md5').update('hello oss').digest();

  it('simple: upper-case hex in quotes', () => {
    expect(etagFromMd5(md5)).toBe('"337B33C02F89493026843983FF272A30"');
    expect(etagFromMd5('337b33c02f89493026843983ff272a30')).toBe(
      '"337B33C02F89493026843983FF272A30"',
    );
    expect(() => etagFromMd5('xyz')).toThrow(TypeError);
    expect(() => etagFromMd5(new Uint8Array(3))).toThrow(TypeError);
  });

  it('multipart: md5 of the binary part md5s, then -<count>', () => {
    const a = createHash('md5').update('a').digest();
    const b = createHash('md5').update('b').digest();
    const expected = createHash('md5')
      .update(Buffer.concat([a, b]))
      .digest('hex')
      .toUpperCase();
    expect(multipartEtag([a, b])).toBe(`"${expected}-2"`);
    expect(multipartEtag([etagFromMd5(a), `"${b.toString('hex')}"`])).toBe(`"${expected}-2"`);
  });

  it('normalizeEtag strips quotes and case', () => {
    expect(normalizeEtag(' "3349dc70" ')).toBe('3349DC70');
    expect(normalizeEtag('W/"ab"')).toBe('AB');
    expect(normalizeEtag('ab')).toBe('AB');
  });
});

describe('encoding-type=url', () => {
  it('percent-encodes like encodeURIComponent: %20 for space, %2B for plus, %2F for slash', () => {
    expect(urlEncodeKey('a/b c+d.txt')).toBe('a%2Fb%20c%2Bd.txt');
    expect(urlEncodeKey('目录/')).toBe('%E7%9B%AE%E5%BD%95%2F');
    expect(urlEncodeKey('bad\uD800')).toBe('bad%EF%BF%BD');
  });
});
