/**
 * @module The audit trail's domain: one recorded event ({@link TrailEvent}, camelCase, as stored)
 * and its wire form ({@link toWireEvent}), which copies ActionTrail's management event structure
 * ("Management event structure", alibabacloud.com/help/document_detail/28819.html, and the sample
 * events of "Query ActionTrail events by assuming a RAM role"): `eventId`, `eventName`,
 * `eventRW`, `userIdentity` with `type` `root-account` | `ram-user` | `assumed-role`, … . yunbox
 * adds `additionalEventData.Decision`, `DecidedBy`, `Resource` and `Instance` (and `Truncated`,
 * `Sampled` when so, see bound.ts and sampler.ts), and identity types of its own for callers
 * Alibaba never records: `ecs-instance` (a metadata read), `anonymous` (unsigned OSS requests),
 * `unknown` (refused before the signature was verified) and `yunbox` (the trail's own notices:
 * events not stored, events pruned).
 *
 * Also the secret filter: which request parameters are never kept ({@link keptParameters}) and
 * the scrubbing of a request's own secrets from anything else kept ({@link scrubber}).
 */
import { isoSeconds } from '../../kernel/clock.js';
import type { Principal } from '../../kernel/principal.js';
import { MAX_PARAMETERS, PARAMETER_LIMITS, boundString } from './bound.js';

/** How the request was decided: the policy engine's decision, or `none` when none was made. */
export type TrailDecision = 'allow' | 'implicit-deny' | 'explicit-deny' | 'none';

/** `userIdentity.type`: Alibaba's three, plus yunbox's for callers Alibaba does not record. */
export type IdentityType =
  | 'root-account'
  | 'ram-user'
  | 'assumed-role'
  | 'ecs-instance'
  | 'anonymous'
  | 'unknown'
  | 'yunbox';

/**
 * What the trail did to an event: `truncated`, a field or parameters were cut (bound.ts);
 * `sampled`, it stands for unauthenticated events past the rate that were only counted
 * (sampler.ts).
 */
export type TrailFlag = 'truncated' | 'sampled';

/** One recorded request, as stored. Empty strings stand for "not known" or "none". */
export interface TrailEvent {
  /** Random upper-case UUID, unique across nodes. */
  eventId: string;
  /** Arrival time by the one clock (ms). */
  eventTime: number;
  /** Account whose trail holds the event; `''` when unknown (a refused, unknown AccessKeyId). */
  accountId: string;
  /** The API called (`CreateUser`, `GetObject`), or what was done (metadata reads). */
  eventName: string;
  eventType: string;
  eventRW: 'Read' | 'Write';
  /** Product code: `Ram`, `Sts`, `Ecs`, `Vpc`, `Oss`, `Actiontrail`, `Yunbox`. */
  serviceName: string;
  /** Endpoint the request addressed, e.g. `ram.aliyuncs.com`. */
  eventSource: string;
  apiVersion: string;
  region: string;
  sourceIp: string;
  userAgent: string;
  requestId: string;
  errorCode: string;
  errorMessage: string;
  identityType: IdentityType;
  /** Account id (root), user id, `<roleId>:<session>` or the instance id. */
  principalId: string;
  /** `root`, the user name, `<role>:<session>` or the instance id. */
  userName: string;
  /** The role of a role session. */
  roleName: string;
  /** The AccessKeyId signed with (or presented, when refused). */
  accessKeyId: string;
  /** When a role session's credential was issued (ms). */
  sessionCreated?: number;
  /** `ACS::RAM::User`, `ACS::OSS::Object`… of the resource authorised. */
  resourceType: string;
  resourceName: string;
  decision: TrailDecision;
  /** The policy engine's explanation of the decision. */
  decidedBy: string;
  /** ARN of the resource authorised. */
  resource: string;
  /** The instance, for metadata reads and instance role sessions. */
  instanceId: string;
  /** Request parameters, secrets removed. */
  requestParameters: Record<string, string>;
  /** What the trail did to the event, when anything (absent: kept as recorded). */
  flags?: TrailFlag[];
  /**
   * The caller's account, when another account holds this copy of the event (a cross-account
   * AssumeRole, in the role's account's trail); absent when the holder is the caller's.
   */
  callerAccountId?: string;
}

/** The identity columns of an event. */
export type EventIdentity = Pick<
  TrailEvent,
  'identityType' | 'principalId' | 'userName' | 'roleName' | 'accessKeyId' | 'sessionCreated'
> & { accountId: string; instanceId: string };

/**
 * The identity of `p`, as ActionTrail names it (`principalId`, `userName`). No principal, or an
 * anonymous one that presented an AccessKeyId, is `unknown`: refused before its signature held.
 * @example
 * identityOf({ kind: 'user', accountId: '1', userId: '2', userName: 'alice', accessKeyId: 'LTAI…' })
 * // { identityType: 'ram-user', principalId: '2', userName: 'alice', … }
 */
