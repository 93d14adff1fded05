/**
 * @module Resource tags as every Alibaba service that tags resources (ECS, RAM) takes them: the
 * rules for one key and one value, the limits per request and per resource, and how new tags merge
 * into a resource's (a key already present takes the new value). Pure; each service maps a
 * {@link TagProblem} to its own error code and keeps the tags in its own table.
 *
 * Limits (ECS "TagResources" and "Limits > Tag limits"; RAM "TagResources"): a key is 1-128
 * characters and may not start with `aliyun` or `acs:`; a value is 0-128 characters and may not
 * start with `acs:`; neither may contain `http://` or `https://`; at most 20 tags per request and
 * per resource, at most 50 resources per request.
 */

/** A tag (one value per key on a resource). */
export interface ResourceTag {
  key: string;
  value: string;
}

/** Tag limits shared by the services. */
export const TAG_LIMITS = Object.freeze({
  keyMax: 128,
  valueMax: 128,
  /** Tags one request may add, and tags one resource may carry. */
  perResource: 20,
  /** Resources one request may name. */
  resourcesPerRequest: 50,
});

/** What is wrong with a set of tags; services map each kind to their own error. */
export type TagProblem =
  | { kind: 'key'; key: string; reason: string }
  | { kind: 'value'; key: string; reason: string }
  | { kind: 'duplicate'; key: string }
  | { kind: 'too-many'; count: number };

const hasUrl = (s: string) => {
  const lower = s.toLowerCase();
  return lower.includes('http://') || lower.includes('https://');
};
const chars = (s: string) => [...s].length;

/**
 * Why `key` cannot be a tag key, or `undefined` when it can.
 * @example
 * tagKeyProblem('aliyun-x') // 'it may not start with `aliyun` or `acs:`'
 */
export function tagKeyProblem(key: string): string | undefined {
  if (key === '') return 'it may not be empty';
  if (chars(key) > TAG_LIMITS.keyMax) return `it is longer than ${TAG_LIMITS.keyMax} characters`;
  const lower = key.toLowerCase();
  if (lower.startsWith('aliyun') || lower.startsWith('acs:')) {
    return 'it may not start with `aliyun` or `acs:`';
  }
  if (hasUrl(key)) return 'it may not contain `http://` or `https://`';
  return undefined;
}

/** Why `value` cannot be a tag value, or `undefined` when it can. */
export function tagValueProblem(value: string): string | undefined {
  if (chars(value) > TAG_LIMITS.valueMax) {
    return `it is longer than ${TAG_LIMITS.valueMax} characters`;
  }
  if (value.toLowerCase().startsWith('acs:')) return 'it may not start with `acs:`';
  if (hasUrl(value)) return 'it may not contain `http://` or `https://`';
  return undefined;
}

/**
 * The first problem of the tags one request gives (keys, values, repeated keys, more than 20),
 * or `undefined` when they can be applied.
 */
export function checkTags(tags: readonly ResourceTag[]): TagProblem | undefined {
  if (tags.length > TAG_LIMITS.perResource) return { kind: 'too-many', count: tags.length };
  const seen = new Set<string>();
  for (const t of tags) {
    const k = tagKeyProblem(t.key);
    if (k) return { kind: 'key', key: t.key, reason: k };
    const v = tagValueProblem(t.value);
    if (v) return { kind: 'value', key: t.key, reason: v };
    if (seen.has(t.key)) return { kind: 'duplicate', key: t.key };
    seen.add(t.key);
  }
  return undefined;
}

/**
 * `current` with `added` applied: a key already present takes the new value in place, new keys
 * follow in the order given. Neither input is changed.
 * @example
 * mergeTags([{ key: 'a', value: '1' }], [{ key: 'a', value: '2' }, { key: 'b', value: '' }])
 * // [{ key: 'a', value: '2' }, { key: 'b', value: '' }]
 */
export function mergeTags(
  current: readonly ResourceTag[],
  added: readonly ResourceTag[],
): ResourceTag[] {
  const out = current.map((t) => ({ key: t.key, value: t.value }));
  for (const t of added) {
    const at = out.findIndex((x) => x.key === t.key);
    if (at >= 0) out[at] = { key: t.key, value: t.value };
    else out.push({ key: t.key, value: t.value });
  }
  return out;
}

/** Where a ListTagResources page ended: the last resource and tag key it answered. */
export interface TagPagePosition {
  resourceId: string;
  key: string;
}

/** The NextToken of a ListTagResources page that ended at `after` (ECS and RAM). */
export function encodeTagToken(after: TagPagePosition): string {
  return Buffer.from(JSON.stringify([after.resourceId, after.key])).toString('base64url');
}

/** The position a NextToken names; `malformed()` is the service's error for any other text. */
export function decodeTagToken(token: string, malformed: () => Error): TagPagePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string'
  ) {
    throw malformed();
  }
  return { resourceId: parsed[0], key: parsed[1] };
}
