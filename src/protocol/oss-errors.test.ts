/**
 * @module OSS error bodies, the `x-oss-err` header, and the status every code must carry.
 */

import { describe, expect, it } from 'vitest';
import {
  OSS_ERROR_STATUS,
  ossErrHeader,
  ossErrorXml,
  ossFailure,
  ossFailureXml,
  stringToSignBytes,
} from './oss-errors.js';
import { parseOssXml, xmlChildText } from './oss-xml.js';

describe('ossErrorXml', () => {
  it('writes Code, Message, RequestId, HostId, extra fields, EC, RecommendDoc in order', () => {
    const xml = ossErrorXml({
      code: 'NoSuchBucket',
      message: 'The specified bucket does not exist.',
      requestId: '636B68BA80DA8539399F0000',
      hostId: 'nb.oss-cn-hangzhou.aliyuncs.com',
      ec: '0015-00000101',
      fields: { BucketName: 'nb', Code: 'ignored' },
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code>' +
        '<Message>The specified bucket does not exist.</Message>' +
        '<RequestId>636B68BA80DA8539399F0000</RequestId>' +
        '<HostId>nb.oss-cn-hangzhou.aliyuncs.com</HostId><BucketName>nb</BucketName>' +
        '<EC>0015-00000101</EC>' +
        '<RecommendDoc>https://api.aliyun.com/troubleshoot?q=0015-00000101</RecommendDoc></Error>',
    );
  });

  it('leaves EC and RecommendDoc out when unknown, escapes text', () => {
    const xml = ossErrorXml({
      code: 'SignatureDoesNotMatch',
      message: 'm',
      requestId: 'r',
      hostId: 'h',
      fields: { StringToSign: 'GET\n\n\n1\n/b/a&b<c>' },
    });
    expect(xml).not.toContain('<EC>');
    expect(xml).toContain('<StringToSign>GET\n\n\n1\n/b/a&amp;b&lt;c&gt;</StringToSign>');
    const parsed = parseOssXml(xml);
    expect(parsed.ok && xmlChildText(parsed.value, 'StringToSign')).toBe('GET\n\n\n1\n/b/a&b<c>');
    expect(
      ossErrorXml({
        code: 'c',
        message: 'm',
        requestId: 'r',
        hostId: 'h',
        ec: '1',
        recommendDoc: false,
      }),
    ).not.toContain('RecommendDoc');
  });

  it('serialises a failure for one request, and base64 for HEAD', () => {
    const f = ossFailure('RequestTimeTooSkewed', 'too large', {
      ec: '0002-00000504',
      fields: { MaxAllowedSkewMilliseconds: '900000' },
    });
    expect(f).toEqual({
      ok: false,
      code: 'RequestTimeTooSkewed',
      status: 403,
      message: 'too large',
      ec: '0002-00000504',
      fields: { MaxAllowedSkewMilliseconds: '900000' },
    });
    const xml = ossFailureXml(f, { requestId: 'R', hostId: 'H' });
    expect(xml).toContain(
      '<HostId>H</HostId><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds><EC>',
    );
    expect(Buffer.from(ossErrHeader(xml), 'base64').toString('utf8')).toBe(xml);
    expect(ossErrHeader(xml)).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });
});

describe('statuses', () => {
  it('match oss.md §8.2 for the pairs oss2 maps to exception classes', () => {
    expect(OSS_ERROR_STATUS).toMatchObject({
      AccessDenied: 403,
      SignatureDoesNotMatch: 403,
      InvalidAccessKeyId: 403,
      SecurityTokenExpired: 403,
      InvalidSecurityToken: 403,
      RequestTimeTooSkewed: 403,
      InvalidArgument: 400,
      MalformedXML: 400,
      InvalidDigest: 400,
      InvalidObjectName: 400,
      EntityTooSmall: 400,
      InvalidPart: 400,
      InvalidPartOrder: 400,
      NoSuchBucket: 404,
      NoSuchKey: 404,
      NoSuchUpload: 404,
      BucketNotEmpty: 409,
      BucketAlreadyExists: 409,
      PreconditionFailed: 412,
      InvalidRange: 416,
      MissingContentLength: 411,
      InternalError: 500,
    });
    expect(ossFailure('SomethingNew', 'x').status).toBe(400);
  });

  it('prints StringToSignBytes as OSS does', () => {
    expect(stringToSignBytes('GET\n')).toBe('47 45 54 0A ');
    expect(stringToSignBytes('目')).toBe('E7 9B AE ');
    expect(stringToSignBytes('')).toBe('');
  });
});
