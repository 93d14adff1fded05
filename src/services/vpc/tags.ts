/**
 * @module Tags on VPC resources as VPC's tag parameters take them (doc "TagResources", "CreateVpc"
 * `Tag.N`): the rules for keys and values, the limits and the merge are the ones every service
 * shares (kernel/tags.ts), and the filter the one of the tag tables (store/tag-table.ts); this
 * file gives them VPC's codes and applies them to the tags VPC keeps in its rows.
 */
import {
  TAG_LIMITS,
  checkTags as tagProblem,
  mergeTags,
  tagValueProblem,
} from '../../kernel/tags.js';
import { carriesAll } from '../../store/tag-table.js';
import * as E from './errors.js';
import type { Tag } from './model.js';

export { tagKeyProblem } from '../../kernel/tags.js';

/** Most tags one resource carries, and most one call sets. */
export const MAX_TAGS = TAG_LIMITS.perResource;

/** A tag as a request carries it (`Tag.N.Key`, `Tag.N.Value`). */
export interface TagParam {
  Key?: string;
  Value?: string;
}

/**
 * The tags of a request, checked: `InvalidTagKey.Malformed`, `InvalidTagValue.Malformed`,
 * `Duplicate.TagKey`, `NumberExceed.Tags`. A missing value is empty.
 * @example
 * checkTags([{ Key: 'env', Value: 'test' }]) // [{ key: 'env', value: 'test' }]
 */
export function checkTags(params: TagParam[] | undefined): Tag[] {
  if (params === undefined) return [];
  const tags = params.map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
  const problem = tagProblem(tags);
  if (problem === undefined) return tags;
  // Tag.N of the problem: the first tag with its key (and, for a value, a bad value).
  const n =
    tags.findIndex(
      (t) =>
        problem.kind !== 'too-many' &&
        t.key === problem.key &&
        (problem.kind !== 'value' || tagValueProblem(t.value) !== undefined),
    ) + 1;
  switch (problem.kind) {
    case 'too-many':
      throw E.NumberExceedTags(
        `The Tags parameter's number is exceed , Valid : ${MAX_TAGS}. ${problem.count} were given.`,
      );
    case 'key':
      throw E.VpcInvalidTagKeyMalformed(
        `The specified Tag.n.Key is not valid: Tag.${n}.Key: ${problem.reason}.`,
      );
    case 'value':
      throw E.VpcInvalidTagValueMalformed(
        `The specified Tag.n.Value is not valid: Tag.${n}.Value: ${problem.reason}.`,
      );
    case 'duplicate':
      throw E.DuplicateTagKey(
        `The Tag.N.Key contain duplicate key: \`${problem.key}\` is given twice.`,
      );
  }
}

/**
 * `current` with `added` set (a key already there takes the new value); `OperationDenied.QuotaExceed`
 * when the result would have more than {@link MAX_TAGS} tags. `current` is not changed.
 */
export function withTags(
  current: readonly Tag[],
  added: readonly Tag[],
  resourceId: string,
): Tag[] {
  const out = mergeTags(current, added);
  if (out.length > MAX_TAGS) {
    throw E.OperationDeniedQuotaExceed(
      `The quota of tags on resource is beyond permitted range: \`${resourceId}\` would have ${out.length} tags, at most ${MAX_TAGS}.`,
    );
  }
  return out;
}

/** `current` without the tags whose keys are in `keys` (every tag when `keys` is `'all'`). */
export function withoutTags(current: readonly Tag[], keys: readonly string[] | 'all'): Tag[] {
  if (keys === 'all') return [];
  return current.filter((t) => !keys.includes(t.key)).map((t) => ({ ...t }));
}

/** True when `tags` has every tag of `filter` (a filter without a value matches any value). */
export function hasTags(tags: readonly Tag[], filter: readonly TagParam[]): boolean {
  return carriesAll(
    tags,
    filter.map((f) => ({ key: f.Key, value: f.Value })),
  );
}
