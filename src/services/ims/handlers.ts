/**
 * @module IMS handlers for OIDC providers: fields checked with Alibaba's limits, store errors
 * mapped to IMS's codes, providers answered in the SDK's shape (client IDs and fingerprints as
 * comma-separated strings).
 */
import { isoSeconds } from '../../kernel/clock.js';
import { isStoreError } from '../../kernel/errors.js';
import type { Handler } from '../../protocol/rpc-operation.js';
import * as E from './errors.js';
import {
  DEFAULT_ISSUANCE_LIMIT_HOURS,
  MAX_CLIENT_IDS,
  MAX_FINGERPRINTS,
  MAX_PROVIDERS,
  normaliseFingerprint,
  oidcProviderArn,
  splitList,
  validClientId,
  validIssuerUrl,
  validProviderName,
  type OidcProvider,
} from './model.js';
import type * as O from './operations.js';
import type { ImsStore } from './store.js';

/** A provider in the wire shape of Create/Get/List. */
export function providerWire(p: OidcProvider): Record<string, unknown> {
  return {
    Arn: oidcProviderArn(p.accountId, p.name),
    OIDCProviderName: p.name,
    IssuerUrl: p.issuerUrl,
    ClientIds: p.clientIds.join(','),
    Fingerprints: p.fingerprints.join(','),
    Description: p.description,
    IssuanceLimitTime: p.issuanceLimitHours,
    CreateDate: isoSeconds(p.createdAt),
    UpdateDate: isoSeconds(p.updatedAt),
    GmtCreate: isoSeconds(p.createdAt),
    GmtModified: isoSeconds(p.updatedAt),
  };
}

function checkName(name: string): void {
  if (!validProviderName(name)) {
    throw E.InvalidParameterOIDCProviderName(
      `The parameter OIDCProviderName is invalid: \`${name.slice(0, 128)}\` must be 1-128 letters, digits, \`.\`, \`-\`, \`_\`, starting and ending with a letter or digit.`,
    );
  }
}

function clientIdList(v: string | undefined): string[] {
  const ids = splitList(v);
  for (const id of ids) {
    if (!validClientId(id)) {
      throw E.InvalidParameterClientIds(
        `The parameter ClientIds is invalid: \`${id.slice(0, 128)}\` must be up to 128 letters, digits, \`.\`, \`-\`, \`_\`, \`:\`, \`/\`, starting with a letter or digit.`,
      );
    }
  }
  if (ids.length > MAX_CLIENT_IDS) throw E.LimitExceededClientId();
  return ids;
}

function fingerprint(f: string): string {
  const n = normaliseFingerprint(f.trim());
  if (n === undefined) {
    throw E.InvalidParameterFingerprints(
      `The parameter Fingerprints is invalid: \`${f.slice(0, 128)}\` is not a SHA-1 fingerprint (40 hexadecimal digits).`,
    );
  }
  return n;
}

function marker(after: string): string {
  return Buffer.from(after, 'utf8').toString('base64url');
}

function unmarker(m: string): string {
  const name = /^[A-Za-z0-9_-]+$/.test(m) ? Buffer.from(m, 'base64url').toString('utf8') : '';
  if (!validProviderName(name)) throw E.InvalidParameterMarker();
  return name;
}

