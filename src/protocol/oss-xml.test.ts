/**
 * @module XML writing and bounded, non-throwing reading of OSS request bodies, including the
 * bodies both SDKs were captured sending (test/vectors/oss-requests.json).
 */

import { VECTORS_URL } from '../testing/vectors.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  XML_PROLOG,
  escapeXmlText,
  parseAccessControlPolicy,
  parseCompleteMultipartUpload,
  parseCorsConfiguration,
  parseCreateBucketConfiguration,
  parseDeleteObjects,
  parseOssXml,
  parseTagging,
  parseVersioningConfiguration,
  xmlChildText,
  xmlDocument,
  xmlElement,
} from './oss-xml.js';

function malformed(r: { ok: boolean; code?: string; status?: number }): void {
  expect(r.ok).toBe(false);
  expect(r.code).toBe('MalformedXML');
  expect(r.status).toBe(400);
}

describe('writing', () => {
  it('keeps element order, repeats arrays, skips undefined', () => {
    expect(
      xmlDocument('ListBucketResult', {
        Name: 'b',
        Prefix: '',
        Marker: null,
        MaxKeys: 100,
        Delimiter: undefined,
        IsTruncated: false,
        Contents: [
          { Key: 'a&b<c>.txt', Size: 3n, ETag: '"5B3C1A2E053D763E1B002CC607C5A0FE"' },
          { Key: 'z', Size: 0 },
        ],
      }),
    ).toBe(
      XML_PROLOG +
        '<ListBucketResult><Name>b</Name><Prefix></Prefix><Marker></Marker><MaxKeys>100</MaxKeys>' +
        '<IsTruncated>false</IsTruncated><Contents><Key>a&amp;b&lt;c&gt;.txt</Key><Size>3</Size>' +
        '<ETag>"5B3C1A2E053D763E1B002CC607C5A0FE"</ETag></Contents><Contents><Key>z</Key>' +
        '<Size>0</Size></Contents></ListBucketResult>',
    );
    expect(XML_PROLOG).toBe('<?xml version="1.0" encoding="UTF-8"?>\n');
    expect(xmlElement('E', [])).toBe('');
    expect(() => xmlElement('N', NaN)).toThrow(TypeError);
  });

  it('escapes control characters and carriage returns as references', () => {
    expect(escapeXmlText('a\r\nb\u0001"\'')).toBe('a&#xD;\nb&#x1;"\'');
  });

  it('round-trips any text through write then read', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => {
        // eslint-disable-next-line no-control-regex -- strip what XML 1.0 cannot carry
        const clean = s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
        const parsed = parseOssXml(xmlDocument('R', { K: clean }));
        return parsed.ok && xmlChildText(parsed.value, 'K') === clean;
      }),
    );
  });
});

describe('parseOssXml', () => {
  it('decodes predefined entities, numeric references and CDATA, keeps spaces', () => {
    const r = parseOssXml(
      '<?xml version="1.0"?>\n<R xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com"><!-- c -->' +
        '<K> a&amp;b&lt;&gt;&quot;&apos;&#39;&#x41;&#x1F600; </K><C><![CDATA[x<&y]]></C></R>',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.name).toBe('R');
    expect(xmlChildText(r.value, 'K')).toBe(" a&b<>\"''A😀 ");
    expect(xmlChildText(r.value, 'C')).toBe('x<&y');
  });

  it('refuses DOCTYPE and entity declarations (no expansion, no billion laughs)', () => {
    malformed(
      parseOssXml(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><d>&b;</d>',
      ),
    );
    malformed(parseOssXml('<!doctype x><x/>'));
  });

  it('refuses malformed input instead of guessing', () => {
    for (const bad of [
      '',
      '   ',
      '<a><b></a>',
      '<a>x & y</a>',
      '<a>&foo;</a>',
      '<a>&#0;</a>',
      '<a>&#xD800;</a>',
      '<a/><b/>',
      'not xml',
      '<a',
    ]) {
      malformed(parseOssXml(bad));
    }
    malformed(parseOssXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])));
  });

  it('enforces size, depth and element limits', () => {
    malformed(parseOssXml('<a>0123456789</a>', { maxBytes: 10 }));
    expect(parseOssXml(Buffer.from('<a>0123456789</a>'), { maxBytes: 17 }).ok).toBe(true);
    malformed(parseOssXml(Buffer.from('<a>0123456789</a>'), { maxBytes: 16 }));
    const deep = '<a>'.repeat(20) + '</a>'.repeat(20);
    malformed(parseOssXml(deep));
    expect(parseOssXml(deep, { maxDepth: 20 }).ok).toBe(true);
    malformed(parseOssXml(`<r>${'<x/>'.repeat(11)}</r>`, { maxElements: 11 }));
    expect(parseOssXml(`<r>${'<x/>'.repeat(10)}</r>`, { maxElements: 11 }).ok).toBe(true);
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(parseOssXml(Buffer.from('\uFEFF<a>x</a>', 'utf8')).ok).toBe(true);
  });
});

