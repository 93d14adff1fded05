/**
 * @module The explorer's advice on policy documents without a browser: which fields carry a
 * policy, the action catalogue read from the API catalogue the server sends (the same actions
 * `yunbox policy validate` knows), and the located lines shown under the field.
 */
import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '../../src/console/catalogue.js';
import {
  actionCatalogueOf,
  policyAdvice,
  policyFields,
} from '../../src/console/web/policy-advice.js';
import { allDeclaredProducts, declaredActions } from '../../src/services/catalogue.js';
import { TYPO_POLICY } from '../../src/testing/fixtures.js';

const catalogue = buildCatalogue(allDeclaredProducts(), 'cn-hangzhou');
const op = (product: string, name: string) =>
  catalogue.products.find((p) => p.product === product)!.operations.find((o) => o.name === name)!;

describe('policy advice in the explorer', () => {
  it('finds the fields that carry a policy document', () => {
    expect(policyFields(op('Ram', 'CreatePolicy'))).toEqual(['PolicyDocument']);
    expect(policyFields(op('Ram', 'CreatePolicyVersion'))).toEqual(['PolicyDocument']);
    expect(policyFields(op('Ram', 'CreateRole'))).toEqual(['AssumeRolePolicyDocument']);
    expect(policyFields(op('Ram', 'UpdateRole'))).toEqual(['NewAssumeRolePolicyDocument']);
    expect(policyFields(op('Sts', 'AssumeRole'))).toEqual(['Policy']);
    expect(policyFields(op('Oss', 'PutBucketPolicy'))).toEqual(['body']);
    expect(policyFields(op('Oss', 'PutObject'))).toEqual([]);
    expect(policyFields(op('Ram', 'CreateUser'))).toEqual([]);
  });

  it('knows the actions the CLI knows, from the catalogue the page is sent', () => {
    expect(actionCatalogueOf(catalogue).actions).toEqual(declaredActions());
    expect(actionCatalogueOf(catalogue)).toBe(actionCatalogueOf(catalogue));
  });

  it('says where an action is unknown and what was probably meant', () => {
    expect(policyAdvice(TYPO_POLICY, actionCatalogueOf(catalogue))).toEqual([
      'line 4, column 36: `oss:GetObjects` is not an action of `oss` that yunbox knows — did you mean `oss:GetObject`?',
      'line 4, column 54: yunbox does not serve `osss`, and knows no service of that name — did you mean `oss`?',
    ]);
  });

  it('has nothing to say about good documents, half-typed ones, or oversized text', () => {
    const c = actionCatalogueOf(catalogue);
    const good = JSON.stringify({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['oss:Get*', 'oss:List*'], Resource: '*' }],
    });
    expect(policyAdvice(good, c)).toEqual([]);
    expect(policyAdvice('{"Statement": [{"Action": "oss:GetObjects"', c)).toEqual([]);
    expect(policyAdvice('', c)).toEqual([]);
    expect(policyAdvice(`{"Action":"oss:GetObjects"${' '.repeat(20_000)}}`, c)).toEqual([]);
  });
});
