import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { adminGuard, isLoopbackHost, isWildcardHost } from './admin-guard.js';
import { coreAdminRoutes } from './admin.js';
import { ManualClock } from './clock.js';

function req(
  method: string,
  url: string,
  headers: Record<string, string>,
  encrypted = false,
): IncomingMessage {
  return { method, url, headers, socket: { encrypted } } as unknown as IncomingMessage;
}

const guard = adminGuard({
  listenHosts: ['127.0.0.1', '127.0.0.1'],
  publicHosts: ['yunbox.example.com', '203.0.113.9'],
  interfaceAddresses: () => ['192.168.1.20'],
});
const local = { host: '127.0.0.1:9910' };

describe('admin guard', () => {
  it('lets the health check through from anywhere', () => {
    expect(guard(req('GET', '/_yunbox/health', { host: 'evil.example' }))).toBeUndefined();
    expect(guard(req('GET', '/_yunbox/health', {}))).toBeUndefined();
    expect(guard(req('GET', '/_yunbox/health?x=1', { 'sec-fetch-site': 'cross-site' }))).toBe(
      undefined,
    );
    // Only GET: anything else on the path is guarded like the rest.
    expect(guard(req('POST', '/_yunbox/health', { host: 'evil.example' }))).toMatch(/host/);
  });

  it('lets GET of the open paths given through from anywhere, and nothing else', () => {
    const open = adminGuard({
      listenHosts: ['127.0.0.1'],
      publicHosts: [],
      openPaths: ['/_yunbox/public.pem'],
    });
    expect(open(req('GET', '/_yunbox/public.pem', { host: '100.100.2.136' }))).toBeUndefined();
    expect(open(req('GET', '/_yunbox/public.pem?x', { host: 'evil.example' }))).toBeUndefined();
    expect(open(req('POST', '/_yunbox/public.pem', { host: 'evil.example' }))).toMatch(/host/);
    expect(open(req('GET', '/_yunbox/clock', { host: 'evil.example' }))).toMatch(/host/);
    // Not given: guarded.
    expect(guard(req('GET', '/_yunbox/public.pem', { host: 'evil.example' }))).toMatch(/host/);
  });

  it('answers loopback names, the listen address and --public-host names only', () => {
    for (const host of [
      '127.0.0.1:9910',
      '127.8.9.10',
      'localhost:9910',
      'LOCALHOST.',
      'app.localhost:1',
      '[::1]:9910',
      '[::ffff:127.0.0.1]:80',
      'yunbox.example.com',
      'YunBox.Example.com:443',
      '203.0.113.9:9910',
    ]) {
      expect(guard(req('GET', '/_yunbox/clock', { host })), host).toBeUndefined();
    }
    for (const host of [
      'evil.example',
      'evil.example:9910',
      '127.0.0.1.nip.io',
      'localhost.evil.example',
      '192.168.1.20:9910', // an interface address, but the listener is on 127.0.0.1 only
      '[::2]',
      '',
      '[::1',
    ]) {
      const why = guard(req('GET', '/_yunbox/clock', { host }));
      expect(why, host).toBeDefined();
    }
    expect(guard(req('GET', '/_yunbox/console/', { host: 'evil.example' }))).toBe(
      'host `evil.example` is not a name of this server: admin routes answer loopback names, the listen address and --public-host names',
    );
    expect(guard(req('GET', '/_yunbox/clock', {}))).toBe(
      'a Host header naming this server is required',
    );
    // A long Host is not echoed whole.
    expect(guard(req('GET', '/_yunbox/clock', { host: 'a'.repeat(10_000) }))!.length).toBeLessThan(
      300,
    );
  });

  it('answers every address of this machine when listening on all interfaces', () => {
    const all = adminGuard({
      listenHosts: ['0.0.0.0'],
      publicHosts: [],
      interfaceAddresses: () => ['127.0.0.1', '192.168.1.20', 'fe80::1'],
    });
    expect(all(req('GET', '/_yunbox/clock', { host: '192.168.1.20:9910' }))).toBeUndefined();
    expect(all(req('GET', '/_yunbox/clock', { host: '[fe80::1]:9910' }))).toBeUndefined();
    expect(all(req('GET', '/_yunbox/clock', { host: '192.168.1.21:9910' }))).toMatch(/host/);
    expect(all(req('GET', '/_yunbox/clock', { host: 'rebound.example:9910' }))).toMatch(/host/);
  });

  it('refuses other sites and origins, scheme included', () => {
    const post = (headers: Record<string, string>, encrypted = false) =>
      guard(
        req(
          'POST',
          '/_yunbox/console/session',
          { ...local, 'content-type': 'application/json', ...headers },
          encrypted,
        ),
      );
    expect(post({})).toBeUndefined();
    expect(post({ origin: 'http://127.0.0.1:9910' })).toBeUndefined();
    expect(post({ origin: 'http://127.0.0.1:9910', 'sec-fetch-site': 'same-origin' })).toBe(
      undefined,
    );
    expect(post({ origin: 'https://127.0.0.1:9910' }, true)).toBeUndefined();
    for (const origin of [
      'http://evil.example',
      'https://127.0.0.1:9910', // another scheme is another origin
      'http://127.0.0.1:9911',
      'http://localhost:9910', // another name is another origin
      'null',
      'http://127.0.0.1:9910/path',
      'not a url',
    ]) {
      expect(post({ origin }), origin).toMatch(/^origin `.*` is not this server's/);
    }
    expect(post({ origin: 'http://127.0.0.1:9910' }, true)).toMatch(/origin/);
    for (const site of ['cross-site', 'same-site']) {
      expect(post({ 'sec-fetch-site': site }), site).toMatch(/another site or origin/);
    }
    expect(post({ 'sec-fetch-site': 'none' })).toBeUndefined();
    // HTTP default ports are the same origin written either way.
    const g80 = (origin: string, host: string) =>
      guard(req('GET', '/_yunbox/clock', { host, origin }));
    expect(g80('http://localhost', 'localhost:80')).toBeUndefined();
    expect(g80('http://localhost:80', 'localhost')).toBeUndefined();
  });

  it('lets a link to the console page through, nothing else from another site', () => {
    const nav = {
      ...local,
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    };
    expect(guard(req('GET', '/_yunbox/console/', nav))).toBeUndefined();
    expect(guard(req('GET', '/_yunbox/clock', nav))).toMatch(/another site/);
    expect(guard(req('POST', '/_yunbox/console/session', nav))).toMatch(/another site/);
    expect(guard(req('GET', '/_yunbox/console/', { ...nav, 'sec-fetch-dest': 'iframe' }))).toMatch(
      /another site/,
    );
    expect(
      guard(req('GET', '/_yunbox/console/app.js', { ...nav, 'sec-fetch-mode': 'no-cors' })),
    ).toMatch(/another site/);
  });

  it('wants JSON bodies: a form or a text/plain fetch cannot send them', () => {
    const send = (method: string, type?: string) =>
      guard(
        req(method, '/_yunbox/console/session', {
          ...local,
          ...(type !== undefined ? { 'content-type': type } : {}),
        }),
      );
    expect(send('POST', 'application/json')).toBeUndefined();
    expect(send('POST', 'Application/JSON; charset=utf-8')).toBeUndefined();
    for (const type of [
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      'text/plain; application/json',
    ]) {
      expect(send('POST', type), String(type)).toBe('send the request body as `application/json`');
    }
    expect(send('PUT', 'text/plain')).toMatch(/application\/json/);
    expect(send('DELETE')).toBeUndefined();
  });

  it('knows loopback and wildcard hosts', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.1')).toBe(false);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
    expect(isWildcardHost('0.0.0.0')).toBe(true);
    expect(isWildcardHost('[::]')).toBe(true);
    expect(isWildcardHost('')).toBe(true);
    expect(isWildcardHost('127.0.0.1')).toBe(false);
  });
});

describe('core admin routes', () => {
  it('change nothing: the only write answers that the signed API moves the clock', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const routes = coreAdminRoutes(clock, () => true);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /_yunbox/health',
      'GET /_yunbox/clock',
      'POST /_yunbox/clock',
    ]);
    const post = routes.find((r) => r.method === 'POST')!;
    const out = await post.handle({ advanceSeconds: 3600 }, {} as IncomingMessage);
    expect(out.status).toBe(410);
    expect(JSON.stringify(out.body)).toContain('yunbox clock');
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
  });
});
