import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrownCode } from '../../../testing/failure.js';
import {
  isIpv4Cidr,
  isIpv6Cidr,
  parsePermission,
  ruleIdentity,
  type PermissionParam,
} from './model.js';

const ssh: PermissionParam = { IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '0.0.0.0/0' };

describe('parsePermission', () => {
  it('reads a rule with ECS defaults: accept, priority 1, intranet; protocol and policy as ECS prints them', () => {
    expect(parsePermission(ssh, 'ingress')).toEqual({
      direction: 'ingress',
      ipProtocol: 'TCP',
      portRange: '22/22',
      sourcePortRange: '',
      nicType: 'intranet',
      policy: 'Accept',
      priority: 1,
      description: '',
      remoteCidr: '0.0.0.0/0',
      remoteIpv6Cidr: '',
      remoteGroupId: '',
      remoteGroupOwner: '',
      remotePrefixListId: '',
      localCidr: '',
      localIpv6Cidr: '',
    });
    const egress = parsePermission(
      {
        IpProtocol: 'ALL',
        PortRange: '-1/-1',
        DestGroupId: 'sg-x',
        SourceCidrIp: '10.0.0.1',
        Policy: 'Drop',
        Priority: '100',
      },
      'egress',
    );
    expect(egress).toMatchObject({
      ipProtocol: 'ALL',
      policy: 'Drop',
      priority: 100,
      remoteGroupId: 'sg-x',
      localCidr: '10.0.0.1',
    });
  });

  it('prefers an address to a group, and either to a prefix list (doc "AuthorizeSecurityGroup")', () => {
    const both = parsePermission(
      { ...ssh, SourceGroupId: 'sg-a', SourcePrefixListId: 'pl-a' },
      'ingress',
    );
    expect([both.remoteCidr, both.remoteGroupId, both.remotePrefixListId]).toEqual([
      '0.0.0.0/0',
      '',
      '',
    ]);
    const group = parsePermission(
      {
        IpProtocol: 'tcp',
        PortRange: '80/80',
        SourceGroupId: 'sg-a',
        SourcePrefixListId: 'pl-a',
        SourceGroupOwnerId: '123',
      },
      'ingress',
    );
    expect([group.remoteGroupId, group.remoteGroupOwner, group.remotePrefixListId]).toEqual([
      'sg-a',
      '123',
      '',
    ]);
  });

  it('refuses with the code ECS gives, in ECS order', () => {
    const cases: Array<[PermissionParam, 'ingress' | 'egress', string]> = [
      [{}, 'ingress', 'InvalidIpProtocol.ValueNotSupported'],
      [{ ...ssh, IpProtocol: 'sctp' }, 'ingress', 'InvalidIpProtocol.ValueNotSupported'],
      [{ ...ssh, PortRange: undefined }, 'ingress', 'InvalidPortRange.Malformed'],
      [
        { ...ssh, PortRange: undefined, PortRangeListId: 'prl-1' },
        'ingress',
        'InvalidPortRangeListId.NotFound',
      ],
      [{ ...ssh, PortRange: '22' }, 'ingress', 'InvalidParam.PortRange'],
      [{ ...ssh, PortRange: '0/22' }, 'ingress', 'InvalidParam.PortRange'],
      [{ ...ssh, PortRange: '80/22' }, 'ingress', 'InvalidParam.PortRange'],
      [{ ...ssh, PortRange: '1/65536' }, 'ingress', 'InvalidParam.PortRange'],
      [{ ...ssh, PortRange: '-1/-1' }, 'ingress', 'InvalidParam.PortRange'],
      [{ ...ssh, IpProtocol: 'icmp' }, 'ingress', 'OperationDenied'],
      [{ ...ssh, SourcePortRange: 'x' }, 'ingress', 'InvalidSourcePortRange.Malformed'],
      [{ ...ssh, Policy: 'allow' }, 'ingress', 'InvalidPolicy.Malformed'],
      [{ ...ssh, Priority: 'high' }, 'ingress', 'InvalidPriority.Malformed'],
      [{ ...ssh, Priority: '0' }, 'ingress', 'InvalidPriority.ValueNotSupported'],
      [{ ...ssh, Priority: '101' }, 'ingress', 'InvalidPriority.ValueNotSupported'],
      [{ ...ssh, NicType: 'wifi' }, 'ingress', 'InvalidNicType.ValueNotSupported'],
      [{ ...ssh, Ipv6SourceCidrIp: '::/0' }, 'ingress', 'InvalidParam.SourceIp'],
      [{ IpProtocol: 'tcp', PortRange: '22/22' }, 'ingress', 'MissingParameter.Source'],
      [
        { IpProtocol: 'tcp', PortRange: '22/22', SourceCidrIp: '1.2.3.4' },
        'egress',
        'MissingParameter.Dest',
      ],
      [{ ...ssh, SourceCidrIp: '300.0.0.0/8' }, 'ingress', 'InvalidParam.SourceCidrIp'],
      [{ ...ssh, SourceCidrIp: '10.0.0.0/33' }, 'ingress', 'InvalidParam.SourceCidrIp'],
      [{ ...ssh, DestCidrIp: 'nope' }, 'ingress', 'InvalidParam.DestCidrIp'],
      [
        { ...ssh, DestCidrIp: '10.0.0.0/8', Ipv6DestCidrIp: '::1' },
        'ingress',
        'InvalidParam.DestIp',
      ],
      [
        { IpProtocol: 'tcp', PortRange: '22/22', Ipv6SourceCidrIp: '1.2.3.4' },
        'ingress',
        'InvalidParam.Ipv6SourceCidrIp',
      ],
      [
        { IpProtocol: 'icmp', PortRange: '-1/-1', Ipv6SourceCidrIp: '::/0' },
        'ingress',
        'InvalidParam.Ipv4ProtocolConflictWithIpv6Address',
      ],
      [
        { IpProtocol: 'icmpv6', PortRange: '-1/-1', SourceCidrIp: '0.0.0.0/0' },
        'ingress',
        'InvalidParam.Ipv6ProtocolConflictWithIpv4Address',
      ],
      [
        { ...ssh, Description: 'x'.repeat(513) },
        'ingress',
        'InvalidSecurityGroupDiscription.Malformed',
      ],
    ];
    for (const [p, direction, code] of cases) {
      expect(
        thrownCode(() => parsePermission(p, direction)),
        JSON.stringify(p),
      ).toBe(code);
    }
  });

  it('names the rule in its messages (Permissions.N.field)', () => {
    try {
      parsePermission({ ...ssh, Priority: '0' }, 'ingress', 'Permissions.3.');
    } catch (e) {
      expect((e as Error).message).toContain('Permissions.3.Priority');
      return;
    }
    throw new Error('expected a refusal');
  });
});

