import type { Executor } from '../../db/client.js';
import type { ModuleDefinition } from '../../platform/module.js';
import { deleteExpiredEmailTokens, deleteExpiredSessions } from './accounts.repository.js';
import { accountsApi } from './accounts.openapi.js';
import { registerAccountRoutes } from './accounts.routes.js';
import { registerApiTokenRoutes } from './api-tokens.routes.js';
import { registerSessionRoutes } from './session.routes.js';
import { deleteExpiredLoginChallenges } from './two-factor.repository.js';
import { registerTwoFactorRoutes } from './two-factor.routes.js';

/** Hourly housekeeping of the accounts tables: expired sessions, sign-in challenges and e-mail links. */
export async function accountsMaintenance(db: Executor): Promise<void> {
  await deleteExpiredSessions(db);
  await deleteExpiredLoginChallenges(db);
  await deleteExpiredEmailTokens(db);
}

const signedOut = (viewer: unknown) => viewer === undefined;
const signedInOnly = (viewer: unknown) => viewer !== undefined;

/** People and how they prove who they are: sign-up, sign-in, sessions, two-step sign-in, API tokens. */
export const accountsModule: ModuleDefinition = {
  name: 'accounts',
  routes(app, ctx) {
    registerSessionRoutes(app, ctx);
    registerAccountRoutes(app, ctx);
    registerTwoFactorRoutes(app, ctx);
    registerApiTokenRoutes(app, ctx);
  },
  api: accountsApi,
  maintenance: [accountsMaintenance],
  nav: [
    { href: '/account', label: 'layout.nav.account', order: 40, show: signedInOnly },
    { href: '/login', label: 'layout.nav.login', order: 70, show: signedOut },
    { href: '/signup', label: 'layout.nav.signup', order: 80, show: signedOut },
  ],
  accountLinks: [
    { href: '/account/password', label: 'account.hub.link.password', order: 50 },
    { href: '/account/email', label: 'account.hub.link.email', order: 60 },
    { href: '/account/sessions', label: 'account.hub.link.sessions', order: 70 },
    { href: '/account/two-factor', label: 'account.hub.link.twoFactor', order: 80 },
    { href: '/account/tokens', label: 'account.hub.link.tokens', order: 90 },
  ],
};

export { createAdmin, hashPassword, normalizeEmail, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './accounts.service.js';
export { upsertUser, type Role } from './accounts.repository.js';
