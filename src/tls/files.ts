/**
 * @module Files of the local CA's directory: modes (directory 0700, keys 0600), publishing a file
 * atomically and only once, replacing one atomically, and a lock that serialises every process's
 * look at the directory while one of them may be replacing the CA.
 */
import { constants as fsConstants } from 'node:fs';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const POSIX = process.platform !== 'win32';

/** Name of the lock file inside the CA directory. */
export const LOCK_FILE = '.lock';
/** Longest wait for another process's lock before giving up. */
const LOCK_WAIT_MS = 15_000;
/** A lock older than this is a leftover (a CA operation takes well under a second). */
const STALE_LOCK_MS = 60_000;

/**
 * Creates `dir` 0700, or tightens an existing one to 0700; throws when it is writable by group or
 * others and cannot be tightened.
 */
export async function prepareDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!POSIX) return;
  const mode = (await stat(dir)).mode & 0o777;
  if (mode === 0o700) return;
  try {
    await chmod(dir, 0o700);
  } catch (err) {
    if (mode & 0o022) {
      throw new Error(
        `ca directory \`${dir}\` is writable by group or others and cannot be set to 0700`,
        { cause: err },
      );
    }
  }
}

/** Sets a key file readable by group or others to 0600. */
export async function tightenKeyMode(keyPath: string): Promise<void> {
  if (!POSIX) return;
  const mode = (await stat(keyPath)).mode & 0o777;
  if ((mode & 0o077) !== 0) await chmod(keyPath, 0o600);
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** True when `err` is a Node system error with `code`. */
export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

/**
 * Write `content` to `dir/name` unless that file already exists; true if ours was published.
 * INVARIANT: the final name only ever appears with complete, flushed content.
 */
export async function publishOnce(
  dir: string,
  name: string,
  content: string,
  mode: number,
): Promise<boolean> {
  const final = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  await writeNewFile(tmp, content, mode);
  try {
    await link(tmp, final);
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    // No hard links on this file system: fall back to an atomic (last writer wins) rename.
    await rename(tmp, final);
    return true;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Replaces (or creates) `path` with `content` atomically: a flushed temp file renamed over it. */
export async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeNewFile(tmp, content, mode);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Creates `path`, which must not exist, with `content` and exactly `mode` (whatever the umask),
 * flushed to disk before it is closed: the temp file that {@link publishOnce} and
 * {@link writeAtomically} then put in place.
 */
async function writeNewFile(path: string, content: string, mode: number): Promise<void> {
  const handle = await open(
    path,
    fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL,
    mode,
  );
  try {
    await handle.writeFile(content, 'utf8');
    if (POSIX) await handle.chmod(mode);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Runs `fn` holding `dir/.lock`, a file created exclusively with our pid in it, so that no process
 * reads the CA while another replaces it. Callers in this process and others wait their turn (at
 * most 15 s); a lock left by a process that is gone, or older than a minute, is taken over.
 * @example
 * await withDirectoryLock(caDir, async () => { ... });
 */
export async function withDirectoryLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`, 'utf8');
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    if (await isStaleLock(path)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `ca directory \`${dir}\` stayed locked by another process; remove \`${path}\` if no yunbox is running`,
      );
    }
    await sleep(delay);
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => undefined);
  }
}

async function isStaleLock(path: string): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
  } catch {
    return false; // gone meanwhile: the next attempt creates it
  }
  if (Date.now() - mtimeMs > STALE_LOCK_MS) return true;
  const pid = Number(text.trim());
  // An empty file is a lock being written right now.
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return isErrno(err, 'ESRCH');
  }
}
