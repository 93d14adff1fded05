/**
 * @module What a handler sees of one request: who calls, from where, when (by the one clock), and
 * how to ask for an authorisation decision. Handlers never see HTTP objects.
 */
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { Principal } from './principal.js';

/** One authorisation question: may the caller do `action` on `resource`? */
export interface AuthzCheck {
  action: string;
  resource: string;
  /** Request-specific condition keys (e.g. `oss:Prefix`), added to the global ones. */
  context?: Record<string, string | string[] | number | boolean | undefined>;
  /** Added to the explanation of a denial (e.g. which account's policies were asked). */
  denialNote?: string;
}

/** Request facts available to every handler. */
export interface RequestInfo {
  requestId: string;
  /** Arrival time by the one clock (ms). */
  now: number;
  clock: Clock;
  region: string;
  principal: Principal;
  /** Account that owns the resources addressed (the caller's account for RPC). */
  accountId: string;
  sourceIp: string;
  /** VPC the request comes from (requests from instance sandboxes), for `acs:SourceVpc`. */
  sourceVpc?: string;
  secure: boolean;
  userAgent?: string;
  /** Host header as received (without port). */
  host: string;
  log: Logger;
}

/** A handler's context: request facts plus authorisation. */
export interface HandlerContext extends RequestInfo {
  /**
   * Authorises every check (all must be allowed); throws the service's denial error otherwise,
   * with an explanation of the deciding policy.
   */
  authorize(checks: AuthzCheck | AuthzCheck[]): Promise<void>;
  /**
   * Names the account an unsigned request concerns (AssumeRoleWithOIDC: the role's), so its
   * trail event lands in that account's trail; a signed request's is always the caller's.
   */
  attributeTo?(accountId: string): void;
  /**
   * Also records the event in another account's trail (a cross-account AssumeRole: the role's
   * account, once its trust policy is consulted), naming the caller's account there.
   */
  shareWith?(accountId: string): void;
}
