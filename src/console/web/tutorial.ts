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

/**
 * Optional fields the tutorial's long forms keep in view, by operation; their other optional
 * fields go under "more fields". `RegionId` is always in view (it is prefilled).
 */
export const TUTORIAL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  CreateInstance: ['VSwitchId', 'RamRoleName', 'InstanceName'],
  RunInstances: ['VSwitchId', 'RamRoleName', 'InstanceName', 'Amount'],
  ModifyInstanceAttribute: ['Password', 'InstanceName', 'HostName'],
  DescribeInstances: ['InstanceIds', 'VpcId', 'VSwitchId', 'Status', 'InstanceName'],
};

/** A form with more optional fields than this keeps only the required ones in view. */
export const LONG_FORM = 8;

/** Where a parameter of the explorer's form goes. */
export interface FieldGroups {
  /** In view, in declaration order with the required ones first. */
  shown: string[];
  /** Under "more fields" (collapsed). */
  more: string[];
  /** Accepted by yunbox but not used: under their own collapsed group. */
  unused: string[];
}

/**
 * Splits the parameters of operation `op` into those in view, those under "more fields" (the
 * optional ones of a long form that the tutorial does not need) and those yunbox accepts but
 * does not use (their declarations say "not used").
 * @example
 * fieldGroups('CreateInstance', params).shown // ['RegionId', 'ImageId', 'InstanceType', 'VSwitchId', …]
 */
export function fieldGroups(
  op: string,
  params: Readonly<Record<string, { required: boolean; doc?: string }>>,
): FieldGroups {
  const entries = Object.entries(params).sort(
    ([, a], [, b]) => Number(b.required) - Number(a.required),
  );
  const unused = entries
    .filter(([, i]) => !i.required && (i.doc ?? '').includes('not used'))
    .map(([n]) => n);
  const used = entries.filter(([n]) => !unused.includes(n));
  const optional = used.filter(([, i]) => !i.required).length;
  const listed = TUTORIAL_FIELDS[op];
  if (!listed && optional <= LONG_FORM) return { shown: used.map(([n]) => n), more: [], unused };
  const keep = (n: string, i: { required: boolean }) =>
    i.required || n === 'RegionId' || (listed ?? []).includes(n);
  return {
    shown: used.filter(([n, i]) => keep(n, i)).map(([n]) => n),
    more: used.filter(([n, i]) => !keep(n, i)).map(([n]) => n),
    unused,
  };
}
