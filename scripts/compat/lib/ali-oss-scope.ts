/**
 * @module Which of ali-oss's `test/node` tests are out of yunbox's scope, and why. Everything else
 * in the suite is in scope, the tests that only exercise the client (URL building, option
 * checks) included: they run in the same process, against the same setup, and a broken setup
 * shows there first.
 */

/** Tests of one file left out of the run, with the reason. */
export interface Exclusion {
  /** Path under the checkout's `test/node/`, e.g. `rtmp.test.js`. */
  file: string;
  /** Substrings of the excluded tests' full titles; absent: the whole file. */
  titles?: string[];
  /** The feature, as the issue names it. */
  feature: string;
  /** Why it is out of scope. */
  reason: string;
}

/** The out-of-scope parts of ali-oss's suite (issue 17, item 3). */
export const ALI_OSS_EXCLUSIONS: readonly Exclusion[] = [
  {
    file: 'rtmp.test.js',
    feature: 'RTMP publishing',
    reason: 'LiveChannel push streams, their status, history and VOD playlists need an RTMP ingest',
  },
  {
    file: 'object.test.js',
    titles: [
      'processObjectSave()',
      'should get object content buffer with image process',
      'should signature url with image processed and get object ok',
      'should get image stream with image process',
      // Signs and fetches `x-oss-process=image/resize,w_200` URLs.
      'should signature url with options contains other parameters',
    ],
    feature: 'image processing',
    reason: '`x-oss-process` image operations are the Image Processing service, not object storage',
  },
  {
    file: 'bucket.test.js',
    titles: ['should list buckets by group id'],
    feature: 'Resource Manager',
    reason:
      'the test lists resource groups with the Resource Manager API (resourcemanager.aliyuncs.com), a service yunbox does not serve',
  },
  {
    file: 'cluster.test.js',
    titles: ['should get object cdn url'],
    feature: 'CDN',
    reason: 'object URLs on a CDN domain in front of the bucket',
  },
  {
    file: 'signature.test.js',
    titles: ['should signatureUrlV4 support cloudBox', 'should authorizationV4 support  cloudBox'],
    feature: 'cloud box',
    reason: 'OSS on CloudBox hardware (the `oss-cloudbox` signing product and its endpoints)',
  },
];

/** The exclusion covering test `fullTitle` of `file`, if any. */
export function exclusionFor(
  file: string,
  fullTitle: string,
  exclusions: readonly Exclusion[] = ALI_OSS_EXCLUSIONS,
): Exclusion | undefined {
  return exclusions.find(
    (e) => e.file === file && (!e.titles || e.titles.some((t) => fullTitle.includes(t))),
  );
}

/** Files excluded as a whole. */
export function excludedFiles(exclusions: readonly Exclusion[] = ALI_OSS_EXCLUSIONS): string[] {
  return exclusions.filter((e) => !e.titles).map((e) => e.file);
}

/**
 * A mocha `--grep` pattern (used with `--invert`) matching the excluded titles of `file`, or
 * undefined when none are: literal alternatives, no quantifiers.
 */
export function excludedTitlesPattern(
  file: string,
  exclusions: readonly Exclusion[] = ALI_OSS_EXCLUSIONS,
): string | undefined {
  const titles = exclusions.filter((e) => e.file === file).flatMap((e) => e.titles ?? []);
  if (titles.length === 0) return undefined;
  return titles.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}
