/**
 * @module CRC-64 known answers from test/vectors/oss-crc64.json (oss2 and an independent
 * implementation agree on them), combine examples, and properties: chunking never changes the
 * result, continuing from a CRC equals hashing the concatenation, and combine agrees with both.
 */

import { VECTORS_URL } from '../testing/vectors.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Crc64, crc64, crc64Combine, crc64CombineParts } from './crc64.js';

interface CrcVectors {
  vectors: Array<{ name: string; length: number; crc64: string; inputHex?: string }>;
  combine: Array<{
    name: string;
    crcA?: string;
    crcB?: string;
    lenB?: number;
    parts?: Array<{ partNumber: number; size: number; crc64: string }>;
    combined: string;
    expectedWhole: string;
    incrementalFromCrcA?: string;
  }>;
}

const data = JSON.parse(readFileSync(new URL('oss-crc64.json', VECTORS_URL), 'utf8')) as CrcVectors;

function inputFor(name: string, length: number, hex: string | undefined): Buffer {
  if (hex !== undefined) return Buffer.from(hex, 'hex');
  if (name === 'pattern-1MiB') return Buffer.from(Array.from({ length }, (_, i) => i & 255));
  if (name === 'part-a-102400') return Buffer.alloc(length, 0x61);
  if (name === 'part-b-1000') return Buffer.alloc(length, 0x62);
  throw new Error(`no input recipe for ${name}`);
}

/** Bit-at-a-time reference, straight from the definition (BigInt, slow, obviously right). */
function referenceCrc(bytes: Uint8Array): bigint {
  let crc = 0xffffffffffffffffn;
  for (const b of bytes) {
    crc ^= BigInt(b);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0xc96c5795d7870f42n : crc >> 1n;
  }
  return crc ^ 0xffffffffffffffffn;
}

describe('crc64 vectors', () => {
  for (const v of data.vectors) {
    const input = inputFor(v.name, v.length, v.inputHex);
    it(`${v.name} one-shot`, () => {
      expect(input.length).toBe(v.length);
      expect(crc64(input)).toBe(v.crc64);
    });
    it(`${v.name} incremental in uneven chunks`, () => {
      const h = new Crc64();
      let off = 0;
      for (let step = 1; off < input.length; step = (step * 7 + 3) % 4099) {
        h.update(input.subarray(off, off + step));
        off += step;
      }
      expect(h.digest()).toBe(v.crc64);
    });
  }

  it('check value 123456789, empty input and string input', () => {
    expect(crc64('123456789')).toBe('11051210869376104954');
    expect(crc64(new Uint8Array(0))).toBe('0');
    expect(new Crc64().digest()).toBe('0');
    expect(new Crc64().digestBigInt()).toBe(0n);
  });

  it('reads unaligned views of a larger buffer', () => {
    const backing = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 31 + 7) & 255));
    for (let start = 0; start < 9; start++) {
      const view = backing.subarray(start, start + 250);
      expect(BigInt(crc64(view))).toBe(referenceCrc(view));
    }
  });
});

describe('crc64 combine vectors', () => {
  for (const c of data.combine) {
    it(c.name, () => {
      if (c.parts) {
        expect(crc64CombineParts(c.parts)).toBe(c.combined);
      } else {
        expect(crc64Combine(c.crcA ?? '', c.crcB ?? '', c.lenB ?? 0)).toBe(c.combined);
      }
      expect(c.combined).toBe(c.expectedWhole);
      if (c.incrementalFromCrcA !== undefined) {
        const rest = Buffer.from('6789');
        expect(new Crc64(c.crcA).update(rest).digest()).toBe(c.incrementalFromCrcA);
      }
    });
  }

  it('accepts bigints and rejects values that are not crc-64s', () => {
    expect(crc64Combine(6748440630437108969n, 10278880121275185425n, 4n)).toBe(
      '11051210869376104954',
    );
    expect(() => crc64Combine('-1', '0', 1)).toThrow(TypeError);
    expect(() => crc64Combine('18446744073709551616', '0', 1)).toThrow(RangeError);
    expect(() => new Crc64('abc')).toThrow(TypeError);
  });
});

describe('crc64 properties', () => {
  const bytes = fc.uint8Array({ maxLength: 2000 });

  it('matches the bit-at-a-time definition', () => {
    fc.assert(fc.property(bytes, (a) => BigInt(crc64(a)) === referenceCrc(a)));
  });

  it('matches the definition on views at any offset and length (lead, 16-byte steps, tail)', () => {
    fc.assert(
      fc.property(bytes, fc.nat({ max: 15 }), (a, offset) => {
        const backing = new Uint8Array(a.length + offset);
        backing.set(a, offset);
        return BigInt(crc64(backing.subarray(offset))) === referenceCrc(a);
      }),
    );
  });

  it('a long unaligned update equals the byte-at-a-time path across 1 MiB slices', () => {
    // Updates shorter than 32 bytes take the one-table byte loop only, the textbook method.
    const backing = Buffer.from(
      Array.from({ length: 2 * (1 << 20) + 64 }, (_, i) => (i * 131 + (i >>> 9)) & 255),
    );
    for (const [offset, length] of [
      [3, (1 << 20) + 45],
      [1, 2 * (1 << 20) + 7],
      [0, 3 * 4099],
    ] as const) {
      const view = backing.subarray(offset, offset + length);
      const bytewise = new Crc64();
      for (let off = 0; off < view.length; off += 31) bytewise.update(view.subarray(off, off + 31));
      expect(crc64(view)).toBe(bytewise.digest());
    }
  });

  it('combine(crc(a), crc(b), len(b)) == crc(a||b)', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        const whole = crc64(Buffer.concat([a, b]));
        return crc64Combine(crc64(a), crc64(b), b.length) === whole;
      }),
    );
  });

  it('chunked update == one-shot, and continuing from crc(a) == crc(a||b)', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat({ max: 50 }), { maxLength: 40 }), (a, cuts) => {
        const h = new Crc64();
        let off = 0;
        for (const cut of cuts) {
          h.update(a.subarray(off, off + cut));
          off += cut;
        }
        h.update(a.subarray(off));
        const mid = cuts[0] ?? 0;
        const continued = new Crc64(crc64(a.subarray(0, mid))).update(a.subarray(mid)).digest();
        return h.digest() === crc64(a) && continued === crc64(a);
      }),
    );
  });

  it('combines lengths beyond 2^53 consistently (associativity)', () => {
    // combine(a, b, n) = a * x^(8n) + b in GF(2)[x]/P, so splitting C's length is invisible.
    const n1 = 2n ** 60n + 5n;
    const n2 = 2n ** 33n + 1n;
    const [x, y, z] = ['123', '456789', '18446744073709551615'];
    const left = crc64Combine(crc64Combine(x, y, n1), z, n2);
    const right = crc64Combine(x, crc64Combine(y, z, n2), n1 + n2);
    expect(left).toBe(right);
    const zeros = Buffer.alloc(1 << 20);
    expect(crc64Combine(crc64('x'), crc64(zeros), zeros.length)).toBe(
      crc64(Buffer.concat([Buffer.from('x'), zeros])),
    );
  });
});
