import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stsClient } from '../../testing/sdk.js';
import { startTestServer, type TestServer } from '../../testing/server.js';
import type { CliIo } from '../command.js';
import { accountCreate, accountList } from './account.js';

let yb: TestServer;
let dir: string;
beforeAll(async () => {
  [yb, dir] = await Promise.all([startTestServer(), mkdtemp(join(tmpdir(), 'yunbox-account-'))]);
});
afterAll(async () => {
  await yb?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Runs a command in-process with the first account's root credentials from the environment. */
async function run(command: typeof accountCreate, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    env: {
      YUNBOX_ROOT_ACCESS_KEY_ID: yb.root.accessKeyId,
      YUNBOX_ROOT_ACCESS_KEY_SECRET: yb.root.accessKeySecret,
    },
    cwd: dir,
  };
  const code = await command.run([...argv, '--endpoint', yb.endpoint], io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('yunbox account', () => {
  it('create --json prints the root key once; it works; list shows the account', async () => {
    const r = await run(accountCreate, 'team-b', '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const made = JSON.parse(r.stdout);
    expect(made).toMatchObject({ AccountName: 'team-b' });
    expect(made.AccountId).toMatch(/^\d{16}$/);
    const who = await stsClient(yb, {
      accessKeyId: made.AccessKeyId,
      accessKeySecret: made.AccessKeySecret,
    }).getCallerIdentity();
    expect(who.body!.accountId).toBe(made.AccountId);

    const listed = await run(accountList);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${yb.accountId}  default  `);
    expect(listed.stdout).toContain('(first)');
    expect(listed.stdout).toContain(`${made.AccountId}  team-b   `);
    expect(listed.stdout).not.toContain(made.AccessKeySecret);
    const json = JSON.parse((await run(accountList, '--json')).stdout);
    expect(json.map((a: { AccountName: string }) => a.AccountName)).toEqual(['default', 'team-b']);
  });

  it('says how many arguments it takes, with its usage, and calls nothing', async () => {
    const none = await run(accountCreate);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^yunbox account create: expected one NAME\nusage: yunbox account create/,
    );
    const two = await run(accountCreate, 'a', 'b');
    expect(two.code).toBe(2);
    const extra = await run(accountList, 'x');
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(
      /^yunbox account list: expected no arguments\nusage: yunbox account list/,
    );
    expect(JSON.parse((await run(accountList, '--json')).stdout)).not.toContainEqual(
      expect.objectContaining({ AccountName: 'a' }),
    );
  });

  it('create --out writes a new 0600 file and never replaces one', async () => {
    const r = await run(accountCreate, 'team-c', '--out', 'team-c.json');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^account \d{16} \(team-c\) created; root AccessKey \(shown once, also in /,
    );
    const file = join(dir, 'team-c.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(r.stdout).toContain(saved.AccessKeySecret);
    expect(saved.accountId).toMatch(/^\d{16}$/);

    await writeFile(join(dir, 'taken.json'), 'keep\n');
    const again = await run(accountCreate, 'team-d', '--out', 'taken.json');
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('could not be written (EEXIST)');
    expect(again.stdout).toContain('AccessKeySecret:');
    expect(await readFile(join(dir, 'taken.json'), 'utf8')).toBe('keep\n');
  });

  it('refuses bad usage and says what the server refused', async () => {
    expect((await run(accountCreate)).code).toBe(2);
    expect((await run(accountCreate, 'a', 'b')).code).toBe(2);
    const dup = await run(accountCreate, 'team-b');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('EntityAlreadyExists.Account');
  });
});
