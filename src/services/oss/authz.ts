/**
 * @module Who may do what to a bucket or object (oss.md §10): identity policies (a user's and its
 * groups', or a role's intersected with the session policy), the bucket policy, and then the
 * ACLs, combined as OSS documents it ("Permission evaluation" / "Bucket ACL"):
 *
 * 1. An explicit Deny in any policy (identity, session, bucket) denies; ACLs cannot undo it.
 * 2. An Allow in an identity policy (same account) or in the bucket policy allows; the owning
 *    account's root is allowed unless the bucket policy denies (`policy/evaluate.ts`).
 * 3. Otherwise the object ACL (unless `default`), else the bucket ACL, may grant it: `public-read`
 *    grants reads to anyone, anonymous callers included; `public-read-write` also writes.
 *
 * The policy engine does the combining; this file adds the OSS context (bucket policy, owner,
 * condition keys), the ACL step, and the `AccessDenied` message explaining the decision. A
 * request's identity policies are loaded once however many checks it needs (CopyObject,
 * DeleteMultipleObjects).
 */
import {
  globalContext,
  toRequestPrincipal,
  type IdentityPolicies,
  type IdentityPolicySource,
} from '../../kernel/authorizer.js';
import type { RequestInfo } from '../../kernel/context.js';
import type { Principal } from '../../kernel/principal.js';
import {
  authorize,
  compilePolicy,
  describePrincipal,
  type AuthzRequest,
  type Decision,
  type PolicyRef,
} from '../../policy/index.js';
import { accessDenied } from './errors.js';
import type { Bucket, BucketAcl, ObjectAcl, Tag } from './model.js';
import { hasPublicStatement, privatePart } from './public-access.js';

/** What an ACL may grant: reading objects, or also writing them. */
export type AclGrant = 'read' | 'write';

/** One question: may the caller do `action` on `resource`? */
export interface OssCheck {
  action: string;
  resource: string;
  /** The bucket addressed (its policy, owner and ACL), absent for ListBuckets and PutBucket. */
  bucket?: Bucket;
  /** Account owning the resource, when there is no bucket to say (default: the request's). */
  owner?: string;
  /** Request-specific condition keys (`oss:Prefix`, `oss:x-oss-object-acl`...). */
  context?: AuthzRequest['context'];
  /** What the ACLs may grant when no policy allows. */
  acl?: AclGrant;
  /** The object's ACL, when the object exists (loaded only if the ACL step is reached). */
  objectAcl?: () => Promise<ObjectAcl | undefined>;
}

/** Name of the bucket policy in explanations. */
export const BUCKET_POLICY_NAME = 'bucket policy';

/**
 * The compiled bucket policy of `bucket` (compilation is cached by content); with `privateOnly`,
 * without its public Allow statements (Block Public Access ignores them).
 */
export function bucketPolicyRefs(
  bucket: Bucket | undefined,
  privateOnly = false,
): PolicyRef[] | undefined {
  if (bucket?.policy === undefined) return undefined;
  const text = (privateOnly ? privatePart(bucket.policy) : null) ?? bucket.policy;
  // Written before the wildcard limits existed, a policy keeps its Deny statements.
  const c = compilePolicy(text, 'bucket', { patternLimits: false });
  // INVARIANT: stored policies passed validation; one that no longer compiles grants nothing.
  return c.ok ? [{ name: BUCKET_POLICY_NAME, type: 'Bucket', policy: c.policy }] : undefined;
}

/** Which compiled policies name an `oss:BucketTag/<key>` condition (any case), by policy. */
const namesBucketTag = new WeakMap<object, boolean>();

/** True when one of `refs` has a condition on `oss:BucketTag/<key>`. */
function mentionBucketTags(refs: readonly PolicyRef[]): boolean {
  return refs.some((r) => {
    let v = namesBucketTag.get(r.policy);
    if (v === undefined) {
      v = r.policy.text.toLowerCase().includes('oss:buckettag/');
      namesBucketTag.set(r.policy, v);
    }
    return v;
  });
}

/** The ACL grant of an effective ACL. */
function aclGrants(acl: BucketAcl, wanted: AclGrant): boolean {
  return wanted === 'read'
    ? acl === 'public-read' || acl === 'public-read-write'
    : acl === 'public-read-write';
}