/** The IMS handlers over a store. */
export function imsHandlers(store: ImsStore) {
  const get = async (accountId: string, name: string): Promise<OidcProvider> => {
    const p = await store.getProvider(accountId, name);
    if (!p) {
      throw E.EntityNotExistOIDCProvider(
        `The OIDC provider \`${name}\` does not exist in account ${accountId}.`,
      );
    }
    return p;
  };
  const update = async (
    accountId: string,
    name: string,
    change: (p: OidcProvider) => OidcProvider,
  ): Promise<OidcProvider> => {
    const p = await store.updateProvider(accountId, name, change);
    if (!p) {
      throw E.EntityNotExistOIDCProvider(
        `The OIDC provider \`${name}\` does not exist in account ${accountId}.`,
      );
    }
    return p;
  };

  const createOIDCProvider: Handler<(typeof O.CreateOIDCProvider)['params']> = async (ctx, i) => {
    checkName(i.OIDCProviderName);
    if (!validIssuerUrl(i.IssuerUrl)) {
      throw E.InvalidParameterIssuerUrl(
        'The parameter IssuerUrl is invalid: it must start with `https://`, name a host, and carry no query (`?`), fragment (`#`) or user information (`@`).',
      );
    }
    const fingerprints = splitList(i.Fingerprints).map(fingerprint);
    if (fingerprints.length === 0) throw E.InvalidParameterFingerprints();
    if (new Set(fingerprints).size > MAX_FINGERPRINTS) throw E.LimitExceededFingerprint();
    const provider: OidcProvider = {
      accountId: ctx.accountId,
      name: i.OIDCProviderName,
      issuerUrl: i.IssuerUrl,
      clientIds: clientIdList(i.ClientIds),
      fingerprints: [...new Set(fingerprints)],
      description: i.Description ?? '',
      issuanceLimitHours: i.IssuanceLimitTime ?? DEFAULT_ISSUANCE_LIMIT_HOURS,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    try {
      await store.createProvider(provider, MAX_PROVIDERS);
    } catch (e) {
      if (isStoreError(e, 'AlreadyExists')) {
        throw E.EntityAlreadyExistsOIDCProvider(
          e.entity === 'IssuerUrl'
            ? `The OIDC provider already exists: another provider of this account has the issuer URL \`${i.IssuerUrl}\`.`
            : `The OIDC provider already exists: \`${i.OIDCProviderName}\`.`,
        );
      }
      if (isStoreError(e, 'Conflict')) throw E.LimitExceededOIDCProvider();
      throw e;
    }
    return { OIDCProvider: providerWire(provider) };
  };

  const getOIDCProvider: Handler<(typeof O.GetOIDCProvider)['params']> = async (ctx, i) => ({
    OIDCProvider: providerWire(await get(ctx.accountId, i.OIDCProviderName)),
  });

  const listOIDCProviders: Handler<(typeof O.ListOIDCProviders)['params']> = async (ctx, i) => {
    const max = i.MaxItems ?? 100;
    const after = i.Marker !== undefined && i.Marker !== '' ? unmarker(i.Marker) : undefined;
    const rows = await store.listProviders(ctx.accountId, after, max + 1);
    const page = rows.slice(0, max);
    const truncated = rows.length > max;
    return {
      OIDCProviders: { OIDCProvider: page.map(providerWire) },
      IsTruncated: truncated,
      ...(truncated ? { Marker: marker(page[page.length - 1]!.name) } : {}),
    };
  };

  const updateOIDCProvider: Handler<(typeof O.UpdateOIDCProvider)['params']> = async (ctx, i) => {
    const clientIds = i.ClientIds !== undefined ? clientIdList(i.ClientIds) : undefined;
    const p = await update(ctx.accountId, i.OIDCProviderName, (cur) => ({
      ...cur,
      ...(clientIds !== undefined ? { clientIds } : {}),
      ...(i.IssuanceLimitTime !== undefined ? { issuanceLimitHours: i.IssuanceLimitTime } : {}),
      ...(i.NewDescription !== undefined ? { description: i.NewDescription } : {}),
      updatedAt: ctx.now,
    }));
    return { OIDCProvider: providerWire(p) };
  };

  const deleteOIDCProvider: Handler<(typeof O.DeleteOIDCProvider)['params']> = async (ctx, i) => {
    if (!(await store.deleteProvider(ctx.accountId, i.OIDCProviderName))) {
      throw E.EntityNotExistOIDCProvider(
        `The OIDC provider \`${i.OIDCProviderName}\` does not exist in account ${ctx.accountId}.`,
      );
    }
    return {};
  };

  const addClientIdToOIDCProvider: Handler<(typeof O.AddClientIdToOIDCProvider)['params']> = async (
    ctx,
    i,
  ) => {
    const [id] = clientIdList(i.ClientId);
    if (id === undefined) throw E.InvalidParameterClientIds();
    const p = await update(ctx.accountId, i.OIDCProviderName, (cur) => {
      if (cur.clientIds.includes(id)) throw E.EntityAlreadyExistsClientId();
      if (cur.clientIds.length >= MAX_CLIENT_IDS) throw E.LimitExceededClientId();
      return { ...cur, clientIds: [...cur.clientIds, id], updatedAt: ctx.now };
    });
    return { OIDCProvider: providerWire(p) };
  };

  const removeClientIdFromOIDCProvider: Handler<
    (typeof O.RemoveClientIdFromOIDCProvider)['params']
  > = async (ctx, i) => {
    const p = await update(ctx.accountId, i.OIDCProviderName, (cur) => {
      if (!cur.clientIds.includes(i.ClientId)) throw E.EntityNotExistClientId();
      return {
        ...cur,
        clientIds: cur.clientIds.filter((c) => c !== i.ClientId),
        updatedAt: ctx.now,
      };
    });
    return { OIDCProvider: providerWire(p) };
  };

  const addFingerprintToOIDCProvider: Handler<
    (typeof O.AddFingerprintToOIDCProvider)['params']
  > = async (ctx, i) => {
    const f = fingerprint(i.Fingerprint);
    const p = await update(ctx.accountId, i.OIDCProviderName, (cur) => {
      if (cur.fingerprints.includes(f)) throw E.EntityAlreadyExistsFingerprint();
      if (cur.fingerprints.length >= MAX_FINGERPRINTS) throw E.LimitExceededFingerprint();
      return { ...cur, fingerprints: [...cur.fingerprints, f], updatedAt: ctx.now };
    });
    return { OIDCProvider: providerWire(p) };
  };

  const removeFingerprintFromOIDCProvider: Handler<
    (typeof O.RemoveFingerprintFromOIDCProvider)['params']
  > = async (ctx, i) => {
    const f = fingerprint(i.Fingerprint);
    const p = await update(ctx.accountId, i.OIDCProviderName, (cur) => {
      if (!cur.fingerprints.includes(f)) throw E.EntityNotExistFingerprint();
      return { ...cur, fingerprints: cur.fingerprints.filter((x) => x !== f), updatedAt: ctx.now };
    });
    return { OIDCProvider: providerWire(p) };
  };

  return {
    createOIDCProvider,
    getOIDCProvider,
    listOIDCProviders,
    updateOIDCProvider,
    deleteOIDCProvider,
    addClientIdToOIDCProvider,
    removeClientIdFromOIDCProvider,
    addFingerprintToOIDCProvider,
    removeFingerprintFromOIDCProvider,
  };
}
