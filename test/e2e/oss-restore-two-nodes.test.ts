/**
 * RestoreObject on two `yunbox serve --clock manual` processes sharing PostgreSQL, both clocks
 * set to the same time (each node's manual clock is moved by the calls it serves): a restore
 * started on one node is in progress on the other; two first restores racing on the two nodes
 * start one restore (202) and answer the other `RestoreAlreadyInProgress`; once both clocks pass
 * the minute an Archive restore takes, either node serves the object; a delete on one node drops
 * the restore for both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pgSkipReason } from '../../src/testing/pg.js';
import type { ServeProcess } from '../../src/testing/spawn.js';
import { twoNodesOnPostgres } from './two-node-cluster.js';
import { ossClient, popClient } from '../../src/testing/sdk.js';

const skip = await pgSkipReason();
const ROOT = {
  accessKeyId: 'LTAIrestorenodes0001',
  accessKeySecret: 'RestoreNodesRootSecret0000001',
};
const BUCKET = 'restore-nodes';

async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

describe.skipIf(skip !== undefined)('RestoreObject on two nodes sharing PostgreSQL', () => {
  const nodes = twoNodesOnPostgres('yunbox-restorenode-', { root: ROOT, manualClock: true });
  let a: ServeProcess;
  let b: ServeProcess;
  /** Both nodes' clocks, moved together (whole seconds, a day ahead of the host's). */
  let now = Math.floor(Date.now() / 1000) * 1000 + 24 * 3600_000;

  const setClocks = async () => {
    const at = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const node of [a, b]) {
      await popClient(node, ROOT, '2026-11-01').request(
        'SetClock',
        { Now: at },
        { method: 'POST' },
      );
    }
  };

  beforeAll(async () => {
    ({ a, b } = nodes);
    await setClocks();
  });

  it('a restore started on one node runs, completes and goes away for both', async () => {
    const ca = ossClient(a, ROOT, { bucket: BUCKET });
    const cb = ossClient(b, ROOT, { bucket: BUCKET, style: 'path', v4: true });
    await ca.putBucket(BUCKET);
    const archive = { headers: { 'x-oss-storage-class': 'Archive' } };
    await ca.put('one.txt', Buffer.from('one'), archive);
    await ca.put('race.txt', Buffer.from('race'), archive);

    expect((await ca.restore('one.txt')).res.status).toBe(202);
    expect(await failure(cb.restore('one.txt'))).toMatchObject({
      status: 409,
      code: 'RestoreAlreadyInProgress',
    });
    expect((await cb.head('one.txt')).res.headers['x-oss-restore']).toBe('ongoing-request="true"');
    expect(await failure(cb.get('one.txt'))).toMatchObject({ code: 'InvalidObjectState' });

    const raced = await Promise.all([
      failure(ca.restore('race.txt')),
      failure(cb.restore('race.txt')),
    ]);
    expect(raced.filter((e) => e === undefined)).toHaveLength(1);
    expect(raced.filter((e) => e?.code === 'RestoreAlreadyInProgress')).toHaveLength(1);

    now += 60_000;
    await setClocks();
    expect((await cb.get('one.txt')).content.toString()).toBe('one');
    expect((await ca.get('race.txt')).content.toString()).toBe('race');
    const listed = await cb.listV2({ prefix: 'one.txt' });
    expect(listed.objects[0].restoreInfo).toMatchObject({ ongoingRequest: false });

    await cb.delete('one.txt');
    await ca.put('one.txt', Buffer.from('again'), archive);
    expect((await cb.head('one.txt')).res.headers['x-oss-restore']).toBeUndefined();
    expect(await failure(ca.get('one.txt'))).toMatchObject({ code: 'InvalidObjectState' });
  });
});
