/**
 * @module What the key pair handlers need from storage (`store-sql.ts` serves SQLite and
 * PostgreSQL). Names are unique per account and region by constraint; binding and deleting race
 * safely because an instance references its key pair by foreign key.
 */
import type { TagMatch } from '../../../store/tag-table.js';
import type { AttachedKeyPair, KeyPair } from './model.js';

/** Filters of a key pair listing. */
export interface KeyFilter {
  /** Only key pairs carrying every one of these tags (`Tag.N`; no value: any value). */
  tags?: TagMatch[];
}

/** Key pair storage. */
export interface KeyPairStore {
  /**
   * Stores a new key pair, refusing beyond `quota` pairs in its account and region:
   * `AlreadyExists('KeyPair')` when the name is taken, `Conflict('Quota')` at the quota.
   */
  create(keyPair: KeyPair, quota: number): Promise<void>;
  /** The key pair named `name` (exactly) in the account and region. */
  get(accountId: string, regionId: string, name: string): Promise<KeyPair | undefined>;
  /** The account's key pairs in the region that `filter` keeps, oldest first. */
  list(accountId: string, regionId: string, filter?: KeyFilter): Promise<KeyPair[]>;
  /**
   * Deletes the key pairs, all or none: none when an instance is bound to any of them (that one
   * is named). Ids that do not exist are skipped.
   */
  delete(keyPairIds: string[]): Promise<{ deleted: number } | { attached: string }>;
  /**
   * Binds `keyPair` to the instance, replacing any other (doc "AttachKeyPair"); `key-missing`
   * when the key pair was deleted meanwhile.
   */
  attach(
    instanceId: string,
    keyPair: AttachedKeyPair,
  ): Promise<'attached' | 'instance-missing' | 'key-missing'>;
  /** Unbinds the key pair `keyPairId` from the instance (only that one). */
  detach(instanceId: string, keyPairId: string): Promise<'detached' | 'not-attached'>;
  /** How many instances each of these key pairs is bound to. */
  boundInstances(keyPairIds: string[]): Promise<Map<string, number>>;
}
