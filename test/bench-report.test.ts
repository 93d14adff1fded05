/**
 * BENCHMARKS.md as the harness writes it: a missed goal is listed with how far off it is, and
 * points to the notes' section that says why and what would reach it (bench/notes.md must keep
 * that section while a goal is missed).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeAll, markdown, type RunRecord, WHY_MISSED_HEADING } from '../bench/lib/report.js';
import type { Row } from '../bench/lib/types.js';
import { REPO_ROOT } from '../src/testing/spawn.js';

const stat = (median: number) => ({
  median,
  min: median,
  max: median,
  spreadPct: 0,
  rounds: [median],
});

function record(yunbox: number): RunRecord {
  const row: Row = {
    scenario: 'oss-get',
    name: 'GET 1 KiB object',
    unit: 'req/s',
    status: 'ok',
    yunbox: stat(yunbox),
    baseline: { name: 'bare node:http', stat: stat(10_000) },
    ratio: yunbox / 10_000,
    goals: [{ kind: 'ratio-at-least', ratio: 0.6, text: '≥ 60% of bare node:http' }],
  };
  judgeAll([row]);
  return {
    machine: {
      cores: 2,
      cpu: 'test',
      memoryGiB: 1,
      node: process.version,
      os: 'Linux',
      loadavg1: 0,
      date: '2026-11-28T00:00:00Z',
      commit: 'abc1234',
    },
    settings: {
      quick: false,
      connections: 16,
      warmupSec: 1,
      roundSec: 1,
      rounds: 1,
    } as RunRecord['settings'],
    argv: [],
    durationSec: 1,
    rows: [row],
    profiles: [],
  };
}

describe('BENCHMARKS.md', () => {
  it('points from a missed goal to the notes that explain it', async () => {
    const notes = await readFile(join(REPO_ROOT, 'bench', 'notes.md'), 'utf8');
    expect(notes).toContain(`## ${WHY_MISSED_HEADING}`);
    const md = markdown(record(1_500), notes);
    expect(md).toMatch(/## Goals missed\n\n- GET 1 KiB object: ≥ 60% of bare node:http: 15% /);
    expect(md).toContain(`"${WHY_MISSED_HEADING}" below`);
  });

  it('says None and points nowhere when every goal is met', () => {
    const md = markdown(record(9_000), `## ${WHY_MISSED_HEADING}\n`);
    expect(md).toContain('## Goals missed\n\nNone.');
    expect(md).not.toContain(`"${WHY_MISSED_HEADING}" below`);
  });
});
