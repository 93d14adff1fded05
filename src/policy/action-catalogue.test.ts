/**
 * @module Unit tests of the action catalogue: advice per entry kind, suggestions, locations, the
 * bounded edit distance against the full table, and that advice never makes a document invalid.
 */
import { describe, expect, it } from 'vitest';
import {
  ActionCatalogue,
  adviseActions,
  boundedEditDistance,
  closestName,
} from './action-catalogue.js';
import { compilePolicy } from './compile.js';

const catalogue = new ActionCatalogue([
  'oss:GetObject',
  'oss:PutObject',
  'oss:ListObjects',
  'oss:ListBuckets',
  'ram:CreateRole',
  'sts:AssumeRole',
]);

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
  return d[a.length]![b.length]!;
}

describe('boundedEditDistance', () => {
  it('agrees with the full table up to k, and says k + 1 beyond', () => {
    const words = [
      '',
      'a',
      'ab',
      'ba',
      'getobject',
      'getobjects',
      'putobject',
      'listobjects',
      'listobject',
      'gteobject',
      'abcdef',
      'azced',
      'kitten',
      'sitting',
      'xyz',
    ];
    for (const a of words)
      for (const b of words)
        for (const k of [0, 1, 2, 3]) {
          const full = levenshtein(a, b);
          expect(boundedEditDistance(a, b, k), `${a}/${b}/${k}`).toBe(Math.min(full, k + 1));
        }
  });

  it('agrees with the full table on random strings', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const word = () => Array.from({ length: rnd(9) }, () => 'abc'[rnd(3)]).join('');
    for (let t = 0; t < 2000; t++) {
      const a = word();
      const b = word();
      const k = rnd(4);
      expect(boundedEditDistance(a, b, k), `${a}/${b}/${k}`).toBe(
        Math.min(levenshtein(a, b), k + 1),
      );
    }
  });
});

describe('closestName', () => {
  it('suggests within a distance that grows with the length', () => {
    expect(closestName('GetObjects', ['GetObject', 'PutObject'])).toBe('GetObject');
    expect(closestName('getobject', ['GetObject'])).toBe('GetObject');
    expect(closestName('osss', ['oss', 'ram'])).toBe('oss');
    expect(closestName('Delete', ['GetObject', 'PutObject'])).toBeUndefined();
    expect(closestName('x'.repeat(500), ['x'.repeat(499)])).toBeUndefined();
  });
});

describe('ActionCatalogue.advise', () => {
  it('accepts served actions in any case, matching wildcards and `*`', () => {
    for (const a of [
      'oss:GetObject',
      'OSS:getobject',
      'oss:*',
      'oss:Get*',
      'oss:List?bjects',
      '*',
      '*:GetObject',
      'o*:Put*',
      'ram:CreateRole',
    ])
      expect(catalogue.advise(a), a).toBeUndefined();
  });

  it('flags an unknown action of a served service, with the closest one', () => {
    expect(catalogue.advise('oss:GetObjects')).toEqual({
      code: 'UnknownAction',
      message:
        '`oss:GetObjects` is not an action of `oss` that yunbox knows — did you mean `oss:GetObject`?',
    });
    expect(catalogue.advise('oss:Frobnicate')).toEqual({
      code: 'UnknownAction',
      message:
        '`oss:Frobnicate` is not an action of `oss` that yunbox knows (a typo, or an operation yunbox does not implement)',
    });
  });

  it('flags a wildcard that matches nothing', () => {
    expect(catalogue.advise('oss:Lst*')?.code).toBe('ActionMatchesNothing');
    expect(catalogue.advise('r?m:Frob*')?.code).toBe('ActionMatchesNothing');
    expect(catalogue.advise('*:Frob*')).toBeUndefined(); // may be an action of `log`, `kms` …
  });

  it('tells an unserved product from an unknown prefix', () => {
    expect(catalogue.advise('log:GetLogStore')).toEqual({
      code: 'UnservedService',
      message: 'yunbox does not serve `log`: nothing here checks `log:GetLogStore`',
    });
    expect(catalogue.advise('osss:List*')).toEqual({
      code: 'UnknownService',
      message:
        'yunbox does not serve `osss`, and knows no service of that name — did you mean `oss`?',
    });
    expect(catalogue.advise('zzzzzz:Get')?.message).toBe(
      'yunbox does not serve `zzzzzz`, and knows no service of that name',
    );
  });

  it('lists services and actions', () => {
    expect(catalogue.services).toEqual(['oss', 'ram', 'sts']);
    expect(catalogue.has('sts:assumerole')).toBe(true);
    expect(catalogue.actions).toContain('oss:ListBuckets');
  });
});

describe('adviseActions', () => {
  const doc = [
    '{',
    '  "Version": "1",',
    '  "Statement": [',
    '    {"Effect": "Allow", "Action": ["oss:GetObjects", "osss:List*", "oss:PutObject"], "Resource": "*"},',
    '    {"Effect": "Deny", "NotAction": "kms:Decrypt", "Resource": "*"}',
    '  ]',
    '}',
  ].join('\n');

  it('warns per entry with pointer, line and column; the document stays valid', () => {
    const r = compilePolicy(doc, 'identity');
    expect(r.ok).toBe(true);
    const w = adviseActions(doc, catalogue);
    expect(w.map((d) => [d.code, d.pointer, d.line, d.column, d.severity])).toEqual([
      ['UnknownAction', '/Statement/0/Action/0', 4, 36, 'warning'],
      ['UnknownService', '/Statement/0/Action/1', 4, 54, 'warning'],
      ['UnservedService', '/Statement/1/NotAction', 5, 24, 'warning'],
    ]);
  });

  it('reads a single-object Statement and ignores what validation reports', () => {
    const one =
      '{"Version":"1","Statement":{"Effect":"Allow","Action":"oss:GetObjects","Resource":"*"}}';
    expect(adviseActions(one, catalogue).map((d) => d.pointer)).toEqual(['/Statement/Action']);
    expect(adviseActions('{not json', catalogue)).toEqual([]);
    expect(adviseActions('[]', catalogue)).toEqual([]);
    expect(
      adviseActions('{"Statement":[{"Action":[1,null,"oss",""]},"x",null]}', catalogue),
    ).toEqual([]);
  });
});
