/**
 * The idle give-back's decisions on a made-up event loop (fake timers, busy time set by the
 * test): nothing without work, two collections once work is followed by idle windows, none while
 * busy, none after `stop()`; the real collection; and `YUNBOX_IDLE_GC`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fullGc, idleGiveBackWindowMs, startIdleGiveBack } from './idle-memory.js';

describe('startIdleGiveBack', () => {
  let busy = 0;
  let collected = 0;
  const start = () =>
    startIdleGiveBack({
      windowMs: 3000,
      tickMs: 1000,
      minBusyMs: 100,
      idleShare: 0.02,
      busyMs: () => busy,
      collect: () => {
        collected++;
      },
    });
  /** One tick (1 s) in which the loop was busy for `ms`. */
  const window = (ms: number) => {
    busy += ms;
    vi.advanceTimersByTime(1000);
  };

  beforeEach(() => {
    vi.useFakeTimers();
    busy = 0;
    collected = 0;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not collect in a server that never worked', () => {
    const g = start();
    for (let i = 0; i < 10; i++) window(0);
    expect(collected).toBe(0);
    g.stop();
  });

  it('collects twice after a busy period, then not again while idle', () => {
    const g = start();
    window(900);
    window(800);
    window(0);
    window(0);
    expect(collected).toBe(0); // the last 3 s still hold 800 ms of work
    window(0);
    expect(collected).toBe(1); // 3 s idle
    window(5);
    expect(collected).toBe(2); // 1 s later, still idle
    for (let i = 0; i < 10; i++) window(0);
    expect(g.collections).toBe(2);
    g.stop();
  });

  it('never collects while the loop is busy, and starts over after new work', () => {
    const g = start();
    for (let i = 0; i < 10; i++) window(500);
    window(0);
    window(0);
    expect(collected).toBe(0);
    window(0);
    expect(collected).toBe(1);
    window(600); // work again instead of the second collection: a new idle window is owed
    window(0);
    window(0);
    expect(collected).toBe(1);
    window(0);
    expect(collected).toBe(2);
    window(0);
    expect(collected).toBe(3);
    for (let i = 0; i < 10; i++) window(0);
    expect(collected).toBe(3);
    g.stop();
  });

  it('does not count a little work (timers, a health check) as a reason to collect', () => {
    const g = start();
    for (let i = 0; i < 30; i++) window(4);
    expect(collected).toBe(0);
    g.stop();
  });

  it('stops: no collection after stop()', () => {
    const g = start();
    window(900);
    g.stop();
    for (let i = 0; i < 5; i++) window(0);
    expect(collected).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('fullGc', () => {
  it('collects without exposing gc to the program', () => {
    const gc = fullGc();
    expect(typeof gc).toBe('function');
    gc();
    expect(fullGc()).toBe(gc);
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

describe('YUNBOX_IDLE_GC', () => {
  it('defaults to 30 s, takes seconds, turns off with 0 or off', () => {
    expect(idleGiveBackWindowMs({})).toBe(30_000);
    expect(idleGiveBackWindowMs({ YUNBOX_IDLE_GC: '' })).toBe(30_000);
    expect(idleGiveBackWindowMs({ YUNBOX_IDLE_GC: '30' })).toBe(30_000);
    expect(idleGiveBackWindowMs({ YUNBOX_IDLE_GC: '0' })).toBeUndefined();
    expect(idleGiveBackWindowMs({ YUNBOX_IDLE_GC: 'off' })).toBeUndefined();
  });

  it('refuses what is not 1 to 3600 seconds', () => {
    for (const bad of ['-1', '3601', '1.5', 'soon', '99999']) {
      expect(() => idleGiveBackWindowMs({ YUNBOX_IDLE_GC: bad })).toThrow(/YUNBOX_IDLE_GC/);
    }
  });
});
