import { describe, expect, it } from 'vitest';
import { isLeftOutside, isSandboxVariable, sandboxEnv, sandboxProcessEnv } from './env.js';

describe('isLeftOutside', () => {
  it("keeps the caller's credentials, proxies, preloads and libfaketime settings out", () => {
    for (const name of [
      'YUNBOX_ROOT_ACCESS_KEY_SECRET',
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'OSS_ACCESS_KEY_ID',
      'https_proxy',
      'HTTP_PROXY',
      'LD_PRELOAD',
      'LD_AUDIT',
      'FAKETIME',
      'FAKETIME_TIMESTAMP_FILE',
      'FAKETIME_NO_CACHE',
      'FAKETIME_SHARED',
      'DONT_FAKE_MONOTONIC',
      'NO_FAKE_STAT',
      'FAKE_UTIME',
      'FAKERANDOM_SEED',
    ]) {
      expect(isLeftOutside(name), name).toBe(true);
    }
    for (const name of ['PATH', 'HOME', 'LANG', 'LD_LIBRARY_PATH', 'PYTHONPATH', 'TERM']) {
      expect(isLeftOutside(name), name).toBe(false);
    }
  });
});

describe('sandboxProcessEnv', () => {
  const ca = sandboxEnv({ caFile: '/etc/ssl/certs/yunbox-ca.pem', bundle: '/etc/ssl/bundle.crt' });

  it("is the caller's environment less what stays outside, plus the sandbox's", () => {
    const env = sandboxProcessEnv(
      {
        PATH: '/usr/bin',
        LD_PRELOAD: '/tmp/evil.so',
        FAKETIME: '+1d',
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI',
        SSL_CERT_FILE: '/mine',
      },
      ca,
    );
    expect(env).toEqual({ PATH: '/usr/bin', ...ca });
  });

  it("puts the sandbox's PYTHONPATH first, before the caller's", () => {
    const sandbox = { ...ca, PYTHONPATH: '/run/yunbox/1-python' };
    expect(sandboxProcessEnv({ PYTHONPATH: '/home/me/lib' }, sandbox).PYTHONPATH).toBe(
      '/run/yunbox/1-python:/home/me/lib',
    );
    expect(sandboxProcessEnv({ PYTHONPATH: '' }, sandbox).PYTHONPATH).toBe('/run/yunbox/1-python');
    expect(sandboxProcessEnv({}, sandbox).PYTHONPATH).toBe('/run/yunbox/1-python');
    expect(sandboxProcessEnv({ PYTHONPATH: '/home/me/lib' }, ca).PYTHONPATH).toBe('/home/me/lib');
  });

  it('takes from a server only the variables yunbox sets, and LD_PRELOAD only as one path', () => {
    const env = sandboxProcessEnv(
      {},
      {
        LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
        FAKETIME_TIMESTAMP_FILE: '/run/yunbox/1-clock.faketime',
        LD_LIBRARY_PATH: '/tmp',
        GCONV_PATH: '/tmp',
        NODE_OPTIONS: '--require /tmp/x.js',
        PATH: '/tmp',
        CURL_CA_BUNDLE: 42,
      },
    );
    expect(env).toEqual({
      LD_PRELOAD: '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
      FAKETIME_TIMESTAMP_FILE: '/run/yunbox/1-clock.faketime',
    });
    expect(isSandboxVariable('LD_PRELOAD', '/a.so /b.so')).toBe(false);
    expect(isSandboxVariable('LD_PRELOAD', 'a.so')).toBe(false);
    expect(isSandboxVariable('LD_PRELOAD', '/a.so:/b.so')).toBe(false);
    expect(isSandboxVariable('LD_PRELOAD', '/usr/lib/faketime/libfaketimeMT.so.1')).toBe(true);
    expect(isSandboxVariable('NO_FAKE_STAT', '1')).toBe(true);
    expect(isSandboxVariable('FAKETIME', '+1d')).toBe(false);
  });
});
