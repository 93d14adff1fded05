/**
 * Unit tests of the configuration's size option: `--trail-max-bytes` in bytes or binary units,
 * its default, and refusals.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseSize, resolveConfig } from './config.js';

describe('parseSize', () => {
  it.each([
    ['1048576', 1048576],
    ['512KiB', 512 * 1024],
    ['256MiB', 256 * 1024 ** 2],
    ['256M', 256 * 1024 ** 2],
    ['2 GiB', 2 * 1024 ** 3],
    ['1g', 1024 ** 3],
  ])('%s', (text, bytes) => expect(parseSize(text, 'size')).toBe(bytes));

  it.each(['', 'lots', '1.5GiB', '-1', '1TiB', '9'.repeat(16)])('refuses %j', (text) =>
    expect(() => parseSize(text, 'size')).toThrow(ConfigError),
  );
});

describe('--trail-max-bytes', () => {
  it('defaults to 256 MiB and reads YUNBOX_TRAIL_MAX_BYTES', () => {
    expect(resolveConfig({}, {}).trailMaxBytes).toBe(256 * 1024 ** 2);
    expect(resolveConfig({}, { YUNBOX_TRAIL_MAX_BYTES: '64MiB' }).trailMaxBytes).toBe(
      64 * 1024 ** 2,
    );
    expect(resolveConfig({ trailMaxBytes: '2GiB' }, {}).trailMaxBytes).toBe(2 * 1024 ** 3);
  });

  it('refuses less than 1 MiB, saying so', () => {
    expect(() => resolveConfig({ trailMaxBytes: '1000' }, {})).toThrow(
      'invalid trail max bytes `1000`: at least 1MiB',
    );
  });
});
