/**
 * Shared set-up of the metadata tests: a yunbox on the manual clock with the plain metadata
 * listener on an ephemeral port, running instances (created and started through the ECS SDK, the
 * clock moved past their transitions), and a small HTTP helper for reading metadata as a program
 * inside the instance would (fetch against the instance's own loopback address).
 */
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { advanceClocks, followServerClock } from '../../../src/testing/clock.js';
import { $Ecs, ecsClient } from '../../../src/testing/sdk.js';
import {
  TUTORIAL_IMAGE,
  TUTORIAL_INSTANCE_TYPE,
  createNetwork,
  rootOf,
} from '../../../src/testing/fixtures.js';

/** A yunbox with the plain metadata listener, on the manual clock followed by this process. */
export async function metadataServer(clockStart = '2030-01-01T00:00:00Z'): Promise<TestServer> {
  const yb = await startTestServer({
    clock: 'manual',
    clockStart,
    metadataListen: '127.0.0.1:0',
  });
  followServerClock(yb);
  return yb;
}

/** A Running instance and the URL of its metadata service. */
export interface RunningInstance {
  instanceId: string;
  url: string;
}

let network: Promise<{ vswitchId: string }> | undefined;
let networkOf: TestServer | undefined;

/** Creates and starts an instance (RunInstances), optionally with a role; moves the clock 2 s. */
export async function runningInstance(
  yb: TestServer,
  opts: { roleName?: string; userData?: string; httpTokens?: string; hostName?: string } = {},
): Promise<RunningInstance> {
  if (networkOf !== yb) {
    networkOf = yb;
    network = createNetwork(yb, rootOf(yb));
  }
  const { vswitchId } = await network!;
  const r = await ecsClient(yb, rootOf(yb)).runInstances(
    new $Ecs.RunInstancesRequest({
      regionId: yb.region,
      imageId: TUTORIAL_IMAGE,
      instanceType: TUTORIAL_INSTANCE_TYPE,
      vSwitchId: vswitchId,
      ...(opts.roleName ? { ramRoleName: opts.roleName } : {}),
      ...(opts.userData ? { userData: opts.userData } : {}),
      ...(opts.httpTokens ? { httpTokens: opts.httpTokens } : {}),
      ...(opts.hostName ? { hostName: opts.hostName } : {}),
    }),
  );
  const instanceId = r.body!.instanceIdSets!.instanceIdSet![0]!;
  advanceClocks(yb, 2);
  const url = await yb.metadata.urlFor(instanceId);
  if (!url) throw new Error(`no metadata address for ${instanceId}`);
  return { instanceId, url };
}

/** A metadata response. */
export interface MdResponse {
  status: number;
  body: string;
  contentType: string | null;
}

/** GET (or another method) a metadata path from `base` (an instance's metadata URL). */
export async function md(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<MdResponse> {
  const res = await fetch(base + path, { method: init.method ?? 'GET', ...init });
  return {
    status: res.status,
    body: await res.text(),
    contentType: res.headers.get('content-type'),
  };
}

/** Issues a hardened-mode token (`PUT /latest/api/token`). */
export async function mdToken(base: string, ttl = 21600): Promise<string> {
  const r = await md(base, '/latest/api/token', {
    method: 'PUT',
    headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': String(ttl) },
  });
  if (r.status !== 200) throw new Error(`token request answered ${r.status}`);
  return r.body;
}

/** Reads and parses the credential document of `roleName`. */
export async function credentials(base: string, roleName: string, token?: string) {
  const r = await md(base, `/latest/meta-data/ram/security-credentials/${roleName}`, {
    ...(token ? { headers: { 'x-aliyun-ecs-metadata-token': token } } : {}),
  });
  if (r.status !== 200) throw new Error(`credential document answered ${r.status}: ${r.body}`);
  return JSON.parse(r.body) as {
    AccessKeyId: string;
    AccessKeySecret: string;
    SecurityToken: string;
    Expiration: string;
    LastUpdated: string;
    Code: string;
  };
}

export { advanceClocks };
