/**
 * @module Events of two accounts (issue 20): `caller_account_id` is the caller's account when the
 * event is held by another (a cross-account AssumeRole is in the caller's trail and in the role's
 * account's, whose copy names the caller's account here); `''` when the holder is the caller's.
 * ActionTrail's `userIdentity.accountId` vs `recipientAccountId`.
 */
import type { Migration } from '../../../store/migrate.js';

export const m0003CallerAccount: Migration = {
  name: '0003-caller-account',
  async up(db) {
    await db.k.schema
      .alterTable('trail_events')
      .addColumn('caller_account_id', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  },
};
