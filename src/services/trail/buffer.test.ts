/**
 * Unit tests of the trail's bounded buffer: first in, first out (a failed batch back at the
 * front), the high water mark that makes requests wait and the waits it releases, bounded waits,
 * the hard bounds by count and by size that drop the oldest (and say how many), and the line
 * format the writer parses.
 */
import { describe, expect, it } from 'vitest';
import { trailEvent } from '../../testing/trail.js';
import { EventBuffer, parseSerialised } from './buffer.js';

describe('EventBuffer', () => {
  it('hands events out in the order they came, a failed batch back at the front', () => {
    const b = new EventBuffer({ maxEvents: 100 });
    for (let i = 0; i < 10; i++) expect(b.push(`e${i}`)).toBe(0);
    const first = b.take(4);
    expect(first).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(b.putBack(first)).toBe(0);
    expect(b.take(100)).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    expect(b.length).toBe(0);
    expect(b.chars).toBe(0);
  });

  it('takes at most a batch’s size in characters, but always one event', () => {
    const b = new EventBuffer();
    b.push('x'.repeat(10));
    b.push('y'.repeat(10));
    b.push('z'.repeat(10));
    expect(b.take(10, 25)).toEqual(['x'.repeat(10), 'y'.repeat(10)]);
    expect(b.take(10, 5)).toEqual(['z'.repeat(10)]);
  });

  it('is full past half of either bound, and releases waiters once taken below it', async () => {
    const b = new EventBuffer({ maxEvents: 10 });
    for (let i = 0; i < 4; i++) b.push(`e${i}`);
    expect(b.full).toBe(false);
    await expect(b.room(1000)).resolves.toBe(true);
    b.push('e4');
    expect(b.full).toBe(true);
    let released: boolean | undefined;
    const waiting = b.room(60_000).then((r) => (released = r));
    await Promise.resolve();
    expect(released).toBeUndefined();
    b.take(1);
    await waiting;
    expect(released).toBe(true);

    const bySize = new EventBuffer({ maxChars: 100 });
    bySize.push('x'.repeat(49));
    expect(bySize.full).toBe(false);
    bySize.push('x');
    expect(bySize.full).toBe(true);
  });

  it('never keeps a request waiting past its bound, nor after release()', async () => {
    const b = new EventBuffer({ maxEvents: 2 });
    b.push('a');
    expect(b.full).toBe(true);
    await expect(b.room(1)).resolves.toBe(false);
    const waiting = b.room(60_000);
    b.release();
    await expect(waiting).resolves.toBe(true);
  });

  it('drops the oldest only past the hard bounds, and says how many', () => {
    const b = new EventBuffer({ maxEvents: 4 });
    for (let i = 0; i < 4; i++) expect(b.push(`e${i}`)).toBe(0);
    expect(b.push('e4')).toBe(1);
    expect(b.putBack(['f0', 'f1'])).toBe(2);
    expect(b.take(10)).toEqual(['e1', 'e2', 'e3', 'e4']);

    const bySize = new EventBuffer({ maxChars: 30 });
    bySize.push('a'.repeat(10));
    bySize.push('b'.repeat(10));
    bySize.push('c'.repeat(10));
    expect(bySize.push('d'.repeat(10))).toBe(1);
    expect(bySize.chars).toBe(30);
    // One event larger than the bound is kept alone rather than lost with everything else.
    expect(bySize.push('e'.repeat(40))).toBe(3);
    expect(bySize.take(10)).toEqual(['e'.repeat(40)]);
  });

  it('stays bounded over many turns (its array is compacted as it is consumed)', () => {
    const b = new EventBuffer({ maxEvents: 1000 });
    let n = 0;
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 100; i++) b.push(`e${n++}`);
      expect(b.take(100)[0]).toBe(`e${round * 100}`);
    }
    expect(b.length).toBe(0);
  });
});

describe('parseSerialised', () => {
  it('reads back what the recorder writes: one JSON event a line, line feeds escaped', () => {
    const events = [
      trailEvent({ userAgent: 'line\nfeed', requestParameters: { A: 'x\ny' } }),
      trailEvent({ eventId: 'B', flags: ['truncated'] }),
    ];
    const lines = events.map((e) => JSON.stringify(e)).join('\n');
    expect(parseSerialised(lines)).toEqual(events);
    expect(parseSerialised('')).toEqual([]);
  });
});
