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
