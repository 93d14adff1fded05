/**
 * @module Throughput of the CRC-64 hasher on a 64 MiB buffer, whole and in 64 KiB chunks (the
 * size node streams deliver): `npx vitest bench src/blob`. MB/s = 64 * ops/sec.
 */

import { bench, describe } from 'vitest';
import { Crc64 } from './crc64.js';

const SIZE = 64 * 1024 * 1024;
const data = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i++) data[i] = (i * 2654435761) >>> 24;

describe('crc64 64 MiB', () => {
  bench('one update', () => {
    new Crc64().update(data).digest();
  });
  bench('64 KiB chunks', () => {
    const h = new Crc64();
    for (let off = 0; off < SIZE; off += 65536) h.update(data.subarray(off, off + 65536));
    h.digest();
  });
});
