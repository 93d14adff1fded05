import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../testing/server.js';
import { tokenFile } from './workload.js';

let yb: TestServer;
beforeAll(async () => {
  yb = await startTestServer({ tlsListen: '127.0.0.1:0' });
});
afterAll(async () => {
  vi.useRealTimers();
  await yb?.close();
});

describe('workload token file', () => {
  it('is written 0600, replaced by a new token at 80% of its life, and removed at the end', async () => {
    const errors: string[] = [];
    const io = {
      stdout: () => undefined,
      stderr: (t: string) => void errors.push(t),
      env: {
        YUNBOX_ROOT_ACCESS_KEY_ID: yb.root.accessKeyId,
        YUNBOX_ROOT_ACCESS_KEY_SECRET: yb.root.accessKeySecret,
      },
      cwd: process.cwd(),
    };
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let renewed!: (ok: boolean) => void;
    const next = new Promise<boolean>((r) => (renewed = r));
    const t = await tokenFile(
      io,
      { endpoint: yb.endpoint },
      { sub: 'app', aud: 'sts.aliyuncs.com', ttl: 600 },
      { root: true },
      (ok) => renewed(ok),
    );
    const file = t.env.ALIBABA_CLOUD_OIDC_TOKEN_FILE!;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const first = await readFile(file, 'utf8');
    await vi.advanceTimersByTimeAsync(479_000);
    expect(await readFile(file, 'utf8')).toBe(first);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await next).toBe(true);
    const second = await readFile(file, 'utf8');
    expect(second).not.toBe(first);
    expect(JSON.parse(Buffer.from(second.split('.')[1]!, 'base64url').toString()).sub).toBe('app');
    await t.close();
    await expect(stat(file)).rejects.toThrow();
    expect(errors).toEqual([]);
  });
});
