/**
 * @module The explorer's form logic without a browser: checks before sending (as the server
 * checks), wire parameters (JSON arrays, flattened lists, OSS parts) and "copy as" snippets.
 */
import { describe, expect, it } from 'vitest';
import type {
  CatalogueOperation,
  CatalogueProduct,
} from '../../src/console/web/catalogue-types.js';
import { ossParts, rpcParams, validate } from '../../src/console/web/params.js';
import {
  aliOssSnippet,
  curlPresigned,
  curlSigned,
  teaSnippet,
} from '../../src/console/web/snippets.js';

const params: CatalogueOperation['params'] = {
  RoleName: { type: 'string', required: true, min: 1, max: 64, pattern: '^[A-Za-z0-9.-]+$' },
  MaxSessionDuration: { type: 'integer', required: false, min: 3600, max: 43200 },
  InstanceIds: { type: 'json-array', required: false, max: 2 },
  VSwitchIds: { type: 'list', required: false },
  Tag: {
    type: 'object-list',
    required: false,
    fields: { Key: { type: 'string', required: true }, Value: { type: 'string', required: false } },
  },
  Mode: { type: 'string', required: false, enum: ['none', 'slow'] },
  DryRun: { type: 'boolean', required: false },
};

describe('validate', () => {
  it('accepts good values and names each problem', () => {
    expect(
      validate(params, {
        RoleName: 'EcsRamRoleTest',
        MaxSessionDuration: '3600',
        InstanceIds: ['i-1'],
      }),
    ).toEqual({});
    expect(
      validate(params, {
        RoleName: 'bad name!',
        MaxSessionDuration: '60',
        InstanceIds: ['a', 'b', 'c'],
        Tag: [{ Key: '', Value: 'v' }],
        Mode: 'fast',
        DryRun: 'maybe',
      }),
    ).toEqual({
      RoleName: 'does not match `^[A-Za-z0-9.-]+$`',
      MaxSessionDuration: 'expected a value between 3600 and 43200',
      InstanceIds: 'at most 2 items',
      Tag: 'item 1: `Key` is required',
      Mode: 'expected one of none, slow',
      DryRun: 'expected true or false',
    });
    expect(validate(params, {})).toEqual({ RoleName: 'required' });
    expect(validate(params, { RoleName: 'x'.repeat(65) }).RoleName).toContain('between 1 and 64');
    expect(validate(params, { RoleName: '😀'.repeat(64) }).RoleName).toContain('does not match');
  });
});

describe('wire parameters', () => {
  it('sends JSON arrays as one value, lists and object lists flattened', () => {
    expect(
      rpcParams(params, {
        RoleName: 'r',
        MaxSessionDuration: ' 3600 ',
        InstanceIds: ['i-1', '', 'i-2'],
        VSwitchIds: ['vsw-1', 'vsw-2'],
        Tag: [
          { Key: 'k', Value: '' },
          { Key: '', Value: '' },
        ],
        Mode: '',
      }),
    ).toEqual([
      ['RoleName', 'r'],
      ['MaxSessionDuration', '3600'],
      ['InstanceIds', '["i-1","i-2"]'],
      ['VSwitchIds.1', 'vsw-1'],
      ['VSwitchIds.2', 'vsw-2'],
      ['Tag.1.Key', 'k'],
    ]);
  });

  it('places OSS fields in the path, query, headers and body', () => {
    const op: CatalogueOperation = {
      name: 'PutObject',
      doc: '',
      readOnly: false,
      actions: ['oss:PutObject'],
      resources: [],
      authz: 'declared',
      params: {
        Bucket: { type: 'string', required: true, in: 'path' },
        Key: { type: 'string', required: true, in: 'path' },
        body: { type: 'string', required: false, in: 'body' },
        'content-type': { type: 'string', required: false, in: 'header' },
        uploadId: { type: 'string', required: false, in: 'query' },
      },
      oss: { method: 'PUT', level: 'object', query: [['acl', null]] },
    };
    expect(
      ossParts(op, {
        Bucket: 'b',
        Key: 'dir/a.txt',
        body: 'hi',
        'content-type': 'text/plain',
        uploadId: 'u',
      }),
    ).toEqual({
      method: 'PUT',
      bucket: 'b',
      key: 'dir/a.txt',
      query: [
        ['acl', null],
        ['uploadId', 'u'],
      ],
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
  });
});

describe('snippets', () => {
  const origin = { host: '127.0.0.1:9910', protocol: 'http' as const };
  const ram: CatalogueProduct = {
    product: 'Ram',
    version: '2015-05-01',
    protocol: 'rpc',
    sdkPackage: '@alicloud/ram20150501',
    operations: [],
  };
  const op = (name: string, p: CatalogueOperation['params']): CatalogueOperation => ({
    name,
    doc: '',
    readOnly: false,
    actions: [],
    resources: [],
    authz: 'declared',
    params: p,
  });

  it('writes the Tea SDK call with the request class and camelCase fields', () => {
    const text = teaSnippet(
      ram,
      op('CreateRole', params),
      { RoleName: 'EcsRamRoleTest', InstanceIds: ['i-1'], MaxSessionDuration: '3600' },
      origin,
    );
    expect(text).toContain("import Ram, * as $Ram from '@alicloud/ram20150501';");
    expect(text).toContain('await client.createRole(');
    expect(text).toContain('new $Ram.CreateRoleRequest({');
    expect(text).toContain('roleName: "EcsRamRoleTest",');
    expect(text).toContain('instanceIds: JSON.stringify(["i-1"]),');
    expect(text).toContain('maxSessionDuration: 3600,');
    expect(text).toContain('endpoint: "127.0.0.1:9910"');
    expect(text).toContain('process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET');
  });

  it('uses callApi for a product without an SDK', () => {
    const yunbox: CatalogueProduct = {
      product: 'Yunbox',
      version: '2026-11-01',
      protocol: 'rpc',
      operations: [],
    };
    const text = teaSnippet(
      yunbox,
      op('DescribeInstanceMetadataCredential', { InstanceId: { type: 'string', required: true } }),
      { InstanceId: 'i-1' },
      origin,
    );
    expect(text).toContain('client.callApi(');
    expect(text).toContain('action: "DescribeInstanceMetadataCredential"');
    expect(text).toContain('InstanceId: "i-1"');
  });

  it('writes ali-oss calls and curl that says when it stops working', () => {
    const put = op('PutObject', {
      Bucket: { type: 'string', required: true, in: 'path' },
      Key: { type: 'string', required: true, in: 'path' },
      body: { type: 'string', required: false, in: 'body' },
    });
    put.oss = { method: 'PUT', level: 'object', query: [] };
    const text = aliOssSnippet(
      put,
      { Bucket: 'ramroletest', Key: 'a.txt', body: "it's" },
      origin,
      'cn-hangzhou',
    );
    expect(text).toContain('bucket: "ramroletest"');
    expect(text).toContain('client.put("a.txt", Buffer.from("it\'s"))');
    expect(text).toContain('region: "oss-cn-hangzhou"');
    const curl = curlSigned({
      method: 'POST',
      url: 'http://h/',
      headers: { host: 'h', 'x-acs-action': 'ListRoles' },
      body: "a='b'",
    });
    expect(curl).toContain('works once');
    expect(curl).toContain("--data-raw 'a='\\''b'\\'''");
    expect(curl).not.toContain('host:');
    expect(curlPresigned('GET', 'http://h/b/k?x-oss-signature=1', {}, undefined, 900)).toContain(
      'expires 900 s',
    );
  });
});
