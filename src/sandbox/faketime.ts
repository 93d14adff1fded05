/**
 * @module Programs inside a sandbox live on yunbox's clock. Under `--clock manual` every program
 * started by `yunbox instance exec|shell` gets Debian's libfaketime preloaded (`LD_PRELOAD`, set
 * only after root is dropped, `run-as.ts`), reading its offset from one file per server that this
 * process rewrites whenever the clock moves:
 *
 * ```
 * /run/yunbox/<serverId>-clock.faketime    "+21600.250": yunbox's clock minus the host's, seconds
 *                                           (root's, 0644; rewritten by write + rename)
 * /run/yunbox/<serverId>-python/           sitecustomize.py: time.sleep without clock_nanosleep
 * ```
 *
 * Their wall clock (`time`, `gettimeofday`, `clock_gettime(CLOCK_REALTIME)`: Node's `Date`,
 * Python's `time.time()`, `date`) reads yunbox's time when they start and within a second of
 * every move, and runs at real pace in between; their monotonic clock stays the host's
 * (`FAKETIME_DONT_FAKE_MONOTONIC`), so timers, timeouts and sleeps keep real time across a move
 * (`FAKETIME_FORCE_MONOTONIC_FIX=0` keeps timed waits on it from spinning, {@link faketimeEnv}).
 * While the manual clock stands still, real time would carry them away from it (past 15 minutes
 * their signatures would be refused as skewed), so the offset is also rewritten every
 * {@link CLOCK_RESYNC_MS}, which pulls them back to yunbox's time. File times stay real
 * (`NO_FAKE_STAT`). Under the system clock nothing is preloaded.
 *
 * libfaketime 0.9.10 (Debian 12) mistranslates an absolute `clock_nanosleep` on the real
 * monotonic clock into an invalid request (fixed upstream in 0.9.11), and Python's `time.sleep`
 * is exactly that call: the sitecustomize on `PYTHONPATH` replaces it with a select() wait, then
 * runs the sitecustomize it hides. Statically linked programs (Go: the aliyun CLI, Terraform)
 * read the host's time whatever is preloaded.
 */
