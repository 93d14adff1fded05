/**
 * @module The action catalogue read from the operation declarations: what the services check is
 * in it (declared, handler-checked, OSS), and the system policies draw no advice but for the
 * products yunbox does not serve.
 */
import { describe, expect, it } from 'vitest';
import { adviseActions, SYSTEM_POLICIES, UNSERVED_SERVICES } from '../policy/index.js';
import { declaredActionCatalogue, declaredActions } from './catalogue.js';

describe('declared actions', () => {
  it('hold every service’s actions, handler-checked ones included', () => {
    const actions = declaredActions();
    for (const a of [
      'ram:CreateRole',
      'ram:CreateAccessKey',
      'ram:PassRole',
      'sts:AssumeRole',
      'ecs:RunInstances',
      'vpc:CreateVSwitch',
      'oss:GetObject',
      'oss:ListObjects',
      'oss:DeleteObject',
      'actiontrail:LookupEvents',
      'yunbox:CreateSandbox',
    ])
      expect(actions, a).toContain(a);
    expect(new Set(actions).size).toBe(actions.length);
  });

  it('flag the issue’s examples', () => {
    const c = declaredActionCatalogue();
    expect(c.advise('oss:GetObjects')?.message).toBe(
      '`oss:GetObjects` is not an action of `oss` that yunbox knows — did you mean `oss:GetObject`?',
    );
    expect(c.advise('osss:List*')?.message).toBe(
      'yunbox does not serve `osss`, and knows no service of that name — did you mean `oss`?',
    );
    expect(c.advise('oss:List*')).toBeUndefined();
  });

  it('leave the tutorial’s system policies alone and know every product system policies name', () => {
    const c = declaredActionCatalogue();
    for (const name of [
      'AdministratorAccess',
      'ReadOnlyAccess',
      'AliyunRAMFullAccess',
      'AliyunSTSAssumeRoleAccess',
      'AliyunECSFullAccess',
      'AliyunOSSFullAccess',
      'AliyunOSSReadOnlyAccess',
    ])
      expect(adviseActions(SYSTEM_POLICIES[name]!.document, c), name).toEqual([]);
    for (const [name, p] of Object.entries(SYSTEM_POLICIES)) {
      for (const d of adviseActions(p.document, c))
        expect(d.code, `${name}: ${d.message}`).not.toBe('UnknownService');
    }
    const served = new Set(c.services);
    for (const s of UNSERVED_SERVICES) expect(served.has(s), s).toBe(false);
  });
});
