/**
 * @module Test helpers: a real yunbox on ephemeral ports with a temporary data directory, on the
 * store selected by `YUNBOX_TEST_STORE` (`sqlite`, the default, or `postgres` with a fresh schema
 * in `YUNBOX_TEST_PG_URL`), cleaned up by `close()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startYunbox, type StartOptions, type Yunbox } from '../main.js';

/** Default PostgreSQL for tests (the CI machine's). */
export const DEFAULT_TEST_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Which store the tests run against. */
export function testStoreKind(): 'sqlite' | 'postgres' {
  const v = process.env.YUNBOX_TEST_STORE ?? 'sqlite';
  if (v !== 'sqlite' && v !== 'postgres')
    throw new Error(`YUNBOX_TEST_STORE must be sqlite or postgres, not \`${v}\``);
  return v;
}

/** The PostgreSQL URL for tests. */
export function testPgUrl(): string {
  return process.env.YUNBOX_TEST_PG_URL ?? DEFAULT_TEST_PG_URL;
}

/** A fresh PostgreSQL schema; `drop()` removes it. */
export async function freshPgSchema(): Promise<{
  url: string;
  schema: string;
  drop(): Promise<void>;
}> {
  const schema = `yb_test_${randomBytes(6).toString('hex')}`;
  const base = testPgUrl();
  const url = `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
  return {
    url,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A yunbox started for a test. */
export interface TestServer extends Yunbox {
  dataDir: string;
}

/**
 * Starts yunbox on ephemeral loopback ports with a temporary data directory.
 * @example
 * const yb = await startTestServer({ clock: 'manual' });
 * try { ... } finally { await yb.close(); }
 */
export async function startTestServer(
  options: StartOptions & { shareStoreWith?: TestServer } = {},
): Promise<TestServer> {
  const { shareStoreWith, ...rest } = options;
  const dataDir = await mkdtemp(join(tmpdir(), 'yunbox-test-'));
  let store = rest.store as string | undefined;
  let drop: (() => Promise<void>) | undefined;
  if (store === undefined) {
    if (shareStoreWith) store = shareStoreWith.config.store;
    else if (testStoreKind() === 'postgres') {
      const s = await freshPgSchema();
      store = s.url;
      drop = s.drop;
    } else store = 'sqlite';
  }
  let yb: Yunbox;
  try {
    yb = await startYunbox({
      listen: '127.0.0.1:0',
      tlsListen: 'off',
      metadataListen: 'off',
      logLevel: process.env.YUNBOX_TEST_LOG_LEVEL ?? 'silent',
      env: {},
      ...rest,
      dataDir,
      store,
    });
  } catch (e) {
    await drop?.();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  const close = yb.close.bind(yb);
  return Object.assign(yb, {
    dataDir,
    async close() {
      await close();
      await drop?.();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
