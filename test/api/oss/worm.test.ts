/**
 * Retention policies (WORM, issue 18 item 4) through ali-oss against a real server on the manual
 * clock: the policy's life (InProgress, Locked, extended; void after 24 hours unless completed),
 * OSS's refusals of each misuse, and objects within their retention period that no write or
 * delete path may touch until the clock passes it. RAM decides the oss:*BucketWorm actions. On
 * PostgreSQL, a second node sharing the store sees every change at once. Writers racing on one
 * key never replace the object the first of them made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { $TeaOss, ossClient, teaOssClient, type OssClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { errorCode, policy, rawOss, userWithPolicy } from './helpers.js';

let yb: TestServer;
let root: OssClient;
const DAY = 24 * 3600;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual' });
  followServerClock(yb);
  root = ossClient(yb, rootOf(yb));
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

/**
 * The error a call fails with (fails the test when it succeeds). ali-oss's abortBucketWorm and
 * completeBucketWorm never reject (they declare no success statuses): their error is read from
 * the answer they resolve with.
 */
async function failure(p: Promise<any>): Promise<{ code: string; status: number; ec?: string }> {
  let r: any;
  try {
    r = await p;
  } catch (e: any) {
    return { code: e.code, status: e.status, ec: e.ecCode };
  }
  if (r?.status >= 300) {
    const xml = Buffer.from(r.res?.data ?? '').toString('utf8');
    return {
      code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1] ?? '',
      status: r.status,
      ec: /<EC>([^<]*)<\/EC>/.exec(xml)?.[1] ?? '',
    };
  }
  throw new Error('expected the call to fail');
}

