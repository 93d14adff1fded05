/**
 * An OSS answer's `Date` is the time it is sent: a PUT whose body arrives while the clock moves
 * answers a `Date` no earlier than the object's `Last-Modified`, so the `Date` a client kept is a
 * valid "object time" for If-Modified-Since / If-Unmodified-Since (ali-oss's own head() tests).
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceClocks, followServerClock, restoreClock } from '../../../src/testing/clock.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { ossClient, type OssClient } from '../../../src/testing/sdk.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';

const BUCKET = 'date-header';
let yb: TestServer;
let root: OssClient;

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual' });
  followServerClock(yb);
  root = ossClient(yb, rootOf(yb));
  await root.putBucket(BUCKET);
  root.useBucket(BUCKET);
});

afterAll(async () => {
  restoreClock();
  await yb?.close();
});

describe('OSS Date header', () => {
  it('a PUT answered after the clock moved says so, and its Date works as the object time', async () => {
    const body = new PassThrough();
    const put = root.put('slow.txt', body);
    body.write('first half, ');
    // Let the request's head reach the server before the clock moves (arrival time is now).
    await new Promise((r) => setTimeout(r, 300));
    advanceClocks(yb, 7);
    body.end('second half');
    const { res } = (await put) as { res: { headers: Record<string, string> } };
    const date = res.headers.date!;
    const head = await root.head('slow.txt');
    const lastModified = (head.res.headers as Record<string, string>)['last-modified']!;
    expect(Date.parse(date)).toBeGreaterThanOrEqual(Date.parse(lastModified));
    const notModified = await root.head('slow.txt', { headers: { 'If-Modified-Since': date } });
    expect(notModified.status).toBe(304);
    const unmodified = await root.head('slow.txt', { headers: { 'If-Unmodified-Since': date } });
    expect(unmodified.status).toBe(200);
  });
});
