/**
 * Archived objects and RestoreObject through ali-oss, on yunbox's manual clock: an Archive,
 * ColdArchive or DeepColdArchive object refuses GetObject and copies (`InvalidObjectState`) until
 * a restore has taken its documented time; HeadObject answers throughout with `x-oss-restore`;
 * listings show `RestoreInfo`; the restored copy expires on the clock. Restore errors
 * (`OperationNotSupported`, `MalformedXML`, `InvalidArgument`, `RestoreAlreadyInProgress`,
 * `NoSuchVersion`), RAM's `oss:RestoreObject` and the trail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpDate } from '../../../src/protocol/oss-format.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { $TeaOss, ossClient, teaOssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { lookupAll } from '../trail/helpers.js';
import { errorCode, policy, rawOss, userWithPolicy } from './helpers.js';

let yb: TestServer;
let oss: any;
const BUCKET = 'restore-bucket';
const MINUTE = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: '2026-05-01T08:00:00Z' });
  oss = ossClient(yb, rootOf(yb), { bucket: BUCKET });
  await oss.putBucket(BUCKET);
});
afterAll(async () => {
  await yb?.close();
});

const now = () => yb.clock.now().getTime();

async function putClass(key: string, storageClass: string, body = 'frozen bytes') {
  await oss.put(key, Buffer.from(body), { headers: { 'x-oss-storage-class': storageClass } });
}

/** The error ali-oss raises for a call (or `undefined` when it succeeds). */
async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

async function restoreHeader(key: string): Promise<string | undefined> {
  const r = await oss.head(key);
  return r.res.headers['x-oss-restore'];
}

/** RestoreObject signed by the root, raw (ali-oss's `restore()` treats 200 as a failure). */
function rawRestore(key: string, body?: string, query: Array<[string, string | null]> = []) {
  return rawOss(yb, {
    method: 'POST',
    bucket: BUCKET,
    key,
    query: [['restore', null], ...query],
    ...(body !== undefined ? { body } : {}),
    creds: rootOf(yb),
  });
}

