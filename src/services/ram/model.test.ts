/**
 * @module Unit tests of RAM's id formats: RoleId 18 digits from 3, UserId 18 digits from 2,
 * GroupId `g-` and 16 letters and digits, as Alibaba hands them out.
 */
import { describe, expect, it } from 'vitest';
import { newGroupId, newRoleId, newUserId } from './model.js';

describe('RAM ids', () => {
  it('RoleId: 18 digits starting with 3', () => {
    for (let i = 0; i < 200; i++) expect(newRoleId()).toMatch(/^3\d{17}$/);
  });

  it('UserId: 18 digits starting with 2', () => {
    for (let i = 0; i < 200; i++) expect(newUserId()).toMatch(/^2\d{17}$/);
  });

  it('GroupId: g- and 16 letters and digits', () => {
    for (let i = 0; i < 200; i++) expect(newGroupId()).toMatch(/^g-[A-Za-z0-9]{16}$/);
  });

  it('ids do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, newRoleId));
    expect(ids.size).toBe(1000);
  });
});
