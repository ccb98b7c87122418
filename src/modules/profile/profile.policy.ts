import type { Viewer } from '../../platform/views/render.js';

export type ProfileAction = 'profile.read_private' | 'profile.update' | 'data.export' | 'account.delete';

/**
 * Whether someone may act on a person's own profile and data. Only the person themselves may: the
 * identity note and home area are private, and admins manage accounts without reading them.
 */
export function canActOnOwnProfile(viewer: Viewer | undefined, ownerId: string, _action: ProfileAction): boolean {
  return viewer !== undefined && viewer.id === ownerId;
}

/** Whether someone may suspend or unsuspend an account: admins, never themselves. */
export function canSuspend(viewer: Viewer | undefined, targetId: string): boolean {
  return viewer?.role === 'admin' && viewer.id !== targetId;
}
