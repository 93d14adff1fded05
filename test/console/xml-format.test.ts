/**
 * @module The console's XML formatter: one element a line, text-only elements on one line, and
 * linear (bounded indentation, no regular expression) on hostile input.
 */
import { describe, expect, it } from 'vitest';
import { formatXml, XML_FORMAT_LIMIT } from '../../src/console/web/xml-format.js';

describe('formatXml', () => {
  it('puts one element on a line, text-only elements on one line', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix></Prefix>' +
      '<Contents><Key>a &amp; b.txt</Key><Size>3</Size></Contents><Empty/></ListBucketResult>';
    expect(formatXml(xml)).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<ListBucketResult>',
        '  <Name>b</Name>',
        '  <Prefix></Prefix>',
        '  <Contents>',
        '    <Key>a &amp; b.txt</Key>',
        '    <Size>3</Size>',
        '  </Contents>',
        '  <Empty/>',
        '</ListBucketResult>',
      ].join('\n'),
    );
  });

  it('keeps `>` inside attribute values, comments and CDATA', () => {
    expect(formatXml('<a x="1>2"><!-- c > d --><b><![CDATA[<x>]]></b></a>')).toBe(
      '<a x="1>2">\n  <!-- c > d -->\n  <b><![CDATA[<x>]]></b>\n</a>',
    );
  });

  it('returns what it cannot read unchanged', () => {
    for (const bad of ['<a><b>', '</a>', '<a', 'plain text', '<a></a></b>', '<!-- open'])
      expect(formatXml(bad)).toBe(bad);
  });

  it('is linear on hostile input and leaves a huge body alone', () => {
    const deep = '<a>'.repeat(50_000) + '</a>'.repeat(50_000);
    const lines = formatXml(deep).split('\n');
    expect(lines).toHaveLength(99_999);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(64 + 7);
    const unclosed = '<a x="'.repeat(100_000);
    expect(formatXml(unclosed)).toBe(unclosed);
    const huge = `<a>${'x'.repeat(XML_FORMAT_LIMIT)}</a>`;
    expect(formatXml(huge)).toBe(huge);
  });
});
