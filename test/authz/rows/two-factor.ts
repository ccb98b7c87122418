/** Rows of two-step sign-in: the enrolment pages under /account/two-factor and the second sign-in step. */
import { sql } from 'kysely';
import { newTotpSecret, totpCodeAt, totpStep } from '../../../src/modules/accounts/two-factor.service.js';
import { Secrets } from '../../../src/platform/secrets.js';
import { testConfig } from '../../support/app.js';
import { signedInPage, type Actor, type AuthzHelpers, type AuthzRow, type Fixture, type Outcome } from '../types.js';

// The matrix app runs with the test configuration, so its secrets are these.
const secrets = new Secrets(testConfig().secretKey!);

/** Signed-in people get a refusal of their form; the others are sent to sign in first. */
const refusedForm = (actor: Actor): Outcome => (actor === 'anonymous' || actor === 'suspended' ? 'login' : 422);

/** Gives the actor (a throwaway copy: these rows are `fresh`) a key, pending or already on. */
function withKey(enabled: boolean) {
  return async (fixture: Fixture, actor: Actor, helpers: AuthzHelpers): Promise<void> => {
    const user = fixture.users[actor];
    const secret = newTotpSecret();
    fixture.ids.totpSecret = secret;
    if (!user) return;
    await helpers.db.kysely
      .updateTable('users')
      .set({
        totp_secret: secrets.encrypt('totp', secret),
        totp_enabled_at: enabled ? sql<Date>`now()` : null,
        totp_last_step: null,
      })
      .where('id', '=', user.id)
      .execute();
  };
}

const currentCode = (fixture: Fixture) => totpCodeAt(fixture.ids.totpSecret!, totpStep(Date.now()));
const password = (fixture: Fixture, actor: Actor) => fixture.users[actor]?.password ?? 'not a password of anyone';

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/account/two-factor', expect: signedInPage },
  {
    method: 'POST',
    route: '/account/two-factor/setup',
    name: 'right password',
    body: (fixture, actor) => ({ password: password(fixture, actor) }),
    expect: signedInPage,
  },
  { method: 'POST', route: '/account/two-factor/setup', name: 'wrong password', body: { password: 'not my password' }, expect: refusedForm },
  {
    method: 'POST',
    route: '/account/two-factor/enable',
    name: 'code of the pending key',
    fresh: true,
    prepare: withKey(false),
    body: (fixture) => ({ code: currentCode(fixture) }),
    expect: signedInPage,
  },
  { method: 'POST', route: '/account/two-factor/enable', name: 'no code', body: { code: '' }, expect: refusedForm },
  {
    method: 'POST',
    route: '/account/two-factor/disable',
    name: 'password and code',
    fresh: true,
    prepare: withKey(true),
    body: (fixture, actor) => ({ password: password(fixture, actor), code: currentCode(fixture) }),
    expect: signedInPage,
  },
  {
    method: 'POST',
    route: '/account/two-factor/disable',
    name: 'password without a code',
    body: (fixture, actor) => ({ password: password(fixture, actor) }),
    expect: refusedForm,
  },
  {
    method: 'POST',
    route: '/account/two-factor/recovery-codes',
    name: 'current code',
    fresh: true,
    prepare: withKey(true),
    body: (fixture) => ({ code: currentCode(fixture) }),
    expect: signedInPage,
  },
  { method: 'POST', route: '/account/two-factor/recovery-codes', name: 'no code', body: { code: '' }, expect: refusedForm },
  // Without a challenge cookie the second step sends people to sign in; signed-in people have nothing left to do there.
  { method: 'GET', route: '/login/two-factor', expect: signedInPage },
  { method: 'POST', route: '/login/two-factor', name: 'without a challenge', body: { code: '123456' }, expect: signedInPage },
];
