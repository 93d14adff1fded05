/**
 * Unit tests of how RPC error messages quote caller input: a bounded, printable prefix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ECHO, echoInput } from './rpc-errors.js';

describe('echoInput', () => {
  it('quotes names as they are', () => {
    expect(echoInput('ListUsers')).toBe('ListUsers');
    expect(echoInput('2015-05-01')).toBe('2015-05-01');
  });

  it('cuts at 64 characters, marked', () => {
    expect(echoInput('A'.repeat(1_000_000))).toBe(`${'A'.repeat(MAX_ECHO)}…`);
  });

  it('shows anything but printable ASCII, and the backtick, as ?', () => {
    expect(echoInput('a b\u001b[31m`é\u0000\n')).toBe('a?b?[31m????');
  });

  it('is bounded and printable whatever it is given', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (s) => {
        const out = echoInput(s);
        expect(out.length).toBeLessThanOrEqual(MAX_ECHO + 1);
        expect(out).toMatch(/^[!-_a-~]*…?$/);
      }),
    );
  });
});
