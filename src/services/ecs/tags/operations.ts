/**
 * @module ECS's tag calls (TagResources, UntagResources, ListTagResources), declared once. Counts
 * and tag rules are checked by the handlers, which answer ECS's own codes for them
 * (`NumberExceed.*`, `InvalidTagKey.Malformed`…); the declarations only bound the sizes.
 */
import type { AuthzCheck, RequestInfo } from '../../../kernel/context.js';
import { TAG_LIMITS } from '../../../kernel/tags.js';
import { defineOperation } from '../../../protocol/rpc-operation.js';
import { p } from '../../../protocol/rpc-schema.js';
import { ecsArn } from '../model.js';

// Generous bounds on what is read at all; the documented limits (50 resources, 20 tags, 128
// characters) are the handlers' business, with ECS's codes.
const HARD_MAX_ITEMS = 1000;
const HARD_MAX_CHARS = 1024;

const RegionId = p.required(p.str({ min: 1, max: 64, doc: 'region id (the served region)' }));
const ResourceType = p.str({
  max: 64,
  doc: 'required: instance, securitygroup, disk, keypair, eni, image, … (doc "TagResources")',
});
const ResourceId = p.list(p.str({ max: 256 }), {
  max: HARD_MAX_ITEMS,
  doc: 'resource ids (ResourceId.N), 1-50',
});
const TagKey = p.str({ max: HARD_MAX_CHARS, doc: 'tag key, 1-128 characters' });
const TagValue = p.str({ max: HARD_MAX_CHARS, doc: 'tag value, 0-128 characters' });

/**
 * `Tag.N` of a Describe call: only resources carrying all these tags (a key without a value
 * matches any value); at most 20, as ECS documents.
 */
export const TagFilterParam = p.objectList(
  { Key: TagKey, Value: TagValue },
  {
    max: TAG_LIMITS.perResource,
    doc: 'only resources with all these tags (Tag.N.Key, Tag.N.Value)',
  },
);

/** ARN of one tagged resource (`instance/i-…`, `securitygroup/sg-…`). */
const resourceArn = (info: RequestInfo, i: { RegionId?: string }, type: string, id: string) =>
  ecsArn(i.RegionId ?? info.region, info.accountId, `${type}/${id}`);

/** The action on each named resource, or on every resource of the type when none is named. */
const eachResource =
  (action: string) =>
  (i: any, info: RequestInfo): AuthzCheck[] => {
    const type = String(i.ResourceType ?? '').toLowerCase() || '*';
    const ids: string[] = [...new Set<string>(i.ResourceId ?? [])];
    if (ids.length === 0) return [{ action, resource: resourceArn(info, i, type, '*') }];
    return ids.map((id) => ({ action, resource: resourceArn(info, i, type, id) }));
  };

export const TagResources = defineOperation({
  name: 'TagResources',
  params: {
    RegionId,
    ResourceType,
    ResourceId,
    Tag: p.objectList(
      { Key: TagKey, Value: TagValue },
      { max: HARD_MAX_ITEMS, doc: 'tags to add (Tag.N.Key, Tag.N.Value), 1-20' },
    ),
  },
  authz: eachResource('ecs:TagResources'),
  doc: 'Add tags to ECS resources (a key already there takes the new value); at most 20 per resource',
});

export const UntagResources = defineOperation({
  name: 'UntagResources',
  params: {
    RegionId,
    ResourceType,
    ResourceId,
    TagKey: p.list(TagKey, { max: HARD_MAX_ITEMS, doc: 'keys to remove (TagKey.N), 1-20' }),
    All: p.bool({ doc: 'remove every tag (when no TagKey.N is given)' }),
  },
  authz: eachResource('ecs:UntagResources'),
  doc: 'Remove tags from ECS resources',
});

export const ListTagResources = defineOperation({
  name: 'ListTagResources',
  params: {
    RegionId,
    ResourceType,
    ResourceId,
    Tag: p.objectList(
      { Key: TagKey, Value: TagValue },
      { max: HARD_MAX_ITEMS, doc: 'only resources with all these tags (Tag.N.Key, Tag.N.Value)' },
    ),
    TagFilter: p.objectList(
      {
        TagKey,
        TagValues: p.list(TagValue, { max: HARD_MAX_ITEMS, doc: 'values (TagValues.N)' }),
      },
      {
        max: HARD_MAX_ITEMS,
        doc: 'fuzzy filters (TagFilter.N.TagKey, TagFilter.N.TagValues.N): `env*`, `*env*`',
      },
    ),
    NextToken: p.str({ max: 256, doc: 'token from the previous page' }),
  },
  authz: eachResource('ecs:ListTagResources'),
  readOnly: true,
  doc: 'List the tags of ECS resources, 50 per page',
});
