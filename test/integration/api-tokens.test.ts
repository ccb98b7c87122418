import { createHash, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, normalizeEmail, upsertUser, type Role } from '../../src/modules/accounts/index.js';
import { newTotpSecret, totpCodeAt, totpStep } from '../../src/modules/accounts/two-factor.service.js';
import { resolveSecretKey, Secrets } from '../../src/platform/secrets.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const PASSWORD = 'correct horse battery staple';
let counter = 0;

function unescapeHtml(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The token value shown on the page that follows a successful creation. */
function shownToken(html: string): string {
  const match = /id="new-token"[^>]*value="(alg_[A-Za-z0-9_-]{43})"|value="(alg_[A-Za-z0-9_-]{43})"[^>]*id="new-token"/.exec(html);
  const token = match?.[1] ?? match?.[2];
  if (!token) throw new Error('No token on the page');
  return token;
}

/** A problem document without what differs between two requests (its id). */
function sameProblem(response: LightMyRequestResponse) {
  const { requestId: _ignored, ...rest } = response.json() as Record<string, unknown>;
  return rest;
}

describe.each(engines())('API tokens on %s', (engine) => {
  let t: TestApp;
  let passwordHash: string;

  async function person(role: Role = 'user') {
    counter += 1;
    const email = `person${counter}-${randomUUID()}@example.test`;
    const id = await upsertUser(t.db.kysely, { email, emailNormalized: normalizeEmail(email), displayName: `Person ${counter}`, passwordHash, role, verified: true });
    return { id, email };
  }

  async function signedIn(role: Role = 'user') {
    const who = await person(role);
    const client = new TestClient(t.app);
    const res = await client.logIn(who.email, PASSWORD);
    expect(res.statusCode).toBe(303);
    return { ...who, client };
  }

  async function createViaPage(client: TestClient, name: string, scope: 'read' | 'write') {
    await client.get('/account/tokens');
    const res = await client.post('/account/tokens', { name, scope });
    expect(res.statusCode).toBe(201);
    return shownToken(res.body);
  }

  function issue(body: Record<string, unknown>, remoteAddress = '192.0.2.1', headers: Record<string, string> = {}) {
    return t.app.inject({ method: 'POST', url: '/api/v1/auth/tokens', payload: body, remoteAddress, headers });
  }

  function bearer(token: string, method: 'GET' | 'DELETE' = 'GET', url = '/api/v1/auth/tokens') {
    return t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    passwordHash = await hashPassword(PASSWORD);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('the page', () => {
    it('sends people who are not signed in to sign in', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/account/tokens' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/login?next=%2Faccount%2Ftokens');
    });

    it('creates a token, shows it once, and keeps only its hash', async () => {
      const { id, client } = await signedIn();
      const token = await createViaPage(client, 'Calendar <sync>', 'write');
      expect(token).toMatch(/^alg_[A-Za-z0-9_-]{43}$/);
      expect(client.lastHtml).toContain('Calendar &lt;sync>');

      const rows = await t.db.kysely.selectFrom('api_tokens').selectAll().where('user_id', '=', id).execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(rows[0]).toMatchObject({ name: 'Calendar <sync>', scope: 'write', last_used_at: null });

      const list = await client.get('/account/tokens');
      expect(list.statusCode).toBe(200);
      expect(list.headers['cache-control']).toBe('no-store');
      expect(unescapeHtml(list.body)).toContain('Calendar <sync>');
      expect(list.body).not.toContain(token);
      expect(list.body).toContain('Never');
      expect(list.body).toContain(`/account/tokens/${rows[0]!.id}/revoke`);
    });

    it('refuses a bad form with 422, a message per field, and writes nothing', async () => {
      const { id, client } = await signedIn();
      await client.get('/account/tokens');
      const res = await client.post('/account/tokens', { name: 'x'.repeat(61), scope: 'admin' });
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('Use at most 60 characters.');
      expect(res.body).toContain('Choose one of the options.');
      expect(res.body).toContain('id="error-summary"');
      const empty = await client.post('/account/tokens', { name: '  ', scope: 'read' });
      expect(empty.statusCode).toBe(422);
      expect(empty.body).toContain('This field is required.');
      const unknown = await client.post('/account/tokens', { name: 'ok', scope: 'read', user_id: randomUUID() });
      expect(unknown.statusCode).toBe(422);
      expect(await t.db.kysely.selectFrom('api_tokens').select('id').where('user_id', '=', id).execute()).toHaveLength(0);
    });

    it('revokes a token of the person, and only theirs', async () => {
      const owner = await signedIn();
      const other = await signedIn();
      const token = await createViaPage(owner.client, 'Script', 'write');
      const otherToken = await createViaPage(other.client, 'Other', 'read');
      const [mine] = await t.db.kysely.selectFrom('api_tokens').select('id').where('user_id', '=', owner.id).execute();
      const [theirs] = await t.db.kysely.selectFrom('api_tokens').select('id').where('user_id', '=', other.id).execute();

      await owner.client.get('/account/tokens');
      const foreign = await owner.client.post(`/account/tokens/${theirs!.id}/revoke`);
      expect(foreign.statusCode).toBe(404);
      expect((await bearer(otherToken)).statusCode).toBe(200);
      expect((await owner.client.post('/account/tokens/not-a-uuid/revoke')).statusCode).toBe(404);

      await owner.client.get('/account/tokens');
      const res = await owner.client.post(`/account/tokens/${mine!.id}/revoke`);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/account/tokens?revoked=1');
      const page = await owner.client.get('/account/tokens?revoked=1');
      expect(page.body).toContain('The token was revoked.');
      expect(page.body).toContain('You have no API tokens.');
      expect((await bearer(token)).statusCode).toBe(401);

      const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'subject_id']).where('actor_id', '=', owner.id).execute();
      expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.token_created', 'auth.token_revoked']));
      expect(JSON.stringify(audit)).not.toContain(token);
    });
  });

  describe('bearer use', () => {
    it('records when a token was last used', async () => {
      const { id, client } = await signedIn();
      const token = await createViaPage(client, 'Sync', 'read');
      const res = await bearer(token);
      expect(res.statusCode).toBe(200);
      const row = await t.db.kysely.selectFrom('api_tokens').select('last_used_at').where('user_id', '=', id).executeTakeFirstOrThrow();
      expect(row.last_used_at).toBeInstanceOf(Date);
      expect(Math.abs(row.last_used_at!.getTime() - Date.now())).toBeLessThan(60_000);
      const page = await client.get('/account/tokens');
      expect(page.body).not.toContain('>Never<');
    });

    it('lists the person’s tokens without hashes', async () => {
      const { client } = await signedIn();
      const token = await createViaPage(client, 'Lister', 'read');
      await createViaPage(client, 'Writer', 'write');
      const res = await bearer(token);
      expect(res.headers['content-type']).toContain('application/json');
      const body = res.json() as { tokens: Array<Record<string, unknown>> };
      expect(body.tokens.map((x) => x.name).sort()).toEqual(['Lister', 'Writer']);
      expect(Object.keys(body.tokens[0]!).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'scope']);
      expect(res.body).not.toMatch(/hash|[0-9a-f]{64}/);
    });

    it('refuses writes to a read-scope token with 403 insufficient_scope', async () => {
      const { client } = await signedIn();
      const token = await createViaPage(client, 'Reader', 'read');
      const { id } = (await bearer(token)).json().tokens[0] as { id: string };
      const res = await bearer(token, 'DELETE', `/api/v1/auth/tokens/${id}`);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ type: 'urn:alongside:problem:insufficient_scope', status: 403 });
      expect((await bearer(token)).statusCode).toBe(200);
    });

    it('lets a write-scope token revoke a token over the API', async () => {
      const { client } = await signedIn();
      const writer = await createViaPage(client, 'Writer', 'write');
      const reader = await createViaPage(client, 'Reader', 'read');
      const tokens = (await bearer(writer)).json().tokens as Array<{ id: string; name: string }>;
      const readerId = tokens.find((x) => x.name === 'Reader')!.id;
      expect((await bearer(writer, 'DELETE', `/api/v1/auth/tokens/${readerId}`)).statusCode).toBe(204);
      expect((await bearer(writer, 'DELETE', `/api/v1/auth/tokens/${readerId}`)).statusCode).toBe(404);
      expect((await bearer(reader)).statusCode).toBe(401);
    });

    it('answers an invalid or revoked token with a 401 problem and WWW-Authenticate', async () => {
      const { client } = await signedIn();
      const token = await createViaPage(client, 'Gone', 'write');
      const id = ((await bearer(token)).json().tokens[0] as { id: string }).id;
      expect((await bearer(token, 'DELETE', `/api/v1/auth/tokens/${id}`)).statusCode).toBe(204);
      for (const value of [token, `alg_${'A'.repeat(43)}`, 'nonsense', '']) {
        const res = await bearer(value);
        expect(res.statusCode, value).toBe(401);
        expect(res.headers['www-authenticate'], value).toMatch(/^Bearer realm="alongside"/);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json().status).toBe(401);
      }
      const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/auth/tokens' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('stops working when its owner is suspended or deleted', async () => {
      const suspended = await signedIn();
      const deleted = await signedIn();
      const a = await createViaPage(suspended.client, 'A', 'write');
      const b = await createViaPage(deleted.client, 'B', 'write');
      expect((await bearer(a)).statusCode).toBe(200);
      expect((await bearer(b)).statusCode).toBe(200);
      await t.db.kysely.updateTable('users').set({ suspended_at: sql<Date>`now()` }).where('id', '=', suspended.id).execute();
      await t.db.kysely.deleteFrom('users').where('id', '=', deleted.id).execute();
      for (const token of [a, b]) {
        const res = await bearer(token);
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toContain('invalid_token');
      }
    });
  });

  describe('POST /api/v1/auth/tokens', () => {
    it('issues a token for the right password', async () => {
      const { id, email } = await person();
      const res = await issue({ email: ` ${email.toUpperCase()} `, password: PASSWORD, name: 'CLI', scope: 'write' }, '192.0.2.10');
      expect(res.statusCode).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json() as { id: string; token: string; scope: string; name: string; expiresAt: string | null };
      expect(Object.keys(body).sort()).toEqual(['expiresAt', 'id', 'name', 'scope', 'token']);
      expect(body.expiresAt).toBeNull();
      expect(body).toMatchObject({ scope: 'write', name: 'CLI' });
      expect(body.token).toMatch(/^alg_/);
      const list = await bearer(body.token);
      expect(list.json().tokens).toEqual([expect.objectContaining({ id: body.id, name: 'CLI', scope: 'write' })]);
      const row = await t.db.kysely.selectFrom('api_tokens').select('user_id').where('id', '=', body.id).executeTakeFirstOrThrow();
      expect(row.user_id).toBe(id);
    });

    it('answers a wrong password, an unknown address and a suspended account with the same 401', async () => {
      const { email } = await person();
      const suspended = await person();
      await t.db.kysely.updateTable('users').set({ suspended_at: sql<Date>`now()` }).where('id', '=', suspended.id).execute();
      const wrong = await issue({ email, password: 'not the password', name: 'x', scope: 'read' }, '192.0.2.11');
      const unknown = await issue({ email: `nobody-${randomUUID()}@example.test`, password: PASSWORD, name: 'x', scope: 'read' }, '192.0.2.11');
      const refused = await issue({ email: suspended.email, password: PASSWORD, name: 'x', scope: 'read' }, '192.0.2.11');
      for (const res of [wrong, unknown, refused]) {
        expect(res.statusCode).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      expect(sameProblem(wrong)).toEqual(sameProblem(unknown));
      expect(sameProblem(wrong)).toEqual(sameProblem(refused));
      expect(sameProblem(wrong)).toMatchObject({ type: 'urn:alongside:problem:invalid_credentials', status: 401 });
      expect(await t.db.kysely.selectFrom('api_tokens').select('id').where('user_id', '=', suspended.id).execute()).toHaveLength(0);
    });

    it('limits attempts per address with 429 and Retry-After', async () => {
      let last: LightMyRequestResponse | undefined;
      for (let i = 0; i < 26; i++) {
        // An empty password is refused before any hashing, yet still counts.
        last = await issue({ email: `limit-${i}@example.test`, password: '', name: 'x', scope: 'read' }, '192.0.2.99');
        if (i < 25) expect(last.statusCode).toBe(422);
      }
      expect(last!.statusCode).toBe(429);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      expect(last!.json()).toMatchObject({ type: 'urn:alongside:problem:rate_limited', status: 429 });
      // Another address is not affected.
      expect((await issue({ email: 'limit@example.test', password: '', name: 'x', scope: 'read' }, '192.0.2.98')).statusCode).toBe(422);
    });

    it('limits attempts per account, whatever the address', async () => {
      const { email } = await person();
      for (let i = 0; i < 25; i++) {
        const res = await issue({ email, password: '', name: 'x', scope: 'read' }, `198.51.100.${i + 1}`);
        expect(res.statusCode).toBe(422);
      }
      const res = await issue({ email, password: PASSWORD, name: 'x', scope: 'read' }, '198.51.100.200');
      expect(res.statusCode).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
    });

    it('refuses malformed input with 422 pointers, and anything but JSON with 415', async () => {
      const res = await issue({ email: 'a@example.test', password: PASSWORD, name: '', scope: 'all', admin: true }, '192.0.2.12');
      expect(res.statusCode).toBe(422);
      const pointers = (res.json().errors as Array<{ pointer: string }>).map((e) => e.pointer).sort();
      expect(pointers).toEqual(['/admin', '/name', '/scope']);
      const form = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/tokens',
        payload: 'email=a%40example.test&password=x&name=x&scope=read',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        remoteAddress: '192.0.2.12',
      });
      expect(form.statusCode).toBe(415);
      const weird = await issue({ email: ['a'], password: { $ne: 1 }, name: 1, scope: null } as Record<string, unknown>, '192.0.2.12');
      expect(weird.statusCode).toBe(422);
    });

    it('still requires the CSRF token from a request that carries a live session', async () => {
      const { email, client } = await signedIn();
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const body = { email, password: PASSWORD, name: 'x', scope: 'read' };
      const forged = await issue(body, '192.0.2.13', { cookie });
      expect(forged.statusCode).toBe(403);
      expect(forged.json().type).toBe('urn:alongside:problem:csrf_failed');
      await client.get('/account/tokens');
      const withHeader = await issue(body, '192.0.2.13', { cookie, 'x-csrf-token': client.csrfToken() });
      expect(withHeader.statusCode).toBe(201);
    });

    it('asks for the second factor when the account has one', async () => {
      const { id, email } = await person();
      const secret = newTotpSecret();
      const secrets = new Secrets(resolveSecretKey(t.config));
      await t.db.kysely
        .updateTable('users')
        .set({ totp_secret: secrets.encrypt('totp', secret), totp_enabled_at: sql<Date>`now()`, totp_last_step: null })
        .where('id', '=', id)
        .execute();
      const base = { email, password: PASSWORD, name: 'With 2FA', scope: 'read' };
      const missing = await issue(base, '192.0.2.14');
      expect(missing.statusCode).toBe(401);
      expect(missing.json().type).toBe('urn:alongside:problem:second_factor_required');
      const wrongCode = totpCodeAt(secret, totpStep(Date.now()) + 20);
      const wrong = await issue({ ...base, otp: wrongCode }, '192.0.2.14');
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().type).toBe('urn:alongside:problem:second_factor_invalid');
      // A wrong password never reveals that a second factor is on.
      const badPassword = await issue({ ...base, password: 'nope nope nope' }, '192.0.2.14');
      expect(badPassword.json().type).toBe('urn:alongside:problem:invalid_credentials');
      const code = totpCodeAt(secret, totpStep(Date.now()));
      const ok = await issue({ ...base, otp: code }, '192.0.2.14');
      expect(ok.statusCode).toBe(201);
      // A code works once.
      expect((await issue({ ...base, otp: code }, '192.0.2.14')).statusCode).toBe(401);
      expect(await t.db.kysely.selectFrom('api_tokens').select('id').where('user_id', '=', id).execute()).toHaveLength(1);
    });
  });
});
