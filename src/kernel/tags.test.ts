/**
 * @module Unit tests of the tag rules every service shares: key and value rules, per-request
 * checks, and merging (properties with fast-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TAG_LIMITS, checkTags, mergeTags, tagKeyProblem, tagValueProblem } from './tags.js';

describe('tag rules', () => {
  it('keys: 1-128 characters, not aliyun… or acs:…, no URL', () => {
    expect(tagKeyProblem('env')).toBeUndefined();
    expect(tagKeyProblem('k'.repeat(128))).toBeUndefined();
    expect(tagKeyProblem('键'.repeat(128))).toBeUndefined();
    expect(tagKeyProblem('')).toMatch(/empty/);
    expect(tagKeyProblem('k'.repeat(129))).toMatch(/128/);
    expect(tagKeyProblem('aliyunX')).toMatch(/aliyun/);
    expect(tagKeyProblem('ACS:x')).toMatch(/acs:/);
    expect(tagKeyProblem('see https://x')).toMatch(/http/);
  });

  it('values: 0-128 characters, not acs:…, no URL; aliyun… is fine', () => {
    expect(tagValueProblem('')).toBeUndefined();
    expect(tagValueProblem('aliyun-managed')).toBeUndefined();
    expect(tagValueProblem('v'.repeat(129))).toMatch(/128/);
    expect(tagValueProblem('acs:x')).toMatch(/acs:/);
    expect(tagValueProblem('http://x')).toMatch(/http/);
  });

  it('checks a request: at most 20, no repeated key, first problem reported', () => {
    const many = Array.from({ length: 21 }, (_, n) => ({ key: `k${n}`, value: '' }));
    expect(checkTags(many)).toEqual({ kind: 'too-many', count: 21 });
    expect(checkTags(many.slice(0, 20))).toBeUndefined();
    expect(
      checkTags([
        { key: 'a', value: '' },
        { key: 'a', value: 'x' },
      ]),
    ).toEqual({ kind: 'duplicate', key: 'a' });
    expect(checkTags([{ key: 'a', value: 'acs:x' }])).toMatchObject({ kind: 'value', key: 'a' });
    expect(checkTags([{ key: 'acs:a', value: '' }])).toMatchObject({ kind: 'key', key: 'acs:a' });
    expect(TAG_LIMITS.resourcesPerRequest).toBe(50);
  });

  it('merges: changed values keep their place, new keys follow, inputs untouched', () => {
    const tag = fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), value: fc.string() });
    fc.assert(
      fc.property(fc.uniqueArray(tag, { selector: (t) => t.key }), fc.array(tag), (cur, add) => {
        const before = JSON.stringify([cur, add]);
        const out = mergeTags(cur, add);
        expect(JSON.stringify([cur, add])).toBe(before);
        const keys = out.map((t) => t.key);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys.slice(0, cur.length)).toEqual(cur.map((t) => t.key));
        for (const t of out) {
          const last = [...add].reverse().find((x) => x.key === t.key);
          expect(t.value).toBe(last ? last.value : cur.find((x) => x.key === t.key)!.value);
        }
      }),
    );
  });
});
