/**
 * @module What the OSS scenarios share: the availability check (OSS must have landed and be wired
 * into `yunbox serve`), the bucket and 1 KiB object created with ali-oss (the official SDK) as
 * the root account, and the V1-signed requests the load replays, signed with the role's STS
 * credentials (`Host: yunbox-bench.oss-cn-hangzhou.aliyuncs.com`, path `/<key>`, as ali-oss
 * sends to an IP endpoint; oss.md §1.3).
 */
import { createHash, randomBytes } from 'node:crypto';
import { httpRequest } from '../lib/processes.js';
import { BENCH_BUCKET, aliOss, serviceMissing, type BenchYunbox } from '../lib/resources.js';
import { ossV1Request, type Credentials, type WireRequest } from '../lib/signing.js';
import type { Row, Scenario } from '../lib/types.js';

/** The 1 KiB object of the GET and PUT scenarios. */
export const OBJECT_1K = randomBytes(1024);
/** Its key. */
export const KEY_1K = 'obj-1k';

/** `unavailable()` for scenarios that need OSS. */
export function needsOss(
  rows: Array<Pick<Row, 'name' | 'unit' | 'goals'>>,
): NonNullable<Scenario['unavailable']> {
  return () => {
    const reason = serviceMissing('oss');
    return reason ? { reason, rows } : undefined;
  };
}

const ready = new WeakMap<BenchYunbox, Promise<void>>();

/**
 * Creates the bucket and the 1 KiB object with ali-oss (root), then checks that the role's STS
 * credentials can GET it with a request built by {@link getObjectRequest}. Once per yunbox.
 */
export function ossReady(yb: BenchYunbox): Promise<void> {
  let p = ready.get(yb);
  if (!p) {
    p = (async () => {
      const OSS = aliOss();
      const client = new OSS({
        endpoint: yb.endpoint,
        region: 'oss-cn-hangzhou',
        accessKeyId: yb.root.accessKeyId,
        accessKeySecret: yb.root.accessKeySecret,
        bucket: BENCH_BUCKET,
      });
      await client.putBucket(BENCH_BUCKET);
      await client.put(KEY_1K, OBJECT_1K);
      const r = await httpRequest(`${yb.endpoint}${getObjectRequest(await yb.sts()).path}`, {
        headers: getObjectRequest(await yb.sts()).headers,
      });
      if (r.status !== 200 || !r.body.equals(OBJECT_1K)) {
        throw new Error(
          `GET with STS credentials failed: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`,
        );
      }
    })();
    ready.set(yb, p);
  }
  return p;
}

/** GET of the 1 KiB object, V1-signed with `creds`. */
export function getObjectRequest(creds: Credentials): WireRequest {
  return ossV1Request({ method: 'GET', bucket: BENCH_BUCKET, key: KEY_1K, credentials: creds });
}

/** `n` PUTs of 1 KiB to distinct keys under `prefix`, each V1-signed with `Content-MD5`. */
export function putRequests(
  creds: Credentials,
  n: number,
  prefix = 'put/',
  body: Buffer = OBJECT_1K,
): WireRequest[] {
  const out: WireRequest[] = [];
  const width = String(n - 1).length;
  for (let i = 0; i < n; i++) {
    out.push(
      ossV1Request({
        method: 'PUT',
        bucket: BENCH_BUCKET,
        key: `${prefix}${String(i).padStart(width, '0')}`,
        body,
        contentType: 'application/octet-stream',
        credentials: creds,
      }),
    );
  }
  return out;
}

/** MD5 of a buffer, hex (the ETag OSS gives a simple upload). */
export function md5Hex(b: Buffer): string {
  return createHash('md5').update(b).digest('hex');
}
