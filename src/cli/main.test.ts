import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from './main.js';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (t: string) => (out.stdout += t),
      stderr: (t: string) => (out.stderr += t),
      env: {},
      cwd: '/',
    },
  };
}

describe('cli dispatch', () => {
  it('every registered command loads, with the name and summary it is listed under', async () => {
    for (const c of COMMANDS) {
      const cmd = await c.load();
      expect(cmd.name).toBe(c.name);
      expect(cmd.summary).toBe(c.summary);
      expect(cmd.usage).toMatch(/^usage: yunbox /);
    }
  });

  it('prints help and refuses unknown commands', async () => {
    const a = io();
    expect(await runCli(['help'], a.io)).toBe(0);
    expect(a.out.stdout).toContain('policy simulate');
    const b = io();
    expect(await runCli(['frobnicate'], b.io)).toBe(2);
    expect(b.out.stderr).toContain('unknown command `frobnicate`');
  });
});
