/**
 * Bucket configurations of issue 17 (part 2) through ali-oss and the Tea OSS client: static
 * website settings and how anonymous browsers of a public bucket's virtual host are served;
 * access logging settings and the hourly log objects written on yunbox's (manual) clock;
 * inventory configurations (stored, listed with continuation tokens, limited). Bad documents get
 * OSS's codes; RAM actions are the oss:*Website / *Logging / *Inventory ones.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/server.js';
import { ossClient, teaOssClient } from '../../../src/testing/sdk.js';
import { rootOf } from '../../../src/testing/fixtures.js';
import { errorCode, policy, rawOss, userWithPolicy } from './helpers.js';

let yb: TestServer;
let port: string;
let root: any;
const START = '2026-03-01T10:15:00Z';

beforeAll(async () => {
  yb = await startTestServer({ clock: 'manual', clockStart: START });
  port = yb.address.slice(yb.address.lastIndexOf(':') + 1);
  root = ossClient(yb, rootOf(yb));
});
afterAll(async () => {
  await yb?.close();
});

/** An anonymous request to `bucket`'s virtual host, as a browser sends it. */
function browse(bucket: string, path: string, method = 'GET') {
  return rawOss(yb, { method, rawPath: path, headers: { host: `${bucket}.localhost:${port}` } });
}

