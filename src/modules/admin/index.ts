import type { ModuleDefinition } from '../../platform/module.js';
import { registerAdminRoutes } from './admin.routes.js';

/** The instance admin area: people, background jobs, the mail outbox and the audit log. */
export const adminModule: ModuleDefinition = {
  name: 'admin',
  routes: registerAdminRoutes,
  nav: [{ href: '/admin', label: 'layout.nav.admin', order: 60, show: (viewer) => viewer?.role === 'admin' }],
};

export { canAdminister } from './admin.policy.js';
