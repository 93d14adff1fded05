/**
 * @module Errors in three layers, translated once (MinIO storage-errors -> api-errors): stores throw
 * {@link StoreError}; handlers map those to {@link ServiceError}s declared in each service's
 * `errors.ts` with {@link defineError}; anything else becomes a 500 `InternalError` in the gateway.
 */

/** An error the caller sees, in the service's own wire format. */
export class ServiceError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra wire fields (e.g. OSS `ServerTime`, RPC `AccessDeniedDetail`). */
  readonly fields: Record<string, unknown>;
  /** Extra response headers. */
  readonly headers: Record<string, string>;
  constructor(
    code: string,
    status: number,
    message: string,
    fields: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
    this.code = code;
    this.status = status;
    this.fields = fields;
    this.headers = headers;
  }
  /** True for 4xx. */
  get senderFault(): boolean {
    return this.status < 500;
  }
}

/** A declared error: call it with a message (or use its default) to get a {@link ServiceError}. */
export interface ErrorDef {
  readonly code: string;
  readonly status: number;
  readonly defaultMessage: string;
  (message?: string, fields?: Record<string, unknown>): ServiceError;
}

const catalogue = new Map<string, ErrorDef>();

/**
 * Declares an error code once, with its HTTP status and Alibaba's wording.
 * @example
 * export const EntityNotExistRole = defineError('EntityNotExist.Role', 404, 'The role does not exist.');
 * throw EntityNotExistRole();
 */
export function defineError(code: string, status: number, defaultMessage: string): ErrorDef {
  const make = ((message?: string, fields?: Record<string, unknown>) =>
    new ServiceError(code, status, message ?? defaultMessage, fields ?? {})) as ErrorDef;
  Object.defineProperties(make, {
    code: { value: code },
    status: { value: status },
    defaultMessage: { value: defaultMessage },
  });
  const existing = catalogue.get(code);
  if (!existing || existing.status === status) catalogue.set(code, make);
  return make;
}

/** Every error code declared so far (the docs/errors.md test reads it). */
export function declaredErrors(): ErrorDef[] {
  return [...catalogue.values()];
}

/** Kinds of failure a store reports; handlers translate them. */
export type StoreErrorKind = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Unavailable';

/** A failure inside a store implementation. */
export class StoreError extends Error {
  readonly kind: StoreErrorKind;
  /** What was involved, e.g. the constraint or entity name. */
  readonly entity: string;
  constructor(kind: StoreErrorKind, entity: string, message?: string) {
    super(message ?? `${kind.toLowerCase()}: ${entity}`);
    this.name = 'StoreError';
    this.kind = kind;
    this.entity = entity;
  }
}

/** True when `e` is a {@link StoreError} of `kind`. */
export function isStoreError(e: unknown, kind?: StoreErrorKind): e is StoreError {
  return e instanceof StoreError && (kind === undefined || e.kind === kind);
}
