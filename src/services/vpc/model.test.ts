import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrOverlaps,
  formatCidr,
  formatIpv4,
  gatewayOf,
  isValidVpcCidr,
  netmask,
  parseCidr,
  parseIpv4,
  usableRange,
} from './model.js';

describe('IPv4 and CIDR helpers', () => {
  it('parse strictly', () => {
    expect(parseIpv4('192.168.0.1')).toBe(0xc0a80001);
    expect(formatIpv4(0xc0a80001)).toBe('192.168.0.1');
    for (const bad of ['192.168.0', '256.0.0.1', '01.2.3.4', '1.2.3.4 ', 'a.b.c.d']) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
    expect(parseCidr('172.16.0.0/12')).toEqual({ base: 0xac100000, prefix: 12 });
    expect(formatCidr(parseCidr('10.0.0.0/8')!)).toBe('10.0.0.0/8');
    // Host bits must be zero, as Alibaba requires.
    expect(parseCidr('172.16.0.1/12')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });

  it('compare blocks', () => {
    const vpc = parseCidr('192.168.0.0/16')!;
    expect(cidrContains(vpc, parseCidr('192.168.1.0/24')!)).toBe(true);
    expect(cidrContains(vpc, parseCidr('192.169.0.0/24')!)).toBe(false);
    expect(cidrContains(parseCidr('192.168.1.0/24')!, vpc)).toBe(false);
    expect(cidrOverlaps(parseCidr('10.0.1.0/24')!, parseCidr('10.0.0.0/20')!)).toBe(true);
    expect(cidrOverlaps(parseCidr('10.0.1.0/24')!, parseCidr('10.0.2.0/24')!)).toBe(false);
  });

  it('reserve the first and the last three addresses of a vSwitch (doc example)', () => {
    const c = parseCidr('192.168.1.0/24')!;
    const r = usableRange(c);
    expect([formatIpv4(r.first), formatIpv4(r.last), r.count]).toEqual([
      '192.168.1.1',
      '192.168.1.252',
      252,
    ]);
    expect(gatewayOf(c)).toBe('192.168.1.253');
    expect(usableRange(parseCidr('10.0.0.0/29')!).count).toBe(4);
    expect(netmask(24)).toBe('255.255.255.0');
    expect(netmask(12)).toBe('255.240.0.0');
  });

  it('accept VPC blocks of 8-28 bits outside reserved space', () => {
    expect(isValidVpcCidr(parseCidr('172.16.0.0/12')!)).toBe(true);
    expect(isValidVpcCidr(parseCidr('47.0.0.0/8')!)).toBe(true);
    expect(isValidVpcCidr(parseCidr('100.64.0.0/16')!)).toBe(false);
    expect(isValidVpcCidr(parseCidr('127.0.0.0/8')!)).toBe(false);
    expect(isValidVpcCidr(parseCidr('10.0.0.0/29')!)).toBe(false);
    expect(isValidVpcCidr(parseCidr('0.0.0.0/0')!)).toBe(false);
  });
});
