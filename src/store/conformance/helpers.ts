/**
 * @module What the services' conformance cases share: running two "nodes" at once where the
 * store allows it, and catching the {@link StoreError} a case expects.
 */
import { StoreError } from '../../kernel/errors.js';
import type { Db } from '../db.js';

/**
 * Runs `fns` at once where several nodes share the store (PostgreSQL). SQLite is a single-node
 * store (`multiNode: false`): its two in-process handles could only block each other's
 * synchronous lock waits, so there they run one after the other.
 */
export async function race<T>(
  db: Db,
  fns: Array<() => Promise<T>>,
): Promise<PromiseSettledResult<T>[]> {
  if (db.dialect.multiNode) return Promise.allSettled(fns.map((f) => f()));
  const out: PromiseSettledResult<T>[] = [];
  for (const f of fns) {
    try {
      out.push({ status: 'fulfilled', value: await f() });
    } catch (reason) {
      out.push({ status: 'rejected', reason });
    }
  }
  return out;
}

/** The {@link StoreError} `p` rejects with; anything else (or success) fails the case. */
export async function storeError(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StoreError) return e;
    throw e;
  }
  throw new Error('expected a StoreError');
}
