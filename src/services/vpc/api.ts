/**
 * @module What VPC offers other services (the exported module, STYLE §4): vSwitch and VPC
 * lookups for placing instances.
 */
import type { VSwitch, Vpc } from './model.js';
import type { VpcStore } from './store.js';

/** VPC, as other services see it. */
export interface VpcApi {
  getVpc(accountId: string, vpcId: string): Promise<Vpc | undefined>;
  getVSwitch(accountId: string, vswitchId: string): Promise<VSwitch | undefined>;
}

/** Builds the VPC API over a store. */
export function createVpcApi(store: VpcStore): VpcApi {
  return {
    getVpc: (a, id) => store.getVpc(a, id),
    getVSwitch: (a, id) => store.getVSwitch(a, id),
  };
}
