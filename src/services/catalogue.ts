/**
 * @module Every RPC product as declared, without a database: for generated docs, the console's
 * forms and the action catalogue (handlers are bound to a store that is never opened). What each
 * operation is authorised against is read from its declaration: the `authz` function called on
 * placeholder input, plus the `handlerActions` a handler checks itself.
 */
import type { Principal } from '../kernel/principal.js';
import type { RequestInfo } from '../kernel/context.js';
import { ActionCatalogue } from '../policy/action-catalogue.js';
import type { OperationDecl, RpcProduct } from '../protocol/rpc-operation.js';
import type { ParamInfo, ParamShape } from '../protocol/rpc-schema.js';
import type { Db } from '../store/db.js';
import { createServices } from './index.js';
import { OSS_OPERATIONS } from './oss/operations.js';

/** The declared products (their handlers must not be called). */
export function allDeclaredProducts(): RpcProduct[] {
  const unusable = new Proxy({} as Db, {
    get() {
      throw new Error('the catalogue has no database');
    },
  });
  return createServices(unusable).products;
}

function placeholder(name: string, info: ParamInfo): unknown {
  switch (info.type) {
    case 'string':
      return `{${name}}`;
    case 'integer':
      return info.min ?? 1;
    case 'boolean':
      return false;
    case 'json-array':
    case 'list':
      return [`{${name}}`];
    case 'object-list':
      return [];
  }
}

/** What an operation is checked against, as {@link declaredChecks} reads it. */
export interface DeclaredChecks {
  /** RAM actions, the declared ones first, then those the handler checks. */
  actions: string[];
  /** Resource templates (`{AccountId}`, `{RoleName}` … where the request fills in a value). */
  resources: string[];
  authz: 'declared' | 'handler' | 'none';
}

/**
 * The checks of operation `decl` of product `product` (e.g. `Ram`) for placeholder input: its
 * actions and resource templates. An operation whose handler checks gets its `handlerActions`, or
 * `<product>:<Name>` when it declares none.
 * @example
 * declaredChecks('Ram', CreateRole, 'cn-hangzhou');
 * // { actions: ['ram:CreateRole'], resources: ['acs:ram::{AccountId}:role/{RoleName}'], authz: 'declared' }
 */
export function declaredChecks(
  product: string,
  decl: OperationDecl<any>,
  region: string,
): DeclaredChecks {
  const extra = decl.handlerActions ?? [];
  if (decl.authz === 'none') return { actions: [...extra], resources: [], authz: 'none' };
  if (decl.authz === 'handler') {
    const actions = extra.length ? [...extra] : [`${product.toLowerCase()}:${decl.name}`];
    return { actions, resources: [], authz: 'handler' };
  }
  const input: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(decl.params as ParamShape)) {
    input[name] = placeholder(name, param.info);
  }
  const principal: Principal = {
    kind: 'account',
    accountId: '{AccountId}',
    accessKeyId: '{AccessKeyId}',
  };
  const info = { accountId: '{AccountId}', region, principal, now: 0 } as unknown as RequestInfo;
  try {
    const checks = decl.authz(input as never, info);
    return {
      actions: [...new Set([...checks.map((c) => c.action), ...extra])],
      resources: [...new Set(checks.map((c) => c.resource))],
      authz: 'declared',
    };
  } catch {
    return {
      actions: [...new Set([`${product.toLowerCase()}:${decl.name}`, ...extra])],
      resources: [],
      authz: 'declared',
    };
  }
}

/**
 * Every action the services check: each RPC operation's {@link declaredChecks} and each OSS
 * operation's `action`, `versionAction` and `handlerActions`; sorted, without repeats.
 */
export function declaredActions(products: readonly RpcProduct[] = allDeclaredProducts()): string[] {
  const all = new Set<string>();
  for (const p of products) {
    for (const op of p.operations) {
      for (const a of declaredChecks(p.product, op.decl, 'cn-hangzhou').actions) all.add(a);
    }
  }
  for (const op of OSS_OPERATIONS) {
    if (op.action) all.add(op.action);
    if (op.versionAction) all.add(op.versionAction);
    for (const a of op.handlerActions ?? []) all.add(a);
  }
  return [...all].sort();
}

let catalogue: ActionCatalogue | undefined;

/**
 * The action catalogue of the declared services (built on first use), for `policy validate`,
 * `policy simulate` and tests; the console builds its own from the API catalogue it is sent.
 */
export function declaredActionCatalogue(): ActionCatalogue {
  catalogue ??= new ActionCatalogue(declaredActions());
  return catalogue;
}
