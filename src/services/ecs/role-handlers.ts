/**
 * @module Instance RAM roles: who may give a role to ECS (`ram:PassRole`, and the role's trust in
 * `ecs.aliyuncs.com`, each refused with Alibaba's code and our explanation), and attaching,
 * detaching and listing instances' roles.
 */
import { accessDeniedDetail } from '../../kernel/authorizer.js';
import type { HandlerContext } from '../../kernel/context.js';
import { ramArn } from '../../kernel/principal.js';
import { compilePolicy, evaluateTrust } from '../../policy/index.js';
import * as E from './errors.js';
import {
  checkRegion,
  mustInstance,
  wholeSecond,
  type EcsHandlerDeps,
  type H,
} from './handler-deps.js';
import type { Instance } from './model.js';
import type * as Ops from './operations.js';

/** The principal ECS assumes roles as. */
export const ECS_SERVICE_PRINCIPAL = 'ecs.aliyuncs.com';

/**
 * May the caller give `roleName` to ECS instances? `ram:PassRole` on the role (denied ->
 * `InvalidUser.PassRoleForbidden` with the deciding policies), the role exists, and its trust
 * policy lets `ecs.aliyuncs.com` assume it (else `InvalidRamRole.NotEcsRole`, 401 on launch,
 * 404 on attach). Returns the role: callers store and answer its name as it was created.
 */
export async function passRole(
  deps: Pick<EcsHandlerDeps, 'authorizer' | 'ram'>,
  ctx: HandlerContext,
  roleName: string,
  on: 'launch' | 'attach',
) {
  const mayPass = async (name: string) => {
    const check = { action: 'ram:PassRole', resource: ramArn(ctx.accountId, `role/${name}`) };
    const d = await deps.authorizer.decide(ctx, check);
    if (d.decision !== 'allow') {
      ctx.log.info({ action: check.action, resource: check.resource }, 'denied');
      throw E.InvalidUserPassRoleForbidden(
        `The RAM user does not have the privilege to pass a RAM role. ${d.explanation}`,
        { AccessDeniedDetail: accessDeniedDetail(ctx, check, d) },
      );
    }
  };
  await mayPass(roleName);
  const role = await deps.ram.getRole(ctx.accountId, roleName);
  if (!role) {
    throw E.InvalidRamRoleNotFound(`The specified RAMRoleName does not exist: \`${roleName}\`.`);
  }
  // RAM finds names without regard to case; named in another case, the role's own ARN must be
  // allowed too (a Deny written with its real name still applies).
  if (role.roleName !== roleName) await mayPass(role.roleName);
  const trust = compilePolicy(role.trustPolicy, 'trust');
  const decision = trust.ok
    ? evaluateTrust(
        { name: `${role.roleName} trust policy`, type: 'Trust', policy: trust.policy },
        { kind: 'service', service: ECS_SERVICE_PRINCIPAL },
        {},
      )
    : undefined;
  if (decision?.decision !== 'allow') {
    const notEcs =
      on === 'launch' ? E.InvalidRamRoleNotEcsRoleCreate : E.InvalidRamRoleNotEcsRoleAttach;
    throw notEcs(
      `The specified ram role is not authorized for ecs, please check your role policy. ${
        decision ? decision.explanation : `The trust policy of role \`${role.roleName}\` is invalid`
      }; it must allow \`sts:AssumeRole\` to the service ${ECS_SERVICE_PRINCIPAL}.`,
    );
  }
  return role;
}

