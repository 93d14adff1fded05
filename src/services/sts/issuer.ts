/**
 * @module Issuing role sessions: the one place that mints STS credentials, used by AssumeRole and
 * (through the exported module) by ECS for instance-role credentials.
 */
import {
  newStsAccessKeyId,
  sealCredentials,
  type IssuedCredentials,
  type NonceMode,
} from '../../auth/sts-token.js';
import type { StsKeyStore } from './store.js';

/** The role a session is for. */
export interface SessionRole {
  accountId: string;
  roleId: string;
  roleName: string;
}

/** What to issue. */
export interface SessionRequest {
  role: SessionRole;
  sessionName: string;
  issuedAt: number;
  expiresAt: number;
  policy?: string;
  source?: string;
  sourceIdentity?: string;
  /**
   * A fixed AccessKeyId and the `synthetic` nonce for deterministic re-issue (metadata rotation
   * windows): the same request then gives the same credential on every node. The nonce is never
   * the caller's choice (`auth/sts-token.ts`).
   */
  accessKeyId?: string;
  nonce?: NonceMode;
}

/** Issued session credentials. */
export interface IssuedSession extends IssuedCredentials {
  expiresAt: number;
  issuedAt: number;
}

/** Mints role-session credentials under the current sealing key. */
export class StsIssuer {
  readonly #keys: StsKeyStore;
  constructor(keys: StsKeyStore) {
    this.#keys = keys;
  }

  /** Issues credentials for `req`. */
  async issue(req: SessionRequest): Promise<IssuedSession> {
    const key = await this.#keys.current(req.issuedAt);
    const creds = sealCredentials(
      {
        accessKeyId: req.accessKeyId ?? newStsAccessKeyId(),
        accountId: req.role.accountId,
        roleId: req.role.roleId,
        roleName: req.role.roleName,
        sessionName: req.sessionName,
        issuedAt: req.issuedAt,
        expiresAt: req.expiresAt,
        ...(req.policy !== undefined ? { policy: req.policy } : {}),
        ...(req.source !== undefined ? { source: req.source } : {}),
        ...(req.sourceIdentity !== undefined ? { sourceIdentity: req.sourceIdentity } : {}),
      },
      key,
      req.nonce,
    );
    return { ...creds, expiresAt: req.expiresAt, issuedAt: req.issuedAt };
  }
}
