/**
 * @module Lifecycle rules (PutBucketLifecycle, GetBucketLifecycle): the rule model, the parser
 * and validator of a `LifecycleConfiguration` document (GetBucketLifecycle's XML is written by
 * handlers/lifecycle.ts). When rules act is `lifecycle-due.ts`; the runner is
 * `lifecycle-runner.ts`. No I/O.
 *
 * Validation follows the OSS error-center pages of PutBucketLifecycle (0014-00000047…87) and the
 * codes the official SDKs' suites expect: structural mistakes are `MalformedXML`; bad values,
 * ordering of transition days and same-action overlaps are `InvalidArgument`; mixing `Days` and
 * `CreatedBeforeDate` between the expiration and transitions of objects is `InvalidRequest`
 * (oss2 `test_lifecycle_storage_transitions_mixed`).
 */
import { xmlChild, xmlChildren, type XmlNode } from '../../protocol/oss-xml.js';
import { OssError, invalidArgument, malformedXml } from './errors.js';

/** One day in ms. */
export const DAY_MS = 24 * 3600_000;
/** Rules a configuration may hold (PutBucketLifecycle doc). */
export const MAX_LIFECYCLE_RULES = 1000;
/** Longest rule ID, in bytes. */
const MAX_ID_BYTES = 255;
/** Longest prefix, in bytes (an object key's limit). */
const MAX_PREFIX_BYTES = 1023;
/** Tags a rule may filter on (an object has at most 10). */
const MAX_RULE_TAGS = 10;
/** Largest Days / NoncurrentDays accepted (about 100 years: beyond it no clock reaches). */
const MAX_DAYS = 36500;
/** Objects under this size stay put under a transition with `AllowSmallFile` false. */
export const SMALL_FILE_BYTES = 64 * 1024;
/** Header that lets rules with overlapping prefixes share an action type. */
export const ALLOW_OVERLAP_HEADER = 'x-oss-allow-same-action-overlap';

/** Classes a transition may move objects to, warmest first. */
export const TRANSITION_CLASSES = ['IA', 'Archive', 'ColdArchive', 'DeepColdArchive'] as const;
/** A class a transition may move objects to. */
export type TransitionClass = (typeof TRANSITION_CLASSES)[number];

/** How cold a storage class is: Standard 0, IA 1 … DeepColdArchive 4. */
export function coldness(storageClass: string): number {
  return (TRANSITION_CLASSES as readonly string[]).indexOf(storageClass) + 1;
}

/** When an action applies: days after last modification, or to objects older than a date. */
export interface LifecycleWhen {
  days?: number;
  /** Midnight UTC, ms. */
  createdBeforeDate?: number;
}

/** A tag a rule filters on. */
export interface LifecycleTag {
  key: string;
  value: string;
}

/** One rule, as stored (JSON) and applied. */
export interface LifecycleRule {
  id: string;
  prefix: string;
  status: 'Enabled' | 'Disabled';
  /** Every one must be on the object. */
  tags: LifecycleTag[];
  /** `Filter`: objects to leave out, and size bounds. */
  filter?: {
    not?: { prefix: string; tag?: LifecycleTag };
    sizeGreaterThan?: number;
    sizeLessThan?: number;
  };
  expiration?: LifecycleWhen & {
    /** Deprecated `Date`: every selected object expires once this midnight has passed. */
    date?: number;
    expiredObjectDeleteMarker?: boolean;
  };
  transitions: Array<
    LifecycleWhen & {
      storageClass: TransitionClass;
      /** As sent; `false` leaves objects under 64 KB where they are (0014-00000054). */
      allowSmallFile?: boolean;
    }
  >;
  abortMultipartUpload?: LifecycleWhen;
  noncurrentVersionExpiration?: { noncurrentDays: number };
  noncurrentVersionTransitions: Array<{
    noncurrentDays: number;
    storageClass: TransitionClass;
    allowSmallFile?: boolean;
  }>;
}

// ---------------------------------------------------------------- errors

const invalid = (message: string, name?: string, value?: string) =>
  invalidArgument(message, name, value);

