import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app.js';
import { registerAccountRoutes } from './accounts.routes.js';
import { registerApiTokenRoutes } from './api-tokens.routes.js';
import { registerSessionRoutes } from './session.routes.js';
import { registerTwoFactorRoutes } from './two-factor.routes.js';

/** Every route of the accounts module. */
export function registerAccounts(app: FastifyInstance, ctx: AppContext): void {
  registerSessionRoutes(app, ctx);
  registerAccountRoutes(app, ctx);
  registerTwoFactorRoutes(app, ctx);
  registerApiTokenRoutes(app, ctx);
}

export { createAdmin, hashPassword, normalizeEmail, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './accounts.service.js';
export { upsertUser, type Role } from './accounts.repository.js';

import type { Executor } from '../../db/client.js';
import { deleteExpiredEmailTokens, deleteExpiredSessions } from './accounts.repository.js';
import { deleteExpiredLoginChallenges } from './two-factor.repository.js';

/** Hourly housekeeping of the accounts tables: expired sessions, sign-in challenges and e-mail links. */
export async function accountsMaintenance(db: Executor): Promise<void> {
  await deleteExpiredSessions(db);
  await deleteExpiredLoginChallenges(db);
  await deleteExpiredEmailTokens(db);
}
