/**
 * @module The authz stage's engine room: turns a principal and a check into a policy-engine
 * request (with the global condition keys), loads the principal's policy sets through RAM, asks
 * the engine, and shapes a denial (explanation + Alibaba's AccessDeniedDetail).
 */
import {
  authorize,
  type AuthzRequest,
  type Decision,
  type PolicyRef,
  type RequestPrincipal,
} from '../policy/index.js';
import { isoSeconds } from './clock.js';
import type { AuthzCheck, RequestInfo } from './context.js';
import type { Principal } from './principal.js';

/** Identity-side policy sets of a principal (RAM provides them). */
export interface IdentityPolicies {
  identity: PolicyRef[];
  session?: PolicyRef[];
  isRoot: boolean;
}

/** Loads the identity-side policies of a principal. */
export interface IdentityPolicySource {
  policiesFor(principal: Principal): Promise<IdentityPolicies>;
}

/** Resource-side policies (an OSS bucket policy) and the resource's owner. */
export interface ResourcePolicies {
  resource: PolicyRef[];
  ownerAccountId: string;
}

/** The engine's view of a principal. */
export function toRequestPrincipal(p: Principal): RequestPrincipal {
  switch (p.kind) {
    case 'account':
      return { kind: 'account', accountId: p.accountId };
    case 'user':
      return { kind: 'user', accountId: p.accountId, userName: p.userName, userId: p.userId };
    case 'role-session':
      return {
        kind: 'role-session',
        accountId: p.accountId,
        roleName: p.roleName,
        roleId: p.roleId,
        sessionName: p.sessionName,
      };
    case 'anonymous':
      return { kind: 'anonymous' };
  }
}

/** The global condition keys of a request (openapi.md §f.4). */
export function globalContext(info: RequestInfo): AuthzRequest['context'] {
  const p = info.principal;
  return {
    'acs:SourceIp': info.sourceIp,
    ...(info.sourceVpc !== undefined ? { 'acs:SourceVpc': info.sourceVpc } : {}),
    'acs:SecureTransport': info.secure,
    'acs:CurrentTime': isoSeconds(info.now),
    ...(p.kind !== 'anonymous' ? { 'acs:AccessId': p.accessKeyId } : {}),
    ...(info.userAgent !== undefined ? { 'acs:UserAgent': info.userAgent } : {}),
  };
}

/** Decides authorisation checks for requests. */
export class Authorizer {
  readonly #source: IdentityPolicySource;
  constructor(source: IdentityPolicySource) {
    this.#source = source;
  }

  /** The decision for one check; `resource` adds a resource-based policy (bucket policy). */
  async decide(
    info: RequestInfo,
    check: AuthzCheck,
    resource?: ResourcePolicies,
  ): Promise<Decision> {
    const ids: IdentityPolicies =
      info.principal.kind === 'anonymous'
        ? { identity: [], isRoot: false }
        : await this.#source.policiesFor(info.principal);
    const request: AuthzRequest = {
      action: check.action,
      resource: check.resource,
      principal: toRequestPrincipal(info.principal),
      context: { ...globalContext(info), ...check.context },
    };
    return authorize(request, {
      identity: ids.identity,
      ...(ids.session ? { session: ids.session } : {}),
      ...(resource
        ? { resource: resource.resource, resourceOwnerAccountId: resource.ownerAccountId }
        : {}),
      isRoot: ids.isRoot,
    });
  }
}

/** Alibaba's `AccessDeniedDetail` for a denial (openapi.md §e.1). */
export function accessDeniedDetail(
  info: RequestInfo,
  check: AuthzCheck,
  decision: Decision,
): Record<string, unknown> {
  const p = info.principal;
  const type =
    p.kind === 'user'
      ? 'SubUser'
      : p.kind === 'role-session'
        ? 'AssumedRoleUser'
        : p.kind === 'account'
          ? 'Account'
          : 'Anonymous';
  const name =
    p.kind === 'user'
      ? p.userName
      : p.kind === 'role-session'
        ? `${p.roleName}:${p.sessionName}`
        : p.kind === 'account'
          ? p.accountId
          : 'anonymous';
  const diagnostic = {
    AuthAction: check.action,
    AuthResource: check.resource,
    AuthPrincipal: {
      AuthPrincipalType: type,
      AuthPrincipalOwnerId: info.accountId,
      AuthPrincipalDisplayName: name,
    },
    ExplicitDeny: decision.decision === 'explicit-deny',
    MatchedPolicies: decision.reasons.map((r) => ({
      PolicyIdentifier: r.policyName,
      PolicyType: r.policyType,
      PolicyVersion: r.version ?? '',
      Effect: r.effect,
      StatementIndex: r.statementIndex,
      ...(r.sid ? { Sid: r.sid } : {}),
    })),
    Explanation: decision.explanation,
  };
  return {
    AuthAction: check.action,
    AuthPrincipalType: type,
    AuthPrincipalOwnerId: info.accountId,
    AuthPrincipalDisplayName: name,
    PolicyType:
      info.principal.kind === 'role-session' &&
      decision.reasons.some((r) => r.policyType === 'Session')
        ? 'SessionPolicy'
        : 'AccountLevelIdentityBasedPolicy',
    NoPermissionType: decision.decision === 'explicit-deny' ? 'ExplicitDeny' : 'ImplicitDeny',
    EncodedDiagnosticMessage: Buffer.from(JSON.stringify(diagnostic)).toString('base64'),
  };
}
