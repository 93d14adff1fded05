/**
 * @module The policy engine's public vocabulary: policy kinds, diagnostics, requests, principals,
 * statement references and decisions. Everything else in `src/policy/` produces or consumes these.
 */

/**
 * Where a document is used, which decides its required elements and size limit:
 * `identity` (custom/system policies attached to users, groups, roles), `session` (STS session
 * policy), `trust` (a role's AssumeRolePolicyDocument), `bucket` (an OSS bucket policy).
 */
export type PolicyKind = 'identity' | 'session' | 'trust' | 'bucket';

/** One problem found in a document, located by JSON pointer and (when known) line and column. */
export interface Diagnostic {
  /**
   * Stable code, e.g. `InvalidJson`, `PolicyTooLong`, `UnknownConditionOperator`. Every code but
   * `PolicyTooLong` maps to Alibaba's `MalformedPolicyDocument`; see {@link isLengthDiagnostic}.
   */
  code: string;
  /** One line, lower-case start, no final period, user input in backticks. */
  message: string;
  /** JSON pointer of the offending element, e.g. `/Statement/0/Condition/StringEquals`. */
  pointer: string;
  line?: number;
  column?: number;
  /**
   * `error` rejects the document; `warning` is advice (the document is accepted). The engine always
   * sets it; a diagnostic without it is an error.
   */
  severity?: 'error' | 'warning';
}

/** A principal as the engine sees it (the kernel's `Principal` is assignable to this). */
export type RequestPrincipal =
  | { kind: 'account'; accountId: string }
  | { kind: 'user'; accountId: string; userName: string; userId: string }
  | {
      kind: 'role-session';
      accountId: string;
      roleName: string;
      roleId: string;
      sessionName: string;
    }
  | { kind: 'service'; service: string }
  | { kind: 'federated'; provider: string }
  | { kind: 'anonymous' };

/** Condition context: key -> value(s). Keys are looked up case-insensitively. */
export type RequestContext = Record<string, string | string[] | number | boolean | undefined>;

/** One authorisation question. */
export interface AuthzRequest {
  /** `ram:CreateRole`, `oss:GetObject`; compared case-insensitively. */
  action: string;
  /** Full ARN, e.g. `acs:oss:*:1234567890123456:bucket/key`; compared case-sensitively. */
  resource: string;
  /** Needed for trust and bucket policies; absent means anonymous. */
  principal?: RequestPrincipal;
  /**
   * Condition keys (`acs:SourceIp`, `acs:CurrentTime` as ISO 8601 or epoch ms, `oss:Prefix`...).
   * `undefined` and empty arrays count as missing. When several spellings of one key are present,
   * the spelling used in the policy wins, then the first in insertion order.
   */
  context: RequestContext;
}

/** Names one statement of one policy. */
export interface StatementRef {
  policyName: string;
  policyType: string;
  version?: string;
  /** Zero-based index in the document's `Statement` list (0 for a single-object `Statement`). */
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
}

/** The outcome of evaluating one set of policies. */
export interface EvalResult {
  decision: 'allow' | 'explicit-deny' | 'implicit-deny';
  /** Deciding statements: the matching Deny statements, or the matching Allow statements. */
  reasons: StatementRef[];
  /**
   * Conditions that could not be evaluated (missing key, type mismatch), for statements whose
   * action, resource and principal matched. An Allow with such a condition never allows.
   */
  errors: { statement: StatementRef; message: string }[];
}

/** A decision with a one-line explanation for API error messages and the CLI. */
export interface Decision extends EvalResult {
  explanation: string;
}

/** Returns whether a diagnostic is about size (maps to the API's `...Length` error, not `MalformedPolicyDocument`). */
export function isLengthDiagnostic(d: Diagnostic): boolean {
  return d.code === 'PolicyTooLong';
}
