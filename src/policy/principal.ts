/**
 * @module Principal matching for trust policies and bucket policies.
 *
 * A requester is matched through the names it answers to; an entry (wildcards allowed) matches
 * when it matches any of them:
 * - account root of A: `acs:ram::A:root`, `A`
 * - RAM user U (id I) of A: the above, plus `acs:ram::A:user/U`, `I`
 * - role session S of role R (id I) of A: the account names, plus `acs:ram::A:role/R`,
 *   `acs:ram::A:assumed-role/R/S`, `arn:sts::A:assumed-role/R/S` (the OSS console form), `I`
 *
 * So `acs:ram::A:root` (RAM's "trusted Alibaba Cloud account") and a bare UID admit every RAM
 * identity of A, whose own identity policies then decide; `acs:ram::A:role/R` admits sessions of R.
 * RAM entries match without regard to ASCII case, as RAM names do (`role/approle` names AppRole).
 * `Service` entries match service principals (`ecs.aliyuncs.com`, case-insensitive),
 * `Federated` entries match identity providers, and `"*"` matches everyone including anonymous.
 */
import type { RequestPrincipal } from './types.js';
import { compilePatterns, type PatternSet } from './wildcard.js';

/** A normalised Principal element. */
export interface PrincipalSpec {
  /** `"Principal": "*"` or a `*` entry in a bucket policy: everyone, including anonymous. */
  any: boolean;
  /** RAM identities: account UIDs, user/role/root ARNs, `arn:sts::` session ARNs, `*`. */
  ram: string[];
  /** Cloud services, e.g. `ecs.aliyuncs.com`. */
  service: string[];
  /** Identity providers, e.g. `acs:ram::<uid>:saml-provider/<name>`. */
  federated: string[];
}

/** The names a principal answers to in `RAM` entries (empty for services, IdPs, anonymous). */
export function principalNames(p: RequestPrincipal): string[] {
  switch (p.kind) {
    case 'account':
      return [`acs:ram::${p.accountId}:root`, p.accountId];
    case 'user': {
      const names = [
        `acs:ram::${p.accountId}:root`,
        p.accountId,
        `acs:ram::${p.accountId}:user/${p.userName}`,
      ];
      if (p.userId) names.push(p.userId);
      return names;
    }
    case 'role-session': {
      const a = p.accountId;
      const names = [
        `acs:ram::${a}:root`,
        a,
        `acs:ram::${a}:role/${p.roleName}`,
        `acs:ram::${a}:assumed-role/${p.roleName}/${p.sessionName}`,
        `arn:sts::${a}:assumed-role/${p.roleName}/${p.sessionName}`,
      ];
      if (p.roleId) names.push(p.roleId);
      return names;
    }
    default:
      return [];
  }
}

/**
 * ASCII letters lower-cased: RAM names are ASCII and unique without regard to case, so a role or
 * user ARN in a Principal matches whatever case it is written in (account ids are digits; the
 * session name, also folded, is the caller's choice and never an authority).
 */
function foldAscii(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** A compiled Principal element. */
export interface PrincipalMatcher {
  /** Whether the element names `p` (`undefined` = anonymous). */
  matches(p: RequestPrincipal | undefined): boolean;
  /** True when the element is (or contains) the everyone wildcard. */
  readonly any: boolean;
}

/** Compiles a normalised Principal element. */
export function compilePrincipal(spec: PrincipalSpec): PrincipalMatcher {
  if (spec.any) return { any: true, matches: () => true };
  const ram: PatternSet = compilePatterns(spec.ram.map(foldAscii));
  const ramAll = spec.ram.includes('*');
  const service = compilePatterns(spec.service, true);
  const federated = compilePatterns(spec.federated);
  return {
    any: false,
    matches(p) {
      if (p === undefined) return false;
      switch (p.kind) {
        case 'service':
          return service.test(p.service.toLowerCase());
        case 'federated':
          return federated.test(p.provider);
        case 'anonymous':
          return false;
        default:
          if (ramAll) return true;
          for (const name of principalNames(p)) if (ram.test(foldAscii(name))) return true;
          return false;
      }
    },
  };
}

/**
 * Parses the CLI's `--principal` spelling: an ARN (`acs:ram::UID:root`, `acs:ram::UID:user/NAME`,
 * `acs:ram::UID:role/ROLE/SESSION` or `...:assumed-role/ROLE/SESSION`, `arn:sts::...`), a bare UID
 * (account root), `service:NAME`, `federated:PROVIDER-ARN` or `anonymous`. `id` fills userId/roleId.
 * @example
 * parsePrincipalSpec('acs:ram::123:user/alice'); // { kind: 'user', accountId: '123', userName: 'alice', userId: '' }
 */
export function parsePrincipalSpec(
  spec: string,
  id = '',
): { ok: true; principal: RequestPrincipal } | { ok: false; message: string } {
  const s = spec.trim();
  if (s === 'anonymous' || s === '*') return { ok: true, principal: { kind: 'anonymous' } };
  if (s.startsWith('service:')) {
    const service = s.slice('service:'.length);
    if (service) return { ok: true, principal: { kind: 'service', service } };
  } else if (s.startsWith('federated:')) {
    const provider = s.slice('federated:'.length);
    if (provider) return { ok: true, principal: { kind: 'federated', provider } };
  } else if (/^\d+$/.test(s)) {
    return { ok: true, principal: { kind: 'account', accountId: s } };
  } else {
    const m = /^(?:acs:ram|arn:sts)::(\d+):(.+)$/.exec(s);
    if (m) {
      const accountId = m[1]!;
      const rest = m[2]!;
      if (rest === 'root') return { ok: true, principal: { kind: 'account', accountId } };
      const user = /^user\/(.+)$/.exec(rest);
      if (user) {
        return { ok: true, principal: { kind: 'user', accountId, userName: user[1]!, userId: id } };
      }
      const role = /^(?:role|assumed-role)\/([^/]+)\/(.+)$/.exec(rest);
      if (role) {
        return {
          ok: true,
          principal: {
            kind: 'role-session',
            accountId,
            roleName: role[1]!,
            roleId: id,
            sessionName: role[2]!,
          },
        };
      }
      if (/^(?:saml|oidc)-provider\//.test(rest)) {
        return { ok: true, principal: { kind: 'federated', provider: s } };
      }
    }
  }
  return {
    ok: false,
    message: `cannot read principal \`${spec}\`; use \`acs:ram::UID:root\`, \`acs:ram::UID:user/NAME\`, \`acs:ram::UID:role/ROLE/SESSION\`, \`service:ecs.aliyuncs.com\`, \`federated:ARN\` or \`anonymous\``,
  };
}

/** A short description of a principal for explanations. */
export function describePrincipal(p: RequestPrincipal | undefined): string {
  if (p === undefined) return 'anonymous caller';
  switch (p.kind) {
    case 'account':
      return `root account \`${p.accountId}\``;
    case 'user':
      return `RAM user \`${p.userName}\` of account \`${p.accountId}\``;
    case 'role-session':
      return `role session \`${p.roleName}/${p.sessionName}\` of account \`${p.accountId}\``;
    case 'service':
      return `service \`${p.service}\``;
    case 'federated':
      return `identity provider \`${p.provider}\``;
    case 'anonymous':
      return 'anonymous caller';
  }
}
