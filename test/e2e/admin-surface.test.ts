/**
 * The admin surface attacked as finding 3 describes it, against a spawned `yunbox serve`: an
 * unsigned POST moving the clock, a cross-site `text/plain` form POST to the console's sign-in, a
 * POST from a foreign Origin, and DNS rebinding (any `Host`) are refused, while the health check
 * stays open and the console still works for its own origin. Listening on every interface prints
 * what is reachable and from where, and `--public-host` names are answered.
 */
import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupAll } from '../api/trail/helpers.js';
import { rootCredentialsIn, serveIn, type ServeProcess } from '../../src/testing/spawn.js';
import type { TestServer } from '../../src/testing/server.js';

let server: ServeProcess;
let wide: ServeProcess;
const dirs: string[] = [];
let root: { accessKeyId: string; accessKeySecret: string };

beforeAll(async () => {
  const start = async (args: string[], manualClock = false) => {
    const dir = await mkdtemp(join(tmpdir(), 'yunbox-admin-'));
    dirs.push(dir);
    return { dir, server: await serveIn(dir, { args, manualClock }) };
  };
  const [a, b] = await Promise.all([
    start([], true),
    start(['--listen', '0.0.0.0:0', '--public-host', 'yunbox.test']),
  ]);
  server = a.server;
  wide = b.server;
  root = await rootCredentialsIn(a.dir);
});
afterAll(async () => {
  await Promise.all([server?.stop(), wide?.stop()]);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/**
 * A raw request to 127.0.0.1 with exactly these headers, Host included (fetch will not send a
 * foreign one, node:http would add its own).
 */
function raw(
  target: ServeProcess,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  const port = Number(/:(\d+)$/.exec(target.address)![1]);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers, agent: false, setHost: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = text;
          }
          resolve({ status: res.statusCode!, json, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const local = () => ({ host: server.address });
const clockNow = async () =>
  ((await (await fetch(`${server.endpoint}/_yunbox/clock`)).json()) as { now: string }).now;

describe('the admin surface', () => {
  it('refuses an unsigned POST that would move the clock', async () => {
    const before = await clockNow();
    for (const headers of [
      { ...local(), 'content-type': 'application/json' },
      { ...local(), 'content-type': 'text/plain' },
      local(),
    ]) {
      const r = await raw(server, 'POST', '/_yunbox/clock', headers, '{"advanceSeconds": 86400}');
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(typeof r.json.error).toBe('string');
    }
    const plain = await raw(
      server,
      'POST',
      '/_yunbox/clock',
      { ...local(), 'content-type': 'application/json' },
      '{"advanceSeconds": 86400}',
    );
    expect(plain.status).toBe(410);
    expect(plain.json.error).toContain('`yunbox clock advance|set`');
    expect(await clockNow()).toBe(before);
  });

  it('refuses a cross-site text/plain POST to the console sign-in, and foreign origins', async () => {
    const pair = JSON.stringify(root);
    const attempts: Array<[Record<string, string>, RegExp]> = [
      // What a page on another site can send without a preflight: a form or a simple fetch.
      [
        {
          ...local(),
          origin: 'http://evil.example',
          'sec-fetch-site': 'cross-site',
          'content-type': 'text/plain;charset=UTF-8',
        },
        /another site or origin/,
      ],
      [
        { ...local(), origin: 'http://evil.example', 'content-type': 'text/plain' },
        /origin `http:\/\/evil.example` is not this server's/,
      ],
      [
        {
          ...local(),
          origin: 'http://evil.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
        /origin/,
      ],
      // JSON from another origin (a preflight would have been needed: still refused here).
      [{ ...local(), origin: 'http://evil.example', 'content-type': 'application/json' }, /origin/],
      [
        { ...local(), origin: `https://${server.address}`, 'content-type': 'application/json' },
        /origin/,
      ],
      [{ ...local(), origin: 'null', 'content-type': 'application/json' }, /origin `null`/],
      // No Origin, but not JSON (an old browser's form).
      [{ ...local(), 'content-type': 'text/plain' }, /application\/json/],
    ];
    for (const [headers, why] of attempts) {
      const r = await raw(server, 'POST', '/_yunbox/console/session', headers, pair);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.json.error).toMatch(why);
      expect(r.json.AccessKeyId).toBeUndefined();
    }
    // None of them reached the sign-in: no attempt in the trail.
    const trailOf = { endpoint: server.endpoint, address: server.address } as TestServer;
    expect(await lookupAll(trailOf, root, [['EventName', 'ConsoleSignin']])).toEqual([]);
    // The console's own page still signs in.
    const ok = await raw(
      server,
      'POST',
      '/_yunbox/console/session',
      {
        ...local(),
        origin: server.endpoint,
        'sec-fetch-site': 'same-origin',
        'content-type': 'application/json',
      },
      pair,
    );
    expect(ok.status).toBe(200);
    expect(ok.json.AccessKeyId).toMatch(/^STS\./);
  });

  it('refuses a foreign Host (DNS rebinding), except on the health check', async () => {
    const port = /:(\d+)$/.exec(server.address)![1];
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `192.0.2.1:${port}`]) {
      const same = `http://${host}`;
      for (const [method, path, headers, body] of [
        ['GET', '/_yunbox/console/', {}, undefined],
        ['GET', '/_yunbox/console/api/catalogue', {}, undefined],
        ['GET', '/_yunbox/clock', {}, undefined],
        [
          'POST',
          '/_yunbox/console/session',
          { origin: same, 'content-type': 'application/json' },
          JSON.stringify(root),
        ],
        [
          'POST',
          '/_yunbox/clock',
          { origin: same, 'content-type': 'application/json' },
          '{"advanceSeconds":1}',
        ],
      ] as const) {
        const r = await raw(server, method, path, { host, ...headers }, body);
        expect(r.status, `${method} ${path} Host ${host}`).toBe(403);
        expect(r.json.error).toContain('is not a name of this server');
      }
      const health = await raw(server, 'GET', '/_yunbox/health', { host });
      expect(health.status).toBe(200);
      expect(health.json).toEqual({ status: 'ok' });
    }
    // A request with no Host at all is refused too (by Node's HTTP/1.1 parser, or the guard).
    const none = await raw(server, 'GET', '/_yunbox/clock', {});
    expect([400, 403]).toContain(none.status);
  });
});

describe('listening on every interface', () => {
  it('warns at start what is reachable and from where', () => {
    const err = wide.stderr();
    expect(err).toMatch(
      /warning: the gateway listens beyond this machine: http 0\.0\.0\.0:\d+ \(every interface: from every network this machine is on\)/,
    );
    expect(err).toContain('the RPC APIs (RAM, STS, ECS, VPC, ActionTrail, Yunbox) and OSS');
    expect(err).toContain('the console page and its sign-in');
    expect(err).toContain('GET /_yunbox/health');
    expect(err).toContain('--public-host');
    // A server on loopback says nothing of the kind.
    expect(server.stderr()).not.toContain('warning: the gateway listens');
  });

  it('answers its interface addresses and --public-host names, nothing else', async () => {
    const port = /:(\d+)$/.exec(wide.address)![1];
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && !a.internal && a.family === 'IPv4')?.address;
    const hosts = ['yunbox.test', 'YUNBOX.test', `127.0.0.1`, ...(outside ? [outside] : [])];
    for (const name of hosts) {
      const r = await raw(wide, 'GET', '/_yunbox/clock', { host: `${name}:${port}` });
      expect(r.status, name).toBe(200);
    }
    const r = await raw(wide, 'GET', '/_yunbox/clock', { host: `other.test:${port}` });
    expect(r.status).toBe(403);
  });
});
