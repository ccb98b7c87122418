import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../platform/views/render.js';
import { canManageAsks, canModerateCommunities, canProposeCommunity, canSeeCommunity, decideCommunityAction, decideModeration, type CommunityAction } from './communities.policy.js';
import type { CommunityKind, CommunityRole, CommunityStatus } from './communities.repository.js';
import type { CommunityAccess } from './communities.service.js';

const VIEWERS: Record<string, Viewer | undefined> = {
  anonymous: undefined,
  user: { id: 'u', displayName: 'U', role: 'user', confirmed: true },
  moderator: { id: 'm', displayName: 'M', role: 'moderator', confirmed: true },
  admin: { id: 'a', displayName: 'A', role: 'admin', confirmed: true },
};
const ROLES: Array<CommunityRole | null> = [null, 'ally', 'member', 'organizer'];
const STATUSES: CommunityStatus[] = ['pending', 'verified', 'rejected', 'suspended'];
const KINDS: CommunityKind[] = ['community', 'supporter_group'];
const ACTIONS: CommunityAction[] = [
  'view',
  'follow',
  'unfollow',
  'request_join',
  'accept_invite',
  'leave',
  'step_down',
  'edit',
  'manage_people',
  'view_memberships',
  'invite',
  'decide_request',
  'promote',
  'remove',
  'block',
  'unblock',
];
const ORGANIZER_ONLY: CommunityAction[] = ['edit', 'manage_people', 'view_memberships', 'invite', 'decide_request', 'promote', 'remove', 'block', 'unblock'];

function access(role: CommunityRole | null, blocked: boolean, status: CommunityStatus = 'verified', kind: CommunityKind = 'community'): CommunityAccess {
  return { community: { id: 'c', slug: 'c-1', name: 'C', kind, status, ledgerVisibility: 'public' }, role, blocked };
}

/** Every combination of viewer, relation, block, status, kind and organizer count. */
function* everything() {
  for (const [viewerName, viewer] of Object.entries(VIEWERS))
    for (const role of viewer ? ROLES : [null])
      for (const blocked of viewer ? [false, true] : [false])
        for (const status of STATUSES)
          for (const kind of KINDS)
            for (const organizers of [1, 2])
              for (const action of ACTIONS) yield { viewerName, viewer, role, blocked, status, kind, organizers, action, subject: access(role, blocked, status, kind) };
}

describe('community policy', () => {
  it('hides the community from a person it blocked, whatever they are elsewhere', () => {
    for (const c of everything()) if (c.blocked) expect(decideCommunityAction(c.viewer, c.subject, c.action, c)).toBe('hidden');
  });

  it('shows unverified communities only to their organizers and to moderators', () => {
    for (const c of everything()) {
      if (c.blocked || c.status === 'verified') continue;
      const sees = c.role === 'organizer' || c.viewerName === 'moderator' || c.viewerName === 'admin';
      expect(canSeeCommunity(c.viewer, c.subject), JSON.stringify(c)).toBe(sees);
      if (!sees) expect(decideCommunityAction(c.viewer, c.subject, c.action, c)).toBe('hidden');
    }
  });

  it('lets only organizers edit, see people, invite, decide requests, promote, remove and block', () => {
    for (const c of everything()) {
      if (!ORGANIZER_ONLY.includes(c.action) || c.blocked) continue;
      const decision = decideCommunityAction(c.viewer, c.subject, c.action, c);
      if (c.role === 'organizer') expect(decision).toBe('allow');
      else expect(['hidden', 'forbidden']).toContain(decision);
    }
  });

  it('never lets the last organizer leave or step down', () => {
    for (const c of everything()) {
      if (c.role !== 'organizer' || c.blocked || (c.action !== 'leave' && c.action !== 'step_down')) continue;
      expect(decideCommunityAction(c.viewer, c.subject, c.action, c)).toBe(c.organizers === 1 ? 'conflict' : 'allow');
    }
  });

  it('decides each role in a verified community as the table says', () => {
    const table: Record<string, Partial<Record<CommunityAction, string>>> = {
      anonymous: { view: 'allow', follow: 'forbidden', request_join: 'forbidden', leave: 'forbidden', edit: 'forbidden' },
      none: { view: 'allow', follow: 'allow', unfollow: 'allow', request_join: 'allow', accept_invite: 'allow', leave: 'conflict', step_down: 'forbidden', edit: 'forbidden' },
      ally: { follow: 'allow', unfollow: 'allow', request_join: 'allow', accept_invite: 'allow', leave: 'allow', step_down: 'forbidden', invite: 'forbidden' },
      member: { follow: 'conflict', unfollow: 'conflict', request_join: 'conflict', accept_invite: 'conflict', leave: 'allow', step_down: 'forbidden', promote: 'forbidden' },
      organizer: { follow: 'conflict', unfollow: 'conflict', request_join: 'conflict', accept_invite: 'conflict', leave: 'allow', step_down: 'allow', block: 'allow' },
    };
    for (const [who, expected] of Object.entries(table)) {
      const viewer = who === 'anonymous' ? undefined : VIEWERS.user;
      const role = who === 'anonymous' || who === 'none' ? null : (who as CommunityRole);
      for (const [action, decision] of Object.entries(expected)) {
        expect(decideCommunityAction(viewer, access(role, false), action as CommunityAction, { organizers: 2 }), `${who} ${action}`).toBe(decision);
      }
    }
  });

  it('lets nobody follow or ask to join a community that is not verified', () => {
    for (const c of everything()) {
      if (c.status === 'verified' || (c.action !== 'follow' && c.action !== 'request_join')) continue;
      expect(decideCommunityAction(c.viewer, c.subject, c.action, c)).not.toBe('allow');
    }
  });

  it('lets only organizers of a verified community (never a supporter group) manage asks', () => {
    for (const c of everything()) {
      const expected = c.viewer !== undefined && !c.blocked && c.role === 'organizer' && c.status === 'verified' && c.kind === 'community';
      expect(canManageAsks(c.viewer, c.subject), JSON.stringify(c)).toBe(expected);
    }
    expect(canManageAsks(VIEWERS.user, access('organizer', false, 'verified', 'supporter_group'))).toBe(false);
  });

  it('lets moderators and admins decide pending proposals only, and anyone signed in propose', () => {
    for (const [name, viewer] of Object.entries(VIEWERS)) {
      const moderates = name === 'moderator' || name === 'admin';
      expect(canModerateCommunities(viewer)).toBe(moderates);
      expect(canProposeCommunity(viewer)).toBe(viewer !== undefined);
      for (const status of STATUSES) expect(decideModeration(viewer, status)).toBe(!moderates ? 'forbidden' : status === 'pending' ? 'allow' : 'conflict');
    }
  });
});
