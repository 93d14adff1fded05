/**
 * @module Route tables: each VPC has one system route table (created with it, `vtb-…`), listed by
 * DescribeRouteTableList and renamed by ModifyRouteTableAttributes; Terraform's `alicloud_vpc`
 * reads it after every read of the VPC. Custom route tables and route entries are not served.
 */
import type { HandlerContext } from '../../kernel/context.js';
import * as E from './errors.js';
import { checkRegion, page, type H } from './handlers.js';
import type * as Ops from './operations.js';
import type { VpcStore } from './store.js';
import { routeTableToWire } from './wire.js';

/** DescribeRouteTableList and ModifyRouteTableAttributes over a store. */
export function routeTableHandlers(store: VpcStore) {
  const mustRouteTable = async (ctx: HandlerContext, routeTableId: string) => {
    const v = await store.getVpcByRouteTable(ctx.accountId, routeTableId);
    if (!v) {
      throw E.InvalidRouteTableIdNotFound(
        `Specified route table does not exist: \`${routeTableId}\`.`,
      );
    }
    return v;
  };

  const describeRouteTableList: H<typeof Ops.DescribeRouteTableList> = async (ctx, input) => {
    const regionId = checkRegion(ctx, input.RegionId);
    const vpcs = await store.listVpcs(ctx.accountId, regionId, {
      ...(input.VpcId !== undefined ? { vpcIds: [input.VpcId] } : {}),
    });
    const tables = vpcs.filter(
      (v) =>
        (input.RouteTableId === undefined || v.routeTableId === input.RouteTableId) &&
        (input.RouteTableName === undefined || (v.routeTableName ?? '') === input.RouteTableName) &&
        (input.RouteTableType === undefined || input.RouteTableType === 'System') &&
        (input.RouterId === undefined || v.vRouterId === input.RouterId) &&
        (input.RouterType === undefined || input.RouterType === 'VRouter'),
    );
    const { items, ...pg } = page(tables, input.PageNumber, input.PageSize);
    const switches = await store.listVSwitches(ctx.accountId, regionId, {});
    return {
      ...pg,
      RouterTableList: {
        RouterTableListType: items.map((v) =>
          routeTableToWire(
            v,
            switches.filter((s) => s.vpcId === v.vpcId).map((s) => s.vswitchId),
          ),
        ),
      },
    };
  };

  const modifyRouteTableAttributes: H<typeof Ops.ModifyRouteTableAttributes> = async (
    ctx,
    input,
  ) => {
    checkRegion(ctx, input.RegionId);
    const v = await mustRouteTable(ctx, input.RouteTableId);
    const changed = await store.updateVpc(ctx.accountId, v.vpcId, {
      ...(input.RouteTableName !== undefined ? { routeTableName: input.RouteTableName } : {}),
      ...(input.Description !== undefined ? { routeTableDescription: input.Description } : {}),
      ...(input.RoutePropagationEnable !== undefined
        ? { routePropagation: input.RoutePropagationEnable }
        : {}),
    });
    if (!changed) throw E.InvalidRouteTableIdNotFound();
    return {};
  };

  return { describeRouteTableList, modifyRouteTableAttributes };
}
