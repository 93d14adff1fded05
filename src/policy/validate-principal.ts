/**
 * @module Validation of a statement's `Principal` (part of validate.ts): `"*"`; in trust policies
 * an object of `RAM`, `Service` and `Federated` entries; in bucket policies a list of UIDs and
 * ARNs. Every entry is a wildcard pattern and keeps {@link checkPattern}'s limits.
 */
import { pointerToken, type JsonValue } from './document.js';
import type { PrincipalSpec } from './principal.js';
import type { PolicyKind } from './types.js';
import {
  checkPattern,
  isObject,
  quote,
  stringList,
  suggest,
  typeName,
  type Reporter,
} from './validate-common.js';

const RAM_PRINCIPAL_RE =
  /^acs:ram::(?:\d+|[*?0-9]+):(?:root|user\/[^\s/]+|role\/[^\s/]+|assumed-role\/[^\s/]+\/[^\s/]+)$/;
const STS_PRINCIPAL_RE = /^arn:sts::(?:\d+|[*?0-9]+):[^\s]+$/;
const SERVICE_PRINCIPAL_RE = /^[A-Za-z0-9*?.-]+$/;
const FEDERATED_RE = /^acs:ram::(?:\d+|[*?0-9]+):(?:saml-provider|oidc-provider)\/[^\s]+$/;

/** Validates a `Principal` element of `kind`: the normalised entries, or undefined on an error. */
export function validatePrincipal(
  r: Reporter,
  kind: PolicyKind,
  v: JsonValue,
  pointer: string,
): PrincipalSpec | undefined {
  const spec: PrincipalSpec = { any: false, ram: [], service: [], federated: [] };
  const errorsBefore = r.diagnostics.length;
  if (v === '*') {
    spec.any = true;
    return spec;
  }
  if (kind === 'bucket' && (typeof v === 'string' || Array.isArray(v))) {
    const list = typeof v === 'string' ? [v] : v;
    if (list.length === 0) {
      r.warn(
        'EmptyPrincipal',
        '`Principal` is an empty list; this statement applies to no one',
        pointer,
      );
    }
    list.forEach((e, i) => {
      const at = typeof v === 'string' ? pointer : `${pointer}/${i}`;
      if (typeof e !== 'string') {
        r.error('InvalidPrincipal', `principal entries must be strings, not ${typeName(e)}`, at);
      } else if (e === '*') {
        spec.any = true;
      } else if (checkPattern(r, e, at) && ramEntry(r, kind, e, at)) {
        spec.ram.push(e);
      }
    });
    return r.onlyWarningsSince(errorsBefore) ? spec : undefined;
  }
  if (!isObject(v)) {
    r.error(
      'InvalidPrincipal',
      kind === 'bucket'
        ? `\`Principal\` must be \`"*"\` or a list of UIDs, not ${typeName(v)}`
        : `\`Principal\` must be \`"*"\` or an object with \`RAM\`, \`Service\` or \`Federated\`, not ${typeName(v)}`,
      pointer,
    );
    return undefined;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) {
    r.error(
      'InvalidPrincipal',
      '`Principal` is empty; name `RAM`, `Service` or `Federated` principals',
      pointer,
    );
    return undefined;
  }
  for (const key of keys) {
    const at = `${pointer}/${pointerToken(key)}`;
    if (key !== 'RAM' && key !== 'Service' && key !== 'Federated') {
      r.error(
        'InvalidPrincipal',
        `unknown principal type ${quote(key)}; use \`RAM\`, \`Service\` or \`Federated\`${suggest(key, ['RAM', 'Service', 'Federated'])}`,
        at,
      );
      continue;
    }
    const list = stringList(r, v[key]!, at, `Principal.${key}`, 'InvalidPrincipal');
    if (!list) continue;
    list.forEach((e, i) => {
      const eat = Array.isArray(v[key]) ? `${at}/${i}` : at;
      if (!checkPattern(r, e, eat)) return;
      if (key === 'RAM') {
        if (ramEntry(r, kind, e, eat)) spec.ram.push(e);
      } else if (key === 'Service') {
        if (SERVICE_PRINCIPAL_RE.test(e)) spec.service.push(e);
        else
          r.error(
            'InvalidPrincipal',
            `${quote(e)} is not a service name such as \`ecs.aliyuncs.com\``,
            eat,
          );
      } else if (FEDERATED_RE.test(e)) {
        spec.federated.push(e);
      } else {
        r.error(
          'InvalidPrincipal',
          `${quote(e)} is not an identity provider ARN such as \`acs:ram::<uid>:saml-provider/<name>\``,
          eat,
        );
      }
    });
  }
  return r.onlyWarningsSince(errorsBefore) ? spec : undefined;
}

function ramEntry(r: Reporter, kind: PolicyKind, e: string, pointer: string): boolean {
  if (e === '*') return true;
  if (/^\d+$/.test(e)) {
    if (kind === 'trust') {
      r.warn(
        'PrincipalBareUid',
        `${quote(e)} is a bare account ID; RAM trust policies name accounts as \`acs:ram::${e}:root\``,
        pointer,
      );
    }
    return true;
  }
  if (RAM_PRINCIPAL_RE.test(e) || (kind === 'bucket' && STS_PRINCIPAL_RE.test(e))) return true;
  r.error(
    'InvalidPrincipal',
    `${quote(e)} is not a RAM principal; use \`acs:ram::<uid>:root\`, \`acs:ram::<uid>:user/<name>\`, \`acs:ram::<uid>:role/<name>\`${kind === 'bucket' ? ', a UID' : ''} or \`*\``,
    pointer,
  );
  return false;
}
