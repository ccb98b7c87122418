import type { Viewer } from '../../platform/views/render.js';

/**
 * Whether the viewer may read or change an entry: its author alone. Not organizers, not
 * moderators, not admins: the journal has no role that reaches another person's entries.
 */
export function canUseEntry(viewer: Viewer | undefined, entry: { userId: string }): boolean {
  return viewer !== undefined && viewer.id === entry.userId;
}
