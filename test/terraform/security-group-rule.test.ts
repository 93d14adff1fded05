/**
 * Terraform replay of `alicloud_security_group_rule` (terraform-provider-alicloud
 * resource_alicloud_security_group_rule.go, EcsService.DescribeSecurityGroup /
 * DescribeSecurityGroupRule / buildAliyunSGRuleRequest) with @alicloud/ecs20140526, for an
 * ingress rule by IPv4 block, an egress rule naming another group, and an ingress rule by IPv6
 * block: the group read, Authorize with `Permissions.1.*`, the resource id the provider composes
 * (`<nil>` for an unset nic_type, `_` for IPv6 colons), the read that finds the rule by its fields
 * (sending that `<nil>` as NicType), the description update (Modify*Rule with the flat parameters,
 * sent twice, as the provider does), read, and Revoke with the flat parameters. SQLite, and
 * PostgreSQL with `YUNBOX_TEST_STORE=postgres`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetwork, rootOf } from '../../src/testing/fixtures.js';
import { $Ecs } from '../../src/testing/sdk.js';
import { testStoreKind } from '../../src/testing/server.js';
import { REGION, clientToken, startReplay, type Replay } from './network-replay.js';

let r: Replay;
let groupId: string;
let peerId: string;
beforeAll(async () => {
  r = await startReplay();
  const net = await createNetwork(r.yb, rootOf(r.yb));
  const make = async (name: string) =>
    (
      await r.ecs.createSecurityGroup(
        new $Ecs.CreateSecurityGroupRequest({
          regionId: REGION,
          clientToken: clientToken('CreateSecurityGroup'),
          vpcId: net.vpcId,
          securityGroupName: name,
        }),
      )
    ).body!.securityGroupId!;
  groupId = await make('tf-rules');
  peerId = await make('tf-peer');
});
afterAll(async () => {
  await r?.yb.close();
});

/** A rule's configuration, as the resource's schema has it. */
interface RuleConfig {
  type: 'ingress' | 'egress';
  ip_protocol: string;
  port_range: string;
  policy: string;
  priority: number;
  cidr_ip?: string;
  ipv6_cidr_ip?: string;
  source_security_group_id?: string;
  nic_type?: string;
  description?: string;
}

/** `ecsService.DescribeSecurityGroup(id)`: DescribeSecurityGroupAttribute, checked for the id. */
async function describeGroup(id: string) {
  const a = (
    await r.ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({ securityGroupId: id, regionId: REGION }),
    )
  ).body!;
  expect(a.securityGroupId).toBe(id);
  return a;
}

/** The create: group read, Authorize(Egress) with Permissions.1, and the id the provider composes. */
async function create(c: RuleConfig): Promise<string> {
  await describeGroup(groupId);
  const ingress = c.type === 'ingress';
  const p: Record<string, unknown> = {
    ipProtocol: c.ip_protocol,
    policy: c.policy,
    priority: String(c.priority),
  };
  let cidrIp = '';
  if (c.cidr_ip) {
    cidrIp = c.cidr_ip;
    p[ingress ? 'sourceCidrIp' : 'destCidrIp'] = c.cidr_ip;
  }
  if (c.ipv6_cidr_ip) {
    cidrIp = c.ipv6_cidr_ip.replace(/:/g, '_');
    p[ingress ? 'ipv6SourceCidrIp' : 'ipv6DestCidrIp'] = c.ipv6_cidr_ip;
  }
  if (c.source_security_group_id) {
    cidrIp = c.source_security_group_id;
    p[ingress ? 'sourceGroupId' : 'destGroupId'] = c.source_security_group_id;
  }
  p.portRange = c.port_range;
  if (c.nic_type) p.nicType = c.nic_type;
  if (c.description) p.description = c.description;
  if (ingress) {
    await r.ecs.authorizeSecurityGroup(
      new $Ecs.AuthorizeSecurityGroupRequest({
        regionId: REGION,
        securityGroupId: groupId,
        permissions: [new $Ecs.AuthorizeSecurityGroupRequestPermissions(p)],
      }),
    );
  } else {
    await r.ecs.authorizeSecurityGroupEgress(
      new $Ecs.AuthorizeSecurityGroupEgressRequest({
        regionId: REGION,
        securityGroupId: groupId,
        permissions: [new $Ecs.AuthorizeSecurityGroupEgressRequestPermissions(p)],
      }),
    );
  }
  // fmt.Sprintf("%v:…") of the request map: an unset NicType prints as <nil>.
  return [
    groupId,
    c.type,
    c.ip_protocol,
    c.port_range,
    c.nic_type ?? '<nil>',
    cidrIp,
    c.policy,
    c.priority,
  ].join(':');
}