describe('an Archive object', () => {
  const key = 'archive/report.csv';
  let readyAt: number;

  beforeAll(async () => {
    await putClass(key, 'Archive', 'a,b,c');
  });

  it('is frozen: GetObject answers InvalidObjectState, HeadObject answers without x-oss-restore', async () => {
    const err = await failure(oss.get(key));
    expect(err).toMatchObject({
      status: 403,
      code: 'InvalidObjectState',
      message: "The operation is not valid for the object's state",
    });
    const head = await oss.head(key);
    expect(head.res.headers['x-oss-storage-class']).toBe('Archive');
    expect(head.res.headers['x-oss-restore']).toBeUndefined();
    const listed = await oss.list({ prefix: key });
    expect(listed.objects[0]).toMatchObject({ storageClass: 'Archive', restoreInfo: undefined });
  });

  it('restores with 202, then is restoring for a minute (409 on a second request)', async () => {
    const r = await oss.restore(key);
    readyAt = now() + MINUTE * 1000;
    expect(r.res.status).toBe(202);
    expect(r.res.headers['x-oss-object-restore-priority']).toBeUndefined();
    expect(await restoreHeader(key)).toBe('ongoing-request="true"');
    expect(await failure(oss.get(key))).toMatchObject({ code: 'InvalidObjectState' });
    expect(await failure(oss.restore(key))).toMatchObject({
      status: 409,
      name: 'RestoreAlreadyInProgressError',
      message: 'The restore operation is in progress.',
    });
    for (const list of [oss.list({ prefix: key }), oss.listV2({ prefix: key })]) {
      const { objects } = await list;
      expect(objects[0].restoreInfo).toEqual({ ongoingRequest: true });
    }
    yb.clock.advance(MINUTE - 1);
    expect(await restoreHeader(key)).toBe('ongoing-request="true"');
  });

  it('is readable once the clock passes the minute, until the copy expires (Days: ali-oss sends 2)', async () => {
    yb.clock.advance(1);
    const expiry = httpDate(readyAt + 2 * DAY * 1000);
    expect(await restoreHeader(key)).toBe(`ongoing-request="false", expiry-date="${expiry}"`);
    const got = await oss.get(key);
    expect(got.content.toString()).toBe('a,b,c');
    expect(got.res.headers['x-oss-restore']).toBe(
      `ongoing-request="false", expiry-date="${expiry}"`,
    );
    const { objects } = await oss.listV2({ prefix: key });
    expect(objects[0].restoreInfo).toEqual({
      ongoingRequest: false,
      expiryDate: new Date(expiry),
    });
    yb.clock.advance(2 * DAY - 1);
    expect((await oss.get(key)).res.status).toBe(200);
    yb.clock.advance(1);
    expect(await failure(oss.get(key))).toMatchObject({ code: 'InvalidObjectState' });
    expect(await restoreHeader(key)).toBeUndefined();
    expect((await oss.list({ prefix: key })).objects[0].restoreInfo).toBeUndefined();
  });

  it('a restore of a restored copy answers 200 and adds its Days, up to 7 days after it was ready', async () => {
    expect((await oss.restore(key, { Days: 2 })).res.status).toBe(202);
    yb.clock.advance(MINUTE);
    const ready = now();
    const expiry = async () => /expiry-date="([^"]+)"/.exec((await restoreHeader(key)) ?? '')?.[1];
    const restore = (days: number) =>
      rawRestore(key, `<RestoreRequest><Days>${days}</Days></RestoreRequest>`);
    expect((await restore(1)).status).toBe(200);
    expect(await expiry()).toBe(httpDate(ready + 3 * DAY * 1000));
    yb.clock.advance(2 * DAY);
    expect((await restore(3)).status).toBe(200);
    expect(await expiry()).toBe(httpDate(ready + 6 * DAY * 1000));
    yb.clock.advance(3 * DAY);
    // 6 + 7 days would pass the 7 days an Archive copy may last.
    expect((await restore(7)).status).toBe(200);
    expect(await expiry()).toBe(httpDate(ready + 7 * DAY * 1000));
    yb.clock.advance(2 * DAY - 1);
    expect((await oss.get(key)).res.status).toBe(200);
    yb.clock.advance(1);
    expect(await failure(oss.get(key))).toMatchObject({ code: 'InvalidObjectState' });
  });

  it('ListObjectVersions shows each archive version’s own restore', async () => {
    const name = 'restore-versions';
    const v = ossClient(yb, rootOf(yb), { bucket: name });
    await v.putBucket(name);
    await v.putBucketVersioning(name, 'Enabled');
    const put = async (body: string) =>
      (await v.put('k', Buffer.from(body), { headers: { 'x-oss-storage-class': 'Archive' } })).res
        .headers['x-oss-version-id'] as string;
    const old = await put('old');
    const cur = await put('current');
    await v.restore('k', { versionId: old });
    const listed = (await v.getBucketVersions({})).objects;
    const info = (id: string) => listed.find((o: any) => o.versionId === id)?.restoreInfo;
    expect(info(old)).toEqual({ ongoingRequest: true });
    expect(info(cur)).toBeUndefined();
  });

  it('overwriting or deleting the object drops its restore', async () => {
    const k = 'archive/overwritten.txt';
    await putClass(k, 'Archive');
    await oss.restore(k);
    yb.clock.advance(MINUTE);
    expect((await oss.get(k)).res.status).toBe(200);
    await putClass(k, 'Archive', 'new bytes');
    expect(await restoreHeader(k)).toBeUndefined();
    expect(await failure(oss.get(k))).toMatchObject({ code: 'InvalidObjectState' });
    await oss.restore(k);
    await oss.delete(k);
    await putClass(k, 'Archive');
    expect(await restoreHeader(k)).toBeUndefined();
    expect((await oss.restore(k)).res.status).toBe(202);
  });
});

describe('copies of archived objects', () => {
  it('CopyObject and UploadPartCopy from a frozen source answer InvalidObjectState; restored, they copy', async () => {
    const src = 'copy/source.bin';
    await putClass(src, 'ColdArchive', 'cold bytes');
    expect(await failure(oss.copy('copy/target.bin', src))).toMatchObject({
      status: 403,
      code: 'InvalidObjectState',
    });
    const upload = await oss.initMultipartUpload('copy/parts.bin');
    expect(
      await failure(
        oss.uploadPartCopy('copy/parts.bin', upload.uploadId, 1, 'bytes=0-3', {
          sourceKey: src,
          sourceBucketName: BUCKET,
        }),
      ),
    ).toMatchObject({ code: 'InvalidObjectState' });
    await oss.abortMultipartUpload('copy/parts.bin', upload.uploadId);
    await oss.restore(src, { type: 'ColdArchive', JobParameters: 'Expedited' });
    yb.clock.advance(HOUR);
    await oss.copy('copy/target.bin', src, { headers: { 'x-oss-storage-class': 'Standard' } });
    expect((await oss.get('copy/target.bin')).content.toString()).toBe('cold bytes');
  });

  it('changing a restored object to Standard in place keeps it readable; Standard to Archive freezes it', async () => {
    const k = 'copy/in-place.txt';
    await putClass(k, 'Archive', 'thawed');
    expect(
      await failure(oss.copy(k, k, { headers: { 'x-oss-storage-class': 'Standard' } })),
    ).toMatchObject({ code: 'InvalidObjectState' });
    await oss.restore(k);
    yb.clock.advance(MINUTE);
    await oss.copy(k, k, { headers: { 'x-oss-storage-class': 'Standard' } });
    yb.clock.advance(30 * DAY);
    expect((await oss.get(k)).content.toString()).toBe('thawed');
    // A class change keeps the object (as a lifecycle transition does): the GET refusal keys on
    // the class, and the old restore (made for Archive) does not thaw it as ColdArchive.
    await oss.copy(k, k, { headers: { 'x-oss-storage-class': 'ColdArchive' } });
    expect((await oss.head(k)).res.headers['x-oss-storage-class']).toBe('ColdArchive');
    expect(await failure(oss.get(k))).toMatchObject({ code: 'InvalidObjectState' });
  });
});

