/**
 * @module Addressing (oss.md §1.3-1.5) and query/path decoding for received OSS requests.
 */

import { describe, expect, it } from 'vitest';
import {
  decodePathComponent,
  headerValue,
  hostWithoutPort,
  parseOssQuery,
  parseOssTarget,
  queryValue,
  splitRequestTarget,
} from './oss-request.js';

function target(host: string | undefined, path: string, suffixes?: string[]) {
  const r = parseOssTarget(host, path, suffixes ? { serviceHostSuffixes: suffixes } : {});
  if (!r.ok) throw new Error(r.code);
  return r.value;
}

describe('parseOssTarget', () => {
  it('ali-oss with an IP endpoint: bucket from the fake Host, key alone in the path', () => {
    expect(
      target('examplebucket.oss-cn-hangzhou.aliyuncs.com', '/dir/hello%20world%2B1.txt'),
    ).toEqual({
      addressing: 'virtual-host',
      bucket: 'examplebucket',
      key: 'dir/hello world+1.txt',
      region: 'cn-hangzhou',
      internal: false,
    });
  });

  it('ali-oss ListBuckets: empty first label is service level', () => {
    expect(target('.oss-cn-hangzhou.aliyuncs.com', '/')).toEqual({
      addressing: 'virtual-host',
      region: 'cn-hangzhou',
      internal: false,
    });
  });

  it('bucket level, internal endpoints and vpc100 names', () => {
    expect(target('b1.oss-cn-beijing-internal.aliyuncs.com', '/')).toEqual({
      addressing: 'virtual-host',
      bucket: 'b1',
      region: 'cn-beijing',
      internal: true,
    });
    expect(target('b1.vpc100-oss-cn-hangzhou.aliyuncs.com:80', '/k').region).toBe('cn-hangzhou');
    expect(target('b1.oss-accelerate.aliyuncs.com', '/k').region).toBeUndefined();
  });

  it('the endpoint host itself is path style (sandbox DNS, sldEnable)', () => {
    expect(target('oss-cn-hangzhou.aliyuncs.com', '/examplebucket/a/b.txt')).toEqual({
      addressing: 'path',
      bucket: 'examplebucket',
      key: 'a/b.txt',
      region: 'cn-hangzhou',
      internal: false,
    });
  });

  it('oss2 with an IP or localhost endpoint: path style, %2F inside the key', () => {
    expect(target('127.0.0.1:18083', '/examplebucket/dir%2Fhello%20world%2B1.txt')).toEqual({
      addressing: 'path',
      bucket: 'examplebucket',
      key: 'dir/hello world+1.txt',
    });
    expect(target('localhost:18083', '/examplebucket/')).toEqual({
      addressing: 'path',
      bucket: 'examplebucket',
    });
    expect(target('127.0.0.1:18083', '/')).toEqual({ addressing: 'path' });
    expect(target('[::1]:9000', '/b/k')).toEqual({ addressing: 'path', bucket: 'b', key: 'k' });
    expect(target(undefined, '/b/k')).toEqual({ addressing: 'path', bucket: 'b', key: 'k' });
  });

  it('ali-oss sldEnable with localhost keeps `/` unescaped in keys', () => {
    expect(target('localhost:18080', '/examplebucket/dir/a.txt')).toEqual({
      addressing: 'path',
      bucket: 'examplebucket',
      key: 'dir/a.txt',
    });
  });

  it('<bucket>.localhost and configured suffixes are virtual-host', () => {
    expect(target('examplebucket.localhost:8080', '/k')).toEqual({
      addressing: 'virtual-host',
      bucket: 'examplebucket',
      key: 'k',
    });
    expect(target('yunbox.example.test:8080', '/b/k', ['.yunbox.example.test'])).toEqual({
      addressing: 'path',
      bucket: 'b',
      key: 'k',
    });
    expect(target('b.YUNBOX.example.test', '/k', ['yunbox.example.test'])).toEqual({
      addressing: 'virtual-host',
      bucket: 'b',
      key: 'k',
    });
  });

  it('unknown dotted hosts are virtual-host, single labels path style', () => {
    expect(target('b.example.com', '/x/y').bucket).toBe('b');
    expect(target('b.example.com', '/x/y').key).toBe('x/y');
    expect(target('yunbox:8080', '/b/x')).toEqual({ addressing: 'path', bucket: 'b', key: 'x' });
  });

  it('UTF-8 keys are decoded; malformed escapes are refused', () => {
    expect(target('127.0.0.1', '/b/%E7%9B%AE%E5%BD%95%2F%E6%96%87%E4%BB%B6.json').key).toBe(
      '目录/文件.json',
    );
    const bad = parseOssTarget('127.0.0.1', '/b/%E7%9B');
    expect(bad.ok || bad.code).toBe('InvalidObjectName');
    const badBucket = parseOssTarget('127.0.0.1', '/b%zz/k');
    expect(badBucket.ok || badBucket.code).toBe('InvalidBucketName');
    const badVhost = parseOssTarget('b.localhost', '/%');
    expect(badVhost.ok || badVhost.status).toBe(400);
  });
});

describe('query and path helpers', () => {
  it('parseOssQuery keeps order, null for bare names, + as space', () => {
    expect(parseOssQuery('uploads&prefix=a%2F&marker=&x=a+b&&y=%2B')).toEqual({
      ok: true,
      value: [
        ['uploads', null],
        ['prefix', 'a/'],
        ['marker', ''],
        ['x', 'a b'],
        ['y', '+'],
      ],
    });
    expect(parseOssQuery('')).toEqual({ ok: true, value: [] });
    const bad = parseOssQuery('a=%E7');
    expect(bad.ok || bad.code).toBe('InvalidArgument');
  });

  it('decodePathComponent keeps + literal', () => {
    expect(decodePathComponent('a+b%20c')).toBe('a+b c');
    expect(decodePathComponent('%')).toBeUndefined();
  });

  it('splitRequestTarget handles origin and absolute forms', () => {
    expect(splitRequestTarget('/k.txt?acl=')).toEqual({ path: '/k.txt', query: 'acl=' });
    expect(splitRequestTarget('/')).toEqual({ path: '/', query: '' });
    expect(splitRequestTarget('http://h:1/a?b=c#d')).toEqual({ path: '/a', query: 'b=c' });
    expect(splitRequestTarget('http://h:1?x')).toEqual({ path: '/', query: 'x' });
  });

  it('hostWithoutPort, headerValue, queryValue', () => {
    expect(hostWithoutPort('A.B:1')).toBe('a.b');
    expect(hostWithoutPort('::1')).toBe('::1');
    expect(headerValue({ 'x-oss-a': ['1', '2'] }, 'x-oss-a')).toBe('1, 2');
    expect(headerValue({}, 'x')).toBeUndefined();
    expect(queryValue([['acl', null]], 'acl')).toBeNull();
    expect(queryValue([], 'acl')).toBeUndefined();
  });
});
