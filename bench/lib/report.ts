/**
 * @module Judging and writing results: goals met or missed (and by how much), the console table,
 * the JSON kept for history, and the Markdown of BENCHMARKS.md.
 */
import type { MachineInfo } from './machine.js';
import { formatProfile, type ProfileSummary } from './profile.js';
import type { Goal, GoalResult, Row, Settings, Stat, Unit } from './types.js';

/** Formats a figure in its unit: `12,345 req/s`, `3.21 µs`, `48.2 MB`. */
export function fmt(value: number | undefined, unit: Unit): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  switch (unit) {
    case 'req/s':
      return `${Math.round(value).toLocaleString('en-US')} req/s`;
    case 'MB/s':
      return `${value.toFixed(1)} MB/s`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'ms':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
    case 'µs':
      return `${value.toFixed(2)} µs`;
    case 'ns':
      return `${value.toFixed(0)} ns`;
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}

/** Judges one goal on a row. */
export function judge(row: Row, goal: Goal): GoalResult {
  const y = row.yunbox?.median;
  const b = row.baseline?.stat.median;
  const miss = (off: string): GoalResult => ({ text: goal.text, met: false, off });
  const ok: GoalResult = { text: goal.text, met: true };
  if (y === undefined || !Number.isFinite(y)) return miss('no figure');
  switch (goal.kind) {
    case 'ratio-at-least': {
      if (b === undefined) return miss('no baseline figure');
      const r = y / b;
      return r >= goal.ratio
        ? ok
        : miss(
            `${pct(r)} of the baseline instead of ${pct(goal.ratio)}: ` +
              `needs ${(goal.ratio / r).toFixed(2)}× the throughput`,
          );
    }
    case 'at-least':
      return y >= goal.value
        ? ok
        : miss(
            `${fmt(y, row.unit)} instead of ${fmt(goal.value, row.unit)}: ` +
              `needs ${(goal.value / y).toFixed(2)}×`,
          );
    case 'at-most': {
      const v = goal.of === 'p99' ? (row.yunbox?.p99Us ?? NaN) / 1000 : y;
      return v <= goal.value
        ? ok
        : miss(
            `${fmt(v, row.unit)} instead of ${fmt(goal.value, row.unit)}: ` +
              `${(v / goal.value).toFixed(2)}× over`,
          );
    }
    case 'below-baseline':
      if (b === undefined) return miss('no baseline figure');
      return y < b ? ok : miss(`${(y / b).toFixed(2)}× the baseline's figure`);
    case 'over-baseline-at-most': {
      if (b === undefined) return miss('no baseline figure');
      const d = y - b;
      return d <= goal.value
        ? ok
        : miss(
            `${fmt(d, row.unit)} over the baseline instead of ${fmt(goal.value, row.unit)}: ` +
              `${fmt(d - goal.value, row.unit)} too much`,
          );
    }
  }
}

/** Judges every goal of every measured row (in place). */
export function judgeAll(rows: Row[]): void {
  for (const row of rows) {
    if (row.status === 'ok') row.results = row.goals.map((g) => judge(row, g));
  }
}

function statText(s: Stat | undefined, unit: Unit): string {
  if (!s) return '-';
  const spread = s.rounds.length > 1 ? ` ±${(s.spreadPct / 2).toFixed(0)}%` : '';
  return `${fmt(s.median, unit)}${spread}`;
}

function latencyText(s: Stat | undefined): string {
  if (s?.p99Us === undefined) return '';
  return `${(s.p99Us / 1000).toFixed(2)}`;
}

function goalText(row: Row): string {
  if (row.status === 'unavailable') return 'not available yet';
  if (row.status === 'error') return 'error';
  if (!row.goals.length) return 'report';
  const results = row.results ?? [];
  return row.goals
    .map((g, i) => `${g.text} ${results[i] ? (results[i].met ? 'met' : 'MISSED') : ''}`.trim())
    .join('; ');
}

function ratioText(row: Row): string {
  return row.ratio === undefined || !Number.isFinite(row.ratio) ? '-' : `${row.ratio.toFixed(2)}×`;
}

