/**
 * Accounts, hardened: signing out everywhere else ends API tokens too (unless kept on purpose),
 * tokens can end by themselves, and an address nobody confirmed can look around and set up a
 * profile but not act.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';
import { buildAsk, buildCommunity, buildToken, buildUser, FACTORY_PASSWORD, type BuiltUser } from '../support/factories.js';

describe.each(engines())('account hardening on %s', (engine) => {
  let t: TestApp;

  async function client(person: BuiltUser): Promise<TestClient> {
    const c = new TestClient(t.app);
    expect((await c.logIn(person.email, person.password)).statusCode).toBe(303);
    return c;
  }

  const asToken = (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}) });

  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ends API tokens with a password change that signs out everywhere else, unless they are kept', async () => {
    for (const keep of [false, true]) {
      const person = await buildUser(t);
      const token = await buildToken(t, person);
      expect((await asToken(token, 'GET', '/api/v1/me')).statusCode).toBe(200);
      const c = await client(person);
      await c.get('/account/password');
      const fields = { current_password: FACTORY_PASSWORD, password: 'a brand new long passphrase', sign_out_others: 'on', ...(keep ? { keep_tokens: 'on' } : {}) };
      expect((await c.post('/account/password', fields)).statusCode).toBe(303);
      expect((await asToken(token, 'GET', '/api/v1/me')).statusCode, `keep=${keep}`).toBe(keep ? 200 : 401);
    }
  });

  it('offers the option unticked, and keeps tokens when others stay signed in', async () => {
    const person = await buildUser(t);
    const token = await buildToken(t, person);
    const c = await client(person);
    const page = await c.get('/account/password');
    expect(page.body).toMatch(/name="keep_tokens"(?![^>]*checked)/);
    expect((await c.post('/account/password', { current_password: FACTORY_PASSWORD, password: 'another long passphrase here' })).statusCode).toBe(303);
    expect((await asToken(token, 'GET', '/api/v1/me')).statusCode).toBe(200);
  });

  it('makes tokens that end by themselves, shows when, and stops them then', async () => {
    const person = await buildUser(t);
    const c = await client(person);
    await c.get('/account/tokens');
    const made = await c.post('/account/tokens', { name: 'Month token', scope: 'read', expires: '30' });
    expect(made.statusCode).toBe(201);
    const token = /value="(alg_[^"]+)"/.exec(made.body)![1]!;
    const row = await t.db.kysely.selectFrom('api_tokens').select(['id', 'expires_at']).where('user_id', '=', person.id).executeTakeFirstOrThrow();
    const days = (new Date(row.expires_at as Date).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    const listed = await c.get('/account/tokens');
    expect(listed.body).toContain('Expires');
    expect((await asToken(token, 'GET', '/api/v1/me')).statusCode).toBe(200);
    await t.db.kysely.updateTable('api_tokens').set({ expires_at: sql<Date>`now() - interval '1 minute'` }).where('id', '=', row.id).execute();
    expect((await asToken(token, 'GET', '/api/v1/me')).statusCode).toBe(401);
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: person.email, password: FACTORY_PASSWORD, name: 'Week', scope: 'read', expiresInDays: 7 }),
    });
    expect(api.statusCode).toBe(201);
    expect(new Date(api.json().expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
  });

  it('lets an unconfirmed address look around and set up a profile, but not act, and says why', async () => {
    const organizer = await buildUser(t);
    const community = await buildCommunity(t, { organizers: [organizer] });
    const ask = await buildAsk(t, community);
    const person = await buildUser(t, { verified: false });
    const c = await client(person);
    expect((await c.get(`/asks/${ask.id}`)).statusCode).toBe(200);
    await c.get('/account/profile');
    expect((await c.post('/account/profile', { displayName: 'Still new', languages: 'en' })).statusCode).toBe(303);

    await c.get(`/asks/${ask.id}/commit`);
    for (const [path, fields] of [
      [`/asks/${ask.id}/commit`, {}],
      ['/communities/new', { name: 'Unconfirmed group' }],
      [`/c/${community.slug}/follow`, {}],
      ['/account/tokens', { name: 'x', scope: 'read' }],
      ['/journal', { body: 'A thought.' }],
    ] as const) {
      const refused = await c.post(path, fields);
      expect(refused.statusCode, path).toBe(403);
      expect(refused.body, path).toContain('Confirm your address first');
      expect(refused.body, path).toContain('action="/verify-email/resend"');
    }
    const token = await buildToken(t, person);
    const api = await asToken(token, 'POST', `/api/v1/asks/${ask.id}/commitments`, {});
    expect(api.statusCode).toBe(403);
    expect(api.json().type).toBe('urn:alongside:problem:email_unconfirmed');
    const issue = await t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: person.email, password: FACTORY_PASSWORD, name: 'CLI', scope: 'write' }) });
    expect(issue.statusCode).toBe(403);
    expect(await t.db.kysely.selectFrom('commitments').select('id').where('user_id', '=', person.id).execute()).toEqual([]);

    // Once confirmed, the same person acts.
    await t.db.kysely.updateTable('users').set({ email_verified_at: sql<Date>`now()` }).where('id', '=', person.id).execute();
    expect((await asToken(token, 'POST', `/api/v1/asks/${ask.id}/commitments`, {})).statusCode).toBe(201);
  });
});

describe.each(engines())('sign-in under a flood of wrong passwords on %s', (engine) => {
  let t: TestApp;
  let addresses = 0;

  /** A browser from an address of its own (behind a proxy each visitor has their own). */
  function browser(): TestClient {
    addresses += 1;
    const c = new TestClient(t.app);
    c.headers['x-forwarded-for'] = `198.51.100.${addresses % 250}`;
    return c;
  }

  beforeAll(async () => {
    t = await createTestApp(engine, { env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('pauses sign-in to the account for strangers, lets the owner in from a browser they used before, and tells them', async () => {
    const owner = await buildUser(t, { displayName: 'Olga Owner' });
    const usual = browser();
    expect((await usual.logIn(owner.email, owner.password)).statusCode).toBe(303);
    await usual.get('/');
    await usual.post('/logout');

    // The owner's sign-in counted as one attempt of the hour; strangers spend the rest.
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await browser().logIn(owner.email, 'not the password at all')).statusCode);
    expect(statuses.slice(0, 24).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Even the right password from a new browser waits…
    expect((await browser().logIn(owner.email, owner.password)).statusCode).toBe(429);
    // …but the owner's own browser still gets in.
    expect((await usual.logIn(owner.email, owner.password)).statusCode).toBe(303);

    const mails = await t.db.kysely.selectFrom('jobs').select('payload').where('kind', '=', 'mail.send').execute();
    const notices = mails.map((m) => (typeof m.payload === 'string' ? JSON.parse(m.payload) : m.payload) as { to: string; subject: string; text: string }).filter((m) => m.to === owner.email && /wrong passwords/.test(m.subject));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toMatch(/\/reset-password\?token=/);
  });
});

describe.each(engines())('appointing moderators on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lets an admin appoint and remove a moderator, audited; the new moderator sees the queue and cannot appoint', async () => {
    const admin = await buildUser(t, { role: 'admin' });
    const person = await buildUser(t, { displayName: 'Mina Moderator' });
    const other = await buildUser(t);
    const a = new TestClient(t.app);
    await a.logIn(admin.email, admin.password);
    await a.get('/admin/users');
    const appointed = await a.post(`/admin/users/${person.id}/make-moderator`);
    expect(appointed.headers.location).toBe('/admin/users?done=appointed');
    expect((await a.get('/admin/users?done=appointed')).body).toContain('They are a moderator now');
    const m = new TestClient(t.app);
    await m.logIn(person.email, person.password);
    expect((await m.get('/moderation/communities')).statusCode).toBe(200);
    await m.get('/');
    expect((await m.post(`/admin/users/${other.id}/make-moderator`)).statusCode).toBe(403);
    // Admins are not changed this way, nor oneself.
    expect((await a.post(`/admin/users/${admin.id}/remove-moderator`)).statusCode).toBe(403);
    await a.get('/admin/users');
    expect((await a.post(`/admin/users/${person.id}/remove-moderator`)).statusCode).toBe(303);
    expect((await m.get('/moderation/communities')).statusCode).toBe(403);
    const audited = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_id']).where('subject_id', '=', person.id).where('action', 'like', 'account.moderator%').orderBy('id').execute();
    expect(audited).toEqual([
      { action: 'account.moderator_appointed', actor_id: admin.id },
      { action: 'account.moderator_removed', actor_id: admin.id },
    ]);
  });
});
