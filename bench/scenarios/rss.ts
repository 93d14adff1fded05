/**
 * @module Idle memory: resident set size (`VmRSS` in `/proc/<pid>/status`) of a `yunbox serve`
 * (SQLite) of its own, after start and set-up, and again after a warm-up under load
 * (AssumeRole for a few seconds) once it is idle again. Five samples 200 ms apart each (quick:
 * three, 100 ms apart, after shorter pauses).
 */
import { runLoad } from '../lib/load.js';
import { rssMb } from '../lib/processes.js';
import { summarize } from '../lib/stats.js';
import type { Row, Scenario } from '../lib/types.js';
import { assumeRoleJob } from './assume-role.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sampleRss(pid: number, quick: boolean): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    out.push(rssMb(pid));
    await sleep(quick ? 100 : 200);
  }
  return out;
}

/** The scenario. */
export const rss: Scenario = {
  id: 'rss',
  title: 'idle RSS of yunbox serve (SQLite), after start and after a warm-up',
  async run(ctx) {
    const yb = await ctx.resources.startYunbox('sqlite', 'rss');
    try {
      const quick = ctx.settings.quick;
      await sleep(quick ? 300 : 1000);
      const afterStart = await sampleRss(yb.pid, quick);
      const seconds = ctx.settings.quick ? 1 : Math.max(2, ctx.settings.warmupSec * 2);
      const r = await runLoad(assumeRoleJob(yb, yb.endpoint, seconds, ctx.settings.connections));
      ctx.log(`  warm-up: ${r.rps.toFixed(0)} AssumeRole/s for ${seconds} s`);
      await sleep(quick ? 500 : 2000);
      const afterLoad = await sampleRss(yb.pid, quick);
      ctx.log(
        `  RSS after start ${afterStart.map((x) => x.toFixed(1)).join('/')} MB, after warm-up ` +
          `${afterLoad.map((x) => x.toFixed(1)).join('/')} MB`,
      );
      const rows: Row[] = [];
      for (const [name, list] of [
        ['idle RSS after start (SQLite)', afterStart],
        ['idle RSS after warm-up under load (SQLite)', afterLoad],
      ] as const) {
        rows.push({
          scenario: 'rss',
          name,
          unit: 'MB',
          status: 'ok',
          yunbox: summarize(list.map((value) => ({ value }))),
          goals: [{ kind: 'at-most', value: 80, text: '< 80 MB' }],
        });
      }
      return rows;
    } finally {
      await yb.stop();
    }
  },
};
