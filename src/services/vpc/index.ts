/**
 * @module VPC (2016-04-28): VPCs and vSwitches on the RPC gateway at `vpc.aliyuncs.com` /
 * `vpc.<region>.aliyuncs.com`. Exports the module ECS uses to place instances, and the bound
 * operations ECS serves again as its legacy 2014-05-26 twins (same data, same authorisation).
 */
import { bind, type BoundOperation, type RpcProduct } from '../../protocol/rpc-operation.js';
import type { Db } from '../../store/db.js';
import type { MigrationSet } from '../../store/migrate.js';
import { createVpcApi, type VpcApi } from './api.js';
import { VpcForbidden } from './errors.js';
import { vpcHandlers, type VpcDependents } from './handlers.js';
import { m0001Init } from './migrations/0001-init.js';
import { m0002TagsRouteTables } from './migrations/0002-tags-route-tables.js';
import * as O from './operations.js';
import { routeTableHandlers } from './route-table-handlers.js';
import { tagHandlers } from './tag-handlers.js';
import { VpcSqlStore } from './store-sql.js';
import type { VpcStore } from './store.js';

export type { VpcApi } from './api.js';
export type { VpcDependents } from './handlers.js';
export {
  cidrHas,
  formatIpv4,
  gatewayOf,
  netmask,
  parseCidr,
  parseIpv4,
  usableRange,
  zonesOf,
  type Cidr,
  type Tag,
  type VSwitch,
  type Vpc,
} from './model.js';
export { MAX_TAGS, checkTags, hasTags, withTags, withoutTags, type TagParam } from './tags.js';

/** API version of the VPC product. */
export const VPC_API_VERSION = '2016-04-28';

/** VPC's migrations. */
export const vpcMigrations: MigrationSet = {
  service: 'vpc',
  migrations: [m0001Init, m0002TagsRouteTables],
};

/** The VPC service: its RPC product, its store and the API other services use. */
export interface VpcService {
  product: RpcProduct;
  store: VpcStore;
  api: VpcApi;
  /**
   * CreateVpc, CreateVSwitch, Describe*, Modify*Attribute, Delete*, for the ECS SDK's legacy
   * 2014-05-26 calls.
   */
  legacyOperations: BoundOperation[];
}

/** Builds the VPC service over a database; `dependents` reports address usage (ECS). */
export function createVpcService(db: Db, dependents: VpcDependents): VpcService {
  const store = new VpcSqlStore(db);
  const h = {
    ...vpcHandlers(store, dependents),
    ...routeTableHandlers(store),
    ...tagHandlers(store),
  };
  const createVpc = bind(O.CreateVpc, h.createVpc);
  const describeVpcs = bind(O.DescribeVpcs, h.describeVpcs);
  const deleteVpc = bind(O.DeleteVpc, h.deleteVpc);
  const createVSwitch = bind(O.CreateVSwitch, h.createVSwitch);
  const describeVSwitches = bind(O.DescribeVSwitches, h.describeVSwitches);
  const deleteVSwitch = bind(O.DeleteVSwitch, h.deleteVSwitch);
  const modifyVpcAttribute = bind(O.ModifyVpcAttribute, h.modifyVpcAttribute);
  const modifyVSwitchAttribute = bind(O.ModifyVSwitchAttribute, h.modifyVSwitchAttribute);
  return {
    store,
    api: createVpcApi(store),
    legacyOperations: [
      createVpc,
      describeVpcs,
      deleteVpc,
      createVSwitch,
      describeVSwitches,
      deleteVSwitch,
      modifyVpcAttribute,
      modifyVSwitchAttribute,
    ],
    product: {
      product: 'Vpc',
      version: VPC_API_VERSION,
      hostId: (region) => `vpc.${region}.aliyuncs.com`,
      denied: (message, detail) => VpcForbidden(message, { AccessDeniedDetail: detail }),
      operations: [
        createVpc,
        describeVpcs,
        bind(O.DescribeVpcAttribute, h.describeVpcAttribute),
        deleteVpc,
        createVSwitch,
        describeVSwitches,
        bind(O.DescribeVSwitchAttributes, h.describeVSwitchAttributes),
        deleteVSwitch,
        modifyVpcAttribute,
        modifyVSwitchAttribute,
        bind(O.DescribeRouteTableList, h.describeRouteTableList),
        bind(O.ModifyRouteTableAttributes, h.modifyRouteTableAttributes),
        bind(O.TagResources, h.tagResources),
        bind(O.UnTagResources, h.unTagResources),
        bind(O.ListTagResources, h.listTagResources),
      ],
    },
  };
}
