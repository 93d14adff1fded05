/**
 * @module The RAM policy engine: pure, synchronous, no I/O. Every authorisation decision in yunbox
 * goes through it (RAM and STS calls, ECS with PassRole, OSS with bucket policies).
 *
 * @example
 * import { compilePolicy, authorize } from '../policy/index.js';
 * const r = compilePolicy(text, 'identity');
 * if (!r.ok) throw new MalformedPolicyDocument(r.diagnostics[0].message);
 * const d = authorize(request, { identity: [{ name: 'p', type: 'Custom', version: 'v1', policy: r.policy }] });
 * if (d.decision !== 'allow') throw new NoPermission(d.explanation);
 */
export type {
  AuthzRequest,
  Decision,
  Diagnostic,
  EvalResult,
  PolicyKind,
  RequestContext,
  RequestPrincipal,
  StatementRef,
} from './types.js';
export { isLengthDiagnostic } from './types.js';
export {
  clearPolicyCache,
  compilePolicy,
  type CompileOptions,
  type CompiledPolicy,
  type CompiledStatement,
  type ValidateResult,
} from './compile.js';
export {
  DEFAULT_MAX_LENGTH,
  guessPolicyKind,
  validatePolicyText,
  type PolicyCondition,
  type PolicyDocument,
  type PolicyStatement,
  type ValidationOutcome,
} from './validate.js';
export {
  authorize,
  authorizeAssumeRole,
  evaluate,
  evaluateTrust,
  formatStatementRef,
  type EvaluateOptions,
  type PolicyRef,
  type PolicySets,
} from './evaluate.js';
export { SYSTEM_POLICIES, systemPolicyRef } from './system-policies.js';
export {
  ActionCatalogue,
  adviseActions,
  closestName,
  UNSERVED_SERVICES,
  type ActionAdvice,
} from './action-catalogue.js';
export {
  matchesAction,
  matchesArn,
  globMatch,
  starMatch,
  compileGlob,
  compilePatterns,
  type PatternSet,
  MAX_LIKE_VALUE_LENGTH,
  MAX_PATTERN_LENGTH,
  MAX_PATTERN_WILDCARDS,
} from './wildcard.js';
export {
  describePrincipal,
  parsePrincipalSpec,
  principalNames,
  type PrincipalSpec,
} from './principal.js';
export { CONDITION_OPERATORS, GLOBAL_CONDITION_KEYS, parseOperator } from './conditions/index.js';
export { parseJson, type JsonValue, type SourcePosition } from './document.js';
