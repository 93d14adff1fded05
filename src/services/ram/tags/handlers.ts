/**
 * @module RAM's tag handlers: TagResources, UntagResources and ListTagResources over `ram_tags`,
 * for roles (found by name without regard to case, as every RAM call finds them) and custom
 * policies; and {@link parseTagJson}, which CreateRole and CreatePolicy use for their `Tag`.
 * Answers name resources as they were created.
 */
import type { HandlerContext } from '../../../kernel/context.js';
import { StoreError } from '../../../kernel/errors.js';
import { ramArn } from '../../../kernel/principal.js';
import {
  checkTags,
  decodeTagToken,
  encodeTagToken,
  TAG_LIMITS,
  type ResourceTag,
  type TagProblem,
} from '../../../kernel/tags.js';
import type { Handler } from '../../../protocol/rpc-operation.js';
import { carriesAll, type TagMatch } from '../../../store/tag-table.js';
import type { ParamShape } from '../../../protocol/rpc-schema.js';
import * as E from '../errors.js';
import type { RamStore } from '../store.js';
import type * as Ops from './operations.js';

type H<D extends { params: ParamShape }> = Handler<D['params']>;
type Kind = 'role' | 'policy';

/** Entries per ListTagResources page unless PageSize says otherwise. */
export const RAM_TAG_PAGE_SIZE = 50;

function tagError(problem: TagProblem) {
  switch (problem.kind) {
    case 'key':
      return E.InvalidParameterTagKey(
        `The parameter - "Tag.Key" is invalid: \`${problem.key}\`: ${problem.reason}.`,
      );
    case 'value':
      return E.InvalidParameterTagValue(
        `The parameter - "Tag.Value" is invalid: the value of \`${problem.key}\`: ${problem.reason}.`,
      );
    case 'duplicate':
      return E.InvalidParameterTag(
        `The parameter - "Tag" is invalid: the key \`${problem.key}\` is given twice.`,
      );
    case 'too-many':
      return E.InvalidParameterTag(
        `The parameter - "Tag" is invalid: ${problem.count} tags, at most ${TAG_LIMITS.perResource}.`,
      );
  }
}

/**
 * `Tag` of a RAM call (`[{"Key":"k","Value":"v"}]`) as tags, checked; `InvalidParameter.Tag*`
 * otherwise.
 * @example
 * const tags = parseTagJson(input.Tag); // [] when absent
 */
export function parseTagJson(text: string | undefined): ResourceTag[] {
  if (text === undefined || text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    throw E.InvalidParameterTag(
      'The parameter - "Tag" is invalid: expected a JSON array of {"Key","Value"}.',
    );
  }
  const tags = parsed.map((t: unknown) => {
    const o = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
    if (typeof o.Key !== 'string' || (o.Value !== undefined && typeof o.Value !== 'string')) {
      throw E.InvalidParameterTag(
        'The parameter - "Tag" is invalid: each tag is {"Key": string, "Value": string}.',
      );
    }
    return { key: o.Key, value: (o.Value as string | undefined) ?? '' };
  });
  const problem = checkTags(tags);
  if (problem) throw tagError(problem);
  return tags;
}

function kindOf(type: string): Kind {
  const t = type.toLowerCase();
  if (t === 'role' || t === 'policy') return t;
  throw E.InvalidParameterResourceType(
    `The parameter - "ResourceType" is invalid: \`${type}\`; use role or policy.`,
  );
}

function names(given: string[] | undefined, required: boolean): string[] | undefined {
  const list = given?.filter((n) => n !== '');
  if (!list || list.length === 0) {
    if (!required) return undefined;
    throw E.InvalidParameterResourceNames(
      'The parameter - "ResourceNames" is invalid: name at least one role or policy.',
    );
  }
  if (list.length > TAG_LIMITS.resourcesPerRequest) {
    throw E.InvalidParameterResourceNames(
      `The parameter - "ResourceNames" is invalid: ${list.length} names, at most ${TAG_LIMITS.resourcesPerRequest}.`,
    );
  }
  return [...new Set(list)];
}

/** The name a custom policy id (`custom:<account>:<name>`, model.ts `policyId`) carries. */
const policyNameOf = (id: string) => id.slice(id.indexOf(':', id.indexOf(':') + 1) + 1);

/** Tags as RAM's List calls answer them on each role or policy (`Tags.Tag.N`); none: absent. */
export function tagsToWire(tags: readonly ResourceTag[] | undefined): Record<string, unknown> {
  if (!tags || tags.length === 0) return {};
  return { Tags: { Tag: tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) } };
}

