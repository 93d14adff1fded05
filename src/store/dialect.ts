/**
 * @module What differs between SQLite and PostgreSQL, as capability flags and small functions
 * (Kysely DialectAdapter), so no service ever writes `if (sqlite)`.
 */

/** The two supported SQL dialects. */
export type DialectName = 'sqlite' | 'postgres';

/** Capabilities and error classification of one dialect. */
export interface DialectInfo {
  readonly name: DialectName;
  /** True when several processes may share the database (PostgreSQL). */
  readonly multiNode: boolean;
  /**
   * True when a `delete … returning` may sit in a `with` read by the rest of the statement
   * (PostgreSQL), so a read and a delete are one round trip.
   */
  readonly modifyingCte: boolean;
  /** True when `e` is a unique/primary-key violation. */
  isUniqueViolation(e: unknown): boolean;
  /** True when `e` is a foreign-key violation. */
  isForeignKeyViolation(e: unknown): boolean;
  /** True when `e` is a serialisation failure or deadlock worth one retry. */
  isRetryable(e: unknown): boolean;
}

function code(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e
    ? String((e as { code: unknown }).code)
    : undefined;
}

/** SQLite (better-sqlite3) error classification. */
export const sqliteDialect: DialectInfo = {
  name: 'sqlite',
  multiNode: false,
  modifyingCte: false,
  isUniqueViolation: (e) =>
    code(e) === 'SQLITE_CONSTRAINT_UNIQUE' || code(e) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  isForeignKeyViolation: (e) => code(e) === 'SQLITE_CONSTRAINT_FOREIGNKEY',
  isRetryable: (e) => code(e) === 'SQLITE_BUSY',
};

/** PostgreSQL (pg) error classification, by SQLSTATE. */
export const postgresDialect: DialectInfo = {
  name: 'postgres',
  multiNode: true,
  modifyingCte: true,
  isUniqueViolation: (e) => code(e) === '23505',
  isForeignKeyViolation: (e) => code(e) === '23503',
  isRetryable: (e) => code(e) === '40001' || code(e) === '40P01',
};
