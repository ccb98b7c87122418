/** Rows of the foundation: front page, sign-in and out, language, probes, static files and the admin area. */
import { sql } from 'kysely';
import { enqueue } from '../../../src/platform/jobs/index.js';
import { queueMail } from '../../../src/platform/mail/mail.js';
import { adminPage, everyone, type Actor, type AuthzHelpers, type AuthzRow, type Fixture, type Outcome } from '../types.js';

/** A mail in the outbox for the admin pages to show. */
export async function setup(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  await queueMail(helpers.db.kysely, { to: 'someone@authz.test', subject: 'Matrix mail', text: 'A mail for the authorization matrix.' });
  await helpers.drainJobs();
  const row = await sql<{ id: number }>`select max(id)::int as id from mail_outbox`.execute(helpers.db.kysely);
  fixture.ids.mail = String(row.rows[0]!.id);
}

const credentials = (fixture: Fixture, actor: Actor) => {
  const user = fixture.users[actor];
  return user ? { email: user.email, password: user.password } : { email: 'nobody@authz.test', password: 'not a password of anyone' };
};

/** Signing in works for every account that may sign in; a suspended one is refused like a wrong password. */
const signIn = (actor: Actor): Outcome => (actor === 'anonymous' || actor === 'suspended' ? 401 : 'ok');

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/', expect: everyone },
  { method: 'GET', route: '/login', expect: everyone },
  { method: 'POST', route: '/login', body: credentials, expect: signIn },
  { method: 'POST', route: '/logout', fresh: true, expect: everyone },
  { method: 'POST', route: '/language', body: { locale: 'en', next: '/' }, expect: everyone },
  { method: 'GET', route: '/healthz', expect: everyone },
  { method: 'GET', route: '/readyz', expect: everyone },
  // Off unless METRICS_ENABLED: nobody reaches it then.
  { method: 'GET', route: '/metrics', optional: true, expect: () => 404 },
  { method: 'GET', route: '/static/*', path: '/static/css/app.css', expect: everyone },
  { method: 'GET', route: '/admin', expect: adminPage },
  { method: 'GET', route: '/admin/jobs', expect: adminPage },
  {
    method: 'POST',
    route: '/admin/jobs/:id/retry',
    // A job of a kind nobody handles fails at once: a fresh failed job for each actor to retry.
    prepare: async (fixture, _actor, helpers) => {
      const id = await enqueue(helpers.db.kysely, 'authz.unhandled', {});
      await helpers.drainJobs();
      fixture.ids.failedJob = String(id);
    },
    path: (fixture) => `/admin/jobs/${fixture.ids.failedJob}/retry`,
    expect: adminPage,
  },
  { method: 'GET', route: '/admin/mail', expect: adminPage },
  { method: 'GET', route: '/admin/mail/:id', path: (fixture) => `/admin/mail/${fixture.ids.mail}`, expect: adminPage },
  { method: 'GET', route: '/admin/audit', expect: adminPage },
];
