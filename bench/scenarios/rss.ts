/**
 * @module Idle memory: resident set size (`VmRSS` in `/proc/<pid>/status`) of a `yunbox serve`
 * (SQLite) of its own, after start and set-up, and again after a warm-up under load once it is
 * idle again. The warm-up is the one issue 21 names: the 1 KiB GET and PUT of the OSS scenarios,
 * then AssumeRole, a few seconds each (quick: one second each). Five samples 200 ms apart each
 * (quick: three, 100 ms apart, after shorter pauses: the quick row is taken before the server's
 * idle give-back has run). The log also gives the peak RSS during the warm-up, RSS 2 s after it,
 * and where the idle RSS is (anonymous memory against mapped files, `/proc/<pid>/status`).
 */
import type { LoadJob } from '../lib/load-worker.js';
import { runLoad } from '../lib/load.js';
import { rssMb } from '../lib/processes.js';
import { summarize } from '../lib/stats.js';
import type { Row, Scenario } from '../lib/types.js';
import { assumeRoleJob } from './assume-role.js';
import { getObjectRequest, needsOss, ossReady, putRequests } from './oss-common.js';
import { readFileSync } from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const AFTER_START = 'idle RSS after start (SQLite)';
/**
 * Seconds idle after the warm-up before the row's samples: past `yunbox serve`'s give-back (30 s
 * of idle, then a second collection 5 s later, looked at every 5 s; src/kernel/idle-memory.ts).
 */
const IDLE_SEC = 45;
/** The row's name, with how long after the warm-up it was read (quick runs do not wait). */
const afterLoad = (sec: number) =>
  `idle RSS ${sec} s after the GET/PUT/AssumeRole warm-up (SQLite)`;
const START_GOAL = { kind: 'at-most', value: 80, text: '< 80 MB' } as const;
const LOAD_GOAL = { kind: 'at-most', value: 100, text: '≤ 100 MB (issue 21)' } as const;

async function sampleRss(pid: number, quick: boolean): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < (quick ? 3 : 5); i++) {
    out.push(rssMb(pid));
    await sleep(quick ? 100 : 200);
  }
  return out;
}

/** `RssAnon`, `RssFile` and `RssShmem` of `/proc/<pid>/status`, in MB, as one log phrase. */
function rssParts(pid: number): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const part = (name: string) => {
      const m = new RegExp(`${name}:\\s+(\\d+)\\s+kB`).exec(status);
      return m ? (Number(m[1]) / 1024).toFixed(1) : '?';
    };
    return `anon ${part('RssAnon')}, file ${part('RssFile')}, shmem ${part('RssShmem')} MB`;
  } catch {
    return 'parts unknown';
  }
}

/** The scenario. */
export const rss: Scenario = {
  id: 'rss',
  title: 'idle RSS of yunbox serve (SQLite), after start and after a GET/PUT/AssumeRole warm-up',
  unavailable: needsOss([
    { name: AFTER_START, unit: 'MB', goals: [START_GOAL] },
    { name: afterLoad(IDLE_SEC), unit: 'MB', goals: [LOAD_GOAL] },
  ]),
  async run(ctx) {
    const yb = await ctx.resources.startYunbox('sqlite', 'rss');
    try {
      const quick = ctx.settings.quick;
      await ossReady(yb);
      await sleep(quick ? 300 : 1000);
      const afterStart = await sampleRss(yb.pid, quick);
      const partsStart = rssParts(yb.pid);
      const seconds = quick ? 1 : Math.max(2, ctx.settings.warmupSec + 1);
      const creds = await yb.sts();
      const conns = ctx.settings.connections;
      const jobs: Array<[string, LoadJob]> = [
        [
          'GET',
          {
            url: yb.endpoint,
            durationSec: seconds,
            connections: conns,
            requests: [getObjectRequest(creds)],
          },
        ],
        [
          'PUT',
          {
            url: yb.endpoint,
            durationSec: seconds,
            connections: conns,
            requests: putRequests(creds, 256),
          },
        ],
        ['AssumeRole', assumeRoleJob(yb, yb.endpoint, seconds, conns)],
      ];
      let peak = 0;
      const timer = setInterval(() => (peak = Math.max(peak, rssMb(yb.pid))), 100);
      const rates: string[] = [];
      try {
        for (const [name, job] of jobs) {
          const r = await runLoad(job);
          if (r.non2xx + r.errors > 0) {
            throw new Error(`${name} warm-up: ${r.non2xx} non-2xx, ${r.errors} errors`);
          }
          rates.push(`${r.rps.toFixed(0)} ${name}/s`);
        }
      } finally {
        clearInterval(timer);
      }
      ctx.log(`  warm-up: ${rates.join(', ')}, ${seconds} s each; peak RSS ${peak.toFixed(1)} MB`);
      await sleep(quick ? 500 : 2000);
      const soon = `${rssMb(yb.pid).toFixed(1)} MB (${rssParts(yb.pid)})`;
      if (!quick) await sleep((IDLE_SEC - 2) * 1000);
      const loaded = await sampleRss(yb.pid, quick);
      ctx.log(
        `  RSS after start ${afterStart.map((x) => x.toFixed(1)).join('/')} MB (${partsStart}); ` +
          `${quick ? 0.5 : 2} s after the warm-up ${soon}; ${quick ? '' : `${IDLE_SEC} s after `}` +
          `${loaded.map((x) => x.toFixed(1)).join('/')} MB (${rssParts(yb.pid)})`,
      );
      const rows: Row[] = [];
      for (const [name, list, goal] of [
        [AFTER_START, afterStart, START_GOAL],
        [afterLoad(quick ? 0.5 : IDLE_SEC), loaded, LOAD_GOAL],
      ] as const) {
        rows.push({
          scenario: 'rss',
          name,
          unit: 'MB',
          status: 'ok',
          yunbox: summarize(list.map((value) => ({ value }))),
          goals: [goal],
        });
      }
      return rows;
    } finally {
      await yb.stop();
    }
  },
};
