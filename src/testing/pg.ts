/**
 * @module Whether the test PostgreSQL is reachable, and the rule for tests that need it: skipped
 * with a visible reason on a developer machine without PostgreSQL, a failure under
 * `YUNBOX_REQUIRE_PG` (CI never skips silently).
 */
import pg from 'pg';
import { testPgUrl } from './server.js';

let cached: Promise<boolean> | undefined;

/** True when PostgreSQL answers at `YUNBOX_TEST_PG_URL`. */
export function pgReachable(): Promise<boolean> {
  cached ??= (async () => {
    const c = new pg.Client({ connectionString: testPgUrl(), connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return cached;
}

/** Resolves to a skip reason, or undefined when PostgreSQL tests should run. Throws under YUNBOX_REQUIRE_PG. */
export async function pgSkipReason(): Promise<string | undefined> {
  if (await pgReachable()) return undefined;
  if (process.env.YUNBOX_REQUIRE_PG) {
    throw new Error(
      `PostgreSQL is required (YUNBOX_REQUIRE_PG) but not reachable at ${testPgUrl()}`,
    );
  }
  const reason = `PostgreSQL not reachable at ${testPgUrl()} (set YUNBOX_TEST_PG_URL)`;
  console.warn(`skipped: ${reason}`);
  return reason;
}
