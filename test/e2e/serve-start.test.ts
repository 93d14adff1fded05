/**
 * `yunbox serve`'s first minute (issue 19): the banner lists every address, the console and how
 * to sign in, the data directory, store, clock, active faults and how to stop; a browser opening
 * the gateway is sent to the console and gets a favicon (no OSS error, no audit event); health
 * checks stay out of the `info` log; logs are short lines with `--log-format pretty`; a busy port
 * stops the start before anything is created and names the flag and variable that choose another.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runNode, spawnServe, type ServeProcess } from '../../src/testing/spawn.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
} from '../../src/testing/fixtures.js';
import { $Ecs, ecsClient, ramClient, $Ram } from '../../src/testing/sdk.js';

const ROOT = {
  accessKeyId: 'LTAIstartroot00000001',
  accessKeySecret: 'StartRootSecretValue000000001',
};
const rootEnv = {
  YUNBOX_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId,
  YUNBOX_ROOT_ACCESS_KEY_SECRET: ROOT.accessKeySecret,
};
let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'yunbox-start-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 50 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
};

describe('the start banner', () => {
  it('lists addresses, console sign-in, data, store, clock, faults and Ctrl-C; shows faults at the next start', async () => {
    const data = join(base, 'banner');
    const args = [
      ...['--data', data, '--listen', '127.0.0.1:0', '--tls-listen', '127.0.0.1:0'],
      ...['--metadata-listen', '127.0.0.1:0', '--clock', 'manual', '--log-level', 'warn'],
    ];
    let s: ServeProcess | undefined = await spawnServe(args);
    try {
      await until(() => s!.stderr().includes('Ctrl-C to stop'));
      const err = s.stderr();
      const creds = JSON.parse(await readFile(join(data, 'root-credentials.json'), 'utf8'));
      const line = (name: string) => err.split('\n').find((l) => l.startsWith(`  ${name} `)) ?? '';
      expect(err).toMatch(/^yunbox \S+ is ready \(account \d{16}, region cn-hangzhou\)$/m);
      expect(line('gateway')).toContain(s.endpoint);
      expect(line('https')).toContain(`https://${s.tlsAddress}`);
      expect(line('https')).toContain(`NODE_EXTRA_CA_CERTS=${join(data, 'tls', 'ca.pem')}`);
      expect(line('metadata')).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
      expect(line('root key')).toContain(creds.AccessKeyId);
      expect(line('console')).toContain(`${s.endpoint}/_yunbox/console/`);
      expect(line('console')).toContain('sign in with the AccessKey above');
      expect(line('data')).toContain(data);
      expect(line('store')).toContain('sqlite');
      expect(line('clock')).toMatch(/manual, |manual +\d{4}-/);
      expect(line('faults')).toMatch(/faults +none/);
      expect(err.trimEnd().endsWith('Ctrl-C to stop')).toBe(true);
      // The "shown once" AccessKey is above the banner (stdout), the secret never in the banner.
      expect(s.stdout()).toContain(creds.AccessKeySecret);
      expect(err).not.toContain(creds.AccessKeySecret);

      // An instance whose metadata service fails on purpose…
      const root = { accessKeyId: creds.AccessKeyId, accessKeySecret: creds.AccessKeySecret };
      const net = await createNetwork({ ...s, region: 'cn-hangzhou' }, root, {
        vpcCidr: '10.0.0.0/16',
        vswitchCidr: '10.0.1.0/24',
      });
      const made = await ecsClient(s, root).runInstances(
        new $Ecs.RunInstancesRequest({
          regionId: 'cn-hangzhou',
          imageId: TUTORIAL_IMAGE,
          instanceType: TUTORIAL_INSTANCE_TYPE,
          vSwitchId: net.vswitchId,
        }),
      );
      const id = made.body!.instanceIdSets!.instanceIdSet![0]!;
      const fault = await runNode([CLI, 'instance', 'fault', id, 'slow', '--data', data], {});
      expect(fault.stderr).toBe('');
      expect(await s.stop()).toBe(0);
      // …is named by the next start's banner.
      s = await spawnServe(args);
      await until(() => s!.stderr().includes('Ctrl-C to stop'));
      expect(s.stderr()).toMatch(new RegExp(`^  faults +${id} slow`, 'm'));
    } finally {
      await s?.stop();
    }
  });
});

describe('a browser at the gateway, and the logs', () => {
  let s: ServeProcess;
  let data: string;
  beforeAll(async () => {
    data = join(base, 'browser');
    s = await spawnServe(
      [
        ...['--data', data, '--listen', '127.0.0.1:0', '--tls-listen', 'off'],
        ...['--metadata-listen', 'off', '--log-level', 'info'],
      ],
      rootEnv,
    );
  });
  afterAll(async () => {
    await s?.stop();
  });

  it('redirects a page load of / to the console; API clients still get the RPC error', async () => {
    const page = await fetch(`${s.endpoint}/`, {
      redirect: 'manual',
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/_yunbox/console/');
    const followed = await fetch(`${s.endpoint}/`, { headers: { accept: 'text/html' } });
    expect(followed.status).toBe(200);
    expect(followed.headers.get('content-type')).toContain('text/html');
    const api = await fetch(`${s.endpoint}/`);
    expect(api.status).toBe(400);
    expect(((await api.json()) as { Code: string }).Code).toBe('MissingParameter');
  });

  it('serves /favicon.ico: no InvalidBucketName, no audit event', async () => {
    const icon = await fetch(`${s.endpoint}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(await icon.text()).toContain('<svg');
    const trail = await runNode([CLI, 'trail', 'lookup', '--data', data, '--max', '50'], rootEnv);
    expect(trail.stderr).toBe('');
    expect(trail.stdout).not.toMatch(/favicon|InvalidBucketName/);
  });

  it('keeps health checks out of the info log (JSON lines when not a terminal)', async () => {
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${s.endpoint}/_yunbox/health`)).status).toBe(200);
    await ramClient(s, ROOT).listRoles(new $Ram.ListRolesRequest({}));
    await until(() => s.stdout().includes('"action":"ListRoles"'));
    const lines = s
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests.some((l) => l.action === 'ListRoles')).toBe(true);
    expect(requests.some((l) => l.path === '/_yunbox/health')).toBe(false);
  });

  it('writes one short line per request with --log-format pretty', async () => {
    const p = await spawnServe(
      [
        ...['--data', join(base, 'pretty'), '--listen', '127.0.0.1:0', '--tls-listen', 'off'],
        ...['--metadata-listen', 'off', '--log-format', 'pretty'],
      ],
      rootEnv,
    );
    try {
      await ramClient(p, ROOT).listRoles(new $Ram.ListRolesRequest({}));
      await fetch(`${p.endpoint}/_yunbox/health`);
      await until(() => p.stdout().includes('ListRoles'));
      const out = p.stdout();
      expect(out).not.toMatch(/^\{/m);
      expect(out).toMatch(/^\d\d:\d\d:\d\d 200 rpc +ListRoles \(2015-05-01\) \d+(\.\d)?ms$/m);
      expect(out).toMatch(/^\d\d:\d\d:\d\d INFO yunbox ready/m);
      expect(out).not.toContain('/_yunbox/health');
      expect(out).not.toContain(ROOT.accessKeySecret);
    } finally {
      await p.stop();
    }
  });
});

describe('on a terminal', () => {
  // util-linux's `script` (BSD's takes other flags).
  it.skipIf(process.platform !== 'linux')(
    'logs one short line per request by itself (--log-format auto)',
    async () => {
      const data = join(base, 'tty');
      // util-linux `script` gives the server a terminal of its own.
      const child = spawn(
        'script',
        [
          '-qfec',
          [
            ...[process.execPath, CLI, 'serve', '--data', data, '--listen', '127.0.0.1:0'],
            ...['--tls-listen', 'off', '--metadata-listen', 'off'],
          ]
            .map((a) => `'${a}'`)
            .join(' '),
          '/dev/null',
        ],
        {
          env: { PATH: process.env.PATH, HOME: process.env.HOME },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      let pid: number | undefined;
      try {
        await until(() => /gateway\s+http:\/\/\S+/.test(out));
        const endpoint = /gateway\s+(http:\/\/[\d.:]+)/.exec(out)?.[1];
        expect(endpoint, out).toBeDefined();
        pid = JSON.parse(await readFile(join(data, 'endpoint.json'), 'utf8')).pid;
        await fetch(`${endpoint}/?Action=ListRoles&Version=2015-05-01`);
        await until(() => out.includes('MissingParameter'));
        expect(out).toMatch(
          /^\d\d:\d\d:\d\d 400 rpc +ListRoles \(2015-05-01\) MissingParameter [\d.]+ms\r?$/m,
        );
        expect(out).not.toMatch(/^\{"level"/m);
      } finally {
        // The server is the terminal's session leader's child: stopped by its own pid.
        if (pid) process.kill(pid, 'SIGTERM');
        else child.kill('SIGKILL');
        await once(child, 'exit');
      }
    },
  );
});

describe('a busy port', () => {
  let holder: Server;
  let port: number;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => holder.close(r));
  });

  it('stops the start before anything exists, naming --listen and YUNBOX_LISTEN', async () => {
    const data = join(base, 'busy-gateway');
    const r = await runNode(
      [CLI, 'serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--tls-listen', 'off'],
      {},
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port} for the gateway`);
    expect(r.stderr).toContain('the address is in use');
    expect(r.stderr).toContain('--listen HOST:PORT or YUNBOX_LISTEN=HOST:PORT');
    expect(r.stderr).toContain('--tls-listen (YUNBOX_TLS_LISTEN)');
    expect(r.stderr).toContain('--metadata-listen (YUNBOX_METADATA_LISTEN)');
    expect(r.stdout).not.toMatch(/AccessKey/);
    await expect(stat(data)).rejects.toThrow(/ENOENT/);
  });

  it('names --tls-listen and YUNBOX_TLS_LISTEN for the HTTPS port', async () => {
    const data = join(base, 'busy-tls');
    const r = await runNode(
      [
        CLI,
        'serve',
        '--data',
        data,
        '--listen',
        '127.0.0.1:0',
        '--tls-listen',
        `127.0.0.1:${port}`,
      ],
      {},
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('for the HTTPS gateway');
    expect(r.stderr).toContain('--tls-listen HOST:PORT or YUNBOX_TLS_LISTEN=HOST:PORT');
    await expect(stat(data)).rejects.toThrow(/ENOENT/);
  });
});