/** The rows as cells: scenario, yunbox, baseline, ratio, p99, goal. */
function cells(row: Row): string[] {
  const failed = row.yunbox?.failures ? ` (${row.yunbox.failures} failed)` : '';
  return [
    row.name,
    row.status === 'ok' ? statText(row.yunbox, row.unit) + failed : '-',
    row.baseline ? `${statText(row.baseline.stat, row.unit)} (${row.baseline.name})` : '-',
    ratioText(row),
    row.yunbox?.p99Us !== undefined
      ? `${latencyText(row.yunbox)} / ${latencyText(row.baseline?.stat) || '-'}`
      : '',
    goalText(row),
  ];
}

const HEADERS = ['scenario', 'yunbox', 'baseline', 'ratio', 'p99 ms (y/b)', 'goal'];

/** The console table (columns padded). */
export function consoleTable(rows: Row[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)]
    .join('\n')
    .concat('\n');
}

/** Missed goals, one line each: `scenario: goal: how far off`. */
export function missedGoals(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (const r of row.results ?? []) if (!r.met) out.push(`${row.name}: ${r.text}: ${r.off}`);
  }
  return out;
}

/** Rows that could not run, with why. */
export function notRun(rows: Row[]): string[] {
  return rows
    .filter((r) => r.status !== 'ok')
    .map(
      (r) => `${r.name}: ${r.status === 'unavailable' ? 'not available yet' : 'error'}: ${r.note}`,
    );
}

/** Everything a run records (the JSON file). */
export interface RunRecord {
  machine: MachineInfo;
  settings: Settings;
  argv: string[];
  durationSec: number;
  rows: Row[];
  profiles: ProfileSummary[];
}

/** Escapes table pipes, and `<` where Markdown would take it for an HTML tag. */
function mdEscape(s: string): string {
  return s.replaceAll('|', '\\|').replace(/<(?=[A-Za-z/!])/g, '&lt;');
}

/** The heading in bench/notes.md that explains the missed goals (linked from the list). */
export const WHY_MISSED_HEADING = 'Why the missed goals are missed, and what would reach them';

/** BENCHMARKS.md: the machine, the table, missed goals, what is not available, notes. */
export function markdown(record: RunRecord, notes: string): string {
  const m = record.machine;
  const s = record.settings;
  const lines = [
    '# Benchmarks',
    '',
    '<!-- generated by `npm run bench` (bench/run.ts); edit bench/notes.md, not this file -->',
    '',
    `Taken ${m.date.slice(0, 10)} on ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, ` +
      `Node.js ${m.node}, ${m.os}, commit \`${m.commit}\`; load average ${m.loadavg1} at the start.`,
    '',
    `Mode: ${s.quick ? 'quick' : 'full'}; ${s.connections} connections; ${s.warmupSec} s warm-up, ` +
      `then ${s.rounds} round${s.rounds === 1 ? '' : 's'} of ${s.roundSec} s per target, yunbox and baseline alternating. ` +
      'Figures are medians across rounds; ± is half the spread between the slowest and the fastest ' +
      'round. Latency p99 in ms, yunbox / baseline. Run it yourself with `npm run bench`.',
    '',
    '| scenario | yunbox | baseline | ratio | p99 ms (y/b) | goal |',
    '| --- | --- | --- | --- | --- | --- |',
    ...record.rows.map((r) => `| ${cells(r).map(mdEscape).join(' | ')} |`),
    '',
  ];
  const remarks = record.rows.filter((r) => r.status === 'ok' && r.note);
  if (remarks.length) {
    lines.push(...remarks.map((r) => `- ${mdEscape(r.name)}: ${r.note}`), '');
  }
  const missed = missedGoals(record.rows);
  lines.push('## Goals missed', '');
  lines.push(...(missed.length ? missed.map((x) => `- ${mdEscape(x)}`) : ['None.']), '');
  if (missed.length && notes.includes(WHY_MISSED_HEADING)) {
    lines.push(`Why each is missed, and what would reach it: "${WHY_MISSED_HEADING}" below.`, '');
  }
  const skipped = notRun(record.rows);
  if (skipped.length) lines.push('## Not measured', '', ...skipped.map((x) => `- ${x}`), '');
  if (record.profiles.length) {
    lines.push('## CPU profiles', '', '```');
    for (const p of record.profiles) lines.push(...formatProfile(p), '');
    lines.push('```', '');
  }
  if (notes.trim()) lines.push(notes.trim(), '');
  return lines.join('\n');
}
