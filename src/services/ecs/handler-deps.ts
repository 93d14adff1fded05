/**
 * @module What every ECS handler file shares (`handlers.ts`, `role-handlers.ts`): the handlers'
 * dependencies, and the small checks they all make (the region, the caller's instance).
 */
import type { Authorizer } from '../../kernel/authorizer.js';
import type { HandlerContext } from '../../kernel/context.js';
import { compileGlob } from '../../policy/index.js';
import type { Handler } from '../../protocol/rpc-operation.js';
import type { ParamShape } from '../../protocol/rpc-schema.js';
import type { RamApi } from '../ram/index.js';
import type { VpcApi } from '../vpc/index.js';
import * as E from './errors.js';
import type { KeyPairStore } from './key-pairs/store.js';
import type { Instance } from './model.js';
import type { SecurityGroupStore } from './security-groups/store.js';
import type { EcsStore } from './store.js';

/** The handler of an operation declaration. */
export type H<D extends { params: ParamShape }> = Handler<D['params']>;

/** What ECS handlers need. */
export interface EcsHandlerDeps {
  store: EcsStore;
  /** Security groups (instances are launched into them). */
  securityGroups: SecurityGroupStore;
  vpc: VpcApi;
  ram: RamApi;
  authorizer: Authorizer;
  /** SSH key pairs (key-pairs/): launches bind them, the key pair handlers manage them. */
  keyPairs: KeyPairStore;
  /** Called after instances are created, deleted or change state (a hint to listeners). */
  changed(): void;
}

/** `ms` rounded down to the second. */
export const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

/** The served region, or `InvalidRegionId` when the call names another. */
export function checkRegion(ctx: HandlerContext, regionId: string | undefined): string {
  if (regionId !== undefined && regionId !== ctx.region) {
    throw E.EcsInvalidRegionId(
      `The specified RegionId does not exist. yunbox serves \`${ctx.region}\`, not \`${regionId}\`.`,
    );
  }
  return ctx.region;
}

/** A name filter with `*` wildcards (InstanceName, ImageName), matched in linear time. */
export function wildcard(pattern: string): { test(s: string): boolean } {
  return { test: compileGlob(pattern, { questionMark: false }) };
}

/**
 * The caller's instance `instanceId`, or `InvalidInstanceId.NotFound` (another account's
 * instance is not found either).
 * @example
 * const i = await mustInstance(store, ctx, input.InstanceId);
 */
export async function mustInstance(
  store: EcsStore,
  ctx: HandlerContext,
  instanceId: string,
): Promise<Instance> {
  const i = await store.getInstance(instanceId);
  if (!i || i.accountId !== ctx.accountId) {
    throw E.InvalidInstanceIdNotFound(
      `The specified InstanceId does not exist: \`${instanceId}\`.`,
    );
  }
  return i;
}