describe('ColdArchive and DeepColdArchive tiers', () => {
  const cases: Array<[string, string | undefined, string, number]> = [
    ['ColdArchive', 'Expedited', 'Expedited', HOUR],
    ['ColdArchive', undefined, 'Standard', 5 * HOUR],
    ['ColdArchive', 'Bulk', 'Bulk', 12 * HOUR],
    ['DeepColdArchive', 'Expedited', 'Expedited', 12 * HOUR],
    ['DeepColdArchive', undefined, 'Standard', 48 * HOUR],
  ];
  for (const [storageClass, tier, answered, seconds] of cases) {
    it(`${storageClass} ${answered}: restored after ${seconds / HOUR} h`, async () => {
      const k = `tiers/${storageClass}-${answered}`;
      await putClass(k, storageClass);
      const r = await oss.restore(k, {
        type: storageClass,
        Days: 3,
        ...(tier ? { JobParameters: tier } : {}),
      });
      expect(r.res.status).toBe(202);
      expect(r.res.headers['x-oss-object-restore-priority']).toBe(answered);
      yb.clock.advance(seconds - 1);
      expect(await restoreHeader(k)).toBe('ongoing-request="true"');
      expect(await failure(oss.get(k))).toMatchObject({ code: 'InvalidObjectState' });
      yb.clock.advance(1);
      expect(await restoreHeader(k)).toBe(
        `ongoing-request="false", expiry-date="${httpDate(now() + 3 * DAY * 1000)}"`,
      );
      expect((await oss.get(k)).res.status).toBe(200);
    });
  }

  it('a faster tier speeds a running restore up; the same or a slower one is RestoreAlreadyInProgress', async () => {
    const k = 'tiers/upgrade';
    await putClass(k, 'ColdArchive');
    await oss.restore(k, { type: 'ColdArchive', JobParameters: 'Bulk' });
    expect(
      await failure(oss.restore(k, { type: 'ColdArchive', JobParameters: 'Bulk' })),
    ).toMatchObject({ status: 409, code: 'RestoreAlreadyInProgress' });
    const faster = await oss.restore(k, { type: 'ColdArchive', JobParameters: 'Expedited' });
    expect(faster.res.status).toBe(202);
    expect(faster.res.headers['x-oss-object-restore-priority']).toBe('Expedited');
    expect(
      await failure(oss.restore(k, { type: 'ColdArchive', JobParameters: 'Standard' })),
    ).toMatchObject({ code: 'RestoreAlreadyInProgress' });
    yb.clock.advance(HOUR);
    expect((await oss.get(k)).res.status).toBe(200);
  });

  it('DeepColdArchive has no Bulk tier; Days go up to 365', async () => {
    const k = 'tiers/deep-bulk';
    await putClass(k, 'DeepColdArchive');
    expect(
      await failure(oss.restore(k, { type: 'DeepColdArchive', JobParameters: 'Bulk' })),
    ).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(await failure(oss.restore(k, { type: 'DeepColdArchive', Days: 366 }))).toMatchObject({
      code: 'InvalidArgument',
    });
    expect((await oss.restore(k, { type: 'DeepColdArchive', Days: 365 })).res.status).toBe(202);
  });
});