/** `400 InvalidRequest`: Days and CreatedBeforeDate mixed for one object's actions. */
const mixedTimeKinds = () =>
  new OssError(
    'InvalidRequest',
    400,
    'Days and CreatedBeforeDate cannot be mixed in the Expiration and Transition of objects a lifecycle rule selects.',
  );

// ---------------------------------------------------------------- parsing

const text = (node: XmlNode, name: string): string | undefined => {
  const all = xmlChildren(node, name);
  if (all.length > 1) throw malformedXml();
  return all[0]?.text.trim();
};

/** A boolean element as `'true'` / `'false'` (any case), `undefined` when absent; else MalformedXML. */
function boolText(node: XmlNode, name: string): 'true' | 'false' | undefined {
  const raw = text(node, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw malformedXml();
  return raw;
}

const CHILDREN_OF: Record<string, readonly string[]> = {
  Rule: [
    'ID',
    'Prefix',
    'Status',
    'Tag',
    'Filter',
    'Expiration',
    'Transition',
    'AbortMultipartUpload',
    'NoncurrentVersionExpiration',
    'NoncurrentVersionTransition',
    // ali-oss's legacy `days`/`date` options are also sent as Rule-level elements (its
    // putBucketLifecycle copies them into Expiration and leaves them in place): accepted when
    // they say what the Expiration says, see `legacyMatches`.
    'Days',
    'Date',
  ],
  Expiration: ['Days', 'CreatedBeforeDate', 'Date', 'ExpiredObjectDeleteMarker'],
  Transition: [
    'Days',
    'CreatedBeforeDate',
    'StorageClass',
    'IsAccessTime',
    'ReturnToStdWhenVisit',
    'AllowSmallFile',
  ],
  AbortMultipartUpload: ['Days', 'CreatedBeforeDate'],
  NoncurrentVersionExpiration: ['NoncurrentDays'],
  NoncurrentVersionTransition: [
    'NoncurrentDays',
    'StorageClass',
    'IsAccessTime',
    'ReturnToStdWhenVisit',
    'AllowSmallFile',
  ],
  Filter: ['Not', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'],
  Not: ['Prefix', 'Tag'],
  Tag: ['Key', 'Value'],
};

/** Unknown elements are refused, never ignored (an element OSS would honour must not be lost). */
function only(node: XmlNode): void {
  const allowed = CHILDREN_OF[node.name] ?? [];
  for (const c of node.children) if (!allowed.includes(c.name)) throw malformedXml();
}

/** A positive whole number of days; `InvalidArgument` otherwise. */
function daysOf(raw: string, name: string): number {
  if (!/^[0-9]{1,9}$/.test(raw)) throw invalid(`${name} must be a positive integer.`, name, raw);
  const n = Number(raw);
  if (n < 1 || n > MAX_DAYS) {
    throw invalid(`${name} must be a positive integer not above ${MAX_DAYS}.`, name, raw);
  }
  return n;
}

/**
 * A date at midnight UTC in ISO 8601 (`2026-03-01T00:00:00.000Z`); `InvalidArgument` otherwise
 * (0014-00000087).
 */
export function midnightOf(raw: string, name: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T00:00:00(?:\.000)?Z$/.exec(raw);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  const back = Number.isFinite(ms) ? new Date(ms) : undefined;
  if (
    !m ||
    !back ||
    back.getUTCDate() !== Number(m[3]) ||
    back.getUTCMonth() !== Number(m[2]) - 1
  ) {
    throw invalid(
      `${name} must be an ISO8601 date at midnight UTC, such as 2026-01-01T00:00:00.000Z.`,
      name,
      raw,
    );
  }
  return ms;
}

function whenOf(node: XmlNode, what: string): LifecycleWhen {
  const days = text(node, 'Days');
  const date = text(node, 'CreatedBeforeDate');
  if (days !== undefined && date !== undefined) {
    throw invalid(`${what} cannot have both Days and CreatedBeforeDate.`, what);
  }
  if (days === undefined && date === undefined) {
    throw invalid(`${what} must have Days or CreatedBeforeDate.`, what);
  }
  return days !== undefined
    ? { days: daysOf(days, 'Days') }
    : { createdBeforeDate: midnightOf(date!, 'CreatedBeforeDate') };
}

function storageClassOf(node: XmlNode, what: string): TransitionClass {
  const raw = text(node, 'StorageClass');
  if (raw === undefined) throw malformedXml();
  if (!(TRANSITION_CLASSES as readonly string[]).includes(raw)) {
    throw invalid(
      `${what} StorageClass must be IA, Archive, ColdArchive or DeepColdArchive.`,
      'StorageClass',
      raw,
    );
  }
  return raw as TransitionClass;
}

/**
 * Transitions by last access time need the bucket's access tracking (PutBucketAccessMonitor),
 * which yunbox does not keep: refused, never ignored.
 */
function refuseAccessTime(node: XmlNode): void {
  const access = boolText(node, 'IsAccessTime');
  const back = boolText(node, 'ReturnToStdWhenVisit');
  if (access === 'true') {
    throw invalid(
      'IsAccessTime is not supported: the bucket has no access monitor (yunbox does not track last access times).',
      'IsAccessTime',
      access,
    );
  }
  if (back === 'true') {
    throw invalid(
      'ReturnToStdWhenVisit applies only to rules with IsAccessTime.',
      'ReturnToStdWhenVisit',
      back,
    );
  }
}

function tagOf(node: XmlNode): LifecycleTag {
  only(node);
  const key = text(node, 'Key');
  const value = text(node, 'Value') ?? '';
  if (key === undefined || key === '') throw invalid('The tag key must not be empty.', 'Tag');
  if (Buffer.byteLength(key) > 128) throw invalid('The tag key is too long.', 'Key', key);
  if (Buffer.byteLength(value) > 256) throw invalid('The tag value is too long.', 'Value', value);
  return { key, value };
}

function sizeOf(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]{1,16}$/.test(raw))
    throw invalid(`${name} must be a non-negative integer.`, name, raw);
  return Number(raw);
}

