/**
 * @module STS handlers: AssumeRole (identity policy + trust policy, both required; root refused;
 * a role of another account when its trust policy names the caller's account, user or role, and
 * the caller's own policies allow it) and GetCallerIdentity (no permission needed). A RoleArn names its role without regard to case;
 * AssumedRoleUser.Arn and the session carry the role's name as it was created.
 */
import { compilePolicy, evaluateTrust } from '../../policy/index.js';
import { isoSeconds } from '../../kernel/clock.js';
import { principalArn, ramArn } from '../../kernel/principal.js';
import { globalContext, toRequestPrincipal } from '../../kernel/authorizer.js';
import type { Handler } from '../../protocol/rpc-operation.js';
import type { RamApi } from '../ram/api.js';
import type { StsIssuer } from './issuer.js';
import type { AssumeRole, GetCallerIdentity } from './operations.js';
import {
  InvalidParameterDurationSeconds,
  InvalidParameterPolicyGrammar,
  InvalidParameterRoleArn,
  StsEntityNotExistRole,
  StsNoPermission,
} from './errors.js';

const ROLE_ARN = /^acs:ram::(\d+):role\/([A-Za-z0-9.@_-]{1,64})$/i;

/** Dependencies of the STS handlers. */
export interface StsHandlerDeps {
  ram: RamApi;
  issuer: StsIssuer;
}

/** The account and role name of a role ARN (`acs:ram::<account>:role/<name>`), else InvalidParameter.RoleArn. */
export function roleArnParts(arn: string): [account: string, role: string] {
  const m = ROLE_ARN.exec(arn);
  if (!m) throw InvalidParameterRoleArn();
  return [m[1]!, m[2]!];
}

/** A session policy that passed the grammar check (`undefined` when none was given). */
export function checkedSessionPolicy(policy: string | undefined): string | undefined {
  if (policy === undefined) return undefined;
  const compiled = compilePolicy(policy, 'session');
  if (!compiled.ok) {
    const d = compiled.diagnostics[0];
    throw InvalidParameterPolicyGrammar(
      `The parameter Policy has not passed grammar check: ${d ? `${d.message} (at ${d.pointer || '/'})` : 'invalid'}.`,
    );
  }
  return policy;
}

/** AssumeRole. */
export function assumeRole(deps: StsHandlerDeps): Handler<(typeof AssumeRole)['params']> {
  return async (ctx, input) => {
    const caller = ctx.principal;
    if (caller.kind === 'account') {
      throw StsNoPermission('Roles may not be assumed by root accounts.');
    }
    if (caller.kind === 'anonymous') throw StsNoPermission();
    const [roleAccount, roleName] = roleArnParts(input.RoleArn);
    const sessionPolicy = checkedSessionPolicy(input.Policy);
    // A role of another account (cross-account roles): both sides must say yes, the caller's
    // own policies (its account's, asked below) and the role's trust policy (the role's
    // account's, which must name the caller's account, user or role).
    const across = roleAccount !== ctx.accountId;
    const denialNote = across
      ? `the caller's own policies (account \`${ctx.accountId}\`) decide this side; the role is in account \`${roleAccount}\`, whose trust policy decides the other`
      : undefined;
    const role = await deps.ram.getRole(roleAccount, roleName);
    // The identity policy must allow sts:AssumeRole on the role (checked even when the role does
    // not exist, so a caller without permission cannot probe role names).
    await ctx.authorize({
      action: 'sts:AssumeRole',
      resource: ramArn(roleAccount, `role/${roleName}`),
      ...(denialNote !== undefined ? { denialNote } : {}),
    });
    if (!role) throw StsEntityNotExistRole();
    // Role names are found without regard to case (`role/approle` is AppRole); the role's own
    // ARN must be allowed too, so a Deny written with its real name still applies.
    if (role.roleName !== roleName) {
      await ctx.authorize({
        action: 'sts:AssumeRole',
        resource: ramArn(roleAccount, `role/${role.roleName}`),
        ...(denialNote !== undefined ? { denialNote } : {}),
      });
    }
    // The role's account is consulted from here on (its trust policy): the event is its too.
    if (across) ctx.shareWith?.(role.accountId);
    const trust = compilePolicy(role.trustPolicy, 'trust');
    if (!trust.ok) throw StsNoPermission('The trust policy of the role is invalid.');
    const decision = evaluateTrust(
      { name: `${role.roleName} trust policy`, type: 'Trust', policy: trust.policy },
      toRequestPrincipal(caller),
      {
        ...globalContext(ctx),
        ...(input.ExternalId !== undefined ? { 'sts:ExternalId': input.ExternalId } : {}),
      },
    );
    if (decision.decision !== 'allow') {
      const whose = across
        ? ` (account \`${role.accountId}\`) does not allow ${principalArn(caller)} (account \`${ctx.accountId}\`, whose own policies allow it)`
        : ` does not allow ${principalArn(caller)}`;
      throw StsNoPermission(
        `You are not authorized to do this action. You should be authorized by RAM. The trust policy of role \`${role.roleName}\`${whose} to assume it: ${decision.explanation}`,
      );
    }
    const duration = input.DurationSeconds ?? 3600;
    if (duration < 900 || duration > role.maxSessionDuration) {
      throw InvalidParameterDurationSeconds(
        `The Min/Max value of DurationSeconds is 15min/${role.maxSessionDuration / 3600}hr.`,
      );
    }
    const session = await deps.issuer.issue({
      role: { accountId: role.accountId, roleId: role.roleId, roleName: role.roleName },
      sessionName: input.RoleSessionName,
      issuedAt: ctx.now,
      expiresAt: ctx.now + duration * 1000,
      ...(sessionPolicy !== undefined ? { policy: sessionPolicy } : {}),
      source: principalArn(caller),
      ...(input.SourceIdentity !== undefined ? { sourceIdentity: input.SourceIdentity } : {}),
    });
    return {
      AssumedRoleUser: {
        AssumedRoleId: `${role.roleId}:${input.RoleSessionName}`,
        Arn: ramArn(role.accountId, `role/${role.roleName}/${input.RoleSessionName}`),
      },
      Credentials: {
        AccessKeyId: session.accessKeyId,
        AccessKeySecret: session.accessKeySecret,
        SecurityToken: session.securityToken,
        Expiration: isoSeconds(session.expiresAt),
      },
      ...(input.SourceIdentity !== undefined ? { SourceIdentity: input.SourceIdentity } : {}),
    };
  };
}

/** GetCallerIdentity. */
export function getCallerIdentity(): Handler<(typeof GetCallerIdentity)['params']> {
  return async (ctx) => {
    const p = ctx.principal;
    switch (p.kind) {
      case 'account':
        return {
          IdentityType: 'Account',
          AccountId: p.accountId,
          UserId: p.accountId,
          PrincipalId: p.accountId,
          Arn: principalArn(p),
        };
      case 'user':
        return {
          IdentityType: 'RAMUser',
          AccountId: p.accountId,
          UserId: p.userId,
          PrincipalId: p.userId,
          Arn: principalArn(p),
        };
      case 'role-session':
        return {
          IdentityType: 'AssumedRoleUser',
          AccountId: p.accountId,
          RoleId: p.roleId,
          PrincipalId: `${p.roleId}:${p.sessionName}`,
          Arn: principalArn(p),
        };
      case 'anonymous':
        throw StsNoPermission();
    }
  };
}