describe('RestoreObject errors', () => {
  beforeAll(async () => {
    await putClass('errors/archive', 'Archive');
    await putClass('errors/cold', 'ColdArchive');
  });

  it('OperationNotSupported for Standard and IA objects', async () => {
    for (const storageClass of ['Standard', 'IA']) {
      await putClass(`errors/${storageClass}`, storageClass);
      expect(await failure(oss.restore(`errors/${storageClass}`))).toMatchObject({
        status: 400,
        code: 'OperationNotSupported',
        message: 'The operation is not supported for this resource',
      });
    }
  });

  it('MalformedXML for bad documents and for JobParameters on an Archive object', async () => {
    expect(await failure(oss.restore('errors/archive', { type: 'ColdArchive' }))).toMatchObject({
      code: 'MalformedXML',
    });
    for (const body of [
      '<RestoreRequest><Days>1</Days>',
      '<Restore><Days>1</Days></Restore>',
      '<RestoreRequest><Days>1</Days><Days>2</Days></RestoreRequest>',
      '<RestoreRequest><Tier>Bulk</Tier></RestoreRequest>',
      '<RestoreRequest><JobParameters></JobParameters></RestoreRequest>',
    ]) {
      const r = await rawRestore('errors/cold', body);
      expect([r.status, errorCode(r)], body).toEqual([400, 'MalformedXML']);
    }
  });

  it('a body past 64 KiB is EntityTooLarge, not read into memory', async () => {
    const big = `<RestoreRequest><Days>1</Days>${' '.repeat(70 * 1024)}</RestoreRequest>`;
    const r = await rawRestore('errors/cold', big);
    expect([r.status, errorCode(r)]).toEqual([400, 'EntityTooLarge']);
  });

  it('InvalidArgument for Days out of range and unknown tiers', async () => {
    for (const [k, body] of [
      ['errors/archive', '<RestoreRequest><Days>8</Days></RestoreRequest>'],
      ['errors/archive', '<RestoreRequest><Days>0</Days></RestoreRequest>'],
      ['errors/cold', '<RestoreRequest><Days>a</Days></RestoreRequest>'],
      [
        'errors/cold',
        '<RestoreRequest><JobParameters><Tier>wrong-tier</Tier></JobParameters></RestoreRequest>',
      ],
    ] as const) {
      const r = await rawRestore(k, body);
      expect([r.status, errorCode(r)], body).toEqual([400, 'InvalidArgument']);
    }
  });

  it('NoSuchKey for a missing object, NoSuchVersion for a version id, versionId=null is the object', async () => {
    expect(await failure(oss.restore('errors/missing'))).toMatchObject({
      status: 404,
      code: 'NoSuchKey',
    });
    const v = await rawRestore('errors/archive', undefined, [
      ['versionId', 'CAEQNRiBgMClj7qD0BYi'],
    ]);
    expect([v.status, errorCode(v)]).toEqual([404, 'NoSuchVersion']);
    const ok = await rawRestore('errors/archive', undefined, [['versionId', 'null']]);
    expect(ok.status).toBe(202);
  });

  it('a GET naming the frozen version is refused like one naming none', async () => {
    const r = await rawOss(yb, {
      bucket: BUCKET,
      key: 'errors/archive',
      query: [['versionId', 'null']],
      creds: rootOf(yb),
    });
    expect([r.status, errorCode(r)]).toEqual([403, 'InvalidObjectState']);
  });
});

describe('CleanRestoredObject', () => {
  const clean = (key: string, creds = rootOf(yb)) =>
    rawOss(yb, {
      method: 'POST',
      bucket: BUCKET,
      key,
      query: [['cleanRestoredObject', null]],
      creds,
    });

  it('ends a cold object’s restored state at once; stale or unfinished restores are 409', async () => {
    const k = 'clean/cold';
    await putClass(k, 'ColdArchive');
    let r = await clean(k);
    expect([r.status, errorCode(r)]).toEqual([409, 'ArchiveRestoreFileStale']);
    await oss.restore(k, { type: 'ColdArchive', JobParameters: 'Expedited' });
    r = await clean(k);
    expect([r.status, errorCode(r)]).toEqual([409, 'ArchiveRestoreNotFinished']);
    expect(r.text).toContain("<Message>The archive file's restore is not finished.</Message>");
    yb.clock.advance(HOUR);
    expect((await oss.get(k)).res.status).toBe(200);
    r = await clean(k);
    expect(r.status).toBe(200);
    expect(await restoreHeader(k)).toBeUndefined();
    expect(await failure(oss.get(k))).toMatchObject({ code: 'InvalidObjectState' });
    r = await clean(k);
    expect([r.status, errorCode(r)]).toEqual([409, 'ArchiveRestoreFileStale']);
    expect(r.text).toContain('<Message>The archive file or restore info stale</Message>');
    // Frozen again: a new restore starts over.
    expect((await oss.restore(k, { type: 'ColdArchive' })).res.status).toBe(202);
  });

  it('other classes are OperationNotSupported; oss:CleanRestoredObject decides', async () => {
    await putClass('clean/archive', 'Archive');
    const r = await clean('clean/archive');
    expect([r.status, errorCode(r)]).toEqual([400, 'OperationNotSupported']);
    await putClass('clean/deep', 'DeepColdArchive');
    const restorer = await userWithPolicy(
      yb,
      policy([{ Effect: 'Allow', Action: ['oss:RestoreObject'], Resource: ['acs:oss:*:*:*'] }]),
    );
    const denied = await clean('clean/deep', restorer);
    expect([denied.status, errorCode(denied)]).toEqual([403, 'AccessDenied']);
    const cleaner = await userWithPolicy(
      yb,
      policy([
        { Effect: 'Allow', Action: ['oss:CleanRestoredObject'], Resource: ['acs:oss:*:*:*'] },
      ]),
    );
    const allowed = await clean('clean/deep', cleaner);
    expect([allowed.status, errorCode(allowed)]).toEqual([409, 'ArchiveRestoreFileStale']);
  });
});

