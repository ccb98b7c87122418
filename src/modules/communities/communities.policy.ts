import type { Viewer } from '../../platform/views/render.js';
import type { CommunityAccess } from './communities.model.js';

/** Whether the viewer may see the community at all: blocked people see nothing; unverified ones only their proposers' team and moderators. */
export function canSeeCommunity(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  if (access.blocked) return false;
  if (access.community.status === 'verified') return true;
  if (viewer && (viewer.role === 'moderator' || viewer.role === 'admin')) return true;
  return access.role === 'organizer';
}

/** Whether the viewer may publish and manage asks for the community: its organizers, once it is a verified community (never a supporter group). */
export function canManageAsks(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  return (
    viewer !== undefined &&
    !access.blocked &&
    access.role === 'organizer' &&
    access.community.status === 'verified' &&
    access.community.kind === 'community'
  );
}

/** Whether the person is an instance moderator (moderators and admins verify proposals). */
export function isModerator(viewer: Viewer | undefined): boolean {
  return viewer !== undefined && (viewer.role === 'moderator' || viewer.role === 'admin');
}

/** Whether the person may open the moderation queue and verify or reject proposals. */
export function canModerateCommunities(viewer: Viewer | undefined): boolean {
  return isModerator(viewer);
}

/** Anyone signed in may propose a community. */
export function canProposeCommunity(viewer: Viewer | undefined): boolean {
  return viewer !== undefined;
}

/** What a person may try to do to a community. */
export type CommunityAction =
  | 'view'
  | 'follow'
  | 'unfollow'
  | 'request_join'
  | 'accept_invite'
  | 'leave'
  | 'step_down'
  | 'edit'
  | 'manage_people'
  | 'view_memberships'
  | 'invite'
  | 'decide_request'
  | 'promote'
  | 'remove'
  | 'block'
  | 'unblock';

/**
 * The answer to "may this person do this here?":
 * - 'allow'
 * - 'hidden': they may not even know the community exists (404)
 * - 'forbidden': they see it but may not do this (403)
 * - 'conflict': the action makes no sense in the community's or their current state (409),
 *   e.g. the last organizer stepping down
 */
export type Decision = 'allow' | 'hidden' | 'forbidden' | 'conflict';

/** Facts about the community the decision needs besides the viewer's relation. */
export interface CommunityFacts {
  /** How many organizers the community has now. */
  organizers: number;
}

const ORGANIZER_ACTIONS: ReadonlySet<CommunityAction> = new Set(['edit', 'manage_people', 'view_memberships', 'invite', 'decide_request', 'promote', 'remove', 'block', 'unblock']);

/** Decides a community action for a person (pure: the same function guards routes and shapes the page's buttons). */
export function decideCommunityAction(viewer: Viewer | undefined, access: CommunityAccess, action: CommunityAction, facts: CommunityFacts): Decision {
  if (!canSeeCommunity(viewer, access)) return 'hidden';
  if (action === 'view') return 'allow';
  if (!viewer) return 'forbidden';
  const { role } = access;
  const verified = access.community.status === 'verified';
  if (ORGANIZER_ACTIONS.has(action)) return role === 'organizer' ? 'allow' : 'forbidden';
  switch (action) {
    case 'follow':
      // Following is for people outside the community; members already hear from it.
      if (!verified) return 'forbidden';
      return role === null || role === 'ally' ? 'allow' : 'conflict';
    case 'unfollow':
      if (role === 'member' || role === 'organizer') return 'conflict';
      return 'allow';
    case 'request_join':
      if (!verified) return 'forbidden';
      return role === null || role === 'ally' ? 'allow' : 'conflict';
    case 'accept_invite':
      return role === 'member' || role === 'organizer' ? 'conflict' : 'allow';
    case 'leave':
      if (role === null) return 'conflict';
      if (role === 'organizer' && facts.organizers <= 1) return 'conflict';
      return 'allow';
    case 'step_down':
      if (role !== 'organizer') return 'forbidden';
      return facts.organizers <= 1 ? 'conflict' : 'allow';
    default:
      return 'forbidden';
  }
}

/** Whether a moderation decision (verify or reject) applies: only pending proposals are decided. */
export function decideModeration(viewer: Viewer | undefined, status: CommunityAccess['community']['status']): Decision {
  if (!canModerateCommunities(viewer)) return 'forbidden';
  return status === 'pending' ? 'allow' : 'conflict';
}
