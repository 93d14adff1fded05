/**
 * @module What the parts of RAM's SQL store share: row mappers (snake_case rows to the camelCase
 * model), inserts that report constraint violations as `StoreError`s, name-ordered pages, counts,
 * and lookups by folded name (names.ts).
 */
import { StoreError } from '../../../kernel/errors.js';
import type { Db } from '../../../store/db.js';
import type {
  AccessKey,
  Group,
  Policy,
  PolicyType,
  PolicyVersion,
  PrincipalType,
  Role,
  User,
} from '../model.js';
import { foldName, pickByName, type NamedRow } from '../names.js';
import type { Page, PageRequest } from '../store.js';

/** A row as the drivers return it. */
export type Row = Record<string, any>;

export const toRole = (r: Row): Role => ({
  roleId: r.role_id,
  accountId: r.account_id,
  roleName: r.role_name,
  description: r.description,
  trustPolicy: r.trust_policy,
  maxSessionDuration: Number(r.max_session_duration),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
export const toUser = (r: Row): User => ({
  userId: r.user_id,
  accountId: r.account_id,
  userName: r.user_name,
  displayName: r.display_name,
  email: r.email,
  mobilePhone: r.mobile_phone,
  comments: r.comments,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
export const toGroup = (r: Row): Group => ({
  groupId: r.group_id,
  accountId: r.account_id,
  groupName: r.group_name,
  comments: r.comments,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
export const toPolicy = (r: Row): Policy => ({
  policyId: r.policy_id,
  accountId: r.account_id,
  policyType: r.policy_type,
  policyName: r.policy_name,
  description: r.description,
  defaultVersion: r.default_version,
  nextVersion: Number(r.next_version),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});
export const toVersion = (r: Row): PolicyVersion => ({
  policyId: r.policy_id,
  versionId: r.version_id,
  document: r.document,
  createdAt: Number(r.created_at),
});
export const toKey = (r: Row): AccessKey => ({
  accessKeyId: r.access_key_id,
  accountId: r.account_id,
  ...(r.user_id ? { userId: r.user_id } : {}),
  secret: r.secret,
  status: r.status,
  createdAt: Number(r.created_at),
  ...(r.last_used_at != null ? { lastUsedAt: Number(r.last_used_at) } : {}),
});
export const toDocument = (r: Row) => ({
  policyName: r.policy_name as string,
  policyType: r.policy_type as PolicyType,
  versionId: r.version_id as string,
  document: r.document as string,
});

/** The attachment column of a principal type. */
export function principalColumn(t: PrincipalType): 'role_id' | 'user_id' | 'group_id' {
  return t === 'Role' ? 'role_id' : t === 'User' ? 'user_id' : 'group_id';
}

/** `ram_attachments.principal_key` of a principal: `role:<id>`, `user:<id>`, `group:<id>`. */
export function principalKey(t: PrincipalType, id: string): string {
  return `${t.toLowerCase()}:${id}`;
}

/** Inserts a row; a unique violation is `AlreadyExists`, a foreign-key one `NotFound`. */
export async function insertRow(
  db: Db,
  table: string,
  values: Record<string, unknown>,
  entity: string,
): Promise<void> {
  try {
    await db.k.insertInto(table).values(values).execute();
  } catch (e) {
    if (db.dialect.isUniqueViolation(e)) throw new StoreError('AlreadyExists', entity);
    if (db.dialect.isForeignKeyViolation(e)) throw new StoreError('NotFound', entity);
    throw e;
  }
}

/** Runs an update; a unique violation (a rename onto a taken name) is `AlreadyExists`. */
export async function updateOrExists(db: Db, query: any, entity: string): Promise<void> {
  try {
    await query.execute();
  } catch (e) {
    if (db.dialect.isUniqueViolation(e)) throw new StoreError('AlreadyExists', entity);
    throw e;
  }
}

/** Deletes a row; a foreign-key violation (a concurrent reference) is a Conflict. */
export async function deleteOrConflict(
  tx: Db,
  table: string,
  col: string,
  id: string,
  entity: string,
): Promise<void> {
  try {
    await tx.k.deleteFrom(table).where(col, '=', id).execute();
  } catch (e) {
    if (tx.dialect.isForeignKeyViolation(e)) throw new StoreError('Conflict', entity);
    throw e;
  }
}

/** Number of rows of `table` matching every `column = value`. */
export async function countRows(
  db: Db,
  table: string,
  where: Record<string, unknown>,
): Promise<number> {
  let q = db.k.selectFrom(table).select((eb: any) => eb.fn.countAll().as('n'));
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v);
  const row: any = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Refuses (`Conflict`, `code`) when `table` already holds `limit` rows matching `where`: a count
 * against one of RAM's limits, taken under the lock that serialises the inserts it limits.
 * @example
 * await refuseAtLimit(tx, 'ram_roles', { account_id: accountId }, limit, 'LimitExceeded.Role');
 */
export async function refuseAtLimit(
  db: Db,
  table: string,
  where: Record<string, unknown>,
  limit: number,
  code: string,
): Promise<void> {
  if ((await countRows(db, table, where)) >= limit) throw new StoreError('Conflict', code);
}

/**
 * Refuses (`Conflict`, `code`) while any row of `table` matches `where`: an entity that is still
 * referenced (attached, a member, holding keys) is not deleted.
 * @example
 * await refuseIfReferenced(tx, 'ram_attachments', { role_id: roleId }, 'Role.Policy');
 */
export async function refuseIfReferenced(
  db: Db,
  table: string,
  where: Record<string, unknown>,
  code: string,
): Promise<void> {
  await refuseAtLimit(db, table, where, 1, code);
}

/** One page of `query` ordered by `nameColumn`, names strictly after `page.after`. */
export async function pageOf<T>(
  query: any,
  nameColumn: string,
  page: PageRequest,
  map: (r: Row) => T,
  nameOf: (t: T) => string,
): Promise<Page<T>> {
  let q = query.orderBy(nameColumn).limit(page.limit + 1);
  if (page.after !== undefined) q = q.where(nameColumn, '>', page.after);
  const rows: Row[] = await q.execute();
  const items = rows.slice(0, page.limit).map(map);
  return rows.length > page.limit ? { items, next: nameOf(items[items.length - 1]!) } : { items };
}

/**
 * The row of `table` that `name` addresses within `scope` (column values), without regard to
 * case: one indexed query on `(scope…, name_fold)`, then {@link pickByName}.
 */
export async function rowByName(
  db: Db,
  table: string,
  nameColumn: string,
  scope: Record<string, string>,
  name: string,
): Promise<Row | undefined> {
  let q = db.k.selectFrom(table).selectAll();
  for (const [k, v] of Object.entries(scope)) q = q.where(k, '=', v);
  const rows = (await q.where('name_fold', '=', foldName(name)).execute()) as Array<Row & NamedRow>;
  return pickByName(rows, name, (r) => r[nameColumn] as string);
}

/** Columns that file a new row under its folded name (it owns it: names are unique folded). */
export function foldedColumns(name: string): { name_fold: string; legacy_dup: string } {
  return { name_fold: foldName(name), legacy_dup: '' };
}

/**
 * Columns that file a renamed row under its new folded name. A legacy case-variant keeps its
 * `legacy_dup` while its exact name stays; given a new name it must own that name's fold (the
 * unique index then refuses a name another row holds in any case).
 */
export function renamedColumns(
  eb: any,
  nameColumn: string,
  name: string,
): { name_fold: string; legacy_dup: unknown } {
  return {
    name_fold: foldName(name),
    legacy_dup: eb.case().when(nameColumn, '=', name).then(eb.ref('legacy_dup')).else('').end(),
  };
}
