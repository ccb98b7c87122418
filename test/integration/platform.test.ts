import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyone } from '../../src/platform/auth.js';
import { buildApp } from '../../src/app.js';
import { createTestAdmin, createTestApp, TestClient, testConfig, type TestApp } from '../support/app.js';
import { engines, openTestDatabase } from '../support/db.js';

function csp(header: unknown): Record<string, string> {
  const directives: Record<string, string> = {};
  for (const part of String(header).split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives[name] = values.join(' ');
  }
  return directives;
}

describe.each(engines())('platform on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('security headers', () => {
    it('every page has a strict CSP whose nonce is the one on the script tag', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/' });
      const policy = csp(res.headers['content-security-policy']);
      expect(policy['object-src']).toBe("'none'");
      expect(policy['base-uri']).toBe("'none'");
      expect(policy['frame-ancestors']).toBe("'none'");
      expect(policy['default-src']).toBe("'self'");
      expect(String(res.headers['content-security-policy'])).not.toMatch(/unsafe-inline|unsafe-eval/);
      const nonce = /'nonce-([^']+)'/.exec(policy['script-src'] ?? '')?.[1];
      expect(nonce).toMatch(/^[0-9a-f]{32}$/);
      expect(res.body).toContain(`nonce="${nonce}"`);
      // No inline script or style at all: every <script> has a src, no style attributes.
      expect(res.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(res.body).not.toMatch(/\sstyle="/);
    });

    it('uses a fresh nonce on every response', async () => {
      const a = await t.app.inject({ method: 'GET', url: '/' });
      const b = await t.app.inject({ method: 'GET', url: '/' });
      expect(a.headers['content-security-policy']).not.toBe(b.headers['content-security-policy']);
    });

    it('sets referrer, permissions, framing and sniffing headers on pages, errors, API and static files', async () => {
      for (const url of ['/', '/nowhere', '/api/v1/nowhere', '/healthz', '/static/css/app.css']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.headers['referrer-policy'], url).toBe('no-referrer');
        expect(res.headers['permissions-policy'], url).toContain('geolocation=()');
        expect(res.headers['x-content-type-options'], url).toBe('nosniff');
        expect(res.headers['x-frame-options'], url).toBe('DENY');
        expect(res.headers['x-request-id'], url).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.headers['content-security-policy'], url).toBeDefined();
      }
    });

    it('sends HSTS only when the request came over HTTPS', async () => {
      const plain = await t.app.inject({ method: 'GET', url: '/' });
      expect(plain.headers['strict-transport-security']).toBeUndefined();

      const database = await openTestDatabase(engine);
      const behindProxy = await buildApp({ config: testConfig({ TRUST_PROXY: 'true' }), db: database.db });
      try {
        const secure = await behindProxy.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-proto': 'https' } });
        expect(secure.headers['strict-transport-security']).toMatch(/max-age=\d{8,}/);
        const insecure = await behindProxy.inject({ method: 'GET', url: '/', headers: { 'x-forwarded-proto': 'http' } });
        expect(insecure.headers['strict-transport-security']).toBeUndefined();
      } finally {
        await behindProxy.close();
        await database.close();
      }
    });

    it('uses __Host- cookies that are HttpOnly, Secure and SameSite=Lax', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/' });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^__Host-csrf=/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('Secure');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
      expect(cookie).not.toContain('Domain=');
    });

    it('serves pages with no-store and static files with a long cache', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/' })).headers['cache-control']).toBe('no-store');
      const css = await t.app.inject({ method: 'GET', url: '/static/css/app.css?v=1' });
      expect(css.statusCode).toBe(200);
      expect(css.headers['cache-control']).toContain('immutable');
      expect((await t.app.inject({ method: 'GET', url: '/static/../package.json' })).statusCode).toBe(404);
    });
  });

  describe('errors', () => {
    it('answers unknown API paths with RFC 9457 problem+json and the request id', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/nowhere?token=secret' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const body = res.json();
      expect(body).toMatchObject({ type: 'urn:alongside:problem:not_found', status: 404, title: 'Page not found', instance: '/api/v1/nowhere' });
      expect(body.requestId).toBe(res.headers['x-request-id']);
      expect(JSON.stringify(body)).not.toContain('secret');
    });

    it('answers unknown pages with a translated HTML page', async () => {
      const en = await t.app.inject({ method: 'GET', url: '/nowhere' });
      expect(en.statusCode).toBe(404);
      expect(en.headers['content-type']).toContain('text/html');
      expect(en.body).toContain('Page not found');
      expect(en.body).toContain(String(en.headers['x-request-id']));
      const es = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { 'accept-language': 'es' } });
      expect(es.body).toContain('Página no encontrada');
      const problem = await t.app.inject({ method: 'GET', url: '/api/nowhere', headers: { 'accept-language': 'es' } });
      expect(problem.json().title).toBe('Página no encontrada');
    });

    it('never leaks internals in a 5xx, in HTML or in the API', async () => {
      const database = await openTestDatabase(engine);
      const app = await buildApp({ config: testConfig(), db: database.db });
      app.get('/explode', { config: { guard: anyone } }, async () => {
        throw new Error('password=hunter2 at /srv/secret/path.ts');
      });
      app.get('/api/explode', { config: { guard: anyone } }, async () => {
        throw new Error('password=hunter2 at /srv/secret/path.ts');
      });
      try {
        const page = await app.inject({ method: 'GET', url: '/explode' });
        expect(page.statusCode).toBe(500);
        expect(page.headers['content-type']).toContain('text/html');
        expect(page.body).toContain('Something went wrong on our side');
        expect(page.body).not.toMatch(/hunter2|secret|path\.ts|Error:/);
        const api = await app.inject({ method: 'GET', url: '/api/explode' });
        expect(api.statusCode).toBe(500);
        expect(api.json()).toMatchObject({ type: 'urn:alongside:problem:internal_error', status: 500 });
        expect(api.body).not.toMatch(/hunter2|secret|path\.ts|stack/);
      } finally {
        await app.close();
        await database.close();
      }
    });

    it('refuses oversized and malformed bodies without a 500', async () => {
      const client = new TestClient(t.app);
      await client.get('/');
      const big = await client.post('/language', { locale: 'es', next: '/', filler: 'x'.repeat(300 * 1024) });
      expect(big.statusCode).toBe(413);
      const badJson = await t.app.inject({ method: 'POST', url: '/api/v1/anything', payload: '{"a":', headers: { 'content-type': 'application/json' } });
      expect(badJson.statusCode).toBeGreaterThanOrEqual(400);
      expect(badJson.statusCode).toBeLessThan(500);
      expect(badJson.headers['content-type']).toContain('application/problem+json');
      const weird = await t.app.inject({ method: 'POST', url: '/language', payload: 'x', headers: { 'content-type': 'application/x-unknown' } });
      expect(weird.statusCode).toBe(415);
    });
  });

  describe('CSRF', () => {
    it('refuses a form without a token, with a translated page', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/language',
        payload: 'locale=es&next=/',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'es' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.body).toContain('Este formulario ha caducado');
      expect(res.headers['set-cookie'] ?? '').not.toContain('lang=es');
    });

    it('refuses a token from another browser', async () => {
      const mallory = new TestClient(t.app);
      await mallory.get('/');
      const victim = new TestClient(t.app);
      await victim.get('/');
      const res = await victim.post('/language', { locale: 'es', next: '/', _csrf: mallory.csrfToken() });
      expect(res.statusCode).toBe(403);
    });

    it('gives a first-time visitor one CSRF secret, and every form of the page its token', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/login' });
      const secrets = (res.cookies as Array<{ name: string; value: string }>).filter((c) => c.name === '__Host-csrf');
      expect(secrets).toHaveLength(1);
      const tokens = [...res.body.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]);
      expect(tokens.length).toBeGreaterThanOrEqual(2);
      expect(new Set(tokens).size).toBe(1);
      // The sign-in form's own token (not only the header's) is accepted with that cookie.
      const loginForm = /<form method="post" action="\/login"[\s\S]*?name="_csrf" value="([^"]+)"/.exec(res.body)![1]!;
      const post = await t.app.inject({
        method: 'POST',
        url: '/login',
        payload: new URLSearchParams({ _csrf: loginForm, email: 'nobody@example.test', password: 'whatever it is' }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `__Host-csrf=${secrets[0]!.value}` },
      });
      expect(post.statusCode).toBe(401);
    });

    it('accepts the token of the page', async () => {
      const client = new TestClient(t.app);
      await client.get('/');
      const res = await client.post('/language', { locale: 'es', next: '/' });
      expect(res.statusCode).toBe(303);
    });
  });

  describe('language', () => {
    it('the switcher sets a cookie that wins over Accept-Language and redirects back', async () => {
      const client = new TestClient(t.app);
      client.headers['accept-language'] = 'en';
      await client.get('/nowhere');
      const res = await client.post('/language', { locale: 'es', next: '/admin?x=1' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/admin?x=1');
      expect(client.cookies.get('__Host-lang')).toBe('es');
      expect((await client.get('/')).body).toContain('<html lang="es"');
    });

    it('never redirects off the site', async () => {
      const client = new TestClient(t.app);
      await client.get('/');
      const res = await client.post('/language', { locale: 'es', next: '//evil.example/x' });
      expect(res.headers.location).toBe('/');
      // Browsers drop tabs and line breaks from URLs: "/\t/evil.example" would become "//evil.example".
      for (const next of ['/\t/evil.example/x', '/\n/evil.example/x', '/\r\n/evil.example/x', '/ /x']) {
        await client.get('/');
        const sneaky = await client.post('/language', { locale: 'es', next });
        expect(sneaky.statusCode, JSON.stringify(next)).toBe(303);
        expect(sneaky.headers.location, JSON.stringify(next)).toBe('/');
      }
    });

    it('ignores unknown locales', async () => {
      const client = new TestClient(t.app);
      await client.get('/');
      await client.post('/language', { locale: 'xx', next: '/' });
      expect(client.cookies.has('__Host-lang')).toBe(false);
    });

    it('a signed-in person’s saved choice wins over the cookie and follows them to a new browser', async () => {
      const admin = await createTestAdmin(t);
      const first = new TestClient(t.app);
      await first.logIn(admin.email, admin.password);
      await first.get('/');
      await first.post('/language', { locale: 'es', next: '/' });
      const second = new TestClient(t.app);
      second.headers['accept-language'] = 'en';
      await second.logIn(admin.email, admin.password);
      expect((await second.get('/')).body).toContain('<html lang="es"');
    });
  });

  describe('sessions', () => {
    it('a wrong password and an unknown address get the same generic answer', async () => {
      const admin = await createTestAdmin(t);
      const a = new TestClient(t.app);
      const wrongPassword = await a.logIn(admin.email, 'not the password');
      const b = new TestClient(t.app);
      const unknown = await b.logIn('nobody@example.test', 'not the password');
      expect(wrongPassword.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      const message = 'That email address and password do not match an account.';
      expect(wrongPassword.body).toContain(message);
      expect(unknown.body).toContain(message);
      expect(a.cookies.has('__Host-session')).toBe(false);
      // The address typed is kept in the form; the password never is.
      expect(wrongPassword.body).toContain(`value="${admin.email}"`);
      expect(wrongPassword.body).not.toContain('not the password');
    });

    it('signing in sets a fresh secure session cookie; signing out ends it on the server', async () => {
      const admin = await createTestAdmin(t);
      const client = new TestClient(t.app);
      const login = await client.logIn(admin.email, admin.password);
      expect(login.statusCode).toBe(303);
      const setCookie = String(login.headers['set-cookie']);
      expect(setCookie).toMatch(/__Host-session=[A-Za-z0-9_-]{43};/);
      expect(setCookie).toMatch(/HttpOnly/);
      expect(setCookie).toMatch(/Secure/);
      expect(setCookie).toMatch(/SameSite=Lax/);
      const token = client.cookies.get('__Host-session')!;
      const stored = await t.db.kysely.selectFrom('sessions').select('token_hash').execute();
      expect(stored.map((s) => s.token_hash)).not.toContain(token);

      expect((await client.get('/admin')).statusCode).toBe(200);
      await client.get('/');
      const logout = await client.post('/logout');
      expect(logout.statusCode).toBe(303);
      expect(logout.headers['clear-site-data']).toBe('"cache", "storage"');
      const cleared = String(logout.headers['set-cookie']);
      expect(cleared).toMatch(/__Host-session=;/);
      expect(cleared).toMatch(/__Host-csrf=;/);
      expect(client.cookies.has('__Host-session')).toBe(false);
      // The language chosen before signing out stays.
      expect(cleared).not.toContain('__Host-lang');
      // The old token no longer works even if a copy was kept.
      const replay = await t.app.inject({ method: 'GET', url: '/admin', headers: { cookie: `__Host-session=${token}` } });
      expect(replay.statusCode).toBe(303);
      expect(replay.headers.location).toBe('/login?next=%2Fadmin');
    });

    it('the sign-in page links to password reset and sign-up, and confirms a verified address or a reset', async () => {
      const page = await t.app.inject({ method: 'GET', url: '/login' });
      expect(page.body).toContain('href="/forgot-password"');
      expect(page.body).toContain('href="/signup"');
      expect(page.body).not.toContain('role="status"');
      expect((await t.app.inject({ method: 'GET', url: '/login?verified=1' })).body).toContain('Your email address is confirmed.');
      expect((await t.app.inject({ method: 'GET', url: '/login?reset=1', headers: { 'accept-language': 'es' } })).body).toContain('Tu contraseña');
    });

    it('after signing in, goes back to the page that asked for it, and only on this site', async () => {
      const admin = await createTestAdmin(t);
      const client = new TestClient(t.app);
      await client.get('/login?next=/admin/audit');
      expect(client.lastHtml).toContain('value="/admin/audit"');
      const res = await client.post('/login', { email: admin.email, password: admin.password, next: '/admin/audit' });
      expect(res.headers.location).toBe('/admin/audit');
      const evil = new TestClient(t.app);
      await evil.get('/login');
      const res2 = await evil.post('/login', { email: admin.email, password: admin.password, next: 'https://evil.example' });
      expect(res2.headers.location).toBe('/');
    });

    it('records sign-in successes and failures in the audit log, which admins can read', async () => {
      const admin = await createTestAdmin(t);
      const client = new TestClient(t.app);
      await client.logIn(admin.email, 'wrong password');
      await client.logIn(admin.email, admin.password);
      const audit = await client.get('/admin/audit');
      expect(audit.statusCode).toBe(200);
      expect(audit.body).toContain('auth.login_failed');
      expect(audit.body).toContain('auth.login');
      expect(audit.body).not.toContain('wrong password');
    });
  });

  describe('admin area authorization', () => {
    const pages = ['/admin', '/admin/jobs', '/admin/jobs?state=done', '/admin/mail', '/admin/audit'];

    it('sends anonymous people to sign in', async () => {
      for (const url of pages) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(303);
        expect(res.headers.location, url).toMatch(/^\/login\?next=/);
      }
    });

    it('refuses signed-in people who are not admins', async () => {
      const { hashPassword, normalizeEmail, upsertUser } = await import('../../src/modules/accounts/index.js');
      const email = `member-${Date.now()}@example.test`;
      await upsertUser(t.db.kysely, {
        email,
        emailNormalized: normalizeEmail(email),
        displayName: 'Member',
        passwordHash: await hashPassword('a long enough password'),
        role: 'moderator',
        verified: true,
      });
      const client = new TestClient(t.app);
      await client.logIn(email, 'a long enough password');
      for (const url of pages) expect((await client.get(url)).statusCode, url).toBe(403);
    });

    it('lets admins in', async () => {
      const admin = await createTestAdmin(t);
      const client = new TestClient(t.app);
      await client.logIn(admin.email, admin.password);
      for (const url of pages) expect((await client.get(url)).statusCode, url).toBe(200);
      expect((await client.get('/admin/mail/999999')).statusCode).toBe(404);
      expect((await client.get('/admin/mail/abc')).statusCode).toBe(404);
    });
  });

  describe('health and metrics', () => {
    it('/healthz answers while the process runs and /readyz when the database answers', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok', database: engine });
    });

    it('/readyz answers 503 when the database is gone', async () => {
      const database = await openTestDatabase(engine);
      const app = await buildApp({ config: testConfig(), db: database.db });
      await database.close();
      try {
        const res = await app.inject({ method: 'GET', url: '/readyz' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toEqual({ status: 'unavailable' });
      } finally {
        await app.close();
      }
    });

    it('/metrics is off unless configured', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    });

    it('/metrics serves Prometheus text with route patterns, behind a token when one is set', async () => {
      const database = await openTestDatabase(engine);
      const app = await buildApp({ config: testConfig({ METRICS_ENABLED: 'true', METRICS_TOKEN: 'metrics-token-0123456789' }), db: database.db });
      try {
        await app.inject({ method: 'GET', url: '/admin/mail/12345' });
        expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
        const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toContain('text/plain');
        expect(res.body).toContain('http_request_duration_seconds_bucket');
        expect(res.body).toContain('route="/admin/mail/:id"');
        expect(res.body).not.toContain('12345');
        expect(res.body).toMatch(/alongside_jobs\{state="failed"\} 0/);
        expect(res.body).toContain('process_cpu_user_seconds_total');
      } finally {
        await app.close();
        await database.close();
      }
    });
  });

  describe('logs', () => {
    it('never contain passwords, email addresses, session tokens or client addresses', async () => {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk, _encoding, callback) {
          lines.push(String(chunk));
          callback();
        },
      });
      const logged = await createTestApp(engine, { logStream: stream });
      try {
        const admin = await createTestAdmin(logged);
        const client = new TestClient(logged.app);
        client.headers['x-forwarded-for'] = '203.0.113.7';
        await client.logIn(admin.email, 'Wrong-Password-42');
        await client.logIn(admin.email, admin.password);
        await client.get('/admin?email=someone@example.org');
        await client.get('/nowhere?token=abc123secret');
        const token = client.cookies.get('__Host-session')!;
        const all = lines.join('\n');
        expect(lines.length).toBeGreaterThan(4);
        expect(all).toContain('"reqId"');
        for (const secret of [admin.email, admin.password, 'Wrong-Password-42', token, 'someone@example.org', 'abc123secret', '127.0.0.1', '203.0.113.7']) {
          expect(all, secret).not.toContain(secret);
        }
      } finally {
        await logged.close();
      }
    });
  });
});
