/**
 * `yunbox instance exec` as a user runs it, against a spawned `yunbox serve`: the tutorial's step 3
 * (curl of the role's credential document at 100.100.100.200) inside an instance; the unmodified
 * @alicloud/credentials default chain getting the instance role's credentials with no
 * configuration, and @alicloud/sts20150401 calling GetCallerIdentity on its default HTTPS
 * endpoint with them; isolation between two instances running side by side; the command's exit
 * status; refusals (stopped instance, not root); and clean-up: after the command, when the server
 * stops, and after a server crash (the next start removes what it left). The programs run as
 * `nobody` (yunbox's default), so the SDKs are shown to work unprivileged. Needs root on Linux and
 * a node that `nobody` can run; the programs load the SDKs from the checkout, or from a mirror of it
 * when `nobody` cannot read the checkout (`sandboxCheckout()`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yunboxCall } from '../../src/cli/server-client.js';
import { createEcsRole } from '../../src/testing/fixtures.js';
import {
  hostPid,
  isRootLinux,
  netnsTraces,
  processAlive,
  runningInstance,
  sandboxCheckout,
  sandboxSkipReason,
  type SandboxCheckout,
} from '../../src/testing/sandbox.js';
import { $Ecs, ecsClient, ossClient, type TestCredentials } from '../../src/testing/sdk.js';
import {
  CLI,
  rootCredentialsIn,
  runNode,
  serveIn,
  type ServeProcess,
} from '../../src/testing/spawn.js';

const dirs: string[] = [];
let home: string;
/** Where the programs (and the CLI, as their working directory) find the SDKs. */
let checkout: SandboxCheckout;

async function serve(dir?: string): Promise<{ server: ServeProcess; dir: string }> {
  const data = dir ?? (await mkdtemp(join(tmpdir(), 'yunbox-sandbox-e2e-')));
  if (!dir) dirs.push(data);
  const server = await serveIn(data);
  return { server, dir: data };
}

const rootIn = rootCredentialsIn;

/** `yunbox instance exec ID -- ARGS` (data directory and endpoint given as flags). */
function exec(
  server: ServeProcess,
  dir: string,
  instanceId: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
) {
  return runNode(
    [
      CLI,
      'instance',
      'exec',
      instanceId,
      '--endpoint',
      server.endpoint,
      '--data',
      dir,
      '--',
      ...args,
    ],
    { HOME: home, ...env },
    30_000,
    checkout.dir,
  );
}

function startExec(
  server: ServeProcess,
  dir: string,
  instanceId: string,
  args: string[],
  input = false,
) {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'instance',
      'exec',
      instanceId,
      '--endpoint',
      server.endpoint,
      '--data',
      dir,
      '--',
      ...args,
    ],
    {
      cwd: checkout.dir,
      env: { PATH: process.env.PATH, HOME: home },
      stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  return { child, stdout: () => stdout };
}

async function waitForLines(read: () => string, n: number, ms = 15_000): Promise<string[]> {
  const until = Date.now() + ms;
  while (read().split('\n').length <= n) {
    if (Date.now() > until) throw new Error('no output in time');
    await new Promise((x) => setTimeout(x, 50));
  }
  return read().trim().split('\n');
}

