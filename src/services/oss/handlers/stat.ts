/**
 * @module GetBucketStat (`GET /?stat`, doc: GetBucketStat) and DescribeRegions (`GET /?regions`,
 * doc: DescribeRegions; `?regionList` is answered alike).
 *
 * OSS computes bucket statistics with a delay of up to an hour; yunbox counts at the moment of the
 * request (`LastModifiedTime` is then, in seconds). `Storage` is every object's bytes plus the
 * parts of unfinished multipart uploads; the `…Storage` of the IA and archive classes is the
 * billed size (64 KB at least per object), `…RealStorage` the bytes. Every version of an object
 * counts (each is stored); delete markers are `DeleteMarkerCount`. yunbox has no live channels:
 * `LiveChannelCount` is 0.
 */
import { xmlDocument } from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import { noSuchBucket } from '../errors.js';
import { extranetEndpoint, intranetEndpoint } from '../model.js';

/** Storage classes and the element name prefix GetBucketStat gives each. */
const CLASSES: ReadonlyArray<[storageClass: string, prefix: string, billed: boolean]> = [
  ['Standard', 'Standard', false],
  ['IA', 'InfrequentAccess', true],
  ['Archive', 'Archive', true],
  ['ColdArchive', 'ColdArchive', true],
  ['DeepColdArchive', 'DeepColdArchive', true],
];

/** GetBucketStat: counts and sizes, per storage class. */
export async function getBucketStat(call: OssCall): Promise<OssReply> {
  const b = call.bucket;
  if (!b) throw noSuchBucket(call.bucketName ?? '');
  const s = await call.deps.store.bucketStats(b.name);
  const of = (storageClass: string) =>
    s.classes.find((c) => c.storageClass === storageClass) ?? {
      objects: 0,
      bytes: 0,
      billedBytes: 0,
    };
  const objects = s.classes.reduce((n, c) => n + c.objects, 0);
  const bytes = s.classes.reduce((n, c) => n + c.bytes, 0);
  const perClass: Record<string, number> = {};
  for (const [storageClass, prefix, billed] of CLASSES) {
    const c = of(storageClass);
    perClass[`${prefix}Storage`] = billed ? c.billedBytes : c.bytes;
    if (billed) perClass[`${prefix}RealStorage`] = c.bytes;
    perClass[`${prefix}ObjectCount`] = c.objects;
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('BucketStat', {
      Storage: bytes + s.partBytes,
      ObjectCount: objects,
      MultipartUploadCount: s.uploads,
      LiveChannelCount: 0,
      MultipartPartCount: s.parts,
      MultipartPartStorage: s.partBytes,
      DeleteMarkerCount: s.deleteMarkers,
      LastModifiedTime: Math.floor(call.info.now / 1000),
      ...perClass,
    }),
  };
}

/**
 * DescribeRegions: the region yunbox serves (its configured one), with its endpoints; with
 * `regions=<OSS region id>`, that region only, and an empty list for one yunbox does not serve.
 */
export async function describeRegions(call: OssCall): Promise<OssReply> {
  const region = call.deps.region;
  const asked = call.query.get('regions') ?? call.query.get('regionList');
  const all = [region];
  const shown = asked ? all.filter((r) => `oss-${r}` === asked) : all;
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: xmlDocument('RegionInfoList', {
      RegionInfo: shown.map((r) => ({
        Region: `oss-${r}`,
        InternetEndpoint: extranetEndpoint(r),
        InternalEndpoint: intranetEndpoint(r),
        AccelerateEndpoint: 'oss-accelerate.aliyuncs.com',
      })),
    }),
  };
}
