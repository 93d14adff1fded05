/**
 * @module Compilation: a validated document becomes statements with precompiled matchers (action
 * and resource patterns folded into exact sets, prefixes and linear glob matchers; condition
 * values parsed; principals compiled), so that a decision only runs those matchers. Compiled
 * policies are cached by kind, size limit and text, so the services can call `compilePolicy` on
 * every request with the stored document and pay for compilation once.
 */
import { compileCondition, type CompiledCondition } from './conditions/index.js';
import { compilePrincipal, type PrincipalMatcher } from './principal.js';
import type { Diagnostic, PolicyKind } from './types.js';
import {
  DEFAULT_MAX_LENGTH,
  validatePolicyText,
  type PolicyDocument,
  type PolicyStatement,
} from './validate.js';
import { compilePatterns, type PatternSet } from './wildcard.js';

/** A statement ready for evaluation. */
export interface CompiledStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Lower-cased action patterns; `actionNegated` for `NotAction`. */
  actions: PatternSet;
  actionNegated: boolean;
  /** `null` when the statement has no Resource (trust policies): it applies to any resource. */
  resources: PatternSet | null;
  resourceNegated: boolean;
  /** `null` for identity and session policies. */
  principal: PrincipalMatcher | null;
  conditions: CompiledCondition[];
  /** The validated statement, for explanations. */
  source: PolicyStatement;
}

/** A compiled policy: immutable, shareable, cached. */
export interface CompiledPolicy {
  readonly kind: PolicyKind;
  /** The document text it was compiled from. */
  readonly text: string;
  readonly document: PolicyDocument;
  readonly statements: readonly CompiledStatement[];
  /** Advice from validation (the document is valid). */
  readonly warnings: readonly Diagnostic[];
}

/** Parse + validate + compile outcome. */
export type ValidateResult =
  | { ok: true; policy: CompiledPolicy; warnings: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

/** Options for {@link compilePolicy}. */
export interface CompileOptions {
  /** Maximum document length in characters; defaults per kind (see `DEFAULT_MAX_LENGTH`). */
  maxLength?: number;
  /**
   * Whether wildcard patterns must keep their limits (`MAX_PATTERN_WILDCARDS`,
   * `MAX_PATTERN_LENGTH`); default true. Pass false for a document read back from the store: it
   * was valid when written, and refusing it now would drop its Deny statements with its Allows.
   * The matcher is linear either way.
   */
  patternLimits?: boolean;
}

/** Entries kept per kind, size limit and pattern limits; the oldest entry is evicted first. */
const CACHE_LIMIT = 4096;
/**
 * kind + limits -> document text -> result. Keyed by the text itself (not a concatenation) so that
 * a caller holding the same string object pays no rehashing on later lookups.
 */
const cache = new Map<string, Map<string, ValidateResult>>();

/**
 * Parses, validates and compiles a document; cached by kind, limit and content. Never throws.
 * @example
 * const r = compilePolicy('{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]}', 'identity');
 * if (r.ok) evaluate(request, [{ name: 'read', type: 'Custom', policy: r.policy }]);
 */
export function compilePolicy(
  document: string,
  kind: PolicyKind,
  opts: CompileOptions = {},
): ValidateResult {
  const maxLength = opts.maxLength ?? DEFAULT_MAX_LENGTH[kind];
  const patternLimits = opts.patternLimits ?? true;
  if (typeof document !== 'string' || typeof maxLength !== 'number') {
    return compileUncached(document, kind, maxLength, patternLimits);
  }
  const bucketKey = `${kind}:${maxLength}:${patternLimits ? 'limits' : 'stored'}`;
  let bucket = cache.get(bucketKey);
  if (bucket === undefined) {
    bucket = new Map();
    cache.set(bucketKey, bucket);
  }
  const hit = bucket.get(document);
  if (hit !== undefined) return hit;
  const result = compileUncached(document, kind, maxLength, patternLimits);
  bucket.set(document, result);
  if (bucket.size > CACHE_LIMIT) bucket.delete(bucket.keys().next().value as string);
  return result;
}

/** Empties the compilation cache (tests, memory pressure). */
export function clearPolicyCache(): void {
  cache.clear();
}

function compileUncached(
  document: string,
  kind: PolicyKind,
  maxLength: number,
  patternLimits: boolean,
): ValidateResult {
  let outcome;
  try {
    outcome = validatePolicyText(document, kind, maxLength, { patternLimits });
  } catch (e) {
    // INVARIANT: validation does not throw; if it ever does, the caller still gets a diagnostic.
    return {
      ok: false,
      diagnostics: [
        {
          code: 'InternalError',
          message: `policy validation failed: ${String(e)}`,
          pointer: '',
          severity: 'error',
        },
      ],
    };
  }
  if (!outcome.ok) return { ok: false, diagnostics: outcome.diagnostics };
  const statements = outcome.document.statements.map(compileStatement);
  const warnings = Object.freeze(outcome.warnings.slice()) as Diagnostic[];
  const policy: CompiledPolicy = Object.freeze({
    kind,
    text: document,
    document: outcome.document,
    statements: Object.freeze(statements),
    warnings,
  });
  return { ok: true, policy, warnings };
}

function compileStatement(st: PolicyStatement): CompiledStatement {
  const actionList = st.action ?? st.notAction ?? [];
  const resourceList = st.resource ?? st.notResource;
  const out: CompiledStatement = {
    index: st.index,
    effect: st.effect,
    actions: compilePatterns(actionList, true),
    actionNegated: st.notAction !== undefined,
    resources: resourceList === undefined ? null : compilePatterns(resourceList),
    resourceNegated: st.notResource !== undefined,
    principal: st.principal ? compilePrincipal(st.principal) : null,
    conditions: st.conditions.map((c) => compileCondition(c.operator, c.key, c.values)),
    source: st,
  };
  if (st.sid !== undefined) out.sid = st.sid;
  return out;
}
