/** Rows of sign-up, e-mail links, password reset and the signed-in account pages (password, address, sessions). */
import { createHash, randomBytes } from 'node:crypto';
import { normalizeEmail, upsertUser } from '../../../src/modules/accounts/index.js';
import { Secrets } from '../../../src/platform/secrets.js';
import { testConfig } from '../../support/app.js';
import { everyone, signedInPage, type Actor, type AuthzHelpers, type AuthzRow, type Fixture } from '../types.js';

const NEW_PASSWORD = 'lantern-heron-copper-orchard';
let serial = 0;

function unique(label: string, actor: Actor): string {
  serial += 1;
  return `${label}-${actor}-${serial}-${Date.now()}@authz.test`;
}

/**
 * A mailed link of someone who is none of the actors: using it changes only that person, so every
 * actor can use a fresh one. Its token goes to `fixture.ids.link`.
 */
function linkOf(purpose: 'verify_email' | 'reset_password' | 'change_email') {
  return async (fixture: Fixture, actor: Actor, helpers: AuthzHelpers): Promise<void> => {
    const email = unique('link-owner', actor);
    const userId = await upsertUser(helpers.db.kysely, {
      email,
      emailNormalized: normalizeEmail(email),
      displayName: 'Link owner',
      // Never signed in with: the rows only use its links.
      passwordHash: 'not-a-usable-hash',
      role: 'user',
      verified: purpose !== 'verify_email',
    });
    const token = randomBytes(32).toString('base64url');
    await helpers.db.kysely
      .insertInto('email_tokens')
      .values({
        token_hash: createHash('sha256').update(token).digest('hex'),
        user_id: userId,
        purpose,
        new_email: purpose === 'verify_email' ? normalizeEmail(email) : purpose === 'change_email' ? unique('changed-to', actor) : null,
        expires_at: new Date(Date.now() + 3_600_000),
      })
      .execute();
    fixture.ids.link = token;
  };
}

/** A second session of the actor (the request itself comes from a throwaway copy's first one), by the id the sessions page shows. */
async function secondSession(fixture: Fixture, actor: Actor, helpers: AuthzHelpers): Promise<void> {
  const user = fixture.users[actor];
  const tokenHash = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('hex');
  if (user) {
    await helpers.db.kysely
      .insertInto('sessions')
      .values({ token_hash: tokenHash, user_id: user.id, expires_at: new Date(Date.now() + 3_600_000), device_hint: 'Firefox · Linux' })
      .execute();
  }
  fixture.ids.sessionToEnd = new Secrets(testConfig().secretKey!).hmac('session-id', tokenHash);
}

const linkQuery = (path: string) => (fixture: Fixture) => `${path}?token=${fixture.ids.link}`;

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/signup', expect: everyone },
  // Signed-in people are sent to their account page; everyone else is told to check their inbox.
  { method: 'POST', route: '/signup', body: (_f, actor) => ({ email: unique('signup', actor), display_name: 'New person', password: NEW_PASSWORD }), expect: everyone },

  { method: 'GET', route: '/verify-email', prepare: linkOf('verify_email'), path: linkQuery('/verify-email'), expect: everyone },
  // A used link sends people who are not signed in on to sign in (a refused one would be 410).
  { method: 'POST', route: '/verify-email', prepare: linkOf('verify_email'), body: (f) => ({ token: f.ids.link }), expect: signedInPage },
  { method: 'GET', route: '/verify-email/resend', expect: signedInPage },
  { method: 'POST', route: '/verify-email/resend', expect: signedInPage },

  { method: 'GET', route: '/forgot-password', expect: everyone },
  { method: 'POST', route: '/forgot-password', body: (f, actor) => ({ email: f.users[actor]?.email ?? 'nobody@authz.test' }), expect: everyone },
  { method: 'GET', route: '/reset-password', prepare: linkOf('reset_password'), path: linkQuery('/reset-password'), expect: everyone },
  {
    method: 'POST',
    route: '/reset-password',
    prepare: linkOf('reset_password'),
    body: (f) => ({ token: f.ids.link, password: NEW_PASSWORD }),
    // Done: everyone is sent to sign in with the new password (a refused link would be 410, a refused password 422).
    expect: () => 'login',
  },

  { method: 'GET', route: '/account', expect: signedInPage },
  { method: 'GET', route: '/account/password', expect: signedInPage },
  {
    method: 'POST',
    route: '/account/password',
    fresh: true,
    body: (f, actor) => ({ current_password: f.users[actor]?.password ?? 'not a password', password: NEW_PASSWORD, sign_out_others: 'on' }),
    expect: signedInPage,
  },
  { method: 'GET', route: '/account/email', expect: signedInPage },
  {
    method: 'POST',
    route: '/account/email',
    body: (f, actor) => ({ current_password: f.users[actor]?.password ?? 'not a password', email: unique('new-address', actor) }),
    expect: signedInPage,
  },
  { method: 'GET', route: '/confirm-email', prepare: linkOf('change_email'), path: linkQuery('/confirm-email'), expect: everyone },
  { method: 'POST', route: '/confirm-email', prepare: linkOf('change_email'), body: (f) => ({ token: f.ids.link }), expect: everyone },

  { method: 'GET', route: '/account/sessions', expect: signedInPage },
  { method: 'POST', route: '/account/sessions/end', fresh: true, prepare: secondSession, body: (f) => ({ session: f.ids.sessionToEnd }), expect: signedInPage },
  { method: 'POST', route: '/account/sessions/end-others', fresh: true, expect: signedInPage },
];
