/**
 * @module `npm run bench`: starts what each scenario needs on loopback (yunbox from `dist/`, the
 * bare node:http baseline, s3rver), runs the scenarios, prints the table (yunbox's figure, the
 * baseline's figure from the same run, the ratio, the goal), lists the goals missed and by how
 * much, and writes `bench/results/<date>.json` and, for a complete full run, BENCHMARKS.md.
 *
 * ```
 * npm run bench                        # build, then every scenario (several minutes)
 * npm run bench:quick                  # build, then a short round of each (under a minute)
 * npm run bench -- --only assume-role --profile
 * npx tsx bench/run.ts --list
 * ```
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { machineInfo } from './lib/machine.js';
import { CLI, REPO_ROOT } from './lib/processes.js';
import { formatProfile } from './lib/profile.js';
import {
  consoleTable,
  judgeAll,
  markdown,
  missedGoals,
  notRun,
  type RunRecord,
} from './lib/report.js';
import { Resources } from './lib/resources.js';
import type { Row, Settings } from './lib/types.js';
import { SCENARIOS } from './scenarios/index.js';

const USAGE = `usage: npm run bench [-- options]     (or: npx tsx bench/run.ts [options])

Runs the benchmark scenarios against yunbox (built in dist/) and their baselines, all on loopback,
and prints yunbox's figure, the baseline's figure from the same run, and the ratio.

options:
  --quick               one short round per target (under a minute; for development)
  --only ID[,ID...]     run only these scenarios (see --list)
  --list                list the scenarios and exit
  --profile             run yunbox under node --cpu-prof and summarise where the time went
  --node-flags="F..."   extra flags for yunbox's node, given with '=' since they start with --
                        (e.g. --node-flags="--max-semi-space-size=4")
  --connections N       load-generator connections (default 16)
  --rounds N            measured rounds per target (default 5, quick 1)
  --round-sec S         seconds per round (default 5, quick 1)
  --warmup-sec S        warm-up seconds per target (default 3, quick 0.5)
  --results-dir DIR     where the JSON goes (default bench/results)
  --markdown PATH       write the Markdown table there (default: BENCHMARKS.md, full runs of
                        every scenario only)
  --no-markdown         never write Markdown
  --keep                keep the temporary directory (data dirs, logs)
  --render FILE         print a saved results JSON again and write its Markdown (default
                        BENCHMARKS.md), e.g. after editing bench/notes.md; runs nothing
  -h, --help            this text
`;

function settingsFor(quick: boolean): Settings {
  return quick
    ? {
        quick,
        connections: 16,
        warmupSec: 0.5,
        roundSec: 1,
        rounds: 1,
        startRounds: 2,
        listKeys: 500,
        streamBytes: 16 * 2 ** 20,
        rssStreamBytes: 256 * 2 ** 20,
        policyIterations: 50_000,
        cedarIterations: 2_000,
        profile: false,
        nodeFlags: [],
        pgUrl: 'postgres://postgres@127.0.0.1:5432/test',
      }
    : {
        quick,
        connections: 16,
        warmupSec: 3,
        roundSec: 5,
        rounds: 5,
        startRounds: 10,
        listKeys: 10_000,
        streamBytes: 64 * 2 ** 20,
        rssStreamBytes: 2 ** 30,
        policyIterations: 200_000,
        cedarIterations: 20_000,
        profile: false,
        nodeFlags: [],
        pgUrl: 'postgres://postgres@127.0.0.1:5432/test',
      };
}

/** Prints the table, the goals missed, what was not measured, and the profiles. */
function printRecord(record: RunRecord, log: (line: string) => void): void {
  const rows = record.rows;
  log('');
  process.stdout.write(consoleTable(rows));
  for (const r of rows) if (r.status === 'ok' && r.note) log(`  ${r.name}: ${r.note}`);
  const missed = missedGoals(rows);
  log('');
  log(missed.length ? 'goals missed:' : 'goals missed: none');
  for (const m of missed) log(`  - ${m}`);
  const skipped = notRun(rows);
  if (skipped.length) {
    log('not measured:');
    for (const s of skipped) log(`  - ${s}`);
  }
  for (const p of record.profiles) {
    log('');
    for (const l of formatProfile(p)) log(l);
  }
}

/** Writes the Markdown of a run (with bench/notes.md), formatted with the repository's prettier. */
async function writeMarkdown(
  record: RunRecord,
  mdPath: string,
  log: (line: string) => void,
): Promise<void> {
  let notes = '';
  try {
    notes = await readFile(join(REPO_ROOT, 'bench', 'notes.md'), 'utf8');
  } catch {
    /* no notes */
  }
  // Formatted like every other file of the repository (`npm run check` runs prettier).
  const options = (await prettier.resolveConfig(mdPath)) ?? {};
  const text = await prettier.format(markdown(record, notes), { ...options, parser: 'markdown' });
  await writeFile(mdPath, text);
  log(`markdown: ${relative(process.cwd(), mdPath)}`);
}

