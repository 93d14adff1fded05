/**
 * The set-up the two-node end-to-end tests share: two `yunbox serve` processes, each with its own
 * data directory, on one fresh PostgreSQL schema. Call it inside a `describe`: the nodes start in
 * its `beforeAll` and are stopped (schema dropped, directories removed) in its `afterAll`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freshPgSchema } from '../../src/testing/server.js';
import { serveIn, type ServeInOptions, type ServeProcess } from '../../src/testing/spawn.js';

/** The two nodes (set once the `beforeAll` has run) and their data directories. */
export interface TwoNodes {
  a: ServeProcess;
  b: ServeProcess;
  dirs: string[];
}

/**
 * Registers the start and stop of two nodes sharing PostgreSQL; `opts` go to both (`--store` is
 * added); `prefix` names their temporary directories.
 * @example
 * const nodes = twoNodesOnPostgres('yunbox-ossnode-', { root: ROOT });
 * it('…', () => ossClient(nodes.a, ROOT)…);
 */
export function twoNodesOnPostgres(prefix: string, opts: ServeInOptions = {}): TwoNodes {
  const nodes = { dirs: [] } as unknown as TwoNodes;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const schema = await freshPgSchema();
    drop = schema.drop;
    const start = async () => {
      const dir = await mkdtemp(join(tmpdir(), prefix));
      nodes.dirs.push(dir);
      return serveIn(dir, { ...opts, args: [...(opts.args ?? []), '--store', schema.url] });
    };
    [nodes.a, nodes.b] = await Promise.all([start(), start()]);
  });
  afterAll(async () => {
    await Promise.all([nodes.a?.stop(), nodes.b?.stop()]);
    await drop?.();
    for (const d of nodes.dirs) await rm(d, { recursive: true, force: true });
  });
  return nodes;
}