/**
 * `d`, its explanation naming both accounts when a caller of one account is refused a resource
 * of another (an explicit deny by the caller's own policies, a session policy...), so the
 * bucket owner's trail and the caller's error both say who is involved. Denials that already
 * name both (the implicit deny of a cross-account caller) are kept as they are.
 */
function namingBothAccounts(d: Decision, p: Principal, owner: string): Decision {
  if (d.decision === 'allow' || p.kind === 'anonymous' || owner === '' || p.accountId === owner) {
    return d;
  }
  const named = (account: string) => d.explanation.includes(`account \`${account}\``);
  if (named(owner) && named(p.accountId)) return d;
  const who = describePrincipal(toRequestPrincipal(p));
  return {
    ...d,
    explanation: `${d.explanation}; ${who} acts on a resource of account \`${owner}\``,
  };
}

/** Per-request authorisation: identity policies loaded once, each check decided in turn. */
export class OssAuthorizer {
  readonly #source: IdentityPolicySource;
  readonly #info: RequestInfo;
  readonly #blocked: ((bucket: Bucket) => Promise<boolean>) | undefined;
  readonly #tagsOf: ((bucket: string) => Promise<Tag[]>) | undefined;
  /** `oss:BucketTag/<key>` of each bucket checked, read once per request. */
  readonly #bucketTags = new Map<string, Promise<Record<string, string>>>();
  #identity: Promise<IdentityPolicies> | undefined;
  /** The check that settled the request so far: the last decided, or the first denied. */
  decided?: { action: string; resource: string; decision: Decision };

  /**
   * `blocked` tells whether Block Public Access covers a bucket; it is asked only when a public
   * ACL or a public bucket policy statement is at stake. Without it nothing is blocked.
   * `tagsOf` reads a bucket's tags, for the `oss:BucketTag/<key>` condition keys; it is asked
   * only when a policy in play names one, once per bucket and request.
   */
  constructor(
    source: IdentityPolicySource,
    info: RequestInfo,
    blocked?: (bucket: Bucket) => Promise<boolean>,
    tagsOf?: (bucket: string) => Promise<Tag[]>,
  ) {
    this.#source = source;
    this.#info = info;
    this.#blocked = blocked;
    this.#tagsOf = tagsOf;
  }

