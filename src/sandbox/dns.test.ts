import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DNS_CLASS_IN,
  DnsRcode,
  DnsType,
  UDP_MAX,
  answerDnsQuery,
  decodeDnsMessage,
  encodeDnsMessage,
  encodeName,
  respondToDnsPacket,
  type DnsMessage,
  type DnsZone,
} from './dns.js';

const zone: DnsZone = {
  gatewayAddress: '100.100.2.136',
  hosts: new Map([['izbp1abcz', '172.16.0.5']]),
};

function query(name: string, type: number, extra: Partial<DnsMessage> = {}): DnsMessage {
  return {
    id: 0x1234,
    flags: { qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0 },
    questions: [{ name, type, class: DNS_CLASS_IN }],
    answers: [],
    authorities: [],
    additionals: [],
    ...extra,
  };
}

function ask(name: string, type: number): DnsMessage {
  const bytes = respondToDnsPacket(encodeDnsMessage(query(name, type)), zone, 'udp');
  expect(bytes).toBeDefined();
  const decoded = decodeDnsMessage(bytes!);
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.message;
}

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const name = fc.array(label, { minLength: 0, maxLength: 6 }).map((ls) => ls.join('.'));
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const flags = fc.record({
  qr: fc.boolean(),
  opcode: fc.integer({ min: 0, max: 15 }),
  aa: fc.boolean(),
  tc: fc.boolean(),
  rd: fc.boolean(),
  ra: fc.boolean(),
  rcode: fc.integer({ min: 0, max: 15 }),
});
const record = fc.record({
  name,
  type: fc.integer({ min: 0, max: 0xffff }),
  class: fc.integer({ min: 0, max: 0xffff }),
  ttl: fc.integer({ min: 0, max: 0xffffffff }),
  data: bytes(40),
});
const message = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  flags,
  questions: fc.array(
    fc.record({
      name,
      type: fc.integer({ min: 0, max: 0xffff }),
      class: fc.integer({ min: 0, max: 0xffff }),
    }),
    { maxLength: 3 },
  ),
  answers: fc.array(record, { maxLength: 3 }),
  authorities: fc.array(record, { maxLength: 2 }),
  additionals: fc.array(record, { maxLength: 2 }),
});

