/**
 * @module What the explorer shows first: the operations the README's tutorial calls, in the order
 * it calls them, for each product, so that a newcomer finds them at the top of the list instead of
 * scrolling past `AddUserToGroup`. Names a product does not declare are skipped.
 */
import type { CatalogueOperation, CatalogueProduct } from './catalogue-types.js';

/** The tutorial's operations by product, in the tutorial's order. */
export const TUTORIAL_OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  Ram: ['CreateRole', 'CreatePolicy', 'AttachPolicyToRole', 'GetRole', 'ListPoliciesForRole'],
  Sts: ['GetCallerIdentity', 'AssumeRole'],
  Ecs: [
    'CreateInstance',
    'RunInstances',
    'AttachInstanceRamRole',
    'ModifyInstanceAttribute',
    'StartInstance',
    'DescribeInstances',
    'DescribeInstanceRamRole',
  ],
  Vpc: ['CreateVpc', 'CreateVSwitch', 'DescribeVpcs', 'DescribeVSwitches'],
  Oss: ['PutBucket', 'PutObject', 'ListObjects', 'GetObject', 'ListBuckets'],
};

/** Operations of `product` split into the tutorial's (in its order) and the rest (by name). */
export function orderedOperations(product: CatalogueProduct): {
  tutorial: CatalogueOperation[];
  rest: CatalogueOperation[];
} {
  const byName = new Map(product.operations.map((o) => [o.name, o]));
  const tutorial = (TUTORIAL_OPERATIONS[product.product] ?? [])
    .map((n) => byName.get(n))
    .filter((o): o is CatalogueOperation => o !== undefined);
  const first = new Set(tutorial.map((o) => o.name));
  const rest = product.operations
    .filter((o) => !first.has(o.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  return { tutorial, rest };
}

/**
 * True when `name` matches the search `query`: every word of the query is found in the name,
 * case-insensitively (`attach role` finds `AttachPolicyToRole`). Plain substring tests, no
 * regular expression over what the user typed.
 */
export function matchesSearch(name: string, query: string): boolean {
  const n = name.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w !== '')
    .every((w) => n.includes(w));
}
