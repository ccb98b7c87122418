import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../platform/views/render.js';
import type { CommunityAccess } from '../communities/index.js';
import { canSeeAllyNames, canSeeAttendance, canSeeLedger } from './ledger.policy.js';

const person: Viewer = { id: 'u1', displayName: 'P', role: 'user', confirmed: true };
const admin: Viewer = { id: 'a1', displayName: 'A', role: 'admin', confirmed: true };

function access(role: CommunityAccess['role'], options: Partial<CommunityAccess['community']> & { blocked?: boolean } = {}): CommunityAccess {
  const { blocked = false, ...community } = options;
  return { community: { id: 'c1', slug: 'c', name: 'C', kind: 'community', status: 'verified', ledgerVisibility: 'public', ...community }, role, blocked };
}

const ROLES = ['organizer', 'member', 'ally', null] as const;

describe('who sees a ledger', () => {
  it('shows a public ledger to whoever sees the community, signed in or not', () => {
    expect(canSeeLedger(undefined, access(null))).toBe(true);
    for (const role of ROLES) expect(canSeeLedger(person, access(role))).toBe(true);
  });

  it('keeps a members-only ledger to members and organizers: followers, strangers and instance admins do not see it', () => {
    const members = { ledgerVisibility: 'members' as const };
    expect(canSeeLedger(undefined, access(null, members))).toBe(false);
    expect(canSeeLedger(person, access('ally', members))).toBe(false);
    expect(canSeeLedger(person, access(null, members))).toBe(false);
    expect(canSeeLedger(admin, access(null, members))).toBe(false);
    expect(canSeeLedger(person, access('member', members))).toBe(true);
    expect(canSeeLedger(person, access('organizer', members))).toBe(true);
  });

  it('never shows anything to a blocked person, nor an unverified community to outsiders', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.constantFrom('public' as const, 'members' as const), (role, visibility) => {
        const blocked = access(role, { blocked: true, ledgerVisibility: visibility });
        expect(canSeeLedger(person, blocked)).toBe(false);
        expect(canSeeAllyNames(person, blocked)).toBe(false);
        expect(canSeeAttendance(person, blocked)).toBe(false);
      }),
    );
    expect(canSeeLedger(undefined, access(null, { status: 'pending' }))).toBe(false);
  });

  it('gives allies’ names and attendance sheets to organizers only', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.constantFrom('public' as const, 'members' as const), fc.constantFrom(undefined, person, admin), (role, visibility, viewer) => {
        const a = access(role, { ledgerVisibility: visibility });
        const organizer = viewer !== undefined && role === 'organizer';
        expect(canSeeAllyNames(viewer, a)).toBe(organizer);
        expect(canSeeAttendance(viewer, a)).toBe(organizer);
        // Whoever gets names also sees the ledger.
        if (canSeeAllyNames(viewer, a)) expect(canSeeLedger(viewer, a)).toBe(true);
      }),
    );
  });
});
