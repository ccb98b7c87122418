export { registerAccountRoutes as registerAccounts } from './accounts.routes.js';
export { createAdmin, hashPassword, normalizeEmail, PASSWORD_MAX, PASSWORD_MIN } from './accounts.service.js';
export { upsertUser, type Role } from './accounts.repository.js';
