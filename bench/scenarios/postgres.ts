/**
 * @module The PostgreSQL store: the same AssumeRole, GET and PUT against a yunbox on PostgreSQL
 * (`--store postgres://…?schema=<fresh>`, dropped afterwards), each measured in the same rounds as
 * the SQLite yunbox, reported as the ratio PostgreSQL / SQLite. The OSS rows wait for OSS.
 */
import { measureTargets, type LoadTarget } from '../lib/load.js';
import { serviceMissing, type BenchYunbox } from '../lib/resources.js';
import type { BenchContext, Row, Scenario } from '../lib/types.js';
import { assumeRoleJob, oneAssumeRole } from './assume-role.js';
import { ossReady } from './oss-common.js';
import { ossGetTarget } from './oss-get.js';
import { ossPutTarget } from './oss-put.js';

const ROWS = {
  assume: 'STS AssumeRole on PostgreSQL',
  get: 'GET 1 KiB object on PostgreSQL',
  put: 'PUT 1 KiB object on PostgreSQL',
};

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
    goals: [],
  };
}

/** The scenario. */
export const postgres: Scenario = {
  id: 'postgres',
  title: 'AssumeRole, GET and PUT on the PostgreSQL store vs SQLite',
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
        goals: [],
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
      for (const name of [ROWS.get, ROWS.put]) {
        rows.push({
          scenario: 'postgres',
          name,
          unit: 'req/s',
          status: 'unavailable',
          goals: [],
          note: missing,
        });
      }
      return rows;
    }
    await Promise.all([ossReady(sqlite), ossReady(pgYb)]);
    rows.push(await compare(ctx, ROWS.get, ossGetTarget, sqlite, pgYb));
    rows.push(await compare(ctx, ROWS.put, ossPutTarget, sqlite, pgYb));
    return rows;
  },
};
