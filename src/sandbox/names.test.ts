import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyNames } from '../tls/ca.js';
import {
  isServiceHost,
  netnsName,
  newServerId,
  parseNetnsName,
  sandboxCertificateNames,
} from './names.js';

describe('service host names', () => {
  it('match every name under aliyuncs.com, case-insensitively', () => {
    for (const n of [
      'aliyuncs.com',
      'ram.aliyuncs.com',
      'sts.aliyuncs.com',
      'STS.CN-HANGZHOU.ALIYUNCS.COM',
      'ecs.cn-hangzhou.aliyuncs.com',
      'ecs-cn-hangzhou.aliyuncs.com',
      'vpc.cn-hangzhou.aliyuncs.com',
      'oss-cn-hangzhou.aliyuncs.com',
      'oss-cn-hangzhou-internal.aliyuncs.com',
      'my-bucket.oss-cn-hangzhou.aliyuncs.com',
      'my-bucket.oss-cn-hangzhou-internal.aliyuncs.com.',
    ]) {
      expect(isServiceHost(n), n).toBe(true);
    }
  });

  it('match nothing else', () => {
    for (const n of [
      '',
      'aliyuncs.com.example.org',
      'notaliyuncs.com',
      'aliyuncs.co',
      '100.100.100.200',
      'a..aliyuncs.com',
      '-bad.aliyuncs.com',
      'x y.aliyuncs.com',
      `${'a'.repeat(64)}.aliyuncs.com`,
    ]) {
      expect(isServiceHost(n), n).toBe(false);
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        if (isServiceHost(s)) expect(s.toLowerCase().replace(/\.$/, '')).toMatch(/aliyuncs\.com$/);
      }),
    );
  });
});

describe('namespace names', () => {
  it('round-trip and reject anything else', () => {
    const id = newServerId();
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(parseNetnsName(netnsName(id, 12))).toEqual({ serverId: id, n: 12 });
    expect(netnsName('1a2b3c4d', 0)).toBe('ybx-1a2b3c4d-0');
    for (const n of ['ybx-', 'ybx-abc', 'ybx-ABC-1', 'ybx-abc-1-2', 'cni-abc-1', 'ybx-abc-x']) {
      expect(parseNetnsName(n), n).toBeUndefined();
    }
    expect(() => netnsName('bad id', 1)).toThrow();
    expect(() => netnsName('abc', -1)).toThrow();
  });
});

describe('sandbox certificate names', () => {
  it('cover regional endpoints, bucket hosts and the gateway address, and are valid', () => {
    const names = sandboxCertificateNames('cn-hangzhou');
    expect(names).toEqual(
      expect.arrayContaining([
        '*.aliyuncs.com',
        '*.cn-hangzhou.aliyuncs.com',
        '*.oss-cn-hangzhou.aliyuncs.com',
        '*.oss-cn-hangzhou-internal.aliyuncs.com',
        '100.100.2.136',
      ]),
    );
    expect(() => classifyNames(names)).not.toThrow();
  });
});
