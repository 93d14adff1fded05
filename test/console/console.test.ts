/**
 * @module The console in a real browser (headless Chromium from Debian, driven by playwright-core)
 * against a spawned `yunbox serve --clock manual`: the tutorial's steps done through the page —
 * sign in, create the role and the policy and attach them in the explorer, create an instance with
 * the role and see its credential's expiry, browse a bucket (upload with progress, presigned link),
 * and find the instance role's denied PutObject in the audit trail with its explanation — plus bad
 * input shown plainly and never a stack trace. A newcomer's first ten minutes too: the explorer
 * opens on the tutorial's calls with a search, policy templates and pickers of live resources;
 * buckets and objects are created and deleted in the browser; empty views say what to create
 * first; the trail hides the console's own reads; the header fits 1280 px. Screenshots of each
 * step go to test-artifacts/console/ (`browser.ts`). Skipped, saying why, where Chromium is absent
 * (CI installs it).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcCall } from '../../src/protocol/rpc-client.js';
import { ossClient } from '../../src/testing/sdk.js';
import type { ServeProcess } from '../../src/testing/spawn.js';
import {
  advanceOneMinute,
  CHROMIUM,
  closeConsole,
  explore,
  HAVE_CHROMIUM,
  openConsole,
  pageErrors,
  send,
  snap,
  wrapped,
} from './browser.js';

const ROOT = {
  accessKeyId: 'LTAIconsoletestroot01',
  accessKeySecret: 'ConsoleTestRootSecret0000000001',
};
const TRUST = JSON.stringify({
  Statement: [
    { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } },
  ],
  Version: '1',
});
const READ_ONLY = JSON.stringify({
  Statement: [{ Action: ['oss:Get*', 'oss:List*'], Effect: 'Allow', Resource: '*' }],
  Version: '1',
});

let server: ServeProcess;
let page: Page;

beforeAll(async () => {
  if (HAVE_CHROMIUM) ({ server, page } = await openConsole(ROOT));
});
afterAll(closeConsole);

describe.skipIf(!HAVE_CHROMIUM)(
  `console in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: no Chromium at ${CHROMIUM}; .ci/run installs it)`}`,
  () => {
    it('serves the page with a strict CSP and refuses a bad sign-in plainly', async () => {
      const res = await fetch(`${server.endpoint}/_yunbox/console/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await page.goto(`${server.endpoint}/_yunbox/console/`);
      await page.fill('input[name=accessKeyId]', ROOT.accessKeyId);
      await page.fill('input[name=accessKeySecret]', 'not-the-secret');
      await page.click('button[type=submit]');
      await expect
        .poll(() => page.locator('.error-box').textContent())
        .toContain('InvalidAccessKey');
      await snap('signin-refused');
    });

    it('signs in with temporary credentials, keeping no long-term secret', async () => {
      await page.fill('input[name=accessKeySecret]', ROOT.accessKeySecret);
      await page.click('button[type=submit]');
      await page.locator('#explorer-product').waitFor();
      const stored = await page.evaluate(() =>
        JSON.stringify({ ...(globalThis as any).sessionStorage }),
      );
      expect(stored).toContain('STS.');
      expect(stored).not.toContain(ROOT.accessKeySecret);
      expect(await page.locator('#identity').textContent()).toContain('root account');
      // The side bar's entries are one line each.
      expect(await wrapped('nav a')).toEqual([]);
      await snap('explorer');
    });

    it('opens the explorer on the tutorial’s first call, with a search and the server’s region', async () => {
      expect(await page.locator('#explorer-product').inputValue()).toBe('Ram');
      expect(await page.locator('#explorer-operation').inputValue()).toBe('CreateRole');
      expect(
        await page
          .locator('#explorer-operation optgroup')
          .first()
          .locator('option')
          .allTextContents(),
      ).toEqual([
        'CreateRole',
        'CreatePolicy',
        'AttachPolicyToRole',
        'GetRole',
        'ListPoliciesForRole',
      ]);
      await page.fill('#explorer-search', 'attach role');
      await expect
        .poll(() => page.locator('#explorer-operation option').allTextContents())
        .toEqual(['AttachPolicyToRole']);
      expect(await page.locator('#explorer-operation').inputValue()).toBe('AttachPolicyToRole');
      expect(await page.locator('.field[data-param=RoleName]').count()).toBe(1);
      await snap('explorer-search');
      // Words found only in another product: the page says where, and goes there.
      await page.fill('#explorer-search', 'instance ram');
      await expect.poll(() => page.locator('.search-out').textContent()).toContain('Ecs (');
      await page.locator('.search-out button', { hasText: 'Ecs' }).click();
      expect(await page.locator('#explorer-product').inputValue()).toBe('Ecs');
      expect(await page.locator('#explorer-operation').inputValue()).toBe('AttachInstanceRamRole');
      expect(await page.locator('.field[data-param=RegionId] input').inputValue()).toBe(
        'cn-hangzhou',
      );
      await snap('explorer-search-elsewhere');
      await page.fill('#explorer-search', '');

      // Empty views say what to create first, and link to it.
      await page.goto(`${server.endpoint}/_yunbox/console/#/roles`);
      const empty = page.locator('main td.empty');
      await expect.poll(() => empty.textContent()).toContain('No roles yet');
      expect(await empty.locator('a').getAttribute('href')).toContain('op=CreateRole');
      await snap('empty-roles');
      await page.goto(`${server.endpoint}/_yunbox/console/#/instances`);
      await expect.poll(() => empty.textContent()).toContain('No instances yet');
      expect(await empty.locator('a').first().getAttribute('href')).toBe('#/network');
      await snap('empty-instances');
      await page.goto(`${server.endpoint}/_yunbox/console/#/network`);
      await expect.poll(() => empty.first().textContent()).toContain('No VPCs yet');
      expect(await empty.first().locator('a').count()).toBeGreaterThan(0);
      await snap('empty-network');
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets`);
      await expect.poll(() => empty.textContent()).toContain('No buckets yet: create one above');
      expect(await page.locator('form.create-bucket input').isVisible()).toBe(true);
      await snap('empty-buckets');
    });

    it('creates the tutorial’s role and policy and attaches them in the explorer', async () => {
      await explore('Ram', 'CreateRole', {
        RoleName: 'EcsRamRoleTest',
        AssumeRolePolicyDocument: TRUST,
      });
      let r = await send();
      expect(r.status).toBe(200);
      expect(r.body.Role.RoleName).toBe('EcsRamRoleTest');
      expect(await page.locator('.result .request-id').textContent()).toBe(r.body.RequestId);
      expect(await page.locator('.signed-request pre').first().textContent()).toMatch(
        /authorization: ACS3-HMAC-SHA256 Credential=STS\./,
      );
      // A resource named in a response links to its view.
      expect(
        await page
          .locator('.result pre.json a.id-link', { hasText: /^"EcsRamRoleTest"$/ })
          .getAttribute('href'),
      ).toBe('#/roles/EcsRamRoleTest');
      expect(
        await page
          .locator('.result pre.json a.id-link', { hasText: ':role/EcsRamRoleTest' })
          .getAttribute('href'),
      ).toBe('#/roles/EcsRamRoleTest');
      // The signed request is there when asked, not in the way of the response.
      expect(await page.locator('.signed-request').evaluate((d) => (d as any).open)).toBe(false);
      await snap('create-role');

      await explore('Ram', 'CreatePolicy', {
        PolicyName: 'EcsRamRolePolicyTest',
        PolicyDocument: READ_ONLY,
      });
      expect((await send()).status).toBe(200);
      await explore('Ram', 'AttachPolicyToRole', {
        PolicyType: 'Custom',
        PolicyName: 'EcsRamRolePolicyTest',
        RoleName: 'EcsRamRoleTest',
      });
      r = await send();
      expect(r.status).toBe(200);
      await snap('attach-policy');

      await page.goto(`${server.endpoint}/_yunbox/console/#/roles/EcsRamRoleTest`);
      await page.locator('pre.json').first().waitFor();
      expect(await page.locator('pre.json').first().textContent()).toContain('ecs.aliyuncs.com');
      expect(await page.locator('main table').last().textContent()).toContain(
        'EcsRamRolePolicyTest',
      );
      await snap('role-view');
      await page.goto(`${server.endpoint}/_yunbox/console/#/policies/Custom/EcsRamRolePolicyTest`);
      await page.locator('pre.json').waitFor();
      expect(await page.locator('pre.json .s').allTextContents()).toContain('"oss:Get*"');
      await snap('policy-view');
    });

    it('fills the tutorial’s trust and permission policies from templates', async () => {
      await explore('Ram', 'CreateRole', { RoleName: 'TemplateRole' });
      await page.getByRole('button', { name: 'Insert ECS trust policy' }).click();
      // A name being created is not picked from the existing ones.
      expect(await page.locator('.picker[data-picker=RoleName]').count()).toBe(0);
      const trust = page.locator('.field[data-param=AssumeRolePolicyDocument] textarea');
      expect(JSON.parse(await trust.inputValue())).toEqual(JSON.parse(TRUST));
      expect(await trust.isVisible()).toBe(true);
      await snap('trust-template');
      expect((await send()).status).toBe(200);
      await explore('Ram', 'CreatePolicy', { PolicyName: 'TemplatePolicy' });
      await page.getByRole('button', { name: 'Insert OSS read-only policy' }).click();
      const doc = page.locator('.field[data-param=PolicyDocument] textarea');
      expect(JSON.parse(await doc.inputValue())).toEqual(JSON.parse(READ_ONLY));
      expect(await page.locator('.field[data-param=PolicyDocument] .field-advice li').count()).toBe(
        0,
      );
      await snap('policy-template');
      expect((await send()).status).toBe(200);
    });

    it('shows bad input plainly: checked in the page, and the server’s own error', async () => {
      await explore('Ram', 'CreateRole', {
        RoleName: 'bad role name!',
        AssumeRolePolicyDocument: TRUST,
      });
      await page.click('#explorer-send');
      await expect
        .poll(() => page.locator('.field[data-param=RoleName] .field-error').textContent())
        .toBe('RoleName: not allowed — role name: 1-64 letters, digits, . -');
      await snap('bad-input-checked');
      await page.uncheck('#explorer-check');
      const r = await send();
      expect(r.status).toBe(400);
      expect(await page.locator('.result .error-box').textContent()).toMatch(/^InvalidParameter/);
      await explore('Ram', 'CreatePolicy', {
        PolicyName: 'Broken',
        PolicyDocument: '{"Version": "1", "Statement": [',
      });
      const broken = await send();
      expect(broken.status).toBe(400);
      expect(await page.locator('.result .error-box').textContent()).toContain(
        'MalformedPolicyDocument',
      );
      await snap('bad-input-server');
    });

    it('warns under a policy field about actions yunbox does not know, as `policy validate` does', async () => {
      await explore('Ram', 'CreatePolicy', {
        PolicyName: 'Typos',
        PolicyDocument: JSON.stringify(
          {
            Version: '1',
            Statement: [
              { Effect: 'Allow', Action: ['oss:GetObjects', 'osss:List*'], Resource: '*' },
            ],
          },
          null,
          2,
        ),
      });
      const advice = page.locator('.field[data-param=PolicyDocument] .field-advice li');
      await expect
        .poll(() => advice.allTextContents())
        .toEqual([
          'PolicyDocument: line 7, column 9: `oss:GetObjects` is not an action of `oss` that yunbox knows — did you mean `oss:GetObject`?',
          'PolicyDocument: line 8, column 9: yunbox does not serve `osss`, and knows no service of that name — did you mean `oss`?',
        ]);
      await snap('policy-advice');
      // Corrected, the advice goes.
      await page.locator('.field[data-param=PolicyDocument] textarea').fill(READ_ONLY);
      await expect.poll(() => advice.count()).toBe(0);
    });

    it('creates an instance with the role and shows its credential’s expiry and next rotation', async () => {
      await explore('Vpc', 'CreateVpc', { RegionId: 'cn-hangzhou', CidrBlock: '192.168.0.0/16' });
      const vpc = (await send()).body.VpcId as string;
      await explore('Vpc', 'CreateVSwitch', {
        RegionId: 'cn-hangzhou',
        VpcId: vpc,
        ZoneId: 'cn-hangzhou-i',
        CidrBlock: '192.168.0.0/24',
      });
      const vsw = (await send()).body.VSwitchId as string;
      await explore('Ecs', 'CreateInstance', {
        RegionId: 'cn-hangzhou',
        ImageId: 'centos_7_03_64_40G_alibase_20170503.vhd',
        InstanceType: 'ecs.g6.large',
        VSwitchId: vsw,
        RamRoleName: 'EcsRamRoleTest',
      });
      // Pickers offer what exists: the role, the vSwitch, the images and instance types.
      const chips = (name: string) =>
        page.locator(`.picker[data-picker=${name}] button`).allTextContents();
      await expect.poll(() => chips('RamRoleName')).toContain('EcsRamRoleTest');
      await expect.poll(() => chips('VSwitchId')).toEqual([vsw]);
      await expect.poll(async () => (await chips('ImageId')).length).toBeGreaterThan(0);
      await expect.poll(async () => (await chips('InstanceType')).length).toBeGreaterThan(0);
      await snap('pickers');
      // The tutorial's fields are in view; the others are under "more fields", collapsed.
      const inView = await page
        .locator('.fields > .field:visible')
        .evaluateAll((fs) => fs.map((f) => (f as any).dataset.param as string));
      expect(inView).toEqual([
        'RegionId',
        'ImageId',
        'InstanceType',
        'VSwitchId',
        'RamRoleName',
        'InstanceName',
      ]);
      const more = page.locator('details.more-fields');
      expect(await more.evaluate((d) => (d as any).open)).toBe(false);
      expect(await more.locator('summary').textContent()).toMatch(/^\d+ more fields \(ZoneId, /);
      expect(await more.locator('.field[data-param=Password]').count()).toBe(1);
      // Fields yunbox accepts but does not use are out of the way, collapsed.
      const unused = page.locator('details.unused-fields');
      expect(await unused.evaluate((d) => (d as any).open)).toBe(false);
      expect(await unused.locator('.field[data-param=ClientToken]').count()).toBe(1);
      expect(await unused.locator('.field[data-param=RamRoleName]').count()).toBe(0);
      // Regular expressions are not spelled out under documented fields.
      expect(await page.locator('.field[data-param=HostName] .hint').textContent()).not.toContain(
        'pattern',
      );
      // A hint's lone backtick is a character, not the start of code.
      expect(await page.locator('.field[data-param=Password] .hint').textContent()).toContain(
        '()`~!@#',
      );
      // Secrets are typed into password inputs, never shown.
      expect(await page.locator('.field[data-param=Password] input').getAttribute('type')).toBe(
        'password',
      );
      const created = await send();
      expect(created.status).toBe(200);
      const instanceId = created.body.InstanceId as string;
      expect(
        await page
          .locator('.result pre.json a.id-link', { hasText: instanceId })
          .getAttribute('href'),
      ).toBe('#/instances');
      // The form is long: the answer is scrolled into view.
      expect(
        await page.evaluate(() => {
          const w = globalThis as any;
          const r = w.document.querySelector('.result').getBoundingClientRect();
          return { scrolled: w.scrollY > 0, top: r.top >= 0 && r.top < w.innerHeight };
        }),
      ).toEqual({ scrolled: true, top: true });
      await snap('create-instance');
      await explore('Ecs', 'DescribeInstanceRamRole', {
        RegionId: 'cn-hangzhou',
        InstanceIds: [instanceId],
      });
      // The instance is offered in the list editor too; its button fills the empty item.
      await page.locator('.field[data-param=InstanceIds] .list-editor input').fill('');
      await page.getByRole('button', { name: `use InstanceIds ${instanceId}` }).click();
      expect(
        await page.locator('.field[data-param=InstanceIds] .list-editor input').inputValue(),
      ).toBe(instanceId);
      const roles = await send();
      expect(roles.body.InstanceRamRoleSets.InstanceRamRoleSet[0].RamRoleName).toBe(
        'EcsRamRoleTest',
      );
      expect(await page.locator('.signed-request pre').first().textContent()).toContain(
        `InstanceIds=${encodeURIComponent(JSON.stringify([instanceId]))}`,
      );
      await snap('json-array-parameter');
      await advanceOneMinute();
      await explore('Ecs', 'StartInstance', { InstanceId: instanceId });
      expect((await send()).status).toBe(200);
      await advanceOneMinute();

      await page.goto(`${server.endpoint}/_yunbox/console/#/instances`);
      const expiry = page.locator('time.cred-expiry');
      await expiry.waitFor();
      const row = page.locator('main tbody tr', { hasText: instanceId });
      expect(await row.textContent()).toContain('Running');
      expect(await row.textContent()).toContain('EcsRamRoleTest');
      // Ids and times are read whole, never broken across lines.
      expect(await wrapped('main td code, main td time')).toEqual([]);
      const exp = Date.parse((await expiry.getAttribute('datetime'))!);
      const next = Date.parse((await page.locator('time.cred-rotation').getAttribute('datetime'))!);
      expect(exp - next).toBe(30 * 60_000);
      await snap('instances');

      await row.locator('select.fault-mode').selectOption('slow');
      await row.locator('input[placeholder]').fill('300');
      await row.getByRole('button', { name: /apply the metadata fault/ }).click();
      await expect
        .poll(() =>
          page
            .locator('main tbody tr', { hasText: instanceId })
            .locator('select.fault-mode')
            .inputValue(),
        )
        .toBe('slow');
      // The view drawn again says what was applied, the delay included.
      await expect
        .poll(() => page.locator('main tbody tr .fault-result').textContent())
        .toBe('applied: slow, 300 ms');
      await snap('metadata-fault');
      await page
        .locator('main tbody tr', { hasText: instanceId })
        .locator('select.fault-mode')
        .selectOption('none');
      await page
        .locator('main tbody tr', { hasText: instanceId })
        .getByRole('button', { name: /apply the metadata fault/ })
        .click();
      await expect
        .poll(() =>
          page
            .locator('main tbody tr', { hasText: instanceId })
            .locator('select.fault-mode')
            .inputValue(),
        )
        .toBe('none');

      // The instance's own credential, as a program on it reads it from the metadata service.
      const where = await rpcCall({
        endpoint: server.endpoint,
        version: '2026-11-01',
        action: 'DescribeInstanceMetadataEndpoint',
        params: { InstanceId: instanceId },
        credentials: ROOT,
        timestamp: new Date(
          Date.parse(await page.locator('#server-clock').getAttribute('datetime').then(String)),
        )
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
      });
      const url = (where.json as any).Url as string;
      const cred = (await (
        await fetch(`${url}/latest/meta-data/ram/security-credentials/EcsRamRoleTest`)
      ).json()) as any;
      expect(cred.Code).toBe('Success');
      expect(Date.parse(cred.Expiration)).toBe(exp);
      (globalThis as any).instanceCred = { ...cred, instanceId };
    });

    it('browses a bucket: upload with progress, prefixes, presigned link', async () => {
      await explore('Oss', 'PutBucket', { Bucket: 'ramroletest' });
      expect((await send()).status).toBe(200);
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets/ramroletest`);
      await page.locator('input[type=file]').waitFor();
      for (const key of ['ramroletest.txt', 'dir/inner.txt']) {
        await page.locator('input[type=file]').setInputFiles({
          name: key.split('/').pop()!,
          mimeType: 'text/plain',
          buffer: Buffer.from(`hello from ${key}`),
        });
        await page.locator('form.upload input[type=text]').fill(key);
        await page.click('form.upload button[type=submit]');
        await expect
          .poll(() => page.locator('.upload-result').textContent())
          .toContain(`Uploaded ${key}`);
      }
      expect(await page.locator('progress').evaluate((p) => (p as any).value)).toBe(1);
      expect(await page.locator('main table caption').textContent()).toBe(
        '1 folder and 1 object at the top of the bucket',
      );
      await snap('bucket-upload');
      // An XML answer is shown one element a line.
      await explore('Oss', 'ListObjects', { Bucket: 'ramroletest' });
      const listed = await send();
      expect(listed.status).toBe(200);
      expect(listed.text).toContain('\n  <Contents>\n    <Key>dir/inner.txt</Key>\n');
      // Its bucket and keys are links to their views, as ids in a JSON answer are.
      const xmlLinks = page.locator('.result pre.xml a.id-link');
      expect(
        await xmlLinks.evaluateAll((as) =>
          as.map((a) => `${a.textContent} ${a.getAttribute('href')}`),
        ),
      ).toEqual([
        'ramroletest #/buckets/ramroletest',
        'dir/inner.txt #/buckets/ramroletest?prefix=dir%2F',
        'ramroletest.txt #/buckets/ramroletest',
      ]);
      await snap('xml-response');
      await xmlLinks.filter({ hasText: 'dir/inner.txt' }).click();
      await expect.poll(() => page.locator('main table').textContent()).toContain('inner.txt');
      expect(page.url()).toMatch(/#\/buckets\/ramroletest\?prefix=dir%2F$/);
      expect(await page.locator('nav.crumbs').textContent()).toBe('ramroletest / dir');
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets/ramroletest`);
      await page.click('a.folder');
      await expect.poll(() => page.locator('main table').textContent()).toContain('inner.txt');
      await snap('bucket-prefix');
      await page.getByRole('button', { name: 'presigned link of dir/inner.txt' }).click();
      const link = await page.locator('input.url').inputValue();
      expect(link).toContain('x-oss-signature=');
      expect(await (await fetch(link)).text()).toBe('hello from dir/inner.txt');
      // The breadcrumb is one line; the link has its own copy button.
      const crumbs = page.locator('nav.crumbs a');
      expect(await crumbs.count()).toBe(2);
      const [top, inner] = [await crumbs.first().boundingBox(), await crumbs.last().boundingBox()];
      expect(inner!.y).toBe(top!.y);
      await page.evaluate(() => (globalThis as any).navigator.clipboard.writeText(''));
      await page.getByRole('button', { name: 'Copy link' }).click();
      await expect.poll(() => page.locator('.copy-button').textContent()).toContain('copied');
      expect(
        await page.evaluate(() => (globalThis as any).navigator.clipboard.readText() as string),
      ).toBe(link);
      await snap('presigned-link');
      // Object metadata, as HeadObject answers.
      await page.getByRole('button', { name: 'metadata of dir/inner.txt' }).click();
      const meta = page.locator('.presigned dl.facts');
      await expect.poll(() => meta.textContent()).toContain('content-length24');
      expect(await meta.textContent()).toContain('content-typetext/plain');
      await snap('object-metadata');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'download dir/inner.txt' }).click();
      expect((await download).suggestedFilename()).toBe('inner.txt');
    });

    it('creates and deletes a bucket and its objects in the bucket browser, empty views saying what to do', async () => {
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets`);
      await page.locator('form.create-bucket').waitFor();
      await page.fill('form.create-bucket input', 'Bad_Name');
      await page.click('form.create-bucket button[type=submit]');
      await expect
        .poll(() => page.locator('main .error-box').textContent())
        .toContain('InvalidBucketName');
      await page.fill('form.create-bucket input', 'console-made');
      await page.click('form.create-bucket button[type=submit]');
      const row = page.locator('main tbody tr', { hasText: 'console-made' });
      await row.waitFor();
      await snap('bucket-created');
      await row.locator('a').click();
      await expect
        .poll(() => page.locator('main td.empty').textContent())
        .toContain('This bucket is empty: choose a file above');
      await snap('bucket-empty');
      await page.locator('input[type=file]').setInputFiles({
        name: 'gone.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('soon gone'),
      });
      await page.click('form.upload button[type=submit]');
      await expect.poll(() => page.locator('.upload-result').textContent()).toContain('Uploaded');
      expect(await page.locator('.upload-stats').textContent()).toMatch(/^100% of 9 B · .+\/s$/);
      // A slow upload (the browser's network throttled) shows its progress and can be cancelled;
      // the list is shown again.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: 32 * 1024,
      });
      await page.locator('input[type=file]').setInputFiles({
        name: 'slow.bin',
        mimeType: 'application/octet-stream',
        buffer: Buffer.alloc(2 * 1024 * 1024, 1),
      });
      expect(await page.locator('form.upload input[type=text]').inputValue()).toBe('slow.bin');
      await page.click('form.upload button[type=submit]');
      const cancel = page.locator('form.upload button', { hasText: 'Cancel' });
      await expect.poll(() => cancel.isEnabled()).toBe(true);
      // While it runs: the percentage of the file's size and the speed (once the browser has
      // reported bytes sent), and Upload waits for it to end.
      await expect
        .poll(() => page.locator('.upload-stats').textContent(), { timeout: 20_000 })
        .toMatch(/^[1-9]\d?% of 2\.0 MiB · \d+(\.\d)? (B|KiB|MiB)\/s$/);
      expect(await page.locator('form.upload button[type=submit]').isDisabled()).toBe(true);
      expect(await page.locator('progress').evaluate((p) => (p as any).value)).toBeGreaterThan(0);
      await snap('upload-in-progress');
      await cancel.click();
      await expect
        .poll(() => page.locator('.upload-result').textContent())
        .toContain('UploadCancelled');
      // Cancelled part-way (32 KiB/s of 2 MiB): nothing was stored, and the list says so.
      expect(await page.locator('main table').textContent()).not.toContain('slow.bin');
      await expect(
        ossClient(server, ROOT, { bucket: 'console-made' }).head('slow.bin'),
      ).rejects.toMatchObject({ status: 404 });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      await cdp.detach();
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets`);
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets/console-made`);
      await expect.poll(() => page.locator('main table').textContent()).toContain('gone.txt');
      // A folder is deleted with every object under it.
      for (const key of ['tmp/a.txt', 'tmp/deep/b.txt']) {
        await page.locator('input[type=file]').setInputFiles({
          name: 'x.txt',
          mimeType: 'text/plain',
          buffer: Buffer.from(key),
        });
        await page.locator('form.upload input[type=text]').fill(key);
        await page.click('form.upload button[type=submit]');
        await expect
          .poll(() => page.locator('.upload-result').textContent())
          .toContain(`Uploaded ${key}`);
      }
      await page.getByRole('button', { name: 'delete folder tmp/' }).click();
      await snap('folder-delete-confirm');
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await expect
        .poll(() => page.locator('.presigned').textContent())
        .toBe('Deleted 2 objects under tmp/.');
      expect(await page.locator('main table').textContent()).not.toContain('tmp/');
      // A bucket with an object is not deleted: OSS's own refusal is shown.
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets`);
      await page.getByRole('button', { name: 'delete bucket console-made' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await expect
        .poll(() => page.locator('main .error-box').textContent())
        .toContain('BucketNotEmpty');
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets/console-made`);
      await page.getByRole('button', { name: 'delete gone.txt' }).click();
      await snap('object-delete-confirm');
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await expect
        .poll(() => page.locator('.presigned').textContent())
        .toContain('Deleted gone.txt');
      expect(await page.locator('main td.empty').count()).toBe(1);
      await page.goto(`${server.endpoint}/_yunbox/console/#/buckets`);
      await page.getByRole('button', { name: 'delete bucket console-made' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await expect
        .poll(() => page.locator('main [role=status]').first().textContent())
        .toContain('Deleted bucket console-made');
      expect(await page.locator('main tbody').textContent()).not.toContain('console-made');
      await snap('bucket-deleted');
    });

    it('shows the read-only role’s denied PutObject in the audit trail with its explanation', async () => {
      const cred = (globalThis as any).instanceCred;
      const client = ossClient(
        server,
        {
          accessKeyId: cred.AccessKeyId,
          accessKeySecret: cred.AccessKeySecret,
          securityToken: cred.SecurityToken,
        },
        { bucket: 'ramroletest' },
      );
      expect((await client.list({ 'max-keys': 10 })).objects.length).toBeGreaterThan(0);
      await expect(client.put('denied.txt', Buffer.from('no'))).rejects.toMatchObject({
        status: 403,
      });

      await page.goto(`${server.endpoint}/_yunbox/console/#/trail?key=EventName&value=PutObject`);
      const denied = page.locator('tr.event[data-decision=implicit-deny]').first();
      await denied.waitFor({ timeout: 10_000 });
      expect(await denied.textContent()).toContain('EcsRamRoleTest');
      expect(await denied.locator('.decided-by').textContent()).not.toBe('');
      // The explanation's names read as code: the action first.
      expect(await denied.locator('.decided-by code').first().textContent()).toBe('oss:PutObject');
      await denied.getByRole('button', { name: /details of PutObject/ }).click();
      expect(await page.locator('tr.event-details:not([hidden])').textContent()).toContain(
        cred.instanceId,
      );
      expect(await page.locator('main').textContent()).not.toContain(cred.AccessKeySecret);
      expect(await page.locator('main').textContent()).not.toContain(cred.SecurityToken);
      // Its columns do not wrap: times, actions and request ids are one line each.
      expect(await wrapped('tr.event td time, tr.event .request-id, tr.event td.nowrap')).toEqual(
        [],
      );
      // Names, ARNs and ids wrap only between their parts (after `:` or `/`), never inside one.
      expect(await denied.locator('td.action').textContent()).toBe('Oss:PutObject');
      expect(await denied.locator('td.resource').textContent()).toBe('ramroletest/denied.txt');
      expect(await denied.locator('td.decided-by .nowrap').count()).toBeGreaterThan(3);
      expect(await wrapped('tr.event td.action code:not(.long-name), tr.event .nowrap')).toEqual(
        [],
      );
      await snap('trail-denied-putobject');

      // The console's own reads are hidden unless asked for; Decision is chosen from a list.
      await page.goto(`${server.endpoint}/_yunbox/console/#/trail`);
      await page.locator('table.trail caption').waitFor();
      const names = async () =>
        (await page
          .locator('tr.event')
          .evaluateAll((rows) => rows.map((r) => (r as any).dataset.event as string))) as string[];
      expect(await names()).not.toContain('LookupEvents');
      expect(await names()).toContain('PutObject');
      expect(await page.locator('table.trail caption').textContent()).toMatch(
        /^\d+ events · \d+ of the console’s own reads hidden · show$/,
      );
      expect(
        await wrapped(
          'tr.event td time, tr.event .request-id, tr.event td.nowrap, tr.event td.action code:not(.long-name), tr.event .nowrap',
        ),
      ).toEqual([]);
      await snap('trail-own-reads-hidden');
      await page.locator('table.trail caption button', { hasText: 'show' }).click();
      await expect.poll(names).toContain('LookupEvents');
      expect(await page.locator('input.own-reads').isChecked()).toBe(true);
      expect(await wrapped('tr.event td.action code:not(.long-name), tr.event .nowrap')).toEqual(
        [],
      );
      // At 1280 px the whole trail fits: nothing to scroll sideways for, even with the longest
      // event names (which wrap between their words only).
      const fit = await page
        .locator('.trail-results')
        .evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
      expect(fit.scroll).toBeLessThanOrEqual(fit.client);
      const long = await page
        .locator('tr.event td.action code.long-name')
        .evaluateAll((cs) =>
          cs.map((c) => [c.textContent, (c.closest('tr') as any).dataset.event as string]),
        );
      expect(long.length).toBeGreaterThan(0);
      for (const [shown, name] of long) expect(shown).toBe(name);
      await snap('trail-own-reads-shown');
      await page.uncheck('input.own-reads');
      await page.selectOption('.trail-filter select >> nth=0', 'Decision');
      const decision = page.locator('.trail-value select');
      expect(await decision.locator('option').allTextContents()).toEqual([
        '(choose)',
        'allow',
        'implicit-deny',
        'explicit-deny',
        'none',
      ]);
      await decision.selectOption('implicit-deny');
      await page.click('.trail-filter button[type=submit]');
      await expect
        .poll(async () => [
          ...new Set(
            await page
              .locator('tr.event')
              .evaluateAll((rows) => rows.map((r) => (r as any).dataset.decision as string)),
          ),
        ])
        .toEqual(['implicit-deny']);
      await snap('trail-decision-list');
    });

    it('keeps the header on one line at 1280 px', async () => {
      expect(page.viewportSize()?.width).toBe(1280);
      await page.goto(`${server.endpoint}/_yunbox/console/#/explorer`);
      await page.locator('#explorer-product').waitFor();
      await snap('header-1280');
      // Its parts sit side by side: their vertical middles agree.
      const middles = await page.locator('header > *').evaluateAll((els) =>
        els.map((e) => {
          const r = (e as any).getBoundingClientRect();
          return r.top + r.height / 2;
        }),
      );
      expect(Math.max(...middles) - Math.min(...middles)).toBeLessThan(4);
      const h1 = (await page.locator('header h1').boundingBox())!;
      const header = (await page.locator('header').boundingBox())!;
      // One row: no child wrapped inside either (the header is about one control high).
      expect(header.height).toBeLessThan(h1.height * 2.5);
    });

    it('advances the manual clock and stays signed in across +6 h (sessions are on real time)', async () => {
      await page.goto(`${server.endpoint}/_yunbox/console/#/explorer`);
      const clockAt = async () =>
        Date.parse((await page.locator('#server-clock').getAttribute('datetime'))!);
      const before = await clockAt();
      await page.click('button:has-text("+1 min")');
      await expect.poll(clockAt, { timeout: 10_000 }).toBe(before + 60_000);
      await snap('clock-advanced');
      await page.click('button:has-text("+6 h")');
      await expect.poll(clockAt, { timeout: 10_000 }).toBe(before + 60_000 + 6 * 3600_000);
      // Still signed in (a tick of the clock bar has passed), and signed calls still go through.
      await page.waitForTimeout(1500);
      expect(await page.locator('main.signin').count()).toBe(0);
      await expect.poll(() => page.locator('#identity').textContent()).toContain('root account');
      await explore('Sts', 'GetCallerIdentity', {});
      const who = await send();
      expect(who.status).toBe(200);
      expect(who.body.Arn).toMatch(/^acs:ram::\d+:root$/);
      await snap('signed-in-after-6h');
      // The clock controls still work after the move.
      await page.click('button:has-text("+1 h")');
      await expect.poll(clockAt, { timeout: 10_000 }).toBe(before + 60_000 + 7 * 3600_000);
      expect(await page.locator('main.signin').count()).toBe(0);
      // The page moves the clock with the signed Yunbox API: the trail has each move (these three,
      // and those of the steps above).
      const { now } = (await (await fetch(`${server.endpoint}/_yunbox/clock`)).json()) as {
        now: string;
      };
      const moves = await rpcCall({
        endpoint: server.endpoint,
        version: '2020-07-06',
        action: 'LookupEvents',
        params: { 'LookupAttribute.1.Key': 'EventName', 'LookupAttribute.1.Value': 'AdvanceClock' },
        credentials: ROOT,
        timestamp: now,
      });
      const events = (moves.json as any).Events as any[];
      expect(events.length).toBeGreaterThanOrEqual(3);
      for (const e of events) {
        expect([e.eventName, e.userIdentity.type, e.errorCode]).toEqual([
          'AdvanceClock',
          'root-account',
          '',
        ]);
      }
      expect(pageErrors).toEqual([]);
    });
  },
);
