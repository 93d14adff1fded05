/**
 * @module Unit tests of the system policies: present, valid, described.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import { SYSTEM_POLICIES, systemPolicyRef } from './system-policies.js';

describe('system policies', () => {
  it('has the policies users reach for', () => {
    for (const name of [
      'AdministratorAccess',
      'AliyunOSSFullAccess',
      'AliyunOSSReadOnlyAccess',
      'AliyunSTSAssumeRoleAccess',
      'AliyunECSFullAccess',
      'AliyunRAMFullAccess',
      'AliyunRAMReadOnlyAccess',
    ]) {
      expect(SYSTEM_POLICIES[name], name).toBeDefined();
    }
  });

  it.each(Object.entries(SYSTEM_POLICIES))(
    '%s compiles cleanly and is described',
    (name, { description, document }) => {
      const r = compilePolicy(document, 'identity');
      expect(r.ok && r.warnings).toEqual([]);
      expect(description.length).toBeGreaterThan(10);
      expect(systemPolicyRef(name)).toMatchObject({ name, type: 'System', version: 'v1' });
    },
  );

  it('uses the documented text where it is documented', () => {
    expect(SYSTEM_POLICIES.AliyunSTSAssumeRoleAccess!.document).toBe(
      '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}',
    );
    expect(SYSTEM_POLICIES.AliyunOSSReadOnlyAccess!.document).toBe(
      '{"Statement":[{"Action":["oss:Get*","oss:List*"],"Effect":"Allow","Resource":"*"}],"Version":"1"}',
    );
  });

  it('returns undefined for unknown names', () => {
    expect(systemPolicyRef('NoSuchPolicy')).toBeUndefined();
    expect(systemPolicyRef('toString')).toBeUndefined();
  });
});