describe('ruleIdentity', () => {
  it('ignores priority and description, and sees everything else', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom('accept', 'drop'),
        (priority, description, port, policy) => {
          const base = { ...ssh, PortRange: `${port}/${port}`, Policy: policy };
          const a = parsePermission(base, 'ingress');
          const b = parsePermission(
            { ...base, Priority: String(priority), Description: description },
            'ingress',
          );
          expect(ruleIdentity(a)).toBe(ruleIdentity(b));
          const other = parsePermission(
            { ...base, Policy: policy === 'accept' ? 'drop' : 'accept' },
            'ingress',
          );
          expect(ruleIdentity(other)).not.toBe(ruleIdentity(a));
          expect(
            ruleIdentity(parsePermission({ ...base, SourceCidrIp: '10.0.0.0/8' }, 'ingress')),
          ).not.toBe(ruleIdentity(a));
        },
      ),
    );
  });

  it('tells directions apart', () => {
    const i = parsePermission({ ...ssh, DestCidrIp: '0.0.0.0/0' }, 'ingress');
    const e = parsePermission({ ...ssh, DestCidrIp: '0.0.0.0/0' }, 'egress');
    expect(ruleIdentity(i)).not.toBe(ruleIdentity(e));
  });
});

describe('address checks', () => {
  it('take addresses and blocks of each family, nothing else', () => {
    for (const ok of ['0.0.0.0/0', '10.1.2.3', '192.168.0.0/16', '10.0.0.1/32'])
      expect(isIpv4Cidr(ok), ok).toBe(true);
    for (const bad of ['10.0.0.0/', '10.0.0.0/8/8', '1.2.3', '::1', '10.0.0.0/-1', ' 1.2.3.4']) {
      expect(isIpv4Cidr(bad), bad).toBe(false);
    }
    for (const ok of ['::/0', '2001:db8::1', '2001:db8::/32', '::ffff:1.2.3.4'])
      expect(isIpv6Cidr(ok), ok).toBe(true);
    for (const bad of ['2001:db8::/129', '1.2.3.4', 'zz::1', '::/'])
      expect(isIpv6Cidr(bad), bad).toBe(false);
  });

  it('run in linear time on long hostile input', () => {
    const long = '1'.repeat(100_000) + '/';
    expect(isIpv4Cidr(long)).toBe(false);
    expect(isIpv6Cidr(':'.repeat(100_000))).toBe(false);
  });
});
