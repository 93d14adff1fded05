import { describe, expect, it } from 'vitest';
import { loopbackAddress, seqOfLoopbackAddress } from './plain-listener.js';

describe('per-instance loopback addresses', () => {
  it('map sequence numbers to 127.77.X.Y and back, skipping .0 and .255', () => {
    expect(loopbackAddress(1)).toBe('127.77.0.1');
    expect(loopbackAddress(254)).toBe('127.77.0.254');
    expect(loopbackAddress(255)).toBe('127.77.1.1');
    for (const seq of [1, 2, 253, 254, 255, 1000, 65_024]) {
      expect(seqOfLoopbackAddress(loopbackAddress(seq))).toBe(seq);
    }
    expect(seqOfLoopbackAddress('::ffff:127.77.0.3')).toBe(3);
    for (const other of ['127.0.0.1', '127.77.0.0', '127.77.0.255', '10.77.0.1', '127.77.300.1']) {
      expect(seqOfLoopbackAddress(other), other).toBeUndefined();
    }
  });
});
