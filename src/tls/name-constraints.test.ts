import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeNameConstraints,
  encodeNameConstraints,
  formatSubtree,
  parseSubtree,
  permits,
} from './name-constraints.js';

const subtrees = (...texts: string[]) => texts.map(parseSubtree);

describe('name constraint subtrees', () => {
  it('read and print DNS names, addresses and ranges in one spelling', () => {
    const cases: [string, string][] = [
      ['localhost', 'localhost'],
      ['.Aliyuncs.COM.', '.aliyuncs.com'],
      ['*.lan.example', '.lan.example'],
      ['127.0.0.0/8', '127.0.0.0/8'],
      ['127.1.2.3/8', '127.0.0.0/8'],
      ['10.0.0.1', '10.0.0.1/32'],
      ['::1', '::1/128'],
      ['[::1]', '::1/128'],
      ['::1/128', '::1/128'],
      ['fe80::1', 'fe80::1/128'],
      ['2001:db8::/32', '2001:db8::/32'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1/128'],
      ['::ffff:127.0.0.1', '::ffff:7f00:1/128'],
      ['0.0.0.0/0', '0.0.0.0/0'],
      ['::/0', '::/0'],
    ];
    for (const [text, printed] of cases) {
      expect(formatSubtree(parseSubtree(text)), text).toBe(printed);
      expect(formatSubtree(parseSubtree(printed)), printed).toBe(printed);
    }
    for (const bad of ['', 'a b', 'a..b', '-a.com', 'é.com', '10.0.0.0/33', '::1/129', 'a.com/8']) {
      expect(() => parseSubtree(bad), bad).toThrow(/name constraint `.*` is not|invalid prefix/);
    }
    expect(() => parseSubtree('fe80::1%eth0')).toThrow();
  });

  it('match as RFC 5280 and OpenSSL do', () => {
    const t = subtrees('localhost', 'aliyuncs.com', '.lan.example', '127.0.0.0/8', '::1/128');
    const yes = [
      'localhost',
      'LOCALHOST.',
      'a.localhost',
      'aliyuncs.com',
      'sts.aliyuncs.com',
      '*.oss-cn-hangzhou.aliyuncs.com',
      'a.lan.example',
      '127.0.0.1',
      '127.255.255.254',
      '::1',
      '[::1]',
    ];
    const no = [
      'evil.example.com',
      'xaliyuncs.com',
      'aliyuncs.com.evil.com',
      'localhost.evil.com',
      'lan.example',
      '128.0.0.1',
      '10.0.0.1',
      '::2',
      '::ffff:127.0.0.1',
      'fe80::1%lo',
    ];
    for (const n of yes) expect(permits(t, n), n).toBe(true);
    for (const n of no) expect(permits(t, n), n).toBe(false);
  });
});

describe('name constraints DER', () => {
  it('encodes permitted subtrees as RFC 5280 lays them out', () => {
    // SEQUENCE { [0] { SEQUENCE { [2] "localhost" }, SEQUENCE { [7] 7f000000 ff000000 } } }
    expect(encodeNameConstraints(subtrees('localhost', '127.0.0.0/8')).toString('hex')).toBe(
      '301ba019' + '300b82096c6f63616c686f7374' + '300a87087f000000ff000000',
    );
  });

  it('decodes what it encodes, long lengths included (fast-check)', () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,20}$/);
    const dns = fc
      .tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 4 }))
      .map(([dot, ls]) => (dot ? '.' : '') + ls.join('.'));
    const v4 = fc
      .tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 }))
      .map(([ip, len]) => `${ip}/${len}`);
    const v6 = fc
      .tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }))
      .map(([ip, len]) => `${ip}/${len}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(dns, v4, v6), { minLength: 1, maxLength: 40 }), (texts) => {
        const s = subtrees(...texts);
        const back = decodeNameConstraints(encodeNameConstraints(s));
        expect(back?.map(formatSubtree)).toEqual(s.map(formatSubtree));
      }),
    );
  });

  it('reads nothing it would not have written, and never throws on garbage', () => {
    const good = encodeNameConstraints(subtrees('localhost'));
    // Excluded subtrees ([1]), a URI name ([6]), a trailing byte, a truncation.
    expect(
      decodeNameConstraints(Buffer.from('3011a10f300d820b6578616d706c652e636f6d', 'hex')),
    ).toBeUndefined();
    expect(decodeNameConstraints(Buffer.from('300aa0083006860468747470', 'hex'))).toBeUndefined();
    expect(decodeNameConstraints(Buffer.concat([good, Buffer.from([0])]))).toBeUndefined();
    expect(decodeNameConstraints(good.subarray(0, good.length - 1))).toBeUndefined();
    expect(decodeNameConstraints(Buffer.from('3000', 'hex'))).toBeUndefined();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        decodeNameConstraints(bytes);
        return true;
      }),
    );
  });
});