export function identityOf(p: Principal | undefined, presentedKey = ''): EventIdentity {
  if (p === undefined || (p.kind === 'anonymous' && presentedKey !== '')) {
    return {
      identityType: 'unknown',
      principalId: '',
      userName: '',
      roleName: '',
      accessKeyId: presentedKey,
      accountId: '',
      instanceId: '',
    };
  }
  switch (p.kind) {
    case 'account':
      return {
        identityType: 'root-account',
        principalId: p.accountId,
        userName: 'root',
        roleName: '',
        accessKeyId: p.accessKeyId,
        accountId: p.accountId,
        instanceId: '',
      };
    case 'user':
      return {
        identityType: 'ram-user',
        principalId: p.userId,
        userName: p.userName,
        roleName: '',
        accessKeyId: p.accessKeyId,
        accountId: p.accountId,
        instanceId: '',
      };
    case 'role-session':
      return {
        identityType: 'assumed-role',
        principalId: `${p.roleId}:${p.sessionName}`,
        userName: `${p.roleName}:${p.sessionName}`,
        roleName: p.roleName,
        accessKeyId: p.accessKeyId,
        sessionCreated: p.issuedAt,
        accountId: p.accountId,
        instanceId: p.source?.startsWith('ecs:') ? p.source.slice(4) : '',
      };
    case 'anonymous':
      return {
        identityType: 'anonymous',
        principalId: '',
        userName: '',
        roleName: '',
        accessKeyId: '',
        accountId: '',
        instanceId: '',
      };
  }
}

/** Resource types by ARN service and resource kind (`ACS::<SERVICE>::<Type>`). */
const RESOURCE_TYPES: Record<string, string> = {
  'ram:user': 'ACS::RAM::User',
  'ram:role': 'ACS::RAM::Role',
  'ram:group': 'ACS::RAM::Group',
  'ram:policy': 'ACS::RAM::Policy',
  'ecs:instance': 'ACS::ECS::Instance',
  'vpc:vpc': 'ACS::VPC::VPC',
  'vpc:vswitch': 'ACS::VPC::VSwitch',
};

/**
 * `resourceType` and `resourceName` of an ARN (`''` when it names no single resource).
 * @example
 * resourceOf('acs:ram::123:user/alice') // { resourceType: 'ACS::RAM::User', resourceName: 'alice' }
 * resourceOf('acs:oss:cn-hangzhou:123:bucket/a.txt') // ACS::OSS::Object, 'bucket/a.txt'
 */
export function resourceOf(arn: string): { resourceType: string; resourceName: string } {
  const none = { resourceType: '', resourceName: '' };
  const parts = arn.split(':');
  if (parts.length < 5 || parts[0] !== 'acs') return none;
  const service = parts[1]!.toLowerCase();
  const rest = parts.slice(4).join(':');
  if (rest === '' || rest === '*') return none;
  if (service === 'oss') {
    const slash = rest.indexOf('/');
    return slash === -1
      ? { resourceType: 'ACS::OSS::Bucket', resourceName: rest }
      : { resourceType: 'ACS::OSS::Object', resourceName: rest };
  }
  const slash = rest.indexOf('/');
  if (slash === -1) return none;
  const kind = rest.slice(0, slash).toLowerCase();
  const name = rest.slice(slash + 1);
  if (name === '' || name === '*') return none;
  const type =
    RESOURCE_TYPES[`${service}:${kind}`] ??
    `ACS::${service.toUpperCase()}::${kind.charAt(0).toUpperCase()}${kind.slice(1)}`;
  return { resourceType: type, resourceName: name };
}

/** Parameters that sign the request, carry a secret, or may (UserData): never kept. */
const DROPPED = new Set(
  [
    // RPC signing and protocol parameters
    'Action',
    'Version',
    'Format',
    'AccessKeyId',
    'Signature',
    'SignatureMethod',
    'SignatureVersion',
    'SignatureNonce',
    'SignatureType',
    'Timestamp',
    'SecurityToken',
    // secrets, and what may hold one
    'AccessKeySecret',
    'Password',
    'NewPassword',
    'OldPassword',
    'UserData',
    // bearer credentials of federation (AssumeRoleWithOIDC, AssumeRoleWithSAML)
    'OIDCToken',
    'SAMLAssertion',
    // OSS presigned URLs (V1 and V4) and STS tokens
    'OSSAccessKeyId',
    'Expires',
    'security-token',
    'x-oss-security-token',
    'x-oss-signature',
    'x-oss-credential',
    'x-oss-date',
    'x-oss-expires',
    'x-oss-signature-version',
    'x-oss-additional-headers',
    'x-acs-security-token',
    'Authorization',
  ].map((n) => n.toLowerCase()),
);

/** Names that look like they hold a secret, whatever the API. */
const SECRET_NAME = /secret|passw|security-?token|signature|authorization|credential/i;

/**
 * The parameters worth keeping: no signing parameter, no secret, no UserData; values scrubbed of
 * the request's own secrets, then cut at {@link PARAMETER_LIMITS} `authenticated.value` bytes
 * (the recorder bounds them further, bound.ts).
 * @example
 * keptParameters([['RoleName', 'app'], ['Signature', 'x']], (s) => s) // { RoleName: 'app' }
 */
