/** Rows of personal API tokens: the page at /account/tokens and the token endpoints of the API. */
import { createApiToken } from '../../../src/modules/accounts/api-tokens.service.js';
import { hashPassword, normalizeEmail, upsertUser } from '../../../src/modules/accounts/index.js';
import { signedInApi, signedInPage, type Actor, type AuthzHelpers, type AuthzRow, type Fixture, type Outcome } from '../types.js';

/** A token of someone who is none of the actors, for the rows that try to touch another person's token. */
export async function setup(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  const email = 'token-owner@authz.test';
  const userId = await upsertUser(helpers.db.kysely, {
    email,
    emailNormalized: normalizeEmail(email),
    displayName: 'Token owner',
    passwordHash: await hashPassword('another person entirely'),
    role: 'user',
    verified: true,
  });
  fixture.ids.foreignToken = (await createApiToken(helpers.db, { userId, name: 'not yours', scope: 'write', requestId: 'authz-matrix' })).id;
}

/** A new token of the actor to revoke (anonymous people get someone else's: they must be stopped before it matters). */
async function ownToken(fixture: Fixture, actor: Actor, helpers: AuthzHelpers): Promise<void> {
  const user = fixture.users[actor];
  fixture.ids.ownToken = user
    ? (await createApiToken(helpers.db, { userId: user.id, name: 'to revoke', scope: 'read', requestId: 'authz-matrix' })).id
    : fixture.ids.foreignToken!;
}

const credentials = (fixture: Fixture, actor: Actor) => {
  const user = fixture.users[actor];
  return {
    email: user?.email ?? 'nobody@authz.test',
    password: user?.password ?? 'not a password of anyone',
    name: 'matrix',
    scope: 'read',
  };
};

/** Whoever holds the password of an account that may sign in gets a token. */
const withPassword = (actor: Actor): Outcome => (actor === 'anonymous' || actor === 'suspended' ? 401 : 'ok');
/** Another person's token does not exist as far as anyone else can tell. */
const foreignPage = (actor: Actor): Outcome => (actor === 'anonymous' || actor === 'suspended' ? 'login' : 404);
const foreignApi = (actor: Actor): Outcome => (actor === 'anonymous' || actor === 'suspended' ? 401 : 404);

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/account/tokens', expect: signedInPage },
  { method: 'POST', route: '/account/tokens', body: { name: 'matrix', scope: 'read' }, expect: signedInPage },
  {
    method: 'POST',
    route: '/account/tokens/:id/revoke',
    name: 'own token',
    prepare: ownToken,
    path: (fixture) => `/account/tokens/${fixture.ids.ownToken}/revoke`,
    expect: signedInPage,
  },
  {
    method: 'POST',
    route: '/account/tokens/:id/revoke',
    name: 'another person’s token',
    path: (fixture) => `/account/tokens/${fixture.ids.foreignToken}/revoke`,
    expect: foreignPage,
  },
  { method: 'POST', route: '/api/v1/auth/tokens', name: 'credentials only', via: 'none', body: credentials, expect: withPassword },
  { method: 'POST', route: '/api/v1/auth/tokens', name: 'from a signed-in browser', via: 'session', body: credentials, expect: withPassword },
  { method: 'GET', route: '/api/v1/auth/tokens', expect: signedInApi },
  { method: 'GET', route: '/api/v1/auth/tokens', name: 'with a session', via: 'session', expect: signedInApi },
  {
    method: 'DELETE',
    route: '/api/v1/auth/tokens/:id',
    name: 'own token',
    prepare: ownToken,
    path: (fixture) => `/api/v1/auth/tokens/${fixture.ids.ownToken}`,
    expect: signedInApi,
  },
  {
    method: 'DELETE',
    route: '/api/v1/auth/tokens/:id',
    name: 'another person’s token',
    path: (fixture) => `/api/v1/auth/tokens/${fixture.ids.foreignToken}`,
    expect: foreignApi,
  },
];
