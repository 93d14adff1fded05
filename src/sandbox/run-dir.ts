/**
 * @module The machine-wide records of sandbox servers, in `/run/yunbox` (tmpfs: gone at reboot,
 * like the namespaces): `<serverId>.pid` (pid and start time, so that a recycled pid is not taken
 * for a live server) written before a server's first namespace, and `<serverId>-ca.pem`, a copy of
 * its CA certificate every user can read (programs in sandboxes run unprivileged, and the data
 * directory's copy is root's only), and under the manual clock `<serverId>-clock.faketime` and
 * `<serverId>-python/` (`faketime.ts`), and `<netns>.removed`, why a sandbox was removed under a
 * running program (the CLI that started it reads it, tells the user and deletes it). A starting
 * server removes the records of dead ones along with their namespaces (`manager.ts`).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import {
  access,
  chmod,
  mkdir,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import {
  removeSandboxClockFilesSync,
  sandboxClockPaths,
  type SandboxClockPaths,
} from './faketime.js';
import { processStartTime, writePublicFile } from './host.js';

/** Default directory of the servers' records. */
export const DEFAULT_SANDBOX_RUN_DIR = '/run/yunbox';

const PID_FILE = /^([0-9a-z]{1,16})\.pid$/;
const NOTICE_FILE = /^ybx-([0-9a-z]{1,16})-\d{1,9}\.removed(?:\.tmp)?$/;

/** One server's records in the run directory, and what it can learn about the others'. */
export class RunDir {
  readonly dir: string;
  readonly serverId: string;
  #pidFile: Promise<void> | undefined;
  #publicCa: Promise<string> | undefined;

  constructor(dir: string, serverId: string) {
    this.dir = dir;
    this.serverId = serverId;
  }

  /** True once this server's pid file has been written. */
  get recorded(): boolean {
    return this.#pidFile !== undefined;
  }

  #pidPath(serverId: string): string {
    return join(this.dir, `${serverId}.pid`);
  }

  #publicCaPath(serverId: string): string {
    return join(this.dir, `${serverId}-ca.pem`);
  }

  /** Records this server as live (once; retried after a failure). */
  writePidFile(): Promise<void> {
    this.#pidFile ??= (async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o755 });
      // Readable by everyone whatever the umask: it also holds the public CA copy.
      await chmod(this.dir, 0o755);
      const start = (await processStartTime(process.pid)) ?? '0';
      await writeFile(this.#pidPath(this.serverId), `${process.pid} ${start}\n`, { mode: 0o644 });
    })();
    return this.#pidFile.catch((e) => {
      this.#pidFile = undefined;
      throw e;
    });
  }

  /** Writes this server's public copy of its CA certificate (once), after the pid file. */
  writePublicCa(pem: string): Promise<string> {
    this.#publicCa ??= (async () => {
      await this.writePidFile();
      const path = this.#publicCaPath(this.serverId);
      await writePublicFile(path, pem);
      return path;
    })();
    return this.#publicCa.catch((e) => {
      this.#publicCa = undefined;
      throw e;
    });
  }

  /** Where this server keeps the files that put sandboxed programs on its clock. */
  get clockPaths(): SandboxClockPaths {
    return sandboxClockPaths(this.dir, this.serverId);
  }

  /** True when `serverId`'s pid file names a process that still runs (the same one). */
  async alive(serverId: string): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.#pidPath(serverId), 'utf8');
    } catch {
      return false;
    }
    const [pid, start] = text.trim().split(/\s+/);
    if (!pid || !/^\d+$/.test(pid)) return false;
    const actual = await processStartTime(Number(pid));
    return actual !== undefined && (start === undefined || start === '0' || actual === start);
  }

  /** Ids of the servers with a pid file (empty when there is no run directory yet). */
  async servers(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).flatMap((f) => PID_FILE.exec(f)?.[1] ?? []);
    } catch {
      return [];
    }
  }

  /** Where the removal notice of sandbox `netns` goes. */
  noticePath(netns: string): string {
    return join(this.dir, `${netns}.removed`);
  }

  /**
   * Says why sandbox `netns` is being removed, for the CLI whose program runs in it (one line).
   * Best effort: the removal goes on without it.
   */
  async writeNotice(netns: string, reason: string): Promise<void> {
    const path = this.noticePath(netns);
    // Whole or not at all: the CLI may read it the moment it appears.
    await mkdir(this.dir, { recursive: true, mode: 0o755 }).catch(() => undefined);
    await writePublicFile(`${path}.tmp`, `${reason}\n`)
      .then(() => rename(`${path}.tmp`, path))
      .catch(() => undefined);
  }

  /**
   * Waits until the CLI has read (and removed) the notice of `netns`, at most `maxMs`: the
   * program's user then reads why before the program's own last words. Best effort.
   */
  async noticeRead(netns: string, maxMs: number): Promise<boolean> {
    const path = this.noticePath(netns);
    const until = Date.now() + maxMs;
    for (;;) {
      try {
        await access(path);
      } catch {
        return true;
      }
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** {@link writeNotice}, synchronously (the `exit` hook). */
  writeNoticeSync(netns: string, reason: string): void {
    const path = this.noticePath(netns);
    try {
      writeFileSync(`${path}.tmp`, `${reason}\n`, { mode: 0o644 });
      renameSync(`${path}.tmp`, path);
    } catch {
      /* best effort */
    }
  }

  /**
   * Removes the notices no CLI read: those of servers that no longer run (`alive` says), once
   * older than `minAgeMs` (a CLI may be reading the notice its stopped server just wrote).
   */
  async removeStaleNotices(
    alive: (serverId: string) => Promise<boolean>,
    minAgeMs = 60_000,
  ): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const verdicts = new Map<string, boolean>();
    for (const f of names) {
      const m = NOTICE_FILE.exec(f);
      if (!m) continue;
      const serverId = m[1]!;
      if (!verdicts.has(serverId)) verdicts.set(serverId, await alive(serverId));
      if (verdicts.get(serverId)) continue;
      const path = join(this.dir, f);
      const age = await stat(path).then(
        (st) => Date.now() - st.mtimeMs,
        () => 0,
      );
      if (age >= minAgeMs) await rm(path, { force: true });
    }
  }

  /** Removes the records of `serverId` (default: this server). */
  async remove(serverId = this.serverId): Promise<void> {
    const clock = sandboxClockPaths(this.dir, serverId);
    for (const p of [clock.offsetFile, `${clock.offsetFile}.tmp`, clock.pythonDir]) {
      await rm(p, { recursive: true, force: true });
    }
    await rm(this.#publicCaPath(serverId), { force: true });
    await rm(this.#pidPath(serverId), { force: true });
  }

  /** {@link remove} for this server, synchronously and best effort (the `exit` hook). */
  removeSync(): void {
    removeSandboxClockFilesSync(this.clockPaths);
    for (const path of [this.#publicCaPath(this.serverId), this.#pidPath(this.serverId)]) {
      try {
        rmSync(path, { force: true });
      } catch {
        /* best effort */
      }
    }
  }
}
