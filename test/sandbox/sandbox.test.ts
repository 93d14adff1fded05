/**
 * Instance sandboxes against a real yunbox (startTestServer) and a sandbox manager with a stub
 * instance lookup and a stub metadata handler that echoes what it was asked: the metadata address
 * answers for the sandbox's own instance whatever the request says; *.aliyuncs.com and bucket
 * hosts resolve to the gateway; HTTPS verifies with the system bundle (curl, Python) and with
 * NODE_EXTRA_CA_CERTS (Node); gateway requests carry the instance's address and VPC into policy
 * conditions; nothing outside the namespace is reachable; stopped instances refuse and running
 * ones that stop lose their sandbox; and nothing is left behind (namespaces, /etc/netns,
 * processes), also after a crash. Needs root on Linux (CI runs as root).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDnsMessage, DnsType, DNS_CLASS_IN } from '../../src/sandbox/dns.js';
import { createNetns, netnsPids, processStartTime } from '../../src/sandbox/host.js';
import { SandboxError, SandboxManager, type SandboxInfo } from '../../src/sandbox/manager.js';
import type { SandboxInstance } from '../../src/sandbox/types.js';
import { createUserWithKey, rootOf } from '../../src/testing/fixtures.js';
import {
  isRootLinux,
  netnsExec,
  netnsTraces,
  processAlive,
  sandboxSkipReason,
  serverNamespaces,
} from '../../src/testing/sandbox.js';
import { $Ram, ramClient } from '../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../src/testing/server.js';

let yb: TestServer;
let manager: SandboxManager;
let a: SandboxInfo;
let b: SandboxInfo;
const instances = new Map<string, SandboxInstance>();
const managers: SandboxManager[] = [];

function instance(id: string, n: number, status = 'Running'): SandboxInstance {
  return {
    instanceId: id,
    accountId: yb.accountId,
    status,
    hostName: `iZ${id.slice(2)}Z`,
    privateIp: `172.16.0.${n}`,
    vpcId: `vpc-${id.slice(2)}`,
  };
}

function newManager(options: { idleTimeoutMs?: number } = {}): SandboxManager {
  const m = new SandboxManager({
    log: yb.log,
    region: yb.region,
    caDir: join(yb.dataDir, 'tls'),
    idleTimeoutMs: options.idleTimeoutMs ?? 0,
    pollIntervalMs: 100,
    statusCacheMs: 0,
    deps: () => ({
      gateway: yb.gateway,
      instances: {
        async get(accountId, instanceId) {
          const i = instances.get(instanceId);
          return i && (accountId === undefined || i.accountId === accountId) ? i : undefined;
        },
      },
      metadata: async (req, res, instanceId) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            instanceId,
            path: req.url,
            host: req.headers.host,
            peer: req.socket.remoteAddress,
          }),
        );
      },
    }),
  });
  managers.push(m);
  return m;
}

/** A shell command inside sandbox `s`, with only PATH and HOME set (no CA variables). */
const sh = (s: SandboxInfo, command: string, env: Record<string, string> = {}) =>
  netnsExec(s.netns, ['sh', '-c', command], { HOME: '/tmp', ...env });

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 5000) => {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(!isRootLinux)(`instance sandboxes${sandboxSkipReason}`, () => {
  beforeAll(async () => {
    yb = await startTestServer();
    for (const [id, n] of [
      ['i-aaaa', 10],
      ['i-bbbb', 11],
      ['i-cccc', 12],
      ['i-dddd', 13],
    ] as const) {
      instances.set(id, instance(id, n));
    }
    instances.set('i-stopped', instance('i-stopped', 20, 'Stopped'));
    manager = newManager();
    a = await manager.create(yb.accountId, 'i-aaaa');
    b = await manager.create(yb.accountId, 'i-bbbb');
  });

  afterAll(async () => {
    for (const m of managers) await m.close();
    await yb?.close();
  });

  it('answers on 100.100.100.200:80 for its own instance only, whatever the request says', async () => {
    const get = async (s: SandboxInfo, extra = '') => {
      const r = await sh(
        s,
        `curl -sS ${extra} http://100.100.100.200/latest/meta-data/instance-id`,
      );
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout) as { instanceId: string; path: string };
    };
    expect(await get(a)).toMatchObject({
      instanceId: 'i-aaaa',
      path: '/latest/meta-data/instance-id',
    });
    expect((await get(b)).instanceId).toBe('i-bbbb');
    const spoof = `-H 'Host: 100.100.100.200' -H 'X-Forwarded-For: ${b.privateIp}' -H 'X-Real-IP: ${b.privateIp}' -H 'X-Aliyun-Instance-Id: i-bbbb'`;
    expect((await get(a, spoof)).instanceId).toBe('i-aaaa');
    expect(a.netns).not.toBe(b.netns);
  });

  it('resolves every service name and bucket host to the gateway, and nothing else', async () => {
    const r = await sh(
      a,
      "getent ahostsv4 sts.aliyuncs.com ram.aliyuncs.com ecs.cn-hangzhou.aliyuncs.com vpc-vpc.cn-hangzhou.aliyuncs.com oss-cn-hangzhou-internal.aliyuncs.com mybucket.oss-cn-hangzhou.aliyuncs.com made-after-start-42.oss-cn-hangzhou.aliyuncs.com STS.CN-HANGZHOU.ALIYUNCS.COM | awk '{print $1}' | sort -u",
    );
    expect(r.stdout.trim()).toBe('100.100.2.136');
    expect((await sh(a, 'getent hosts example.com')).code).toBe(2);
    expect((await sh(a, 'getent hosts aliyuncs.com.example.org')).code).toBe(2);
    expect((await sh(a, 'getent hosts iZaaaaZ')).stdout).toMatch(/^172\.16\.0\.10\s+iZaaaaZ/);
    expect((await sh(a, 'cat /etc/resolv.conf')).stdout).toContain('nameserver 100.100.2.136');
    // DNS over TCP too (a framed query for sts.aliyuncs.com, A).
    const query = Buffer.from(
      encodeDnsMessage({
        id: 77,
        flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
        questions: [{ name: 'sts.aliyuncs.com', type: DnsType.A, class: DNS_CLASS_IN }],
        answers: [],
        authorities: [],
        additionals: [],
      }),
    );
    const framed = Buffer.concat([Buffer.from([0, query.length]), query]).toString('hex');
    const tcp = await netnsExec(a.netns, [
      process.execPath,
      '-e',
      `const s=require('net').connect(53,'100.100.2.136',()=>s.write(Buffer.from('${framed}','hex')));let b=Buffer.alloc(0);s.on('data',d=>{b=Buffer.concat([b,d]);if(b.length>=2+b.readUInt16BE(0)){console.log([...b.subarray(b.length-4)].join('.'));s.end()}})`,
    ]);
    expect(tcp.stdout.trim()).toBe('100.100.2.136');
  });

  it('serves the gateway over HTTPS with a certificate the system bundle trusts', async () => {
    // curl and Python with no CA variable: the system bundle (mounted over /etc/ssl) has our CA.
    const curl = await sh(a, 'curl -sS https://sts.aliyuncs.com/');
    expect(curl.stderr).toBe('');
    expect(JSON.parse(curl.stdout)).toMatchObject({ Code: 'MissingParameter' });
    const bucket = await sh(
      a,
      'curl -sS -o /dev/null -w "%{http_code}" https://mybucket.oss-cn-hangzhou-internal.aliyuncs.com/',
    );
    expect(bucket.stderr).toBe('');
    expect(bucket.stdout).toMatch(/^[2-5]\d\d$/);
    const py = await sh(
      a,
      `python3 -c "
import urllib.request, urllib.error
try:
    urllib.request.urlopen('https://ecs.cn-hangzhou.aliyuncs.com/')
except urllib.error.HTTPError as e:
    print(e.code)"`,
    );
    expect(py.stderr).toBe('');
    expect(py.stdout.trim()).toBe('400');
    // Python requests ships its own bundle: REQUESTS_CA_BUNDLE (from the sandbox's Env) is needed.
    const requests = await sh(
      a,
      `python3 -c "import requests; print(requests.get('https://ram.aliyuncs.com/').status_code)"`,
      a.env,
    );
    expect(requests.stderr).toBe('');
    expect(requests.stdout.trim()).toBe('400');
    // Node reads NODE_EXTRA_CA_CERTS, and without it verification fails (it is never off).
    const node = (env: Record<string, string>) =>
      netnsExec(
        a.netns,
        [
          process.execPath,
          '-e',
          "fetch('https://sts.cn-hangzhou.aliyuncs.com/').then(r=>console.log(r.status),e=>console.log(e.cause?.code))",
        ],
        env,
      );
    expect((await node(a.env)).stdout.trim()).toBe('400');
    expect((await node({})).stdout.trim()).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET/);
    expect(a.env).toEqual({
      NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/yunbox-ca.pem',
      SSL_CERT_FILE: '/etc/ssl/certs/ca-certificates.crt',
      REQUESTS_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt',
      CURL_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt',
    });
  });

  it("puts the instance's private IP and VPC in acs:SourceIp and acs:SourceVpc", async () => {
    const ram = ramClient(yb, rootOf(yb));
    await ram.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'FromInstanceA',
        policyDocument: JSON.stringify({
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ram:ListUsers',
              Resource: '*',
              Condition: {
                IpAddress: { 'acs:SourceIp': '172.16.0.10/32' },
                StringEquals: { 'acs:SourceVpc': 'vpc-aaaa' },
              },
            },
          ],
        }),
      }),
    );
    const user = await createUserWithKey(yb, rootOf(yb), 'sandbox-user');
    await ram.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        policyType: 'Custom',
        policyName: 'FromInstanceA',
        userName: 'sandbox-user',
      }),
    );
    // @alicloud/ram20150501 with its default endpoint (https://ram.aliyuncs.com).
    const script = `const Ram = require('@alicloud/ram20150501');
const { Config } = require('@alicloud/openapi-client');
const c = new Ram.default(new Config({ accessKeyId: process.env.K, accessKeySecret: process.env.S }));
c.listUsers(new Ram.ListUsersRequest({})).then(() => console.log('allowed'), (e) => console.log(e.code));`;
    const call = (s: SandboxInfo) =>
      netnsExec(s.netns, [process.execPath, '-e', script], {
        ...s.env,
        K: user.accessKeyId,
        S: user.accessKeySecret,
      });
    expect((await call(a)).stdout.trim()).toBe('allowed');
    expect((await call(b)).stdout.trim()).toBe('NoPermission');
  });

  it('reaches nothing outside the namespace', async () => {
    const port = yb.address.split(':')[1]!;
    const probe = (host: string, p: string) =>
      netnsExec(a.netns, [
        process.execPath,
        '-e',
        `require('net').connect(${p},'${host}').on('connect',()=>{console.log('connected');process.exit()}).on('error',e=>console.log(e.code))`,
      ]);
    expect((await probe('127.0.0.1', port)).stdout.trim()).toBe('ECONNREFUSED');
    expect((await probe('10.255.255.53', '53')).stdout.trim()).toBe('ENETUNREACH');
    expect((await probe('100.100.100.200', '443')).stdout.trim()).toBe('ECONNREFUSED');
    // The admin API is not served inside.
    const admin = await sh(
      a,
      'curl -s -o /dev/null -w "%{http_code}" http://sts.aliyuncs.com/_yunbox/health',
    );
    expect(admin.stdout).toBe('404');
  });

  it('refuses unknown and stopped instances', async () => {
    await expect(manager.create(yb.accountId, 'i-nope')).rejects.toMatchObject({
      kind: 'instance-not-found',
    });
    await expect(manager.create(yb.accountId, 'i-stopped')).rejects.toBeInstanceOf(SandboxError);
    await expect(manager.create(yb.accountId, 'i-stopped')).rejects.toMatchObject({
      kind: 'instance-status',
    });
    await expect(manager.create('999', 'i-aaaa')).rejects.toMatchObject({
      kind: 'instance-not-found',
    });
  });

  it('stops answering and goes away when its instance stops', async () => {
    const c = await manager.create(yb.accountId, 'i-cccc');
    expect((await sh(c, 'curl -sS http://100.100.100.200/')).code).toBe(0);
    instances.set('i-cccc', { ...instances.get('i-cccc')!, status: 'Stopped' });
    const r = await sh(c, 'curl -sS -m 5 http://100.100.100.200/latest/meta-data/instance-id');
    expect(r.code).not.toBe(0);
    await waitFor(() => !netnsTraces(c.netns).netns && !netnsTraces(c.netns).etc);
    expect(manager.get(c.sandboxId)).toBeUndefined();
  });

  it('kills processes left inside and leaves nothing behind', async () => {
    const d = await manager.create(yb.accountId, 'i-dddd');
    const child = spawn('ip', ['netns', 'exec', d.netns, 'sleep', '300'], { stdio: 'ignore' });
    await waitFor(async () => (await netnsPids(d.netns)).length > 0);
    const started = Date.now();
    expect(await manager.destroy(d.sandboxId)).toBe(true);
    const ms = Date.now() - started;
    expect(processAlive(child.pid!)).toBe(false);
    expect(netnsTraces(d.netns)).toEqual({ netns: false, etc: false });
    expect(await manager.destroy(d.sandboxId)).toBe(false);
    expect(ms).toBeLessThan(3000);
  });

  it('goes once its last process has gone, unless kept alive', async () => {
    // The program inside runs until the test opens its gate, so a slow start under load cannot
    // make "a process still runs inside" false (it once did with a fixed `sleep`).
    const idleMs = 3000;
    const m = newManager({ idleTimeoutMs: idleMs });
    const gateDir = await mkdtemp(join(tmpdir(), 'ybx-gate-'));
    const gate = join(gateDir, 'open');
    const idle = await m.create(yb.accountId, 'i-aaaa');
    const running = sh(idle, `while [ ! -e ${gate} ]; do sleep 0.05; done`);
    const kept = await m.create(yb.accountId, 'i-aaaa', { keepAlive: true });
    await waitFor(async () => (await netnsPids(idle.netns)).length > 0, 10_000);
    await new Promise((r) => setTimeout(r, idleMs + 500));
    // Older than the idle timeout, but a process still runs inside.
    expect(netnsTraces(idle.netns).netns).toBe(true);
    await writeFile(gate, '');
    expect((await running).code).toBe(0);
    await waitFor(
      () => !netnsTraces(idle.netns).netns && !netnsTraces(idle.netns).etc,
      idleMs + 5000,
    );
    expect(m.get(idle.sandboxId)).toBeUndefined();
    expect(netnsTraces(kept.netns).netns).toBe(true);
    await m.close();
    expect(serverNamespaces(m.serverId)).toEqual([]);
    await rm(gateDir, { recursive: true, force: true });
  });

  it('removes what a crashed server left at start, and only that', async () => {
    const ip = (await manager.support()) as { ok: true; ip: string };
    // A dead server: its pid file names a process that has exited.
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    await mkdir('/run/yunbox', { recursive: true });
    await writeFile('/run/yunbox/dead0001.pid', `${gone.pid} 1\n`);
    await writeFile('/run/yunbox/dead0001-ca.pem', 'CA of the dead server\n');
    await createNetns(ip.ip, 'ybx-dead0001-1', ['100.100.100.200']);
    await mkdir('/etc/netns/ybx-dead0001-1', { recursive: true });
    await mkdir('/etc/netns/ybx-dead0001-2', { recursive: true });
    const inside = spawn('ip', ['netns', 'exec', 'ybx-dead0001-1', 'sleep', '300'], {
      stdio: 'ignore',
    });
    // A live server: this very process.
    const start = await processStartTime(process.pid);
    await writeFile('/run/yunbox/live0001.pid', `${process.pid} ${start}\n`);
    await createNetns(ip.ip, 'ybx-live0001-1', ['100.100.100.200']);
    try {
      await waitFor(async () => (await netnsPids('ybx-dead0001-1')).length > 0);
      await newManager().start();
      expect(netnsTraces('ybx-dead0001-1')).toEqual({ netns: false, etc: false });
      expect(netnsTraces('ybx-dead0001-2')).toEqual({ netns: false, etc: false });
      await waitFor(() => !processAlive(inside.pid!));
      await expect(readFile('/run/yunbox/dead0001.pid')).rejects.toThrow();
      await expect(readFile('/run/yunbox/dead0001-ca.pem')).rejects.toThrow();
      expect(netnsTraces('ybx-live0001-1').netns).toBe(true);
    } finally {
      await netnsExec('ybx-live0001-1', ['true']).catch(() => undefined);
      spawn('ip', ['netns', 'del', 'ybx-live0001-1']);
      spawn('ip', ['netns', 'del', 'ybx-dead0001-1']);
      await rm('/run/yunbox/live0001.pid', { force: true });
      await rm('/etc/netns/ybx-dead0001-2', { recursive: true, force: true });
    }
  });

  it('removes every sandbox when closed', async () => {
    const m = newManager();
    const list = await Promise.all([
      m.create(yb.accountId, 'i-aaaa'),
      m.create(yb.accountId, 'i-bbbb'),
    ]);
    const sleeper = spawn('ip', ['netns', 'exec', list[0]!.netns, 'sleep', '300'], {
      stdio: 'ignore',
    });
    await waitFor(async () => (await netnsPids(list[0]!.netns)).length > 0);
    // The CA copy programs read where the host has no /etc/ssl: public, and not the data
    // directory's (which they cannot read).
    const caCopy = `/run/yunbox/${m.serverId}-ca.pem`;
    expect((await stat(caCopy)).mode & 0o777).toBe(0o644);
    expect(await readFile(caCopy, 'utf8')).toBe(
      await readFile(join(yb.dataDir, 'tls', 'ca.pem'), 'utf8'),
    );
    await m.close();
    expect(serverNamespaces(m.serverId)).toEqual([]);
    await waitFor(() => !processAlive(sleeper.pid!));
    await expect(m.create(yb.accountId, 'i-aaaa')).rejects.toMatchObject({ kind: 'unsupported' });
    await expect(readFile(`/run/yunbox/${m.serverId}.pid`)).rejects.toThrow();
    await expect(readFile(caCopy)).rejects.toThrow();
  });

  it('creates and destroys quickly', async () => {
    const times: Array<[number, number]> = [];
    for (let i = 0; i < 3; i++) {
      let t = Date.now();
      const s = await manager.create(yb.accountId, 'i-aaaa');
      const created = Date.now() - t;
      t = Date.now();
      await manager.destroy(s.sandboxId);
      times.push([created, Date.now() - t]);
    }
    console.log(`sandbox create/destroy ms: ${times.map((x) => x.join('/')).join(', ')}`);
    for (const [c, d] of times) {
      expect(c).toBeLessThan(3000);
      expect(d).toBeLessThan(3000);
    }
  });
});
