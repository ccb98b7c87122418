import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, upsertUser } from '../../src/modules/accounts/index.js';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { MODULES } from '../../src/modules/index.js';
import { purgeDeleted } from '../../src/modules/profile/index.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import { JobWorker } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailHandler, MAIL_JOB } from '../../src/platform/mail/mail.js';
import { createTestAdmin, createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';
import { parseCsv } from '../support/csv.js';

const mailHandler = createMailHandler({ smtpUrl: undefined, from: 'x@y.z', messageIdDomain: 'test' }).handler;
let counter = 0;

async function createPerson(t: TestApp, name = 'Data Person'): Promise<{ id: string; email: string; password: string }> {
  counter += 1;
  const email = `data${counter}-${Date.now()}@example.test`;
  const password = 'a long enough password';
  const id = await upsertUser(t.db.kysely, { email, emailNormalized: email, displayName: name, passwordHash: await hashPassword(password), role: 'user', verified: true });
  return { id, email, password };
}

async function signedIn(t: TestApp, person: { email: string; password: string }): Promise<TestClient> {
  const client = new TestClient(t.app);
  client.headers['user-agent'] = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';
  const res = await client.logIn(person.email, person.password);
  expect(res.statusCode).toBe(303);
  return client;
}


/** What a module's deletion handler saw: it runs inside the transaction, while the person still exists. */
const seen: Array<[string, string]> = [];
const contentModule: ModuleDefinition = {
  name: 'test-content',
  deletion: async (trx, userId, mode) => {
    const row = await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (row) seen.push([userId, mode]);
  },
};

describe.each(engines())('data export and deletion on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    // A module added to the list takes part in every deletion, as each module of the app does.
    t = await createTestApp(engine, { modules: [...MODULES, contentModule] });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('export', () => {
    it('gives the person everything about them, as an attachment, without any secret', async () => {
      const person = await createPerson(t, 'Export Person');
      const client = await signedIn(t, person);
      await client.get('/account/profile');
      await client.post('/account/profile', { displayName: 'Export Person', identityNote: 'my own note', homeArea: 'Lyon', languages: 'fr', skills: 'tech' });
      const token = await createApiToken(t.db, { userId: person.id, name: 'laptop script', scope: 'read', requestId: 'test' });
      await sql`update users set totp_secret = 'TOTP-CIPHERTEXT-SHOULD-NOT-LEAK' where id = ${person.id}`.execute(t.db.kysely);
      await t.db.kysely.insertInto('mail_outbox').values({ to_address: person.email.toUpperCase(), subject: 'Welcome aboard', text_body: 'Hello!' }).execute();
      await t.db.kysely.insertInto('mail_outbox').values({ to_address: 'someone-else@example.test', subject: 'Not yours', text_body: 'Hi' }).execute();

      const page = await client.get('/account/data');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('href="/account/data/export.json"');

      const res = await client.get('/account/data/export.json');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="alongside-data\.json"$/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toContain('application/json');
      const data = res.json();
      expect(data.account).toMatchObject({ id: person.id, email: person.email, displayName: 'Export Person', role: 'user' });
      expect(data.profile).toMatchObject({ identityNote: 'my own note', homeArea: 'Lyon, FR', languages: ['fr'], skills: ['tech'] });
      expect(data.sessions).toHaveLength(1);
      expect(data.sessions[0].deviceHint).toBe('Firefox · Linux');
      expect(data.apiTokens).toEqual([expect.objectContaining({ name: 'laptop script', scope: 'read' })]);
      const actions = (data.audit as Array<{ action: string }>).map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['auth.login', 'profile.updated', 'auth.token_created']));
      expect(data.mails).toEqual([expect.objectContaining({ subject: 'Welcome aboard' })]);

      const secrets = await t.db.kysely.selectFrom('users').select(['password_hash', 'totp_secret']).where('id', '=', person.id).executeTakeFirstOrThrow();
      const sessionHashes = await t.db.kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', person.id).execute();
      const tokenHashes = await t.db.kysely.selectFrom('api_tokens').select('token_hash').where('user_id', '=', person.id).execute();
      for (const body of [res.body, (await t.app.inject({ method: 'GET', url: '/api/v1/me/export', headers: { authorization: `Bearer ${token.token}` } })).body]) {
        expect(body).not.toMatch(/password_?hash|totp_?secret|token_?hash|"totp/i);
        expect(body).not.toContain(secrets.password_hash);
        expect(body).not.toContain(secrets.totp_secret!);
        expect(body).not.toContain(token.token);
        for (const { token_hash } of [...sessionHashes, ...tokenHashes]) expect(body).not.toContain(token_hash);
        expect(body).not.toContain('Not yours');
      }
      const exported = await t.db.kysely.selectFrom('audit_log').select('details').where('actor_id', '=', person.id).where('action', '=', 'data.exported').execute();
      expect(exported.map((e) => e.details)).toEqual([{ part: 'json' }, { part: 'api' }]);
    });

    it('leaves out the secret of every link in the mails it includes, so a read token cannot become a new password', async () => {
      const person = await createPerson(t, 'Link Person');
      const token = await createApiToken(t.db, { userId: person.id, name: 'reader', scope: 'read', requestId: 'test' });
      const stranger = new TestClient(t.app);
      await stranger.get('/forgot-password');
      expect((await stranger.post('/forgot-password', { email: person.email })).statusCode).toBe(303);
      await new JobWorker({ db: t.db, handlers: { [MAIL_JOB]: mailHandler }, log: createLogger('silent') }).drain();
      const mail = await t.db.kysely.selectFrom('mail_outbox').select('text_body').where('to_address', '=', person.email).executeTakeFirstOrThrow();
      const link = /reset-password\?token=([A-Za-z0-9_-]{43})/.exec(mail.text_body)?.[1];
      expect(link).toBeDefined();

      const client = await signedIn(t, person);
      const bodies = [
        (await client.get('/account/data/export.json')).body,
        (await t.app.inject({ method: 'GET', url: '/api/v1/me/export', headers: { authorization: `Bearer ${token.token}` } })).body,
      ];
      for (const body of bodies) {
        expect(body).toContain('reset-password');
        expect(body).not.toContain(link);
      }
    });

    it('serves sessions and the activity log as CSV, quoted per RFC 4180 and safe from formulas', async () => {
      const person = await createPerson(t);
      const client = await signedIn(t, person);
      await t.db.kysely
        .insertInto('audit_log')
        .values({ actor_id: person.id, action: '=HYPERLINK("http://evil.example","click")', subject_type: '+cmd', subject_id: '@SUM(1,2)', request_id: '-2+3', details: JSON.stringify({ note: 'a "quoted", line\nbreak' }) })
        .execute();

      const sessions = await client.get('/account/data/sessions.csv');
      expect(sessions.statusCode).toBe(200);
      expect(sessions.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(sessions.headers['content-disposition']).toBe('attachment; filename="alongside-sessions.csv"');
      expect(sessions.headers['cache-control']).toBe('no-store');
      const sessionRows = parseCsv(sessions.body);
      expect(sessionRows[0]).toEqual(['device', 'created_at', 'last_seen_at', 'expires_at']);
      expect(sessionRows[1]![0]).toBe('Firefox · Linux');

      const audit = await client.get('/account/data/audit.csv');
      expect(audit.statusCode).toBe(200);
      expect(audit.body).toContain('"\'=HYPERLINK(""http://evil.example"",""click"")"');
      const rows = parseCsv(audit.body);
      expect(rows[0]).toEqual(['at', 'action', 'subject_type', 'subject_id', 'request_id', 'details']);
      const injected = rows.find((r) => r[1]?.includes('HYPERLINK'))!;
      expect(injected.slice(1, 5)).toEqual(['\'=HYPERLINK("http://evil.example","click")', "'+cmd", "'@SUM(1,2)", "'-2+3"]);
      expect(JSON.parse(injected[5]!)).toEqual({ note: 'a "quoted", line\nbreak' });
      // No cell of any row starts a formula.
      for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
    });

    it('is for signed-in people only', async () => {
      for (const url of ['/account/data', '/account/data/export.json', '/account/data/sessions.csv', '/account/data/audit.csv', '/account/data/delete']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(303);
        expect(res.headers.location, url).toMatch(/^\/login\?next=/);
      }
    });
  });

  describe('deletion', () => {
    it('refuses a wrong password, a missing confirmation or a missing choice, and keeps the account', async () => {
      const person = await createPerson(t);
      const client = await signedIn(t, person);
      const page = await client.get('/account/data/delete');
      expect(page.statusCode).toBe(200);
      const wrong = await client.post('/account/data/delete', { password: 'not my password', confirm: 'on', content: 'delete' });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.body).toContain('That password is not right.');
      expect(wrong.body).not.toContain('not my password');
      const unconfirmed = await client.post('/account/data/delete', { password: person.password, content: 'anonymise' });
      expect(unconfirmed.statusCode).toBe(422);
      expect(unconfirmed.body).toContain('Tick this box to confirm.');
      expect(unconfirmed.body).toMatch(/<input[^>]*value="anonymise"[^>]*checked/);
      const noChoice = await client.post('/account/data/delete', { password: person.password, confirm: 'on' });
      expect(noChoice.statusCode).toBe(422);
      expect(await t.db.kysely.selectFrom('users').select('id').where('id', '=', person.id).executeTakeFirst()).toBeDefined();
      expect((await client.get('/account/profile')).statusCode).toBe(200);
    });

    it('removes the person and their data at once, ends sessions and tokens, and records the id', async () => {
      const person = await createPerson(t, 'Leaving Person');
      const client = await signedIn(t, person);
      const other = await signedIn(t, person);
      await client.get('/account/profile');
      await client.post('/account/profile', { displayName: 'Leaving Person', languages: 'es', skills: 'cooking', availability: 'mon:evening', homeArea: 'Lyon' });
      const token = await createApiToken(t.db, { userId: person.id, name: 'script', scope: 'write', requestId: 'test' });
      await t.db.kysely.insertInto('mail_outbox').values({ to_address: person.email, subject: 'Your reminder', text_body: 'Hi' }).execute();
      seen.length = 0;

      await client.get('/account/data/delete');
      const res = await client.post('/account/data/delete', { password: person.password, confirm: 'on', content: 'anonymise' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Your account is deleted');
      expect(res.headers['clear-site-data']).toBe('"cache", "storage"');
      expect(String(res.headers['set-cookie'])).toMatch(/session=;/);
      expect(seen).toContainEqual([person.id, 'anonymise']);

      for (const table of ['user_languages', 'user_skills', 'user_availability', 'sessions', 'api_tokens'] as const) {
        const rows = await t.db.kysely.selectFrom(table).select('user_id').where('user_id', '=', person.id).execute();
        expect(rows, table).toEqual([]);
      }
      expect(await t.db.kysely.selectFrom('users').select('id').where('id', '=', person.id).executeTakeFirst()).toBeUndefined();
      expect(await t.db.kysely.selectFrom('deleted_users').select('user_id').where('user_id', '=', person.id).executeTakeFirst()).toBeDefined();
      expect(await t.db.kysely.selectFrom('mail_outbox').select('id').where('to_address', '=', person.email).execute()).toEqual([]);
      const entry = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'account.deleted').where('subject_id', '=', person.id).executeTakeFirstOrThrow();
      expect(entry.actor_id).toBeNull();
      const theirs = await t.db.kysely.selectFrom('audit_log').select('id').where('actor_id', '=', person.id).execute();
      expect(theirs).toEqual([]);

      // The other device's cookie and the token no longer work.
      const stale = await other.get('/account/profile');
      expect(stale.statusCode).toBe(303);
      expect(stale.headers.location).toMatch(/^\/login/);
      const api = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token.token}` } });
      expect(api.statusCode).toBe(401);
      expect((await new TestClient(t.app).logIn(person.email, person.password)).statusCode).toBe(401);
    });

    it('leaves no mail to the person in the job queue, sent or not', async () => {
      const person = await createPerson(t, 'Queued Person');
      const stranger = new TestClient(t.app);
      await stranger.get('/forgot-password');
      await stranger.post('/forgot-password', { email: person.email });
      await new JobWorker({ db: t.db, handlers: { [MAIL_JOB]: mailHandler }, log: createLogger('silent') }).drain();
      await stranger.get('/forgot-password');
      await stranger.post('/forgot-password', { email: person.email });
      const mailJobs = () => t.db.kysely.selectFrom('jobs').select('state').where(sql<string>`payload->>'to'`, '=', person.email).execute();
      expect((await mailJobs()).map((j) => j.state).sort()).toEqual(['done', 'pending']);

      const client = await signedIn(t, person);
      await client.get('/account/data/delete');
      expect((await client.post('/account/data/delete', { password: person.password, confirm: 'on', content: 'delete' })).statusCode).toBe(200);
      expect(await mailJobs()).toEqual([]);
    });

    it('deletes through the API with a write token, after the password', async () => {
      const person = await createPerson(t);
      const read = await createApiToken(t.db, { userId: person.id, name: 'r', scope: 'read', requestId: 'test' });
      const write = await createApiToken(t.db, { userId: person.id, name: 'w', scope: 'write', requestId: 'test' });
      const body = { password: person.password, content: 'delete' };
      const scoped = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: { authorization: `Bearer ${read.token}` }, payload: body });
      expect(scoped.statusCode).toBe(403);
      expect(scoped.headers['content-type']).toContain('application/problem+json');
      const wrong = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: { authorization: `Bearer ${write.token}` }, payload: { ...body, password: 'wrong password' } });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json().errors).toEqual([{ pointer: '/password', detail: expect.any(String) }]);
      const invalid = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: { authorization: `Bearer ${write.token}` }, payload: { password: person.password, content: 'keep', extra: 1 } });
      expect(invalid.statusCode).toBe(422);
      expect((invalid.json().errors as Array<{ pointer: string }>).map((e) => e.pointer).sort()).toEqual(['/content', '/extra']);
      const done = await t.app.inject({ method: 'DELETE', url: '/api/v1/me', headers: { authorization: `Bearer ${write.token}` }, payload: body });
      expect(done.statusCode).toBe(204);
      const after = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${write.token}` } });
      expect(after.statusCode).toBe(401);
      expect(after.headers['content-type']).toContain('application/problem+json');
    });

    it('purge-deleted removes a row that a restored backup brought back', async () => {
      const person = await createPerson(t, 'Restored Person');
      const client = await signedIn(t, person);
      await client.get('/account/data/delete');
      expect((await client.post('/account/data/delete', { password: person.password, confirm: 'on', content: 'delete' })).statusCode).toBe(200);
      // The backup is restored: the row is back.
      await sql`insert into users (id, email, email_normalized, display_name, password_hash) values (${person.id}, ${person.email}, ${person.email}, 'Restored Person', 'x')`.execute(t.db.kysely);
      await sql`insert into user_languages (user_id, language) values (${person.id}, 'en')`.execute(t.db.kysely);
      const survivor = await createPerson(t, 'Staying Person');

      expect(await purgeDeleted(t.db)).toBe(1);
      expect(await t.db.kysely.selectFrom('users').select('id').where('id', '=', person.id).executeTakeFirst()).toBeUndefined();
      expect(await t.db.kysely.selectFrom('user_languages').select('user_id').where('user_id', '=', person.id).execute()).toEqual([]);
      expect(await t.db.kysely.selectFrom('users').select('id').where('id', '=', survivor.id).executeTakeFirst()).toBeDefined();
      expect(await purgeDeleted(t.db)).toBe(0);
    });
  });

  describe('admin people page', () => {
    it('is for admins only', async () => {
      const anonymous = await t.app.inject({ method: 'GET', url: '/admin/users' });
      expect(anonymous.statusCode).toBe(303);
      const person = await createPerson(t);
      const client = await signedIn(t, person);
      expect((await client.get('/admin/users')).statusCode).toBe(403);
      await client.get('/account/profile');
      expect((await client.post(`/admin/users/${person.id}/suspend`)).statusCode).toBe(403);
    });

    it('suspends: sessions and tokens end, sign-in is refused; unsuspending lets them back in', async () => {
      const admin = await createTestAdmin(t);
      const adminClient = await signedIn(t, admin);
      const person = await createPerson(t, 'Suspended Person');
      const client = await signedIn(t, person);
      const token = await createApiToken(t.db, { userId: person.id, name: 'w', scope: 'write', requestId: 'test' });

      const list = await adminClient.get(`/admin/users?email=${encodeURIComponent(person.email.toUpperCase())}`);
      expect(list.statusCode).toBe(200);
      expect(list.body).toContain('Suspended Person');
      expect(list.body).toContain(`action="/admin/users/${person.id}/suspend"`);

      const res = await adminClient.post(`/admin/users/${person.id}/suspend`);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/admin/users');
      expect(await t.db.kysely.selectFrom('sessions').select('user_id').where('user_id', '=', person.id).execute()).toEqual([]);
      expect(await t.db.kysely.selectFrom('api_tokens').select('user_id').where('user_id', '=', person.id).execute()).toEqual([]);
      expect((await client.get('/account/profile')).statusCode).toBe(303);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token.token}` } })).statusCode).toBe(401);
      expect((await new TestClient(t.app).logIn(person.email, person.password)).statusCode).toBe(401);
      const suspended = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'account.suspended').where('subject_id', '=', person.id).executeTakeFirstOrThrow();
      expect(suspended.actor_id).toBe(admin.id);

      await adminClient.get('/admin/users');
      expect((await adminClient.post(`/admin/users/${person.id}/unsuspend`)).statusCode).toBe(303);
      expect((await new TestClient(t.app).logIn(person.email, person.password)).statusCode).toBe(303);
      expect(await t.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'account.unsuspended').where('subject_id', '=', person.id).execute()).toHaveLength(1);
    });

    it('never lets admins suspend themselves, and answers 404 for unknown people', async () => {
      const admin = await createTestAdmin(t);
      const adminClient = await signedIn(t, admin);
      const page = await adminClient.get('/admin/users');
      expect(page.body).not.toContain(`/admin/users/${admin.id}/suspend`);
      expect((await adminClient.post(`/admin/users/${admin.id}/suspend`)).statusCode).toBe(403);
      expect((await adminClient.post('/admin/users/00000000-0000-4000-8000-000000000000/suspend')).statusCode).toBe(404);
      expect((await adminClient.post('/admin/users/not-an-id/suspend')).statusCode).toBe(404);
    });

    it('never lets an admin suspend another admin: one account could otherwise lock every other admin out', async () => {
      const admin = await createTestAdmin(t);
      const other = await createTestAdmin(t, 'Other Admin');
      const otherClient = await signedIn(t, other);
      const adminClient = await signedIn(t, admin);
      const page = await adminClient.get('/admin/users');
      expect(page.body).not.toContain(`/admin/users/${other.id}/suspend`);
      expect((await adminClient.post(`/admin/users/${other.id}/suspend`)).statusCode).toBe(403);
      const row = await t.db.kysely.selectFrom('users').select('suspended_at').where('id', '=', other.id).executeTakeFirstOrThrow();
      expect(row.suspended_at).toBeNull();
      expect((await otherClient.get('/admin/users')).statusCode).toBe(200);
    });

    it('pages through people newest first without skipping or repeating anyone', async () => {
      const admin = await createTestAdmin(t);
      const adminClient = await signedIn(t, admin);
      for (let i = 0; i < 55; i++) await createPerson(t, `Paged ${i}`);
      const total = Number((await t.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const seen: string[] = [];
      let url: string | undefined = '/admin/users';
      while (url) {
        const res = await adminClient.get(url);
        expect(res.statusCode).toBe(200);
        seen.push(...[...res.body.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]!));
        const next = /<a href="(\/admin\/users\?cursor=[^"]+)"/.exec(res.body)?.[1];
        url = next?.replace(/&amp;/g, '&');
      }
      expect(seen).toHaveLength(total);
      expect(seen.indexOf('Paged 54')).toBeLessThan(seen.indexOf('Paged 0'));
    });
  });
});
