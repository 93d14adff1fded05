/**
 * Stalled connections against a real `yunbox serve` (issue 14, finding 4), with the timeouts set
 * to 2 s: 250 connections that each send a head and one byte of a 1000-byte body, against a
 * server started under `ulimit -n 200`, while `/_yunbox/health` is probed from another address
 * (health answers throughout, every stalled connection is closed in time, RPC ones with an RPC
 * error and object uploads with OSS `RequestTimeout`); a PutObject whose body stalls (the
 * `RequestTimeout` XML, no object, no temporary blob left); the HTTPS listener (a stalled
 * handshake, a stalled head), the plain metadata listener; the per-source cap (a tiny one, so
 * that loopback addresses stand for clients); and, as root, every listener of a sandbox.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { get, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ossV1StringToSign, signOssV1 } from '../../src/auth/oss-v1.js';
import { yunboxCall } from '../../src/cli/server-client.js';
import { httpDate } from '../../src/protocol/oss-format.js';
import { parseOssXml, xmlChildText } from '../../src/protocol/oss-xml.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
} from '../../src/testing/fixtures.js';
import { pgSkipReason } from '../../src/testing/pg.js';
import { isRootLinux, netnsExec, sandboxSkipReason } from '../../src/testing/sandbox.js';
import { $Ecs, ecsClient, ossClient } from '../../src/testing/sdk.js';
import { freshPgSchema, testPgUrl } from '../../src/testing/server.js';
import { serveIn, type ServeInOptions, type ServeProcess } from '../../src/testing/spawn.js';

const ROOT = {
  accessKeyId: 'LTAIlimitsroot000001',
  accessKeySecret: 'LimitsRootSecret00000000001',
};
/** The configured time limits, and the flags that set them. */
const LIMIT_MS = 2000;
const SHORT = ['--headers-timeout', '2s', '--request-timeout', '2s', '--body-idle-timeout', '2s'];
/** Over a configured time: one sweep, and a loaded 2-core machine. */
const SLACK_MS = 2500;
const REGION = 'cn-hangzhou';
const pgSkip = await pgSkipReason();

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(opts: ServeInOptions = {}): Promise<{ server: ServeProcess; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'yunbox-limits-e2e-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const server = await serveIn(dir, { root: ROOT, ...opts });
  cleanups.push(() => server.stop());
  return { server, dir };
}

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

/** A raw connection: what it received, and when (ms after connecting) it was closed. */
interface Conn {
  socket: Socket;
  text(): string;
  closed: Promise<number>;
}

function open(
  port: number,
  first?: string | Buffer,
  localAddress = '127.0.0.1',
  host = '127.0.0.1',
): Promise<Conn> {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const socket = connect({ port, host, localAddress });
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - started)));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => {});
    socket.once('connect', () => {
      if (first !== undefined) socket.write(first);
      resolve({ socket, text: () => Buffer.concat(chunks).toString('utf8'), closed });
    });
    // Refused before connecting (a cap, or the backlog): closed at once.
    socket.once('error', () => resolve({ socket, text: () => '', closed }));
  });
}

