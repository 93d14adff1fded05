/**
 * Versioning on two `yunbox serve` processes sharing PostgreSQL: versioning enabled through one
 * node holds on the other; versions and delete markers written through either node are listed,
 * newest first, and read back by version id through the other; an old version restored by copy
 * on one node is what the other serves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pgSkipReason } from '../../src/testing/pg.js';
import type { ServeProcess } from '../../src/testing/spawn.js';
import { twoNodesOnPostgres } from './two-node-cluster.js';
import { ossClient } from '../../src/testing/sdk.js';

const skip = await pgSkipReason();
const ROOT = {
  accessKeyId: 'LTAIossversnodes0001',
  accessKeySecret: 'OssVersNodesRootSecret0000001',
};
const BUCKET = 'versioned-shared';

describe.skipIf(skip !== undefined)('OSS versioning on two nodes sharing PostgreSQL', () => {
  const nodes = twoNodesOnPostgres('yunbox-ossvers-', { root: ROOT });
  let a: ServeProcess;
  let b: ServeProcess;
  beforeAll(() => {
    ({ a, b } = nodes);
  });

  it('versions written on one node are listed and read on the other', async () => {
    const ca = ossClient(a, ROOT, { bucket: BUCKET });
    const cb = ossClient(b, ROOT, { bucket: BUCKET, style: 'path', v4: true });
    await ca.putBucket(BUCKET);
    await ca.put('k', Buffer.from('before'));
    await ca.putBucketVersioning(BUCKET, 'Enabled');
    expect((await cb.getBucketVersioning(BUCKET)).versionStatus).toBe('Enabled');

    const v1 = (await ca.put('k', Buffer.from('one'))).res.headers['x-oss-version-id'];
    const v2 = (await cb.put('k', Buffer.from('two'))).res.headers['x-oss-version-id'];
    const marker = (await ca.delete('k')).res.headers['x-oss-version-id'];

    const listed = await cb.getBucketVersions({});
    expect(listed.objects.map((o: any) => [o.versionId, o.isLatest])).toEqual([
      [v2, false],
      [v1, false],
      ['null', false],
    ]);
    expect(listed.deleteMarker.map((m: any) => [m.versionId])).toEqual([[marker]]);
    await expect(cb.get('k')).rejects.toMatchObject({ status: 404 });
    expect((await cb.get('k', { versionId: v1 })).content.toString()).toBe('one');
    expect((await ca.get('k', { versionId: 'null' })).content.toString()).toBe('before');

    await cb.copy('k', 'k', { versionId: v1 });
    expect((await ca.get('k')).content.toString()).toBe('one');
    expect((await ca.getBucketVersions({})).objects.length).toBe(4);
  });
});