const websiteXml = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><WebsiteConfiguration>${inner}</WebsiteConfiguration>`;

describe('Put/Get/DeleteBucketWebsite', () => {
  beforeAll(async () => {
    await root.putBucket('web-conf');
  });

  it('stores and returns the index page, error page, SupportSubDir, Type and RoutingRules', async () => {
    const routingRules = [
      {
        RuleNumber: '1',
        Condition: { KeyPrefixEquals: 'abc/', HttpErrorCodeReturnedEquals: '404' },
        Redirect: {
          RedirectType: 'Mirror',
          PassQueryString: 'true',
          MirrorURL: 'http://www.test.com/',
          MirrorHeaders: { PassAll: 'true', Pass: ['k1', 'k2'], Set: { Key: 'k5', Value: 'v5' } },
        },
      },
      {
        RuleNumber: '2',
        Condition: { KeyPrefixEquals: 'old/' },
        Redirect: { RedirectType: 'External', HostName: 'example.com', HttpRedirectCode: '301' },
      },
    ];
    const put = await root.putBucketWebsite('web-conf', {
      index: 'index1.html',
      supportSubDir: 'true',
      type: '1',
      error: 'error1.html',
      routingRules,
    });
    expect(put.res.status).toBe(200);
    const got = await root.getBucketWebsite('web-conf');
    expect(got.index).toBe('index1.html');
    expect(got.error).toBe('error1.html');
    expect(got.supportSubDir).toBe('true');
    expect(got.type).toBe('1');
    expect(got.routingRules).toEqual(routingRules);
    // Put again replaces everything (no error page now).
    await root.putBucketWebsite('web-conf', { index: 'home.html' });
    const again = await root.getBucketWebsite('web-conf');
    expect(again.index).toBe('home.html');
    expect(again.error).toBeNull();
    expect(again.routingRules).toEqual([]);
    const del = await root.deleteBucketWebsite('web-conf');
    expect(del.res.status).toBe(204);
    const none = await root.getBucketWebsite('web-conf').catch((e: any) => e);
    expect(none.status).toBe(404);
    expect(none.code).toBe('NoSuchWebsiteConfiguration');
  });

  it('refuses documents OSS refuses', async () => {
    const put = (body: string) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: 'web-conf',
        query: [['website', null]],
        body,
        creds: rootOf(yb),
      });
    let r = await put(
      websiteXml(
        '<IndexDocument><Suffix>index.html</Suffix></IndexDocument><ErrorDocument><Key>e.html</Key><HttpStatus>test</HttpStatus></ErrorDocument>',
      ),
    );
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
    expect(r.text).toContain('<ArgumentName>HttpStatus</ArgumentName>');
    r = await put(websiteXml('<ErrorDocument><Key>e.html</Key></ErrorDocument>'));
    expect([r.status, errorCode(r)]).toEqual([400, 'MalformedXML']);
    r = await put(
      websiteXml(
        '<IndexDocument><Suffix>i.html</Suffix><SupportSubDir>yes</SupportSubDir></IndexDocument>',
      ),
    );
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
    r = await put(
      websiteXml('<IndexDocument><Suffix>i.html</Suffix><Type>7</Type></IndexDocument>'),
    );
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
    const rules = Array.from(
      { length: 21 },
      (_, i) =>
        `<RoutingRule><RuleNumber>${i + 1}</RuleNumber><Redirect><RedirectType>External</RedirectType></Redirect></RoutingRule>`,
    ).join('');
    r = await put(
      websiteXml(
        `<IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules>${rules}</RoutingRules>`,
      ),
    );
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
    r = await put('<WebsiteConfiguration><IndexDocument>');
    expect([r.status, errorCode(r)]).toEqual([400, 'MalformedXML']);
  });

  it('is authorised as oss:PutBucketWebsite / oss:GetBucketWebsite', async () => {
    await root.putBucketWebsite('web-conf', { index: 'index.html' });
    const reader = await userWithPolicy(
      yb,
      policy([
        { Effect: 'Allow', Action: ['oss:GetBucketWebsite'], Resource: ['acs:oss:*:*:web-conf'] },
      ]),
    );
    const c = ossClient(yb, reader);
    expect((await c.getBucketWebsite('web-conf')).index).toBe('index.html');
    const denied = await c.putBucketWebsite('web-conf', { index: 'x.html' }).catch((e: any) => e);
    expect([denied.status, denied.code]).toEqual([403, 'AccessDenied']);
    const anon = await rawOss(yb, { bucket: 'web-conf', query: [['website', null]] });
    expect([anon.status, errorCode(anon)]).toEqual([403, 'AccessDenied']);
  });

  it('works through the Tea OSS client', async () => {
    const tea = teaOssClient(yb, yb.root);
    // Its PutBucketWebsite sends the body without the WebsiteConfiguration root element
    // (generated-client bug; OSS refuses that too), so ali-oss puts and Tea reads.
    await root.putBucketWebsite('web-conf', {
      index: 'tea.html',
      supportSubDir: 'true',
      error: 'oops.html',
    });
    const got = await tea.getBucketWebsite('web-conf');
    expect(got.body.indexDocument.suffix).toBe('tea.html');
    expect(got.body.indexDocument.supportSubDir).toBe(true);
    expect(got.body.errorDocument.key).toBe('oops.html');
    expect(got.body.errorDocument.httpStatus).toBe('404');
    await tea.deleteBucketWebsite('web-conf');
    const after = await tea.getBucketWebsite('web-conf').catch((e: any) => e);
    expect(after.code).toBe('NoSuchWebsiteConfiguration');
  });
});

describe('website serving', () => {
  beforeAll(async () => {
    await root.putBucket('web-site');
    await root.putBucketACL('web-site', 'public-read');
    const c = ossClient(yb, rootOf(yb), { bucket: 'web-site' });
    await c.put('index.html', Buffer.from('<h1>home</h1>'), { mime: 'text/html' });
    await c.put('error.html', Buffer.from('<h1>not here</h1>'), { mime: 'text/html' });
    await c.put('docs/index.html', Buffer.from('<h1>docs</h1>'));
    await c.put('guide/index.html', Buffer.from('<h1>guide</h1>'));
    await c.put('a.txt', Buffer.from('plain'));
    await root.putBucketWebsite('web-site', {
      index: 'index.html',
      error: 'error.html',
      supportSubDir: 'true',
      type: '0',
    });
  });

  it('serves the index page for the root, and each directory’s own with SupportSubDir', async () => {
    let r = await browse('web-site', '/');
    expect([r.status, r.text]).toEqual([200, '<h1>home</h1>']);
    expect(r.headers['content-type']).toBe('text/html');
    r = await browse('web-site', '/docs/');
    expect([r.status, r.text]).toEqual([200, '<h1>docs</h1>']);
    r = await browse('web-site', '/a.txt');
    expect([r.status, r.text]).toEqual([200, 'plain']);
    r = await browse('web-site', '/a.txt', 'HEAD');
    expect([r.status, r.headers['content-length']]).toEqual([200, '5']);
  });

  it('redirects a directory named without its slash (Type 0) and serves the error page for a missing key', async () => {
    let r = await browse('web-site', '/guide');
    expect([r.status, r.headers.location]).toEqual([302, '/guide/']);
    r = await browse('web-site', '/nothing/here.png');
    expect([r.status, r.text]).toEqual([404, '<h1>not here</h1>']);
    await root.putBucketWebsite('web-site', {
      index: 'index.html',
      error: 'error.html',
      supportSubDir: 'true',
      type: '2',
    });
    r = await browse('web-site', '/guide');
    expect([r.status, r.text]).toEqual([200, '<h1>guide</h1>']);
    // Without SupportSubDir a directory gets the root's index page.
    await root.putBucketWebsite('web-site', { index: 'index.html', error: 'error.html' });
    r = await browse('web-site', '/docs/');
    expect([r.status, r.text]).toEqual([200, '<h1>home</h1>']);
  });

  it('leaves signed and path-style requests to the API', async () => {
    const signed = await rawOss(yb, {
      rawPath: '/',
      bucket: 'web-site',
      headers: { host: `web-site.localhost:${port}` },
      creds: rootOf(yb),
    });
    expect(signed.status).toBe(200);
    expect(signed.text).toContain('<ListBucketResult>');
    const path = await rawOss(yb, { bucket: 'web-site', creds: rootOf(yb) });
    expect(path.text).toContain('<ListBucketResult>');
    const missing = await rawOss(yb, { bucket: 'web-site', key: 'nothing.png' });
    expect([missing.status, errorCode(missing)]).toEqual([404, 'NoSuchKey']);
  });

  it('follows External and Internal routing rules; Mirror ones are only stored', async () => {
    await root.putBucketWebsite('web-site', {
      index: 'index.html',
      error: 'error.html',
      routingRules: [
        {
          RuleNumber: '2',
          Condition: { KeyPrefixEquals: 'img/', HttpErrorCodeReturnedEquals: '404' },
          Redirect: { RedirectType: 'Internal', ReplaceKeyWith: 'a.txt' },
        },
        {
          RuleNumber: '1',
          Condition: { KeyPrefixEquals: 'old/' },
          Redirect: {
            RedirectType: 'External',
            Protocol: 'https',
            HostName: 'example.com',
            HttpRedirectCode: '301',
            ReplaceKeyPrefixWith: 'new/',
          },
        },
        {
          RuleNumber: '3',
          Condition: { KeyPrefixEquals: 'mirror/', HttpErrorCodeReturnedEquals: '404' },
          Redirect: { RedirectType: 'Mirror', MirrorURL: 'http://origin.example.com/' },
        },
      ],
    });
    let r = await browse('web-site', '/old/page%20one.html');
    expect([r.status, r.headers.location]).toEqual([
      301,
      'https://example.com/new/page%20one.html',
    ]);
    r = await browse('web-site', '/img/missing.png');
    expect([r.status, r.text]).toEqual([200, 'plain']);
    r = await browse('web-site', '/mirror/x.png');
    expect([r.status, r.text]).toEqual([404, '<h1>not here</h1>']);
    r = await browse('web-site', '/a.txt');
    expect([r.status, r.text]).toEqual([200, 'plain']);
  });

  it('serves nothing a stranger may not read: a private bucket stays private', async () => {
    await root.putBucket('web-private');
    await ossClient(yb, rootOf(yb), { bucket: 'web-private' }).put('index.html', Buffer.from('x'));
    await root.putBucketWebsite('web-private', { index: 'index.html' });
    const r = await browse('web-private', '/');
    expect([r.status, errorCode(r)]).toEqual([403, 'AccessDenied']);
  });
});

describe('Put/Get/DeleteBucketLogging and access logs', () => {
  beforeAll(async () => {
    await root.putBucket('log-src');
    await root.putBucket('log-dst');
  });

  it('stores, returns and deletes the settings (ali-oss logs into the bucket itself)', async () => {
    let r = await root.putBucketLogging('log-src', 'logs/');
    expect(r.res.status).toBe(200);
    r = await root.putBucketLogging('log-src', 'logs/');
    expect(r.res.status).toBe(200);
    const got = await root.getBucketLogging('log-src');
    expect(got.enable).toBe(true);
    expect(got.prefix).toBe('logs/');
    expect((await root.deleteBucketLogging('log-src')).res.status).toBe(204);
    expect((await root.getBucketLogging('log-src')).enable).toBe(false);
  });

  it('refuses a target bucket that is missing, or a bad prefix', async () => {
    const put = (target: string, prefix: string) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: 'log-src',
        query: [['logging', null]],
        creds: rootOf(yb),
        body: `<?xml version="1.0" encoding="UTF-8"?><BucketLoggingStatus><LoggingEnabled><TargetBucket>${target}</TargetBucket><TargetPrefix>${prefix}</TargetPrefix></LoggingEnabled></BucketLoggingStatus>`,
      });
    let r = await put('no-such-target', 'x');
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidTargetBucketForLogging']);
    r = await put('', 'x');
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidTargetBucketForLogging']);
    r = await put('log-dst', '/abc');
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
  });

  it('works through the Tea OSS client', async () => {
    const tea = teaOssClient(yb, yb.root);
    // Its PutBucketLogging drops the BucketLoggingStatus root (as its PutBucketWebsite does).
    await rawOss(yb, {
      method: 'PUT',
      bucket: 'log-src',
      query: [['logging', null]],
      creds: rootOf(yb),
      body: '<BucketLoggingStatus><LoggingEnabled><TargetBucket>log-dst</TargetBucket><TargetPrefix>tea/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>',
    });
    const got = await tea.getBucketLogging('log-src');
    expect(got.body.loggingEnabled.targetBucket).toBe('log-dst');
    expect(got.body.loggingEnabled.targetPrefix).toBe('tea/');
    await tea.deleteBucketLogging('log-src');
    expect((await tea.getBucketLogging('log-src')).body.loggingEnabled).toBeUndefined();
  });

  it('writes the hour’s requests as one log object once the clock passes the hour', async () => {
    await rawOss(yb, {
      method: 'PUT',
      bucket: 'log-src',
      query: [['logging', null]],
      creds: rootOf(yb),
      body: '<BucketLoggingStatus><LoggingEnabled><TargetBucket>log-dst</TargetBucket><TargetPrefix>access/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>',
    });
    const src = ossClient(yb, rootOf(yb), { bucket: 'log-src' });
    await src.put('hello world.txt', Buffer.from('hi'));
    await src.get('hello world.txt');
    await rawOss(yb, { bucket: 'log-src', key: 'missing' }); // anonymous, denied
    const dst = ossClient(yb, rootOf(yb), { bucket: 'log-dst' });
    const listLogs = async () =>
      ((await dst.list({ prefix: 'access/' })).objects ?? []).map((o: any) => o.name);
    expect(await listLogs()).toEqual([]);
    // Within the hour nothing is written; past it, the hour's object appears.
    yb.clock.advance(30 * 60);
    await yb.oss.accessLogs.idle();
    expect(await listLogs()).toEqual([]);
    yb.clock.advance(30 * 60);
    await yb.oss.accessLogs.idle();
    const names = await listLogs();
    expect(names).toEqual(['access/log-src2026-03-01-10-00-00-0001']);
    const text = (await dst.get(names[0])).content.toString('utf8');
    const lines = text.trim().split('\n');
    // The PutBucketLogging request itself was answered before logging was on.
    const ops = lines.map((l: string) => l.match(/"([A-Za-z]+)" "log-src"/)?.[1]);
    expect(ops).toEqual(['PutObject', 'GetObject', 'GetObject']);
    const [put, get, denied] = lines;
    expect(put).toMatch(
      /^127\.0\.0\.1 - - \[01\/Mar\/2026:10:15:00 \+0000\] "PUT \/hello%20world\.txt HTTP\/1\.1" 200 0 \d+ "-" "[^"]*" "[^"]+" "[0-9A-F-]+" "true" "\d+" "PutObject" "log-src" "hello%20world\.txt" - \d+ "-" \d+ "\d+" - "-"$/,
    );
    expect(put).toContain('"hello%20world.txt"');
    expect(put).toContain(`"${yb.accountId}"`);
    expect(get).toMatch(/" 200 2 /);
    expect(denied).toMatch(/" 403 \d+ /);
    expect(denied).toContain('"AccessDenied"');
    expect(denied).toContain('"-" "GetObject"'); // anonymous requester
    // A second batch in the same hour (after a restart, or an early flush) takes the next number.
    await src.put('more.txt', Buffer.from('x'));
    await yb.oss.accessLogs.close();
    expect(await listLogs()).toEqual(
      ['access/log-src2026-03-01-11-00-00-0001', 'access/log-src2026-03-01-10-00-00-0001'].sort(),
    );
  });
});

describe('Put/Get/List/DeleteBucketInventory', () => {
  const field = ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded'];
  const inventory = (id: string) => ({
    id,
    isEnabled: false,
    prefix: 'ttt',
    OSSBucketDestination: {
      format: 'CSV',
      accountId: yb.accountId,
      rolename: 'AliyunOSSRole',
      bucket: 'inv-dst',
      prefix: 'test',
      encryption: { 'SSE-OSS': '' },
    },
    frequency: 'Daily',
    includedObjectVersions: 'All',
    optionalFields: { field },
  });

  beforeAll(async () => {
    await root.putBucket('inv-src');
    await root.putBucket('inv-dst');
  });

  it('stores, returns, lists with continuation tokens and deletes configurations', async () => {
    await root.putBucketInventory('inv-src', inventory('default'));
    const got = await root.getBucketInventory('inv-src', 'default');
    expect(got.inventory.id).toBe('default');
    expect(got.inventory.isEnabled).toBe(false);
    expect(got.inventory.prefix).toBe('ttt');
    expect(got.inventory.OSSBucketDestination.bucket).toBe('inv-dst');
    expect(got.inventory.OSSBucketDestination.rolename).toBe('AliyunOSSRole');
    expect(got.inventory.frequency).toBe('Daily');
    expect(got.inventory.optionalFields.field).toEqual(field);
    for (let i = 0; i < 120; i++)
      await root.putBucketInventory('inv-src', inventory(`list-${String(i).padStart(3, '0')}`));
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await root.listBucketInventory(
        'inv-src',
        token ? { continuationToken: token } : {},
      );
      ids.push(...page.inventoryList.map((c: any) => c.id));
      token = page.isTruncated ? page.nextContinuationToken : undefined;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(ids).toHaveLength(121);
    expect(ids[0]).toBe('default');
    await root.deleteBucketInventory('inv-src', 'default');
    const gone = await root.getBucketInventory('inv-src', 'default').catch((e: any) => e);
    expect([gone.status, gone.code]).toEqual([404, 'NoSuchInventory']);
  });

  it('writes a report (CSV.gz, manifest.json, manifest.checksum) when the day ends', async () => {
    await root.putBucket('inv-rep');
    const src = ossClient(yb, rootOf(yb), { bucket: 'inv-rep' });
    await src.put('ttt/a b.txt', Buffer.from('hello'));
    await src.put('ttt/b.txt', Buffer.from('x'.repeat(10)));
    await src.put('other.txt', Buffer.from('not in the filter'));
    await src.putObjectTagging('ttt/b.txt', { a: '1', b: '2' });
    await root.putBucketInventory('inv-rep', {
      ...inventory('daily'),
      isEnabled: true,
      includedObjectVersions: 'Current',
      optionalFields: { field: ['Size', 'ETag', 'ObjectAcl', 'TaggingCount'] },
    });
    const dst = ossClient(yb, rootOf(yb), { bucket: 'inv-dst' });
    const reports = async () =>
      ((await dst.list({ prefix: 'test/inv-rep/daily/' })).objects ?? []).map((o: any) => o.name);
    await yb.oss.inventory.idle();
    expect(await reports()).toEqual([]);
    // The clock stands at 11:15 on 1 March (the logging test moved it an hour); the day ends.
    yb.clock.advance(13 * 3600);
    await yb.oss.inventory.idle();
    const names: string[] = await reports();
    expect(names).toHaveLength(3);
    const manifestKey = names.find((n) => n.endsWith('/manifest.json'))!;
    expect(manifestKey).toBe('test/inv-rep/daily/2026-03-02T00-15Z/manifest.json');
    const manifestBytes = (await dst.get(manifestKey)).content as Buffer;
    const manifest = JSON.parse(manifestBytes.toString('utf8'));
    expect(manifest).toMatchObject({
      destinationBucket: 'inv-dst',
      sourceBucket: 'inv-rep',
      fileFormat: 'CSV',
      fileSchema: 'Bucket, Key, Size, ETag, ObjectAcl, TaggingCount',
    });
    const checksum = (await dst.get(manifestKey.replace('.json', '.checksum'))).content;
    expect(checksum.toString()).toBe(createHash('md5').update(manifestBytes).digest('hex'));
    const [file] = manifest.files;
    expect(file.key).toMatch(/^test\/inv-rep\/daily\/data\/[0-9a-f-]+\.csv\.gz$/);
    const gz = (await dst.get(file.key)).content as Buffer;
    expect(createHash('md5').update(gz).digest('hex')).toBe(file.MD5checksum);
    const rows = gunzipSync(gz).toString('utf8').trim().split('\n');
    const etag = createHash('md5').update('hello').digest('hex').toUpperCase();
    expect(rows).toEqual([
      `"inv-rep","ttt%2Fa%20b.txt","5","${etag}","default","0"`,
      `"inv-rep","ttt%2Fb.txt","10","${createHash('md5').update('x'.repeat(10)).digest('hex').toUpperCase()}","default","2"`,
    ]);
    // Not again the same day.
    yb.clock.advance(3600);
    await yb.oss.inventory.idle();
    expect(await reports()).toHaveLength(3);
  });

  it('with IncludedObjectVersions=All, lists every version and delete marker', async () => {
    await root.putBucket('inv-ver');
    const src = ossClient(yb, rootOf(yb), { bucket: 'inv-ver' });
    const before = await src.put('ttt/plain.txt', Buffer.from('before versioning'));
    expect(before.res.headers['x-oss-version-id']).toBeUndefined();
    await root.putBucketVersioning('inv-ver', 'Enabled');
    const v1 = (await src.put('ttt/k.txt', Buffer.from('one'))).res.headers['x-oss-version-id'];
    const v2 = (await src.put('ttt/k.txt', Buffer.from('two!'))).res.headers['x-oss-version-id'];
    const gone = await src.delete('ttt/plain.txt');
    const marker = gone.res.headers['x-oss-version-id'];
    await src.putObjectTagging('ttt/k.txt', { a: '1' }, { versionId: v1 });
    await root.putBucketInventory('inv-ver', {
      ...inventory('versions'),
      isEnabled: true,
      includedObjectVersions: 'All',
      optionalFields: { field: ['Size', 'ETag', 'TaggingCount'] },
    });
    yb.clock.advance(24 * 3600);
    await yb.oss.inventory.idle();
    const dst = ossClient(yb, rootOf(yb), { bucket: 'inv-dst' });
    const names = ((await dst.list({ prefix: 'test/inv-ver/versions/' })).objects ?? []).map(
      (o: any) => o.name,
    );
    const manifestKey = names.find((n: string) => n.endsWith('/manifest.json'))!;
    const manifest = JSON.parse(((await dst.get(manifestKey)).content as Buffer).toString());
    expect(manifest.fileSchema).toBe(
      'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, ETag, TaggingCount',
    );
    const gz = (await dst.get(manifest.files[0].key)).content as Buffer;
    const rows = gunzipSync(gz).toString('utf8').trim().split('\n');
    const md5 = (s: string) => createHash('md5').update(s).digest('hex').toUpperCase();
    expect(rows).toEqual([
      // Keys in order, each key's versions newest first.
      `"inv-ver","ttt%2Fk.txt","${v2}","true","false","4","${md5('two!')}","0"`,
      `"inv-ver","ttt%2Fk.txt","${v1}","false","false","3","${md5('one')}","1"`,
      `"inv-ver","ttt%2Fplain.txt","${marker}","true","true","","",""`,
      `"inv-ver","ttt%2Fplain.txt","null","false","false","17","${md5('before versioning')}","0"`,
    ]);
  });

  it('refuses bad configurations and a destination that does not exist', async () => {
    const put = (id: string, xml: string) =>
      rawOss(yb, {
        method: 'PUT',
        bucket: 'inv-src',
        query: [
          ['inventory', null],
          ['inventoryId', id],
        ],
        creds: rootOf(yb),
        body: xml,
      });
    const conf = (id: string, over: Record<string, string> = {}) =>
      `<InventoryConfiguration><Id>${id}</Id><IsEnabled>${over.enabled ?? 'true'}</IsEnabled><Destination><OSSBucketDestination><Format>${over.format ?? 'CSV'}</Format><AccountId>${yb.accountId}</AccountId><RoleArn>acs:ram::${yb.accountId}:role/r</RoleArn><Bucket>acs:oss:::${over.bucket ?? 'inv-dst'}</Bucket></OSSBucketDestination></Destination><Schedule><Frequency>${over.frequency ?? 'Weekly'}</Frequency></Schedule><IncludedObjectVersions>Current</IncludedObjectVersions></InventoryConfiguration>`;
    expect((await put('ok', conf('ok'))).status).toBe(200);
    let r = await put('a', conf('b'));
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
    r = await put('a', conf('a', { format: 'ORC' }));
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
    r = await put('a', conf('a', { frequency: 'Hourly' }));
    expect([r.status, errorCode(r)]).toEqual([400, 'InvalidArgument']);
    r = await put('a', conf('a', { bucket: 'inv-nowhere' }));
    expect([r.status, errorCode(r)]).toEqual([404, 'NoSuchBucket']);
    r = await put('a', '<InventoryConfiguration><Id>a</Id></InventoryConfiguration>');
    expect([r.status, errorCode(r)]).toEqual([400, 'MalformedXML']);
  });
});
