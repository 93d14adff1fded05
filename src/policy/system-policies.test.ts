/**
 * @module Unit tests of the system policies: the ones for every product yunbox serves and the ones
 * Terraform configurations attach are present, each document is valid for our validator (no error,
 * no warning), compact with sorted keys as RAM stores it, and grants what its name says.
 */
import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import { authorize } from './evaluate.js';
import { SYSTEM_POLICIES, systemPolicyRef } from './system-policies.js';
import { validatePolicyText } from './validate.js';

const allows = (name: string, action: string, resource = '*', context = {}) =>
  authorize({ action, resource, context }, { identity: [systemPolicyRef(name)!] }).decision ===
  'allow';

describe('system policies', () => {
  it('has Full and ReadOnly policies for every product yunbox serves', () => {
    for (const product of ['RAM', 'ECS', 'VPC', 'OSS', 'ActionTrail']) {
      expect(SYSTEM_POLICIES[`Aliyun${product}FullAccess`], product).toBeDefined();
      expect(SYSTEM_POLICIES[`Aliyun${product}ReadOnlyAccess`], product).toBeDefined();
    }
    for (const name of ['AdministratorAccess', 'ReadOnlyAccess', 'AliyunSTSAssumeRoleAccess']) {
      expect(SYSTEM_POLICIES[name], name).toBeDefined();
    }
  });

  it('has the policies Terraform configurations and tutorials attach', () => {
    for (const name of [
      'AliyunLogFullAccess',
      'AliyunLogReadOnlyAccess',
      'AliyunKMSFullAccess',
      'AliyunKMSReadOnlyAccess',
      'AliyunKMSCryptoUserAccess',
      'AliyunSLBReadOnlyAccess',
      'AliyunRDSReadOnlyAccess',
      'AliyunKvstoreFullAccess',
      'AliyunFCFullAccess',
      'AliyunMNSReadOnlyAccess',
      'AliyunECSNetworkInterfaceManagementAccess',
      'AliyunSLBFullAccess',
      'AliyunRDSFullAccess',
      'AliyunContainerRegistryFullAccess',
      'AliyunContainerRegistryReadOnlyAccess',
      'AliyunCSFullAccess',
      'AliyunCSReadOnlyAccess',
      'AliyunMNSFullAccess',
      'AliyunCloudMonitorFullAccess',
      'AliyunCloudMonitorReadOnlyAccess',
      'AliyunFCReadOnlyAccess',
    ]) {
      expect(SYSTEM_POLICIES[name], name).toBeDefined();
    }
  });

  it.each(Object.entries(SYSTEM_POLICIES))(
    '%s is valid, without warnings, described and sourced',
    (name, { description, document, source }) => {
      const v = validatePolicyText(document, 'identity');
      expect(v.ok ? v.warnings : v.diagnostics).toEqual([]);
      const r = compilePolicy(document, 'identity');
      expect(r.ok && r.warnings).toEqual([]);
      expect(description.length).toBeGreaterThan(10);
      expect(source).toMatch(/^(derived|[a-z]+\/[a-z-]+\/[a-z0-9-]+( \(v\d+\))?)$/);
      expect(systemPolicyRef(name)).toMatchObject({ name, type: 'System', version: 'v1' });
    },
  );

  it.each(Object.entries(SYSTEM_POLICIES))(
    '%s is compact JSON with sorted keys, every statement an Allow',
    (_name, { document }) => {
      const parsed = JSON.parse(document) as {
        Statement: Array<Record<string, unknown>>;
        Version: string;
      };
      expect(JSON.stringify(parsed)).toBe(document);
      expect(Object.keys(parsed)).toEqual(['Statement', 'Version']);
      expect(parsed.Version).toBe('1');
      for (const s of parsed.Statement) {
        expect(Object.keys(s)).toEqual([...Object.keys(s)].sort());
        expect(s.Effect).toBe('Allow');
      }
    },
  );

  it('uses the documented text where it is documented', () => {
    expect(SYSTEM_POLICIES.AliyunSTSAssumeRoleAccess!.document).toBe(
      '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Resource":"*"}],"Version":"1"}',
    );
    expect(SYSTEM_POLICIES.AliyunOSSReadOnlyAccess!.document).toBe(
      '{"Statement":[{"Action":["oss:Get*","oss:List*"],"Effect":"Allow","Resource":"*"}],"Version":"1"}',
    );
    expect(SYSTEM_POLICIES.AliyunContainerRegistryFullAccess!.document).toBe(
      '{"Statement":[{"Action":"cr:*","Effect":"Allow","Resource":"*"}],"Version":"1"}',
    );
    expect(SYSTEM_POLICIES.AliyunLogFullAccess!.document).toContain(
      '{"Action":"log:*","Effect":"Allow","Resource":"*"}',
    );
  });

  it('grants what the names say', () => {
    expect(allows('AliyunECSFullAccess', 'ecs:RunInstances')).toBe(true);
    expect(allows('AliyunECSFullAccess', 'vpc:DescribeVSwitches')).toBe(true);
    expect(allows('AliyunECSFullAccess', 'vpc:CreateVpc')).toBe(false);
    expect(allows('AliyunECSReadOnlyAccess', 'ecs:DescribeInstances')).toBe(true);
    expect(allows('AliyunECSReadOnlyAccess', 'ecs:StopInstance')).toBe(false);
    expect(allows('AliyunVPCFullAccess', 'vpc:CreateVSwitch')).toBe(true);
    expect(allows('AliyunVPCFullAccess', 'vpc:DeleteVpc')).toBe(true);
    expect(allows('AliyunVPCReadOnlyAccess', 'vpc:DescribeVpcAttribute')).toBe(true);
    expect(allows('AliyunVPCReadOnlyAccess', 'vpc:CreateVpc')).toBe(false);
    expect(allows('AliyunRAMReadOnlyAccess', 'ram:GetRole')).toBe(true);
    expect(allows('AliyunRAMReadOnlyAccess', 'ram:CreateRole')).toBe(false);
    expect(allows('AliyunActionTrailReadOnlyAccess', 'actiontrail:LookupEvents')).toBe(true);
    expect(allows('AliyunLogFullAccess', 'log:PostLogStoreLogs')).toBe(true);
    expect(allows('AliyunLogReadOnlyAccess', 'log:PostLogStoreLogs')).toBe(false);
    expect(allows('AdministratorAccess', 'oss:PutObject', 'acs:oss:*:1:bucket/key')).toBe(true);
    expect(allows('AliyunContainerRegistryReadOnlyAccess', 'cr:PullRepository')).toBe(true);
    expect(allows('AliyunContainerRegistryReadOnlyAccess', 'cr:PushRepository')).toBe(false);
    expect(allows('AliyunFCReadOnlyAccess', 'fc:GetFunction')).toBe(true);
    expect(allows('AliyunFCReadOnlyAccess', 'fc:InvokeFunction')).toBe(false);
    expect(allows('AliyunCSReadOnlyAccess', 'cs:DescribeClusters')).toBe(true);
    expect(allows('AliyunCSReadOnlyAccess', 'cs:DeleteCluster')).toBe(false);
    expect(allows('AliyunCloudMonitorReadOnlyAccess', 'cms:PutCustomMetric')).toBe(false);
    expect(allows('AliyunSLBFullAccess', 'slb:CreateLoadBalancer')).toBe(true);
  });

  it('passes roles only to the service its condition names', () => {
    const fc = { 'acs:Service': 'fc.aliyuncs.com' };
    expect(allows('AliyunFCFullAccess', 'ram:PassRole', 'acs:ram::1:role/r', fc)).toBe(true);
    expect(allows('AliyunFCFullAccess', 'ram:PassRole', 'acs:ram::1:role/r')).toBe(false);
    expect(
      allows('AliyunFCFullAccess', 'ram:PassRole', 'acs:ram::1:role/r', {
        'acs:Service': 'ecs.aliyuncs.com',
      }),
    ).toBe(false);
  });

  it('returns undefined for unknown names', () => {
    expect(systemPolicyRef('NoSuchPolicy')).toBeUndefined();
    expect(systemPolicyRef('toString')).toBeUndefined();
  });
});