export function keptParameters(
  pairs: Iterable<readonly [string, string | null]>,
  scrub: (s: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [name, value] of pairs) {
    if (DROPPED.has(name.toLowerCase()) || SECRET_NAME.test(name)) continue;
    if (Object.prototype.hasOwnProperty.call(out, name)) continue;
    if (++n > MAX_PARAMETERS) break;
    // Scrubbed before it is cut: a cut must not leave the first half of a secret behind.
    out[name] = boundString(scrub(value ?? ''), PARAMETER_LIMITS.authenticated.value);
  }
  return out;
}

/** Secrets shorter than this are not searched for (nothing real is that short). */
const MIN_SECRET_LENGTH = 8;

const unchanged = (s: string) => s;

/**
 * A function replacing every occurrence of the request's own secrets (its token, signature,
 * Authorization header), as they are or percent-encoded once or twice, with `******`: nothing
 * kept may quote them, whatever parameter or message they hide in. Cheap for the short strings
 * it is mostly given: those shorter than every secret are returned at once, and the encoded
 * forms are only made for a string holding a `%`.
 * @example
 * scrubber(['tok-123456789'])('bad token tok-123456789') // 'bad token ******'
 */
export function scrubber(secrets: Array<string | undefined>): (s: string) => string {
  const list = secrets.filter((s): s is string => s !== undefined && s.length >= MIN_SECRET_LENGTH);
  if (list.length === 0) return unchanged;
  const shortest = Math.min(...list.map((s) => s.length));
  let encoded: string[] | undefined;
  const cut = (text: string, secret: string) =>
    text.includes(secret) ? text.split(secret).join('******') : text;
  return (s) => {
    if (s.length < shortest) return s;
    let out = s;
    for (const secret of list) out = cut(out, secret);
    if (out.includes('%')) {
      encoded ??= list
        .flatMap((x) => [encodeURIComponent(x), encodeURIComponent(encodeURIComponent(x))])
        .filter((x) => !list.includes(x));
      for (const secret of encoded) out = cut(out, secret);
    }
    return out;
  };
}

/** `Read` for operations that only read, by declaration or, failing one, by name. */
export function rwOf(eventName: string, readOnly: boolean | undefined): 'Read' | 'Write' {
  if (readOnly !== undefined) return readOnly ? 'Read' : 'Write';
  return /^(Get|List|Describe|Query|Lookup|Check|Head)/.test(eventName) ? 'Read' : 'Write';
}

/** `additionalEventData` as yunbox fills it (the console reads exactly these keys). */
export interface AdditionalEventData {
  Decision: TrailDecision;
  DecidedBy: string;
  Resource: string;
  Instance?: string;
  /** Something was cut to the trail's bounds (bound.ts). */
  Truncated?: true;
  /** One unauthenticated event kept of several only counted (sampler.ts). */
  Sampled?: true;
}

/** An event in ActionTrail's wire shape (`LookupEvents` `Events[]`). */
export type WireEvent = Record<string, unknown> & {
  eventId: string;
  eventTime: string;
  additionalEventData: AdditionalEventData;
};

/**
 * The event as ActionTrail's LookupEvents returns it.
 * @example
 * toWireEvent(event).userIdentity // { type: 'ram-user', principalId: '…', userName: 'alice', … }
 */
export function toWireEvent(e: TrailEvent): WireEvent {
  const identity: Record<string, unknown> = { type: e.identityType };
  if (e.principalId) identity.principalId = e.principalId;
  const callerAccount = e.callerAccountId || e.accountId;
  if (callerAccount) identity.accountId = callerAccount;
  if (e.accessKeyId) identity.accessKeyId = e.accessKeyId;
  if (e.userName) identity.userName = e.userName;
  if (e.identityType === 'assumed-role') {
    identity.sessionContext = {
      attributes: {
        mfaAuthenticated: 'false',
        ...(e.sessionCreated !== undefined ? { creationDate: isoSeconds(e.sessionCreated) } : {}),
      },
    };
  }
  return {
    eventId: e.eventId,
    eventVersion: '1',
    eventCategory: 'Management',
    eventType: e.eventType,
    eventName: e.eventName,
    eventRW: e.eventRW,
    eventSource: e.eventSource,
    eventTime: isoSeconds(e.eventTime),
    serviceName: e.serviceName,
    ...(e.apiVersion ? { apiVersion: e.apiVersion } : {}),
    acsRegion: e.region,
    sourceIpAddress: e.sourceIp,
    userAgent: e.userAgent,
    requestId: e.requestId,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage,
    recipientAccountId: e.accountId,
    userIdentity: identity,
    requestParameters: e.requestParameters,
    ...(e.resourceType
      ? {
          resourceType: e.resourceType,
          resourceName: e.resourceName,
          referencedResources: { [e.resourceType]: [e.resourceName] },
        }
      : {}),
    additionalEventData: {
      Decision: e.decision,
      DecidedBy: e.decidedBy,
      Resource: e.resource,
      ...(e.instanceId ? { Instance: e.instanceId } : {}),
      ...(e.flags?.includes('truncated') ? { Truncated: true as const } : {}),
      ...(e.flags?.includes('sampled') ? { Sampled: true as const } : {}),
    },
  };
}
