/**
 * @module yunbox's own control API (product `Yunbox`, version 2026-11-01) on the RPC gateway:
 * calls that have no Alibaba Cloud equivalent (instance sandboxes, metadata fault injection, the
 * manual clock).
 * Served through the same pipeline as RAM and STS, so the CLI signs its calls (ACS3) with the
 * root credentials and RAM policies decide (`yunbox:<Action>` on `acs:yunbox::<account>:…`).
 * Each concern declares its operations in its own file and lists them here.
 */
import type { BoundOperation, RpcProduct } from '../../protocol/rpc-operation.js';
import { defineError } from '../../kernel/errors.js';

/** API version of the Yunbox product. */
export const YUNBOX_API_VERSION = '2026-11-01';

/** Denial of a Yunbox call. */
export const YunboxForbidden = defineError(
  'Forbidden.RAM',
  403,
  "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
);

/** Builds the Yunbox product from the operations each concern contributes. */
export function createYunboxProduct(operations: BoundOperation[]): RpcProduct {
  return {
    product: 'Yunbox',
    version: YUNBOX_API_VERSION,
    hostId: () => 'yunbox.local',
    denied: (message, detail) => YunboxForbidden(message, { AccessDeniedDetail: detail }),
    operations,
  };
}
