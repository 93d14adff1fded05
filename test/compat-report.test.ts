/**
 * The compatibility runner's bookkeeping (scripts/compat/lib): mocha's json-stream lines read
 * among the tests' own output, each listed test's outcome (a test stopped by a failed hook, a
 * file that timed out), and the out-of-scope list turned into a literal `--grep` pattern.
 */
import { describe, expect, it } from 'vitest';
import {
  ALI_OSS_EXCLUSIONS,
  excludedTitlesPattern,
  exclusionFor,
} from '../scripts/compat/lib/ali-oss-scope.js';
import { readEvent, type MochaRun } from '../scripts/compat/lib/mocha.js';
import { fileReport, summaryLine } from '../scripts/compat/lib/report.js';

const run = (lines: string[], extra: Partial<MochaRun> = {}): MochaRun => {
  const r: MochaRun = {
    passed: [],
    failed: [],
    timedOut: false,
    aborted: false,
    exitCode: 0,
    signal: null,
    ...extra,
  };
  for (const l of lines) readEvent(l, r);
  return r;
};
const ev = (kind: string, body: object) => JSON.stringify([kind, body]);

describe('compat runner results', () => {
  it('reads events and ignores everything else on stdout', () => {
    const r = run([
      ev('start', { total: 2 }),
      'console.log from a test',
      '["not json',
      ev('pass', { title: 'a', fullTitle: 's a', duration: 3 }),
      ev('fail', { title: 'b', fullTitle: 's b', err: 'boom\nstack' }),
      ev('end', { tests: 2, passes: 1, failures: 1, pending: 0 }),
    ]);
    expect(r.passed).toEqual([{ title: 'a', fullTitle: 's a', duration: 3 }]);
    expect(r.failed).toEqual([{ title: 'b', fullTitle: 's b', err: 'boom\nstack' }]);
    expect(r.stats?.tests).toBe(2);
  });

  it('counts tests a failed hook stopped as failed, with the hook named', () => {
    const r = run([
      ev('pass', { title: 'ok', fullTitle: 'top ok' }),
      ev('fail', {
        title: '"before all" hook for "x"',
        fullTitle: 'top inner "before all" hook for "x"',
        err: 'SignatureDoesNotMatch\nmore',
      }),
      ev('end', { tests: 1, passes: 1, failures: 1, pending: 0 }),
    ]);
    const f = fileReport('f.test.js', ['top ok', 'top inner x', 'top inner y'], 1, r, 1);
    expect(f).toMatchObject({ passed: 1, failed: 2, excluded: 1 });
    expect(f.tests[1]).toEqual({
      fullTitle: 'top inner x',
      state: 'failed',
      error: 'not run: "before all" hook for "x" failed: SignatureDoesNotMatch',
    });
    expect(f.hooks).toHaveLength(1);
    expect(f.abnormal).toBeUndefined();
    expect(summaryLine(f)).toBe('ali-oss suite: 1 passed, 2 failed');
  });

  it('keeps what finished before a timeout; the rest failed, saying so', () => {
    const r = run([ev('pass', { title: 't', fullTitle: 'same t' })], { timedOut: true });
    // Two tests with the same full title (one passed): each report counts once.
    const f = fileReport('f.test.js', ['same t', 'same t'], 0, r, 9);
    expect(f.tests.map((t) => t.state)).toEqual(['passed', 'failed']);
    expect(f.tests[1]!.error).toBe('not run: file timed out');
    expect(f.abnormal).toBe('file timed out');
  });

  it('excludes by file and title substring, and greps them out literally', () => {
    expect(exclusionFor('rtmp.test.js', 'anything')?.feature).toBe('RTMP publishing');
    expect(
      exclusionFor('object.test.js', 'x processObjectSave() should process image')?.feature,
    ).toBe('image processing');
    expect(exclusionFor('object.test.js', 'x putStream() should add image')).toBeUndefined();
    const pattern = excludedTitlesPattern('object.test.js')!;
    const re = new RegExp(pattern);
    expect(re.test('test object processObjectSave() should process image')).toBe(true);
    expect(re.test('test object processObjectSave should process image')).toBe(false);
    expect(excludedTitlesPattern('sts.test.js')).toBeUndefined();
    for (const e of ALI_OSS_EXCLUSIONS) expect(e.reason).not.toMatch(/\.$/);
  });
});
