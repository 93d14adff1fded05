/**
 * @module The official Alibaba Cloud SDK clients, pointed at a test server exactly as a user
 * would point them (openapi.md §a.3). Tests call the SDKs themselves; these only build them.
 */
import { createRequire } from 'node:module';
import * as $OpenApi from '@alicloud/openapi-client';
import RamModule, * as $Ram from '@alicloud/ram20150501';
import StsModule, * as $Sts from '@alicloud/sts20150401';

const require = createRequire(import.meta.url);

/** An AccessKey pair, optionally with a SecurityToken. */
export interface TestCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Anything with a gateway address. */
export interface Endpointed {
  address: string;
  endpoint: string;
}

// The Tea SDKs are CommonJS with `exports.default = Client`.
const RamClient = ((RamModule as any).default ?? RamModule) as typeof RamModule.default;
const StsClient = ((StsModule as any).default ?? StsModule) as typeof StsModule.default;

function teaConfig(server: Endpointed, c: TestCredentials, extra: Record<string, unknown> = {}) {
  return new $OpenApi.Config({
    endpoint: server.address,
    protocol: 'http',
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    ...(c.securityToken ? { securityToken: c.securityToken } : {}),
    ...extra,
  });
}

/** @alicloud/ram20150501 (ACS3 by default; `signatureAlgorithm: 'v2'` for signature v1). */
export function ramClient(
  server: Endpointed,
  c: TestCredentials,
  extra: Record<string, unknown> = {},
) {
  return new RamClient(teaConfig(server, c, extra));
}

/** @alicloud/sts20150401. */
export function stsClient(
  server: Endpointed,
  c: TestCredentials,
  extra: Record<string, unknown> = {},
) {
  return new StsClient(teaConfig(server, c, extra));
}

/** @alicloud/pop-core RPCClient for one API version (signature v1, GET unless `method: 'POST'`). */
export function popClient(server: Endpointed, c: TestCredentials, apiVersion: string) {
  const RPCClient = require('@alicloud/pop-core');
  return new RPCClient({
    endpoint: server.endpoint,
    apiVersion,
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    ...(c.securityToken ? { securityToken: c.securityToken } : {}),
  }) as {
    request<T = any>(
      action: string,
      params?: Record<string, unknown>,
      opts?: Record<string, unknown>,
    ): Promise<T>;
  };
}

export { $Ram, $Sts, $OpenApi };