async function main(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        list: { type: 'boolean' },
        profile: { type: 'boolean' },
        'node-flags': { type: 'string' },
        connections: { type: 'string' },
        rounds: { type: 'string' },
        'round-sec': { type: 'string' },
        'warmup-sec': { type: 'string' },
        'results-dir': { type: 'string' },
        markdown: { type: 'string' },
        'no-markdown': { type: 'boolean' },
        keep: { type: 'boolean' },
        render: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (typeof values.render === 'string') {
    const record = JSON.parse(await readFile(values.render, 'utf8')) as RunRecord;
    judgeAll(record.rows);
    const log = (line: string) => process.stdout.write(`${line}\n`);
    printRecord(record, log);
    if (values['no-markdown'] !== true) {
      const mdPath =
        typeof values.markdown === 'string' ? values.markdown : join(REPO_ROOT, 'BENCHMARKS.md');
      await writeMarkdown(record, mdPath, log);
    }
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) {
      const u = s.unavailable?.();
      process.stdout.write(
        `${s.id.padEnd(14)} ${s.title}${u ? `  [not available yet: ${u.reason}]` : ''}\n`,
      );
    }
    return 0;
  }
  const quick = Boolean(values.quick);
  const settings = settingsFor(quick);
  const num = (name: string, key: 'connections' | 'rounds' | 'roundSec' | 'warmupSec') => {
    const v = values[name];
    if (typeof v !== 'string') return;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number, not \`${v}\``);
    settings[key] = n;
  };
  try {
    num('connections', 'connections');
    num('rounds', 'rounds');
    num('round-sec', 'roundSec');
    num('warmup-sec', 'warmupSec');
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  settings.profile = Boolean(values.profile);
  if (typeof values['node-flags'] === 'string') {
    settings.nodeFlags = values['node-flags'].split(/\s+/).filter(Boolean);
  }
  settings.pgUrl =
    process.env.YUNBOX_BENCH_PG_URL ?? process.env.YUNBOX_TEST_PG_URL ?? settings.pgUrl;

  const only = typeof values.only === 'string' ? values.only.split(',').map((s) => s.trim()) : [];
  const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) {
    process.stderr.write(`bench: unknown scenario \`${unknown.join('`, `')}\` (see --list)\n`);
    return 2;
  }
  const selected = SCENARIOS.filter((s) =>
    only.length ? only.includes(s.id) : !quick || s.quick !== false,
  );
  if (!existsSync(CLI)) {
    process.stderr.write('bench: dist/yunbox.mjs is missing: run `npm run build` first\n');
    return 2;
  }

  const started = Date.now();
  const resultsDir =
    typeof values['results-dir'] === 'string'
      ? values['results-dir']
      : join(REPO_ROOT, 'bench', 'results');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await mkdir(resultsDir, { recursive: true });
  const machine = machineInfo(REPO_ROOT);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `yunbox bench (${quick ? 'quick' : 'full'}): ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
      `Node.js ${machine.node}, commit ${machine.commit}, load ${machine.loadavg1}`,
  );
  const tmp = await mkdtemp(join(tmpdir(), 'yunbox-bench-'));
  const resources = new Resources(tmp, settings, join(resultsDir, `profiles-${stamp}`), log);
  const rows: Row[] = [];
  const stop = () => {
    void resources.close(Boolean(values.keep)).finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    for (const scenario of selected) {
      const unavailable = scenario.unavailable?.();
      if (unavailable) {
        log(`- ${scenario.id}: not available yet (${unavailable.reason})`);
        for (const r of unavailable.rows) {
          rows.push({
            ...r,
            scenario: scenario.id,
            status: 'unavailable',
            note: unavailable.reason,
          });
        }
        continue;
      }
      log(`- ${scenario.id}: ${scenario.title}`);
      const t0 = Date.now();
      try {
        rows.push(...(await scenario.run({ settings, resources, log })));
      } catch (e) {
        const message = (e as Error).message.split('\n')[0]!.slice(0, 300);
        log(`  failed: ${((e as Error).stack ?? message).slice(0, 2000)}`);
        rows.push({
          scenario: scenario.id,
          name: scenario.title,
          unit: 'req/s',
          status: 'error',
          goals: [],
          note: message,
        });
      }
      log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await resources.close(Boolean(values.keep));
    if (values.keep) log(`temporary files kept in ${tmp}`);
  }

  judgeAll(rows);
  const record: RunRecord = {
    machine,
    settings,
    argv,
    durationSec: (Date.now() - started) / 1000,
    rows,
    profiles: resources.profiles,
  };
  printRecord(record, log);
  const jsonFile = join(resultsDir, `${stamp}.json`);
  await writeFile(jsonFile, JSON.stringify(record, null, 2) + '\n');
  log('');
  log(`results: ${relative(process.cwd(), jsonFile)}`);
  const complete = !quick && only.length === 0;
  const mdPath =
    values['no-markdown'] === true
      ? undefined
      : typeof values.markdown === 'string'
        ? values.markdown
        : complete
          ? join(REPO_ROOT, 'BENCHMARKS.md')
          : undefined;
  if (mdPath) await writeMarkdown(record, mdPath, log);
  log(`done in ${record.durationSec.toFixed(0)} s`);
  return rows.some((r) => r.status === 'error') ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
