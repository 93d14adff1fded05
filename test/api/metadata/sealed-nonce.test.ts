/**
 * Finding 6 of issue 14, performed against a running yunbox: an attacker who reads two instance
 * credentials sealed under the same AES-GCM key and nonce learns the XOR of their plaintexts and
 * GCM's authentication key, and can then forge tokens. The former nonce was an HMAC of (instance,
 * attach generation, window index, role) only, and the `expired-credential` fault used
 * `index = -issuedAt`, so two cases sealed different claims under one nonce (and gave them one
 * AccessKeyId):
 *
 * - near the epoch, the fault's credential issued at 0 (`String(-0) === '0'`) against window 0 of
 *   a role attached a second later;
 * - the fault read while the clock is still small (issuedAt -21655000) against the real window
 *   21655000 of the same attachment, much later on the clock.
 *
 * Each pair is read from the metadata service as a program in the instance would, then opened
 * with the server's own sealing key: the plaintexts differ, so the nonces and AccessKeyIds must.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../../../src/testing/server.js';
import { restoreClock } from '../../../src/testing/clock.js';
import { rpcCall } from '../../../src/protocol/rpc-client.js';
import { createEcsRole, rootOf } from '../../../src/testing/fixtures.js';
import { nonceLedger, tokenParts, tokenPlaintext } from '../../../src/testing/sealed-token.js';
import { ROTATION_WINDOW_MS } from '../../../src/services/ecs/index.js';
import {
  advanceClocks,
  credentials,
  metadataServer,
  runningInstance,
  type RunningInstance,
} from './setup.js';

const ROLE = 'EcsRamRoleTest';
const SIX_HOURS_ONE_MINUTE = 6 * 3600_000 + 60_000;

let yb: TestServer;
let a: RunningInstance;
let b: RunningInstance;

beforeAll(async () => {
  // One second after the epoch: instance A's role is attached at 1 s, B's at 3 s.
  yb = await metadataServer('1970-01-01T00:00:01Z');
  await createEcsRole(yb, rootOf(yb), ROLE);
  a = await runningInstance(yb, { roleName: ROLE });
  b = await runningInstance(yb, { roleName: ROLE });
});
afterAll(async () => {
  restoreClock();
  await yb?.close();
});

const fault = async (i: RunningInstance, mode: string) => {
  const r = await rpcCall({
    endpoint: yb.endpoint,
    version: '2026-11-01',
    action: 'SetInstanceMetadataFault',
    params: { InstanceId: i.instanceId, Mode: mode },
    credentials: rootOf(yb),
    signature: 'acs3',
  });
  expect(r.status).toBe(200);
};
const moveTo = (ms: number) => advanceClocks(yb, (ms - yb.clock.now().getTime()) / 1000);
type Doc = Awaited<ReturnType<typeof credentials>>;

describe('sealed instance credentials', () => {
  it('never seal two different credentials under one nonce, at the epoch or in far windows', async () => {
    const key = await yb.services.sts.keys.current(yb.clock.now().getTime());
    const ledger = nonceLedger();
    const distinct = async (x: Doc, y: Doc) => {
      expect(tokenPlaintext(x.SecurityToken, key)).not.toBe(tokenPlaintext(y.SecurityToken, key));
      expect(x.AccessKeyId).not.toBe(y.AccessKeyId);
      expect(tokenParts(x.SecurityToken).nonce).not.toEqual(tokenParts(y.SecurityToken).nonce);
      ledger.add(x.SecurityToken, key);
      ledger.add(y.SecurityToken, key);
    };

    expect(yb.clock.now().getTime()).toBe(5000);
    const aWindow0 = await credentials(a.url, ROLE);
    expect(aWindow0.LastUpdated).toBe('1970-01-01T00:00:01Z');
    await fault(b, 'expired-credential');
    const bFault = await credentials(b.url, ROLE);
    expect(Date.parse(bFault.LastUpdated)).toBe(5000 - SIX_HOURS_ONE_MINUTE);
    await fault(b, 'none');

    // The fault on A at 6 h 1 min: a credential issued at the epoch itself.
    moveTo(SIX_HOURS_ONE_MINUTE);
    await fault(a, 'expired-credential');
    const aFault = await credentials(a.url, ROLE);
    expect(aFault.LastUpdated).toBe('1970-01-01T00:00:00Z');
    await distinct(aWindow0, aFault);

    // B's window whose number is the former index of its fault credential (year 15557; only the
    // server's clock moves, the metadata service reads it, nothing is signed any more).
    const index = SIX_HOURS_ONE_MINUTE - 5000;
    yb.clock.set(new Date(3000 + index * ROTATION_WINDOW_MS + 60_000));
    const bFar = await credentials(b.url, ROLE);
    expect(Date.parse(bFar.LastUpdated)).toBe(3000 + index * ROTATION_WINDOW_MS);
    await distinct(bFault, bFar);
    expect(ledger.size).toBe(4);
  });
});