/** `DescribeSecurityGroupRule(id)` and what the read sets from the rule it finds. */
async function read(id: string) {
  const [sg, direction, ipProtocol, portRange, nicType, rawCidr, policy, priority] = id.split(
    ':',
  ) as string[];
  // The provider also compresses the IPv6 block; the ones used here are compressed already.
  const cidrIp = rawCidr!.replace(/_/g, ':');
  const attr = (
    await r.ecs.describeSecurityGroupAttribute(
      new $Ecs.DescribeSecurityGroupAttributeRequest({
        regionId: REGION,
        securityGroupId: sg,
        direction,
        nicType,
      }),
    )
  ).body!;
  const ru = (attr.permissions?.permission ?? []).find((p) => {
    if (p.ipProtocol!.toLowerCase() !== ipProtocol || p.portRange !== portRange) return false;
    const cidr =
      direction === 'ingress'
        ? p.sourceCidrIp || p.sourceGroupId || p.ipv6SourceCidrIp
        : p.destCidrIp || p.destGroupId || p.ipv6DestCidrIp;
    const prefixList = direction === 'ingress' ? p.sourcePrefixListId : p.destPrefixListId;
    return (
      (cidr === cidrIp || prefixList === cidrIp) &&
      p.policy!.toLowerCase() === policy &&
      p.priority === String(priority)
    );
  });
  if (!ru) return undefined;
  const ingress = direction === 'ingress';
  return {
    type: ru.direction,
    ip_protocol: ru.ipProtocol!.toLowerCase(),
    nic_type: ru.nicType,
    policy: ru.policy!.toLowerCase(),
    port_range: ru.portRange,
    description: ru.description,
    security_group_rule_id: ru.securityGroupRuleId,
    priority: Number(ru.priority),
    security_group_id: sg,
    cidr_ip: ingress ? ru.sourceCidrIp : ru.destCidrIp,
    ipv6_cidr_ip: ingress ? ru.ipv6SourceCidrIp : ru.ipv6DestCidrIp,
    source_security_group_id: ingress ? ru.sourceGroupId : ru.destGroupId,
    source_group_owner_id: ingress ? ru.sourceGroupOwnerAccount : ru.destGroupOwnerAccount,
    prefix_list_id: ingress ? ru.sourcePrefixListId : ru.destPrefixListId,
  };
}

/** buildAliyunSGRuleRequest: the group read, then the flat parameters of the state. */
async function flatRequest(c: RuleConfig & { nic_type: string }) {
  await describeGroup(groupId);
  const ingress = c.type === 'ingress';
  return {
    regionId: REGION,
    portRange: c.port_range,
    ipProtocol: c.ip_protocol,
    policy: c.policy,
    priority: String(c.priority),
    ...(c.cidr_ip ? { [ingress ? 'sourceCidrIp' : 'destCidrIp']: c.cidr_ip } : {}),
    ...(c.ipv6_cidr_ip
      ? { [ingress ? 'ipv6SourceCidrIp' : 'ipv6DestCidrIp']: c.ipv6_cidr_ip }
      : {}),
    ...(c.source_security_group_id
      ? { [ingress ? 'sourceGroupId' : 'destGroupId']: c.source_security_group_id }
      : {}),
    nicType: c.nic_type,
    securityGroupId: groupId,
    description: c.description ?? '',
  };
}

async function update(c: RuleConfig & { nic_type: string }) {
  const q = await flatRequest(c);
  // The provider sends the Modify call twice (once per branch, once after).
  for (let n = 0; n < 2; n++) {
    if (c.type === 'ingress')
      await r.ecs.modifySecurityGroupRule(new $Ecs.ModifySecurityGroupRuleRequest(q));
    else
      await r.ecs.modifySecurityGroupEgressRule(new $Ecs.ModifySecurityGroupEgressRuleRequest(q));
  }
}

