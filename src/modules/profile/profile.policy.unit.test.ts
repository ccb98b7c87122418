import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../platform/views/render.js';
import { canActOnOwnProfile, canSuspend } from './profile.policy.js';

const person = (id: string, role: Viewer['role']): Viewer => ({ id, displayName: id, role, confirmed: true });

describe('profile policy', () => {
  it('lets people act only on their own profile, whatever their role', () => {
    for (const role of ['user', 'moderator', 'admin'] as const) {
      expect(canActOnOwnProfile(person('a', role), 'a', 'profile.read_private')).toBe(true);
      expect(canActOnOwnProfile(person('a', role), 'b', 'profile.read_private')).toBe(false);
      expect(canActOnOwnProfile(person('a', role), 'b', 'account.delete')).toBe(false);
    }
    expect(canActOnOwnProfile(undefined, 'a', 'data.export')).toBe(false);
  });

  it('lets admins suspend others, never themselves', () => {
    expect(canSuspend(person('a', 'admin'), 'b')).toBe(true);
    expect(canSuspend(person('a', 'admin'), 'a')).toBe(false);
    expect(canSuspend(person('a', 'moderator'), 'b')).toBe(false);
    expect(canSuspend(person('a', 'user'), 'b')).toBe(false);
    expect(canSuspend(undefined, 'b')).toBe(false);
  });
});