describe('typed bodies', () => {
  it('CompleteMultipartUpload', () => {
    expect(
      parseCompleteMultipartUpload(
        '<CompleteMultipartUpload><Part><PartNumber> 2 </PartNumber><ETag>"B"</ETag></Part>' +
          '<Part><PartNumber>1</PartNumber><ETag>&quot;A&quot;</ETag></Part></CompleteMultipartUpload>',
      ),
    ).toEqual({
      ok: true,
      value: [
        { partNumber: 2, etag: '"B"' },
        { partNumber: 1, etag: '"A"' },
      ],
    });
    malformed(
      parseCompleteMultipartUpload(
        '<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>',
      ),
    );
    malformed(
      parseCompleteMultipartUpload(
        '<CompleteMultipartUpload><Part><PartNumber>1.5</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>',
      ),
    );
    malformed(parseCompleteMultipartUpload('<Delete/>'));
    expect(parseCompleteMultipartUpload('<CompleteMultipartUpload/>')).toEqual({
      ok: true,
      value: [],
    });
  });

  it('Delete', () => {
    expect(
      parseDeleteObjects(
        '<Delete><Quiet>true</Quiet><Object><Key>x&amp;y&lt;z&gt;.txt</Key></Object>' +
          '<Object><Key> sp </Key><VersionId>v1</VersionId></Object></Delete>',
      ),
    ).toEqual({
      ok: true,
      value: {
        quiet: true,
        objects: [{ key: 'x&y<z>.txt' }, { key: ' sp ', versionId: 'v1' }],
      },
    });
    malformed(
      parseDeleteObjects('<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>'),
    );
    malformed(parseDeleteObjects('<Delete><Quiet>false</Quiet></Delete>'));
    malformed(parseDeleteObjects('<Delete><Object><VersionId>1</VersionId></Object></Delete>'));
    const many = `<Delete>${'<Object><Key>k</Key></Object>'.repeat(3)}</Delete>`;
    malformed(parseDeleteObjects(many, { maxObjects: 2 }));
    expect(parseDeleteObjects(many).ok).toBe(true);
  });

  it('CreateBucketConfiguration, AccessControlPolicy, Tagging, Versioning', () => {
    expect(
      parseCreateBucketConfiguration(
        '<CreateBucketConfiguration><StorageClass>IA</StorageClass><DataRedundancyType>ZRS</DataRedundancyType></CreateBucketConfiguration>',
      ),
    ).toEqual({ ok: true, value: { storageClass: 'IA', dataRedundancyType: 'ZRS' } });
    expect(parseCreateBucketConfiguration('<CreateBucketConfiguration/>')).toEqual({
      ok: true,
      value: {},
    });
    expect(
      parseAccessControlPolicy(
        '<AccessControlPolicy><Owner><ID>1</ID></Owner><AccessControlList><Grant>public-read</Grant></AccessControlList></AccessControlPolicy>',
      ),
    ).toEqual({ ok: true, value: { grant: 'public-read', ownerId: '1' } });
    malformed(parseAccessControlPolicy('<AccessControlPolicy/>'));
    expect(
      parseTagging(
        '<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key></Tag></TagSet></Tagging>',
      ),
    ).toEqual({
      ok: true,
      value: [
        ['a', '1'],
        ['b', ''],
      ],
    });
    malformed(parseTagging('<Tagging><TagSet><Tag><Value>1</Value></Tag></TagSet></Tagging>'));
    expect(
      parseVersioningConfiguration(
        '<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>',
      ),
    ).toEqual({ ok: true, value: 'Suspended' });
    malformed(
      parseVersioningConfiguration(
        '<VersioningConfiguration><Status>On</Status></VersioningConfiguration>',
      ),
    );
  });

  it('CORSConfiguration', () => {
    const r = parseCorsConfiguration(
      '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod>' +
        '<AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader>' +
        '<ExposeHeader>x-oss-request-id</ExposeHeader><MaxAgeSeconds>100</MaxAgeSeconds></CORSRule>' +
        '<ResponseVary>false</ResponseVary></CORSConfiguration>',
    );
    expect(r).toEqual({
      ok: true,
      value: {
        rules: [
          {
            allowedOrigins: ['*'],
            allowedMethods: ['PUT', 'GET'],
            allowedHeaders: ['*'],
            exposeHeaders: ['ETag', 'x-oss-request-id'],
            maxAgeSeconds: 100,
          },
        ],
        responseVary: false,
      },
    });
    malformed(
      parseCorsConfiguration(
        '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>',
      ),
    );
    malformed(
      parseCorsConfiguration(
        '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>1.5</MaxAgeSeconds></CORSRule></CORSConfiguration>',
      ),
    );
    // A negative age is well-formed: OSS answers InvalidArgument naming it (oss2 tests).
    expect(
      parseCorsConfiguration(
        '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule></CORSConfiguration>',
      ),
    ).toMatchObject({
      ok: false,
      code: 'InvalidArgument',
      fields: { ArgumentName: 'MaxAgeSeconds', ArgumentValue: '-1' },
    });
  });
});

describe('captured SDK request bodies', () => {
  const captures = JSON.parse(readFileSync(new URL('oss-requests.json', VECTORS_URL), 'utf8')) as {
    records: Array<{
      label: string;
      request: { method: string; requestTarget: string; body?: string };
    }>;
  };

  const bodies = captures.records.filter(
    (r) => r.request.body !== undefined && r.request.body.trimStart().startsWith('<'),
  );

  it('contains XML bodies from both SDKs', () => {
    expect(bodies.length).toBeGreaterThan(10);
  });

  for (const r of bodies) {
    it(r.label, () => {
      const body = r.request.body ?? '';
      const parsed = parseOssXml(body);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      if (parsed.value.name === 'Delete') {
        const d = parseDeleteObjects(body);
        expect(d.ok).toBe(true);
        if (!d.ok) return;
        const keys = d.value.objects.map((o) => o.key);
        if (!d.value.quiet) expect(keys).toEqual(['a/b c.txt', 'x&y<z>.txt']);
        expect(keys.join()).not.toContain('&amp;');
      } else if (parsed.value.name === 'CompleteMultipartUpload') {
        const c = parseCompleteMultipartUpload(body);
        expect(c.ok && c.value.length).toBeGreaterThan(0);
      } else if (parsed.value.name === 'CreateBucketConfiguration') {
        expect(parseCreateBucketConfiguration(body).ok).toBe(true);
      }
    });
  }
});
