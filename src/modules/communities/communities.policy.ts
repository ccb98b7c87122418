import type { Viewer } from '../../platform/views/render.js';
import type { CommunityAccess } from './communities.service.js';

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