async function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe.skipIf(!isRootLinux)(`yunbox instance exec${sandboxSkipReason}`, () => {
  let main: ServeProcess;
  let dir: string;
  let root: TestCredentials & { accountId: string };
  let tutorial: string;
  let a: string;
  let b: string;

  beforeAll(async () => {
    checkout = await sandboxCheckout();
    home = await mkdtemp(join(tmpdir(), 'yunbox-sandbox-home-'));
    dirs.push(home);
    ({ server: main, dir } = await serve());
    root = await rootIn(dir);
    await createEcsRole(main, root, 'EcsRamRoleTest');
    await createEcsRole(main, root, 'RoleA');
    await createEcsRole(main, root, 'RoleB');
    [tutorial, a, b] = await Promise.all([
      runningInstance(main, root, 'EcsRamRoleTest'),
      runningInstance(main, root, 'RoleA'),
      runningInstance(main, root, 'RoleB'),
    ]);
  });

  afterAll(async () => {
    await main?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("tutorial step 3: curl gets the role's credential document from 100.100.100.200", async () => {
    const r = await exec(main, dir, tutorial, [
      'curl',
      '-sS',
      'http://100.100.100.200/latest/meta-data/ram/security-credentials/EcsRamRoleTest',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      AccessKeyId: expect.stringMatching(/^STS\./),
      AccessKeySecret: expect.any(String),
      SecurityToken: expect.any(String),
      Expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      LastUpdated: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      Code: 'Success',
    });
  });

  it('the @alicloud/credentials default chain, unconfigured, calls STS over its default HTTPS endpoint', async () => {
    const script = `
const Credential = require('@alicloud/credentials').default;
const Sts = require('@alicloud/sts20150401');
const { Config } = require('@alicloud/openapi-client');
(async () => {
  const credential = new Credential();
  const c = await credential.getCredential();
  const sts = new Sts.default(new Config({ credential, regionId: 'cn-hangzhou' }));
  const who = await sts.getCallerIdentity();
  console.log(JSON.stringify({ provider: c.providerName, endpoint: sts._endpoint, arn: who.body.arn, uid: process.getuid() }));
})().catch((e) => { console.error(e); process.exit(1); });`;
    // Host credentials in the caller's environment do not reach the instance.
    const r = await exec(main, dir, tutorial, [process.execPath, '-e', script], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: root.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: root.accessKeySecret,
      YUNBOX_ROOT_ACCESS_KEY_ID: root.accessKeyId,
      YUNBOX_ROOT_ACCESS_KEY_SECRET: root.accessKeySecret,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.provider).toBe('default/ecs_ram_role');
    expect(out.endpoint).toBe('sts.cn-hangzhou.aliyuncs.com');
    expect(out.arn).toMatch(
      new RegExp(`^acs:ram::${root.accountId}:assumed-role/EcsRamRoleTest/[\\w.@-]+$`),
    );
    expect(out.uid).toBe(65534);
  });

  it('tutorial step 4: ali-oss lists a bucket on its default endpoint with the instance role', async () => {
    const oss = ossClient(main, root, { bucket: 'ramroletest' });
    await oss.putBucket('ramroletest');
    await oss.put('ramroletest.txt', Buffer.from('hello from the host'));
    await oss.put('test.sh', Buffer.from('echo hi'));
    const script = `
const OSS = require('ali-oss');
const Credential = require('@alicloud/credentials').default;
(async () => {
  const c = await new Credential().getCredential();
  const client = new OSS({
    region: 'oss-cn-hangzhou',
    bucket: 'ramroletest',
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    stsToken: c.securityToken,
    refreshSTSTokenInterval: 3600000,
    refreshSTSToken: async () => c,
  });
  const list = await client.list({ 'max-keys': 10 });
  const body = await client.get('ramroletest.txt');
  let denied;
  try { await client.put('new.txt', Buffer.from('x')); } catch (e) { denied = e.code; }
  console.log(JSON.stringify({ keys: list.objects.map((o) => o.name), body: String(body.content), denied, uid: process.getuid() }));
})().catch((e) => { console.error(e); process.exit(1); });`;
    const r = await exec(main, dir, tutorial, [process.execPath, '-e', script]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      keys: ['ramroletest.txt', 'test.sh'],
      body: 'hello from the host',
      denied: 'AccessDenied',
      uid: 65534,
    });
  });

  it('yunbox instance shell runs a shell there (commands from stdin here)', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'instance', 'shell', a, '--endpoint', main.endpoint, '--data', dir],
      {
        cwd: checkout.dir,
        env: { PATH: process.env.PATH, HOME: home, SHELL: '/bin/sh' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.end(
      'curl -s http://100.100.100.200/latest/meta-data/instance-id\nid -u >&2\nexit 3\n',
    );
    expect(await exited(child)).toBe(3);
    expect(stdout).toBe(a);
    expect(stderr).toMatch(
      /^yunbox: inside instance `i-\w+` as `nobody` \(uid 65534\): sandbox sbx-\w+, network namespace ybx-\w+-\d+; exit to leave\n65534\n$/,
    );
  });

  it('two instances side by side each see only their own metadata and credentials', async () => {
    const script = (other: string) =>
      [
        'curl -s http://100.100.100.200/latest/meta-data/instance-id; echo',
        'curl -s http://100.100.100.200/latest/meta-data/ram/security-credentials/; echo',
        `curl -s -o /dev/null -w '%{http_code}\\n' http://100.100.100.200/latest/meta-data/ram/security-credentials/${other}`,
        `curl -s -H 'X-Forwarded-For: 10.0.0.1' -H 'Host: x' http://100.100.100.200/latest/meta-data/instance-id; echo`,
        'sleep 0.5',
      ].join('; ');
    const [ra, rb] = await Promise.all([
      exec(main, dir, a, ['sh', '-c', script('RoleB')]),
      exec(main, dir, b, ['sh', '-c', script('RoleA')]),
    ]);
    expect(ra.stdout.split('\n')).toEqual([a, 'RoleA', '404', a, '']);
    expect(rb.stdout.split('\n')).toEqual([b, 'RoleB', '404', b, '']);
  });

  it("exits with the command's status and leaves no namespace, /etc/netns or process behind", async () => {
    const run = startExec(
      main,
      dir,
      a,
      ['sh', '-c', 'ip netns identify; sleep 300 >/dev/null 2>&1 & echo $!; read x; exit 7'],
      true,
    );
    const [netns, nsPid] = await waitForLines(run.stdout, 2);
    expect(netns).toMatch(/^ybx-[0-9a-f]{8}-\d+$/);
    // The program has a PID namespace of its own: the host knows the left process by another pid.
    const pid = await hostPid(netns!, Number(nsPid));
    expect(pid).toBeDefined();
    expect(processAlive(pid!)).toBe(true);
    run.child.stdin!.end('\n');
    expect(await exited(run.child)).toBe(7);
    expect(netnsTraces(netns!)).toEqual({ netns: false, etc: false });
    expect(processAlive(pid!)).toBe(false);
    const listed = await yunboxCall(main.endpoint, root, 'DescribeSandboxes', {});
    expect(listed.ok && listed.body.TotalCount).toBe(0);
  });

  it('forwards SIGTERM to the command and still deletes the sandbox', async () => {
    const run = startExec(main, dir, a, [
      'sh',
      '-c',
      'trap "echo got-term; exit 5" TERM; ip netns identify; sleep 300 & wait',
    ]);
    const [netns] = (await waitForLines(run.stdout, 1)) as [string];
    run.child.kill('SIGTERM');
    expect(await exited(run.child)).toBe(5);
    expect(run.stdout()).toBe(`${netns}\ngot-term\n`);
    expect(netnsTraces(netns)).toEqual({ netns: false, etc: false });
  });

  it('refuses stopped instances and callers who are not root, with one clear line', async () => {
    const stopped = await runningInstance(main, root);
    await ecsClient(main, root).stopInstance(new $Ecs.StopInstanceRequest({ instanceId: stopped }));
    const r = await exec(main, dir, stopped, ['true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^yunbox instance exec: cannot make a sandbox for `i-\w+`: IncorrectInstanceStatus: /,
    );
    const nobody = await new Promise<{ code: number | null; stderr: string }>((resolveRun) => {
      const child = spawn(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          checkout.cli,
          'instance',
          'exec',
          a,
          '--',
          'true',
        ],
        { cwd: '/', env: { PATH: process.env.PATH }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolveRun({ code, stderr }));
    });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe(
      'yunbox instance exec: instance sandboxes need root on Linux (ip netns): running as uid 65534\n',
    );
  });

  it('a server not running as root answers CreateSandbox with the reason', async () => {
    const data = await mkdtemp(join(tmpdir(), 'yunbox-sandbox-nobody-'));
    dirs.push(data);
    await chown(data, 65534, 65534);
    const child = spawn(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        checkout.cli,
        'serve',
        '--data',
        data,
        '--listen',
        '127.0.0.1:0',
        '--tls-listen',
        'off',
        '--metadata-listen',
        'off',
        '--log-level',
        'warn',
      ],
      {
        cwd: checkout.dir,
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    try {
      const until = Date.now() + 20_000;
      while (!/gateway\s+http:\/\/\S+/.test(err)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`serve: ${err}`);
        await new Promise((x) => setTimeout(x, 50));
      }
      const endpoint = /gateway\s+(http:\/\/\S+)/.exec(err)![1]!;
      const r = await yunboxCall(endpoint, await rootIn(data), 'CreateSandbox', {
        InstanceId: 'i-any',
      });
      expect(r).toEqual({
        ok: false,
        code: 'OperationDenied.SandboxUnsupported',
        error:
          'OperationDenied.SandboxUnsupported: Instance sandboxes need root on Linux (ip netns): running as uid 65534.',
      });
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });

  it('the server removes its sandboxes when it stops, and a crashed server’s at the next start', async () => {
    const victim = await serve();
    const vroot = await rootIn(victim.dir);
    await createEcsRole(victim.server, vroot, 'EcsRamRoleTest');
    const id = await runningInstance(victim.server, vroot, 'EcsRamRoleTest');
    const script = 'ip netns identify; sleep 300 >/dev/null 2>&1 & echo $!; wait';

    // Crash: SIGKILL leaves the namespace and the process inside...
    const first = startExec(victim.server, victim.dir, id, ['sh', '-c', script]);
    const [ns1, nsPid1] = await waitForLines(first.stdout, 2);
    const pid1 = await hostPid(ns1!, Number(nsPid1));
    expect(pid1).toBeDefined();
    victim.server.child.kill('SIGKILL');
    await once(victim.server.child, 'exit');
    expect(netnsTraces(ns1!).netns).toBe(true);
    expect(processAlive(Number(pid1))).toBe(true);
    // ...which the next start on the machine removes.
    const again = await serve(victim.dir);
    expect(netnsTraces(ns1!)).toEqual({ netns: false, etc: false });
    const until = Date.now() + 5000;
    while (processAlive(Number(pid1)) && Date.now() < until)
      await new Promise((x) => setTimeout(x, 50));
    expect(processAlive(Number(pid1))).toBe(false);
    await exited(first.child);

    // Graceful stop: the sandbox goes with the server.
    const second = startExec(again.server, again.dir, id, ['sh', '-c', script]);
    const [ns2] = (await waitForLines(second.stdout, 2)) as [string];
    expect(netnsTraces(ns2).netns).toBe(true);
    await again.server.stop();
    expect(netnsTraces(ns2)).toEqual({ netns: false, etc: false });
    expect(await exited(second.child)).not.toBe(0);
  });
});
