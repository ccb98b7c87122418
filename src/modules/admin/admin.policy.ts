import type { Viewer } from '../../platform/views/render.js';

export type AdminAction = 'admin.view' | 'jobs.retry' | 'mail.read' | 'audit.read';

/** Whether a person may do an instance-administration action. Only admins may. */
export function canAdminister(viewer: Viewer | undefined, _action: AdminAction): boolean {
  return viewer?.role === 'admin';
}
