import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../testing/failure.js';
import { MAX_TAGS, checkTags, hasTags, withTags, withoutTags } from './tags.js';

describe('tags', () => {
  it('are checked with the tag calls’ codes', () => {
    expect(checkTags([{ Key: 'env', Value: 'dev' }, { Key: 'team' }])).toEqual([
      { key: 'env', value: 'dev' },
      { key: 'team', value: '' },
    ]);
    const cases: Array<[Array<{ Key?: string; Value?: string }>, string]> = [
      [[{ Value: 'no key' }], 'InvalidTagKey.Malformed'],
      [[{ Key: 'k'.repeat(129) }], 'InvalidTagKey.Malformed'],
      [[{ Key: 'aliyun-owned' }], 'InvalidTagKey.Malformed'],
      [[{ Key: 'ACS:thing' }], 'InvalidTagKey.Malformed'],
      [[{ Key: 'see https://x' }], 'InvalidTagKey.Malformed'],
      [[{ Key: 'k', Value: 'v'.repeat(129) }], 'InvalidTagValue.Malformed'],
      [[{ Key: 'k', Value: 'http://x' }], 'InvalidTagValue.Malformed'],
      [[{ Key: 'k', Value: 'acs:reserved' }], 'InvalidTagValue.Malformed'],
      [[{ Key: 'k' }, { Key: 'k' }], 'Duplicate.TagKey'],
      [Array.from({ length: MAX_TAGS + 1 }, (_, i) => ({ Key: `k${i}` })), 'NumberExceed.Tags'],
    ];
    // The message names the tag at fault, also behind a good one with the same key.
    expect(() =>
      checkTags([
        { Key: 'k', Value: 'ok' },
        { Key: 'k', Value: 'https://x' },
      ]),
    ).toThrow(/Tag\.2\.Value/);
    for (const [tags, code] of cases)
      expect(
        thrownCode(() => checkTags(tags)),
        code,
      ).toBe(code);
  });

  it('merge, remove and filter without changing what they are given', () => {
    const current = Object.freeze([Object.freeze({ key: 'a', value: '1' })]);
    expect(
      withTags(
        current,
        [
          { key: 'a', value: '2' },
          { key: 'b', value: '' },
        ],
        'vpc-1',
      ),
    ).toEqual([
      { key: 'a', value: '2' },
      { key: 'b', value: '' },
    ]);
    const full = Array.from({ length: MAX_TAGS }, (_, i) => ({ key: `k${i}`, value: '' }));
    expect(thrownCode(() => withTags(full, [{ key: 'one-more', value: '' }], 'vpc-1'))).toBe(
      'OperationDenied.QuotaExceed',
    );
    expect(withTags(full, [{ key: 'k0', value: 'new' }], 'vpc-1')).toHaveLength(MAX_TAGS);
    expect(withoutTags(full, ['k0', 'nope'])).toHaveLength(MAX_TAGS - 1);
    expect(withoutTags(full, 'all')).toEqual([]);
    expect(hasTags([{ key: 'a', value: '1' }], [{ Key: 'a' }])).toBe(true);
    expect(hasTags([{ key: 'a', value: '1' }], [{ Key: 'a', Value: '2' }])).toBe(false);
    expect(hasTags([], [])).toBe(true);
  });
});
