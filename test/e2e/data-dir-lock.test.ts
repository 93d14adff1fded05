/**
 * A data directory with the embedded SQLite store belongs to one `yunbox serve`: a second one
 * started on it is refused at once with a message that says why, and the first keeps serving.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveIn, type ServeProcess } from '../../src/testing/spawn.js';
import { stsClient } from '../../src/testing/sdk.js';

const ROOT = {
  accessKeyId: 'LTAIlockroot000000001',
  accessKeySecret: 'LockRootSecretValue0000000001',
};
let dir: string;
let first: ServeProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yunbox-lock-'));
  first = await serveIn(dir, { root: ROOT });
});
afterAll(async () => {
  await first?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('one server per data directory', () => {
  it('refuses a second yunbox serve on the same SQLite store; the first keeps serving', async () => {
    const second = serveIn(dir, { root: ROOT });
    await expect(second).rejects.toThrow(/yunbox serve exited 1:.*in use by another process/s);
    const me = await stsClient(first!, ROOT).getCallerIdentity();
    expect(me.body!.accountId).toBeTruthy();
  });
});