/** AttachInstanceRamRole, DetachInstanceRamRole and DescribeInstanceRamRole. */
export function roleHandlers(deps: EcsHandlerDeps) {
  const { store } = deps;

  const instancesOf = async (ctx: HandlerContext, ids: string[]) => {
    const out: Instance[] = [];
    for (const id of [...new Set(ids)]) out.push(await mustInstance(store, ctx, id));
    return out;
  };

  const attachInstanceRamRole: H<typeof Ops.AttachInstanceRamRole> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    if (input.Policy !== undefined) {
      const c = compilePolicy(input.Policy, 'session');
      if (!c.ok) {
        const d = c.diagnostics[0];
        throw E.InvalidPolicyMalformed(
          `The specified parameter Policy is not valid: ${d ? `${d.message} (at ${d.pointer || '/'})` : 'invalid'}.`,
        );
      }
    }
    const role = await passRole(deps, ctx, input.RamRoleName, 'attach');
    const instances = await instancesOf(ctx, input.InstanceIds);
    const results = [];
    for (const i of instances) {
      const r = await store.attachRole(i.instanceId, {
        roleName: role.roleName,
        attachedAt: wholeSecond(ctx.now),
        ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
      });
      if (r === 'attached' || r === 'same') {
        results.push({ InstanceId: i.instanceId, Success: true, Code: '200', Message: 'success' });
      } else if (r === 'missing') {
        results.push({
          InstanceId: i.instanceId,
          Success: false,
          Code: 'InvalidInstanceId.NotFound',
          Message: 'The specified instanceId does not exist',
        });
      } else {
        const now = await store.getInstance(i.instanceId);
        results.push({
          InstanceId: i.instanceId,
          Success: false,
          Code: 'InvalidRamRole.Conflict',
          Message: `The instance already has the RAM role \`${now?.role?.roleName ?? '?'}\`; an instance can have only one. Detach it first.`,
        });
      }
    }
    deps.changed();
    return {
      RamRoleName: role.roleName,
      TotalCount: results.length,
      FailCount: results.filter((r) => !r.Success).length,
      AttachInstanceRamRoleResults: { AttachInstanceRamRoleResult: results },
    };
  };

  const detachInstanceRamRole: H<typeof Ops.DetachInstanceRamRole> = async (ctx, input) => {
    checkRegion(ctx, input.RegionId);
    const instances = await instancesOf(ctx, input.InstanceIds);
    const results = [];
    const names = new Set<string>();
    for (const i of instances) {
      const r = await store.detachRole(i.instanceId, input.RamRoleName);
      if (r.result === 'detached') {
        names.add(r.roleName!);
        results.push({
          InstanceId: i.instanceId,
          Success: true,
          Code: '200',
          Message: 'Success',
          InstanceRamRoleSets: {
            InstanceRamRoleSet: [{ InstanceId: i.instanceId, RamRoleName: r.roleName! }],
          },
        });
      } else {
        results.push({
          InstanceId: i.instanceId,
          Success: false,
          Code: r.result === 'other' ? 'InvalidRamRole.NotEqual' : 'InvalidRamRole.NotAttached',
          Message:
            r.result === 'other'
              ? `The instance's RAM role is \`${r.roleName}\`, not \`${input.RamRoleName}\`.`
              : r.result === 'missing'
                ? 'The specified instanceId does not exist'
                : 'The instance has no RAM role attached.',
          InstanceRamRoleSets: { InstanceRamRoleSet: [] as unknown[] },
        });
      }
    }
    deps.changed();
    return {
      // The role's name as it was created when one was detached, whatever case the call used.
      RamRoleName: names.size === 1 ? [...names][0]! : (input.RamRoleName ?? ''),
      TotalCount: results.length,
      FailCount: results.filter((r) => !r.Success).length,
      DetachInstanceRamRoleResults: { DetachInstanceRamRoleResult: results },
    };
  };

  const describeInstanceRamRole: H<typeof Ops.DescribeInstanceRamRole> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    if (input.InstanceIds === undefined && input.RamRoleName === undefined) {
      throw E.EcsMissingParameter(
        'InstanceIds/RamRoleName at least one is mandatory for this action.',
      );
    }
    const all = (
      await store.listInstances(ctx.accountId, regionId, {
        ...(input.InstanceIds ? { instanceIds: input.InstanceIds } : {}),
        ...(input.RamRoleName !== undefined ? { roleName: input.RamRoleName } : {}),
      })
    ).filter((i) => i.role !== undefined);
    const pageNumber = input.PageNumber ?? 1;
    const pageSize = input.PageSize ?? 10;
    return {
      RegionId: regionId,
      TotalCount: all.length,
      InstanceRamRoleSets: {
        InstanceRamRoleSet: all
          .slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
          .map((i) => ({ InstanceId: i.instanceId, RamRoleName: i.role!.roleName })),
      },
    };
  };

  return { attachInstanceRamRole, detachInstanceRamRole, describeInstanceRamRole };
}
