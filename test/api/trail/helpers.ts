/**
 * Helpers of the trail API tests: LookupEvents through the official @alicloud/pop-core RPCClient
 * (no ActionTrail SDK is on npm), with flat `LookupAttribute.N.Key` parameters as the SDKs send
 * them, and a reader of every page.
 */
import type { TestServer } from '../../../src/testing/server.js';
import { popClient, type TestCredentials } from '../../../src/testing/sdk.js';

/** An event as LookupEvents returns it. */
export type Event = Record<string, any> & {
  eventId: string;
  eventName: string;
  eventTime: string;
  userIdentity: Record<string, any>;
  requestParameters: Record<string, string>;
  additionalEventData: {
    Decision: string;
    DecidedBy: string;
    Resource: string;
    Instance?: string;
    Truncated?: boolean;
    Sampled?: boolean;
  };
};

/** A LookupEvents answer. */
export interface LookupAnswer {
  RequestId: string;
  StartTime: string;
  EndTime: string;
  NextToken?: string;
  Events: Event[];
}

/** Filters as `[Key, Value]` pairs, flattened to `LookupAttribute.N.*`. */
export function attributes(pairs: Array<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  pairs.forEach(([k, v], i) => {
    out[`LookupAttribute.${i + 1}.Key`] = k;
    out[`LookupAttribute.${i + 1}.Value`] = v;
  });
  return out;
}

/** Calls LookupEvents (ActionTrail 2020-07-06) with pop-core. */
export async function lookup(
  yb: TestServer,
  creds: TestCredentials,
  params: Record<string, string | number> = {},
): Promise<LookupAnswer> {
  return popClient(yb, creds, '2020-07-06').request<LookupAnswer>('LookupEvents', params, {
    method: 'POST',
  });
}

/** Every event matching `filters` (all pages, newest first). */
export async function lookupAll(
  yb: TestServer,
  creds: TestCredentials,
  filters: Array<[string, string]> = [],
  extra: Record<string, string | number> = {},
): Promise<Event[]> {
  const out: Event[] = [];
  let token: string | undefined;
  do {
    const page = await lookup(yb, creds, {
      ...attributes(filters),
      MaxResults: 50,
      ...extra,
      ...(token ? { NextToken: token } : {}),
    });
    out.push(...page.Events);
    token = page.NextToken;
  } while (token);
  return out;
}