function parseRule(node: XmlNode, index: number): LifecycleRule {
  only(node);
  const id = text(node, 'ID') ?? '';
  if (Buffer.byteLength(id) > MAX_ID_BYTES) {
    throw invalid('ID is composed of 255 bytes at most.', 'ID', id);
  }
  if (xmlChildren(node, 'Prefix').length > 1) throw malformedXml();
  const prefix = xmlChild(node, 'Prefix')?.text ?? '';
  if (Buffer.byteLength(prefix) > MAX_PREFIX_BYTES) {
    throw invalid('Prefix is too long.', 'Prefix', prefix);
  }
  const status = text(node, 'Status');
  if (status === undefined) throw malformedXml();
  if (status !== 'Enabled' && status !== 'Disabled') {
    throw invalid('Status must be Enabled or Disabled.', 'Status', status);
  }
  const tags = xmlChildren(node, 'Tag').map(tagOf);
  if (tags.length > MAX_RULE_TAGS) throw invalid('A rule filters on 10 tags at most.', 'Tag');
  if (new Set(tags.map((t) => t.key)).size !== tags.length) {
    throw invalid('A tag key appears twice in the rule.', 'Tag');
  }
  const rule: LifecycleRule = {
    id: id === '' ? `rule-${index + 1}` : id,
    prefix,
    status,
    tags,
    transitions: [],
    noncurrentVersionTransitions: [],
  };

  const filterNode = xmlChildren(node, 'Filter');
  if (filterNode.length > 1) throw malformedXml();
  if (filterNode[0]) {
    const f = filterNode[0];
    only(f);
    const filter: NonNullable<LifecycleRule['filter']> = {};
    const nots = xmlChildren(f, 'Not');
    if (nots.length > 1) throw invalid('A rule has one Not at most.', 'Not');
    if (nots[0]) {
      only(nots[0]);
      const notPrefix = text(nots[0], 'Prefix');
      if (notPrefix === undefined) throw malformedXml();
      const notTags = xmlChildren(nots[0], 'Tag');
      if (notTags.length > 1) throw invalid('Not has one Tag at most.', 'Tag');
      // OSS: the excluded prefix lies under the rule's, and differs from it unless a tag narrows it.
      if (!notPrefix.startsWith(prefix) || (notPrefix === prefix && notTags.length === 0)) {
        throw invalid(
          'The prefix in Not must start with, and differ from, the rule prefix.',
          'Prefix',
          notPrefix,
        );
      }
      filter.not = { prefix: notPrefix, ...(notTags[0] ? { tag: tagOf(notTags[0]) } : {}) };
    }
    const gt = sizeOf(text(f, 'ObjectSizeGreaterThan'), 'ObjectSizeGreaterThan');
    const lt = sizeOf(text(f, 'ObjectSizeLessThan'), 'ObjectSizeLessThan');
    if (gt !== undefined) filter.sizeGreaterThan = gt;
    if (lt !== undefined) filter.sizeLessThan = lt;
    if (gt !== undefined && lt !== undefined && gt >= lt) {
      throw invalid(
        'ObjectSizeGreaterThan must be less than ObjectSizeLessThan.',
        'ObjectSizeLessThan',
        String(lt),
      );
    }
    rule.filter = filter;
  }

  const expirations = xmlChildren(node, 'Expiration');
  if (expirations.length > 1) throw malformedXml();
  if (expirations[0]) {
    const e = expirations[0];
    only(e);
    // oss2 writes Python's `True`/`False`: booleans are read without regard to case.
    const marker = boolText(e, 'ExpiredObjectDeleteMarker');
    const days = text(e, 'Days');
    const cbd = text(e, 'CreatedBeforeDate');
    const date = text(e, 'Date');
    const set = [days, cbd, date].filter((v) => v !== undefined).length;
    if (marker === 'true') {
      if (set > 0) {
        throw invalid(
          'ExpiredObjectDeleteMarker cannot be used with Days or CreatedBeforeDate.',
          'ExpiredObjectDeleteMarker',
          marker,
        );
      }
      rule.expiration = { expiredObjectDeleteMarker: true };
    } else {
      if (set === 0) {
        throw invalid(
          'Expiration must have Days, CreatedBeforeDate or ExpiredObjectDeleteMarker.',
          'Expiration',
        );
      }
      if (set > 1)
        throw invalid(
          'Expiration cannot have more than one of Days, CreatedBeforeDate and Date.',
          'Expiration',
        );
      rule.expiration =
        days !== undefined
          ? { days: daysOf(days, 'Days') }
          : cbd !== undefined
            ? { createdBeforeDate: midnightOf(cbd, 'CreatedBeforeDate') }
            : { date: midnightOf(date!, 'Date') };
      if (marker === 'false') rule.expiration.expiredObjectDeleteMarker = false;
    }
  }
  if (!legacyMatches(node, rule)) {
    throw invalid('Rule-level Days and Date must repeat the Expiration of the rule.', 'Days');
  }

  for (const t of xmlChildren(node, 'Transition')) {
    only(t);
    refuseAccessTime(t);
    const small = boolText(t, 'AllowSmallFile');
    if (
      small !== undefined &&
      (rule.filter?.sizeGreaterThan !== undefined || rule.filter?.sizeLessThan !== undefined)
    ) {
      // 0014-00000054: AllowSmallFile and the Filter's size bounds exclude each other.
      throw invalid(
        'AllowSmallFile cannot be used with ObjectSizeGreaterThan or ObjectSizeLessThan.',
        'AllowSmallFile',
        small,
      );
    }
    rule.transitions.push({
      ...whenOf(t, 'Transition'),
      storageClass: storageClassOf(t, 'Transition'),
      ...(small !== undefined ? { allowSmallFile: small === 'true' } : {}),
    });
  }
  const aborts = xmlChildren(node, 'AbortMultipartUpload');
  if (aborts.length > 1) throw malformedXml();
  if (aborts[0]) {
    only(aborts[0]);
    rule.abortMultipartUpload = whenOf(aborts[0], 'AbortMultipartUpload');
  }
  const nves = xmlChildren(node, 'NoncurrentVersionExpiration');
  if (nves.length > 1) throw malformedXml();
  if (nves[0]) {
    only(nves[0]);
    const d = text(nves[0], 'NoncurrentDays');
    if (d === undefined)
      throw invalid('NoncurrentVersionExpiration must have NoncurrentDays.', 'NoncurrentDays');
    rule.noncurrentVersionExpiration = { noncurrentDays: daysOf(d, 'NoncurrentDays') };
  }
  for (const t of xmlChildren(node, 'NoncurrentVersionTransition')) {
    only(t);
    refuseAccessTime(t);
    const d = text(t, 'NoncurrentDays');
    if (d === undefined)
      throw invalid('NoncurrentVersionTransition must have NoncurrentDays.', 'NoncurrentDays');
    const small = boolText(t, 'AllowSmallFile');
    rule.noncurrentVersionTransitions.push({
      noncurrentDays: daysOf(d, 'NoncurrentDays'),
      storageClass: storageClassOf(t, 'NoncurrentVersionTransition'),
      ...(small !== undefined ? { allowSmallFile: small === 'true' } : {}),
    });
  }

  if (
    !rule.expiration &&
    rule.transitions.length === 0 &&
    !rule.abortMultipartUpload &&
    !rule.noncurrentVersionExpiration &&
    rule.noncurrentVersionTransitions.length === 0
  ) {
    throw invalid(
      'Rule must include Expiration, Transition, AbortMultipartUpload, NoncurrentVersionExpiration or NoncurrentVersionTransition.',
      'Rule',
    );
  }
  if (rule.abortMultipartUpload && (rule.tags.length > 0 || rule.filter?.not?.tag)) {
    throw invalid('Tag cannot be used with AbortMultipartUpload.', 'Tag');
  }
  checkOrder([rule]);
  return rule;
}

