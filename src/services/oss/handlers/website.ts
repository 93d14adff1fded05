/**
 * @module Static website hosting: Put/Get/DeleteBucketWebsite (`?website`) and how a bucket with
 * a website configuration answers anonymous browsers.
 *
 * Serving follows OSS's PutBucketWebsite doc ("anonymous access to the root domain returns the
 * index page; signed access returns GetBucket"): only anonymous GET and HEAD requests addressed
 * to the bucket's virtual host (`<bucket>.<oss endpoint>`) are website requests. For them
 *
 * ```
 * /                 -> <Suffix>                       (instead of ListObjects)
 * /dir/             -> dir/<Suffix> with SupportSubDir, else <Suffix>
 * /dir  (missing)   -> SupportSubDir and Type 0: 302 to /dir/ when dir/<Suffix> exists
 *                      Type 2: dir/<Suffix> itself; Type 1: the error document
 * any key missing   -> the error document with its HttpStatus (404 by default), else NoSuchKey
 * ```
 *
 * RoutingRules of type External (a 301/302/307 to Protocol://HostName/<key>) and Internal (another
 * key of the bucket) are followed, by RuleNumber, on KeyPrefixEquals/KeySuffixEquals (before the
 * lookup) or HttpErrorCodeReturnedEquals 404 (after a miss), with ReplaceKeyWith (`${key}`) or
 * ReplaceKeyPrefixWith. Mirror and AliCDN rules fetch from elsewhere, which a local stand-in does
 * not do, and rules testing headers are not supported: those are stored and returned only.
 *
 * Signed requests and path-style requests keep the API's behaviour. The rewritten request is
 * authorised as `oss:GetObject` on the key served, so the bucket (or object) must be readable
 * anonymously, as on OSS.
 */
import {
  parseOssXml,
  xmlChild,
  xmlChildText,
  xmlChildren,
  xmlElement,
  XML_PROLOG,
} from '../../../protocol/oss-xml.js';
import type { OssCall, OssReply } from '../context.js';
import { OssError, invalidArgument, malformedXml, noSuchBucket, noSuchKey } from '../errors.js';
import { keyProblem, objectArn, type Bucket } from '../model.js';
import { readSmallBody } from './common.js';
import { getObject } from './objects.js';
import { storedNode, storedNodeXml, type StoredNode } from './xml-tree.js';

/** A bucket's website settings, as stored (JSON in `oss_buckets.website`). */
export interface WebsiteConfig {
  suffix: string;
  supportSubDir: boolean;
  /** 0, 1 or 2 (see the module comment). */
  type: number;
  errorKey?: string;
  /** 200 or 404. */
  errorStatus: number;
  /** The `RoutingRule` elements as received (validated), returned as they came. */
  routingRules?: StoredNode[];
}

/** Most routing rules a bucket may have (PutBucketWebsite doc). */
export const MAX_ROUTING_RULES = 20;
const REDIRECT_TYPES = ['Mirror', 'External', 'Internal', 'AliCDN'];

/** `404 NoSuchWebsiteConfiguration`. */
export const noSuchWebsiteConfiguration = (bucket: string) =>
  new OssError(
    'NoSuchWebsiteConfiguration',
    404,
    'The specified bucket does not have a website configuration.',
    {
      fields: { BucketName: bucket },
    },
  );

function bucketOf(call: OssCall): Bucket {
  if (!call.bucket) throw noSuchBucket(call.bucketName ?? '');
  return call.bucket;
}

/** The website settings of a bucket, if any. */
export function bucketWebsite(b: Bucket): WebsiteConfig | undefined {
  return b.website === undefined ? undefined : (JSON.parse(b.website) as WebsiteConfig);
}

/**
 * Reads a WebsiteConfiguration body. `MalformedXML` for a wrong shape (no `IndexDocument/Suffix`,
 * a rule without `Redirect`); `InvalidArgument` naming the element for a bad value.
 */
