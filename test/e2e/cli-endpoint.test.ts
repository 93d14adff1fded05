/**
 * Finding the server (issue 19): `yunbox serve` on ports nobody chose writes `DIR/endpoint.json`
 * (addresses, account, CA; no secret), CLI commands find the server through it (from `--data`,
 * `YUNBOX_DATA` or `./.yunbox` in the working directory), and `yunbox env`'s output, evaluated
 * in a shell, is all pop-core and ali-oss need to call yunbox.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, runNode, spawnServe, type ServeProcess } from '../../src/testing/spawn.js';

let base: string;
let data: string;
let s: ServeProcess | undefined;
const scripts = join(REPO_ROOT, 'test-artifacts', `cli-endpoint-${process.pid}`);

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'yunbox-endpoint-'));
  data = join(base, '.yunbox');
  s = await spawnServe([
    ...['--data', data, '--listen', '127.0.0.1:0', '--tls-listen', '127.0.0.1:0'],
    ...['--metadata-listen', 'off', '--log-level', 'warn'],
  ]);
  await mkdir(scripts, { recursive: true });
});
afterAll(async () => {
  await s?.stop();
  await rm(base, { recursive: true, force: true });
  await rm(scripts, { recursive: true, force: true });
});

/** Runs `sh -c script` with only PATH and HOME (and `env`); resolves with its output. */
async function sh(script: string, env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT) {
  const child = spawn('sh', ['-c', script], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(t);
  return { code, stdout, stderr };
}

describe('endpoint.json', () => {
  it('says where the server is, with no secret, mode 0600', async () => {
    const file = join(data, 'endpoint.json');
    const info = JSON.parse(await readFile(file, 'utf8'));
    const creds = JSON.parse(await readFile(join(data, 'root-credentials.json'), 'utf8'));
    expect(info.endpoint).toBe(s!.endpoint);
    expect(info.tlsEndpoint).toBe(`https://${s!.tlsAddress}`);
    expect(info.accountId).toBe(creds.accountId);
    expect(info.caCertPath).toBe(join(data, 'tls', 'ca.pem'));
    expect(info.consoleUrl).toBe(`${s!.endpoint}/_yunbox/console/`);
    expect(info.store).toBe('sqlite');
    expect(info.pid).toBe(s!.child.pid);
    expect(JSON.stringify(info)).not.toContain(creds.AccessKeySecret);
    expect(JSON.stringify(info)).not.toContain(creds.AccessKeyId);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('lets commands find a server on a non-default port: --data, YUNBOX_DATA, ./.yunbox', async () => {
    const viaFlag = await runNode([CLI, 'clock', 'show', '--data', data], {});
    expect(viaFlag.stderr).toBe('');
    expect(viaFlag.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    const viaEnv = await runNode([CLI, 'trail', 'lookup', '--max', '5'], { YUNBOX_DATA: data });
    expect(viaEnv.stderr).toBe('');
    expect(viaEnv.stdout).toContain('yunbox:DescribeClock');
    // The working directory's ./.yunbox, as after `npm start` there.
    const viaCwd = await runNode([CLI, 'instance', 'list'], {}, 30_000, base);
    expect(viaCwd.stderr).toBe('');
    expect(viaCwd.stdout).toMatch(/^no instances in cn-hangzhou/);
    // --endpoint and YUNBOX_ENDPOINT come first.
    const other = await runNode([CLI, 'clock', 'show', '--data', data], {
      YUNBOX_ENDPOINT: 'http://127.0.0.1:1',
    });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('cannot reach yunbox at `http://127.0.0.1:1`');
  });
});

describe('yunbox env', () => {
  it('prints export lines that, evaluated in a shell, let pop-core and ali-oss call yunbox', async () => {
    const program = join(scripts, 'env-clients.mjs');
    await writeFile(
      program,
      `import RPCClient from '@alicloud/pop-core';
import OSS from 'ali-oss';
const ram = new RPCClient({
  endpoint: process.env.YUNBOX_ENDPOINT,
  apiVersion: '2015-05-01',
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
});
await ram.request('CreateRole', {
  RoleName: 'from-env',
  AssumeRolePolicyDocument: JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }] }),
});
const { Roles } = await ram.request('ListRoles', {});
const oss = new OSS({
  endpoint: process.env.OSS_ENDPOINT,
  region: process.env.OSS_REGION,
  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
  bucket: 'env-bucket',
});
await oss.putBucket('env-bucket');
await oss.put('hello.txt', Buffer.from('hi'));
const { objects } = await oss.list();
// HTTPS, trusting yunbox's CA through NODE_EXTRA_CA_CERTS.
const health = await fetch(process.env.YUNBOX_TLS_ENDPOINT + '/_yunbox/health');
console.log(Roles.Role.map((r) => r.RoleName).join(','), objects.map((o) => o.name).join(','), health.status);
`,
    );
    // From another directory, told only where the data directory is.
    const r = await sh(
      `eval "$("${process.execPath}" "${CLI}" env --data "${data}")" && "${process.execPath}" "${program}"`,
      {},
      base,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('from-env hello.txt 200');
  });

  it('quotes for the shell and prints JSON for tools', async () => {
    const text = await runNode([CLI, 'env', '--data', data], {});
    const lines = text.stdout.trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^export [A-Z_]+='[^']*'$/);
    const json = await runNode([CLI, 'env', '--data', data, '--json'], {});
    const vars = JSON.parse(json.stdout);
    const creds = JSON.parse(await readFile(join(data, 'root-credentials.json'), 'utf8'));
    expect(vars).toEqual({
      ALIBABA_CLOUD_ACCESS_KEY_ID: creds.AccessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: creds.AccessKeySecret,
      YUNBOX_ENDPOINT: s!.endpoint,
      YUNBOX_TLS_ENDPOINT: `https://${s!.tlsAddress}`,
      NODE_EXTRA_CA_CERTS: join(data, 'tls', 'ca.pem'),
      OSS_ENDPOINT: s!.endpoint,
      OSS_REGION: 'oss-cn-hangzhou',
      ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou',
      YUNBOX_DATA: data,
    });
  });

  it('says so when no server runs there; endpoint.json goes when the server stops', async () => {
    expect(await s!.stop()).toBe(0);
    s = undefined;
    await expect(stat(join(data, 'endpoint.json'))).rejects.toThrow(/ENOENT/);
    const r = await runNode([CLI, 'env', '--data', data], {});
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no running yunbox found');
  });

  it('names a stale endpoint.json (its server was killed) when the server cannot be reached', async () => {
    // The pid of a process that has ended, as after `kill -9` of the server.
    const gone = spawn(process.execPath, ['-e', '0']);
    await once(gone, 'exit');
    const stale = join(base, 'stale');
    await mkdir(stale, { recursive: true });
    await writeFile(
      join(stale, 'endpoint.json'),
      JSON.stringify({ endpoint: 'http://127.0.0.1:1', pid: gone.pid, accountId: '1' }),
    );
    await writeFile(
      join(stale, 'root-credentials.json'),
      JSON.stringify({ AccessKeyId: 'LTAIstale0000000001', AccessKeySecret: 'x'.repeat(30) }),
    );
    const r = await runNode([CLI, 'clock', 'show', '--data', stale], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot reach yunbox at `http://127.0.0.1:1`');
    expect(r.stderr).toContain(`was written by pid ${gone.pid}, which has ended`);
  });
});
