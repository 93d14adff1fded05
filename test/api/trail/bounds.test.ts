/**
 * The trail does not amplify what a stranger sends (issue 14, finding 5), seen through the wire
 * and LookupEvents (pop-core): a 1 MB `Action` or a malformed `Version` is refused with Alibaba's
 * code and a message quoting a short printable prefix, and recorded without a name; an unsigned
 * call's huge user agent, AccessKeyId and parameters are kept cut and marked (`Truncated`); an
 * anonymous OSS request's headers the same, its error body small; unsigned calls past the rate
 * are sampled (`Sampled`) while signed ones are all kept; and with a small `--trail-max-bytes`
 * the oldest events go and a `TrailEventsPruned` event says how many.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcCall } from '../../../src/protocol/rpc-client.js';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { lookupAll, type Event } from './helpers.js';

const MB = 1_000_000;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** An unsigned RPC POST with `fields` as its form body. */
async function unsignedPost(
  yb: TestServer,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(`${yb.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, text, json };
}

/** The text of an event as LookupEvents returns it (every string in it). */
const size = (e: Event) => bytes(JSON.stringify(e));

describe('what a stranger sends is bounded on the wire and in the trail', () => {
  let yb: TestServer;
  beforeAll(async () => {
    yb = await startTestServer();
  });
  afterAll(async () => {
    await yb?.close();
  });

  it('a 1 MB Action: InvalidAction.NotFound quoting 64 characters, recorded without a name', async () => {
    const r = await unsignedPost(yb, { Action: 'A'.repeat(MB), Version: '2015-05-01' });
    expect(r.status).toBe(404);
    expect(r.json.Code).toBe('InvalidAction.NotFound');
    expect(r.json.Message).toBe(
      `Specified api is not found, please check your url and method: \`${'A'.repeat(64)}…\` (version 2015-05-01).`,
    );
    expect(r.text.length).toBeLessThan(1024);
    const [e, ...more] = await lookupAll(yb, rootOf(yb), [['ErrorCode', 'InvalidAction.NotFound']]);
    expect(more).toEqual([]);
    expect(e).toMatchObject({
      eventName: '',
      apiVersion: '2015-05-01',
      serviceName: 'Ram',
      userIdentity: { type: 'unknown' },
    });
    expect(size(e!)).toBeLessThan(4096);
  });

  it('a malformed Version: InvalidVersion quoting a printable prefix', async () => {
    const r = await unsignedPost(yb, {
      Action: 'ListUsers',
      Version: `\u001b[2J${'9'.repeat(MB)}`,
    });
    expect(r.status).toBe(400);
    expect(r.json.Code).toBe('InvalidVersion');
    expect(r.json.Message).toBe(
      `Specified parameter Version is not valid: \`?[2J${'9'.repeat(60)}…\`.`,
    );
    const [e] = await lookupAll(yb, rootOf(yb), [['ErrorCode', 'InvalidVersion']]);
    expect(e).toMatchObject({ eventName: 'ListUsers', serviceName: '' });
    expect(e).not.toHaveProperty('apiVersion');
  });

  it('an unsigned call’s user agent, AccessKeyId and parameters are kept cut and marked', async () => {
    const fields: Record<string, string> = {
      Action: 'ListUsers',
      Version: '2015-05-01',
      AccessKeyId: `LTAI${'k'.repeat(MB / 4)}`,
      Timestamp: '2026-01-01T00:00:00Z',
      SignatureNonce: 'n-1',
      Signature: 'c2lnbmF0dXJl',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
    };
    for (let i = 0; i < 40; i++) fields[`Note${i}`] = 'n'.repeat(15_000);
    const r = await unsignedPost(yb, fields, { 'user-agent': `ua-${'u'.repeat(100_000)}` });
    expect(r.json.Code).toMatch(/^InvalidTimeStamp\.Expired$|^InvalidAccessKeyId\.NotFound$/);
    expect(r.text.length).toBeLessThan(1024);
    const [e, ...more] = (await lookupAll(yb, rootOf(yb))).filter((x) =>
      x.userAgent.startsWith('ua-'),
    );
    expect(more).toEqual([]);
    expect(e).toBeDefined();
    expect(bytes(e!.userAgent)).toBeLessThanOrEqual(1024);
    expect(e!.userAgent).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(bytes(e!.userIdentity.accessKeyId)).toBeLessThanOrEqual(1024);
    const params = JSON.stringify(e!.requestParameters);
    expect(bytes(params)).toBeLessThan(5 * 1024);
    expect(e!.requestParameters['[truncated]']).toMatch(/^\d+ more parameters not kept/);
    expect(e!.additionalEventData.Truncated).toBe(true);
    expect(size(e!)).toBeLessThan(8 * 1024);
  });

  it('an anonymous OSS request: its headers cut in the trail, its error body small', async () => {
    const res = await fetch(`${yb.endpoint}/no-such-bucket-bounds/${'k'.repeat(1000)}`, {
      headers: { 'user-agent': `oss-ua-${'u'.repeat(12_000)}`, 'x-oss-meta-a': 'a' },
    });
    const body = await res.text();
    expect(res.status).toBe(404);
    expect(body).toContain('<Code>NoSuchBucket</Code>');
    expect(body.length).toBeLessThan(2048);
    const [e] = await lookupAll(yb, rootOf(yb), [['ErrorCode', 'NoSuchBucket']]);
    expect(e).toMatchObject({ serviceName: 'Oss', userIdentity: { type: 'anonymous' } });
    expect(bytes(e!.userAgent)).toBeLessThanOrEqual(1024);
    expect(e!.additionalEventData.Truncated).toBe(true);
    // A whole OSS object name is kept (a key is at most 1,023 bytes).
    expect(e!.resourceName).toBe(`no-such-bucket-bounds/${'k'.repeat(1000)}`);
  });
});