  /** `{ 'oss:BucketTag/<key>': value }` of `bucket`'s tags (read once per request). */
  #bucketTagContext(bucket: string): Promise<Record<string, string>> {
    let p = this.#bucketTags.get(bucket);
    if (p === undefined) {
      p = (this.#tagsOf ? this.#tagsOf(bucket) : Promise.resolve([])).then((tags) => {
        const out: Record<string, string> = {};
        for (const t of tags) out[`oss:BucketTag/${t.key}`] = t.value;
        return out;
      });
      this.#bucketTags.set(bucket, p);
    }
    return p;
  }

  /** Whether public grants on `bucket` are ignored (Block Public Access). */
  async #isBlocked(bucket: Bucket): Promise<boolean> {
    return this.#blocked ? this.#blocked(bucket) : false;
  }

  #policies(): Promise<IdentityPolicies> {
    const p = this.#info.principal;
    this.#identity ??=
      p.kind === 'anonymous'
        ? Promise.resolve({ identity: [], isRoot: false })
        : this.#source.policiesFor(p);
    return this.#identity;
  }

  /** The decision for one check, ACLs included (remembered in {@link decided}). */
  async decide(check: OssCheck): Promise<{ decision: Decision; viaAcl?: BucketAcl }> {
    const ids = await this.#policies();
    const owner = check.bucket?.accountId ?? check.owner ?? this.#info.accountId;
    const privateOnly =
      check.bucket !== undefined &&
      hasPublicStatement(check.bucket.policy) &&
      (await this.#isBlocked(check.bucket));
    const resource = bucketPolicyRefs(check.bucket, privateOnly);
    const tagged =
      check.bucket !== undefined &&
      mentionBucketTags([...ids.identity, ...(ids.session ?? []), ...(resource ?? [])])
        ? await this.#bucketTagContext(check.bucket.name)
        : {};
    const request: AuthzRequest = {
      action: check.action,
      resource: check.resource,
      principal: toRequestPrincipal(this.#info.principal),
      context: { ...globalContext(this.#info), ...tagged, ...check.context },
    };
    const decision = namingBothAccounts(
      authorize(request, {
        identity: ids.identity,
        ...(ids.session ? { session: ids.session } : {}),
        ...(resource ? { resource } : {}),
        resourceOwnerAccountId: owner,
        isRoot: ids.isRoot,
      }),
      this.#info.principal,
      owner,
    );
    if (decision.decision !== 'implicit-deny' || check.acl === undefined || !check.bucket) {
      return { decision: this.#remember(check, decision) };
    }
    const objectAcl = check.objectAcl ? await check.objectAcl() : undefined;
    const acl: BucketAcl =
      objectAcl !== undefined && objectAcl !== 'default' ? objectAcl : check.bucket.acl;
    if (!aclGrants(acl, check.acl)) return { decision: this.#remember(check, decision) };
    // Block Public Access: public ACLs grant nothing while it is on.
    if (await this.#isBlocked(check.bucket)) {
      const explanation = `${decision.explanation}; the \`${acl}\` ACL is ignored: Block Public Access is on`;
      return { decision: this.#remember(check, { ...decision, explanation }) };
    }
    return {
      decision: this.#remember(check, {
        decision: 'allow',
        reasons: [],
        errors: decision.errors,
        explanation: `allowed by the ${objectAcl !== undefined && objectAcl !== 'default' ? 'object' : 'bucket'} ACL \`${acl}\``,
      }),
      viaAcl: acl,
    };
  }

  /** Keeps `d` as {@link decided} unless a denial is already kept; returns `d`. */
  #remember(check: OssCheck, d: Decision): Decision {
    if (this.decided === undefined || this.decided.decision.decision === 'allow') {
      this.decided = { action: check.action, resource: check.resource, decision: d };
    }
    return d;
  }

  /** Decides every check; throws `AccessDenied` explaining the first one refused. */
  async require(checks: OssCheck | readonly OssCheck[]): Promise<void> {
    for (const check of Array.isArray(checks) ? checks : [checks as OssCheck]) {
      const { decision } = await this.decide(check);
      if (decision.decision === 'allow') continue;
      this.#info.log.info(
        { action: check.action, resource: check.resource, decision: decision.decision },
        'denied',
      );
      throw denial(this.#info, check, decision);
    }
  }
}

/**
 * `AccessDenied` for a refused check. The Message is OSS's, word for word (clients match on it):
 * `Access denied by authorizer's policy.` with EC 0003-00000301 when an STS session policy
 * refused it (doc: 0003-00000301; ali-oss test/node/sts.test.js), else which kind of rule
 * refused it. Which policy or ACL decided, in yunbox's words, is the `Explanation` element
 * beside `AuthAction`, `AuthResource` and `Decision`.
 */
export function denial(info: RequestInfo, check: OssCheck, d: Decision) {
  const anonymous = info.principal.kind === 'anonymous';
  const sessionDeny =
    d.decision === 'implicit-deny'
      ? d.explanation.startsWith('the session policy does not allow')
      : d.reasons.some((r) => r.policyType === 'Session');
  const byBucketPolicy = d.reasons.some((r) => r.policyType === 'Bucket');
  let message: string;
  if (sessionDeny) {
    message = "Access denied by authorizer's policy.";
  } else if (d.decision === 'explicit-deny') {
    message = byBucketPolicy ? 'You are denied by bucket policy.' : 'You are denied by RAM policy.';
  } else if (anonymous) {
    message = 'You have no right to access this object because of bucket acl.';
  } else {
    message = 'You have no right to access this object.';
  }
  const acl =
    d.decision === 'implicit-deny' && check.acl !== undefined && check.bucket
      ? `; the ACLs do not grant it (bucket \`${check.bucket.acl}\`)`
      : '';
  return accessDenied(message, {
    ...(sessionDeny ? { ec: '0003-00000301' } : {}),
    fields: {
      AuthAction: check.action,
      AuthResource: check.resource,
      Decision: d.decision === 'explicit-deny' ? 'ExplicitDeny' : 'ImplicitDeny',
      Explanation: `${d.explanation}${acl}`,
    },
  });
}
