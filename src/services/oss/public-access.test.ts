import { describe, expect, it } from 'vitest';
import { hasPublicStatement, isPublicAcl, privatePart } from './public-access.js';

const doc = (statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });
const allow = (principal?: unknown) => ({
  Effect: 'Allow',
  ...(principal !== undefined ? { Principal: principal } : {}),
  Action: ['oss:GetObject'],
  Resource: ['acs:oss:*:1:b/*'],
});

describe('public grants', () => {
  it('public ACLs', () => {
    expect(isPublicAcl('public-read')).toBe(true);
    expect(isPublicAcl('public-read-write')).toBe(true);
    expect(isPublicAcl('private')).toBe(false);
    expect(isPublicAcl('default')).toBe(false);
    expect(isPublicAcl(undefined)).toBe(false);
  });

  it('Allow statements for everyone are public; named principals and Deny are not', () => {
    expect(hasPublicStatement(doc([allow(['*'])]))).toBe(true);
    expect(hasPublicStatement(doc([allow('*')]))).toBe(true);
    expect(hasPublicStatement(doc([allow()]))).toBe(true);
    expect(hasPublicStatement(doc([allow(['123'])]))).toBe(false);
    expect(hasPublicStatement(doc([{ ...allow(['*']), Effect: 'Deny' }]))).toBe(false);
    expect(hasPublicStatement(undefined)).toBe(false);
  });

  it('privatePart drops only the public Allow statements', () => {
    const deny = { ...allow(['*']), Effect: 'Deny' };
    const kept = JSON.parse(privatePart(doc([allow(['*']), allow(['123']), deny]))!);
    expect(kept.Statement).toEqual([allow(['123']), deny]);
    expect(privatePart(doc([allow(['123'])]))).toBeNull();
  });
});