export function parseWebsiteConfiguration(body: Buffer): WebsiteConfig {
  const parsed = parseOssXml(body, { maxBytes: 64 * 1024 });
  if (!parsed.ok) throw OssError.from(parsed);
  const root = parsed.value;
  if (root.name !== 'WebsiteConfiguration') throw malformedXml();
  const index = xmlChild(root, 'IndexDocument');
  const suffix = index ? xmlChildText(index, 'Suffix') : undefined;
  if (!index || suffix === undefined) throw malformedXml();
  if (suffix === '' || suffix.includes('/') || Buffer.byteLength(suffix) > 1023) {
    throw invalidArgument('Suffix is Invalid', 'Suffix', suffix);
  }
  const conf: WebsiteConfig = { suffix, supportSubDir: false, type: 0, errorStatus: 404 };
  const sub = xmlChildText(index, 'SupportSubDir');
  if (sub !== undefined) {
    if (sub !== 'true' && sub !== 'false') {
      throw invalidArgument('SupportSubDir is Invalid', 'SupportSubDir', sub);
    }
    conf.supportSubDir = sub === 'true';
  }
  const type = xmlChildText(index, 'Type');
  if (type !== undefined) {
    if (!['0', '1', '2'].includes(type)) throw invalidArgument('Type is Invalid', 'Type', type);
    conf.type = Number(type);
  }
  const error = xmlChild(root, 'ErrorDocument');
  if (error) {
    const key = xmlChildText(error, 'Key');
    if (key === undefined || key === '') throw malformedXml();
    if (Buffer.byteLength(key) > 1023) throw invalidArgument('Key is Invalid', 'Key', key);
    conf.errorKey = key;
    const status = xmlChildText(error, 'HttpStatus');
    if (status !== undefined) {
      if (status !== '200' && status !== '404') {
        throw invalidArgument('HttpStatus is Invalid', 'HttpStatus', status);
      }
      conf.errorStatus = Number(status);
    }
  }
  const rules = xmlChild(root, 'RoutingRules');
  if (rules) {
    const list = xmlChildren(rules, 'RoutingRule');
    if (list.length > MAX_ROUTING_RULES) {
      throw invalidArgument('Too many RoutingRules', 'RoutingRule', String(list.length));
    }
    const numbers = new Set<string>();
    for (const r of list) {
      const n = xmlChildText(r, 'RuleNumber');
      const redirect = xmlChild(r, 'Redirect');
      if (n === undefined || !redirect) throw malformedXml();
      if (!/^[1-9]\d{0,5}$/.test(n) || numbers.has(n)) {
        throw invalidArgument('RuleNumber is Invalid', 'RuleNumber', n);
      }
      numbers.add(n);
      const t = xmlChildText(redirect, 'RedirectType');
      if (t !== undefined && !REDIRECT_TYPES.includes(t)) {
        throw invalidArgument('RedirectType is Invalid', 'RedirectType', t);
      }
    }
    conf.routingRules = list.map(storedNode);
  }
  return conf;
}

/** PutBucketWebsite. */
export async function putBucketWebsite(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const conf = parseWebsiteConfiguration(await readSmallBody(call, 64 * 1024));
  await call.deps.store.updateBucket(b.name, { website: JSON.stringify(conf) });
  return { status: 200 };
}

/** GetBucketWebsite. */
export async function getBucketWebsite(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const conf = bucketWebsite(b);
  if (!conf) throw noSuchWebsiteConfiguration(b.name);
  const parts = [
    xmlElement('IndexDocument', {
      Suffix: conf.suffix,
      SupportSubDir: conf.supportSubDir,
      Type: conf.type,
    }),
  ];
  if (conf.errorKey !== undefined) {
    parts.push(xmlElement('ErrorDocument', { Key: conf.errorKey, HttpStatus: conf.errorStatus }));
  }
  if (conf.routingRules) {
    parts.push(`<RoutingRules>${conf.routingRules.map(storedNodeXml).join('')}</RoutingRules>`);
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: `${XML_PROLOG}<WebsiteConfiguration>${parts.join('')}</WebsiteConfiguration>`,
  };
}

/** DeleteBucketWebsite: 204. */
export async function deleteBucketWebsite(call: OssCall): Promise<OssReply> {
  await call.deps.store.updateBucket(bucketOf(call).name, { website: null });
  return { status: 204 };
}

/**
 * The key a website request serves first: the index document for `/` and for `dir/` (its own,
 * with SupportSubDir), else the key itself.
 * @example
 * websiteKey({ suffix: 'index.html', supportSubDir: true, type: 0, errorStatus: 404 }, 'a/')
 * // 'a/index.html'
 */
export function websiteKey(conf: WebsiteConfig, key: string | undefined): string {
  if (key === undefined || key === '') return conf.suffix;
  if (key.endsWith('/')) return conf.supportSubDir ? key + conf.suffix : conf.suffix;
  return key;
}

/** A copy of `call` addressing `key` of the same bucket. */
function callFor(call: OssCall, key: string): OssCall {
  const bucket = bucketOf(call);
  let loaded: ReturnType<OssCall['object']> | undefined;
  const load = () => (loaded ??= call.deps.store.getObject(bucket.name, key));
  // The current object of `key` (never a version the original request named).
  const { versionId: _named, ...rest } = call;
  return { ...rest, key, target: { ...call.target, key }, version: load, object: load };
}

const leaf = (n: StoredNode | undefined, name: string) =>
  n?.c?.find((c) => c.n === name)?.t?.trim();

/**
 * The first routing rule (by RuleNumber) whose condition holds for `key`: before the lookup for
 * rules without `HttpErrorCodeReturnedEquals`, after a miss for those with 404. Rules that send
 * elsewhere (Mirror, AliCDN) or test headers are not followed.
 */
