import { describe, expect, it } from 'vitest';
import { ConfigError, parsePublicHosts, resolveConfig } from './config.js';

describe('--public-host', () => {
  it('takes comma-separated names and addresses, lower-cased', () => {
    expect(parsePublicHosts(undefined)).toEqual([]);
    expect(parsePublicHosts(' ')).toEqual([]);
    expect(parsePublicHosts('Yunbox.Example.com, 203.0.113.9,[2001:db8::1],dev_box')).toEqual([
      'yunbox.example.com',
      '203.0.113.9',
      '2001:db8::1',
      'dev_box',
    ]);
    expect(resolveConfig({}, { YUNBOX_PUBLIC_HOST: 'a.example' }).publicHosts).toEqual([
      'a.example',
    ]);
    expect(resolveConfig({ publicHosts: 'b.example' }, {}).publicHosts).toEqual(['b.example']);
    expect(resolveConfig({}, {}).publicHosts).toEqual([]);
  });

  it('refuses what is not a host name', () => {
    for (const bad of [
      'a.example:9910',
      'http://a.example',
      'a..example',
      '-a.example',
      'a/b',
      'a.example,',
      'x'.repeat(64) + '.example',
      Array(33).fill('a.example').join(','),
    ]) {
      expect(() => parsePublicHosts(bad), bad).toThrow(ConfigError);
    }
  });
});
