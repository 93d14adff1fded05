/**
 * @module Tags of every ECS resource in `ecs_tags`: security groups' and key pairs' tags, kept
 * until now as a JSON column of their row, move there as instances' did in 0005 (the columns
 * stay, emptied, no longer read). Key pairs' tags are kept under the key pair's id; tag calls
 * name key pairs by name (tags/store.ts). System disks had no tags before, so none move.
 */
import type { Migration } from '../../../store/migrate.js';
import { moveJsonTags } from './json-tags.js';

export const m0006TagsEverywhere: Migration = {
  name: '0006-tags-everywhere',
  async up(db) {
    await moveJsonTags(db, {
      table: 'ecs_security_groups',
      id: 'security_group_id',
      resourceType: 'securitygroup',
    });
    await moveJsonTags(db, { table: 'ecs_key_pairs', id: 'key_pair_id', resourceType: 'keypair' });
  },
};
