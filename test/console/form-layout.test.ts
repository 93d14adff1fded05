/**
 * @module The explorer's form layout and the request panel without a browser: which fields of
 * the real catalogue's long forms are in view, under "more fields" or among those yunbox accepts
 * but does not use; the hints under fields; and secrets masked in "Request as signed".
 */
import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '../../src/console/catalogue.js';
import type { CatalogueOperation } from '../../src/console/web/catalogue-types.js';
import {
  fieldHint,
  isSecretParam,
  maskSecrets,
  MASK,
  requestText,
} from '../../src/console/web/params.js';
import { fieldGroups, LONG_FORM } from '../../src/console/web/tutorial.js';
import { allDeclaredProducts } from '../../src/services/catalogue.js';

const catalogue = buildCatalogue(allDeclaredProducts(), 'cn-hangzhou');
const op = (product: string, name: string): CatalogueOperation =>
  catalogue.products.find((p) => p.product === product)!.operations.find((o) => o.name === name)!;

describe('form layout', () => {
  it('keeps CreateInstance to the tutorial’s fields, the rest under "more fields"', () => {
    const g = fieldGroups('CreateInstance', op('Ecs', 'CreateInstance').params);
    expect(g.shown).toEqual([
      'RegionId',
      'ImageId',
      'InstanceType',
      'VSwitchId',
      'RamRoleName',
      'InstanceName',
    ]);
    expect(g.more).toContain('Password');
    expect(g.more).toContain('HttpTokens');
    expect(g.unused).toContain('ClientToken');
    expect(g.more).not.toContain('ClientToken');
    const all = Object.keys(op('Ecs', 'CreateInstance').params);
    expect([...g.shown, ...g.more, ...g.unused].sort()).toEqual([...all].sort());
  });

  it('shows every field of a short form, and only the required ones of a long form', () => {
    const role = fieldGroups('CreateRole', op('Ram', 'CreateRole').params);
    expect(role.more).toEqual([]);
    expect(role.shown).toContain('MaxSessionDuration');
    const rule = op('Ecs', 'AuthorizeSecurityGroup').params;
    const g = fieldGroups('AuthorizeSecurityGroup', rule);
    expect(g.more.length).toBeGreaterThan(LONG_FORM);
    expect(g.shown.every((n) => rule[n]!.required || n === 'RegionId')).toBe(true);
  });

  it('no form of the catalogue shows more than the required fields and a handful', () => {
    for (const p of catalogue.products) {
      for (const o of p.operations) {
        const g = fieldGroups(o.name, o.params);
        const optional = g.shown.filter((n) => !o.params[n]!.required && n !== 'RegionId');
        expect(optional.length, `${p.product} ${o.name}`).toBeLessThanOrEqual(LONG_FORM);
      }
    }
  });
});

describe('field hints', () => {
  it('says the limits once, in words, and keeps the constraints as a tooltip', () => {
    const name = op('Ram', 'CreateRole').params.RoleName!;
    expect(fieldHint(name)).toEqual({
      text: 'role name: 1-64 letters, digits, . -',
      title: expect.stringContaining('1-64 characters'),
    });
    expect(fieldHint({ type: 'string', required: false, doc: 'description', max: 1024 })).toEqual({
      text: 'description — up to 1024 characters',
      title: 'string, 0-1024 characters',
    });
    expect(fieldHint({ type: 'boolean', required: false, doc: 'only check' }).text).toBe(
      'only check — true or false',
    );
  });
});

describe('secrets in the request as signed', () => {
  it('knows a secret parameter by its name', () => {
    for (const n of ['Password', 'NewPassword', 'OldPassword', 'AccessKeySecret'])
      expect(isSecretParam(n), n).toBe(true);
    for (const n of ['PasswordResetRequired', 'InstanceName', 'SecretName'])
      expect(isSecretParam(n), n).toBe(false);
  });

  it('masks passwords in the body and the query, and nothing else', () => {
    expect(maskSecrets('InstanceId=i-1&Password=Step2.2-Passw0rd%21&HostName=a')).toBe(
      `InstanceId=i-1&Password=${MASK}&HostName=a`,
    );
    const text = requestText({
      method: 'POST',
      url: 'http://127.0.0.1:9910/?NewPassword=x1',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: 'ACS3-HMAC-SHA256 Credential=STS.x,SignedHeaders=host,Signature=abc',
      },
      body: 'UserName=alice&Password=Hunter2-Hunter2&PasswordResetRequired=true',
    });
    expect(text).not.toContain('Hunter2');
    expect(text).not.toContain('x1');
    expect(text).toContain(`Password=${MASK}&PasswordResetRequired=true`);
    expect(text).toContain('?NewPassword=********');
    expect(text).toContain('Signature=abc');
  });
});
