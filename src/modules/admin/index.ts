export { registerAdminRoutes as registerAdmin } from './admin.routes.js';
export { canAdminister } from './admin.policy.js';
