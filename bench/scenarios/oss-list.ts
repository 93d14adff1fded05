/**
 * @module ListObjects: 100 keys of a bucket holding `listKeys` (10,000) under `list/`, with
 * `delimiter=/` and `max-keys=100`, V1-signed with STS credentials and authorised by the role's
 * policy. The keys are uploaded first (signed PUTs through the load worker). Compared with the
 * 1 KiB GET measured in the same rounds; report only.
 */
import { measureTargets, runLoad, type LoadTarget } from '../lib/load.js';
import { httpRequest } from '../lib/processes.js';
import { BENCH_BUCKET, type BenchYunbox } from '../lib/resources.js';
import { ossV1Request, type Credentials, type WireRequest } from '../lib/signing.js';
import type { BenchContext, Row, Scenario } from '../lib/types.js';
import { ossGetTarget } from './oss-get.js';
import { needsOss, ossReady, putRequests } from './oss-common.js';

const NAME = 'ListObjects, 100 of 10,000 keys, delimiter (SQLite)';

function listRequest(creds: Credentials): WireRequest {
  return ossV1Request({
    method: 'GET',
    bucket: BENCH_BUCKET,
    query: [
      ['prefix', 'list/'],
      ['delimiter', '/'],
      ['max-keys', '100'],
    ],
    credentials: creds,
  });
}

/** The listing as a load target against `yb`. */
export function ossListTarget(name: string, yb: BenchYunbox): LoadTarget {
  return {
    name,
    job: async (durationSec, connections) => ({
      url: yb.endpoint,
      durationSec,
      connections,
      requests: [listRequest(await yb.sts())],
    }),
  };
}

/**
 * Makes sure `yb`'s bucket holds the `listKeys` keys under `list/` (uploaded once, by signed PUTs
 * through the load worker; kept when another scenario already uploaded them), and checks one
 * listing.
 */
export async function ensureListKeys(ctx: BenchContext, yb: BenchYunbox): Promise<void> {
  const n = ctx.settings.listKeys;
  const count = async () => {
    const probe = listRequest(await yb.sts());
    const r = await httpRequest(`${yb.endpoint}${probe.path}`, { headers: probe.headers });
    return { r, keys: (r.body.toString('utf8').match(/<Contents>/g) ?? []).length };
  };
  if ((await count()).keys < 100) {
    const t0 = Date.now();
    const up = await runLoad({
      url: yb.endpoint,
      connections: ctx.settings.connections,
      durationSec: 600,
      amount: n,
      requests: putRequests(await yb.sts(), n, 'list/'),
    });
    if (up.ok !== n) throw new Error(`uploading ${n} keys: ${up.ok} succeeded`);
    ctx.log(`  uploaded ${n} keys in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const { r, keys } = await count();
  if (r.status !== 200 || keys !== 100) {
    throw new Error(
      `ListObjects check: ${r.status}, ${keys} keys: ${r.body.toString('utf8').slice(0, 300)}`,
    );
  }
}

/** The scenario. */
export const ossList: Scenario = {
  id: 'oss-list',
  title: 'OSS ListObjects (100 of 10,000 keys, delimiter) vs the GET',
  unavailable: needsOss([{ name: NAME, unit: 'req/s', goals: [] }]),
  async run(ctx) {
    const yb = await ctx.resources.yunbox('sqlite');
    await ossReady(yb);
    const n = ctx.settings.listKeys;
    await ensureListKeys(ctx, yb);
    const figures = await measureTargets(
      [ossListTarget('list', yb), ossGetTarget('get', yb)],
      ctx.settings,
      ctx.log,
    );
    const y = figures.get('list')!.stat;
    const b = figures.get('get')!.stat;
    return [
      {
        scenario: 'oss-list',
        name: n === 10_000 ? NAME : NAME.replace('10,000', n.toLocaleString('en-US')),
        unit: 'req/s',
        status: 'ok',
        yunbox: y,
        baseline: { name: 'yunbox GET 1 KiB', stat: b },
        ratio: y.median / b.median,
        goals: [],
      },
    ] satisfies Row[];
  },
};
