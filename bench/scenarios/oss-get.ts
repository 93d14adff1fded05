/**
 * @module GET of a 1 KiB object, V1-signed with STS credentials and authorised by the role's
 * policy, against two baselines measured in the same rounds: the bare node:http server answering
 * the same 1 KiB from memory, and s3rver (the npm fake S3, no authentication) serving the same
 * object from its store.
 */
import { cpuNote, measureTargets, type LoadTarget } from '../lib/load.js';
import { httpRequest, setBaselineFixture } from '../lib/processes.js';
import { BENCH_BUCKET, type BenchYunbox } from '../lib/resources.js';
import type { Row, Scenario } from '../lib/types.js';
import { KEY_1K, OBJECT_1K, getObjectRequest, needsOss, ossReady } from './oss-common.js';

const NAME_BARE = 'GET 1 KiB object, V1 + STS, role policy (SQLite)';
const NAME_S3RVER = 'same GET, against s3rver';

/** A load target GETting the 1 KiB object from `yb`. */
export function ossGetTarget(name: string, yb: BenchYunbox): LoadTarget {
  return {
    name,
    pid: yb.pid,
    job: async (durationSec, connections) => ({
      url: yb.endpoint,
      durationSec,
      connections,
      requests: [getObjectRequest(await yb.sts())],
    }),
  };
}

/** The scenario. */
export const ossGet: Scenario = {
  id: 'oss-get',
  title: 'OSS GET 1 KiB (V1, STS, role policy) vs bare node:http and s3rver',
  unavailable: needsOss([
    {
      name: NAME_BARE,
      unit: 'req/s',
      goals: [{ kind: 'ratio-at-least', ratio: 0.6, text: '≥ 60% of bare node:http' }],
    },
    {
      name: NAME_S3RVER,
      unit: 'req/s',
      goals: [{ kind: 'ratio-at-least', ratio: 3, text: '≥ 3× s3rver' }],
    },
  ]),
  async run(ctx) {
    const [yb, baseline, s3rver] = await Promise.all([
      ctx.resources.yunbox('sqlite'),
      ctx.resources.baseline(),
      ctx.resources.s3rver(),
    ]);
    await ossReady(yb);
    await setBaselineFixture(baseline, `/${KEY_1K}`, OBJECT_1K);
    const put = await httpRequest(`${s3rver.url}/${BENCH_BUCKET}/${KEY_1K}`, {
      method: 'PUT',
      body: OBJECT_1K,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (put.status !== 200) throw new Error(`s3rver PUT: ${put.status}`);
    const s3Path = `/${BENCH_BUCKET}/${KEY_1K}`;
    const check = await httpRequest(`${s3rver.url}${s3Path}`);
    if (!check.body.equals(OBJECT_1K)) throw new Error('s3rver does not serve the object back');
    const figures = await measureTargets(
      [
        ossGetTarget('yunbox', yb),
        {
          name: 'bare node:http',
          job: (durationSec, connections) => ({
            url: baseline.url,
            durationSec,
            connections,
            requests: [{ method: 'GET', path: `/${KEY_1K}`, headers: {} }],
          }),
        },
        {
          name: 's3rver',
          job: (durationSec, connections) => ({
            url: s3rver.url,
            durationSec,
            connections,
            requests: [{ method: 'GET', path: s3Path, headers: {} }],
          }),
        },
      ],
      ctx.settings,
      ctx.log,
    );
    const y = figures.get('yunbox')!.stat;
    const b = figures.get('bare node:http')!.stat;
    const s = figures.get('s3rver')!.stat;
    return [
      {
        scenario: 'oss-get',
        name: NAME_BARE,
        unit: 'req/s',
        status: 'ok',
        yunbox: y,
        baseline: { name: 'bare node:http', stat: b },
        ratio: y.median / b.median,
        goals: [{ kind: 'ratio-at-least', ratio: 0.6, text: '≥ 60% of bare node:http' }],
        ...cpuNote(figures.get('yunbox')),
      },
      {
        scenario: 'oss-get',
        name: NAME_S3RVER,
        unit: 'req/s',
        status: 'ok',
        yunbox: y,
        baseline: { name: 's3rver, no auth', stat: s },
        ratio: y.median / s.median,
        goals: [{ kind: 'ratio-at-least', ratio: 3, text: '≥ 3× s3rver' }],
      },
    ] satisfies Row[];
  },
};
