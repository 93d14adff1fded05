/**
 * @module Who is calling: the authenticated principal every authorisation decision is made for.
 * Produced by the authn stage (RPC v1 / ACS3 / OSS signatures + STS token), read by authz and
 * handlers. Never contains a secret.
 */

/** The root account of `accountId`, signing with its root AccessKey. */
export interface AccountPrincipal {
  kind: 'account';
  accountId: string;
  accessKeyId: string;
}

/** A RAM user signing with one of its AccessKeys. */
export interface UserPrincipal {
  kind: 'user';
  accountId: string;
  userId: string;
  userName: string;
  accessKeyId: string;
}

/** A role session: STS temporary credentials from AssumeRole or the instance metadata service. */
export interface RoleSessionPrincipal {
  kind: 'role-session';
  accountId: string;
  roleId: string;
  roleName: string;
  sessionName: string;
  accessKeyId: string;
  /** Session policy (AssumeRole `Policy`), intersected with the role's policies. */
  sessionPolicy?: string;
  /** Issue and expiry times (ms). */
  issuedAt: number;
  expiresAt: number;
  /** What obtained the session: a principal ARN, or `ecs:<instanceId>` for instance roles. */
  source?: string;
}

/** No credentials (OSS public-read objects). */
export interface AnonymousPrincipal {
  kind: 'anonymous';
}

/** Any caller. */
export type Principal =
  AccountPrincipal | UserPrincipal | RoleSessionPrincipal | AnonymousPrincipal;

/** `acs:ram::<uid>:<resource>` */
export function ramArn(accountId: string, resource: string): string {
  return `acs:ram::${accountId}:${resource}`;
}

/** The ARN that names `p` (GetCallerIdentity, trails, messages). */
export function principalArn(p: Principal): string {
  switch (p.kind) {
    case 'account':
      return ramArn(p.accountId, 'root');
    case 'user':
      return ramArn(p.accountId, `user/${p.userName}`);
    case 'role-session':
      return ramArn(p.accountId, `assumed-role/${p.roleName}/${p.sessionName}`);
    case 'anonymous':
      return 'anonymous';
  }
}

/** A short display form for logs and denial messages. */
export function principalLabel(p: Principal): string {
  switch (p.kind) {
    case 'account':
      return `root account ${p.accountId}`;
    case 'user':
      return `RAM user \`${p.userName}\``;
    case 'role-session':
      return `role session \`${p.roleName}/${p.sessionName}\``;
    case 'anonymous':
      return 'anonymous caller';
  }
}
