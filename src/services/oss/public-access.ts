/**
 * @module What Block Public Access treats as public (doc: "Block Public Access"): the
 * `public-read` and `public-read-write` ACLs, and bucket policy Allow statements whose `Principal`
 * is everyone (`*`, alone or in a list; a statement without `Principal` applies to everyone too).
 * Pure helpers for `authz.ts` (which ignores public grants while blocked) and the handlers (which
 * refuse new ones).
 */
/** A JSON value. */
type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

/** True for an ACL that grants access to everyone. */
export function isPublicAcl(acl: string | undefined): boolean {
  return acl === 'public-read' || acl === 'public-read-write';
}

function principalIsEveryone(p: JsonValue | undefined): boolean {
  if (p === undefined) return true;
  if (p === '*') return true;
  if (Array.isArray(p)) return p.some((x) => principalIsEveryone(x));
  if (p !== null && typeof p === 'object') {
    return Object.values(p).some((x) => x === '*' || (Array.isArray(x) && x.includes('*')));
  }
  return false;
}

function isPublicStatement(s: JsonValue): boolean {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return false;
  const effect = (s as Record<string, JsonValue>)['Effect'];
  return effect === 'Allow' && principalIsEveryone((s as Record<string, JsonValue>)['Principal']);
}

const withoutPublic = new Map<string, string | null>();
const MAX_REMEMBERED = 256;

/**
 * The bucket policy `text` with its public Allow statements removed, or `null` when it has none
 * (remembered per document, as compilation is). A document that does not parse is returned as
 * is: it never allowed anything.
 * @example
 * privatePart('{"Version":"1","Statement":[{"Effect":"Allow","Principal":["*"],...}]}')
 * // '{"Version":"1","Statement":[]}'
 */
export function privatePart(text: string): string | null {
  const known = withoutPublic.get(text);
  if (known !== undefined) return known;
  let result: string | null = null;
  let parsed: JsonValue;
  try {
    // INVARIANT: stored policies passed validation (and its size limit) when they were put.
    parsed = JSON.parse(text) as JsonValue;
  } catch {
    parsed = null;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const doc = parsed;
    const list = Array.isArray(doc['Statement']) ? doc['Statement'] : [doc['Statement'] ?? null];
    if (list.some(isPublicStatement)) {
      result = JSON.stringify({ ...doc, Statement: list.filter((s) => !isPublicStatement(s)) });
    }
  }
  if (withoutPublic.size >= MAX_REMEMBERED) withoutPublic.clear();
  withoutPublic.set(text, result);
  return result;
}

/** True when a bucket policy document has a public Allow statement. */
export function hasPublicStatement(text: string | undefined): boolean {
  return text !== undefined && privatePart(text) !== null;
}
