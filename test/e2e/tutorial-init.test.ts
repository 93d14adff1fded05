/**
 * Seeding and the CLI around it (issue 19): `yunbox serve --init tutorial`, then README's
 * tutorial steps 3 and 4 as written (`<!-- readme-test: tutorial-steps -->` and
 * `tutorial-step-4`), with nothing else; `--init DIR` with users, keys and groups, refused before
 * anything exists when a file is wrong, applied only once; `instance list`; `reset`; group help
 * and argument errors in our own words.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  REPO_ROOT,
  rootCredentialsIn,
  runNode,
  spawnServe,
  type ServeProcess,
} from '../../src/testing/spawn.js';
import { isRootLinux, sandboxCheckout, sandboxSkipReason } from '../../src/testing/sandbox.js';
import { TUTORIAL_OBJECTS } from '../../src/cli/tutorial.js';
import { $Ram, ramClient } from '../../src/testing/sdk.js';

let base: string;
let data: string;
let s: ServeProcess | undefined;
let sandboxDir: string | undefined;

const serveArgs = (dir: string, init: string) => [
  ...['--data', dir, '--listen', '127.0.0.1:0', '--tls-listen', 'off'],
  ...['--metadata-listen', '127.0.0.1:0', '--log-level', 'warn', '--init', init],
];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'yunbox-init-'));
  data = join(base, 'data');
  s = await spawnServe(serveArgs(data, 'tutorial'));
});
afterAll(async () => {
  await s?.stop();
  await rm(base, { recursive: true, force: true });
  if (sandboxDir) await rm(sandboxDir, { recursive: true, force: true });
});

async function readmeBlock(name: string, lang: 'sh' | 'js'): Promise<string> {
  const text = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = text.indexOf(`<!-- readme-test: ${name} -->`);
  expect(start, `README block ${name}`).toBeGreaterThan(-1);
  const open = text.indexOf('```' + lang + '\n', start);
  const close = text.indexOf('```', open + 4 + lang.length);
  return text.slice(open + 4 + lang.length, close);
}

async function waitRunning(): Promise<Array<Record<string, string>>> {
  for (let i = 0; i < 100; i++) {
    const r = await runNode([CLI, 'instance', 'list', '--json', '--data', data], {});
    expect(r.stderr).toBe('');
    const rows = JSON.parse(r.stdout) as Array<Record<string, string>>;
    if (rows.every((row) => row.Status === 'Running')) return rows;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error('the tutorial instance never ran');
}

describe('serve --init tutorial', () => {
  it('makes the role, policy, VPC, vSwitch, a running instance and ramroletest with ten objects', async () => {
    const err = s!.stderr();
    expect(err).toContain('--init tutorial:');
    for (const what of [
      'created policy EcsRamRolePolicyTest',
      'created role EcsRamRoleTest (EcsRamRolePolicyTest)',
      'created vpc tutorial vpc-',
      'created vswitch tutorial vsw-',
      'created instance EcsRamRoleTest i-',
      'created bucket ramroletest with 10 objects',
    ]) {
      expect(err).toContain(what);
    }
    const rows = await waitRunning();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      Status: 'Running',
      InstanceName: 'EcsRamRoleTest',
      RamRoleName: 'EcsRamRoleTest',
      PrivateIpAddress: expect.stringMatching(/^192\.168\.0\.\d+$/),
      MetadataUrl: expect.stringMatching(/^http:\/\/127\.77\.\d+\.\d+:\d+$/),
      CredentialExpiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    const table = await runNode([CLI, 'instance', 'list', '--data', data], {});
    expect(table.stdout).toMatch(/^INSTANCE +STATE +NAME +ROLE +PRIVATE IP +METADATA URL/);
    expect(table.stdout).toContain(rows[0]!.InstanceId);
    const ids = await runNode([CLI, 'instance', 'list', '-q', '--data', data], {});
    expect(ids.stdout).toBe(`${rows[0]!.InstanceId}\n`);
  });

  it.skipIf(!isRootLinux)(
    `then README's steps 3 and 4 work as written, with nothing else${sandboxSkipReason}`,
    async () => {
      await waitRunning();
      // Step 4's program where the sandbox's user (nobody) can read it and its ali-oss.
      const checkout = await sandboxCheckout();
      sandboxDir = join(checkout.artifacts, `tutorial-${process.pid}`);
      await mkdir(sandboxDir, { recursive: true });
      await writeFile(join(sandboxDir, 'list-ten.mjs'), await readmeBlock('tutorial-step-4', 'js'));
      const steps = (await readmeBlock('tutorial-steps', 'sh')).replaceAll(
        'npx yunbox',
        `"${process.execPath}" "${checkout.cli}"`,
      );
      const child = spawn('sh', ['-e', '-c', steps], {
        cwd: sandboxDir,
        env: {
          PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
          HOME: process.env.HOME,
          YUNBOX_DATA: data,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const [code] = (await once(child, 'exit')) as [number | null];
      clearTimeout(t);
      // stderr has curl's progress meter (stdout is a pipe) and ali-oss's advice on refreshing.
      expect(code, stderr).toBe(0);
      expect(stderr).not.toContain('yunbox');
      // Step 3: the instance's STS credential, as the tutorial's sample shows it.
      expect(stdout).toMatch(/"AccessKeyId" : "STS\.\w+"/);
      expect(stdout).toMatch(/"Code" : "Success"/);
      // Step 4: ten objects of ramroletest, listed with it.
      const listed = stdout
        .slice(stdout.lastIndexOf('}') + 1)
        .trim()
        .split('\n');
      expect(listed).toEqual([...TUTORIAL_OBJECTS].sort());
    },
    120_000,
  );

  it('is applied once: the next start makes nothing and says nothing about it', async () => {
    expect(await s!.stop()).toBe(0);
    s = await spawnServe(serveArgs(data, 'tutorial'));
    expect(s.stderr()).not.toContain('--init');
    expect(s.stderr()).toMatch(/^ {2}instances +1 running/m);
  });

  it('reset refuses while the server runs, wants --yes without a terminal, then deletes', async () => {
    const busy = await runNode([CLI, 'reset', '--data', data, '--yes'], {});
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`serves \`${data}\``);
    expect(busy.stderr).toContain('stop it first');
    expect((await stat(data)).isDirectory()).toBe(true);
    expect(await s!.stop()).toBe(0);
    s = undefined;
    const ask = await runNode([CLI, 'reset', '--data', data], {});
    expect(ask.code).toBe(2);
    expect(ask.stderr).toContain('add --yes');
    expect((await stat(data)).isDirectory()).toBe(true);
    const notOurs = await runNode([CLI, 'reset', '--data', base, '--yes'], {});
    expect(notOurs.code).toBe(1);
    expect(notOurs.stderr).toContain('is not a yunbox data directory');
    const done = await runNode([CLI, 'reset', '--data', data, '--yes'], {});
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    await expect(stat(data)).rejects.toThrow(/ENOENT/);
  });
});

describe('serve --init DIR', () => {
  it('applies users with keys, groups and policies from *.json files in name order', async () => {
    const dir = join(base, 'init-files');
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, '01-iam.json'),
      JSON.stringify({
        policies: [
          {
            PolicyName: 'ReadLogs',
            PolicyDocument: {
              Version: '1',
              Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: '*' }],
            },
          },
        ],
        groups: [{ GroupName: 'devs', Policies: ['AliyunOSSReadOnlyAccess'] }],
      }),
    );
    await writeFile(
      join(dir, '02-users.json'),
      JSON.stringify({
        users: [{ UserName: 'alice', Groups: ['devs'], Policies: ['ReadLogs'], AccessKey: true }],
        buckets: [{ BucketName: 'app-logs', Objects: [{ Key: 'a/b.txt', Content: 'hello' }] }],
      }),
    );
    const d = join(base, 'files-data');
    const p = await spawnServe(serveArgs(d, dir));
    try {
      expect(p.stderr()).toContain('created user alice with an AccessKey');
      const keys = JSON.parse(await readFile(join(d, 'init-access-keys.json'), 'utf8'));
      expect(keys).toEqual([
        { UserName: 'alice', AccessKeyId: expect.any(String), AccessKeySecret: expect.any(String) },
      ]);
      expect((await stat(join(d, 'init-access-keys.json'))).mode & 0o777).toBe(0o600);
      expect(p.stderr()).not.toContain(keys[0].AccessKeySecret);
      expect(p.stdout()).not.toContain(keys[0].AccessKeySecret);
      const root = await rootCredentialsIn(d);
      const ram = ramClient(p, root);
      const groups = await ram.listGroupsForUser(
        new $Ram.ListGroupsForUserRequest({ userName: 'alice' }),
      );
      expect(groups.body!.groups!.group!.map((g) => g.groupName)).toEqual(['devs']);
      const policies = await ram.listPoliciesForUser(
        new $Ram.ListPoliciesForUserRequest({ userName: 'alice' }),
      );
      expect(policies.body!.policies!.policy!.map((x) => [x.policyName, x.policyType])).toEqual([
        ['ReadLogs', 'Custom'],
      ]);
    } finally {
      await p.stop();
    }
  });

  it('refuses a wrong file before anything is created', async () => {
    const file = join(base, 'bad.json');
    await writeFile(file, JSON.stringify({ roles: [{ RoleName: 'x', Trust: {} }], hosts: [] }));
    const d = join(base, 'bad-data');
    const r = await runNode([CLI, 'serve', ...serveArgs(d, file)], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key `hosts`');
    expect(r.stderr).toContain('roles[0]: unknown field `Trust`');
    expect(r.stderr).toContain('roles[0]: `AssumeRolePolicyDocument` is required');
    await expect(stat(d)).rejects.toThrow(/ENOENT/);
  });
});

describe('the CLI in our own words', () => {
  it('lists a group’s commands with GROUP --help', async () => {
    for (const [group, verbs] of [
      ['clock', ['show', 'advance', 'set']],
      ['instance', ['list', 'exec', 'shell', 'fault', 'metadata-url']],
      ['trail', ['lookup']],
      ['policy', ['simulate', 'validate']],
    ] as const) {
      const r = await runNode([CLI, group, '--help'], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`usage: yunbox ${group} <command>`);
      for (const v of verbs) expect(r.stdout).toMatch(new RegExp(`^  ${group} ${v} +\\S`, 'm'));
    }
    const unknown = await runNode([CLI, 'clock', 'rewind'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command `clock rewind`');
    expect(unknown.stderr).toContain('clock advance');
  });

  it('says where a command goes when exec is given options without --', async () => {
    const r = await runNode([CLI, 'instance', 'exec', 'i-x', 'curl', '-s', 'http://x'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^yunbox instance exec: unknown option `-s` \(.*after `--`\)$/m);
    expect(r.stderr).not.toContain('To specify a positional argument');
    const missing = await runNode([CLI, 'clock', 'show', '--endpoint'], {});
    expect(missing.stderr).toMatch(/^yunbox clock show: option `--endpoint` needs a value$/m);
  });
});
