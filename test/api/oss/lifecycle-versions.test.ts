/**
 * Lifecycle rules on a versioned bucket (issue 18, items 1 and 2), through ali-oss against a real
 * server on a manual clock: NoncurrentVersionExpiration deletes a version for good once its days
 * since it became noncurrent pass, NoncurrentVersionTransition moves it to a colder class,
 * Expiration on the current version leaves a delete marker, and ExpiredObjectDeleteMarker
 * removes a key's lone delete marker; each action is a trail event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { lookupAll } from '../trail/helpers.js';
import { rawOss } from './helpers.js';

let yb: TestServer;
let c: OssClient;
const BUCKET = 'lc-versions';
// 10:15 on 1 March: a version made noncurrent now counts its days from 2 March 00:00 UTC.
const START = '2026-03-01T10:15:00Z';
const DAY = 24 * 3600;

const RULES = `<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration>
<Rule><ID>old</ID><Prefix>old/</Prefix><Status>Enabled</Status>
<NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays></NoncurrentVersionExpiration></Rule>
<Rule><ID>cold</ID><Prefix>cold/</Prefix><Status>Enabled</Status>
<NoncurrentVersionTransition><NoncurrentDays>2</NoncurrentDays><StorageClass>IA</StorageClass></NoncurrentVersionTransition></Rule>
<Rule><ID>markers</ID><Prefix>gone/</Prefix><Status>Enabled</Status>
<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>
<Rule><ID>current</ID><Prefix>cur/</Prefix><Status>Enabled</Status>
<Expiration><Days>1</Days></Expiration></Rule>
</LifecycleConfiguration>`;

/**
 * Versions of `key`, newest first (the listing's order; the manual clock stands still, so times
 * tie): [versionId, storageClass], or [versionId, 'marker'] for a delete marker.
 */
async function versionsOf(key: string): Promise<Array<[string, string]>> {
  const list = await c.getBucketVersions({ prefix: key });
  const markers = list.deleteMarker.map((m: any): [string, string] => [m.versionId, 'marker']);
  const objects = list.objects.map((o: any): [string, string] => [o.versionId, o.storageClass]);
  // ali-oss drops IsLatest of markers: with one key, a marker is current when no object is.
  return list.objects.some((o: any) => o.isLatest)
    ? [...objects, ...markers]
    : [...markers, ...objects];
}

const put = async (key: string, body: string) =>
  (await c.put(key, Buffer.from(body))).res.headers['x-oss-version-id'] as string;

let oldV1 = '';
let oldV2 = '';
let coldV1 = '';
let coldV2 = '';
let curV1 = '';

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: START });
  c = ossClient(yb, rootOf(yb), { bucket: BUCKET });
  await c.putBucket(BUCKET);
  await c.putBucketVersioning(BUCKET, 'Enabled');
  const r = await rawOss(yb, {
    method: 'PUT',
    bucket: BUCKET,
    query: [['lifecycle', null]],
    body: RULES,
    creds: rootOf(yb),
  });
  expect(r.status).toBe(200);
  oldV1 = await put('old/a', 'one');
  oldV2 = await put('old/a', 'two');
  coldV1 = await put('cold/b', 'one');
  coldV2 = await put('cold/b', 'two');
  curV1 = await put('cur/c', 'one');
  // A key whose only version left is its delete marker.
  const v = await put('gone/d', 'x');
  await c.delete('gone/d');
  await c.delete('gone/d', { versionId: v });
});
afterAll(async () => {
  await yb?.close();
});

describe('lifecycle on a versioned bucket', () => {
  it('changes nothing before the first midnight', async () => {
    expect(await versionsOf('old/a')).toEqual([
      [oldV2, 'Standard'],
      [oldV1, 'Standard'],
    ]);
    expect((await versionsOf('gone/d')).map((v) => v[1])).toEqual(['marker']);
  });

  it('removes a lone delete marker and hides an expired current version behind a marker', async () => {
    yb.clock.advance(1 * DAY); // 2 March 10:15: the 2 March midnight has passed
    expect(await versionsOf('gone/d')).toEqual([]);
    // `cur/c` (1 day from 2 March 00:00) is due at 3 March: still current.
    expect(await versionsOf('cur/c')).toEqual([[curV1, 'Standard']]);
    yb.clock.advance(1 * DAY); // 3 March 10:15
    const cur = await versionsOf('cur/c');
    expect(cur.map((v) => v[1])).toEqual(['marker', 'Standard']);
    expect(cur[1]![0]).toBe(curV1); // the bytes are kept as a noncurrent version
  });

  it('moves a noncurrent version to IA after its NoncurrentDays, leaving the current one', async () => {
    // cold/b v1 became noncurrent on 1 March: 2 March 00:00 + 2 days = 4 March.
    expect(await versionsOf('cold/b')).toEqual([
      [coldV2, 'Standard'],
      [coldV1, 'Standard'],
    ]);
    yb.clock.advance(1 * DAY); // 4 March 10:15
    expect(await versionsOf('cold/b')).toEqual([
      [coldV2, 'Standard'],
      [coldV1, 'IA'],
    ]);
    expect((await c.get('cold/b', { versionId: coldV1 })).content.toString()).toBe('one');
  });

  it('deletes a noncurrent version for good after its NoncurrentDays', async () => {
    expect((await versionsOf('old/a')).length).toBe(2); // due 5 March
    yb.clock.advance(1 * DAY); // 5 March 10:15
    expect(await versionsOf('old/a')).toEqual([[oldV2, 'Standard']]);
    expect((await c.get('old/a')).content.toString()).toBe('two');
  });

  it('records each action in the audit trail', async () => {
    await yb.services.trail.recorder.flush();
    const events = await lookupAll(yb, rootOf(yb), [['ServiceName', 'Oss']], {
      StartTime: '2026-03-01T00:00:00Z',
      EndTime: '2026-03-10T00:00:00Z',
    });
    const mine = events
      .filter((e) => e.eventName.startsWith('Lifecycle'))
      .map((e) => [
        e.eventName,
        e.requestParameters.ObjectName,
        e.requestParameters.VersionId ?? '',
        e.requestParameters.RuleId,
      ])
      .sort();
    expect(mine).toEqual(
      [
        ['LifecycleExpireDeleteMarker', 'gone/d', expect.any(String), 'markers'],
        ['LifecycleExpireNoncurrentVersion', 'old/a', oldV1, 'old'],
        ['LifecycleExpireObject', 'cur/c', '', 'current'],
        ['LifecycleTransitionNoncurrentVersion', 'cold/b', coldV1, 'cold'],
      ].sort(),
    );
  });
});