describe('dns codec', () => {
  it('round-trips any message', () => {
    fc.assert(
      fc.property(message, (m) => {
        const decoded = decodeDnsMessage(encodeDnsMessage(m));
        expect(decoded).toEqual({ ok: true, message: m });
      }),
    );
  });

  it('round-trips names with any label bytes through escapes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { maxLength: 8 }),
        (labels) => {
          const wire = Buffer.concat([
            ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), l])),
            Buffer.from([0]),
          ]);
          const packet = Buffer.concat([
            Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
            wire,
            Buffer.from([0, 1, 0, 1]),
          ]);
          const d = decodeDnsMessage(packet);
          expect(d.ok).toBe(true);
          if (!d.ok) return;
          expect(Buffer.from(encodeName(d.message.questions[0]!.name))).toEqual(wire);
          expect(Buffer.from(encodeDnsMessage(d.message))).toEqual(packet);
        },
      ),
    );
  });

  it('never throws on random bytes, truncations or bit flips', () => {
    fc.assert(
      fc.property(bytes(600), (b) => {
        decodeDnsMessage(b);
        respondToDnsPacket(b, zone, 'udp');
        respondToDnsPacket(b, zone, 'tcp');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        message,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        (m, cut, at, value) => {
          const full = Buffer.from(encodeDnsMessage(m));
          const truncated = full.subarray(0, cut % (full.length + 1));
          decodeDnsMessage(truncated);
          respondToDnsPacket(truncated, zone, 'udp');
          const flipped = Buffer.from(full);
          flipped[at % flipped.length] = value;
          decodeDnsMessage(flipped);
          respondToDnsPacket(flipped, zone, 'udp');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('follows compression pointers backwards and refuses loops', () => {
    // question: example.aliyuncs.com; a second question "sts" + pointer to "aliyuncs.com" (offset 20)
    const q1 = Buffer.from(encodeName('example.aliyuncs.com'));
    const header = Buffer.from([0, 7, 0x01, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    const q2 = Buffer.from([3, ...Buffer.from('sts'), 0xc0, 12 + 8]);
    const packet = Buffer.concat([
      header,
      q1,
      Buffer.from([0, 1, 0, 1]),
      q2,
      Buffer.from([0, 1, 0, 1]),
    ]);
    const d = decodeDnsMessage(packet);
    expect(d.ok && d.message.questions.map((q) => q.name)).toEqual([
      'example.aliyuncs.com',
      'sts.aliyuncs.com',
    ]);
    const loop = Buffer.concat([
      header.subarray(0, 4),
      Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0xc0, 12, 0, 1, 0, 1]),
    ]);
    expect(decodeDnsMessage(loop)).toMatchObject({ ok: false, id: 7 });
    // A forward pointer is refused too.
    const forward = Buffer.concat([
      header.subarray(0, 4),
      Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]),
      Buffer.from([0xc0, 14, 0, 0, 1, 0, 1]),
    ]);
    expect(decodeDnsMessage(forward).ok).toBe(false);
  });

  it('refuses names longer than 255 octets and counts larger than the packet', () => {
    expect(() => encodeName(Array(50).fill('abcdef').join('.'))).toThrow(RangeError);
    expect(() => encodeName('a'.repeat(64) + '.com')).toThrow(RangeError);
    const header = Buffer.from([0, 9, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0]);
    expect(decodeDnsMessage(header)).toMatchObject({ ok: false, id: 9 });
  });
});

describe('dns answers', () => {
  it('resolves every aliyuncs.com name to the gateway, case-insensitively', () => {
    for (const host of [
      'sts.aliyuncs.com',
      'RAM.AliyunCS.com.',
      'ecs.cn-hangzhou.aliyuncs.com',
      'vpc-vpc.cn-hangzhou.aliyuncs.com',
      'oss-cn-hangzhou-internal.aliyuncs.com',
      'bucket-made-later.oss-cn-hangzhou.aliyuncs.com',
      'aliyuncs.com',
    ]) {
      const r = ask(host, DnsType.A);
      expect(r.flags).toMatchObject({ qr: true, aa: true, rcode: DnsRcode.NOERROR, rd: true });
      expect(r.id).toBe(0x1234);
      expect(r.questions[0]!.name).toBe(host.replace(/\.$/, ''));
      expect(r.answers).toHaveLength(1);
      expect([...r.answers[0]!.data]).toEqual([100, 100, 2, 136]);
      expect(r.answers[0]!.type).toBe(DnsType.A);
    }
  });

  it('answers AAAA and other types with no records (the name exists)', () => {
    for (const t of [DnsType.AAAA, DnsType.MX, DnsType.TXT]) {
      const r = ask('sts.aliyuncs.com', t);
      expect(r.flags.rcode).toBe(DnsRcode.NOERROR);
      expect(r.answers).toEqual([]);
    }
  });

  it('resolves the instance host name to its private address', () => {
    const r = ask('iZbp1abcZ', DnsType.A);
    expect([...r.answers[0]!.data]).toEqual([172, 16, 0, 5]);
  });

  it('says NXDOMAIN for everything else', () => {
    for (const host of [
      'example.com',
      'aliyuncs.com.evil.org',
      'fakealiyuncs.com',
      '200.100.100.100.in-addr.arpa',
      '100.100.100.200',
      'localhost',
    ]) {
      const r = ask(host, DnsType.A);
      expect(r.flags.rcode).toBe(DnsRcode.NXDOMAIN);
      expect(r.answers).toEqual([]);
    }
  });

  it('ignores responses, refuses other classes, NOTIMP for other opcodes, FORMERR for bad queries', () => {
    const asResponse = query('sts.aliyuncs.com', DnsType.A);
    asResponse.flags.qr = true;
    expect(answerDnsQuery(asResponse, zone)).toBeUndefined();
    expect(respondToDnsPacket(encodeDnsMessage(asResponse), zone, 'udp')).toBeUndefined();
    const chaos = query('sts.aliyuncs.com', DnsType.A);
    chaos.questions[0]!.class = 3;
    expect(answerDnsQuery(chaos, zone)!.flags.rcode).toBe(DnsRcode.REFUSED);
    const notify = query('sts.aliyuncs.com', DnsType.A);
    notify.flags.opcode = 4;
    expect(answerDnsQuery(notify, zone)!.flags.rcode).toBe(DnsRcode.NOTIMP);
    const two = query('sts.aliyuncs.com', DnsType.A);
    two.questions.push({ name: 'ram.aliyuncs.com', type: 1, class: 1 });
    expect(answerDnsQuery(two, zone)!.flags.rcode).toBe(DnsRcode.FORMERR);
    const garbage = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f, 1]);
    const r = decodeDnsMessage(respondToDnsPacket(garbage, zone, 'udp')!);
    expect(r.ok && r.message).toMatchObject({ id: 0xabcd, flags: { qr: true, rcode: 1 } });
    expect(respondToDnsPacket(Buffer.from([1, 2, 3]), zone, 'udp')).toBeUndefined();
  });

  it('keeps UDP answers within 512 octets', () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), (ls) => {
        const host = `${ls.join('.')}.oss-cn-hangzhou.aliyuncs.com`;
        const out = respondToDnsPacket(encodeDnsMessage(query(host, DnsType.A)), zone, 'udp');
        expect(out!.length).toBeLessThanOrEqual(UDP_MAX);
      }),
    );
  });
});
