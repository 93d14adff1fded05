import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseOssXml, xmlDocument, type XmlNode } from '../../protocol/oss-xml.js';
import { ceilDay, dueAbort, dueAction, isDue, ruleSelects } from './lifecycle-due.js';
import { lifecycleXml } from './handlers/lifecycle.js';
import { DAY_MS, midnightOf, parseLifecycle, type LifecycleRule } from './lifecycle-rules.js';
import { roots } from './lifecycle-runner.js';
import { OssError } from './errors.js';

const doc = (rules: string): XmlNode => {
  const r = parseOssXml(`<LifecycleConfiguration>${rules}</LifecycleConfiguration>`);
  if (!r.ok) throw new Error('bad test xml');
  return r.value;
};
const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};
const rule = (inner: string, prefix = 'a/') =>
  `<Rule><ID>r</ID><Prefix>${prefix}</Prefix><Status>Enabled</Status>${inner}</Rule>`;

describe('parseLifecycle', () => {
  it('reads every action and filter, and writes them back', () => {
    const rules = parseLifecycle(
      doc(
        `<Rule><ID>all</ID><Prefix>logs/</Prefix><Status>Enabled</Status>
          <Filter><Not><Prefix>logs/keep/</Prefix></Not><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></Filter>
          <Expiration><Days>90</Days></Expiration>
          <Transition><Days>30</Days><StorageClass>IA</StorageClass></Transition>
          <Transition><Days>60</Days><StorageClass>ColdArchive</StorageClass></Transition>
          <NoncurrentVersionExpiration><NoncurrentDays>20</NoncurrentDays></NoncurrentVersionExpiration>
          <NoncurrentVersionTransition><NoncurrentDays>10</NoncurrentDays><StorageClass>IA</StorageClass></NoncurrentVersionTransition>
        </Rule>
        <Rule><Prefix>tmp/</Prefix><Status>Disabled</Status>
          <AbortMultipartUpload><CreatedBeforeDate>2026-01-01T00:00:00.000Z</CreatedBeforeDate></AbortMultipartUpload>
        </Rule>`,
      ),
      false,
    );
    expect(rules[1]!.id).toBe('rule-2');
    const back = parseOssXml(xmlDocument('LifecycleConfiguration', lifecycleXml(rules)));
    if (!back.ok) throw new Error('GetBucketLifecycle wrote bad XML');
    const again = parseLifecycle(back.value, false);
    expect(again).toEqual(rules);
  });

  it('refuses with OSS’s codes', () => {
    const cases: Array<[string, string]> = [
      ['MalformedXML', ''],
      ['MalformedXML', rule('<Expiration><Days>1</Days></Expiration><Bogus/>')],
      ['InvalidArgument', rule('<Expiration><Days>0</Days></Expiration>')],
      ['InvalidArgument', rule('<Expiration><Days>-1</Days></Expiration>')],
      ['InvalidArgument', rule('<Expiration></Expiration>')],
      ['InvalidArgument', rule('<Expiration><Date>2026-02-30T00:00:00.000Z</Date></Expiration>')],
      [
        'InvalidArgument',
        rule(
          '<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker><Days>1</Days></Expiration>',
        ),
      ],
      [
        'InvalidArgument',
        rule(
          '<Transition><Days>3</Days><StorageClass>IA</StorageClass></Transition><Transition><Days>3</Days><StorageClass>Archive</StorageClass></Transition>',
        ),
      ],
      [
        'InvalidArgument',
        rule(
          '<NoncurrentVersionTransition><NoncurrentDays>20</NoncurrentDays><StorageClass>IA</StorageClass></NoncurrentVersionTransition><NoncurrentVersionTransition><NoncurrentDays>12</NoncurrentDays><StorageClass>Archive</StorageClass></NoncurrentVersionTransition>',
        ),
      ],
      [
        'InvalidArgument',
        rule(
          '<Transition><Days>3</Days><StorageClass>IA</StorageClass><ReturnToStdWhenVisit>true</ReturnToStdWhenVisit></Transition>',
        ),
      ],
      [
        'InvalidArgument',
        rule(
          '<Filter><Not><Prefix>b/</Prefix></Not></Filter><Expiration><Days>1</Days></Expiration>',
        ),
      ],
      [
        'InvalidArgument',
        rule('<Expiration><Days>1</Days></Expiration>') +
          rule('<Expiration><Days>2</Days></Expiration>', 'a/b').replace(
            '<ID>r</ID>',
            '<ID>r2</ID>',
          ),
      ],
      [
        'InvalidRequest',
        rule('<Transition><Days>3</Days><StorageClass>IA</StorageClass></Transition>') +
          rule(
            '<Transition><CreatedBeforeDate>2021-12-30T00:00:00.000Z</CreatedBeforeDate><StorageClass>Archive</StorageClass></Transition>',
            'a/b',
          ).replace('<ID>r</ID>', '<ID>r2</ID>'),
      ],
    ];
    for (const [want, body] of cases) {
      expect(
        code(() => parseLifecycle(doc(body), false)),
        body,
      ).toBe(want);
    }
    // Overlaps of one action type pass with the header, but the order still holds.
    const overlap =
      rule('<Transition><Days>120</Days><StorageClass>IA</StorageClass></Transition>') +
      rule(
        '<Transition><Days>60</Days><StorageClass>Archive</StorageClass></Transition>',
        'a/log',
      ).replace('<ID>r</ID>', '<ID>r2</ID>');
    expect(code(() => parseLifecycle(doc(overlap), true))).toBe('InvalidArgument');
  });

  it('accepts what oss2 sends (Python booleans, noncurrent actions, several transitions)', () => {
    const rules = parseLifecycle(
      doc(
        `<Rule><ID>rule1</ID><Prefix>test-prefix</Prefix><Status>Enabled</Status>
          <Expiration><ExpiredObjectDeleteMarker>True</ExpiredObjectDeleteMarker></Expiration>
          <NoncurrentVersionExpiration><NoncurrentDays>30</NoncurrentDays></NoncurrentVersionExpiration>
          <NoncurrentVersionTransition><NoncurrentDays>12</NoncurrentDays><StorageClass>IA</StorageClass></NoncurrentVersionTransition>
          <NoncurrentVersionTransition><NoncurrentDays>20</NoncurrentDays><StorageClass>Archive</StorageClass><AllowSmallFile>false</AllowSmallFile></NoncurrentVersionTransition>
        </Rule>
        <Rule><ID>rule5</ID><Prefix>logging2-</Prefix><Status>Enabled</Status>
          <Transition><StorageClass>IA</StorageClass><Days>100</Days></Transition>
          <Transition><StorageClass>Archive</StorageClass><Days>356</Days></Transition>
          <Tag><Key>test_key1</Key><Value>test_value1</Value></Tag>
        </Rule>`,
      ),
      false,
    );
    expect(rules[0]!.expiration).toEqual({ expiredObjectDeleteMarker: true });
    expect(rules[0]!.noncurrentVersionTransitions).toEqual([
      { noncurrentDays: 12, storageClass: 'IA' },
      { noncurrentDays: 20, storageClass: 'Archive', allowSmallFile: false },
    ]);
    expect(rules[1]!.transitions.map((t) => t.storageClass)).toEqual(['IA', 'Archive']);
  });

  it('answers any rule text with rules or an OSS error, never a crash', () => {
    const field = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer({ min: -5, max: 40000 }).map(String),
      fc.constantFrom('2026-01-01T00:00:00.000Z', '2026-13-01T00:00:00.000Z', 'True', 'IA'),
    );
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            el: fc.constantFrom('Expiration', 'Transition', 'AbortMultipartUpload'),
            child: fc.constantFrom('Days', 'CreatedBeforeDate', 'Date', 'StorageClass'),
            value: field,
            prefix: fc.constantFrom('', 'a', 'a/', 'b/'),
          }),
          { maxLength: 4 },
        ),
        (parts) => {
          const body = parts
            .map(
              (p, i) =>
                `<Rule><ID>r${i}</ID><Prefix>${p.prefix}</Prefix><Status>Enabled</Status><${p.el}><${p.child}>${esc(p.value)}</${p.child}><StorageClass>IA</StorageClass></${p.el}></Rule>`,
            )
            .join('');
          try {
            parseLifecycle(doc(body), false);
          } catch (e) {
            expect(e).toBeInstanceOf(OssError);
          }
        },
      ),
    );
  });

  it('takes dates only at midnight UTC', () => {
    expect(midnightOf('2026-03-01T00:00:00.000Z', 'd')).toBe(Date.parse('2026-03-01T00:00:00Z'));
    expect(code(() => midnightOf('2026-03-01T08:00:00.000Z', 'd'))).toBe('InvalidArgument');
    expect(code(() => midnightOf('2026-03-01', 'd'))).toBe('InvalidArgument');
  });
});

