import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A flush the test finishes by hand; each flush records how many writes it covered. */
function manualFlush() {
  let written = 0;
  const covered: number[] = [];
  const running: Array<() => void> = [];
  const durable = groupCommit(
    () =>
      new Promise<void>((resolve) => {
        const at = written;
        running.push(() => {
          covered.push(at);
          resolve();
        });
      }),
  );
  return {
    durable,
    covered,
    running,
    write: () => ++written,
    finish: async () => {
      running.shift()!();
      await tick();
    },
  };
}

describe('groupCommit', () => {
  it('shares one flush among the callers that came while another ran', async () => {
    const f = manualFlush();
    const settled: number[] = [];
    const call = (n: number) => {
      f.write();
      void f.durable().then(() => settled.push(n));
    };
    call(1); // starts flush A
    call(2); // waits for flush B
    call(3); // shares flush B
    expect(f.running).toHaveLength(1);
    await f.finish();
    expect(settled).toEqual([1]);
    expect(f.running).toHaveLength(1); // B started only once A was done
    call(4); // B is running and may not cover write 4: waits for C
    await f.finish();
    expect(settled).toEqual([1, 2, 3]);
    await f.finish();
    expect(settled).toEqual([1, 2, 3, 4]);
    expect(f.covered).toEqual([1, 3, 4]);
    expect(f.running).toHaveLength(0);
  });

  it('gives each caller the error of its own flush, and flushes again afterwards', async () => {
    let fail = true;
    const durable = groupCommit(async () => {
      if (fail) throw new Error('disk');
    });
    await expect(durable()).rejects.toThrow('disk');
    fail = false;
    await expect(durable()).resolves.toBeUndefined();
  });
});
