/**
 * @module VPC's tag calls (TagResources, UnTagResources, ListTagResources) for VPCs, vSwitches and
 * route tables, the resource types Terraform's `alicloud_vpc` and `alicloud_vswitch` tag. Each
 * call changes all its resources or none; listings page with an opaque token.
 */
import { InvalidParameter } from '../../protocol/rpc-errors.js';
import * as E from './errors.js';
import { checkRegion, type H } from './handlers.js';
import type { Tag } from './model.js';
import { TAGGABLE } from './operations.js';
import type * as Ops from './operations.js';
import type { TaggedKind, VpcStore } from './store.js';
import { checkTags, hasTags, tagKeyProblem, withTags, withoutTags, type TagParam } from './tags.js';

/** Most resources one tag call names (doc "TagResources": NumberExceed.ResourceIds). */
const MAX_RESOURCES = 50;

/** The resource type of a tag call: VPC, VSWITCH or ROUTETABLE in any case. */
function kindOf(resourceType: string): { kind: TaggedKind; wire: string } {
  const wire = resourceType.toUpperCase();
  const kind = TAGGABLE[wire as keyof typeof TAGGABLE];
  if (kind === undefined) {
    throw E.InvalidResourceTypeNotFound(
      `The ResourceType provided does not exist in our records: \`${resourceType}\` (yunbox's VPC tags VPC, VSWITCH and ROUTETABLE).`,
    );
  }
  return { kind, wire };
}

function resourceIds(ids: string[] | undefined): string[] {
  const out = [...new Set(ids ?? [])];
  if (out.length > MAX_RESOURCES) {
    throw E.NumberExceedResourceIds(
      `The ResourceIds parameter's number is exceed , Valid : ${MAX_RESOURCES}. ${out.length} were given.`,
    );
  }
  return out;
}

/** The resources of `kind` in the account, with their tags. */
async function taggedResources(
  store: VpcStore,
  accountId: string,
  regionId: string,
  kind: TaggedKind,
): Promise<Array<{ id: string; tags: Tag[] }>> {
  if (kind === 'vswitch') {
    return (await store.listVSwitches(accountId, regionId, {})).map((s) => ({
      id: s.vswitchId,
      tags: s.tags ?? [],
    }));
  }
  const vpcs = await store.listVpcs(accountId, regionId, {});
  return kind === 'vpc'
    ? vpcs.map((v) => ({ id: v.vpcId, tags: v.tags ?? [] }))
    : vpcs.map((v) => ({ id: v.routeTableId, tags: v.routeTableTags ?? [] }));
}

/** TagResources, UnTagResources and ListTagResources over a store. */
export function tagHandlers(store: VpcStore) {
  const missing = (id: string) =>
    E.InvalidResourceIdNotFound(
      `The specified ResourceIds are not found in our records: \`${id}\`.`,
    );

  const tagResources: H<typeof Ops.TagResources> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const { kind } = kindOf(input.ResourceType);
    const ids = resourceIds(input.ResourceId);
    const tags = checkTags(input.Tag);
    const absent = await store.changeTags(kind, ctx.accountId, ids, (current, id) =>
      withTags(current, tags, id),
    );
    if (absent !== undefined) throw missing(absent);
    return {};
  };

  const unTagResources: H<typeof Ops.UnTagResources> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const { kind } = kindOf(input.ResourceType);
    const ids = resourceIds(input.ResourceId);
    const keys = input.TagKey ?? [];
    if (keys.length > 20) {
      throw E.NumberExceedTags(
        `The Tags parameter's number is exceed , Valid : 20. ${keys.length} keys were given.`,
      );
    }
    for (const [i, key] of keys.entries()) {
      const problem = tagKeyProblem(key);
      if (problem) {
        throw E.VpcInvalidTagKeyMalformed(
          `The specified Tag.n.Key is not valid: TagKey.${i + 1}: ${problem}.`,
        );
      }
    }
    const which = input.All === true ? ('all' as const) : keys;
    const absent = await store.changeTags(kind, ctx.accountId, ids, (current) =>
      withoutTags(current, which),
    );
    if (absent !== undefined) throw missing(absent);
    return {};
  };

  const listTagResources: H<typeof Ops.ListTagResources> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const { kind, wire } = kindOf(input.ResourceType);
    const ids = resourceIds(input.ResourceId);
    const filter: TagParam[] = input.Tag ?? [];
    const rows = (await taggedResources(store, ctx.accountId, regionId, kind)).filter(
      (r) => (ids.length === 0 || ids.includes(r.id)) && hasTags(r.tags, filter),
    );
    const all = rows.flatMap((r) =>
      r.tags.map((t) => ({
        ResourceId: r.id,
        ResourceType: wire,
        TagKey: t.key,
        TagValue: t.value,
      })),
    );
    let from = 0;
    if (input.NextToken !== undefined && input.NextToken !== '') {
      const m = /^at:(\d{1,9})$/.exec(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
      if (!m) throw InvalidParameter('The specified parameter "NextToken" is not valid.');
      from = Number(m[1]);
    }
    const size = input.MaxResults ?? 50;
    const items = all.slice(from, from + size);
    return {
      NextToken:
        from + size < all.length ? Buffer.from(`at:${from + size}`).toString('base64url') : '',
      TagResources: { TagResource: items },
    };
  };

  return { tagResources, unTagResources, listTagResources };
}