describe('decisions', () => {
  const base: LifecycleRule = {
    id: 'r',
    prefix: 'logs/',
    status: 'Enabled',
    tags: [],
    transitions: [],
    noncurrentVersionTransitions: [],
  };

  it('counts Days from last-modified rounded up to midnight UTC (OSS doc example)', () => {
    // Modified 2022-10-27 23:00 UTC+8 = 15:00 UTC -> 28 Oct 00:00 UTC; 30 days -> 27 Nov 00:00.
    const m = Date.parse('2022-10-27T15:00:00Z');
    expect(isDue({ days: 30 }, m, Date.parse('2022-11-26T00:00:00Z'))).toBe(false);
    expect(isDue({ days: 30 }, m, Date.parse('2022-11-27T00:00:00Z'))).toBe(true);
  });

  it('is due exactly from ceilDay(modified) + days, for any time and days', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 1, max: 3650 }),
        fc.integer({ min: -3, max: 3 }),
        (m, days, shift) => {
          const due = ceilDay(m) + days * DAY_MS;
          const at = due + shift * DAY_MS;
          expect(isDue({ days }, m, at)).toBe(shift >= 0);
          // Present at day `days - 1`, gone at day `days + 1`, whatever the time of day.
          expect(isDue({ days }, m, m + (days - 1) * DAY_MS)).toBe(false);
          expect(isDue({ days }, m, m + (days + 1) * DAY_MS)).toBe(true);
        },
      ),
    );
  });

  it('expires before it transitions, transitions only colder, and honours Not and tags', () => {
    const rules: LifecycleRule[] = [
      {
        ...base,
        expiration: { days: 10 },
        transitions: [
          { days: 2, storageClass: 'IA' },
          { days: 5, storageClass: 'Archive' },
        ],
        filter: { not: { prefix: 'logs/keep/' } },
      },
    ];
    const o = { key: 'logs/a', size: 1, lastModified: 0, storageClass: 'Standard' };
    expect(dueAction(rules, o, DAY_MS)).toBeUndefined();
    expect(dueAction(rules, o, 3 * DAY_MS)).toMatchObject({ storageClass: 'IA' });
    expect(dueAction(rules, o, 6 * DAY_MS)).toMatchObject({ storageClass: 'Archive' });
    expect(dueAction(rules, { ...o, storageClass: 'ColdArchive' }, 6 * DAY_MS)).toBeUndefined();
    expect(dueAction(rules, o, 10 * DAY_MS)).toEqual({ kind: 'expire', ruleId: 'r' });
    expect(dueAction(rules, { ...o, key: 'logs/keep/x' }, 10 * DAY_MS)).toBeUndefined();
    const tagged: LifecycleRule = {
      ...base,
      tags: [{ key: 'k', value: 'v' }],
      expiration: { days: 1 },
    };
    expect(ruleSelects(tagged, { key: 'logs/a', size: 1 })).toBe(false);
    expect(ruleSelects(tagged, { key: 'logs/a', size: 1, tags: new Map([['k', 'v']]) })).toBe(true);
    const notTag: LifecycleRule = {
      ...base,
      expiration: { days: 1 },
      filter: { not: { prefix: 'logs/', tag: { key: 'keep', value: 'yes' } } },
    };
    // Unknown tags: never act on what the rule may exclude.
    expect(ruleSelects(notTag, { key: 'logs/a', size: 1 })).toBe(false);
    expect(ruleSelects(notTag, { key: 'logs/a', size: 1, tags: new Map() })).toBe(true);
  });

  it('leaves objects under 64 KB in place when AllowSmallFile is false', () => {
    const rules: LifecycleRule[] = [
      { ...base, transitions: [{ days: 1, storageClass: 'IA', allowSmallFile: false }] },
    ];
    const o = { key: 'logs/a', size: 64 * 1024 - 1, lastModified: 0, storageClass: 'Standard' };
    expect(dueAction(rules, o, 2 * DAY_MS)).toBeUndefined();
    expect(dueAction(rules, { ...o, size: 64 * 1024 }, 2 * DAY_MS)).toMatchObject({
      storageClass: 'IA',
    });
    const withSize = rule(
      '<Filter><ObjectSizeLessThan>10</ObjectSizeLessThan></Filter><Transition><Days>1</Days><StorageClass>IA</StorageClass><AllowSmallFile>true</AllowSmallFile></Transition>',
    );
    expect(code(() => parseLifecycle(doc(withSize), false))).toBe('InvalidArgument');
  });

  it('aborts uploads by initiation time', () => {
    const rules: LifecycleRule[] = [{ ...base, abortMultipartUpload: { days: 3 } }];
    expect(dueAbort(rules, 'logs/x', 0, 2 * DAY_MS)).toBeUndefined();
    expect(dueAbort(rules, 'logs/x', 0, 3 * DAY_MS)).toBe('r');
    expect(dueAbort(rules, 'other/x', 0, 9 * DAY_MS)).toBeUndefined();
  });

  it('walks each prefix once', () => {
    expect(roots(['logs/', 'logs/app/', 'tmp/', 'logs/'])).toEqual(['logs/', 'tmp/']);
    expect(roots(['a', ''])).toEqual(['']);
  });
});
