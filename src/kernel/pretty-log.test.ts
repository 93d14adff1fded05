import { describe, expect, it } from 'vitest';
import { prettyDestination, prettyLine } from './pretty-log.js';

const at = new Date(2026, 0, 2, 3, 4, 5).getTime(); // local 03:04:05

describe('prettyLine', () => {
  it('writes one short line per request, by protocol', () => {
    const line = (o: Record<string, unknown>) =>
      prettyLine(JSON.stringify({ level: 30, time: at, msg: 'request', ...o }));
    expect(
      line({ proto: 'rpc', action: 'CreateRole', version: '2015-05-01', status: 200, ms: 3.14 }),
    ).toBe('03:04:05 200 rpc  CreateRole (2015-05-01) 3.1ms\n');
    expect(
      line({
        proto: 'oss',
        op: 'GetObject',
        bucket: 'b',
        status: 403,
        code: 'AccessDenied',
        ms: 12.7,
      }),
    ).toBe('03:04:05 403 oss  GetObject b AccessDenied 13ms\n');
    expect(
      line({ proto: 'admin', method: 'GET', path: '/_yunbox/clock', status: 200, ms: 1 }),
    ).toBe('03:04:05 200 admin GET /_yunbox/clock 1.0ms\n');
    expect(
      line({ proto: 'metadata', method: 'GET', path: '/latest/', instance: 'i-1', status: 200 }),
    ).toBe('03:04:05 200 metadata GET /latest/ i-1\n');
  });

  it('writes other messages as time, level, message and fields; errors by their message', () => {
    expect(
      prettyLine(
        JSON.stringify({
          level: 40,
          time: at,
          msg: 'slow',
          svc: 'oss',
          err: { message: 'boom', stack: 'x' },
        }),
      ),
    ).toBe('03:04:05 WARN slow  svc=oss err="boom"\n');
    const long = prettyLine(
      JSON.stringify({ level: 30, time: at, msg: 'm', big: 'x'.repeat(1000) }),
    );
    expect(long.length).toBeLessThan(400);
  });

  it('passes through what is not JSON', () => {
    expect(prettyLine('plain text')).toBe('plain text\n');
  });

  it('splits what pino writes into lines', () => {
    const out: string[] = [];
    const d = prettyDestination({ write: (t: string) => out.push(t) });
    d.write(`${JSON.stringify({ level: 30, time: at, msg: 'a' })}\n`);
    expect(out).toEqual(['03:04:05 INFO a\n']);
  });
});