describe('the life of a retention policy', () => {
  it('is InProgress when initiated, Locked when completed, and only ever lengthened', async () => {
    await root.putBucket('worm-life');
    expect(await failure(root.getBucketWorm('worm-life'))).toMatchObject({
      code: 'NoSuchWORMConfiguration',
      status: 404,
    });
    const init = await root.initiateBucketWorm('worm-life', '2');
    expect(init.wormId).toMatch(/^[0-9A-F]{32}$/);
    const got = await root.getBucketWorm('worm-life');
    expect(got).toMatchObject({ wormId: init.wormId, state: 'InProgress', days: '2' });
    // OSS's CreationDate: seconds, no zone.
    expect(got.creationDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(Date.parse(`${got.creationDate}Z`)).toBe(
      Math.floor(yb.clock.now().getTime() / 1000) * 1000,
    );
    // Extending is for locked policies.
    expect(await failure(root.extendBucketWorm('worm-life', init.wormId, '3'))).toMatchObject({
      code: 'InvalidWORMConfiguration',
      status: 400,
    });
    // Completing names the policy.
    expect(await failure(root.completeBucketWorm('worm-life', 'F'.repeat(32)))).toMatchObject({
      code: 'NoSuchWORMConfiguration',
      status: 404,
    });
    await root.completeBucketWorm('worm-life', init.wormId);
    expect(await root.getBucketWorm('worm-life')).toMatchObject({ state: 'Locked', days: '2' });
    // Locked: cannot be removed, restarted, completed again, or shortened.
    expect(await failure(root.abortBucketWorm('worm-life'))).toMatchObject({
      code: 'WORMConfigurationLocked',
      status: 403,
    });
    expect(await failure(root.initiateBucketWorm('worm-life', '5'))).toMatchObject({
      code: 'WORMConfigurationLocked',
    });
    expect(await failure(root.completeBucketWorm('worm-life', init.wormId))).toMatchObject({
      code: 'WORMConfigurationLocked',
    });
    for (const days of ['1', '2']) {
      expect(await failure(root.extendBucketWorm('worm-life', init.wormId, days))).toMatchObject({
        code: 'InvalidWORMConfiguration',
        status: 400,
      });
    }
    expect(await failure(root.extendBucketWorm('worm-life', 'ABC', '9'))).toMatchObject({
      code: 'NoSuchWORMConfiguration',
    });
    await root.extendBucketWorm('worm-life', init.wormId, '7');
    expect(await root.getBucketWorm('worm-life')).toMatchObject({
      wormId: init.wormId,
      state: 'Locked',
      days: '7',
    });
  });

  it('can be aborted while in progress, and a second one waits for the first', async () => {
    await root.putBucket('worm-abort');
    expect(await failure(root.abortBucketWorm('worm-abort'))).toMatchObject({
      code: 'NoSuchWORMConfiguration',
    });
    await root.initiateBucketWorm('worm-abort', '1');
    expect(await failure(root.initiateBucketWorm('worm-abort', '1'))).toMatchObject({
      code: 'InvalidWORMConfiguration',
      status: 400,
    });
    const r = await root.abortBucketWorm('worm-abort');
    expect(r.status).toBe(204);
    expect(await failure(root.getBucketWorm('worm-abort'))).toMatchObject({
      code: 'NoSuchWORMConfiguration',
    });
    await root.initiateBucketWorm('worm-abort', '1');
  });

  it('becomes void 24 hours after it was initiated unless completed', async () => {
    await root.putBucket('worm-void');
    const c = ossClient(yb, rootOf(yb), { bucket: 'worm-void' });
    const { wormId } = await c.initiateBucketWorm('worm-void', '30');
    await c.put('doc.txt', Buffer.from('v1'));
    // In progress, it protects the bucket's objects already.
    expect(await failure(c.delete('doc.txt'))).toMatchObject({
      code: 'FileImmutable',
      status: 409,
    });
    advanceClocks(yb, DAY - 1);
    expect((await c.getBucketWorm('worm-void')).state).toBe('InProgress');
    advanceClocks(yb, 1);
    expect(await failure(c.getBucketWorm('worm-void'))).toMatchObject({
      code: 'NoSuchWORMConfiguration',
    });
    expect(await failure(c.completeBucketWorm('worm-void', wormId))).toMatchObject({
      code: 'NoSuchWORMConfiguration',
    });
    expect(await failure(c.abortBucketWorm('worm-void'))).toMatchObject({
      code: 'NoSuchWORMConfiguration',
    });
    await c.delete('doc.txt');
    const again = await c.initiateBucketWorm('worm-void', '1');
    expect(again.wormId).not.toBe(wormId);
  });

  it('refuses bad documents with OSS’s codes', async () => {
    await root.putBucket('worm-bad');
    for (const days of ['0', '25551', '-3']) {
      expect(await failure(root.initiateBucketWorm('worm-bad', days))).toMatchObject({
        code: 'InvalidArgument',
        status: 400,
        ec: '0027-00000002',
      });
    }
    expect(await failure(root.initiateBucketWorm('worm-bad', 'test'))).toMatchObject({
      code: 'InvalidArgument',
      ec: '0027-00000005',
    });
    const creds = rootOf(yb);
    const send = (body: string) =>
      rawOss(yb, { method: 'POST', bucket: 'worm-bad', query: [['worm', null]], body, creds });
    const empty = await send('<InitiateWormConfiguration></InitiateWormConfiguration>');
    expect([empty.status, errorCode(empty)]).toEqual([400, 'MalformedXML']);
    expect((await send('<ExtendWormConfiguration/>')).status).toBe(400);
    expect(errorCode(await send('not xml'))).toBe('MalformedXML');
    // The longest period is accepted; ExtendBucketWorm names the policy.
    await root.initiateBucketWorm('worm-bad', '25550');
    const unnamed = await rawOss(yb, {
      method: 'POST',
      bucket: 'worm-bad',
      query: [['wormExtend', null]],
      body: '<ExtendWormConfiguration><RetentionPeriodInDays>9</RetentionPeriodInDays></ExtendWormConfiguration>',
      creds,
    });
    expect([unnamed.status, errorCode(unnamed)]).toEqual([400, 'MissingArgument']);
  });
});

describe('objects within their retention period', () => {
  let c: OssClient;
  const BUCKET = 'worm-objects';
  beforeAll(async () => {
    await root.putBucket(BUCKET);
    c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
    await c.put('kept.txt', Buffer.from('original'));
    await c.put('other.txt', Buffer.from('other'));
    await c.append('log.txt', Buffer.from('line 1\n'));
    // Policy of one day, locked.
    const { wormId } = await c.initiateBucketWorm(BUCKET, '1');
    await c.completeBucketWorm(BUCKET, wormId);
  });

  it('cannot be overwritten or deleted by any path', async () => {
    const immutable = { code: 'FileImmutable', status: 409 };
    expect(await failure(c.delete('kept.txt'))).toMatchObject(immutable);
    expect(await failure(c.put('kept.txt', Buffer.from('new')))).toMatchObject(immutable);
    expect(await failure(c.copy('kept.txt', 'other.txt'))).toMatchObject(immutable);
    expect(await failure(c.copy('kept.txt', 'kept.txt'))).toMatchObject(immutable);
    expect(
      await failure(c.append('log.txt', Buffer.from('line 2\n'), { position: '7' })),
    ).toMatchObject(immutable);
    const big = Buffer.alloc(100 * 1024, 1);
    expect(
      await failure(c.multipartUpload('kept.txt', big, { partSize: 100 * 1024 })),
    ).toMatchObject(immutable);
    // PostObject, signed by ali-oss's form signature.
    const form = new FormData();
    const signed = c.calculatePostSignature({
      expiration: new Date(yb.clock.now().getTime() + 600_000).toISOString(),
      conditions: [{ bucket: BUCKET }],
    });
    const fields = { key: 'kept.txt', ...signed } as Record<string, string>;
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('file', new Blob([Buffer.from('posted')]), 'kept.txt');
    const port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
    const posted = await fetch(`http://localhost:${port}/${BUCKET}`, {
      method: 'POST',
      body: form,
    });
    expect(posted.status).toBe(409);
    expect(await posted.text()).toContain('<Code>FileImmutable</Code>');
    const multi = await failure(c.deleteMulti(['other.txt', 'missing.txt']));
    expect(multi).toMatchObject(immutable);
    // Nothing changed, nothing went.
    expect((await c.get('kept.txt')).content.toString()).toBe('original');
    expect((await c.get('other.txt')).content.toString()).toBe('other');
    expect((await c.head('log.txt')).res.headers['content-length']).toBe('7');
    const r = await rawOss(yb, {
      method: 'DELETE',
      bucket: BUCKET,
      key: 'kept.txt',
      creds: rootOf(yb),
    });
    expect([r.status, errorCode(r), r.headers['x-oss-ec']]).toEqual([
      409,
      'FileImmutable',
      '0026-00000005',
    ]);
  });

  it('leaves new keys, reads and missing keys alone', async () => {
    advanceClocks(yb, 3600);
    await c.put('fresh.txt', Buffer.from('new object'));
    expect((await c.get('fresh.txt')).content.toString()).toBe('new object');
    await c.delete('never-existed.txt');
    await c.deleteMulti(['never-existed.txt']);
    expect(await failure(c.deleteBucket(BUCKET))).toMatchObject({ code: 'BucketNotEmpty' });
  });

  it('can be deleted once yunbox’s clock passes their retention, and then the bucket too', async () => {
    // The first objects were written an hour before `fresh.txt`.
    advanceClocks(yb, DAY - 3600 - 5);
    expect(await failure(c.delete('kept.txt'))).toMatchObject({ code: 'FileImmutable' });
    advanceClocks(yb, 10);
    // One day after they were written: free to change.
    await c.put('kept.txt', Buffer.from('rewritten'));
    expect(await failure(c.delete('kept.txt'))).toMatchObject({ code: 'FileImmutable' });
    await c.deleteMulti(['other.txt', 'log.txt']);
    // `fresh.txt` was written later: still held.
    expect(await failure(c.delete('fresh.txt'))).toMatchObject({ code: 'FileImmutable' });
    advanceClocks(yb, DAY);
    await c.deleteMulti(['kept.txt', 'fresh.txt']);
    expect((await c.list({ 'max-keys': 10 }, {})).objects ?? []).toHaveLength(0);
    // The upload whose completion was refused is still there; aborting it is no deletion.
    const { uploads } = await c.listUploads({});
    expect(uploads).toHaveLength(1);
    await c.abortMultipartUpload(uploads[0].name, uploads[0].uploadId);
    await c.deleteBucket(BUCKET);
    expect(await failure(root.getBucketWorm(BUCKET))).toMatchObject({ code: 'NoSuchBucket' });
  });
});

/**
 * Many writers and deleters of one key at once, through `clients` in turn; answers which puts
 * landed (their contents) and checks that every other call was a 204 delete or `FileImmutable`.
 */
const PAD = Buffer.alloc(256 * 1024, 0x2e);

async function raceOneKey(clients: OssClient[], key: string, puts: number, deletes: number) {
  const calls = [
    ...Array.from({ length: puts }, (_, i) => ({ put: `writer ${i}` })),
    ...Array.from({ length: deletes }, () => ({ put: undefined })),
  ];
  const results = await Promise.allSettled(
    calls.map((c, i) => {
      const client = clients[i % clients.length]!;
      // A body of some size keeps each write in flight a while, so the writers overlap.
      const body = c.put === undefined ? undefined : Buffer.concat([Buffer.from(c.put), PAD]);
      return body === undefined ? client.delete(key) : client.put(key, body);
    }),
  );
  const landed: Array<{ content: string; etag: string; versionId?: string }> = [];
  results.forEach((r, i) => {
    const put = calls[i]!.put;
    if (r.status === 'rejected') {
      expect({ code: r.reason.code, status: r.reason.status }).toEqual({
        code: 'FileImmutable',
        status: 409,
      });
    } else if (put !== undefined) {
      const h = r.value.res.headers;
      landed.push({
        content: put + PAD.toString(),
        etag: h.etag,
        versionId: h['x-oss-version-id'],
      });
    }
  });
  return landed;
}

describe('writers racing on one key of a locked bucket', () => {
  it('land once: the first object made is never replaced or deleted by the others', async () => {
    const BUCKET = 'worm-race';
    await root.putBucket(BUCKET);
    const c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
    const { wormId } = await c.initiateBucketWorm(BUCKET, '1');
    await c.completeBucketWorm(BUCKET, wormId);
    for (const key of ['one.txt', 'two.txt', 'three.txt']) {
      const landed = await raceOneKey([c], key, 12, 4);
      expect(landed).toHaveLength(1);
      const got = await c.get(key);
      expect(got.content.toString()).toBe(landed[0]!.content);
      expect(got.res.headers.etag).toBe(landed[0]!.etag);
    }
  });

  it('with versioning, every racing write is kept as its own version', async () => {
    const BUCKET = 'worm-race-versions';
    await root.putBucket(BUCKET);
    const c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
    await c.putBucketVersioning(BUCKET, 'Enabled');
    await c.put('k.txt', Buffer.from('first'));
    const { wormId } = await c.initiateBucketWorm(BUCKET, '1');
    await c.completeBucketWorm(BUCKET, wormId);
    const landed = await raceOneKey([c], 'k.txt', 10, 3);
    expect(landed).toHaveLength(10);
    const { objects, deleteMarker } = await c.getBucketVersions({ prefix: 'k.txt' });
    // Every write's version is there with its ETag; the deletes only added markers.
    const kept = new Map(objects.map((o: any) => [o.versionId, o.etag]));
    for (const l of landed) expect(kept.get(l.versionId)).toBe(l.etag);
    expect(objects).toHaveLength(11);
    expect(deleteMarker).toHaveLength(3);
    // Removing a version for good is what retention refuses.
    expect(await failure(c.delete('k.txt', { versionId: landed[0]!.versionId! }))).toMatchObject({
      code: 'FileImmutable',
      status: 409,
    });
  });
});

describe('the Tea OSS client (@alicloud/oss20190517)', () => {
  /**
   * A Tea call whose answer is OSS's empty 200: the client then fails parsing the missing XML
   * body (`not a valid value for parameter`, darabonba-array's size() of tea-xml's null), after
   * the server acted. Anything else, an OSS error included, fails the test.
   */
  async function teaEmpty200(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e: any) {
      if (e.code === undefined && e.message === 'not a valid value for parameter') return;
      throw e;
    }
  }

  it('initiates (sending `<RetentionPeriodInDays>` as the document), gets, completes, extends and aborts', async () => {
    await root.putBucket('worm-tea');
    const tea = teaOssClient(yb, rootOf(yb));
    await teaEmpty200(
      tea.initiateBucketWorm(
        'worm-tea',
        new $TeaOss.InitiateBucketWormRequest({
          initiateWormConfiguration: new $TeaOss.InitiateWormConfiguration({
            retentionPeriodInDays: 1,
          }),
        }),
      ),
    );
    const got = (await tea.getBucketWorm('worm-tea')).body;
    expect(got).toMatchObject({ state: 'InProgress', retentionPeriodInDays: 1 });
    expect((await tea.abortBucketWorm('worm-tea')).statusCode).toBe(204);
    const { wormId } = await root.initiateBucketWorm('worm-tea', '1');
    await teaEmpty200(
      tea.completeBucketWorm('worm-tea', new $TeaOss.CompleteBucketWormRequest({ wormId })),
    );
    await teaEmpty200(
      tea.extendBucketWorm(
        'worm-tea',
        new $TeaOss.ExtendBucketWormRequest({
          wormId,
          body: new $TeaOss.ExtendWormConfiguration({ retentionPeriodInDays: 4 }),
        }),
      ),
    );
    expect((await tea.getBucketWorm('worm-tea')).body).toMatchObject({
      wormId,
      state: 'Locked',
      retentionPeriodInDays: 4,
    });
    await expect(tea.abortBucketWorm('worm-tea')).rejects.toMatchObject({
      code: 'WORMConfigurationLocked',
    });
  });
});

