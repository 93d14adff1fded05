import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_CA_FILE, SYSTEM_PATH, findExecutable, writeSandboxEtc } from './host.js';

const CA = '-----BEGIN CERTIFICATE-----\nyunbox\n-----END CERTIFICATE-----\n';
const SYSTEM = '-----BEGIN CERTIFICATE-----\nsystem\n-----END CERTIFICATE-----\n';

let root: string;
let etc: string;
let netnsEtc: string;

const mode = async (p: string) => (await stat(p)).mode & 0o777;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'yunbox-etc-'));
  etc = join(root, 'etc');
  netnsEtc = join(etc, 'netns');
  await mkdir(etc);
  for (const f of ['resolv.conf', 'hosts', 'hostname']) await writeFile(join(etc, f), 'host\n');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const write = (caPath = '/run/yunbox/1-ca.pem') =>
  writeSandboxEtc(
    'ybx-1-1',
    { nameserver: '100.100.2.136', hostName: 'iZxZ', caPem: CA, caPath },
    { etc, netnsEtc },
  );

describe('writeSandboxEtc', () => {
  it('leaves a host trust store reached through symlinks untouched (Fedora layout)', async () => {
    const pki = join(root, 'pki', 'tls', 'certs');
    await mkdir(pki, { recursive: true });
    await writeFile(join(pki, 'tls-ca-bundle.pem'), SYSTEM);
    await symlink('tls-ca-bundle.pem', join(pki, 'ca-certificates.crt'));
    await mkdir(join(etc, 'ssl'));
    await symlink(pki, join(etc, 'ssl', 'certs'));
    const paths = await write();
    expect(paths).toEqual({
      caFile: `/etc/ssl/certs/${SANDBOX_CA_FILE}`,
      bundle: '/etc/ssl/certs/ca-certificates.crt',
    });
    expect(await readFile(join(pki, 'tls-ca-bundle.pem'), 'utf8')).toBe(SYSTEM);
    expect((await lstat(join(pki, 'ca-certificates.crt'))).isSymbolicLink()).toBe(true);
    const certs = join(netnsEtc, 'ybx-1-1', 'ssl', 'certs');
    expect((await lstat(certs)).isDirectory()).toBe(true);
    expect((await lstat(join(certs, 'ca-certificates.crt'))).isFile()).toBe(true);
    expect(await readFile(join(certs, 'ca-certificates.crt'), 'utf8')).toBe(
      `${SYSTEM}\n# yunbox local CA\n${CA}`,
    );
  });

  it('makes everything readable by every user, whatever the umask', async () => {
    await mkdir(join(etc, 'ssl', 'certs'), { recursive: true });
    await writeFile(join(etc, 'ssl', 'certs', 'ca-certificates.crt'), SYSTEM);
    const old = process.umask(0o077);
    try {
      await write();
    } finally {
      process.umask(old);
    }
    const dir = join(netnsEtc, 'ybx-1-1');
    expect(await mode(dir)).toBe(0o755);
    for (const f of ['resolv.conf', 'hosts', 'hostname'])
      expect(await mode(join(dir, f))).toBe(0o644);
    expect(await mode(join(dir, 'ssl'))).toBe(0o755);
    expect(await mode(join(dir, 'ssl', 'certs'))).toBe(0o755);
    expect(await mode(join(dir, 'ssl', 'certs', SANDBOX_CA_FILE))).toBe(0o644);
    expect(await mode(join(dir, 'ssl', 'certs', 'ca-certificates.crt'))).toBe(0o644);
  });

  it('without /etc/ssl, points programs at the public copy of the CA it was given', async () => {
    expect(await write('/run/yunbox/abc-ca.pem')).toEqual({
      caFile: '/run/yunbox/abc-ca.pem',
      bundle: '/run/yunbox/abc-ca.pem',
    });
  });
});

describe('findExecutable', () => {
  const asRoot = process.getuid?.() === 0;
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yunbox-find-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the system tools, never through the caller’s PATH', async () => {
    const sh = await findExecutable('sh');
    expect(sh === undefined || SYSTEM_PATH.some((d) => sh.startsWith(`${d}/`))).toBe(true);
    // A `sh` first on PATH (a directory the invoking user owns, as node_modules/.bin) is ignored.
    const planted = join(dir, 'sh');
    await writeFile(planted, '#!/bin/sh\n', { mode: 0o755 });
    const saved = process.env.PATH;
    process.env.PATH = `${dir}:${saved ?? ''}`;
    try {
      expect(await findExecutable('sh')).toBe(sh);
    } finally {
      process.env.PATH = saved;
    }
    expect(await findExecutable('../bin/sh')).toBeUndefined();
  });

  it.skipIf(!asRoot)(
    'skips a tool or directory that someone other than root may write',
    async () => {
      const safe = join(dir, 'safe');
      const open = join(dir, 'open');
      await mkdir(safe, { mode: 0o755 });
      await mkdir(open, { mode: 0o755 });
      await chmod(dir, 0o755);
      await chmod(open, 0o777);
      for (const d of [safe, open])
        await writeFile(join(d, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
      await writeFile(join(safe, 'loose'), '#!/bin/sh\n', { mode: 0o755 });
      await chmod(join(safe, 'loose'), 0o775);
      await writeFile(join(safe, 'theirs'), '#!/bin/sh\n', { mode: 0o755 });
      await chown(join(safe, 'theirs'), 65534, 65534);
      expect(await findExecutable('tool', [open, safe])).toBe(join(safe, 'tool'));
      expect(await findExecutable('loose', [safe])).toBeUndefined();
      expect(await findExecutable('theirs', [safe])).toBeUndefined();
    },
  );
});