/** ali-oss's Rule-level `Days` / `Date` (legacy options) must repeat the Expiration. */
function legacyMatches(node: XmlNode, rule: LifecycleRule): boolean {
  const days = text(node, 'Days');
  const date = text(node, 'Date');
  if (
    days !== undefined &&
    !(
      rule.expiration?.days !== undefined &&
      /^[0-9]+$/.test(days) &&
      Number(days) === rule.expiration.days
    )
  ) {
    return false;
  }
  if (date !== undefined) {
    const e = rule.expiration;
    const at = e?.createdBeforeDate ?? e?.date;
    const ms = /^\d{4}-\d{2}-\d{2}T00:00:00(?:\.000)?Z$/.test(date) ? Date.parse(date) : NaN;
    if (at === undefined || ms !== at) return false;
  }
  return true;
}

/**
 * The ordering rules of the actions that may reach one object (one rule, or two overlapping
 * ones): each colder class later than a warmer one, expiration later than every transition
 * (0014-00000082, oss2 `test_put_lifecycle_invalid_transitions`); Days and CreatedBeforeDate not
 * mixed (InvalidRequest). Noncurrent days follow the same order.
 */
function checkOrder(rules: readonly LifecycleRule[]): void {
  const trans = rules.flatMap((r) => r.transitions);
  const expirations = rules
    .map((r) => r.expiration)
    .filter(
      (e): e is NonNullable<LifecycleRule['expiration']> =>
        e !== undefined && !e.expiredObjectDeleteMarker,
    );
  const whens: LifecycleWhen[] = [...trans, ...expirations.filter((e) => e.date === undefined)];
  const byDays = whens.filter((w) => w.days !== undefined).length;
  if (byDays > 0 && byDays < whens.length) throw mixedTimeKinds();
  // Later = more days, or an earlier CreatedBeforeDate (older objects).
  const later = (a: LifecycleWhen, b: LifecycleWhen) =>
    a.days !== undefined && b.days !== undefined
      ? a.days > b.days
      : a.createdBeforeDate !== undefined && b.createdBeforeDate !== undefined
        ? a.createdBeforeDate < b.createdBeforeDate
        : true;
  for (const a of trans) {
    for (const b of trans) {
      if (coldness(a.storageClass) > coldness(b.storageClass) && !later(a, b)) {
        throw invalid(
          `The transition to ${a.storageClass} must come later than the transition to ${b.storageClass}.`,
          'Transition',
        );
      }
    }
    for (const e of expirations) {
      if (e.date === undefined && !later(e, a)) {
        throw invalid(
          `Expiration must come later than the transition to ${a.storageClass}.`,
          'Expiration',
        );
      }
    }
  }
  const nts = rules.flatMap((r) => r.noncurrentVersionTransitions);
  for (const a of nts) {
    for (const b of nts) {
      if (
        coldness(a.storageClass) > coldness(b.storageClass) &&
        a.noncurrentDays <= b.noncurrentDays
      ) {
        throw invalid(
          `The noncurrent transition to ${a.storageClass} must come later than the one to ${b.storageClass}.`,
          'NoncurrentVersionTransition',
        );
      }
    }
    for (const r of rules) {
      const e = r.noncurrentVersionExpiration;
      if (e && e.noncurrentDays <= a.noncurrentDays) {
        throw invalid(
          `NoncurrentVersionExpiration must come later than the noncurrent transition to ${a.storageClass}.`,
          'NoncurrentVersionExpiration',
        );
      }
    }
  }
}

