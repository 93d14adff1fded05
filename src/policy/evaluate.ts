/**
 * @module Decisions. `evaluate` runs one set of policies (union inside the set, explicit Deny wins);
 * `authorize` combines the sets that apply to one request as Alibaba documents it ("Policy
 * evaluation process"; OSS "Authentication"):
 *
 * 1. An explicit Deny in any set (session, identity, bucket) denies.
 * 2. A session policy, when present, must allow (role session ∩ session policy).
 * 3. Identity policies and the bucket policy are evaluated side by side; either allowing is enough
 *    within one account. Cross-account callers and anonymous callers are allowed only by the bucket
 *    policy (OSS implicitly denies identity-policy grants on another account's bucket).
 * 4. The root account of the owning account is allowed unless a bucket-policy Deny applies (a
 *    `Principal: "*"` statement reaches the owner only when it has a Condition, per OSS).
 *
 * Trust policies (`evaluateTrust`) and AssumeRole (`authorizeAssumeRole`: caller's policies AND
 * trust policy, "Policy evaluation process of assuming a RAM role") are separate entry points.
 * Statements whose conditions cannot be evaluated never allow; see conditions/index.ts.
 */
import { evaluateCondition } from './conditions/index.js';
import type { CompiledPolicy } from './compile.js';
import { describePrincipal } from './principal.js';
import type {
  AuthzRequest,
  Decision,
  EvalResult,
  RequestContext,
  RequestPrincipal,
  StatementRef,
} from './types.js';

/** A compiled policy with the name and type that explanations show. */
export interface PolicyRef {
  name: string;
  type: 'System' | 'Custom' | 'Session' | 'Trust' | 'Bucket' | 'Inline';
  version?: string;
  policy: CompiledPolicy;
}

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  /**
   * Account owning the resource, for bucket policies: a `Principal: "*"` statement without a
   * Condition does not apply to this account's root (OSS "Bucket policy").
   */
  resourceOwnerAccountId?: string;
}

/** The sets of policies that apply to one request. */
export interface PolicySets {
  /** The user's and its groups' policies, or the role's policies for a role session. */
  identity: PolicyRef[];
  /**
   * STS session policy (AssumeRole `Policy`, AttachInstanceRamRole `Policy`); intersects with
   * `identity`. Absent = no session policy; an empty list allows nothing (a session policy that
   * failed to compile must not widen the session to the role's full permissions).
   */
  session?: PolicyRef[];
  /** Bucket policy (OSS). */
  resource?: PolicyRef[];
  /** Account that owns the resource; decides same-account vs cross-account. */
  resourceOwnerAccountId?: string;
  /**
   * The caller is the root account of the owning account. Defaults to true for an `account`
   * principal. Ignored when `resourceOwnerAccountId` names another account than the principal's.
   */
  isRoot?: boolean;
}

const EMPTY: EvalResult = Object.freeze({
  decision: 'implicit-deny',
  reasons: Object.freeze([]) as unknown as StatementRef[],
  errors: Object.freeze([]) as unknown as EvalResult['errors'],
}) as EvalResult;

function refOf(
  ref: PolicyRef,
  index: number,
  sid: string | undefined,
  effect: 'Allow' | 'Deny',
): StatementRef {
  const out: StatementRef = {
    policyName: ref.name,
    policyType: ref.type,
    statementIndex: index,
    effect,
  };
  if (ref.version !== undefined) out.version = ref.version;
  if (sid !== undefined) out.sid = sid;
  return out;
}

/**
 * Evaluates one set of policies against a request: explicit Deny wins, then any Allow, else an
 * implicit deny. Returns the deciding statements and the conditions that could not be evaluated.
 * @example
 * evaluate({ action: 'oss:GetObject', resource: 'acs:oss:*:123:b/k', context: {} }, [ref]).decision;
 */