/** GET /_yunbox/health from `localAddress` on a fresh connection: the status, or the error. */
function health(port: number, localAddress = '127.0.0.1'): Promise<number | string> {
  return new Promise((resolve) => {
    const req = get(
      {
        host: '127.0.0.1',
        port,
        path: '/_yunbox/health',
        localAddress,
        agent: false,
        timeout: 5000,
      },
      (res: IncomingMessage) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** The head of a V1-signed OSS request by the root key, with the given body length. */
function ossHead(method: string, bucket: string, key: string, length: number): string {
  const date = httpDate(Date.now());
  const headers = { 'x-oss-date': date, 'content-length': String(length) };
  const sts = ossV1StringToSign(
    { method, path: `/${bucket}/${key}`, query: [], headers, bucket, key },
    date,
  );
  return (
    `${method} /${bucket}/${key} HTTP/1.1\r\nHost: localhost\r\n` +
    `x-oss-date: ${date}\r\nContent-Length: ${length}\r\n` +
    `Authorization: OSS ${ROOT.accessKeyId}:${signOssV1(ROOT.accessKeySecret, sts)}\r\n\r\n`
  );
}

/** An RPC call's head (a form body is RPC, never OSS) with a 1000-byte body announced. */
const RPC_HEAD =
  'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
  'Content-Length: 1000\r\n\r\n';

/** The body of an HTTP answer (after the head; fixed length bodies only). */
const bodyOf = (text: string) => text.slice(text.indexOf('\r\n\r\n') + 4);

describe('stalled connections against yunbox serve', () => {
  it('250 stalled connections under ulimit -n 200 leave health answering and are closed in time', async () => {
    const { server } = await serve({ nofile: 200, args: SHORT });
    const pid = server.child.pid!;
    expect(await readFile(`/proc/${pid}/limits`, 'utf8')).toMatch(/Max open files\s+200\s/);
    const port = portOf(server.address);
    await ossClient(server, ROOT).putBucket('stalled');
    const oss = ossHead('PUT', 'stalled', 'object.bin', 1000);

    let attacking = true;
    const probes: Array<number | string> = [];
    const probing = (async () => {
      while (attacking) {
        probes.push(await health(port));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // From 127.0.0.2: an attacker; health comes from 127.0.0.1, another source.
    const conns = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        open(port, (i % 2 ? RPC_HEAD : oss) + 'a', '127.0.0.2'),
      ),
    );
    const closedAfter = await Promise.all(conns.map((c) => c.closed));
    attacking = false;
    await probing;

    expect(Math.max(...closedAfter)).toBeLessThan(LIMIT_MS + SLACK_MS);
    expect(probes.length).toBeGreaterThan(5);
    expect(probes.filter((p) => p !== 200)).toEqual([]);
    // Those held until the timeout were answered in their service's format; the rest were refused
    // by the per-source cap (half of the connections, a quarter of 200 descriptors) with nothing.
    const answered = conns.map((c) => c.text()).filter((t) => t !== '');
    const rpc = answered.filter((t) => t.includes('"Code":"InvalidParameter"'));
    const timedOut = answered.filter((t) => t.includes('<Code>RequestTimeout</Code>'));
    expect(rpc.length).toBeGreaterThan(0);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(rpc.length + timedOut.length).toBe(answered.length);
    expect(answered.length).toBeLessThanOrEqual(50);
    expect(JSON.parse(bodyOf(rpc[0]!))).toMatchObject({
      Code: 'InvalidParameter',
      Message: 'The request body was not received within 2 seconds.',
    });
    for (const t of answered) expect(t).toMatch(/\r\nconnection: close\r\n/i);
    expect(server.child.exitCode).toBeNull();
    expect(await health(port, '127.0.0.2')).toBe(200);
  });

  /**
   * A PutObject of `declared` bytes that stops after `sent`: `partial()` counts what a blob write
   * in progress leaves (temporary files, incomplete blob rows), which must be seen during the
   * stall and be gone after it.
   */
  async function stalledPut(
    server: ServeProcess,
    declared: number,
    sent: number,
    partial: () => Promise<number>,
  ): Promise<void> {
    const client = ossClient(server, ROOT, { bucket: 'uploads' });
    await client.putBucket('uploads');
    const c = await open(
      portOf(server.address),
      ossHead('PUT', 'uploads', 'stalled.bin', declared),
    );
    c.socket.write(Buffer.alloc(sent, 7));
    let sawPartial = false;
    while (!c.text() && !c.socket.destroyed) {
      sawPartial ||= (await partial()) > 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    const closedAfter = await c.closed;
    expect(sawPartial).toBe(true);
    expect(closedAfter).toBeLessThan(LIMIT_MS + SLACK_MS);
    const text = c.text();
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    const requestId = /\r\nx-oss-request-id: (\S+)\r\n/i.exec(text)?.[1];
    const xml = parseOssXml(bodyOf(text));
    expect(xml.ok).toBe(true);
    if (!xml.ok) return;
    expect(xml.value.name).toBe('Error');
    expect(xmlChildText(xml.value, 'Code')).toBe('RequestTimeout');
    expect(xmlChildText(xml.value, 'Message')).toBe(
      'Your socket connection to the server was not read from or written to within the timeout period.',
    );
    expect(xmlChildText(xml.value, 'RequestId')).toBe(requestId);
    await expect(client.head('stalled.bin')).rejects.toMatchObject({ status: 404 });
    expect(await partial()).toBe(0);
    // The bucket still takes uploads.
    const bytes = Buffer.alloc(100_000, 1);
    await client.put('after.bin', bytes);
    const got = await client.get('after.bin');
    expect(createHash('md5').update(got.content).digest('hex')).toBe(
      createHash('md5').update(bytes).digest('hex'),
    );
  }

  it('answers a PutObject whose body stalls with RequestTimeout, storing nothing (fs)', async () => {
    const { server, dir } = await serve({ args: SHORT });
    // 1 MiB announced (past the 64 KiB kept as rows: a file in blobs/tmp), 200 KB sent.
    const tmp = join(dir, 'blobs', 'tmp');
    await stalledPut(server, 1 << 20, 200_000, async () => (await readdir(tmp)).length);
  });

  it.skipIf(pgSkip !== undefined)(
    'answers a PutObject whose body stalls with RequestTimeout, storing nothing (postgres)',
    async () => {
      const schema = await freshPgSchema();
      cleanups.push(() => schema.drop());
      const { server } = await serve({ args: [...SHORT, '--store', schema.url] });
      const db = new pg.Client({ connectionString: testPgUrl() });
      await db.connect();
      cleanups.push(() => db.end());
      // 3 MiB announced, 1.5 MiB sent: one 1 MiB chunk row of a blob marked incomplete.
      const rows = async () =>
        Number(
          (
            await db.query(
              `select (select count(*) from "${schema.schema}".oss_blobs) +` +
                ` (select count(*) from "${schema.schema}".oss_blob_chunks) as n`,
            )
          ).rows[0].n,
        );
      await stalledPut(server, 3 << 20, 1_500_000, rows);
    },
  );

  it('closes a slowloris on the HTTPS listener and on the plain metadata listener', async () => {
    const { server, dir } = await serve({
      args: [...SHORT, '--tls-listen', '127.0.0.1:0'],
      metadata: true,
      logLevel: 'info',
    });
    // Log lines reach stdout within a second (buffered).
    let ready: { metadata?: string } | undefined;
    for (let i = 0; i < 50 && !ready; i++) {
      ready = server
        .stdout()
        .split('\n')
        .map((l) => {
          try {
            return JSON.parse(l);
          } catch {
            return {}; // not a log line, or one not fully written yet
          }
        })
        .find((l) => l.msg === 'yunbox ready');
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready?.metadata).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const metadataPort = portOf(String(ready?.metadata));
    const tlsPort = portOf(server.tlsAddress!);
    const ca = await readFile(join(dir, 'tls', 'ca.pem'), 'utf8');

    const silent = await open(tlsPort);
    const handshake = await open(tlsPort, Buffer.from([0x16, 0x03, 0x01, 0x02]));
    const tls = tlsConnect({ port: tlsPort, host: '127.0.0.1', servername: 'localhost', ca });
    let tlsText = '';
    tls.on('data', (d) => (tlsText += d));
    const tlsStarted = Date.now();
    const tlsClosed = new Promise<number>((r) =>
      tls.once('close', () => r(Date.now() - tlsStarted)),
    );
    tls.on('error', () => {});
    tls.once('secureConnect', () =>
      tls.write('GET /_yunbox/health HTTP/1.1\r\nHost: localhost\r\n'),
    );
    const metadata = await open(metadataPort, 'GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n');

    for (const ms of [await silent.closed, await handshake.closed, await tlsClosed]) {
      expect(ms).toBeLessThan(LIMIT_MS + SLACK_MS);
    }
    expect(tlsText).toMatch(/^HTTP\/1\.1 408 /);
    expect(await metadata.closed).toBeLessThan(LIMIT_MS + SLACK_MS);
    expect(metadata.text()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes connections past the per-source cap at once, other sources unaffected', async () => {
    // Default 30 s timeouts: anything closed within a few seconds was refused by the cap.
    const { server } = await serve({ args: ['--max-connections-per-source', '5'] });
    const port = portOf(server.address);
    const conns = await Promise.all(
      Array.from({ length: 8 }, () => open(port, undefined, '127.0.0.2')),
    );
    const state = await Promise.all(
      conns.map((c) =>
        Promise.race([
          c.closed.then(() => 'closed'),
          new Promise((r) => setTimeout(r, 3000, 'open')),
        ]),
      ),
    );
    expect(state.filter((s) => s === 'closed').length).toBe(3);
    expect(state.filter((s) => s === 'open').length).toBe(5);
    expect(await health(port, '127.0.0.2')).not.toBe(200);
    expect(await health(port, '127.0.0.1')).toBe(200);
    for (const c of conns) c.socket.destroy();
    await Promise.all(conns.map((c) => c.closed));
    await new Promise((r) => setTimeout(r, 100));
    expect(await health(port, '127.0.0.2')).toBe(200);
    expect(server.stdout()).toContain('too many connections from one source');
  });
});

describe.skipIf(!isRootLinux)(`stalled connections inside a sandbox${sandboxSkipReason}`, () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('every sandbox listener closes stalled connections, and the sandbox is one source', async () => {
    // The sandbox may hold 8 connections: 5 stalled below, then 6 more of which 3 are refused.
    const { server } = await serve({ args: [...SHORT, '--max-connections-per-source', '8'] });
    const target = { ...server, region: REGION };
    const net = await createNetwork(target, ROOT);
    const ecs = ecsClient(server, ROOT);
    const run = await ecs.runInstances(
      new $Ecs.RunInstancesRequest({
        regionId: REGION,
        imageId: TUTORIAL_IMAGE,
        instanceType: TUTORIAL_INSTANCE_TYPE,
        vSwitchId: net.vswitchId,
      }),
    );
    const instanceId = run.body!.instanceIdSets!.instanceIdSet![0]!;
    for (const until = Date.now() + 15_000; ;) {
      const s = await ecs.describeInstanceStatus(
        new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: [instanceId] }),
      );
      if (s.body!.instanceStatuses!.instanceStatus![0]!.status === 'Running') break;
      if (Date.now() > until) throw new Error(`instance ${instanceId} not Running in time`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const created = await yunboxCall(server.endpoint, ROOT, 'CreateSandbox', {
      InstanceId: instanceId,
      KeepAlive: 'true',
    });
    if (!created.ok) throw new Error(created.error);
    const netns = created.body as { NetnsName: string; SandboxId: string };
    cleanups.push(() =>
      yunboxCall(server.endpoint, ROOT, 'DeleteSandbox', { SandboxId: netns.SandboxId }),
    );

    // Inside the namespace: one stalled connection per listener, then six idle extra ones.
    const script = `
      const net = require('net');
      const open = (port, host, first) => new Promise((resolve) => {
        const t0 = Date.now();
        const s = net.connect({ port, host }, () => { if (first) s.write(first); });
        s.on('error', () => {});
        s.on('data', () => {});
        s.on('close', () => resolve(Date.now() - t0));
      });
      (async () => {
        const stalled = {
          metadata: open(80, '100.100.100.200', 'GET /latest/meta-data/ HTTP/1.1\\r\\n'),
          head: open(80, '100.100.2.136', 'GET / HTTP/1.1\\r\\nHost: sts.aliyuncs.com\\r\\n'),
          body: open(80, '100.100.2.136', ${JSON.stringify(RPC_HEAD + 'a')}),
          tls: open(443, '100.100.2.136', Buffer.from([0x16, 3, 1, 2])),
          dns: open(53, '100.100.2.136', Buffer.from([0, 40, 0x12])),
        };
        await new Promise((r) => setTimeout(r, 300));
        const extra = Array.from({ length: 6 }, () => open(80, '100.100.2.136'));
        const out = { extra: await Promise.all(extra) };
        for (const [k, v] of Object.entries(stalled)) out[k] = await v;
        console.log(JSON.stringify(out));
      })();
    `;
    const r = await netnsExec(netns.NetnsName, [process.execPath, '-e', script]);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, number> & { extra: number[] };
    for (const k of ['metadata', 'head', 'body', 'tls', 'dns']) {
      // Held until the timeout (not refused), then closed.
      expect(out[k], k).toBeGreaterThan(LIMIT_MS - 500);
      expect(out[k], k).toBeLessThan(LIMIT_MS + SLACK_MS);
    }
    const refused = out.extra.filter((ms) => ms < LIMIT_MS - 500);
    expect(refused.length).toBe(3);
    for (const ms of out.extra) expect(ms).toBeLessThan(LIMIT_MS + SLACK_MS);
  });
});
