/**
 * @module RAM calls that name existing roles, users, groups or policies, in any case. Before the
 * handler runs, each such name is replaced by the entity's stored spelling, so handlers, messages
 * and responses see the name as it was created (GetRole of `approle` answers `AppRole`).
 *
 * Authorisation sees both spellings. The declared checks ran on the caller's spelling before
 * the handler (kernel/rpc-pipeline.ts); when a stored spelling differs, the checks it gives that
 * were not already made run too. Resource matching in policies is case-sensitive
 * (src/policy/README.md), so this way a Deny on `role/AppRole` also stops a call that writes
 * `approle`, and an Allow must cover the spelling the caller used as well as the role's own.
 */
import type { AuthzCheck, HandlerContext } from '../../kernel/context.js';
import type { Handler, OperationDecl } from '../../protocol/rpc-operation.js';
import type { ParamShape } from '../../protocol/rpc-schema.js';
import type { PolicyType } from './model.js';
import type { RamStore } from './store.js';

/** The stored spellings of the names in `input` that address existing entities. */
async function storedNames(
  store: RamStore,
  ctx: HandlerContext,
  input: Record<string, unknown>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const { RoleName, UserName, GroupName, PolicyName, PolicyType: type } = input;
  if (typeof RoleName === 'string') {
    const r = await store.getRole(ctx.accountId, RoleName);
    if (r && r.roleName !== RoleName) out.RoleName = r.roleName;
  }
  if (typeof UserName === 'string') {
    const u = await store.getUser(ctx.accountId, UserName);
    if (u && u.userName !== UserName) out.UserName = u.userName;
  }
  if (typeof GroupName === 'string') {
    const g = await store.getGroup(ctx.accountId, GroupName);
    if (g && g.groupName !== GroupName) out.GroupName = g.groupName;
  }
  if (typeof PolicyName === 'string') {
    // Without PolicyType the call is about a custom policy (a system one only for its error).
    const types: PolicyType[] =
      type === 'System' || type === 'Custom' ? [type] : ['Custom', 'System'];
    for (const t of types) {
      const p = await store.getPolicy(ctx.accountId, t, PolicyName);
      if (!p) continue;
      if (p.policyName !== PolicyName) out.PolicyName = p.policyName;
      break;
    }
  }
  return out;
}

const checkId = (c: AuthzCheck) => `${c.action}\n${c.resource}`;

/**
 * Wraps RAM handlers so that they receive stored spellings (see the module comment).
 * @example
 * const named = withStoredNames(store);
 * bind(O.GetRole, named(O.GetRole, h.getRole));
 */
export function withStoredNames(store: RamStore) {
  return <S extends ParamShape>(decl: OperationDecl<S>, handler: Handler<S>): Handler<S> =>
    async (ctx, input) => {
      const spelled = input as Record<string, unknown>;
      const stored = await storedNames(store, ctx, spelled);
      if (Object.keys(stored).length === 0) return handler(ctx, input);
      const renamed = { ...spelled, ...stored } as typeof input;
      if (typeof decl.authz === 'function') {
        const made = new Set(decl.authz(input, ctx).map(checkId));
        const more = decl.authz(renamed, ctx).filter((c) => !made.has(checkId(c)));
        if (more.length > 0) await ctx.authorize(more);
      }
      return handler(ctx, renamed);
    };
}
