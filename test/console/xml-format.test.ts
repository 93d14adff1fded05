/**
 * @module The console's XML formatter: one element a line, text-only elements on one line, and
 * linear (bounded indentation, no regular expression) on hostile input; the buckets, keys,
 * prefixes and ids it names found as links to their views.
 */
import { describe, expect, it } from 'vitest';
import { formatXml, XML_FORMAT_LIMIT } from '../../src/console/web/xml-format.js';
import { xmlSegments, type XmlSegment } from '../../src/console/web/xml-links.js';

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

/** The links of `segments`, as `text -> route`. */
const links = (segments: XmlSegment[]) =>
  segments.flatMap((s) => (typeof s === 'string' ? [] : [`${s.text} -> ${s.route}`]));

describe('xmlSegments', () => {
  it('links a listing’s bucket, its keys to their folders, and its prefixes', () => {
    const xml = formatXml(
      '<?xml version="1.0"?><ListBucketResult><Name>ramroletest</Name><Prefix></Prefix>' +
        '<Contents><Key>dir/a &amp; b.txt</Key><Size>3</Size>' +
        '<Owner><ID>1234</ID><DisplayName>1234</DisplayName></Owner></Contents>' +
        '<Contents><Key>top.txt</Key></Contents>' +
        '<CommonPrefixes><Prefix>logs/</Prefix></CommonPrefixes></ListBucketResult>',
    );
    const segments = xmlSegments(xml);
    expect(links(segments)).toEqual([
      'ramroletest -> /buckets/ramroletest',
      'dir/a &amp; b.txt -> /buckets/ramroletest?prefix=dir%2F',
      'top.txt -> /buckets/ramroletest',
      'logs/ -> /buckets/ramroletest?prefix=logs%2F',
    ]);
    // Nothing is lost or added: the text is the formatted XML, as sent.
    expect(segments.map((s) => (typeof s === 'string' ? s : s.text)).join('')).toBe(xml);
  });

  it('links the buckets of a service listing, not the names of other things', () => {
    const xml = formatXml(
      '<ListAllMyBucketsResult><Owner><ID>1</ID></Owner><Buckets>' +
        '<Bucket><Name>one</Name><Location>oss-cn-hangzhou</Location></Bucket>' +
        '<Bucket><Name>two</Name></Bucket></Buckets></ListAllMyBucketsResult>',
    );
    expect(links(xmlSegments(xml))).toEqual(['one -> /buckets/one', 'two -> /buckets/two']);
    const tags = formatXml(
      '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>',
    );
    // A tag's key is no object: with no bucket known it is left as text.
    expect(links(xmlSegments(tags))).toEqual([]);
  });

  it('finds keys of the request’s bucket when the answer does not name it', () => {
    const xml = formatXml(
      '<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>x/y.bin</Key><UploadId>0A</UploadId></InitiateMultipartUploadResult>',
    );
    expect(links(xmlSegments(xml))).toEqual([
      'b -> /buckets/b',
      'x/y.bin -> /buckets/b?prefix=x%2F',
    ]);
    const copy = formatXml('<DeleteResult><Deleted><Key>gone.txt</Key></Deleted></DeleteResult>');
    expect(links(xmlSegments(copy, 'mine'))).toEqual(['gone.txt -> /buckets/mine']);
  });

  it('links ids by the element they are in or their shape, as in JSON answers', () => {
    const xml = formatXml(
      '<R><InstanceId>i-abcdefgh1234</InstanceId><Other>vpc-abcdefgh12</Other></R>',
    );
    expect(links(xmlSegments(xml))).toEqual([
      'i-abcdefgh1234 -> /instances',
      'vpc-abcdefgh12 -> /network',
    ]);
  });

  it('leaves what is not a plain element alone, and is linear on a long answer', () => {
    expect(links(xmlSegments('<a x="1"><Bucket a="b">z</Bucket></a>'))).toEqual([]);
    expect(xmlSegments('plain text')).toEqual(['plain text']);
    const many = formatXml(
      `<ListBucketResult><Name>b</Name>${'<Contents><Key>k</Key></Contents>'.repeat(20_000)}</ListBucketResult>`,
    );
    expect(links(xmlSegments(many))).toHaveLength(20_001);
  });
});
