/**
 * @module ECS's tag handlers: TagResources, UntagResources and ListTagResources over `ecs_tags`,
 * for every resource type that plugged in (store.ts), with ECS's limits and codes (doc
 * "TagResources"). Also {@link launchTags}, the same rules for `Tag.N` of RunInstances and
 * CreateInstance.
 */
import {
  checkTags,
  decodeTagToken,
  encodeTagToken,
  TAG_LIMITS,
  type ResourceTag,
  type TagProblem,
} from '../../../kernel/tags.js';
import { InvalidParameter } from '../../../protocol/rpc-errors.js';
import type { Db } from '../../../store/db.js';
import { carriesAll } from '../../../store/tag-table.js';
import * as E from '../errors.js';
import { checkRegion, type H } from '../handler-deps.js';
import type * as Ops from './operations.js';
import {
  ECS_TAGS,
  ECS_TAG_RESOURCE_TYPES,
  callIdsOf,
  resolveTagged,
  type TaggableTypes,
} from './store.js';

/** Entries per ListTagResources page. */
export const TAG_PAGE_SIZE = 50;

/** What the tag handlers need. */
export interface EcsTagDeps {
  db: Db;
  taggable: TaggableTypes;
}

/** ECS's error for a {@link TagProblem}. */
function tagError(problem: TagProblem) {
  switch (problem.kind) {
    case 'key':
      return E.InvalidTagKeyMalformed(
        `The specified Tag.n.Key is not valid: \`${problem.key}\`: ${problem.reason}.`,
      );
    case 'value':
      return E.InvalidTagValueMalformed(
        `The specified Tag.n.Value is not valid: the value of \`${problem.key}\`: ${problem.reason}.`,
      );
    case 'duplicate':
      return E.EcsDuplicateTagKey(`The Tag.N.Key contain duplicate key: \`${problem.key}\`.`);
    case 'too-many':
      return E.EcsNumberExceedTags(
        `The Tags parameter's number is exceed , Valid : ${TAG_LIMITS.perResource} (${problem.count} given).`,
      );
  }
}

/** `Tag.N` of a call as tags: each needs a key (`Tag.N.Value` alone is not a tag). */
function tagsOf(given: Array<{ Key?: string; Value?: string }>): ResourceTag[] {
  return given.map((t) => {
    if (t.Key === undefined) {
      throw E.InvalidTagKeyMalformed('The specified Tag.n.Key is not valid: a tag needs a key.');
    }
    return { key: t.Key, value: t.Value ?? '' };
  });
}

/**
 * The tags of RunInstances / CreateInstance `Tag.N`, checked as TagResources checks them.
 * @example
 * const tags = launchTags(input.Tag);
 */
export function launchTags(given: Array<{ Key?: string; Value?: string }> | undefined) {
  const tags = tagsOf(given ?? []);
  const problem = checkTags(tags);
  if (problem) throw tagError(problem);
  return tags;
}

/** The ResourceType of a call, in ECS's lower case; missing or unknown ones are refused. */
function resourceType(given: string | undefined): string {
  if (given === undefined || given === '') throw E.EcsMissingResourceType();
  const type = given.toLowerCase();
  if (!ECS_TAG_RESOURCE_TYPES.includes(type)) {
    throw E.EcsInvalidResourceTypeNotFound(
      `The ResourceType provided does not exist in our records: \`${given}\`; use one of ${ECS_TAG_RESOURCE_TYPES.join(', ')}.`,
    );
  }
  return type;
}

/** ResourceId.N of a call: 1 to 50 ids. */
function resourceIds(given: string[] | undefined, required: boolean): string[] | undefined {
  const ids = given?.filter((id) => id !== '');
  if (!ids || ids.length === 0) {
    if (!required) return undefined;
    throw E.EcsMissingParameter(
      'The input parameter "ResourceId.N" that is mandatory for processing this request is not supplied.',
    );
  }
  if (ids.length > TAG_LIMITS.resourcesPerRequest) {
    throw E.EcsNumberExceedResourceIds(
      `The ResourceIds parameter's number is exceed , Valid : ${TAG_LIMITS.resourcesPerRequest} (${ids.length} given).`,
    );
  }
  return [...new Set(ids)];
}

/** A TagFilter pattern: `x*` (prefix), `*x*` (infix), `*x` (suffix) or exact. */
function patternOf(p: string): (s: string) => boolean {
  const starts = p.startsWith('*');
  const ends = p.endsWith('*') && p.length > 1;
  const core = p.slice(starts ? 1 : 0, ends ? -1 : undefined);
  if (starts && ends) return (s) => s.includes(core);
  if (ends) return (s) => s.startsWith(core);
  if (starts) return (s) => s.endsWith(core);
  return (s) => s === p;
}

