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
      windowMs: 1000,
      minBusyMs: 100,
      idleShare: 0.02,
      busyMs: () => busy,
      collect: () => {
        collected++;
      },
    });
  /** One window in which the loop was busy for `ms`. */
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
    expect(collected).toBe(0);
    window(0);
    expect(collected).toBe(1);
    window(5);
    expect(collected).toBe(2);
    for (let i = 0; i < 10; i++) window(0);
    expect(g.collections).toBe(2);
    g.stop();
  });

  it('never collects while the loop is busy, and starts over after new work', () => {
    const g = start();
    for (let i = 0; i < 10; i++) window(500);
    expect(collected).toBe(0);
    window(0);
    expect(collected).toBe(1);
    window(600); // work again before the second collection: it is owed after this work instead
    window(0);
    expect(collected).toBe(2);
    window(0);
    expect(collected).toBe(3);
    window(0);
    expect(collected).toBe(3);
    g.stop();
  });

  it('does not count a little work (timers, a health check) as a reason to collect', () => {
    const g = start();
    for (let i = 0; i < 20; i++) window(4);
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
  it('defaults to 5 s, takes seconds, turns off with 0 or off', () => {
    expect(idleGiveBackWindowMs({})).toBe(5000);
    expect(idleGiveBackWindowMs({ YUNBOX_IDLE_GC: '' })).toBe(5000);
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
