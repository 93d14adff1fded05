import { describe, expect, it } from 'vitest';
import { namingStatements } from './pg-named.js';

/** A pool of one fake client recording what it was sent. */
function fakePool(fail?: (config: unknown) => unknown) {
  const sent: unknown[] = [];
  const client = {
    query(config: unknown, values?: unknown) {
      sent.push(values === undefined ? config : { text: config, values });
      const e = fail?.(config);
      return e === undefined ? Promise.resolve({ rows: [] }) : Promise.reject(e);
    },
    release() {},
  };
  const pool = { connect: async () => client, end: async () => {} };
  return { sent, pool: namingStatements(pool) };
}

const run = async (p: ReturnType<typeof fakePool>['pool'], text: string, values: unknown[]) =>
  (await p.connect()).query(text, values);

describe('namingStatements', () => {
  it('names a statement from its third use on, and keeps the same name', async () => {
    const { sent, pool } = fakePool();
    for (let i = 0; i < 4; i++) await run(pool, 'select $1', [i]);
    expect(sent).toEqual([
      { text: 'select $1', values: [0] },
      { text: 'select $1', values: [1] },
      { name: 'yb_0', text: 'select $1', values: [2] },
      { name: 'yb_0', text: 'select $1', values: [3] },
    ]);
  });

  it('leaves transaction control and multi-statement texts on the simple protocol', async () => {
    const { sent, pool } = fakePool();
    for (let i = 0; i < 4; i++) await run(pool, 'begin', []);
    for (let i = 0; i < 4; i++) await run(pool, 'begin; set local x = 1', []);
    for (let i = 0; i < 4; i++) await run(pool, 'select 1; select 2', []);
    expect(sent.every((s) => (s as { name?: string }).name === undefined)).toBe(true);
  });

  it('names a lone select without parameters (the cache fence)', async () => {
    const { sent, pool } = fakePool();
    for (let i = 0; i < 3; i++) await run(pool, 'select tbl from gen', []);
    expect(sent.at(-1)).toEqual({ name: 'yb_0', text: 'select tbl from gen', values: [] });
  });

  it('names at most 256 texts', async () => {
    const { sent, pool } = fakePool();
    for (let t = 0; t < 300; t++)
      for (let i = 0; i < 3; i++) await run(pool, `select ${t}, $1`, [i]);
    const names = new Set(sent.map((s) => (s as { name?: string }).name).filter(Boolean));
    expect(names.size).toBe(256);
  });

  it('stops naming a statement on a connection once its plan changed result type', async () => {
    let changed = false;
    const { sent, pool } = fakePool((c) =>
      changed && typeof c === 'object' && (c as { name?: string }).name !== undefined
        ? Object.assign(new Error('cached plan must not change result type'), { code: '0A000' })
        : undefined,
    );
    for (let i = 0; i < 3; i++) await run(pool, 'select * from t where a = $1', [i]);
    changed = true;
    await expect(run(pool, 'select * from t where a = $1', [3])).rejects.toThrow(/cached plan/);
    await run(pool, 'select * from t where a = $1', [4]);
    expect(sent.at(-1)).toEqual({ text: 'select * from t where a = $1', values: [4] });
  });
});