export function evaluate(
  request: AuthzRequest,
  policies: readonly PolicyRef[],
  opts: EvaluateOptions = {},
): EvalResult {
  const action = request.action.toLowerCase();
  const resource = request.resource;
  const principal = request.principal;
  const context: RequestContext = request.context ?? {};
  let denies: StatementRef[] | undefined;
  let allows: StatementRef[] | undefined;
  let errors: EvalResult['errors'] | undefined;

  for (let p = 0; p < policies.length; p++) {
    const ref = policies[p]!;
    const statements = ref.policy.statements;
    const isBucket = ref.policy.kind === 'bucket';
    for (let s = 0; s < statements.length; s++) {
      const st = statements[s]!;
      if (st.actions.test(action) === st.actionNegated) continue;
      if (st.resources !== null && st.resources.test(resource) === st.resourceNegated) continue;
      if (st.principal !== null) {
        if (!st.principal.matches(principal)) continue;
        if (
          isBucket &&
          st.principal.any &&
          st.conditions.length === 0 &&
          principal?.kind === 'account' &&
          opts.resourceOwnerAccountId !== undefined &&
          principal.accountId === opts.resourceOwnerAccountId
        ) {
          // OSS: `Principal: "*"` without a Condition applies to everyone but the bucket owner.
          continue;
        }
      }
      let applies = true;
      let unknown = false;
      let notes: string[] | undefined;
      const conds = st.conditions;
      for (let c = 0; c < conds.length; c++) {
        const r = evaluateCondition(conds[c]!, context);
        if (r.outcome === 'true') continue;
        if (r.outcome === 'unknown') unknown = true;
        else applies = false;
        if (r.note !== undefined) (notes ??= []).push(r.note);
      }
      if (notes !== undefined) {
        const sref = refOf(ref, st.index, st.sid, st.effect);
        for (const message of notes) (errors ??= []).push({ statement: sref, message });
      }
      if (!applies) continue;
      if (st.effect === 'Deny') {
        (denies ??= []).push(refOf(ref, st.index, st.sid, 'Deny'));
      } else if (!unknown) {
        (allows ??= []).push(refOf(ref, st.index, st.sid, 'Allow'));
      }
    }
  }
  if (denies !== undefined)
    return { decision: 'explicit-deny', reasons: denies, errors: errors ?? [] };
  if (allows !== undefined) return { decision: 'allow', reasons: allows, errors: errors ?? [] };
  return { decision: 'implicit-deny', reasons: [], errors: errors ?? [] };
}

/**
 * Formats a statement for messages: "statement 1 (Sid DenyPut) of policy `P` (Custom, v1)".
 */
export function formatStatementRef(r: StatementRef): string {
  const sid = r.sid !== undefined && r.sid !== '' ? ` (Sid ${oneLine(r.sid)})` : '';
  const version = r.version !== undefined ? `, ${oneLine(r.version)}` : '';
  return `statement ${r.statementIndex}${sid} of policy \`${oneLine(r.policyName)}\` (${oneLine(r.policyType)}${version})`;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n\t]+/g, ' ');
}

function listRefs(prefix: string, refs: StatementRef[]): string {
  const first = formatStatementRef(refs[0]!);
  return refs.length === 1
    ? `${prefix} ${first}`
    : `${prefix} ${first} and ${refs.length - 1} more`;
}

function names(policies: readonly PolicyRef[] | undefined): string {
  if (!policies || policies.length === 0) return 'none';
  return policies.map((p) => `\`${oneLine(p.name)}\``).join(', ');
}

function errorSuffix(errors: EvalResult['errors']): string {
  if (errors.length === 0) return '';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `; could not evaluate ${errors[0]!.message} in ${formatStatementRef(errors[0]!.statement)}${more}`;
}

function accountOf(p: RequestPrincipal | undefined): string | undefined {
  return p !== undefined && 'accountId' in p ? p.accountId : undefined;
}

function identityLabel(p: RequestPrincipal | undefined): string {
  switch (p?.kind) {
    case 'user':
      return 'user and group policies';
    case 'role-session':
      return 'role policies';
    default:
      return 'identity policies';
  }
}

