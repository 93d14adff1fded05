/**
 * @module Declaring RPC operations once (STYLE §5): name, parameters, authorisation and a doc line
 * feed the codec, the handler's types, the authz stage, docs and the console. Handlers are bound
 * to declarations in each service's `index.ts`.
 */
import type { ServiceError } from '../kernel/errors.js';
import type { AuthzCheck, HandlerContext, RequestInfo } from '../kernel/context.js';
import type { InputOf, ParamShape } from './rpc-schema.js';

/**
 * How an operation is authorised: a function giving the checks to pass before the handler runs;
 * `none` when no permission is needed (GetCallerIdentity); `handler` when the handler asks itself
 * (it must call `ctx.authorize`).
 */
export type AuthzSpec<S extends ParamShape> =
  ((input: InputOf<S>, info: RequestInfo) => AuthzCheck[]) | 'none' | 'handler';

/** One RPC operation's declaration. */
export interface OperationDecl<S extends ParamShape = ParamShape> {
  name: string;
  params: S;
  authz: AuthzSpec<S>;
  /**
   * Actions the handler checks itself, besides the declared ones (`ram:PassRole` of a launch) or
   * instead of them (`authz: 'handler'`; default there `<product>:<Name>`): for the action
   * catalogue (`services/catalogue.ts`), the console and the docs.
   */
  handlerActions?: readonly string[];
  doc: string;
  /** True for calls that only read state (console, docs). */
  readOnly?: boolean;
  /**
   * True for calls Alibaba serves unsigned (`authType: Anonymous` in the SDKs, such as STS
   * AssumeRoleWithOIDC): the authn stage is skipped and the handler sees the anonymous principal;
   * it must authenticate the request itself (by the token it carries).
   */
  anonymous?: boolean;
}

/** Declares an operation. */
export function defineOperation<S extends ParamShape>(decl: OperationDecl<S>): OperationDecl<S> {
  return decl;
}

/** A handler: `(ctx, input) => output` (output in wire shape, without RequestId). */
export type Handler<S extends ParamShape> = (
  ctx: HandlerContext,
  input: InputOf<S>,
) => Promise<Record<string, unknown>>;

/** A declaration with its handler. */
export interface BoundOperation {
  decl: OperationDecl<any>;
  handler: Handler<any>;
}

/** Binds a handler to its declaration (type-checked against the declared parameters). */
export function bind<S extends ParamShape>(
  decl: OperationDecl<S>,
  handler: Handler<S>,
): BoundOperation {
  return { decl, handler };
}

/** A product served on the RPC gateway (one API version). */
export interface RpcProduct {
  /** Product code, e.g. `Ram`, `Sts`, `Ecs`, `Vpc`. */
  product: string;
  version: string;
  /** Endpoint host name used as `HostId` in errors, e.g. `ram.aliyuncs.com`. */
  hostId(region: string): string;
  /** The product's denial error, carrying the explanation. */
  denied(message: string, detail: Record<string, unknown>): ServiceError;
  operations: BoundOperation[];
}
