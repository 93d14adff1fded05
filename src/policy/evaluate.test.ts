/**
 * @module Unit tests of evaluation, combination of policy sets, explanations, trust policies and the compile cache.
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../kernel/principal.js';
import { clearPolicyCache, compilePolicy, type CompiledPolicy } from './compile.js';
import {
  authorize,
  authorizeAssumeRole,
  evaluate,
  evaluateTrust,
  formatStatementRef,
  type PolicyRef,
} from './evaluate.js';
import type { AuthzRequest, RequestPrincipal } from './types.js';

function compiled(
  doc: unknown,
  kind: 'identity' | 'session' | 'trust' | 'bucket' = 'identity',
): CompiledPolicy {
  const r = compilePolicy(JSON.stringify(doc), kind);
  if (!r.ok) throw new Error(JSON.stringify(r.diagnostics));
  return r.policy;
}

function ref(
  name: string,
  doc: unknown,
  type: PolicyRef['type'] = 'Custom',
  kind: 'identity' | 'session' | 'trust' | 'bucket' = 'identity',
): PolicyRef {
  return { name, type, version: 'v1', policy: compiled(doc, kind) };
}

const alice: RequestPrincipal = {
  kind: 'user',
  accountId: '111',
  userName: 'alice',
  userId: '9001',
};
const req = (
  action: string,
  resource: string,
  context: AuthzRequest['context'] = {},
  principal: RequestPrincipal = alice,
): AuthzRequest => ({
  action,
  resource,
  context,
  principal,
});

describe('compilePolicy', () => {
  it('caches by kind and content', () => {
    clearPolicyCache();
    const text = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    const a = compilePolicy(text, 'identity');
    const b = compilePolicy(text, 'identity');
    const c = compilePolicy(text, 'session');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a.ok && Object.isFrozen(a.policy)).toBe(true);
  });

  it('honours maxLength', () => {
    const text = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
    const r = compilePolicy(text, 'session', { maxLength: 10 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostics[0]).toMatchObject({
      code: 'PolicyTooLong',
      message: `the policy document has ${text.length} characters; a session policy may have at most 10`,
    });
  });

  it('rejects an unknown kind without throwing', () => {
    expect(compilePolicy('{}', 'nope' as 'identity')).toMatchObject({
      ok: false,
      diagnostics: [{ code: 'InvalidKind' }],
    });
  });
});

describe('evaluate', () => {
  const policy = ref('P', {
    Version: '1',
    Statement: [
      {
        Sid: 'Read',
        Effect: 'Allow',
        Action: 'oss:Get*',
        Resource: 'acs:oss:*:*:b/*',
        Condition: { IpAddress: { 'acs:SourceIp': '10.0.0.0/8' } },
      },
      {
        Effect: 'Deny',
        Action: 'oss:GetObject',
        Resource: 'acs:oss:*:*:b/secret/*',
        Condition: { StringNotEquals: { 'acs:SourceVpc': 'vpc-1' } },
      },
    ],
  });

  it('reports deciding statements', () => {
    const r = evaluate(
      req('oss:GetObjectAcl', 'acs:oss:*:111:b/x', { 'acs:SourceIp': '10.9.9.9' }),
      [policy],
    );
    expect(r).toEqual({
      decision: 'allow',
      reasons: [
        {
          policyName: 'P',
          policyType: 'Custom',
          version: 'v1',
          statementIndex: 0,
          sid: 'Read',
          effect: 'Allow',
        },
      ],
      errors: [],
    });
  });

  it('reports unevaluable conditions and never allows because of them', () => {
    const r = evaluate(
      req('oss:GetObject', 'acs:oss:*:111:b/secret/k', { 'acs:SourceIp': 'bogus' }),
      [policy],
    );
    expect(r.decision).toBe('explicit-deny');
    expect(r.reasons.map((s) => s.statementIndex)).toEqual([1]);
    expect(r.errors.map((e) => e.message)).toEqual([
      'condition `IpAddress` on `acs:SourceIp`: request value `bogus` is not an IP address',
      'condition `StringNotEquals` on `acs:SourceVpc`: the key is missing from the request',
    ]);
  });

  it('evaluates every policy of the set (union)', () => {
    const other = ref('Q', {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: '*' }],
    });
    const r = evaluate(req('oss:GetObject', 'acs:oss:*:111:b/x'), [policy, other]);
    expect(r.decision).toBe('allow');
    expect(r.reasons.map((s) => s.policyName)).toEqual(['Q']);
    expect(r.errors).toHaveLength(1);
  });

  it('accepts the kernel principal type', () => {
    const p: Principal = { kind: 'account', accountId: '111', accessKeyId: 'LTAI' };
    const r: AuthzRequest = { action: 'x:y', resource: '*', principal: p, context: {} };
    expect(authorize(r, { identity: [] }).decision).toBe('allow');
  });
});

describe('authorize explanations', () => {
  const deny = ref('EcsRamRolePolicyTest', {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: 'oss:*', Resource: '*' },
      { Sid: 'DenyPut', Effect: 'Deny', Action: 'oss:PutObject', Resource: '*' },
    ],
  });
  const session = ref(
    'session',
    { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:Get*', Resource: '*' }] },
    'Session',
    'session',
  );
  const role: RequestPrincipal = {
    kind: 'role-session',
    accountId: '111',
    roleName: 'EcsRamRoleTest',
    roleId: '1',
    sessionName: 'i-1',
  };

  it('names the denying statement', () => {
    const d = authorize(req('oss:PutObject', 'acs:oss:*:111:ramroletest/x', {}, role), {
      identity: [deny],
    });
    expect(d.explanation).toBe(
      'explicit deny by statement 1 (Sid DenyPut) of policy `EcsRamRolePolicyTest` (Custom, v1)',
    );
  });

  it('lists what was evaluated for an implicit deny', () => {
    const d = authorize(req('ram:CreateRole', 'acs:ram:*:111:role/x', {}, role), {
      identity: [deny],
      session: [session],
    });
    expect(d.decision).toBe('implicit-deny');
    expect(d.explanation).toBe(
      'the session policy does not allow `ram:CreateRole` on `acs:ram:*:111:role/x`; evaluated: session policy `session`',
    );
    const d2 = authorize(req('ram:CreateRole', 'acs:ram:*:111:role/x', {}, role), {
      identity: [deny],
    });
    expect(d2.explanation).toBe(
      'no policy allows `ram:CreateRole` on `acs:ram:*:111:role/x`; evaluated: role policies [`EcsRamRolePolicyTest`]',
    );
  });

  it('treats an empty session set as a session policy that allows nothing', () => {
    expect(authorize(req('oss:GetObject', '*', {}, role), { identity: [deny] }).decision).toBe(
      'allow',
    );
    const d = authorize(req('oss:GetObject', '*', {}, role), { identity: [deny], session: [] });
    expect(d.decision).toBe('implicit-deny');
    expect(d.explanation).toBe(
      'the session policy does not allow `oss:GetObject` on `*`; evaluated: session policy none',
    );
  });

  it('mentions the first unevaluable condition', () => {
    const cond = ref('C', {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: '*',
          Resource: '*',
          Condition: { Bool: { 'acs:SecureTransport': 'true' } },
        },
      ],
    });
    const d = authorize(req('oss:GetObject', '*'), { identity: [cond] });
    expect(d.explanation).toBe(
      'no policy allows `oss:GetObject` on `*`; evaluated: user and group policies [`C`]; could not evaluate condition `Bool` on `acs:SecureTransport`: the key is missing from the request in statement 0 of policy `C` (Custom, v1)',
    );
  });

  it('keeps explanations on one line', () => {
    const weird = { ...deny, name: 'a\nb' };
    const d = authorize(req('oss:PutObject', 'x\ny'), { identity: [weird] });
    expect(d.explanation).not.toMatch(/\n/);
  });

  it('treats the owner account root as allowed unless a bucket deny applies', () => {
    const root: RequestPrincipal = { kind: 'account', accountId: '111' };
    expect(
      authorize(req('oss:DeleteBucket', 'acs:oss:*:111:b', {}, root), {
        identity: [],
        resourceOwnerAccountId: '111',
      }).decision,
    ).toBe('allow');
    expect(
      authorize(req('oss:DeleteBucket', 'acs:oss:*:111:b', {}, root), {
        identity: [],
        resourceOwnerAccountId: '111',
        isRoot: false,
      }).decision,
    ).toBe('implicit-deny');
    expect(
      authorize(req('oss:DeleteBucket', 'acs:oss:*:222:b', {}, root), {
        identity: [],
        resourceOwnerAccountId: '222',
      }).decision,
    ).toBe('implicit-deny');
    // isRoot is ignored for another account's resource.
    const cross = authorize(req('oss:DeleteBucket', 'acs:oss:*:222:b', {}, root), {
      identity: [],
      resourceOwnerAccountId: '222',
      isRoot: true,
    });
    expect(cross.decision).toBe('implicit-deny');
  });

  it('formats statement references', () => {
    expect(
      formatStatementRef({
        policyName: 'P',
        policyType: 'System',
        statementIndex: 2,
        effect: 'Allow',
      }),
    ).toBe('statement 2 of policy `P` (System)');
  });
});

describe('trust and AssumeRole', () => {
  const trust = ref(
    'app-trust',
    {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: 'acs:ram::111:root', Service: 'ecs.aliyuncs.com' },
        },
      ],
    },
    'Trust',
    'trust',
  );
  const callerAllow = ref(
    'AliyunSTSAssumeRoleAccess',
    { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
    'System',
  );

  it('evaluateTrust explains', () => {
    expect(
      evaluateTrust(trust, { kind: 'service', service: 'ecs.aliyuncs.com' }, {}).explanation,
    ).toBe(
      'allowed by statement 0 of policy `app-trust` (Trust, v1): service `ecs.aliyuncs.com` may assume the role',
    );
    expect(
      evaluateTrust(trust, { kind: 'service', service: 'fc.aliyuncs.com' }, {}).explanation,
    ).toBe(
      'the trust policy `app-trust` does not allow service `fc.aliyuncs.com` to perform `sts:AssumeRole`',
    );
  });

  it('needs both the caller policies and the trust policy', () => {
    const r = req('sts:AssumeRole', 'acs:ram:*:111:role/app');
    expect(authorizeAssumeRole(r, { identity: [callerAllow] }, trust).decision).toBe('allow');
    expect(authorizeAssumeRole(r, { identity: [] }, trust).decision).toBe('implicit-deny');
    const bob: RequestPrincipal = { kind: 'user', accountId: '222', userName: 'bob', userId: '2' };
    expect(
      authorizeAssumeRole(
        req('sts:AssumeRole', 'acs:ram:*:111:role/app', {}, bob),
        { identity: [callerAllow] },
        trust,
      ).decision,
    ).toBe('implicit-deny');
  });

  it('lets a cross-account caller use its own policies even when an owner is given', () => {
    const cross = ref(
      'cross',
      {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: 'acs:ram::222:root' } },
        ],
      },
      'Trust',
      'trust',
    );
    const bob: RequestPrincipal = { kind: 'user', accountId: '222', userName: 'bob', userId: '2' };
    const d = authorizeAssumeRole(
      req('sts:AssumeRole', 'acs:ram:*:111:role/app', {}, bob),
      { identity: [callerAllow], resourceOwnerAccountId: '111' },
      cross,
    );
    expect(d.decision).toBe('allow');
  });
});
