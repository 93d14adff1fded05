/**
 * @module The official Alibaba Cloud SDK clients, pointed at a test server exactly as a user
 * would point them (openapi.md §a.3). Tests call the SDKs themselves; these only build them.
 */
import { createRequire } from 'node:module';
import * as $OpenApi from '@alicloud/openapi-client';
import RamModule, * as $Ram from '@alicloud/ram20150501';
import StsModule, * as $Sts from '@alicloud/sts20150401';
import EcsModule, * as $Ecs from '@alicloud/ecs20140526';
import VpcModule, * as $Vpc from '@alicloud/vpc20160428';
import ImsModule, * as $Ims from '@alicloud/ims20190815';

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
const EcsClient = ((EcsModule as any).default ?? EcsModule) as typeof EcsModule.default;
const VpcClient = ((VpcModule as any).default ?? VpcModule) as typeof VpcModule.default;
const ImsClient = ((ImsModule as any).default ?? ImsModule) as typeof ImsModule.default;

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

/** @alicloud/ecs20140526 (ACS3 by default; `signatureAlgorithm: 'v2'` for signature v1). */
export function ecsClient(
  server: Endpointed,
  c: TestCredentials,
  extra: Record<string, unknown> = {},
) {
  return new EcsClient(teaConfig(server, c, extra));
}

/** @alicloud/vpc20160428. */
export function vpcClient(
  server: Endpointed,
  c: TestCredentials,
  extra: Record<string, unknown> = {},
) {
  return new VpcClient(teaConfig(server, c, extra));
}

/** @alicloud/ims20190815 (OIDC providers). */
export function imsClient(
  server: Endpointed,
  c: TestCredentials,
  extra: Record<string, unknown> = {},
) {
  return new ImsClient(teaConfig(server, c, extra));
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

/** @alicloud/oss20190517, the Tea OSS client: its request and model classes. */
const $TeaOss = require('@alicloud/oss20190517');

/**
 * The Tea OSS client pointed at a test server. `endpointType: 'ip'` makes it send path-style
 * requests to the IP endpoint (its default, `<bucket>.<endpoint>`, needs DNS for the bucket host).
 * Untyped: its classes are reached through the CommonJS `require` as tests use them.
 */
export function teaOssClient(server: Endpointed, c: TestCredentials): any {
  return new $TeaOss.default(teaConfig(server, c, { endpointType: 'ip', regionId: 'cn-hangzhou' }));
}

/** How an ali-oss client addresses the test server (oss.md §1.3, §12). */
export interface OssClientOptions {
  bucket?: string;
  /**
   * `ip` (default): `http://127.0.0.1:PORT`, bucket only in the Host header ali-oss makes up
   * (`<bucket>.oss-cn-hangzhou.aliyuncs.com`); `path`: `http://localhost:PORT` with `sldEnable`,
   * `/<bucket>/<key>` (needed for `signatureUrl`).
   */
  style?: 'ip' | 'path';
  /** Sign with OSS4-HMAC-SHA256 (`authorizationV4`). */
  v4?: boolean;
  /** ali-oss region option (default `oss-cn-hangzhou`). */
  region?: string;
  /** Any other ali-oss option. */
  extra?: Record<string, unknown>;
}

/** An ali-oss client (untyped: the package ships no declarations). */
export type OssClient = any;

/** ali-oss pointed at a test server, with long-term or STS credentials. */
export function ossClient(
  server: Endpointed,
  c: TestCredentials,
  opts: OssClientOptions = {},
): OssClient {
  const OSS = require('ali-oss');
  const port = server.address.slice(server.address.lastIndexOf(':') + 1);
  const path = opts.style === 'path';
  return new OSS({
    endpoint: path ? `http://localhost:${port}` : `http://127.0.0.1:${port}`,
    ...(path ? { sldEnable: true } : {}),
    region: opts.region ?? 'oss-cn-hangzhou',
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    ...(c.securityToken
      ? {
          stsToken: c.securityToken,
          // Set so ali-oss does not warn; the credentials never need refreshing in a test.
          refreshSTSTokenInterval: 24 * 3600_000,
          refreshSTSToken: async () => ({
            accessKeyId: c.accessKeyId,
            accessKeySecret: c.accessKeySecret,
            stsToken: c.securityToken,
          }),
        }
      : {}),
    ...(opts.bucket !== undefined ? { bucket: opts.bucket } : {}),
    ...(opts.v4 ? { authorizationV4: true } : {}),
    timeout: 120_000,
    ...opts.extra,
  });
}

export { $Ram, $Sts, $Ecs, $Vpc, $Ims, $OpenApi, $TeaOss };
