/**
 * @module Running one test file of a mocha suite in its own process and reading its results from
 * mocha's `json-stream` reporter (one JSON event a line on stdout, so the tests that finished
 * before a hang or a crash still count). The process runs in its own process group, killed as a
 * whole when its time is up or the caller aborts.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

/** A test as mocha reports it. */
export interface MochaTest {
  title: string;
  fullTitle: string;
  /** Failure message (failed tests and hooks). */
  err?: string;
  duration?: number;
}

/** What one mocha process reported. */
export interface MochaRun {
  passed: MochaTest[];
  /** Failed tests and failed hooks (hooks have titles like `"before all" hook for "…"`). */
  failed: MochaTest[];
  /** The `end` event's stats, when mocha got that far. */
  stats?: { tests: number; passes: number; failures: number; pending: number };
  /** Killed when its time was up. */
  timedOut: boolean;
  /** Killed because the caller aborted. */
  aborted: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** How {@link runMocha} runs a file. */
export interface MochaOptions {
  /** The suite's checkout (mocha is taken from its node_modules; the process runs there). */
  suite: string;
  /** Test file, relative to `suite`. */
  file: string;
  /** The whole environment of the process. */
  env: NodeJS.ProcessEnv;
  /** Modules (URLs) node `--import`s before mocha starts. */
  preload?: string[];
  /** Modules mocha requires (`-r`), e.g. `should`. */
  requires?: string[];
  /** Per-test timeout (mocha `-t`). */
  testTimeoutMs: number;
  /** Kill the process after this long. */
  fileTimeoutMs: number;
  /** Leave out the tests whose full title matches (mocha `--grep … --invert`). */
  invertGrep?: string;
  /** List the tests without running them (mocha `--dry-run`). */
  dryRun?: boolean;
  /** Where stderr and stdout lines that are not events go. */
  logFile?: string;
  /** Kills the process when aborted. */
  signal?: AbortSignal;
}

/** The path of mocha's in-process runner in a checkout. */
export function mochaBin(suite: string): string {
  return join(suite, 'node_modules', 'mocha', 'bin', '_mocha');
}

/**
 * Runs one file with the json-stream reporter and collects its events.
 * @example
 * const r = await runMocha({ suite, file: 'test/node/sts.test.js', env, testTimeoutMs: 120_000, fileTimeoutMs: 600_000 });
 */
export async function runMocha(o: MochaOptions): Promise<MochaRun> {
  const args = [
    ...(o.preload ?? []).flatMap((p) => ['--import', p]),
    mochaBin(o.suite),
    ...['--reporter', 'json-stream', '--timeout', String(o.testTimeoutMs), '--exit'],
    ...(o.requires ?? []).flatMap((r) => ['--require', r]),
    ...(o.dryRun ? ['--dry-run'] : []),
    ...(o.invertGrep !== undefined ? ['--grep', o.invertGrep, '--invert'] : []),
    o.file,
  ];
  const child = spawn(process.execPath, args, {
    cwd: o.suite,
    env: o.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const log = o.logFile ? createWriteStream(o.logFile, { flags: 'a' }) : undefined;
  const run: MochaRun = {
    passed: [],
    failed: [],
    timedOut: false,
    aborted: false,
    exitCode: null,
    signal: null,
  };
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    run.timedOut = true;
    killGroup();
  }, o.fileTimeoutMs);
  const onAbort = () => {
    run.aborted = true;
    killGroup();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();

  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (!readEvent(line, run)) log?.write(`${line}\n`);
    }
  });
  child.stderr.on('data', (d: Buffer) => log?.write(d));
  const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  if (pending && !readEvent(pending, run)) log?.write(pending);
  clearTimeout(timer);
  o.signal?.removeEventListener('abort', onAbort);
  // The file's own stragglers (timers, servers) die with it.
  killGroup();
  await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
  run.exitCode = code;
  run.signal = sig;
  return run;
}

/**
 * Reads one json-stream line (`["pass", {…}]`, `["fail", {…}]`, `["end", {…}]`) into `run`;
 * false when the line is not an event (the tests' own output).
 */
export function readEvent(line: string, run: Pick<MochaRun, 'passed' | 'failed' | 'stats'>) {
  if (!line.startsWith('["')) return false;
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return false;
  }
  if (!Array.isArray(event) || typeof event[0] !== 'string' || typeof event[1] !== 'object')
    return false;
  const [kind, body] = event as [string, Record<string, unknown>];
  const test = (): MochaTest => ({
    title: String(body.title ?? ''),
    fullTitle: String(body.fullTitle ?? ''),
    ...(body.err !== undefined ? { err: String(body.err) } : {}),
    ...(typeof body.duration === 'number' ? { duration: body.duration } : {}),
  });
  if (kind === 'pass') run.passed.push(test());
  else if (kind === 'fail') run.failed.push(test());
  else if (kind === 'end') run.stats = body as unknown as MochaRun['stats'];
  else if (kind !== 'start') return false;
  return true;
}

/** Whether a reported failure is a hook's rather than a test's. */
export function isHook(t: MochaTest): boolean {
  return /^"(?:before|after) (?:all|each)" hook/.test(t.title);
}
