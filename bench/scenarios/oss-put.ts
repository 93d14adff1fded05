/**
 * @module PUT of a 1 KiB object (256 keys in turn, `Content-MD5` sent as ali-oss does for
 * in-memory bodies), V1-signed with STS credentials and authorised by the role's policy; against
 * the bare node:http server reading and dropping the same bodies.
 */
import { cpuNote, measureTargets, type LoadTarget } from '../lib/load.js';
import type { BenchYunbox } from '../lib/resources.js';
import type { Row, Scenario } from '../lib/types.js';
import { needsOss, ossReady, putRequests } from './oss-common.js';

const NAME = 'PUT 1 KiB object, V1 + STS, role policy (SQLite)';
const KEYS = 256;

/** A load target PUTting 1 KiB objects into `yb`. */
export function ossPutTarget(name: string, yb: BenchYunbox): LoadTarget {
  return {
    name,
    pid: yb.pid,
    job: async (durationSec, connections) => ({
      url: yb.endpoint,
      durationSec,
      connections,
      requests: putRequests(await yb.sts(), KEYS),
    }),
  };
}

/** The scenario. */
export const ossPut: Scenario = {
  id: 'oss-put',
  title: 'OSS PUT 1 KiB (V1, STS, role policy) vs bare node:http accepting the body',
  unavailable: needsOss([
    {
      name: NAME,
      unit: 'req/s',
      goals: [{ kind: 'ratio-at-least', ratio: 0.4, text: '≥ 40% of bare node:http' }],
    },
  ]),
  async run(ctx) {
    const [yb, baseline] = await Promise.all([
      ctx.resources.yunbox('sqlite'),
      ctx.resources.baseline(),
    ]);
    await ossReady(yb);
    const figures = await measureTargets(
      [
        ossPutTarget('yunbox', yb),
        {
          name: 'bare node:http',
          job: async (durationSec, connections) => ({
            url: baseline.url,
            durationSec,
            connections,
            requests: putRequests(await yb.sts(), KEYS),
          }),
        },
      ],
      ctx.settings,
      ctx.log,
    );
    const y = figures.get('yunbox')!.stat;
    const b = figures.get('bare node:http')!.stat;
    return [
      {
        scenario: 'oss-put',
        name: NAME,
        unit: 'req/s',
        status: 'ok',
        yunbox: y,
        baseline: { name: 'bare node:http', stat: b },
        ratio: y.median / b.median,
        goals: [{ kind: 'ratio-at-least', ratio: 0.4, text: '≥ 40% of bare node:http' }],
        ...cpuNote(figures.get('yunbox')),
      },
    ] satisfies Row[];
  },
};
