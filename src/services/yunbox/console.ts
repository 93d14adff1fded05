/**
 * @module Yunbox control API for the console's instance view: when an instance's current metadata
 * credential was issued, when it expires and when the next one is issued, computed from the role's
 * attach time and the rotation windows of `services/ecs/credentials.ts` (6 h credentials every
 * 5.5 h). Nothing is minted: no AccessKeyId, secret or token is produced or returned. Authorised
 * as `yunbox:DescribeInstanceMetadataCredential` on `acs:yunbox::<account>:instance/<id>`.
 */
import { isoSeconds, readClock } from '../../kernel/clock.js';
import type { AuthzCheck, RequestInfo } from '../../kernel/context.js';
import {
  bind,
  defineOperation,
  type BoundOperation,
  type Handler,
} from '../../protocol/rpc-operation.js';
import { p } from '../../protocol/rpc-schema.js';
import {
  CREDENTIAL_LIFETIME_MS,
  InvalidInstanceIdNotFound,
  ROTATION_WINDOW_MS,
  credentialWindow,
  visibleStatus,
  type EcsApi,
} from '../ecs/index.js';

export const DescribeInstanceMetadataCredential = defineOperation({
  name: 'DescribeInstanceMetadataCredential',
  params: { InstanceId: p.required(p.str({ min: 1, max: 64, doc: 'instance id, `i-…`' })) },
  authz: (i: { InstanceId: string }, info: RequestInfo): AuthzCheck[] => [
    {
      action: 'yunbox:DescribeInstanceMetadataCredential',
      resource: `acs:yunbox::${info.accountId}:instance/${i.InstanceId}`,
    },
  ],
  readOnly: true,
  doc: "Show when an instance's current role credential (metadata service) was issued, when it expires and when the next one is issued; never the credential itself",
});

/** The handler over the ECS API. */
export function describeInstanceMetadataCredential(
  ecs: EcsApi,
): Handler<(typeof DescribeInstanceMetadataCredential)['params']> {
  return async (ctx, input) => {
    const i = await ecs.getInstance(input.InstanceId);
    if (!i || i.accountId !== ctx.accountId) {
      throw InvalidInstanceIdNotFound(
        `The specified InstanceId does not exist: \`${input.InstanceId}\`.`,
      );
    }
    const base = {
      InstanceId: i.instanceId,
      Status: visibleStatus(i, readClock(ctx.clock, ctx.now)),
      HttpEndpoint: i.metadata.httpEndpoint,
      HttpTokens: i.metadata.httpTokens,
      FaultMode: i.fault.mode,
      CredentialLifetimeSeconds: CREDENTIAL_LIFETIME_MS / 1000,
      RotationIntervalSeconds: ROTATION_WINDOW_MS / 1000,
    };
    if (!i.role) return { ...base, RamRoleName: '', HasCredential: false };
    const w = credentialWindow(i.role.attachedAt, ctx.now);
    return {
      ...base,
      RamRoleName: i.role.roleName,
      HasCredential: true,
      RoleAttachedAt: isoSeconds(i.role.attachedAt),
      Window: w.index,
      LastUpdated: isoSeconds(w.issuedAt),
      Expiration: isoSeconds(w.expiresAt),
      NextRotation: isoSeconds(w.issuedAt + ROTATION_WINDOW_MS),
    };
  };
}

/** The Yunbox operations of the console, for `createYunboxProduct`. */
export function consoleOperations(ecs: EcsApi): BoundOperation[] {
  return [bind(DescribeInstanceMetadataCredential, describeInstanceMetadataCredential(ecs))];
}
