/**
 * @module Where ECS keeps tags, and how a kind of ECS resource becomes taggable. Tags of every
 * resource type are rows of one table, `ecs_tags` (store/tag-table.ts), keyed by (type, id).
 *
 * A resource type plugs in with two things (see index.ts for the ones yunbox has):
 * 1. An entry in the {@link TaggableTypes} map built in index.ts: a {@link TaggableType} saying
 *    which table holds the resources and how a call's `ResourceId.N` finds a row there, so
 *    TagResources and UntagResources refuse ids that are not the caller's with
 *    `InvalidResourceId.NotFound`. A documented type without an entry has no resources here.
 * 2. Its store calls `ECS_TAGS.insertNew(tx, …)` in the transaction creating a resource with tags
 *    (`Tag.N` of the create call) and `ECS_TAGS.deleteFor(tx, type, ids)` in the one deleting it
 *    (after deleting the row: see {@link resolveTagged}), reads tags for its Describe calls with
 *    `ECS_TAGS.tagsOf(db, account, type, ids)` and filters them by `Tag.N` with
 *    `ECS_TAGS.carrying(account, type, idColumn, tags)`.
 *
 * Tags are kept under an id unique across accounts and regions. Calls name most resources by that
 * id; key pairs they name by their name (unique only in an account and region), so key pairs'
 * tags are kept under their `skp-` id and the tag calls translate.
 */
import { TagTable, resourceRows } from '../../../store/tag-table.js';
import type { Db } from '../../../store/db.js';

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

/**
 * A kind of ECS resource that can carry tags: the table holding it (with `account_id` and
 * `region_id` columns) and how a call's id finds its row.
 */
export interface TaggableType {
  table: string;
  /** The column a call's id is compared with. */
  column: string;
  /**
   * A call's id as {@link column} holds it (a system disk `d-x` is the row of instance `i-x`);
   * undefined when no row can match. Absent: the id as given.
   */
  toColumn?: (id: string) => string | undefined;
  /**
   * The column holding the id tags are kept under, when calls name resources by another
   * (key pairs: named by `key_pair_name`, kept by `key_pair_id`). Absent: the call's id.
   */
  keptBy?: string;
}

/** The resource types yunbox has, by ResourceType value. */
export type TaggableTypes = ReadonlyMap<string, TaggableType>;

/** Rows are read in batches of this many ids (a tag call names at most 50). */
const ID_BATCH = 500;

/**
 * Which of `ids` (as calls name them) are resources of `type` in the account and region, each
 * mapped to the id its tags are kept under. With `lock` (inside the tag call's transaction) the
 * rows found stay locked until it ends, so no tag outlives its resource (store/tag-table.ts
 * {@link resourceRows}, the one way every service's tag calls find their resources).
 */
export async function resolveTagged(
  db: Db,
  type: TaggableType,
  accountId: string,
  regionId: string,
  ids: readonly string[],
  opts: { lock?: boolean } = {},
): Promise<Map<string, string>> {
  const byColumn = new Map<string, string[]>();
  for (const id of new Set(ids)) {
    const value = type.toColumn ? type.toColumn(id) : id;
    if (value === undefined) continue;
    byColumn.set(value, [...(byColumn.get(value) ?? []), id]);
  }
  const rows = await resourceRows(
    db,
    {
      table: type.table,
      scope: { account_id: accountId, region_id: regionId },
      column: type.column,
      select: type.keptBy ? [type.column, type.keptBy] : [type.column],
    },
    [...byColumn.keys()],
    opts,
  );
  const out = new Map<string, string>();
  for (const row of rows) {
    for (const id of byColumn.get(row[type.column]) ?? []) {
      out.set(id, type.keptBy ? String(row[type.keptBy]) : id);
    }
  }
  return out;
}

/**
 * How calls name the resources whose tags are kept under `keptIds` (for listings): the ids
 * themselves, or for a type named otherwise ({@link TaggableType.keptBy}) what its rows say.
 */
export async function callIdsOf(
  db: Db,
  type: TaggableType,
  accountId: string,
  keptIds: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(keptIds)];
  if (!type.keptBy) return new Map(unique.map((id) => [id, id]));
  const out = new Map<string, string>();
  for (let i = 0; i < unique.length; i += ID_BATCH) {
    const rows: any[] = await db.k
      .selectFrom(type.table)
      .select([type.column, type.keptBy])
      .where('account_id', '=', accountId)
      .where(type.keptBy, 'in', unique.slice(i, i + ID_BATCH))
      .execute();
    for (const row of rows) out.set(String(row[type.keptBy]), String(row[type.column]));
  }
  return out;
}
