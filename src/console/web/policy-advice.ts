/**
 * @module Advice under the explorer's policy-document fields (CreatePolicy's `PolicyDocument`,
 * CreateRole's trust policy, a session `Policy`, PutBucketPolicy's body): actions no service yunbox
 * serves has, with the closest one, and service prefixes it does not serve, as `yunbox policy
 * validate` warns. The action catalogue is the one the server builds from its operation
 * declarations, read from the page's API catalogue (every operation lists its actions); the check
 * is the policy engine's own (`policy/action-catalogue.ts`), run here as the user types
 * (`policy-advice-field.ts` shows it). Advice only: the request is sent as written, and RAM
 * decides what it accepts. No DOM here: unit-tested in Node.
 */
import { ActionCatalogue, adviseActions } from '../../policy/action-catalogue.js';
import type { Catalogue, CatalogueOperation } from './catalogue-types.js';

/** Longest text checked as the user types (the largest policy RAM takes, a bucket policy's 16 KB). */
const MAX_TEXT = 16_384;

const catalogues = new WeakMap<Catalogue, ActionCatalogue>();

/** The action catalogue of the page's API catalogue (built once per catalogue). */
export function actionCatalogueOf(catalogue: Catalogue): ActionCatalogue {
  let c = catalogues.get(catalogue);
  if (!c) {
    c = new ActionCatalogue(
      catalogue.products.flatMap((p) => p.operations.flatMap((o) => o.actions)),
    );
    catalogues.set(catalogue, c);
  }
  return c;
}

/**
 * The parameters of `op` that carry a policy document: `…PolicyDocument`, a session `Policy`,
 * and PutBucketPolicy's body.
 * @example
 * policyFields(createPolicy) // ['PolicyDocument']
 */
export function policyFields(op: CatalogueOperation): string[] {
  return Object.keys(op.params).filter(
    (n) =>
      n.endsWith('PolicyDocument') ||
      n === 'Policy' ||
      (op.name === 'PutBucketPolicy' && n === 'body'),
  );
}

/**
 * One line per piece of advice on `text`, located (`line 4, column 36: …`); none for text that is
 * not a JSON object (the server says what is wrong with it) or is longer than any policy.
 * @example
 * policyAdvice('{"Statement":[{"Action":"oss:GetObjects"}]}', actions)
 * // ['line 1, column 25: `oss:GetObjects` is not an action of `oss` that yunbox knows — did you mean `oss:GetObject`?']
 */
export function policyAdvice(text: string, actions: ActionCatalogue): string[] {
  if (text.length > MAX_TEXT || !text.trimStart().startsWith('{')) return [];
  return adviseActions(text, actions).map((d) =>
    d.line !== undefined ? `line ${d.line}, column ${d.column ?? 1}: ${d.message}` : d.message,
  );
}
