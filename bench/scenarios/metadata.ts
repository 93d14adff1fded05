/**
 * @module Metadata credential read: `GET /latest/meta-data/ram/security-credentials/<role>` on the
 * plain metadata listener (`--metadata-listen`), which tells instances apart by the loopback
 * address a connection arrives on (`127.77.X.Y`, shown by the Yunbox API's
 * `DescribeInstanceMetadataEndpoint`). Set-up: a VPC and vSwitch, a role trusting
 * ecs.aliyuncs.com, an instance running with it (RunInstances). One connection, so the figure is
 * the service's latency rather than queueing; p99 per round, median across rounds. Baseline: the
 * bare node:http server answering the same bytes.
 */
import { rpcCall } from '../../src/protocol/rpc-client.js';
import { ECS_TRUST_POLICY } from '../../src/testing/fixtures.js';
import { $Ram, ramClient } from '../../src/testing/sdk.js';
import { measureTargets } from '../lib/load.js';
import { httpRequest, setBaselineFixture, waitFor } from '../lib/processes.js';
import { serviceMissing, type BenchYunbox } from '../lib/resources.js';
import { summarize } from '../lib/stats.js';
import type { Goal, Row, Scenario } from '../lib/types.js';

const NAME = 'metadata credential read, security-credentials/<role> (p99)';
const ROLE = 'bench-ecs-role';
const GOAL: Goal = { kind: 'at-most', value: 2, text: 'p99 < 2 ms' };

async function call(
  yb: BenchYunbox,
  version: string,
  action: string,
  params: Record<string, string>,
): Promise<any> {
  const r = await rpcCall({ endpoint: yb.endpoint, version, action, params, credentials: yb.root });
  if (r.status !== 200) throw new Error(`${action}: ${r.status} ${r.text}`);
  return r.json;
}

/** Sets up an instance with {@link ROLE}; resolves with its metadata base URL. */
async function instanceWithRole(yb: BenchYunbox): Promise<string> {
  const ram = ramClient(yb, yb.root);
  await ram.createRole(
    new $Ram.CreateRoleRequest({ roleName: ROLE, assumeRolePolicyDocument: ECS_TRUST_POLICY }),
  );
  await ram.attachPolicyToRole(
    new $Ram.AttachPolicyToRoleRequest({
      policyType: 'Custom',
      policyName: 'bench-oss',
      roleName: ROLE,
    }),
  );
  const region = 'cn-hangzhou';
  const vpc = await call(yb, '2016-04-28', 'CreateVpc', {
    RegionId: region,
    CidrBlock: '192.168.0.0/16',
  });
  const vsw = await call(yb, '2016-04-28', 'CreateVSwitch', {
    RegionId: region,
    VpcId: vpc.VpcId,
    ZoneId: `${region}-i`,
    CidrBlock: '192.168.1.0/24',
  });
  const images = await call(yb, '2014-05-26', 'DescribeImages', { RegionId: region });
  const types = await call(yb, '2014-05-26', 'DescribeInstanceTypes', { RegionId: region });
  const run = await call(yb, '2014-05-26', 'RunInstances', {
    RegionId: region,
    ImageId: images.Images.Image[0].ImageId,
    InstanceType: types.InstanceTypes.InstanceType[0].InstanceTypeId,
    VSwitchId: vsw.VSwitchId,
    RamRoleName: ROLE,
  });
  const instanceId: string = run.InstanceIdSets.InstanceIdSet[0];
  let url = '';
  await waitFor(
    async () => {
      const e = await call(yb, '2026-11-01', 'DescribeInstanceMetadataEndpoint', {
        InstanceId: instanceId,
      });
      url = e.Url;
      if (!url) return false;
      const r = await httpRequest(`${url}/latest/meta-data/ram/security-credentials/${ROLE}`);
      return r.status === 200;
    },
    30_000,
    `metadata of ${instanceId}`,
    250,
  );
  return url;
}

/** The scenario. */
export const metadata: Scenario = {
  id: 'metadata',
  title: 'metadata credential read (plain listener) vs bare node:http, p99 latency',
  unavailable: () => {
    const reason = serviceMissing('ecs');
    return reason ? { reason, rows: [{ name: NAME, unit: 'ms', goals: [GOAL] }] } : undefined;
  },
  async run(ctx) {
    const [yb, baseline] = await Promise.all([
      ctx.resources.yunbox('sqlite'),
      ctx.resources.baseline(),
    ]);
    const base = await instanceWithRole(yb);
    const path = `/latest/meta-data/ram/security-credentials/${ROLE}`;
    const first = await httpRequest(`${base}${path}`);
    const doc = JSON.parse(first.body.toString('utf8')) as { Code?: string; AccessKeyId?: string };
    if (doc.Code !== 'Success' || !doc.AccessKeyId) {
      throw new Error(`metadata credentials: ${first.status} ${first.body.toString('utf8')}`);
    }
    await setBaselineFixture(baseline, path, first.body, 'text/plain');
    const job = (url: string) => (durationSec: number) => ({
      url,
      durationSec,
      connections: 1,
      requests: [{ method: 'GET', path, headers: {} }],
    });
    const figures = await measureTargets(
      [
        { name: 'yunbox', job: job(base) },
        { name: 'bare node:http', job: job(baseline.url) },
      ],
      ctx.settings,
      ctx.log,
    );
    const p99 = (name: string) =>
      summarize(
        figures.get(name)!.runs.map((r) => ({
          value: r.p99Us / 1000,
          p50Us: r.p50Us,
          p99Us: r.p99Us,
          failures: r.non2xx + r.errors + r.timeouts,
        })),
      );
    const y = p99('yunbox');
    const b = p99('bare node:http');
    const rps = (name: string) => figures.get(name)!.stat.median.toFixed(0);
    return [
      {
        scenario: 'metadata',
        name: NAME,
        unit: 'ms',
        status: 'ok',
        yunbox: y,
        baseline: { name: 'bare node:http', stat: b },
        ratio: y.median / b.median,
        goals: [GOAL],
        note: `1 connection: yunbox ${rps('yunbox')} req/s, bare ${rps('bare node:http')} req/s`,
      },
    ] satisfies Row[];
  },
};
