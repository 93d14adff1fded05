import { describe, expect, it } from 'vitest';
import type { RestoreRecord } from '../store.js';
import { isArchiveClass, parseRestoreRequest, restoreInfo, restoreState } from './restore.js';

const record: RestoreRecord = {
  objectId: 'o1',
  storageClass: 'ColdArchive',
  tier: 'Standard',
  days: 2,
  requestedAt: 1_000,
  readyAt: 2_000,
  expiresAt: 3_000,
};

describe('restoreState', () => {
  it('is frozen without a restore, ongoing before readyAt, restored until expiresAt', () => {
    expect(restoreState('ColdArchive', undefined, 0)).toEqual({ kind: 'frozen' });
    expect(restoreState('ColdArchive', record, 1_999).kind).toBe('ongoing');
    expect(restoreState('ColdArchive', record, 2_000).kind).toBe('restored');
    expect(restoreState('ColdArchive', record, 2_999).kind).toBe('restored');
    expect(restoreState('ColdArchive', record, 3_000).kind).toBe('frozen');
  });

  it('counts a restore made for another class (the object transitioned since) as none', () => {
    expect(restoreState('DeepColdArchive', record, 2_500).kind).toBe('frozen');
    expect(restoreState('Standard', { ...record, storageClass: 'Standard' }, 2_500).kind).toBe(
      'frozen',
    );
  });

  it('knows only the three archive classes', () => {
    expect(
      ['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive', 'constructor'].map(
        isArchiveClass,
      ),
    ).toEqual([false, false, true, true, true, false]);
  });
});

describe('restoreInfo', () => {
  it('is the x-oss-restore value of each state', () => {
    expect(restoreInfo({ kind: 'frozen' })).toBeUndefined();
    expect(restoreInfo({ kind: 'ongoing', record })).toBe('ongoing-request="true"');
    expect(
      restoreInfo({
        kind: 'restored',
        record: { ...record, expiresAt: Date.UTC(2017, 3, 16, 8, 12, 33, 500) },
      }),
    ).toBe('ongoing-request="false", expiry-date="Sun, 16 Apr 2017 08:12:33 GMT"');
  });
});

describe('parseRestoreRequest', () => {
  const parse = (s: string) => parseRestoreRequest(Buffer.from(s));
  const code = (s: string) => {
    try {
      parse(s);
    } catch (e) {
      return (e as { code: string }).code;
    }
    return undefined;
  };

  it('reads Days and the tier; an empty body asks for neither', () => {
    expect(parse('')).toEqual({ jobParameters: false });
    expect(parse('<RestoreRequest><Days> 3 </Days></RestoreRequest>')).toEqual({
      days: '3',
      jobParameters: false,
    });
    expect(
      parse(
        '<?xml version="1.0"?><RestoreRequest><Days>2</Days><JobParameters><Tier>Bulk</Tier></JobParameters></RestoreRequest>',
      ),
    ).toEqual({ days: '2', jobParameters: true, tier: 'Bulk' });
    expect(parse('<root><Days>4</Days></root>')).toEqual({ days: '4', jobParameters: false });
  });

  it('refuses other documents with MalformedXML', () => {
    for (const body of [
      '<RestoreRequest>',
      '<Other><Days>1</Days></Other>',
      '<RestoreRequest><Days>1</Days><Extra/></RestoreRequest>',
      '<RestoreRequest><Days><N>1</N></Days></RestoreRequest>',
      '<RestoreRequest><JobParameters><Tier>A</Tier><Tier>B</Tier></JobParameters></RestoreRequest>',
      '<RestoreRequest><JobParameters/></RestoreRequest>',
    ]) {
      expect(code(body), body).toBe('MalformedXML');
    }
  });
});
