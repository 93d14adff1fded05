/**
 * @module Where ECS keeps tags, and how a kind of ECS resource becomes taggable. Tags of every
 * resource type are rows of one table, `ecs_tags` (store/tag-table.ts), keyed by (type, id).
 *
 * A resource type plugs in with two things (instances do both; see index.ts):
 * 1. An entry in the {@link TaggableTypes} map built in index.ts: `existing(account, region, ids)`
 *    says which ids exist there, so TagResources and UntagResources refuse the others with
 *    `InvalidResourceId.NotFound`. A documented type without an entry has no resources here.
 * 2. Its store calls `ECS_TAGS.insertNew(tx, …)` in the transaction creating a resource with tags
 *    (`Tag.N` of the create call) and `ECS_TAGS.deleteFor(tx, type, ids)` in the one deleting it,
 *    and reads tags for its Describe calls with `ECS_TAGS.tagsOf(db, account, type, ids)`.
 */
import { TagTable } from '../../../store/tag-table.js';

/** ECS's tag table. */
export const ECS_TAGS = new TagTable('ecs_tags');

/**
 * The ResourceType values ECS's tag calls take (doc "TagResources"); others are
 * `InvalidResourceType.NotFound`.
 */
export const ECS_TAG_RESOURCE_TYPES: readonly string[] = [
  'instance',
  'disk',
  'snapshot',
  'image',
  'securitygroup',
  'volume',
  'eni',
  'ddh',
  'ddhcluster',
  'keypair',
  'launchtemplate',
  'reservedinstance',
  'snapshotpolicy',
  'elasticityassurance',
  'capacityreservation',
  'command',
  'invocation',
  'activation',
  'managedinstance',
];

/** A kind of ECS resource that can carry tags. */
export interface TaggableType {
  /** Which of `ids` exist, belong to `accountId` and are in `regionId`. */
  existing(accountId: string, regionId: string, ids: readonly string[]): Promise<Set<string>>;
}

/** The resource types yunbox has, by ResourceType value. */
export type TaggableTypes = ReadonlyMap<string, TaggableType>;