/**
 * Alibaba's combination of the sets that apply to one request, with a one-line explanation.
 * @example
 * authorize(req, { identity: [rolePolicy], session: [sessionPolicy] }).explanation;
 */
export function authorize(request: AuthzRequest, sets: PolicySets): Decision {
  const p = request.principal;
  const owner = sets.resourceOwnerAccountId;
  const what = `\`${oneLine(request.action)}\` on \`${oneLine(request.resource)}\``;
  const resource =
    sets.resource && sets.resource.length > 0
      ? evaluate(request, sets.resource, { resourceOwnerAccountId: owner })
      : undefined;
  const callerAccount = accountOf(p);
  // Root powers only reach the caller's own resources: `isRoot` with another account's resource
  // is ignored (that account's bucket policy decides, as for any cross-account caller).
  const ownsResource =
    owner === undefined || callerAccount === undefined || callerAccount === owner;
  const isRoot = (sets.isRoot ?? p?.kind === 'account') && ownsResource;

  if (isRoot) {
    const errors = resource?.errors ?? [];
    if (resource?.decision === 'explicit-deny') {
      return {
        ...resource,
        explanation:
          listRefs('explicit deny by', resource.reasons) +
          ' (the bucket policy applies to the owner)' +
          errorSuffix(errors),
      };
    }
    return {
      decision: 'allow',
      reasons: [],
      errors: [...errors],
      explanation: `allowed: ${describePrincipal(p ?? { kind: 'account', accountId: owner ?? '?' })} owns the resource`,
    };
  }

  const anonymous = p === undefined ? false : p.kind === 'anonymous';
  const session = sets.session !== undefined ? evaluate(request, sets.session) : undefined;
  const identity = anonymous ? EMPTY : evaluate(request, sets.identity);
  const errors = [...(session?.errors ?? []), ...identity.errors, ...(resource?.errors ?? [])];

  const denies = [
    ...(session?.decision === 'explicit-deny' ? session.reasons : []),
    ...(identity.decision === 'explicit-deny' ? identity.reasons : []),
    ...(resource?.decision === 'explicit-deny' ? resource.reasons : []),
  ];
  if (denies.length > 0) {
    return {
      decision: 'explicit-deny',
      reasons: denies,
      errors,
      explanation: listRefs('explicit deny by', denies) + errorSuffix(errors),
    };
  }

  if (session !== undefined && session.decision !== 'allow') {
    return {
      decision: 'implicit-deny',
      reasons: [],
      errors,
      explanation: `the session policy does not allow ${what}; evaluated: session policy ${names(sets.session)}${errorSuffix(errors)}`,
    };
  }

  const crossAccount =
    owner !== undefined && callerAccount !== undefined && callerAccount !== owner;
  const identityCounts =
    p === undefined || (!anonymous && callerAccount !== undefined && !crossAccount);
  const identityAllows = identityCounts && identity.decision === 'allow';
  const resourceAllows = resource?.decision === 'allow';
  if (identityAllows || resourceAllows) {
    const reasons = [
      ...(session?.reasons ?? []),
      ...(identityAllows ? identity.reasons : []),
      ...(resourceAllows ? resource!.reasons : []),
    ];
    const deciding = [
      ...(identityAllows ? identity.reasons : []),
      ...(resourceAllows ? resource!.reasons : []),
    ];
    return {
      decision: 'allow',
      reasons,
      errors,
      explanation: listRefs('allowed by', deciding) + errorSuffix(errors),
    };
  }

  const evaluated: string[] = [];
  if (!anonymous) {
    evaluated.push(
      sets.identity.length > 0
        ? `${identityLabel(p)} [${names(sets.identity)}]`
        : `${identityLabel(p)} (none attached)`,
    );
  }
  if (sets.session !== undefined) evaluated.push(`session policy ${names(sets.session)}`);
  if (sets.resource && sets.resource.length > 0)
    evaluated.push(`bucket policy ${names(sets.resource)}`);
  let why = `no policy allows ${what}`;
  if (anonymous) why += '; anonymous access needs an allow in the bucket policy';
  else if (crossAccount) {
    why += `; ${describePrincipal(p)} is from another account, so only the bucket policy of account \`${owner}\` can allow it`;
  }
  return {
    decision: 'implicit-deny',
    reasons: [],
    errors,
    explanation: `${why}; evaluated: ${evaluated.length > 0 ? evaluated.join(', ') : 'no policies'}${errorSuffix(errors)}`,
  };
}

