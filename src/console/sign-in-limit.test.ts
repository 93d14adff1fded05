import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignInLimiter, sourceKey } from './sign-in-limit.js';

function limiter(extra: ConstructorParameters<typeof SignInLimiter>[0] = {}) {
  let t = 0;
  const l = new SignInLimiter({ now: () => t, ...extra });
  return { l, wait: (ms: number) => (t += ms) };
}

describe('sign-in limiter', () => {
  it('allows a burst of 10, then one every 6 s, with Retry-After', () => {
    const { l, wait } = limiter();
    for (let i = 0; i < 10; i++) expect(l.take('10.0.0.1')).toEqual({ ok: true });
    expect(l.take('10.0.0.1')).toEqual({ ok: false, retryAfterSeconds: 6, first: true });
    expect(l.take('10.0.0.1')).toMatchObject({ ok: false, first: false });
    // Another source is not affected.
    expect(l.take('10.0.0.2')).toEqual({ ok: true });
    wait(3000);
    expect(l.take('10.0.0.1')).toEqual({ ok: false, retryAfterSeconds: 3, first: false });
    wait(3000);
    expect(l.take('10.0.0.1')).toEqual({ ok: true });
    expect(l.take('10.0.0.1')).toMatchObject({ ok: false, first: true });
    wait(60_000);
    for (let i = 0; i < 10; i++) expect(l.take('10.0.0.1').ok).toBe(true);
    expect(l.take('10.0.0.1').ok).toBe(false);
  });

  it('never allows more than the burst plus the rate over any span', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 200 }), (gaps) => {
        const { l, wait } = limiter();
        let allowed = 0;
        let elapsed = 0;
        for (const g of gaps) {
          wait(g);
          elapsed += g;
          if (l.take('192.0.2.1').ok) allowed++;
        }
        expect(allowed).toBeLessThanOrEqual(10 + Math.floor(elapsed / 6000));
      }),
    );
  });

  it('counts an IPv6 /64 as one source', () => {
    const { l } = limiter({ burst: 2 });
    expect(l.take('2001:db8:1:2::1').ok).toBe(true);
    expect(l.take('2001:db8:1:2:ffff::9').ok).toBe(true);
    expect(l.take('2001:0db8:0001:0002:0:0:0:abcd').ok).toBe(false);
    expect(l.take('2001:db8:1:3::1').ok).toBe(true);
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceKey('::ffff:1.2.3.4')).toBe('0:0:0:0::/64');
    expect(sourceKey('127.0.0.1')).toBe('127.0.0.1');
  });

  it('remembers at most maxSources, forgetting the least recently seen', () => {
    const { l } = limiter({ maxSources: 100, burst: 1 });
    for (let i = 0; i < 1000; i++) l.take(`10.0.${i >> 8}.${i & 255}`);
    expect(l.size).toBe(100);
    // The newest are still limited; the oldest start afresh.
    expect(l.take('10.0.3.231').ok).toBe(false);
    expect(l.take('10.0.0.0').ok).toBe(true);
  });
});