async function destroy(c: RuleConfig & { nic_type: string }) {
  const q = await flatRequest(c);
  if (c.type === 'ingress') await r.ecs.revokeSecurityGroup(new $Ecs.RevokeSecurityGroupRequest(q));
  else await r.ecs.revokeSecurityGroupEgress(new $Ecs.RevokeSecurityGroupEgressRequest(q));
}

describe(`alicloud_security_group_rule on ${testStoreKind()}`, () => {
  const cases: Array<[string, RuleConfig]> = [
    [
      'ingress by IPv4 block',
      {
        type: 'ingress',
        ip_protocol: 'tcp',
        port_range: '22/22',
        policy: 'accept',
        priority: 1,
        cidr_ip: '0.0.0.0/0',
        description: 'ssh',
      },
    ],
    [
      'egress naming another group',
      {
        type: 'egress',
        ip_protocol: 'all',
        port_range: '-1/-1',
        policy: 'drop',
        priority: 100,
        source_security_group_id: '',
      },
    ],
    [
      'ingress by IPv6 block',
      {
        type: 'ingress',
        ip_protocol: 'udp',
        port_range: '53/53',
        policy: 'accept',
        priority: 10,
        ipv6_cidr_ip: '2001:db8::/32',
        nic_type: 'intranet',
      },
    ],
  ];
  for (const [name, config] of cases) {
    it(`${name}: create → read → update → read → delete, as the provider calls them`, async () => {
      const c = { ...config };
      if (c.source_security_group_id === '') c.source_security_group_id = peerId;
      const id = await create(c);
      const first = await read(id);
      expect(first).toMatchObject({
        type: c.type,
        ip_protocol: c.ip_protocol,
        nic_type: 'intranet',
        policy: c.policy,
        port_range: c.port_range,
        description: c.description ?? '',
        priority: c.priority,
        security_group_id: groupId,
        cidr_ip: c.cidr_ip ?? '',
        ipv6_cidr_ip: c.ipv6_cidr_ip ?? '',
        source_security_group_id: c.source_security_group_id ?? '',
        source_group_owner_id: '',
        prefix_list_id: '',
      });
      expect(first!.security_group_rule_id).toMatch(/^sgr-/);
      // Applying the same configuration again changes nothing (Authorize of an existing rule).
      await create(c);
      expect(
        (
          await r.ecs.describeSecurityGroupAttribute(
            new $Ecs.DescribeSecurityGroupAttributeRequest({
              regionId: REGION,
              securityGroupId: groupId,
              direction: c.type,
            }),
          )
        ).body!.permissions!.permission,
      ).toHaveLength(1);

      // Update: description (every other attribute forces a new rule); nic_type is now in the
      // state from the read.
      const next = { ...c, nic_type: first!.nic_type!, description: 'changed by terraform' };
      await update(next);
      expect(await read(id)).toMatchObject({
        description: 'changed by terraform',
        security_group_rule_id: first!.security_group_rule_id,
        priority: c.priority,
      });

      // Delete: Revoke with the flat parameters; the rule is gone.
      await destroy(next);
      expect(await read(id)).toBeUndefined();
    });
  }

  it('two rules of one protocol and port told apart by policy and priority, as the id does', async () => {
    const accept: RuleConfig = {
      type: 'ingress',
      ip_protocol: 'tcp',
      port_range: '443/443',
      policy: 'accept',
      priority: 1,
      cidr_ip: '10.0.0.0/8',
    };
    const drop: RuleConfig = { ...accept, policy: 'drop', priority: 2 };
    const a = await create(accept);
    const d = await create(drop);
    expect((await read(a))!.policy).toBe('accept');
    expect((await read(d))!.policy).toBe('drop');
    await destroy({ ...drop, nic_type: 'intranet' });
    expect(await read(d)).toBeUndefined();
    expect(await read(a)).toBeDefined();
    await destroy({ ...accept, nic_type: 'intranet' });
  });
});
