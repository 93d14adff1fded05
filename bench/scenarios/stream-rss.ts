/**
 * @module Memory while streaming: a `yunbox serve` (SQLite) of its own is sampled (`VmRSS`, every
 * 100 ms) while a 1 GiB object is PUT and then GOT back through it. "Flat" means the peak stays
 * within 50 MB of the same process's idle RSS measured just before: bodies stream, they are not
 * buffered.
 */
import { rssMb } from '../lib/processes.js';
import { summarize } from '../lib/stats.js';
import type { Row, Scenario } from '../lib/types.js';
import { needsOss, ossReady } from './oss-common.js';
import { checkedStream, ossStreamJob } from './oss-stream.js';

const NAME = 'peak RSS while streaming a 1 GiB object (PUT then GET)';
const GOAL = { kind: 'over-baseline-at-most', value: 50, text: 'flat: ≤ idle + 50 MB' } as const;

/** The scenario. */
export const streamRss: Scenario = {
  id: 'stream-rss',
  title: 'RSS while streaming a 1 GiB object vs idle RSS',
  quick: false,
  unavailable: needsOss([{ name: NAME, unit: 'MB', goals: [GOAL] }]),
  async run(ctx) {
    const yb = await ctx.resources.startYunbox('sqlite', 'stream-rss');
    try {
      await ossReady(yb);
      await new Promise((r) => setTimeout(r, 1000));
      const idle: number[] = [];
      for (let i = 0; i < 5; i++) {
        idle.push(rssMb(yb.pid));
        await new Promise((r) => setTimeout(r, 100));
      }
      const samples: number[] = [];
      const timer = setInterval(() => samples.push(rssMb(yb.pid)), 100);
      const bytes = ctx.settings.rssStreamBytes;
      let r;
      try {
        r = await checkedStream(ossStreamJob(yb, await yb.sts(), 'huge', bytes));
      } finally {
        clearInterval(timer);
      }
      const peak = Math.max(...samples);
      ctx.log(
        `  idle ${summarize(idle.map((value) => ({ value }))).median.toFixed(1)} MB, peak ` +
          `${peak.toFixed(1)} MB over ${samples.length} samples; PUT ${(r.putMs / 1000).toFixed(1)} s, ` +
          `GET ${(r.getMs / 1000).toFixed(1)} s`,
      );
      const gib = bytes / 2 ** 30;
      const row: Row = {
        scenario: 'stream-rss',
        name: gib === 1 ? NAME : NAME.replace('1 GiB', `${bytes / 2 ** 20} MiB`),
        unit: 'MB',
        status: 'ok',
        yunbox: summarize([{ value: peak }]),
        baseline: {
          name: 'idle RSS, same process',
          stat: summarize(idle.map((value) => ({ value }))),
        },
        ratio: peak / summarize(idle.map((value) => ({ value }))).median,
        goals: [GOAL],
      };
      return [row];
    } finally {
      await yb.stop();
    }
  },
};
