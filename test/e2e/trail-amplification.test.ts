/**
 * The attack of issue 14, finding 5, against a real `yunbox serve` (the bundled CLI): unsigned
 * 1 MB requests no longer grow the data directory by their size. Twenty of them (RPC POSTs with a
 * 1 MB `Action`, with 1 MB of parameters, with a 1 MB AccessKeyId; OSS requests with a user
 * agent and headers as large as OSS accepts) grow the directory by less than 1 MB, measured
 * after a graceful stop (the trail is flushed and SQLite's write-ahead log checkpointed into the
 * database and removed, so the database file holds everything); no error body quotes the
 * megabyte; the health check answers throughout. Thirty more from the same address are counted,
 * not stored: after a restart LookupEvents shows the summary saying so.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoSeconds } from '../../src/kernel/clock.js';
import { rpcCall } from '../../src/protocol/rpc-client.js';
import { serveIn, type ServeProcess } from '../../src/testing/spawn.js';

const ROOT = {
  accessKeyId: 'LTAItrailamplif000001',
  accessKeySecret: 'TrailAmplificationRootSecret01',
};
const MB = 1_000_000;

let dir: string;
let server: ServeProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-trail-amp-'));
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Bytes of every file under `path`, and their names (relative). */
async function du(path: string): Promise<{ bytes: number; files: string[] }> {
  let bytes = 0;
  const files: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    bytes += (await stat(full)).size;
    files.push(full.slice(path.length + 1));
  }
  return { bytes, files: files.sort() };
}

/** One request; its status and the length of its body. */
async function send(url: string, init: RequestInit): Promise<{ status: number; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.text() };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** The twenty unsigned requests of about a megabyte each (OSS's capped at its 16 KB head). */
function attacks(endpoint: string): Array<() => Promise<{ status: number; body: string }>> {
  const out: Array<() => Promise<{ status: number; body: string }>> = [];
  for (let i = 0; i < 5; i++) {
    out.push(() => send(`${endpoint}/`, form({ Action: 'A'.repeat(MB), Version: '2015-05-01' })));
  }
  for (let i = 0; i < 5; i++) {
    const fields: Record<string, string> = { Action: 'ListUsers', Version: '2015-05-01' };
    for (let p = 0; p < 100; p++) fields[`Param${p}`] = String(p).padEnd(9_950, 'v');
    out.push(() => send(`${endpoint}/`, form(fields)));
  }
  for (let i = 0; i < 4; i++) {
    out.push(() =>
      send(
        `${endpoint}/`,
        form({
          Action: 'ListUsers',
          Version: '2015-05-01',
          AccessKeyId: `LTAI${'k'.repeat(MB - 4)}`,
          Signature: 'c2lnbmF0dXJl',
          SignatureNonce: `nonce-${i}`,
          Timestamp: isoSeconds(Date.now()),
        }),
      ),
    );
  }
  for (let i = 0; i < 3; i++) {
    out.push(() =>
      send(`${endpoint}/no-such-bucket-${i}/${'k'.repeat(1000)}`, {
        headers: { 'user-agent': 'u'.repeat(14_000), 'x-oss-meta-note': 'n' },
      }),
    );
  }
  for (let i = 0; i < 3; i++) {
    out.push(() =>
      send(`${endpoint}/no-such-bucket-${i}/object`, {
        method: 'PUT',
        headers: {
          authorization: `OSS4-HMAC-SHA256 Credential=LTAI${'c'.repeat(7000)}/20260101/cn-hangzhou/oss/aliyun_v4_request,Signature=${'0'.repeat(64)}`,
          'user-agent': 'u'.repeat(7000),
        },
        body: 'x',
      }),
    );
  }
  return out;
}

describe('unsigned megabytes do not grow the data directory', () => {
  it('twenty of them grow it by less than 1 MB, and no answer quotes them', async () => {
    // The directory as a started and stopped server leaves it: the baseline.
    server = await serveIn(dir, { root: ROOT });
    expect(await server.stop()).toBe(0);
    const before = await du(dir);

    server = await serveIn(dir, { root: ROOT });
    const health = `${server.endpoint}/_yunbox/health`;
    for (const attack of attacks(server.endpoint)) {
      const r = await attack();
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.body.length).toBeLessThan(4096);
      expect((await fetch(health)).status).toBe(200);
    }
    expect(await server.stop()).toBe(0);
    const after = await du(dir);
    // Graceful stop: the write-ahead log was checkpointed and removed; the database holds all.
    expect(after.files.filter((f) => f.endsWith('-wal'))).toEqual([]);
    expect(after.bytes - before.bytes).toBeLessThan(MB);
  });

  it('thirty more are counted, not stored: the summary is there after a restart', async () => {
    server = await serveIn(dir, { root: ROOT });
    const before = await du(dir);
    for (let i = 0; i < 30; i++) {
      const r = await send(
        `${server.endpoint}/`,
        form({ Action: 'ListRoles', Version: '2015-05-01', Note: 'n'.repeat(MB - 100) }),
      );
      expect(r.status).toBe(400);
      expect(r.body.length).toBeLessThan(1024);
    }
    // Graceful stop: the recorder writes the sampling window's summary before the store closes.
    expect(await server.stop()).toBe(0);
    server = await serveIn(dir, { root: ROOT });
    const lookup = (attrs: Record<string, string>) =>
      rpcCall({
        endpoint: server!.endpoint,
        version: '2020-07-06',
        action: 'LookupEvents',
        credentials: ROOT,
        params: { MaxResults: '50', ...attrs },
      });
    const summary = await lookup({
      'LookupAttribute.1.Key': 'EventName',
      'LookupAttribute.1.Value': 'TrailEventsNotStored',
    });
    expect(summary.status).toBe(200);
    expect(summary.json.Events).toHaveLength(1);
    const [e] = summary.json.Events;
    expect(e.userIdentity).toMatchObject({ type: 'yunbox' });
    // A new process, a new window: twenty stored in full, one sampled, nine only counted.
    expect(e.requestParameters).toMatchObject({
      Seen: '30',
      StoredInFull: '20',
      Sampled: '1',
      NotStored: '9',
      Sources: '127.0.0.1=9',
    });
    const stored = await lookup({
      'LookupAttribute.1.Key': 'EventName',
      'LookupAttribute.1.Value': 'ListRoles',
    });
    expect(stored.json.Events).toHaveLength(21);
    expect(await server.stop()).toBe(0);
    server = undefined;
    expect((await du(dir)).bytes - before.bytes).toBeLessThan(MB);
  });
});
