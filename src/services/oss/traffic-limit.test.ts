/**
 * Unit tests of `x-oss-traffic-limit`: OSS's range, the header before the query parameter, and
 * a throttled stream that hands out exactly the bytes it was given, in order, in chunks no larger
 * than its bucket (no timing assertions: throughput belongs to `npm run bench`).
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OssError } from './errors.js';
import {
  MAX_TRAFFIC_LIMIT,
  MIN_TRAFFIC_LIMIT,
  throttle,
  throttledReadable,
  trafficLimit,
} from './traffic-limit.js';

describe('trafficLimit', () => {
  it('accepts OSS range and refuses the rest with InvalidArgument', () => {
    expect(trafficLimit(undefined, undefined)).toBeUndefined();
    expect(trafficLimit(String(MIN_TRAFFIC_LIMIT), undefined)).toBe(MIN_TRAFFIC_LIMIT);
    expect(trafficLimit(undefined, String(MAX_TRAFFIC_LIMIT))).toBe(MAX_TRAFFIC_LIMIT);
    expect(trafficLimit('1000000', '1')).toBe(1_000_000);
    for (const bad of ['819199', '838860801', 'abc', '', '-819200', '8e6', '1'.repeat(40)]) {
      let e: unknown;
      try {
        trafficLimit(bad, undefined);
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(OssError);
      expect((e as OssError).code).toBe('InvalidArgument');
      expect((e as OssError).status).toBe(400);
    }
    expect(() => trafficLimit(undefined, null)).toThrow(OssError);
  });
});

describe('throttle', () => {
  it('yields the same bytes in order, in chunks within its burst', async () => {
    const data = Buffer.alloc(300_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 251;
    const source = [data.subarray(0, 7), data.subarray(7, 200_000), data.subarray(200_000)];
    const out: Buffer[] = [];
    for await (const c of throttle(
      source as unknown as AsyncIterable<Uint8Array>,
      MAX_TRAFFIC_LIMIT,
    )) {
      out.push(c);
    }
    expect(Buffer.concat(out).equals(data)).toBe(true);
    const burst = Math.floor((MAX_TRAFFIC_LIMIT / 8 / 1000) * 100);
    for (const c of out) expect(c.length).toBeLessThanOrEqual(burst);
  });

  it('a throttled readable ends with the bytes and destroys its source when destroyed', async () => {
    const r = throttledReadable(Readable.from([Buffer.from('abc'), Buffer.from('def')]), 819_200);
    const chunks: Buffer[] = [];
    for await (const c of r) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abcdef');
    const src = Readable.from(
      (function* () {
        for (;;) yield Buffer.alloc(1024);
      })(),
    );
    const t = throttledReadable(src, 819_200);
    t.destroy();
    await new Promise((r) => setImmediate(r));
    expect(src.destroyed).toBe(true);
  });
});