describe('RAM decides the oss:*BucketWorm actions', () => {
  it('allows what a policy grants and denies the rest', async () => {
    await root.putBucket('worm-ram');
    const { wormId } = await root.initiateBucketWorm('worm-ram', '1');
    const user = await userWithPolicy(
      yb,
      policy([
        {
          Effect: 'Allow',
          Action: ['oss:GetBucketWorm', 'oss:CompleteBucketWorm'],
          Resource: 'acs:oss:*:*:worm-ram',
        },
      ]),
    );
    const u = ossClient(yb, user);
    expect((await u.getBucketWorm('worm-ram')).wormId).toBe(wormId);
    for (const call of [
      () => u.initiateBucketWorm('worm-ram', '2'),
      () => u.abortBucketWorm('worm-ram'),
      () => u.extendBucketWorm('worm-ram', wormId, '3'),
    ]) {
      expect(await failure(call())).toMatchObject({ code: 'AccessDenied', status: 403 });
    }
    await u.completeBucketWorm('worm-ram', wormId);
    expect((await root.getBucketWorm('worm-ram')).state).toBe('Locked');
  });
});

describe.skipIf(process.env.YUNBOX_TEST_STORE !== 'postgres')(
  'two nodes sharing PostgreSQL',
  () => {
    let other: TestServer;
    beforeAll(async () => {
      other = await startTestServer({
        clock: 'manual',
        clockStart: yb.clock.now().toISOString(),
        shareStoreWith: yb,
      });
    });
    afterAll(async () => {
      await other?.close();
    });

    /** Moves both nodes' clocks (and this process's `Date`) by `seconds`. */
    function advanceBoth(seconds: number): void {
      other.clock.advance(seconds);
      advanceClocks(yb, seconds);
    }

    it('a policy locked on one node holds on the other, at once and until the clocks pass it', async () => {
      const BUCKET = 'worm-nodes';
      const a = ossClient(yb, rootOf(yb), { bucket: BUCKET });
      const b = ossClient(other, rootOf(other), { bucket: BUCKET });
      await a.putBucket(BUCKET);
      await a.put('shared.txt', Buffer.from('written on node A'));
      // Node B reads the (absent) policy first, so a stale node cache would show.
      expect(await failure(b.getBucketWorm(BUCKET))).toMatchObject({
        code: 'NoSuchWORMConfiguration',
      });
      const { wormId } = await a.initiateBucketWorm(BUCKET, '2');
      await b.completeBucketWorm(BUCKET, wormId);
      expect((await a.getBucketWorm(BUCKET)).state).toBe('Locked');
      expect(await failure(b.delete('shared.txt'))).toMatchObject({ code: 'FileImmutable' });
      await b.extendBucketWorm(BUCKET, wormId, '3');
      expect((await a.getBucketWorm(BUCKET)).days).toBe('3');
      advanceBoth(2 * DAY + 60);
      expect(await failure(a.delete('shared.txt'))).toMatchObject({ code: 'FileImmutable' });
      advanceBoth(DAY);
      await b.delete('shared.txt');
      await a.deleteBucket(BUCKET);
    });

    it('writers racing on one key through both nodes land once', async () => {
      const BUCKET = 'worm-race-nodes';
      const a = ossClient(yb, rootOf(yb), { bucket: BUCKET });
      const b = ossClient(other, rootOf(other), { bucket: BUCKET });
      await a.putBucket(BUCKET);
      const { wormId } = await a.initiateBucketWorm(BUCKET, '1');
      await b.completeBucketWorm(BUCKET, wormId);
      for (const key of ['one.txt', 'two.txt', 'three.txt']) {
        const landed = await raceOneKey([a, b], key, 12, 4);
        expect(landed).toHaveLength(1);
        for (const client of [a, b]) {
          const got = await client.get(key);
          expect(got.content.toString()).toBe(landed[0]!.content);
          expect(got.res.headers.etag).toBe(landed[0]!.etag);
        }
      }
    });
  },
);
