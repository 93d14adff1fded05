/**
 * @module The PostgreSQL store: the same AssumeRole, GET, PUT and ListObjects against a yunbox on
 * PostgreSQL (`--store postgres://…?schema=<fresh>`, dropped afterwards), each measured in the
 * same rounds as the SQLite yunbox, reported as the ratio PostgreSQL / SQLite, with issue 21's
 * goal: each at least 67% of SQLite (a node on the shared store near a node on its own file).
 */
import { measureTargets, type LoadTarget } from '../lib/load.js';
import { serviceMissing, type BenchYunbox } from '../lib/resources.js';
import type { BenchContext, Goal, Row, Scenario } from '../lib/types.js';
import { assumeRoleJob, oneAssumeRole } from './assume-role.js';
import { ossReady } from './oss-common.js';
import { ossGetTarget } from './oss-get.js';
import { ensureListKeys, ossListTarget } from './oss-list.js';
import { ossPutTarget } from './oss-put.js';

const ROWS = {
  assume: 'STS AssumeRole on PostgreSQL',
  get: 'GET 1 KiB object on PostgreSQL',
  put: 'PUT 1 KiB object on PostgreSQL',
  list: 'ListObjects, 100 of 10,000 keys, on PostgreSQL',
};

/** Issue 21: a PostgreSQL node at two thirds of a SQLite node or better. */
const GOAL: Goal = { kind: 'ratio-at-least', ratio: 0.67, text: '≥ 67% of SQLite' };

async function compare(
  ctx: BenchContext,
  name: string,
  target: (name: string, yb: BenchYunbox) => LoadTarget,
  sqlite: BenchYunbox,
  postgres: BenchYunbox,
): Promise<Row> {
  ctx.log(`  ${name}`);
  const figures = await measureTargets(
    [target('postgres', postgres), target('sqlite', sqlite)],
    ctx.settings,
    ctx.log,
  );
  const y = figures.get('postgres')!.stat;
  const b = figures.get('sqlite')!.stat;
  return {
    scenario: 'postgres',
    name,
    unit: 'req/s',
    status: 'ok',
    yunbox: y,
    baseline: { name: 'same on SQLite', stat: b },
    ratio: y.median / b.median,
    goals: [GOAL],
  };
}

/** The scenario. */
export const postgres: Scenario = {
  id: 'postgres',
  title: 'AssumeRole, GET, PUT and ListObjects on the PostgreSQL store vs SQLite',
  quick: false,
  async run(ctx) {
    let pgYb: BenchYunbox;
    try {
      pgYb = await ctx.resources.yunbox('postgres');
    } catch (e) {
      const note = `PostgreSQL at ${ctx.settings.pgUrl} not usable: ${(e as Error).message}`;
      return Object.values(ROWS).map((name) => ({
        scenario: 'postgres',
        name,
        unit: 'req/s' as const,
        status: 'unavailable' as const,
        goals: [GOAL],
        note,
      }));
    }
    const sqlite = await ctx.resources.yunbox('sqlite');
    await oneAssumeRole(pgYb);
    const rows: Row[] = [
      await compare(
        ctx,
        ROWS.assume,
        (name, yb) => ({ name, job: (d, c) => assumeRoleJob(yb, yb.endpoint, d, c) }),
        sqlite,
        pgYb,
      ),
    ];
    const missing = serviceMissing('oss');
    if (missing) {
      for (const name of [ROWS.get, ROWS.put, ROWS.list]) {
        rows.push({
          scenario: 'postgres',
          name,
          unit: 'req/s',
          status: 'unavailable',
          goals: [GOAL],
          note: missing,
        });
      }
      return rows;
    }
    await Promise.all([ossReady(sqlite), ossReady(pgYb)]);
    rows.push(await compare(ctx, ROWS.get, ossGetTarget, sqlite, pgYb));
    rows.push(await compare(ctx, ROWS.put, ossPutTarget, sqlite, pgYb));
    await ensureListKeys(ctx, sqlite);
    await ensureListKeys(ctx, pgYb);
    const list =
      ctx.settings.listKeys === 10_000
        ? ROWS.list
        : ROWS.list.replace('10,000', ctx.settings.listKeys.toLocaleString('en-US'));
    rows.push(await compare(ctx, list, ossListTarget, sqlite, pgYb));
    return rows;
  },
};
