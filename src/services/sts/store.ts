/**
 * @module STS storage: sealing keys only (tokens themselves are never stored). Keys are immutable
 * once written, so a process-local copy is a cache, never an authority: a miss reloads.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../store/db.js';
import type { StsKey } from '../../auth/sts-token.js';

/** Loads and creates sealing keys. */
export class StsKeyStore {
  readonly #db: Db;
  readonly #cache = new Map<string, StsKey>();
  #current: StsKey | undefined;
  constructor(db: Db) {
    this.#db = db;
  }

  /** The key new tokens are sealed with (created race-safely on first use). */
  async current(now: number): Promise<StsKey> {
    if (this.#current) return this.#current;
    await this.#db.k
      .insertInto('sts_keys')
      .values({ key_id: 'k1', key_b64: randomBytes(32).toString('base64'), created_at: now })
      .onConflict((oc: any) => oc.doNothing())
      .execute();
    await this.#reload();
    const newest = [...this.#cache.values()].sort((a, b) => a.id.localeCompare(b.id)).pop();
    if (!newest) throw new Error('sts key missing after insert');
    this.#current = newest;
    return newest;
  }

  /** Looks a key up by id (cache first, then the store). */
  async get(id: string): Promise<StsKey | undefined> {
    const hit = this.#cache.get(id);
    if (hit) return hit;
    await this.#reload();
    return this.#cache.get(id);
  }

  /** Synchronous cache lookup (after {@link get} or {@link current} loaded the keys). */
  cached(id: string): StsKey | undefined {
    return this.#cache.get(id);
  }

  async #reload(): Promise<void> {
    const rows: any[] = await this.#db.k.selectFrom('sts_keys').selectAll().execute();
    for (const r of rows) {
      if (!this.#cache.has(r.key_id)) {
        this.#cache.set(r.key_id, { id: r.key_id, key: Buffer.from(r.key_b64, 'base64') });
      }
    }
  }
}