describe('unsigned calls past the rate are sampled; signed ones are all kept', () => {
  let yb: TestServer;
  beforeAll(async () => {
    yb = await startTestServer();
  });
  afterAll(async () => {
    await yb?.close();
  });

  it('keeps the first 20 a minute from an address in full, then one in 100', async () => {
    for (let i = 0; i < 60; i++) {
      const r = await unsignedPost(yb, { Action: 'ListRoles', Version: '2015-05-01' });
      expect(r.json.Code).toBe('MissingParameter');
    }
    for (let i = 0; i < 30; i++) {
      const r = await rpcCall({
        endpoint: yb.endpoint,
        version: '2015-05-01',
        action: 'ListUsers',
        credentials: rootOf(yb),
      });
      expect(r.status).toBe(200);
    }
    const unsigned = await lookupAll(yb, rootOf(yb), [['EventName', 'ListRoles']]);
    expect(unsigned).toHaveLength(21);
    expect(unsigned.filter((e) => e.additionalEventData.Sampled)).toHaveLength(1);
    expect(yb.services.trail.recorder.notStored).toBe(39);
    const signed = await lookupAll(yb, rootOf(yb), [['EventName', 'ListUsers']]);
    expect(signed.filter((e) => e.userIdentity.type === 'root-account')).toHaveLength(30);
  });
});

describe('--trail-max-bytes', () => {
  let yb: TestServer;
  beforeAll(async () => {
    yb = await startTestServer({ trailMaxBytes: '1MiB' });
  });
  afterAll(async () => {
    await yb?.close();
  });

  it('deletes the oldest events past it and records how many went', async () => {
    const params: Record<string, string> = {};
    for (let i = 0; i < 40; i++) params[`Note${i}`] = `${i}`.padEnd(1000, 'n');
    for (let n = 0; n < 50; n++) {
      const r = await rpcCall({
        endpoint: yb.endpoint,
        version: '2015-05-01',
        action: 'GetUser',
        method: 'POST',
        credentials: rootOf(yb),
        params: { UserName: `nobody-${n}`, ...params },
      });
      expect(r.json.Code).toBe('EntityNotExist.User');
    }
    await yb.services.trail.recorder.flush();
    const usage = await yb.services.trail.store.usage();
    expect(usage.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(usage.prunedEvents).toBeGreaterThan(0);
    const reads = await lookupAll(yb, rootOf(yb), [['EventName', 'GetUser']]);
    const names = reads.map((e) => e.requestParameters.UserName);
    expect(names).toContain('nobody-49');
    expect(names).not.toContain('nobody-0');
    const notices = await lookupAll(yb, rootOf(yb), [['EventName', 'TrailEventsPruned']]);
    expect(notices.length).toBeGreaterThan(0);
    expect(notices[0]).toMatchObject({
      userIdentity: { type: 'yunbox', userName: 'yunbox' },
      requestParameters: { MaxBytes: String(1024 * 1024) },
    });
    const pruned = notices.reduce((n, e) => n + Number(e.requestParameters.PrunedEvents), 0);
    expect(pruned).toBe(usage.prunedEvents);
  });
});
