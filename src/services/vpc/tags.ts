/**
 * @module Tags on cloud resources, as VPC's and ECS's tag parameters define them (doc
 * "TagResources", "CreateVpc" `Tag.N`): what a key and a value may be, and the pure merge and
 * removal that TagResources and UnTagResources apply, at most 20 tags per resource. ECS's
 * security groups use the same rules (the codes are the same in both products).
 */
import * as E from './errors.js';
import type { Tag } from './model.js';

/** Most tags one resource carries, and most one call sets. */
export const MAX_TAGS = 20;

/** A tag as a request carries it (`Tag.N.Key`, `Tag.N.Value`). */
export interface TagParam {
  Key?: string;
  Value?: string;
}

// Keys and values may not start with these (reserved for Alibaba Cloud), nor name a URL.
const RESERVED_PREFIXES = ['aliyun', 'acs:'];
const URL_MARKERS = ['http://', 'https://'];

function charLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Why `key` is not a tag key, or undefined when it is one. */
export function tagKeyProblem(key: string): string | undefined {
  const n = charLength(key);
  if (n < 1 || n > 128) return 'a tag key has 1 to 128 characters';
  const lower = key.toLowerCase();
  if (RESERVED_PREFIXES.some((p) => lower.startsWith(p))) {
    return 'a tag key may not start with `aliyun` or `acs:`';
  }
  if (URL_MARKERS.some((m) => lower.includes(m))) {
    return 'a tag key may not contain http:// or https://';
  }
  return undefined;
}

/** Why `value` is not a tag value, or undefined when it is one. */
export function tagValueProblem(value: string): string | undefined {
  if (charLength(value) > 128) return 'a tag value has at most 128 characters';
  const lower = value.toLowerCase();
  if (URL_MARKERS.some((m) => lower.includes(m))) {
    return 'a tag value may not contain http:// or https://';
  }
  return undefined;
}

/**
 * The tags of a request, checked: `InvalidTagKey.Malformed`, `InvalidTagValue.Malformed`,
 * `Duplicate.TagKey`, `NumberExceed.Tags`. A missing value is empty.
 * @example
 * checkTags([{ Key: 'env', Value: 'test' }]) // [{ key: 'env', value: 'test' }]
 */
export function checkTags(params: TagParam[] | undefined): Tag[] {
  if (params === undefined) return [];
  if (params.length > MAX_TAGS) {
    throw E.NumberExceedTags(
      `The Tags parameter's number is exceed , Valid : ${MAX_TAGS}. ${params.length} were given.`,
    );
  }
  const out: Tag[] = [];
  for (const [i, t] of params.entries()) {
    const key = t.Key ?? '';
    const value = t.Value ?? '';
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) {
      throw E.VpcInvalidTagKeyMalformed(
        `The specified Tag.n.Key is not valid: Tag.${i + 1}.Key: ${keyProblem}.`,
      );
    }
    const valueProblem = tagValueProblem(value);
    if (valueProblem) {
      throw E.VpcInvalidTagValueMalformed(
        `The specified Tag.n.Value is not valid: Tag.${i + 1}.Value: ${valueProblem}.`,
      );
    }
    if (out.some((o) => o.key === key)) {
      throw E.DuplicateTagKey(`The Tag.N.Key contain duplicate key: \`${key}\` is given twice.`);
    }
    out.push({ key, value });
  }
  return out;
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
  const out = current.map((t) => ({ ...t }));
  for (const t of added) {
    const at = out.findIndex((o) => o.key === t.key);
    if (at >= 0) out[at] = { ...t };
    else out.push({ ...t });
  }
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
  return filter.every((f) =>
    tags.some((t) => t.key === f.Key && (f.Value === undefined || t.value === f.Value)),
  );
}