/**
 * Trust-policy check for AssumeRole and for services (ECS): does the trust policy let `principal`
 * perform `action` (default `sts:AssumeRole`)? Context carries keys such as `sts:ExternalId`.
 * @example
 * evaluateTrust(trustRef, { kind: 'service', service: 'ecs.aliyuncs.com' }, {}).decision; // 'allow'
 */
export function evaluateTrust(
  trust: PolicyRef,
  principal: RequestPrincipal,
  context: AuthzRequest['context'],
  action = 'sts:AssumeRole',
): Decision {
  const result = evaluate({ action, resource: '', principal, context: context ?? {} }, [trust]);
  const who = describePrincipal(principal);
  const policy = `trust policy \`${oneLine(trust.name)}\``;
  switch (result.decision) {
    case 'allow':
      return {
        ...result,
        explanation: `${listRefs('allowed by', result.reasons)}: ${who} may assume the role${errorSuffix(result.errors)}`,
      };
    case 'explicit-deny':
      return {
        ...result,
        explanation: `${listRefs('explicit deny by', result.reasons)}: ${who} may not assume the role${errorSuffix(result.errors)}`,
      };
    default:
      return {
        ...result,
        explanation: `the ${policy} does not allow ${who} to perform \`${oneLine(action)}\`${errorSuffix(result.errors)}`,
      };
  }
}

/**
 * AssumeRole: the caller's policies must allow the action on the role and the role's trust policy
 * must trust the caller; an explicit Deny in either denies. `caller` is `null` for service
 * principals (ECS), whose only check is the trust policy. The caller's `resource` and
 * `resourceOwnerAccountId` are ignored: for AssumeRole the trust policy is the resource policy,
 * and a cross-account caller still needs its own policies to allow `sts:AssumeRole`.
 * @example
 * authorizeAssumeRole({ action: 'sts:AssumeRole', resource: roleArn, principal, context }, { identity }, trustRef);
 */
export function authorizeAssumeRole(
  request: AuthzRequest,
  caller: PolicySets | null,
  trust: PolicyRef,
): Decision {
  const principal: RequestPrincipal = request.principal ?? { kind: 'anonymous' };
  const trustDecision = evaluateTrust(trust, principal, request.context, request.action);
  if (caller === null) return trustDecision;
  // The trust policy is the role's resource policy; the caller's side is decided by its own
  // identity (and session) policies even when the role is in another account.
  const { resource: _resource, resourceOwnerAccountId: _owner, ...callerSets } = caller;
  const callerDecision = authorize(request, callerSets);
  const errors = [...callerDecision.errors, ...trustDecision.errors];
  const denies = [
    ...(callerDecision.decision === 'explicit-deny' ? callerDecision.reasons : []),
    ...(trustDecision.decision === 'explicit-deny' ? trustDecision.reasons : []),
  ];
  if (denies.length > 0) {
    return {
      decision: 'explicit-deny',
      reasons: denies,
      errors,
      explanation: listRefs('explicit deny by', denies) + errorSuffix(errors),
    };
  }
  if (callerDecision.decision === 'allow' && trustDecision.decision === 'allow') {
    return {
      decision: 'allow',
      reasons: [...callerDecision.reasons, ...trustDecision.reasons],
      errors,
      explanation: `allowed: ${callerDecision.explanation}; ${trustDecision.explanation}`,
    };
  }
  const explanation =
    callerDecision.decision !== 'allow' ? callerDecision.explanation : trustDecision.explanation;
  return { decision: 'implicit-deny', reasons: [], errors, explanation };
}
