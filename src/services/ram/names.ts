/**
 * @module How RAM compares names. Role, user, group and policy names are unique within an account
 * without regard to case, and found without regard to case wherever a name or ARN is accepted
 * (`acs:ram::<uid>:role/aliyunlogdefaultrole` finds AliyunLogDefaultRole, as public code writes
 * it); responses keep the name as it was created. The API admits only ASCII letters, digits and
 * `. _ -` in these names (operations.ts), so folding ASCII letters is the whole comparison.
 */

/**
 * The folded form of a name: ASCII upper-case letters lower-cased, nothing else changed (the key
 * of `name_fold` columns and of the role read cache).
 * @example
 * foldName('AliyunOSSReadOnlyAccess'); // 'aliyunossreadonlyaccess'
 */
export function foldName(name: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      out += name.slice(start, i) + String.fromCharCode(c + 32);
      start = i + 1;
    }
  }
  return start === 0 ? name : out + name.slice(start);
}

/** A stored row as the name lookups see it (column names as in the RAM tables). */
export interface NamedRow {
  /** `''` for the owner of its folded name; a legacy case-variant's own id (migration 0002). */
  legacy_dup: string;
  created_at: number | string;
}

/**
 * Picks the row a name addresses among the rows sharing its folded form: the one spelled exactly
 * so, else the owner of the folded name, else the oldest. Several rows share a folded name only
 * in data written before names were folded (migration 0002 keeps them all, each reachable by its
 * exact name).
 * @example
 * pickByName(rows, 'approle', (r) => r.role_name); // the AppRole row
 */
export function pickByName<R extends NamedRow>(
  rows: readonly R[],
  name: string,
  nameOf: (r: R) => string,
): R | undefined {
  if (rows.length <= 1) return rows[0];
  return (
    rows.find((r) => nameOf(r) === name) ??
    rows.find((r) => r.legacy_dup === '') ??
    [...rows].sort((a, b) => Number(a.created_at) - Number(b.created_at))[0]
  );
}