function matchRule(conf: WebsiteConfig, key: string, missing: boolean): StoredNode | undefined {
  const rules = [...(conf.routingRules ?? [])].sort(
    (a, b) => Number(leaf(a, 'RuleNumber')) - Number(leaf(b, 'RuleNumber')),
  );
  for (const rule of rules) {
    const cond = rule.c?.find((c) => c.n === 'Condition');
    const redirect = rule.c?.find((c) => c.n === 'Redirect');
    const type = leaf(redirect, 'RedirectType');
    if (type !== 'External' && type !== 'Internal') continue;
    if (cond?.c?.some((c) => c.n === 'IncludeHeader')) continue;
    const code = leaf(cond, 'HttpErrorCodeReturnedEquals');
    if ((code !== undefined) !== missing || (code !== undefined && code !== '404')) continue;
    const prefix = leaf(cond, 'KeyPrefixEquals') ?? '';
    const suffix = leaf(cond, 'KeySuffixEquals') ?? '';
    if (key.startsWith(prefix) && key.endsWith(suffix)) return rule;
  }
  return undefined;
}

/** The key a rule's Redirect sends `key` to (ReplaceKeyWith, else ReplaceKeyPrefixWith). */
function redirectKey(rule: StoredNode, key: string): string {
  const redirect = rule.c?.find((c) => c.n === 'Redirect');
  const whole = leaf(redirect, 'ReplaceKeyWith');
  if (whole !== undefined && whole !== '') return whole.split('${key}').join(key);
  const prefix =
    leaf(
      rule.c?.find((c) => c.n === 'Condition'),
      'KeyPrefixEquals',
    ) ?? '';
  const replacement = leaf(redirect, 'ReplaceKeyPrefixWith');
  if (replacement !== undefined) return replacement + key.slice(prefix.length);
  return key;
}

/**
 * Follows the routing rule matching `key` (see {@link matchRule}): External answers a redirect
 * (HttpRedirectCode, 302 by default) to Protocol://HostName/<new key>; Internal serves the new
 * key of the same bucket, if readable.
 */
async function routed(
  call: OssCall,
  conf: WebsiteConfig,
  key: string,
  missing: boolean,
): Promise<OssReply | undefined> {
  const rule = matchRule(conf, key, missing);
  if (!rule) return undefined;
  const redirect = rule.c?.find((c) => c.n === 'Redirect');
  const target = redirectKey(rule, key);
  if (leaf(redirect, 'RedirectType') === 'Internal') {
    const b = bucketOf(call);
    const internal = callFor(call, target);
    const found = await internal.object();
    if (!found || keyProblem(target) !== undefined) throw noSuchKey(target);
    await call.authz.require({
      action: 'oss:GetObject',
      resource: objectArn(call.info.region, b.accountId, b.name, target),
      bucket: b,
      acl: 'read',
      objectAcl: async () => found.acl,
    });
    return getObject(internal);
  }
  const code = leaf(redirect, 'HttpRedirectCode');
  const status = code === '301' || code === '307' ? Number(code) : 302;
  const protocol = leaf(redirect, 'Protocol') || (call.info.secure ? 'https' : 'http');
  const host = leaf(redirect, 'HostName') || call.info.host;
  const location = `${protocol}://${host}/${encodeURIComponent(target).replace(/%2F/g, '/')}`;
  return { status, headers: { location, 'content-length': 0 } };
}

/**
 * GetObject / HeadObject of a website request (the protocol rewrote the key with
 * {@link websiteKey} and authorised it): the object, or what the module comment says for a
 * missing one.
 */
export async function websiteGetObject(call: OssCall): Promise<OssReply> {
  const b = bucketOf(call);
  const conf = bucketWebsite(b);
  const key = call.key ?? '';
  if (!conf) return getObject(call);
  const before = await routed(call, conf, key, false);
  if (before) return before;
  if (await call.object()) return getObject(call);
  const missing = await routed(call, conf, key, true);
  if (missing) return missing;
  // A "directory" without its slash.
  if (conf.supportSubDir && !key.endsWith('/') && key !== conf.suffix) {
    const index = `${key}/${conf.suffix}`;
    const sub = callFor(call, index);
    if ((await sub.object()) && conf.type !== 1) {
      if (conf.type === 2) return getObject(sub);
      const location = `/${encodeURIComponent(key).replace(/%2F/g, '/')}/`;
      return { status: 302, headers: { location, 'content-length': 0 } };
    }
  }
  if (conf.errorKey !== undefined) {
    const page = callFor(call, conf.errorKey);
    const found = await page.object();
    const decided = found
      ? await call.authz.decide({
          action: 'oss:GetObject',
          resource: objectArn(call.info.region, b.accountId, b.name, conf.errorKey),
          bucket: b,
          acl: 'read',
          objectAcl: async () => found.acl,
        })
      : undefined;
    const readable = decided?.decision.decision === 'allow';
    if (readable) {
      // The error page is the body of the answer, whatever conditions the request carried.
      const plain: OssCall = {
        ...page,
        header: (n) => (n === 'range' || n.startsWith('if-') ? undefined : call.header(n)),
      };
      const reply = await getObject(plain);
      return { ...reply, status: conf.errorStatus };
    }
  }
  throw noSuchKey(key);
}
