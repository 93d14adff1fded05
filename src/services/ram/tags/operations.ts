/**
 * @module RAM's tag calls (2015-05-01): TagResources, UntagResources and ListTagResources on roles
 * and custom policies, declared once. `ResourceNames`, `Tag` and `TagKeys` are JSON text, as the
 * official SDKs send them (`[{"Key":"k","Value":"v"}]`); the handlers parse and check them.
 */
import type { AuthzCheck } from '../../../kernel/context.js';
import { ramArn } from '../../../kernel/principal.js';
import { defineOperation } from '../../../protocol/rpc-operation.js';
import { p } from '../../../protocol/rpc-schema.js';
import { InvalidParameterResourceNames, InvalidParameterTagKeys } from '../errors.js';

/** Bound on the JSON of `Tag` (20 tags of 128 + 128 characters, with room to spare). */
export const MAX_TAG_JSON = 16 * 1024;

const ResourceType = p.required(p.str({ max: 64, doc: 'role or policy' }));
const ResourceNames = p.jsonStringArray({
  maxItems: 1000,
  error: InvalidParameterResourceNames,
  doc: 'names of the roles or policies, a JSON array of 1-50, e.g. ["AppRole"]',
});
/** `Tag`: a JSON array of `{"Key","Value"}`, for tag calls and CreateRole / CreatePolicy. */
export const TagJson = p.str({
  max: MAX_TAG_JSON,
  doc: 'tags, a JSON array of up to 20 {"Key","Value"}',
});

/** The action on each named role or policy (`acs:ram::<uid>:role/<name>`), or on all of them. */
const eachResource =
  (action: string) =>
  (i: any, info: { accountId: string }): AuthzCheck[] => {
    const kind = i.ResourceType === 'policy' ? 'policy' : 'role';
    const names: string[] = [...new Set<string>(i.ResourceNames ?? [])];
    if (names.length === 0) return [{ action, resource: ramArn(info.accountId, `${kind}/*`) }];
    return names.map((n) => ({ action, resource: ramArn(info.accountId, `${kind}/${n}`) }));
  };

export const TagResources = defineOperation({
  name: 'TagResources',
  params: { ResourceType, ResourceNames: p.required(ResourceNames), Tag: p.required(TagJson) },
  authz: eachResource('ram:TagResources'),
  doc: 'Add tags to roles or custom policies (a key already there takes the new value)',
});

export const UntagResources = defineOperation({
  name: 'UntagResources',
  params: {
    ResourceType,
    ResourceNames: p.required(ResourceNames),
    TagKeys: p.jsonStringArray({
      maxItems: 1000,
      error: InvalidParameterTagKeys,
      doc: 'keys to remove, a JSON array of up to 20',
    }),
    All: p.bool({ doc: 'remove every tag (when TagKeys is not given)' }),
  },
  authz: eachResource('ram:UntagResources'),
  doc: 'Remove tags from roles or custom policies',
});

export const ListTagResources = defineOperation({
  name: 'ListTagResources',
  params: {
    ResourceType,
    ResourceNames,
    Tag: TagJson,
    NextToken: p.str({ max: 512, doc: 'token from the previous page' }),
    PageSize: p.int({ min: 1, max: 100, doc: 'entries per page, 1-100 (50)' }),
  },
  authz: eachResource('ram:ListTagResources'),
  readOnly: true,
  doc: 'List the tags of roles or custom policies',
});
