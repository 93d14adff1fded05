/**
 * Sandboxes that explain themselves, as a user runs `yunbox instance exec`: the program runs in a
 * UTS namespace of its own with the instance's host name (`hostname`, `uname -n` and
 * `/etc/hostname` agree; as `nobody` and `--as-root`), and a sandbox removed under a running
 * program (instance stopped, server stopped) says why on stderr before the program ends, with
 * the documented status (143: SIGTERM). Needs root on Linux.
 */
import { type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceExec,
  isRootLinux,
  netnsTraces,
  runningInstance,
  sandboxSkipReason,
  startInstanceExec,
} from '../../src/testing/sandbox.js';
import { $Ecs, ecsClient, type TestCredentials } from '../../src/testing/sdk.js';
import { rootCredentialsIn, serveIn, type ServeProcess } from '../../src/testing/spawn.js';

const dirs: string[] = [];

async function serve(): Promise<{ server: ServeProcess; dir: string; root: TestCredentials }> {
  const dir = await mkdtemp(join(tmpdir(), 'yunbox-sandbox-uts-'));
  dirs.push(dir);
  const server = await serveIn(dir);
  return { server, dir, root: await rootCredentialsIn(dir) };
}

async function waitFor(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((x) => setTimeout(x, 50));
  }
}

async function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe.skipIf(!isRootLinux)(`sandboxes that explain themselves${sandboxSkipReason}`, () => {
  let main: { server: ServeProcess; dir: string; root: TestCredentials };
  let id: string;
  let name: string;

  beforeAll(async () => {
    main = await serve();
    id = await runningInstance(main.server, main.root);
    const d = await ecsClient(main.server, main.root).describeInstanceAttribute(
      new $Ecs.DescribeInstanceAttributeRequest({ instanceId: id }),
    );
    name = d.body!.hostName!;
  });

  afterAll(async () => {
    await main?.server.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("`hostname` prints the instance's host name, as /etc/hostname and uname -n do", async () => {
    expect(name).toMatch(/\S/);
    expect(name).not.toBe(hostname());
    const script = 'hostname; uname -n; cat /etc/hostname';
    const r = await instanceExec(main.server, main.dir, id, ['sh', '-c', script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${name}\n${name}\n${name}\n`);
    const asRoot = await instanceExec(main.server, main.dir, id, ['sh', '-c', script], {
      flags: ['--as-root'],
    });
    expect(asRoot.code).toBe(0);
    expect(asRoot.stdout).toBe(`${name}\n${name}\n${name}\n`);
    // The host keeps its own.
    expect(hostname()).not.toBe(name);
  });

  it('a program whose instance stops is told why on stderr, then ends with 143', async () => {
    const victim = await runningInstance(main.server, main.root);
    const run = startInstanceExec(main.server, main.dir, victim, [
      'sh',
      '-c',
      'ip netns identify; exec sleep 300',
    ]);
    await waitFor(() => run.stdout().includes('\n'), 'the program to start');
    const netns = run.stdout().trim();
    await ecsClient(main.server, main.root).stopInstance(
      new $Ecs.StopInstanceRequest({ instanceId: victim }),
    );
    expect(await exited(run.child)).toBe(143);
    // Our line first; then, at most, the shell's report of the program's end.
    expect(run.stderr()).toMatch(
      new RegExp(
        `^yunbox instance exec: instance \`${victim}\` is Stopp(ed|ing): yunbox removes the sandbox of \`${victim}\` and ends the program \\(SIGTERM, then SIGKILL after 1 s\\)\\n(Terminated\\n)?$`,
      ),
    );
    expect(netnsTraces(netns).netns).toBe(false);
  });

  it('a program whose server stops is told so, and no error about the gone server follows', async () => {
    const other = await serve();
    const vid = await runningInstance(other.server, other.root);
    const run = startInstanceExec(other.server, other.dir, vid, [
      'sh',
      '-c',
      'echo started; exec sleep 300',
    ]);
    await waitFor(() => run.stdout().includes('started'), 'the program to start');
    await other.server.stop();
    expect(await exited(run.child)).toBe(143);
    expect(run.stderr().replace(/Terminated\n$/, '')).toBe(
      `yunbox instance exec: yunbox stopped: yunbox removes the sandbox of \`${vid}\` and ends the program (SIGTERM, then SIGKILL after 1 s)\n`,
    );
  });
});
