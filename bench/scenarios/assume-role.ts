/**
 * @module STS AssumeRole: a RAM user with `AliyunSTSAssumeRoleAccess` (identity policy) assumes a
 * role whose trust policy names the account, signature v1 as pop-core sends it (GET, parameters in
 * the query), each request with its own `SignatureNonce`. Baseline: the bare node:http server
 * answering the very bytes of a real AssumeRole response to the same requests.
 */
import type { LoadJob } from '../lib/load-worker.js';
import { cpuNote, measureTargets } from '../lib/load.js';
import { httpRequest, setBaselineFixture } from '../lib/processes.js';
import type { BenchYunbox } from '../lib/resources.js';
import { RpcV1Signer, type RpcV1Spec } from '../lib/signing.js';
import type { Row, Scenario } from '../lib/types.js';

/** The AssumeRole call the load repeats. */
export function assumeRoleSpec(yb: BenchYunbox): RpcV1Spec {
  return {
    action: 'AssumeRole',
    version: '2015-04-01',
    params: { RoleArn: yb.roleArn, RoleSessionName: 'bench', DurationSeconds: '3600' },
    credentials: yb.user,
  };
}

/** A load job of AssumeRole calls signed for `yb`, sent to `url` (yunbox or a baseline). */
export function assumeRoleJob(
  yb: BenchYunbox,
  url: string,
  durationSec: number,
  connections: number,
): LoadJob {
  return { url, durationSec, connections, rpcV1: assumeRoleSpec(yb), host: yb.address };
}

/** One AssumeRole, checked: the response body (for the baseline fixture). */
export async function oneAssumeRole(yb: BenchYunbox): Promise<Buffer> {
  const path = new RpcV1Signer(assumeRoleSpec(yb)).path();
  const r = await httpRequest(`${yb.endpoint}${path}`);
  const body = JSON.parse(r.body.toString('utf8')) as { Credentials?: { AccessKeyId?: string } };
  if (r.status !== 200 || !body.Credentials?.AccessKeyId?.startsWith('STS.')) {
    throw new Error(`AssumeRole check failed: ${r.status} ${r.body.toString('utf8')}`);
  }
  return r.body;
}

/** The scenario. */
export const assumeRole: Scenario = {
  id: 'assume-role',
  title: 'STS AssumeRole (v1-signed, trust + identity policy), SQLite, vs bare node:http',
  async run(ctx) {
    const [yb, baseline] = await Promise.all([
      ctx.resources.yunbox('sqlite'),
      ctx.resources.baseline(),
    ]);
    const body = await oneAssumeRole(yb);
    await setBaselineFixture(baseline, '/', body, 'application/json;charset=utf-8');
    const figures = await measureTargets(
      [
        { name: 'yunbox', pid: yb.pid, job: (d, c) => assumeRoleJob(yb, yb.endpoint, d, c) },
        { name: 'bare node:http', job: (d, c) => assumeRoleJob(yb, baseline.url, d, c) },
      ],
      ctx.settings,
      ctx.log,
    );
    const y = figures.get('yunbox')!.stat;
    const b = figures.get('bare node:http')!.stat;
    const row: Row = {
      scenario: 'assume-role',
      name: 'STS AssumeRole, v1-signed, trust + identity policy (SQLite)',
      unit: 'req/s',
      status: 'ok',
      yunbox: y,
      baseline: { name: 'bare node:http', stat: b },
      ratio: y.median / b.median,
      goals: [{ kind: 'at-least', value: 5000, text: '≥ 5,000 req/s' }],
      ...cpuNote(figures.get('yunbox')),
    };
    return [row];
  },
};
