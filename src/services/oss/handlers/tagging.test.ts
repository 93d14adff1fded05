import { describe, expect, it } from 'vitest';
import {
  bucketTagFilters,
  checkBucketTags,
  checkObjectTags,
  parseTaggingHeader,
} from './tagging.js';
import type { OssCall } from '../context.js';

const code = (fn: () => unknown) => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

function withQuery(q: Record<string, string>): OssCall {
  return {
    query: { get: (n: string) => q[n], has: (n: string) => n in q, names: () => Object.keys(q) },
  } as unknown as OssCall;
}

describe('x-oss-tagging', () => {
  it('reads URL-encoded pairs, a key alone meaning an empty value', () => {
    expect(parseTaggingHeader('a=1&b&c%3D=%E4%B8%AD')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '' },
      { key: 'c=', value: '中' },
    ]);
    expect(parseTaggingHeader('')).toEqual([]);
  });

  it('refuses more than one = in a pair, an empty key and bad escapes', () => {
    for (const v of ['aa=bb=cc', '=v', 'a=%E4'])
      expect(code(() => parseTaggingHeader(v))).toBe('InvalidArgument');
  });
});

describe('tag rules', () => {
  it('object tags: 10, 128/256 characters, letters of any script, unique keys', () => {
    expect(code(() => checkObjectTags([{ key: 'ключ', value: '值 +-=._:/' }]))).toBeUndefined();
    expect(code(() => checkObjectTags([{ key: 'a@b', value: '' }]))).toBe('InvalidTag');
    expect(code(() => checkObjectTags([{ key: 'k', value: 'a'.repeat(257) }]))).toBe('InvalidTag');
    const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `k${i}`, value: '' }));
    expect(code(() => checkObjectTags(eleven))).toBe('InvalidTag');
  });

  it('bucket tags: 20, 64/128 characters, no http://, https:// or Aliyun prefix', () => {
    expect(code(() => checkBucketTags([{ key: '%@abc', value: '++123%' }]))).toBeUndefined();
    expect(code(() => checkBucketTags([{ key: 'ALIYUNx', value: '' }]))).toBe('InvalidTag');
    expect(code(() => checkBucketTags([{ key: 'a'.repeat(65), value: '' }]))).toBe('InvalidTag');
  });
});

describe('ListBuckets tag filters', () => {
  it('reads tag-key/tag-value and ali-oss’s quoted form', () => {
    expect(bucketTagFilters(withQuery({}))).toBeUndefined();
    expect(bucketTagFilters(withQuery({ 'tag-key': 'a', 'tag-value': '1' }))).toEqual([
      { key: 'a', value: '1' },
    ]);
    expect(bucketTagFilters(withQuery({ tagging: '"a":"1","b"' }))).toEqual([
      { key: 'a', value: '1' },
      { key: 'b' },
    ]);
    for (const bad of ['a:1', '"a":1', '"a""b"', '"a']) {
      expect(code(() => bucketTagFilters(withQuery({ tagging: bad })))).toBe('InvalidArgument');
    }
    expect(code(() => bucketTagFilters(withQuery({ 'tag-value': '1' })))).toBe('InvalidArgument');
  });
});