/** Action types two rules with overlapping prefixes may not share (without the overlap header). */
function actionTypes(r: LifecycleRule): string[] {
  const out: string[] = [];
  if (r.expiration) out.push('Expiration');
  if (r.noncurrentVersionExpiration) out.push('NoncurrentVersionExpiration');
  if (r.abortMultipartUpload) out.push('AbortMultipartUpload');
  for (const t of r.transitions) out.push(`Transition ${t.storageClass}`);
  for (const t of r.noncurrentVersionTransitions)
    out.push(`NoncurrentVersionTransition ${t.storageClass}`);
  return out;
}

const overlaps = (a: LifecycleRule, b: LifecycleRule) =>
  a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);

/**
 * Parses and validates a `LifecycleConfiguration` (PutBucketLifecycle); throws the OSS error.
 * `allowOverlap` is the `x-oss-allow-same-action-overlap: true` header.
 * @example
 * parseLifecycle(parseOssXml(body).value, false) // [{ id: 'r1', prefix: 'logs/', … }]
 */
export function parseLifecycle(root: XmlNode, allowOverlap: boolean): LifecycleRule[] {
  // The Tea OSS client (@alicloud/oss20190517) sends the one rule's element as the document
  // root (as it does for PutBucketEncryption); its request is accepted, the SDK winning where it
  // and the reference differ. Several rules from it are several roots: MalformedXML.
  if (root.name !== 'LifecycleConfiguration' && root.name !== 'Rule') throw malformedXml();
  const nodes = root.name === 'Rule' ? [root] : root.children;
  for (const c of nodes) if (c.name !== 'Rule') throw malformedXml();
  if (nodes.length === 0) throw malformedXml();
  if (nodes.length > MAX_LIFECYCLE_RULES) {
    throw invalid(
      `A bucket has ${MAX_LIFECYCLE_RULES} lifecycle rules at most.`,
      'Rule',
      String(nodes.length),
    );
  }
  const rules = nodes.map(parseRule);
  const ids = new Set<string>();
  for (const r of rules) {
    if (ids.has(r.id)) throw invalid('Rule ID must be unique.', 'ID', r.id);
    ids.add(r.id);
  }
  // Pairwise: at most 1000 rules, cheap checks.
  const types = rules.map(actionTypes);
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (!overlaps(a, b)) continue;
      if (!allowOverlap) {
        const shared = types[i]!.find((t) => types[j]!.includes(t));
        if (shared !== undefined) {
          throw invalid(`Overlap for same action type ${shared.split(' ')[0]}`, 'Rule', b.id);
        }
      }
      checkOrder([a, b]);
    }
  }
  return rules;
}