import {
  chmodSync,
  constants as fsConstants,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { access, chmod, lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ManualClock, type Clock } from '../kernel/clock.js';

/** How often the offset is rewritten while the manual clock stands still (5 minutes). */
export const CLOCK_RESYNC_MS = 5 * 60_000;

/**
 * Where Debian (and others) put libfaketime's thread-safe variant. `libfaketimeMT` serialises the
 * time calls of a multi-threaded program (Node, Java, Python threads), whose re-reading of the
 * offset file would otherwise race.
 */
export const FAKETIME_LIBRARY_CANDIDATES: readonly string[] = [
  ...multiarchDirs().map((d) => join(d, 'faketime', 'libfaketimeMT.so.1')),
  '/usr/lib64/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1',
  '/usr/local/lib/faketime/libfaketimeMT.so.1',
];

function multiarchDirs(): string[] {
  const triplet: Partial<Record<string, string>> = {
    x64: 'x86_64-linux-gnu',
    arm64: 'aarch64-linux-gnu',
    arm: 'arm-linux-gnueabihf',
    ia32: 'i386-linux-gnu',
    ppc64: 'powerpc64le-linux-gnu',
    s390x: 's390x-linux-gnu',
    riscv64: 'riscv64-linux-gnu',
  };
  const t = triplet[process.arch];
  return t ? [`/usr/lib/${t}`, `/lib/${t}`] : [];
}

/** The first readable libfaketime of {@link FAKETIME_LIBRARY_CANDIDATES}, if any. */
export async function findFaketimeLibrary(
  candidates: readonly string[] = FAKETIME_LIBRARY_CANDIDATES,
): Promise<string | undefined> {
  for (const path of candidates) {
    try {
      await access(path, fsConstants.R_OK);
      return path;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * The offset line libfaketime reads: yunbox's clock minus the host's, in seconds with a sign and
 * three decimals (a decimal point: the C locale most programs keep; a program in a locale with a
 * decimal comma reads the whole seconds only).
 * @example
 * offsetLine(Date.UTC(2026, 0, 1, 6), Date.UTC(2026, 0, 1)) // '+21600.000'
 */
export function offsetLine(clockMs: number, realMs: number): string {
  const seconds = (clockMs - realMs) / 1000;
  return `${seconds < 0 ? '-' : '+'}${Math.abs(seconds).toFixed(3)}`;
}

/**
 * Writes `text` to `path` for every user to read (whatever the umask), atomically: a reader sees
 * the old file or the new one, never a part (a temporary file beside it, then rename).
 */
export function writePublicFileAtomicSync(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  chmodSync(tmp, 0o644);
  renameSync(tmp, path);
}

/** The offset file's text: a comment, then {@link offsetLine} (libfaketime skips `#` lines). */
export function offsetFileText(clockMs: number, realMs: number): string {
  return `# yunbox: its clock minus the host's, seconds (libfaketime)\n${offsetLine(clockMs, realMs)}\n`;
}

/**
 * `sitecustomize.py` for programs in a sandbox under the manual clock (see the module comment):
 * `time.sleep` waits with select() on the real monotonic clock, then the sitecustomize further
 * along `sys.path` (Debian has one) runs as it would have.
 */
export const PYTHON_SITECUSTOMIZE = `# Written by yunbox for the programs of its instance sandboxes, where libfaketime is preloaded
# (--clock manual). libfaketime 0.9.10 turns clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)
# into an invalid request when the monotonic clock is not faked, so time.sleep() would fail with
# EINVAL; this time.sleep waits with select() instead. Then the sitecustomize it hides runs.
import os as _os
import select as _select
import sys as _sys
import time as _time


def _yunbox_sleep(secs):
    if secs is None or isinstance(secs, (str, bytes, bytearray)):
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(secs).__name__)
    secs = float(secs)
    if secs != secs:
        raise ValueError('Invalid value NaN (not a number)')
    if secs < 0:
        raise ValueError('sleep length must be non-negative')
    deadline = _time.monotonic() + secs
    while True:
        left = deadline - _time.monotonic()
        if left <= 0:
            return
        _select.select([], [], [], min(left, 86400.0))


_yunbox_sleep.__doc__ = _time.sleep.__doc__
_time.sleep = _yunbox_sleep


def _yunbox_next_sitecustomize():
    import importlib.machinery
    import importlib.util
    here = _os.path.dirname(_os.path.abspath(__file__))
    rest = [p for p in _sys.path if _os.path.abspath(p or _os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec('sitecustomize', rest)
    if spec is not None and spec.loader is not None:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


_yunbox_next_sitecustomize()
`;

/** Where {@link SandboxClock} keeps its files (this server's, in the run directory). */
export interface SandboxClockPaths {
  /** The offset file. */
  offsetFile: string;
  /** Directory holding `sitecustomize.py`. */
  pythonDir: string;
}

/** The files of server `serverId` in run directory `dir`. */
export function sandboxClockPaths(dir: string, serverId: string): SandboxClockPaths {
  return {
    offsetFile: join(dir, `${serverId}-clock.faketime`),
    pythonDir: join(dir, `${serverId}-python`),
  };
}

/**
 * The variables that put a program on yunbox's clock: libfaketime preloaded, reading the offset
 * file at most once per second of real time (`FAKETIME_CACHE_DURATION=0`: again whenever the
 * second changes), monotonic clock and file times real, and the Python sleep fix first on
 * `PYTHONPATH` (merged with the caller's, `env.ts`). `FAKETIME_FORCE_MONOTONIC_FIX=0`: with a real
 * monotonic clock, the "fix" libfaketime applies on glibc 2.30 and later turns every timed wait
 * on a monotonic condition variable (V8's `Atomics.wait` and platform threads, Python's GIL) into
 * an immediate timeout, so they spin; without it the deadline passes through unchanged, which is
 * right when that clock is not faked.
 */
export function faketimeEnv(library: string, paths: SandboxClockPaths): Record<string, string> {
  return {
    LD_PRELOAD: library,
    FAKETIME_TIMESTAMP_FILE: paths.offsetFile,
    FAKETIME_CACHE_DURATION: '0',
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    FAKETIME_FORCE_MONOTONIC_FIX: '0',
    NO_FAKE_STAT: '1',
    PYTHONPATH: paths.pythonDir,
  };
}

/** How a sandbox's programs see time. */
export interface SandboxTime {
  /** Variables to add for its programs (none under the system clock). */
  env: Record<string, string>;
  /** `system` or `manual`. */
  clockMode: 'system' | 'manual';
  /**
   * True when programs inside read yunbox's clock as their wall clock: always under the system
   * clock (it is the host's), under the manual clock when libfaketime is installed.
   */
  followsClock: boolean;
}

/** Options of {@link SandboxClock}. */
export interface SandboxClockOptions {
  /** yunbox's clock (default: the system clock, nothing to do). */
  clock?: Clock;
  /** Where the offset file and the Python fix go. */
  paths: SandboxClockPaths;
  /** Makes the run directory (and this server's record in it) exist first. */
  prepare: () => Promise<void>;
  log: Logger;
  /** Finds libfaketime (default {@link findFaketimeLibrary}). */
  findLibrary?: () => Promise<string | undefined>;
  /** See {@link CLOCK_RESYNC_MS}. */
  resyncMs?: number;
  /** The host's time (tests). */
  realNow?: () => number;
}

/**
 * Keeps one server's offset file in step with its manual clock: written when a sandbox is made,
 * rewritten on every move (synchronously, so a program sees the move once `AdvanceClock` has
 * answered) and by {@link resync} once it is {@link CLOCK_RESYNC_MS} old.
 */
export class SandboxClock {
  readonly #o: SandboxClockOptions;
  readonly #manual: ManualClock | undefined;
  readonly #realNow: () => number;
  readonly #resyncMs: number;
  #library: Promise<string | undefined> | undefined;
  #python: Promise<void> | undefined;
  #writtenAt: number | undefined;
  #off: (() => void) | undefined;
  #warned = false;

  constructor(options: SandboxClockOptions) {
    this.#o = options;
    this.#manual = options.clock instanceof ManualClock ? options.clock : undefined;
    this.#realNow = options.realNow ?? Date.now;
    this.#resyncMs = options.resyncMs ?? CLOCK_RESYNC_MS;
  }

  /**
   * What a new sandbox's programs get. Under the manual clock: writes the offset file (and the
   * Python fix, once), starts following the clock, and answers libfaketime's variables; without
   * libfaketime, a warning (once) and nothing.
   */
  async forSandbox(): Promise<SandboxTime> {
    if (!this.#manual) return { env: {}, clockMode: 'system', followsClock: true };
    this.#library ??= (this.#o.findLibrary ?? findFaketimeLibrary)();
    const library = await this.#library;
    if (!library) {
      if (!this.#warned) {
        this.#warned = true;
        this.#o.log.warn(
          'libfaketime not found: programs in sandboxes see the host time, not the manual clock (Debian, Ubuntu: apt-get install libfaketime)',
        );
      }
      return { env: {}, clockMode: 'manual', followsClock: false };
    }
    await this.#o.prepare();
    this.#python ??= this.#writePython().catch((e) => {
      this.#python = undefined;
      throw e;
    });
    await this.#python;
    this.#write();
    this.#off ??= this.#manual.onMove(() => this.#writeLogged());
    return {
      env: faketimeEnv(library, this.#o.paths),
      clockMode: 'manual',
      followsClock: true,
    };
  }

  /** Rewrites the offset once it is {@link CLOCK_RESYNC_MS} old (the sandbox manager's poll). */
  resync(): void {
    if (this.#writtenAt !== undefined && this.#realNow() - this.#writtenAt >= this.#resyncMs) {
      this.#writeLogged();
    }
  }

  /** Stops following the clock (the files go with the server's records, `run-dir.ts`). */
  close(): void {
    this.#off?.();
    this.#off = undefined;
    this.#writtenAt = undefined;
  }

  #write(): void {
    const real = this.#realNow();
    writePublicFileAtomicSync(this.#o.paths.offsetFile, offsetFileText(this.#manual!.now(), real));
    this.#writtenAt = real;
  }

  #writeLogged(): void {
    try {
      this.#write();
    } catch (e) {
      this.#o.log.error({ err: e }, 'cannot rewrite the clock offset of sandboxes');
    }
  }

  async #writePython(): Promise<void> {
    const dir = this.#o.paths.pythonDir;
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await chmod(dir, 0o755);
    const file = join(dir, 'sitecustomize.py');
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      /* not yet */
    }
    if (current !== PYTHON_SITECUSTOMIZE) writePublicFileAtomicSync(file, PYTHON_SITECUSTOMIZE);
  }
}

/** Removes {@link SandboxClockPaths} (best effort, synchronously: the `exit` hook). */
export function removeSandboxClockFilesSync(paths: SandboxClockPaths): void {
  for (const p of [paths.offsetFile, `${paths.offsetFile}.tmp`, paths.pythonDir]) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
}

const SHM_LITTER = /^(?:faketime_shm_|sem\.faketime_sem_)(\d{1,10})$/;

/**
 * Removes the shared-memory pairs libfaketime 0.9.10 leaves in `/dev/shm` (`faketime_shm_<pid>`,
 * `sem.faketime_sem_<pid>`) when a process that made one ends without running its destructors
 * (killed, or replaced by exec): only regular files owned by `uid` whose process is gone. A pid
 * that is alive keeps its pair, whoever it now is. Answers how many files went.
 */
export async function sweepFaketimeLitter(uid: number, dir = '/dev/shm'): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = SHM_LITTER.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    try {
      const st = await lstat(path);
      if (st.uid !== uid || !st.isFile()) continue;
      if (await pidExists(Number(m[1]))) continue;
      await rm(path, { force: true });
      removed++;
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}

async function pidExists(pid: number): Promise<boolean> {
  try {
    await stat(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}
