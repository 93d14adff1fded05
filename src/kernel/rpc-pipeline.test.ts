/**
 * Unit tests of the RPC pipeline's name checks: `Action` is a letter then letters and digits, at
 * most 64; `Version` is `YYYY-MM-DD`; anything else, however long, is refused in one pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ACTION_LENGTH, isActionName, isVersionName } from './rpc-pipeline.js';

describe('isActionName', () => {
  it.each(['CreateUser', 'A', 'DescribeInstances2', 'x'.repeat(MAX_ACTION_LENGTH)])(
    'accepts %s',
    (s) => expect(isActionName(s)).toBe(true),
  );
  it.each([
    '',
    '1Create',
    'Create User',
    'Create-User',
    'Create.User',
    'CreateUser\u0000',
    'Créer',
    'x'.repeat(MAX_ACTION_LENGTH + 1),
  ])('refuses %j', (s) => expect(isActionName(s)).toBe(false));

  it('refuses a megabyte', () => expect(isActionName('A'.repeat(1_000_000))).toBe(false));

  it('agrees with the regular expression it stands for', () => {
    const re = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,70}$/)),
        (s) => {
          expect(isActionName(s)).toBe(re.test(s));
        },
      ),
    );
  });
});

describe('isVersionName', () => {
  it.each(['2015-05-01', '2020-07-06', '2026-11-01'])('accepts %s', (s) =>
    expect(isVersionName(s)).toBe(true),
  );
  it.each(['', '2015-5-01', '2015/05/01', '2015-05-011', '20150501', 'abcd-ef-gh', '2015-05-0１'])(
    'refuses %j',
    (s) => expect(isVersionName(s)).toBe(false),
  );
});
