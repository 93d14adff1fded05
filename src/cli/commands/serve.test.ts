import { describe, expect, it } from 'vitest';
import { parseListen } from '../../config/config.js';
import type { CliIo } from '../command.js';
import { command, exposureWarning } from './serve.js';

const at = (listen: string, tls?: string) => ({
  config: {
    listen: parseListen(listen, 'listen'),
    tlsListen: tls === undefined ? undefined : parseListen(tls, 'tls'),
  } as any,
  address: listen.replace(/^:/, '0.0.0.0:'),
  ...(tls !== undefined ? { tlsAddress: tls } : {}),
});

describe('the start banner', () => {
  it('says nothing when every gateway listener is on loopback', () => {
    expect(exposureWarning(at('127.0.0.1:9910', '127.0.0.1:9911'))).toEqual([]);
    expect(exposureWarning(at('[::1]:9910'))).toEqual([]);
    expect(exposureWarning(at('localhost:9910'))).toEqual([]);
  });

  it('warns that `:PORT` is every interface, and names a specific address', () => {
    const all = exposureWarning(at(':9910')).join('\n');
    expect(all).toContain(
      'http 0.0.0.0:9910 (every interface: from every network this machine is on)',
    );
    expect(all).toContain('the console page and its sign-in');
    const one = exposureWarning(at('127.0.0.1:9910', '192.0.2.7:9911')).join('\n');
    expect(one).toContain('https 192.0.2.7:9911 (from every network that reaches 192.0.2.7)');
    expect(one).not.toContain('http 127.0.0.1');
  });
});

describe('yunbox serve and YUNBOX_IDLE_GC', () => {
  it('refuses a bad value before starting anything', async () => {
    const err: string[] = [];
    const io: CliIo = {
      env: { YUNBOX_IDLE_GC: 'soon' },
      cwd: '/nonexistent',
      stdout: () => {},
      stderr: (t) => err.push(t),
    };
    const code = await command.run([], io);
    expect(code).toBe(2);
    expect(err.join('')).toContain('YUNBOX_IDLE_GC: `soon`');
  });
});
