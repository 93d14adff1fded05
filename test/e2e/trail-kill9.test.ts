/**
 * What a crash may cost the audit trail, as README says: `yunbox serve` is killed with SIGKILL
 * while pop-core clients keep calling it. After a restart on the same data directory,
 * LookupEvents (pop-core) finds the events of the calls answered before the kill but for at most
 * those of the writer's last batches: the ones still in the buffer (50 ms or 512 events) and the
 * one being written (512 at most). And a clean stop (SIGTERM) afterwards loses none.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { popClient } from '../../src/testing/sdk.js';
import { serveIn, type ServeProcess } from '../../src/testing/spawn.js';

const ROOT = {
  accessKeyId: 'LTAItrailkillnine001',
  accessKeySecret: 'TrailKillNineRootSecret00001',
};

/** The README's bound: a batch waiting (512) and one being written (512). */
const MOST_LOST = 1024;

async function requestIds(server: ServeProcess): Promise<Set<string>> {
  const c = popClient(server, ROOT, '2020-07-06');
  const ids = new Set<string>();
  let token: string | undefined;
  do {
    const page = await c.request<{ Events: Array<{ requestId: string }>; NextToken?: string }>(
      'LookupEvents',
      { MaxResults: 50, ...(token ? { NextToken: token } : {}) },
      { method: 'POST' },
    );
    for (const e of page.Events) ids.add(e.requestId);
    token = page.NextToken;
  } while (token);
  return ids;
}

describe('the audit trail when the server is killed', () => {
  let dir: string;
  let server: ServeProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yunbox-trail-kill9-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('loses at most the last batches to SIGKILL, and nothing to a clean stop', async () => {
    server = await serveIn(dir, { root: ROOT });
    const answered: string[] = [];
    let dead = false;
    const caller = async () => {
      const c = popClient(server!, ROOT, '2015-05-01');
      while (!dead) {
        try {
          const r = await c.request<{ RequestId: string }>('ListUsers', {});
          if (!dead) answered.push(r.RequestId);
        } catch {
          return;
        }
      }
    };
    const callers = Array.from({ length: 4 }, caller);
    // Killed once enough calls were answered for several batches to have been written.
    while (answered.length < 1500) await new Promise((r) => setTimeout(r, 10));
    const before = [...answered];
    dead = true;
    server.child.kill('SIGKILL');
    await Promise.all(callers);
    await server.stop();

    server = await serveIn(dir, { root: ROOT });
    const found = await requestIds(server);
    const lost = before.filter((id) => !found.has(id));
    expect(lost.length).toBeLessThanOrEqual(MOST_LOST);
    // Whatever was lost is the newest: the events are written in the order answered.
    const firstLost = lost.length > 0 ? before.indexOf(lost[0]!) : before.length;
    expect(before.slice(0, firstLost).every((id) => found.has(id))).toBe(true);

    // A clean stop writes everything.
    const c = popClient(server, ROOT, '2015-05-01');
    const more: string[] = [];
    for (let i = 0; i < 50; i++)
      more.push((await c.request<{ RequestId: string }>('ListUsers', {})).RequestId);
    expect(await server.stop()).toBe(0);
    server = await serveIn(dir, { root: ROOT });
    const after = await requestIds(server);
    expect(more.filter((id) => !after.has(id))).toEqual([]);
  });
});
