/**
 * @module Results of a compatibility run: each in-scope test's outcome from what mocha listed
 * (`--dry-run`) and what it reported, per-file counts, and the console, JSON and Markdown forms.
 * A listed test that never reported (its hook failed, its file timed out or crashed) counts as
 * failed, with the reason.
 */
import { isHook, type MochaRun, type MochaTest } from './mocha.js';
import type { Exclusion } from './ali-oss-scope.js';

/** One in-scope test's outcome. */
export interface TestResult {
  fullTitle: string;
  state: 'passed' | 'failed';
  /** First line of the failure, or why the test never ran. */
  error?: string;
}

/** One file's results. */
export interface FileReport {
  file: string;
  passed: number;
  failed: number;
  excluded: number;
  seconds: number;
  tests: TestResult[];
  /** Failed hooks, reported besides the tests they stopped. */
  hooks: { fullTitle: string; error: string }[];
  /** Why the process ended abnormally, if it did. */
  abnormal?: string;
}

/** A whole run. */
export interface CompatReport {
  suite: string;
  date: string;
  yunboxCommit: string;
  suiteCommit: string;
  passed: number;
  failed: number;
  excluded: { file: string; fullTitle: string; feature: string; reason: string }[];
  files: FileReport[];
}

const firstLine = (s: string | undefined) => (s ?? '').split('\n')[0]!.slice(0, 300);

/** The title part of a hook's full title that names its suite. */
function hookSuite(hook: MochaTest): string {
  const at = hook.fullTitle.indexOf(' "before ');
  const at2 = at >= 0 ? at : hook.fullTitle.indexOf(' "after ');
  return at2 >= 0 ? hook.fullTitle.slice(0, at2) : '';
}

/**
 * Each listed test's outcome in `run`. `listed` is in-scope only; reported tests that were not
 * listed (defined while running) are added at the end.
 */
export function fileReport(
  file: string,
  listed: string[],
  excluded: number,
  run: MochaRun,
  seconds: number,
): FileReport {
  const passed = new Map<string, number>();
  for (const t of run.passed) passed.set(t.fullTitle, (passed.get(t.fullTitle) ?? 0) + 1);
  const failed = new Map<string, MochaTest[]>();
  const hooks: MochaTest[] = [];
  for (const t of run.failed) {
    if (isHook(t)) hooks.push(t);
    else failed.set(t.fullTitle, [...(failed.get(t.fullTitle) ?? []), t]);
  }
  const abnormal = run.aborted
    ? 'aborted'
    : run.timedOut
      ? 'file timed out'
      : run.stats === undefined
        ? `mocha exited ${run.signal ?? run.exitCode} before its end event`
        : undefined;
  const notRun = (fullTitle: string): string => {
    const hook = hooks.find((h) => {
      const s = hookSuite(h);
      return s === '' || fullTitle.startsWith(`${s} `);
    });
    if (hook) return `not run: ${hook.title} failed: ${firstLine(hook.err)}`;
    return `not run: ${abnormal ?? 'not reported'}`;
  };
  const tests: TestResult[] = [];
  const take = <T>(m: Map<string, T[] | number>, k: string) => {
    const v = m.get(k);
    if (typeof v === 'number') {
      if (v <= 0) return false;
      m.set(k, v - 1);
      return true;
    }
    return v !== undefined && v.length > 0;
  };
  for (const fullTitle of listed) {
    if (take(passed, fullTitle)) tests.push({ fullTitle, state: 'passed' });
    else if (take(failed, fullTitle)) {
      const t = failed.get(fullTitle)!.shift()!;
      tests.push({ fullTitle, state: 'failed', error: firstLine(t.err) });
    } else tests.push({ fullTitle, state: 'failed', error: notRun(fullTitle) });
  }
  for (const [fullTitle, n] of passed)
    for (let i = 0; i < n; i++) tests.push({ fullTitle, state: 'passed' });
  for (const [fullTitle, ts] of failed)
    for (const t of ts) tests.push({ fullTitle, state: 'failed', error: firstLine(t.err) });
  return {
    file,
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
    excluded,
    seconds,
    tests,
    hooks: hooks.map((h) => ({ fullTitle: h.fullTitle, error: firstLine(h.err) })),
    ...(abnormal ? { abnormal } : {}),
  };
}

/** The closing line, exactly as the issue asks for it. */
export function summaryLine(r: Pick<CompatReport, 'passed' | 'failed'>): string {
  return `ali-oss suite: ${r.passed} passed, ${r.failed} failed`;
}

/** Per-file counts as a console table. */
export function consoleTable(files: FileReport[]): string {
  const rows = [
    ['file', 'passed', 'failed', 'excluded', 'seconds'],
    ...files.map((f) => [
      f.file + (f.abnormal ? ` (${f.abnormal})` : ''),
      String(f.passed),
      String(f.failed),
      String(f.excluded),
      f.seconds.toFixed(0),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '),
    )
    .join('\n');
}

/** Every failure, one line each, grouped by file. */
export function failureList(files: FileReport[]): string {
  const out: string[] = [];
  for (const f of files) {
    const failed = f.tests.filter((t) => t.state === 'failed');
    if (failed.length === 0 && f.hooks.length === 0) continue;
    out.push(`${f.file}:`);
    for (const t of failed) out.push(`  ✗ ${t.fullTitle}: ${t.error ?? ''}`);
    for (const h of f.hooks) out.push(`  hook ${h.fullTitle}: ${h.error}`);
  }
  return out.join('\n');
}

/** The run as Markdown (summary, per-file table, exclusions, failures). */
export function markdownReport(r: CompatReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    `# ali-oss suite against yunbox`,
    '',
    `${summaryLine(r)} (${r.date}, yunbox ${r.yunboxCommit}, ali-oss ${r.suiteCommit})`,
    '',
    '| file | passed | failed | excluded |',
    '| --- | ---: | ---: | ---: |',
    ...r.files.map((f) => `| ${f.file} | ${f.passed} | ${f.failed} | ${f.excluded} |`),
    '',
    '## Excluded',
    '',
    ...r.excluded.map((e) => `- ${e.file}: ${esc(e.fullTitle)} (${e.feature})`),
    '',
    '## Failures',
    '',
  ];
  for (const f of r.files)
    for (const t of f.tests.filter((x) => x.state === 'failed'))
      lines.push(`- ${f.file}: ${esc(t.fullTitle)}: \`${esc(t.error ?? '')}\``);
  return `${lines.join('\n')}\n`;
}

/** The excluded tests of a listing, with their exclusion. */
export function excludedEntries(
  file: string,
  fullTitles: string[],
  find: (file: string, fullTitle: string) => Exclusion | undefined,
): CompatReport['excluded'] {
  return fullTitles.flatMap((fullTitle) => {
    const e = find(file, fullTitle);
    return e ? [{ file, fullTitle, feature: e.feature, reason: e.reason }] : [];
  });
}
