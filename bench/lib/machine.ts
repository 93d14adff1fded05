/**
 * @module The machine a run was taken on, recorded with every result: cores, CPU model, memory,
 * Node.js version, OS, date, and the commit measured.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';

/** Facts about the machine and the code measured. */
export interface MachineInfo {
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** Load average (1 min) when the run started: a busy machine shows here. */
  loadavg1: number;
  date: string;
  /** Short commit id, with `+ uncommitted changes` when the work tree differs from it. */
  commit: string;
}

/** Reads {@link MachineInfo} (the commit with `git rev-parse`, read-only). */
export function machineInfo(repoRoot: string): MachineInfo {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=normal'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (dirty) commit += ' + uncommitted changes';
  } catch {
    /* not a checkout */
  }
  const c = cpus();
  return {
    cores: c.length,
    cpu: c[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()}`,
    loadavg1: Math.round(loadavg()[0]! * 100) / 100,
    date: new Date().toISOString(),
    commit,
  };
}