/** TagResources, UntagResources, ListTagResources. */
export function tagHandlers(deps: EcsTagDeps) {
  /**
   * The ids tags of `ids` are kept under; `InvalidResourceId.NotFound` naming those that are not
   * resources of `type` in the caller's account and region. With `lock`, inside a transaction.
   */
  const mustResolve = async (
    db: Db,
    accountId: string,
    region: string,
    type: string,
    ids: string[],
    lock: boolean,
  ): Promise<string[]> => {
    const kind = deps.taggable.get(type);
    const found = kind
      ? await resolveTagged(db, kind, accountId, region, ids, { lock })
      : new Map<string, string>();
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw E.EcsInvalidResourceIdNotFound(
        `The specified ResourceIds are not found in our records: ${missing.map((id) => `\`${id}\``).join(', ')} ${
          kind ? `is no ${type} in ${region}` : `(yunbox has no resources of type ${type})`
        }.`,
      );
    }
    return ids.map((id) => found.get(id)!);
  };

  const tagResources: H<typeof Ops.TagResources> = async (ctx, input) => {
    const region = checkRegion(ctx, input.RegionId);
    const type = resourceType(input.ResourceType);
    const ids = resourceIds(input.ResourceId, true)!;
    const tags = tagsOf(input.Tag ?? []);
    if (tags.length === 0) throw E.EcsMissingTags();
    const problem = checkTags(tags);
    if (problem) throw tagError(problem);
    // INVARIANT: the resources are found and stay locked in the transaction that tags them, so
    // a delete racing this call either comes first (NotFound) or removes these tags too.
    const { r, kept } = await deps.db.transaction(async (tx) => {
      const kept = await mustResolve(tx, ctx.accountId, region, type, ids, true);
      return { r: await ECS_TAGS.add(tx, ctx.accountId, region, type, kept, tags), kept };
    });
    if (!r.ok) {
      const named = ids[kept.indexOf(r.resourceId)] ?? r.resourceId;
      throw E.EcsTagQuotaExceed(
        `The quota of tags on resource is beyond permitted range: \`${named}\` would have ${r.count} tags, at most ${TAG_LIMITS.perResource}.`,
      );
    }
    return {};
  };

  const untagResources: H<typeof Ops.UntagResources> = async (ctx, input) => {
    const region = checkRegion(ctx, input.RegionId);
    const type = resourceType(input.ResourceType);
    const ids = resourceIds(input.ResourceId, true)!;
    const keys = (input.TagKey ?? []).filter((k) => k !== '');
    if (keys.length > TAG_LIMITS.perResource)
      throw tagError({ kind: 'too-many', count: keys.length });
    if (keys.length === 0 && input.All !== true) {
      throw E.EcsMissingTags(
        'The parameter - Tags should not be null: give TagKey.N, or All=true to remove every tag.',
      );
    }
    const kept = await mustResolve(deps.db, ctx.accountId, region, type, ids, false);
    await ECS_TAGS.remove(deps.db, ctx.accountId, type, kept, keys.length > 0 ? keys : 'all');
    return {};
  };

  const listTagResources: H<typeof Ops.ListTagResources> = async (ctx, input) => {
    const region = checkRegion(ctx, input.RegionId);
    const type = resourceType(input.ResourceType);
    const ids = resourceIds(input.ResourceId, false);
    const exact = input.Tag ?? [];
    const fuzzy = input.TagFilter ?? [];
    if (exact.length > TAG_LIMITS.perResource) {
      throw tagError({ kind: 'too-many', count: exact.length });
    }
    if (exact.length > 0 && fuzzy.length > 0) {
      throw InvalidParameter(
        'The specified parameters "Tag.N" and "TagFilter.N" cannot be used together.',
      );
    }
    if (fuzzy.length > 5) {
      throw InvalidParameter('The specified parameter "TagFilter.N" is not valid: at most 5.');
    }
    for (const t of exact) {
      if (t.Key === undefined || t.Key === '') {
        if (t.Value !== undefined) throw E.EcsInvalidParameterTagValue();
        throw E.InvalidTagKeyMalformed();
      }
    }
    const filters = fuzzy.map((f) => {
      if (f.TagKey === undefined || f.TagKey === '') {
        throw E.InvalidTagKeyMalformed(
          'The specified TagFilter.n.TagKey is not valid: it is empty.',
        );
      }
      const values = f.TagValues ?? [];
      if (values.length > 5) {
        throw InvalidParameter(
          'The specified parameter "TagFilter.N.TagValues" is not valid: at most 5.',
        );
      }
      // With values the key is exact and the values fuzzy; without, the key is fuzzy.
      const key = values.length > 0 ? (k: string) => k === f.TagKey : patternOf(f.TagKey);
      const value = values.length > 0 ? values.map(patternOf) : undefined;
      return { key, value };
    });
    const match =
      exact.length > 0 || filters.length > 0
        ? (tags: readonly ResourceTag[]) =>
            carriesAll(
              tags,
              exact.map((e) => ({ key: e.Key, value: e.Value })),
            ) &&
            filters.every((f) =>
              tags.some((t) => f.key(t.key) && (!f.value || f.value.some((v) => v(t.value)))),
            )
        : undefined;
    const after =
      input.NextToken !== undefined && input.NextToken !== ''
        ? decodeTagToken(input.NextToken, () => E.InvalidNextTokenMalformed())
        : undefined;
    const kind = deps.taggable.get(type);
    if (!kind) return { NextToken: '', TagResources: { TagResource: [] } };
    // Kept ids in, kept ids out (the token too); calls' ids only on the wire.
    const kept = ids
      ? [...(await resolveTagged(deps.db, kind, ctx.accountId, region, ids)).values()]
      : undefined;
    const page = await ECS_TAGS.list(deps.db, {
      accountId: ctx.accountId,
      scope: region,
      resourceType: type,
      ...(kept ? { resourceIds: kept } : {}),
      ...(match ? { match } : {}),
      ...(after ? { after } : {}),
      limit: TAG_PAGE_SIZE,
    });
    const names = await callIdsOf(
      deps.db,
      kind,
      ctx.accountId,
      page.entries.map((e) => e.resourceId),
    );
    const last = page.entries[page.entries.length - 1];
    return {
      NextToken: page.more && last ? encodeTagToken(last) : '',
      TagResources: {
        TagResource: page.entries.map((e) => ({
          ResourceId: names.get(e.resourceId) ?? e.resourceId,
          ResourceType: e.resourceType,
          TagKey: e.key,
          TagValue: e.value,
        })),
      },
    };
  };

  return { tagResources, untagResources, listTagResources };
}
