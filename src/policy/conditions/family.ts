/**
 * @module The shape every condition-operator family implements: how to read a policy value, how to
 * read a request value, and the positive per-value test of each base operator. Negation, the
 * `ForAnyValue:`/`ForAllValues:` qualifiers and missing keys are handled once, in `index.ts`.
 */

/** A scalar as found in a policy document or a request context. */
export type Scalar = string | number | boolean;

/** One family of operators sharing a value type (`String`, `Numeric`, `Date`, `Bool`, `IpAddress`). */
export interface OperatorFamily<P, C> {
  /** Family name as shown in messages. */
  name: string;
  /** What a valid value looks like, for messages: "an IP address or CIDR block". */
  policyValueDescription: string;
  /** What a request value must be, for messages: "an IP address". */
  requestValueDescription: string;
  /** Reads one policy value; a string result is the reason it is invalid. */
  parsePolicyValue(v: Scalar): { ok: true; value: P } | { ok: false; reason: string };
  /** Reads one request value; `undefined` when it is not of this family's type. */
  parseRequestValue(v: Scalar): C | undefined;
  /**
   * Builds the positive per-value test of `positiveOperator` (e.g. `StringEquals` for
   * `StringNotEquals`): true when the request value matches any of the policy values.
   */
  compileTest(positiveOperator: string, values: P[]): (requestValue: C) => boolean;
  /**
   * Longest request value (in UTF-16 code units) `positiveOperator` compares, when it has a bound;
   * a longer value makes the condition unknown (see `MAX_LIKE_VALUE_LENGTH` in wildcard.ts).
   */
  maxRequestValueLength?(positiveOperator: string): number | undefined;
}
