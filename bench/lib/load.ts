/**
 * @module Driving the load worker: one child process per round (`bench/lib/load-worker.ts`), the
 * first round of each target preceded by its warm-up, the targets alternating round by round
 * (yunbox, baseline, baseline, yunbox, ...) so that whatever else the machine is doing falls on
 * both alike.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadJob, LoadResult } from './load-worker.js';
import type { StreamJob, StreamResult } from './stream-worker.js';
import { REPO_ROOT } from './processes.js';
import { summarize } from './stats.js';
import type { Settings, Stat } from './types.js';

/** Runs `bench/lib/<script>` in a fresh process with `job` on stdin; resolves with its JSON. */
export async function runWorker<T>(script: string, job: unknown): Promise<T> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench', 'lib', script)],
    {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  child.stdin!.end(JSON.stringify(job));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${script} exited ${code}: ${err.trim()}`);
  return JSON.parse(out) as T;
}

/** Runs one job in a fresh load-worker process. */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return runWorker<LoadResult>('load-worker.ts', job);
}

/** Runs one PUT-then-GET of a large object in a fresh stream-worker process. */
export function runStream(job: StreamJob): Promise<StreamResult> {
  return runWorker<StreamResult>('stream-worker.ts', job);
}

/** A server under load; `job` is called before every run (so signatures are fresh). */
export interface LoadTarget {
  name: string;
  job(durationSec: number, connections: number): LoadJob | Promise<LoadJob>;
  /** The server's process id, to report its CPU time per request (Linux only). */
  pid?: number;
}

/** CPU time (user + system) a process has used so far, in µs; undefined off Linux. */
export function processCpuUs(pid: number): number | undefined {
  return statCpuUs(`/proc/${pid}/stat`);
}

/**
 * CPU time (user + system) of a process's main thread (its event loop) so far, in µs: not its
 * other threads (the trail's writer, the thread pool); undefined off Linux.
 */
export function mainThreadCpuUs(pid: number): number | undefined {
  return statCpuUs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuUs(path: string): number | undefined {
  try {
    // /proc/PID/stat: fields after the `(comm)`; utime and stime are the 12th and 13th there.
    const stat = readFileSync(path, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** USER_HZ: Linux reports process times in 1/100 s on every architecture Node runs on. */
const CLOCK_TICKS = 100;

/** A target's measured figure. */
export interface TargetFigure {
  stat: Stat;
  runs: LoadResult[];
}

/**
 * `settings.rounds` measured rounds per target (the first after a warm-up), alternating targets
 * and rotating which goes first. The figure is 2xx responses per second; a round whose responses were not all
 * 2xx counts its failures (shown in the table, since refused requests are cheap and would flatter
 * the figure).
 */
export async function measureTargets(
  targets: LoadTarget[],
  settings: Settings,
  log: (line: string) => void,
): Promise<Map<string, TargetFigure>> {
  const runs = new Map<string, LoadResult[]>(targets.map((t) => [t.name, []]));
  for (let round = 0; round < settings.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const t of order) {
      const job = await t.job(settings.roundSec, settings.connections);
      // The first round of each target starts with its warm-up, in the same worker process.
      const warm = round === 0 && settings.warmupSec > 0;
      if (warm) job.warmupSec = settings.warmupSec;
      // CPU per request only for rounds without a warm-up, whose requests are not all counted.
      const cpuBefore = t.pid !== undefined && !warm ? processCpuUs(t.pid) : undefined;
      const loopBefore = t.pid !== undefined && !warm ? mainThreadCpuUs(t.pid) : undefined;
      const r = await runLoad(job);
      const cpuAfter = t.pid !== undefined && !warm ? processCpuUs(t.pid) : undefined;
      const loopAfter = t.pid !== undefined && !warm ? mainThreadCpuUs(t.pid) : undefined;
      const answered = r.ok + r.non2xx;
      if (cpuBefore !== undefined && cpuAfter !== undefined && answered > 0) {
        r.cpuUsPerRequest = (cpuAfter - cpuBefore) / answered;
      }
      let loop = '';
      if (loopBefore !== undefined && loopAfter !== undefined && answered > 0) {
        loop = ` (${((loopAfter - loopBefore) / answered).toFixed(0)} on the event loop)`;
      }
      runs.get(t.name)!.push(r);
      const cpu =
        r.cpuUsPerRequest === undefined
          ? ''
          : `, ${r.cpuUsPerRequest.toFixed(0)} µs CPU/req${loop}`;
      log(
        `  round ${round + 1}/${settings.rounds} ${t.name}: ${r.rps.toFixed(0)} req/s, ` +
          `p50 ${(r.p50Us / 1000).toFixed(2)} ms, p99 ${(r.p99Us / 1000).toFixed(2)} ms${cpu}${failures(r)}`,
      );
    }
  }
  const figures = new Map<string, TargetFigure>();
  for (const [name, list] of runs) {
    figures.set(name, {
      runs: list,
      stat: summarize(
        list.map((r) => ({
          value: r.rps,
          p50Us: r.p50Us,
          p99Us: r.p99Us,
          failures: r.non2xx + r.errors + r.timeouts,
        })),
      ),
    });
  }
  return figures;
}

/**
 * `{ note }` giving the median CPU time per request of a target measured with a `pid`, for the
 * table's remarks; `{}` when no round measured it (warm-up only, or not Linux).
 */
export function cpuNote(figure: TargetFigure | undefined): { note?: string } {
  const xs = (figure?.runs ?? [])
    .map((r) => r.cpuUsPerRequest)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  if (xs.length === 0) return {};
  const median = xs[Math.floor((xs.length - 1) / 2)]!;
  return {
    note: `yunbox CPU ${median.toFixed(0)} µs per request (median of ${xs.length} round${xs.length === 1 ? '' : 's'})`,
  };
}

function failures(r: LoadResult): string {
  const n = r.non2xx + r.errors + r.timeouts;
  if (n === 0) return '';
  return ` (${n} failed: ${JSON.stringify(r.statusCodes)}, ${r.errors} errors)`;
}
