/**
 * @module DescribeInstanceTypes' filters beyond names and families (doc "DescribeInstanceTypes"):
 * vCPU and memory bounds, ENI counts, and the single `InstanceType` terraform-provider-alicloud's
 * `alicloud_instance_types` sends. `../operations.ts` spreads the declarations; `../handlers.ts`
 * applies {@link matchesTypeFilters}.
 */
import { p } from '../../../protocol/rpc-schema.js';
import type { InstanceTypeInfo } from '../catalogue.js';
import { decimal } from '../instance-attributes/params.js';

const count = (doc: string) => p.int({ min: 0, max: 100_000, doc });
const memory = (doc: string) => decimal({ min: 0, max: 100_000, doc });

/** The filter parameters. */
export const instanceTypeFilterParams = {
  InstanceType: p.str({ max: 64, doc: 'one instance type' }),
  InstanceTypeFamilies: p.list(p.str({ max: 64 }), {
    max: 10,
    doc: 'families (InstanceTypeFamilies.N)',
  }),
  MinimumCpuCoreCount: count('at least this many vCPUs'),
  MaximumCpuCoreCount: count('at most this many vCPUs'),
  MinimumMemorySize: memory('at least this much memory, GiB'),
  MaximumMemorySize: memory('at most this much memory, GiB'),
  MinimumEniQuantity: count('at least this many ENIs'),
  MinimumEniPrivateIpAddressQuantity: count('at least this many private IPs per ENI'),
  MinimumEniIpv6AddressQuantity: count('at least this many IPv6 addresses per ENI'),
};

/** The filter values of a request. */
export interface TypeFilters {
  InstanceType?: string;
  InstanceTypeFamilies?: string[];
  MinimumCpuCoreCount?: number;
  MaximumCpuCoreCount?: number;
  MinimumMemorySize?: number;
  MaximumMemorySize?: number;
  MinimumEniQuantity?: number;
  MinimumEniPrivateIpAddressQuantity?: number;
  MinimumEniIpv6AddressQuantity?: number;
}

/** True when `t` passes every filter given. */
export function matchesTypeFilters(t: InstanceTypeInfo, f: TypeFilters): boolean {
  return (
    (f.InstanceType === undefined || t.instanceTypeId === f.InstanceType) &&
    (!f.InstanceTypeFamilies || f.InstanceTypeFamilies.includes(t.family)) &&
    (f.MinimumCpuCoreCount === undefined || t.cpu >= f.MinimumCpuCoreCount) &&
    (f.MaximumCpuCoreCount === undefined || t.cpu <= f.MaximumCpuCoreCount) &&
    (f.MinimumMemorySize === undefined || t.memory >= f.MinimumMemorySize) &&
    (f.MaximumMemorySize === undefined || t.memory <= f.MaximumMemorySize) &&
    (f.MinimumEniQuantity === undefined || t.eniQuantity >= f.MinimumEniQuantity) &&
    (f.MinimumEniPrivateIpAddressQuantity === undefined ||
      t.eniIps >= f.MinimumEniPrivateIpAddressQuantity) &&
    (f.MinimumEniIpv6AddressQuantity === undefined || f.MinimumEniIpv6AddressQuantity <= 1)
  );
}