/** TagResources, UntagResources, ListTagResources. */
export function ramTagHandlers(store: RamStore) {
  /**
   * The ids of the roles or custom policies named `list` (any case); EntityNotExist.* for the
   * others. A name written in another case is authorised on the stored spelling too, as every
   * RAM call naming an entity is (stored-names.ts).
   */
  const resolve = async (
    ctx: HandlerContext,
    kind: Kind,
    list: string[],
    action: string,
    missing: 'refuse' | 'skip',
  ) => {
    const ids: string[] = [];
    for (const name of list) {
      const found =
        kind === 'role'
          ? await store
              .getRole(ctx.accountId, name)
              .then((r) => r && { id: r.roleId, name: r.roleName })
          : await store
              .getPolicy(ctx.accountId, 'Custom', name)
              .then((p) => p && { id: p.policyId, name: p.policyName });
      if (!found) {
        if (missing === 'skip') continue;
        throw kind === 'role'
          ? E.EntityNotExistRole(`The role does not exist:${name}.`)
          : E.EntityNotExistPolicy(`The policy does not exist:${name}.`);
      }
      if (found.name !== name) {
        await ctx.authorize({ action, resource: ramArn(ctx.accountId, `${kind}/${found.name}`) });
      }
      ids.push(found.id);
    }
    return ids;
  };

  const tagResources: H<typeof Ops.TagResources> = async (ctx, input) => {
    const kind = kindOf(input.ResourceType);
    const list = names(input.ResourceNames, true)!;
    const tags = parseTagJson(input.Tag);
    if (tags.length === 0) {
      throw E.InvalidParameterTag('The parameter - "Tag" is invalid: give at least one tag.');
    }
    const ids = await resolve(ctx, kind, list, 'ram:TagResources', 'refuse');
    let r;
    try {
      r = await store.addTags(ctx.accountId, kind, ids, tags);
    } catch (e) {
      // Deleted since it was found: as if the delete had come first.
      if (e instanceof StoreError && e.kind === 'NotFound') {
        throw kind === 'role'
          ? E.EntityNotExistRole('The role does not exist.')
          : E.EntityNotExistPolicy('The policy does not exist.');
      }
      throw e;
    }
    if (!r.ok) {
      throw E.LimitExceededTag(
        `The count of tags beyond the current limits: a ${kind} would have ${r.count} tags, at most ${TAG_LIMITS.perResource}.`,
      );
    }
    return {};
  };

  const untagResources: H<typeof Ops.UntagResources> = async (ctx, input) => {
    const kind = kindOf(input.ResourceType);
    const list = names(input.ResourceNames, true)!;
    const keys = (input.TagKeys ?? []).filter((k) => k !== '');
    if (keys.length > TAG_LIMITS.perResource) {
      throw E.InvalidParameterTagKeys(
        `The parameter - "TagKeys" is invalid: ${keys.length} keys, at most ${TAG_LIMITS.perResource}.`,
      );
    }
    if (keys.length === 0 && input.All !== true) {
      throw E.InvalidParameterTagKeys(
        'The parameter - "TagKeys" is invalid: give TagKeys, or All=true to remove every tag.',
      );
    }
    const ids = await resolve(ctx, kind, list, 'ram:UntagResources', 'refuse');
    await store.removeTags(ctx.accountId, kind, ids, keys.length > 0 ? keys : 'all');
    return {};
  };

  const listTagResources: H<typeof Ops.ListTagResources> = async (ctx, input) => {
    const kind = kindOf(input.ResourceType);
    const list = names(input.ResourceNames, false);
    // A tag filter: resources with every tag given (a key without Value matches any value).
    const filter = parseTagJsonFilter(input.Tag);
    // Named resources that do not exist simply have no tags.
    const ids = await resolve(ctx, kind, list ?? [], 'ram:ListTagResources', 'skip');
    const after =
      input.NextToken !== undefined && input.NextToken !== ''
        ? decodeTagToken(input.NextToken, () =>
            E.InvalidParameterMarker('The parameter - "NextToken" is invalid.'),
          )
        : undefined;
    const page = await store.listTags({
      accountId: ctx.accountId,
      resourceType: kind,
      ...(list ? { resourceIds: ids } : {}),
      ...(filter.length > 0
        ? {
            match: (tags: readonly ResourceTag[]) => carriesAll(tags, filter),
          }
        : {}),
      ...(after ? { after } : {}),
      limit: input.PageSize ?? RAM_TAG_PAGE_SIZE,
    });
    const nameOf = new Map<string, string>();
    for (const e of page.entries) {
      if (nameOf.has(e.resourceId)) continue;
      nameOf.set(
        e.resourceId,
        kind === 'role'
          ? ((await store.getRoleById(e.resourceId))?.roleName ?? e.resourceId)
          : policyNameOf(e.resourceId),
      );
    }
    const last = page.entries[page.entries.length - 1];
    return {
      NextToken: page.more && last ? encodeTagToken(last) : '',
      TagResources: page.entries.map((e) => ({
        ResourceName: nameOf.get(e.resourceId) ?? e.resourceId,
        ResourceType: kind,
        TagKey: e.key,
        TagValue: e.value,
      })),
    };
  };

  return { tagResources, untagResources, listTagResources };
}

/**
 * `Tag` of ListTagResources, ListRoles and ListPolicies, a filter: like {@link parseTagJson}, but a
 * Value may be left out (any value). Empty when absent.
 * @example
 * const filter = parseTagJsonFilter(input.Tag); // [{ key: 'env' }]
 */
export function parseTagJsonFilter(text: string | undefined): TagMatch[] {
  if (text === undefined || text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length > TAG_LIMITS.perResource) {
    throw E.InvalidParameterTag(
      `The parameter - "Tag" is invalid: expected a JSON array of up to ${TAG_LIMITS.perResource} {"Key","Value"}.`,
    );
  }
  return parsed.map((t: unknown) => {
    const o = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
    if (typeof o.Key !== 'string' || (o.Value !== undefined && typeof o.Value !== 'string')) {
      throw E.InvalidParameterTag(
        'The parameter - "Tag" is invalid: each tag is {"Key": string, "Value": string}.',
      );
    }
    return { key: o.Key, ...(typeof o.Value === 'string' ? { value: o.Value } : {}) };
  });
}
