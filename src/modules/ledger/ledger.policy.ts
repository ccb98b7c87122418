import type { Viewer } from '../../platform/views/render.js';
import { canSeeCommunity, type CommunityAccess } from '../communities/index.js';

/** Whether the person is an organizer of the community (and not blocked by it). */
export function isOrganizer(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  return viewer !== undefined && !access.blocked && access.role === 'organizer';
}

/**
 * Whether the viewer may see the community's ledger: whoever sees the community when the ledger is
 * public; only its organizers and members when the community keeps it to members (for everyone
 * else it does not exist: 404). Allies who follow are not members.
 */
export function canSeeLedger(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  if (!canSeeCommunity(viewer, access)) return false;
  if (access.community.ledgerVisibility === 'public') return true;
  return viewer !== undefined && (access.role === 'organizer' || access.role === 'member');
}

/**
 * Whether the ledger's CSV carries allies' names. A public ledger is read by anyone, including
 * people who target those who help: a name next to a date and an ask can locate someone. So only
 * the community's organizers, who know who came anyway, get the names.
 */
export function canSeeAllyNames(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  return canSeeLedger(viewer, access) && isOrganizer(viewer, access);
}

/** Whether the viewer may download an ask's attendance sheet: the community's organizers. */
export function canSeeAttendance(viewer: Viewer | undefined, access: CommunityAccess): boolean {
  return canSeeCommunity(viewer, access) && isOrganizer(viewer, access);
}