describe('the Tea OSS client', () => {
  it('HeadObject shows the class and the restore; GetObject of a frozen object is InvalidObjectState', async () => {
    const k = 'tea/frozen';
    await putClass(k, 'DeepColdArchive');
    const tea = teaOssClient(yb, rootOf(yb));
    const head = await tea.headObject(BUCKET, k, new $TeaOss.HeadObjectRequest({}));
    expect(head.headers['x-oss-storage-class']).toBe('DeepColdArchive');
    expect(head.headers['x-oss-restore']).toBeUndefined();
    const err = await failure(tea.getObject(BUCKET, k, new $TeaOss.GetObjectRequest({})));
    expect(err).toMatchObject({ code: 'InvalidObjectState' });
    await oss.restore(k, { type: 'DeepColdArchive', JobParameters: 'Expedited' });
    const ongoing = await tea.headObject(BUCKET, k, new $TeaOss.HeadObjectRequest({}));
    expect(ongoing.headers['x-oss-restore']).toBe('ongoing-request="true"');
  });

  it('restores a ColdArchive object with Days and a tier (its `<root>` document)', async () => {
    const k = 'tea/cold';
    await putClass(k, 'ColdArchive');
    const tea = teaOssClient(yb, rootOf(yb));
    // The generated client parses every answer as XML, and RestoreObject's is empty (as OSS's
    // is, doc: RestoreObject), so it raises after the restore was accepted; the state shows it.
    const err = await failure(
      tea.restoreObject(
        BUCKET,
        k,
        new $TeaOss.RestoreObjectRequest({
          restoreRequest: new $TeaOss.RestoreRequest({
            days: 4,
            jobParameters: new $TeaOss.RestoreRequestJobParameters({ tier: 'Expedited' }),
          }),
        }),
      ),
    );
    expect(err?.message).toBe('not a valid value for parameter');
    expect(await restoreHeader(k)).toBe('ongoing-request="true"');
    yb.clock.advance(HOUR);
    expect(await restoreHeader(k)).toBe(
      `ongoing-request="false", expiry-date="${httpDate(now() + 4 * DAY * 1000)}"`,
    );
  });
});

describe('RAM and the trail', () => {
  it('oss:RestoreObject decides; the call is in the trail', async () => {
    await putClass('ram/object', 'Archive');
    const reader = await userWithPolicy(
      yb,
      policy([{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:*'] }]),
    );
    const asReader = ossClient(yb, reader, { bucket: BUCKET });
    expect(await failure(asReader.restore('ram/object'))).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    const restorer = await userWithPolicy(
      yb,
      policy([{ Effect: 'Allow', Action: ['oss:RestoreObject'], Resource: ['acs:oss:*:*:*'] }]),
    );
    const asRestorer = ossClient(yb, restorer, { bucket: BUCKET });
    expect((await asRestorer.restore('ram/object')).res.status).toBe(202);
    const events = await lookupAll(yb, rootOf(yb), [['ResourceName', `${BUCKET}/ram/object`]]);
    const restores = events.filter((e) => e.eventName === 'RestoreObject');
    expect(restores.map((e) => [e.additionalEventData.Decision, e.errorCode])).toEqual([
      ['allow', ''],
      ['implicit-deny', 'AccessDenied'],
    ]);
  });
});
