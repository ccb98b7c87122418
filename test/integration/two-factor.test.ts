import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, normalizeEmail, upsertUser } from '../../src/modules/accounts/index.js';
import { totpCodeAt, totpStep, verifySecondFactor } from '../../src/modules/accounts/two-factor.service.js';
import type { AppContext } from '../../src/platform/module.js';
import { JobWorker } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailHandler } from '../../src/platform/mail/mail.js';
import { LIMITS } from '../../src/platform/rate-limit.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const PASSWORD = 'a long and private passphrase';
let counter = 0;

describe.each(engines())('two-step sign-in on %s', (engine) => {
  let t: TestApp;
  let ctx: AppContext;
  beforeAll(async () => {
    // Behind a proxy each browser gets its own address, so the per-address sign-in limit does not add up across tests.
    t = await createTestApp(engine, { env: { TRUST_PROXY: 'true' } });
    ctx = t.ctx;
  });
  afterAll(async () => {
    await t?.close();
  });

  const SESSION = '__Host-session';
  const CHALLENGE = '__Host-login-challenge';

  let addresses = 0;
  function browser(): TestClient {
    addresses += 1;
    const client = new TestClient(t.app);
    client.headers['x-forwarded-for'] = `198.51.100.${addresses % 250}`;
    return client;
  }

  async function makeUser(name = 'Rosa'): Promise<{ id: string; email: string; password: string }> {
    counter += 1;
    const email = `tf${counter}-${Date.now()}@example.test`;
    const id = await upsertUser(t.db.kysely, {
      email,
      emailNormalized: normalizeEmail(email),
      displayName: name,
      passwordHash: await hashPassword(PASSWORD),
      role: 'user',
      verified: true,
    });
    return { id, email, password: PASSWORD };
  }

  async function userRow(id: string) {
    return t.db.kysely
      .selectFrom('users')
      .select(['totp_secret', 'totp_enabled_at', 'totp_last_step'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  async function secretOf(id: string): Promise<string> {
    const row = await userRow(id);
    return ctx.secrets.decrypt('totp', row.totp_secret!);
  }

  /**
   * A code the server has not seen yet: the current step's, or the next one when the current step
   * was used. When both were used, the last step is moved back, as if 30 seconds had passed.
   */
  async function freshCode(id: string): Promise<string> {
    const secret = await secretOf(id);
    const { totp_last_step: last } = await userRow(id);
    const current = totpStep(Date.now());
    let step = last === null ? current : Math.max(current, last + 1);
    if (step > current + 1) {
      await t.db.kysely.updateTable('users').set({ totp_last_step: current - 1 }).where('id', '=', id).execute();
      step = current;
    }
    return totpCodeAt(secret, step);
  }

  /** A six-digit code that is no code of the accepted window. */
  async function wrongCode(id: string): Promise<string> {
    const secret = await secretOf(id);
    const current = totpStep(Date.now());
    const valid = new Set([-2, -1, 0, 1, 2].map((d) => totpCodeAt(secret, current + d)));
    let n = 0;
    while (valid.has(String(n).padStart(6, '0'))) n += 1;
    return String(n).padStart(6, '0');
  }

  async function auditActions(userId: string): Promise<Array<{ action: string; details: Record<string, unknown> }>> {
    return t.db.kysely.selectFrom('audit_log').select(['action', 'details']).where('actor_id', '=', userId).orderBy('id').execute();
  }

  async function drainMail() {
    await new JobWorker({
      db: t.db,
      handlers: { 'mail.send': createMailHandler({ smtpUrl: undefined, from: 'x@y.z', messageIdDomain: 'test' }).handler },
      log: createLogger('silent'),
    }).drain();
  }

  async function mailsTo(email: string): Promise<Array<{ subject: string; text: string }>> {
    await drainMail();
    return t.db.kysely
      .selectFrom('mail_outbox')
      .select(['subject', 'text_body as text'])
      .where('to_address', '=', email)
      .orderBy('id')
      .execute();
  }

  /** Signs in with the password, sets up and turns on the second factor; gives the recovery codes shown. */
  async function enrol(client: TestClient, user: { id: string; email: string; password: string }): Promise<string[]> {
    expect((await client.logIn(user.email, user.password)).statusCode).toBe(303);
    await client.get('/account/two-factor');
    expect((await client.post('/account/two-factor/setup', { password: user.password })).statusCode).toBe(200);
    const enabled = await client.post('/account/two-factor/enable', { code: await freshCode(user.id) });
    expect(enabled.statusCode).toBe(200);
    return [...enabled.body.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
  }

  /** A fresh browser that has given the password of a person with a second factor. */
  async function passwordStep(user: { email: string; password: string }, next?: string): Promise<TestClient> {
    const client = browser();
    await client.get(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
    const res = await client.post('/login', { email: user.email, password: user.password, ...(next ? { next } : {}) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login/two-factor');
    return client;
  }

  it('enrols: QR code and grouped key shown once, the secret stored encrypted, on only after a correct code', async () => {
    const user = await makeUser();
    const client = browser();
    await client.logIn(user.email, user.password);

    const status = await client.get('/account/two-factor');
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain('action="/account/two-factor/setup"');

    // The password is needed to see a key.
    const refused = await client.post('/account/two-factor/setup', { password: 'not my password' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('field-password-error');
    expect((await userRow(user.id)).totp_secret).toBeNull();

    const setup = await client.post('/account/two-factor/setup', { password: user.password });
    expect(setup.statusCode).toBe(200);
    const img = /<img src="(data:image\/svg\+xml;base64,[^"]+)"[^>]*alt="([^"]+)"/.exec(setup.body);
    expect(img).not.toBeNull();
    expect(Buffer.from(img![1]!.split(',')[1]!, 'base64').toString()).toContain('<svg');
    expect(img![2]!.length).toBeGreaterThan(20);

    const row = await userRow(user.id);
    const secret = ctx.secrets.decrypt('totp', row.totp_secret!);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(row.totp_secret).not.toContain(secret);
    expect(row.totp_secret).toMatch(/^v1\./);
    expect(row.totp_enabled_at).toBeNull();
    expect(setup.body).toContain(secret.match(/.{4}/g)!.join(' '));
    expect(setup.body).toContain('autocomplete="one-time-code"');
    expect(setup.body).toMatch(/inputmode="numeric"/i);
    // No inline script on the page: the QR code is an image.
    expect(setup.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);

    // Not on yet: signing in still needs the password only.
    const other = browser();
    expect((await other.logIn(user.email, user.password)).headers.location).toBe('/');

    const wrong = await client.post('/account/two-factor/enable', { code: await wrongCode(user.id) });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('field-code-error');
    expect(wrong.body).not.toContain(secret.slice(0, 4) + ' ' + secret.slice(4, 8));
    expect((await userRow(user.id)).totp_enabled_at).toBeNull();

    const malformed = await client.post('/account/two-factor/enable', { code: '12ab' });
    expect(malformed.statusCode).toBe(422);

    const enabled = await client.post('/account/two-factor/enable', { code: totpCodeAt(secret, totpStep(Date.now())) });
    expect(enabled.statusCode).toBe(200);
    const codes = [...enabled.body.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);

    const after = await userRow(user.id);
    expect(after.totp_enabled_at).toBeInstanceOf(Date);
    expect(after.totp_last_step).toBe(totpStep(Date.now()));
    const stored = await t.db.kysely.selectFrom('recovery_codes').select(['code_hash', 'used_at']).where('user_id', '=', user.id).execute();
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) {
      for (const code of codes) {
        expect(code_hash).not.toContain(code.replace('-', ''));
      }
    }

    expect((await auditActions(user.id)).map((a) => a.action)).toContain('auth.2fa_enabled');
    const mails = await mailsTo(user.email);
    expect(mails.map((m) => m.subject)).toContain('Two-step sign-in is on');

    const page = await client.get('/account/two-factor');
    expect(page.body).toContain('action="/account/two-factor/disable"');
    expect(page.body).toContain('Unused recovery codes left: 10.');
    // A second setup cannot replace a secret in use.
    const again = await client.post('/account/two-factor/setup', { password: user.password });
    expect(again.statusCode).toBe(303);
    expect((await userRow(user.id)).totp_secret).toBe(after.totp_secret);
  });

  it('asks for the code after the password: no session until then, and the challenge cookie gives no access', async () => {
    const user = await makeUser();
    await enrol(browser(), user);

    const client = await passwordStep(user, '/account/two-factor');
    expect(client.cookies.has(SESSION)).toBe(false);
    expect(client.cookies.has(CHALLENGE)).toBe(true);
    const challenges = await t.db.kysely.selectFrom('login_challenges').selectAll().where('user_id', '=', user.id).execute();
    expect(challenges).toHaveLength(1);
    // Only a hash is stored.
    expect(challenges[0]!.token_hash).not.toBe(client.cookies.get(CHALLENGE));
    expect(challenges[0]!.next_path).toBe('/account/two-factor');
    expect(challenges[0]!.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);

    for (const url of ['/account/two-factor']) {
      const res = await client.get(url);
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location, url).toMatch(/^\/login\?next=/);
    }
    // Sending the challenge token as if it were a session does not work either.
    const forged = await t.app.inject({ method: 'GET', url: '/account/two-factor', headers: { cookie: `${SESSION}=${client.cookies.get(CHALLENGE)}` } });
    expect(forged.statusCode).toBe(303);

    const page = await client.get('/login/two-factor');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('autocomplete="one-time-code"');
    expect(page.body).toMatch(/inputmode="numeric"/i);
    expect(page.body).toContain('href="/login/two-factor?method=recovery"');
    const setCookie = String(page.headers['set-cookie'] ?? '');
    expect(setCookie).not.toContain(SESSION);

    const res = await client.post('/login/two-factor', { code: await freshCode(user.id) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/two-factor');
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]);
    const session = cookies.find((c) => c.startsWith(`${SESSION}=`))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/Secure/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(client.cookies.has(CHALLENGE)).toBe(false);
    expect((await client.get('/account/two-factor')).statusCode).toBe(200);
    expect(await t.db.kysely.selectFrom('login_challenges').selectAll().where('user_id', '=', user.id).execute()).toHaveLength(0);

    const login = (await auditActions(user.id)).filter((a) => a.action === 'auth.login').at(-1)!;
    expect(login.details).toEqual({ second_factor: true });
  });

  it('sets the challenge cookie HttpOnly, Secure, SameSite=Lax, short-lived', async () => {
    const user = await makeUser();
    await enrol(browser(), user);
    const client = browser();
    await client.get('/login');
    const res = await client.post('/login', { email: user.email, password: user.password });
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] as string | string[]);
    expect(cookies.some((c) => c.startsWith(`${SESSION}=`))).toBe(false);
    const challenge = cookies.find((c) => c.startsWith(`${CHALLENGE}=`))!;
    expect(challenge).toMatch(/HttpOnly/i);
    expect(challenge).toMatch(/Secure/i);
    expect(challenge).toMatch(/SameSite=Lax/i);
    expect(challenge).toMatch(/Path=\//);
    expect(challenge).toMatch(/Max-Age=300/);
  });

  it('refuses a replayed code', async () => {
    const user = await makeUser();
    await enrol(browser(), user);

    const first = await passwordStep(user);
    const code = await freshCode(user.id);
    expect((await first.post('/login/two-factor', { code })).statusCode).toBe(303);

    const second = await passwordStep(user);
    const replay = await second.post('/login/two-factor', { code });
    expect(replay.statusCode).toBe(422);
    expect(replay.body).toContain('field-code-error');
    expect(second.cookies.has(SESSION)).toBe(false);
    // A code of a later step still works on the same challenge.
    expect((await second.post('/login/two-factor', { code: await freshCode(user.id) })).statusCode).toBe(303);
  });

  it('answers wrong codes with 422 and a generic message, and drops the challenge after five', async () => {
    const user = await makeUser();
    await enrol(browser(), user);
    const client = await passwordStep(user);
    const bad = await wrongCode(user.id);
    for (let i = 1; i <= 5; i += 1) {
      const res = await client.post('/login/two-factor', { code: bad });
      expect(res.statusCode, `attempt ${i}`).toBe(422);
      expect(client.cookies.has(SESSION)).toBe(false);
    }
    expect(await t.db.kysely.selectFrom('login_challenges').selectAll().where('user_id', '=', user.id).execute()).toHaveLength(0);
    // Even the right code cannot use that challenge now.
    await client.get('/login');
    const late = await t.app.inject({
      method: 'POST',
      url: '/login/two-factor',
      payload: new URLSearchParams({ _csrf: client.csrfToken(), code: await freshCode(user.id) }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') + `; ${CHALLENGE}=${'x'.repeat(43)}`,
      },
    });
    expect(late.statusCode).toBe(303);
    expect(late.headers.location).toBe('/login?challenge=expired');
    const failures = (await auditActions(user.id)).filter((a) => a.action === 'auth.login_failed');
    expect(failures).toHaveLength(5);
    expect(failures[0]!.details).toMatchObject({ reason: 'bad_second_factor' });
  });

  it('keeps the same challenge after a malformed code, and refuses unknown fields', async () => {
    const user = await makeUser();
    await enrol(browser(), user);
    const client = await passwordStep(user);
    const malformed = await client.post('/login/two-factor', { code: '12' });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.body).toContain('field-code-error');
    const unknown = await client.post('/login/two-factor', { code: await freshCode(user.id), role: 'admin' });
    expect(unknown.statusCode).toBe(422);
    expect((await client.post('/login/two-factor', { code: await freshCode(user.id) })).statusCode).toBe(303);
  });

  it('sends an expired challenge back to the sign-in form', async () => {
    const user = await makeUser();
    await enrol(browser(), user);
    const client = await passwordStep(user);
    await t.db.kysely
      .updateTable('login_challenges')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('user_id', '=', user.id)
      .execute();
    const page = await client.get('/login/two-factor');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?challenge=expired');
    expect(client.cookies.has(CHALLENGE)).toBe(false);
    const login = await client.get('/login?challenge=expired');
    expect(login.body).toContain(ctx.i18n.translator('en').t('login.challengeExpired'));
    // Signing in again clears the abandoned challenge away.
    await t.db.kysely.updateTable('login_challenges').set({ expires_at: sql<Date>`now() - interval '1 second'` }).where('user_id', '=', user.id).execute();
    await passwordStep(user);
    const left = await t.db.kysely.selectFrom('login_challenges').select('expires_at').where('user_id', '=', user.id).execute();
    expect(left).toHaveLength(1);
    expect(left[0]!.expires_at.getTime()).toBeGreaterThan(Date.now());
    // Without any challenge the second step is not there.
    const fresh = browser();
    const none = await fresh.get('/login/two-factor');
    expect(none.headers.location).toBe('/login');
  });

  it('refuses the second step to a person suspended after the password step', async () => {
    const user = await makeUser();
    await enrol(browser(), user);
    const client = await passwordStep(user);
    await t.db.kysely.updateTable('users').set({ suspended_at: new Date() }).where('id', '=', user.id).execute();
    const res = await client.post('/login/two-factor', { code: await freshCode(user.id) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?challenge=expired');
    expect(client.cookies.has(SESSION)).toBe(false);
  });

  it('accepts a recovery code once only', async () => {
    const user = await makeUser();
    const codes = await enrol(browser(), user);

    const client = await passwordStep(user);
    const form = await client.get('/login/two-factor?method=recovery');
    expect(form.body).toContain('name="recovery_code"');
    const res = await client.post('/login/two-factor', { recovery_code: codes[0]!.toUpperCase().replace('-', ' ') });
    expect(res.statusCode).toBe(303);
    expect(client.cookies.has(SESSION)).toBe(true);
    const used = await t.db.kysely.selectFrom('recovery_codes').select('used_at').where('user_id', '=', user.id).where('used_at', 'is not', null).execute();
    expect(used).toHaveLength(1);
    const audit = (await auditActions(user.id)).find((a) => a.action === 'auth.recovery_code_used')!;
    expect(audit.details).toEqual({ remaining: 9 });
    expect((await mailsTo(user.email)).map((m) => m.subject)).toContain('A recovery code was used');

    const again = await passwordStep(user);
    const reuse = await again.post('/login/two-factor', { recovery_code: codes[0]! });
    expect(reuse.statusCode).toBe(422);
    expect(reuse.body).toContain('field-recovery_code-error');
    expect(again.cookies.has(SESSION)).toBe(false);
    expect((await again.post('/login/two-factor', { recovery_code: codes[1]! })).statusCode).toBe(303);
  });

  it('turns off only with the password and a code, then forgets the secret and codes', async () => {
    const user = await makeUser();
    const client = browser();
    const codes = await enrol(client, user);
    await client.get('/account/two-factor');

    const noPassword = await client.post('/account/two-factor/disable', { password: 'wrong password', code: await freshCode(user.id) });
    expect(noPassword.statusCode).toBe(422);
    expect(noPassword.body).toContain('field-password-error');
    const noCode = await client.post('/account/two-factor/disable', { password: user.password, code: await wrongCode(user.id) });
    expect(noCode.statusCode).toBe(422);
    expect(noCode.body).toContain('field-code-error');
    const missing = await client.post('/account/two-factor/disable', { password: user.password });
    expect(missing.statusCode).toBe(422);
    expect((await userRow(user.id)).totp_enabled_at).not.toBeNull();

    const off = await client.post('/account/two-factor/disable', { password: user.password, code: codes[2]! });
    expect(off.statusCode).toBe(303);
    expect(off.headers.location).toBe('/account/two-factor?done=disabled');
    expect(await userRow(user.id)).toEqual({ totp_secret: null, totp_enabled_at: null, totp_last_step: null });
    expect(await t.db.kysely.selectFrom('recovery_codes').selectAll().where('user_id', '=', user.id).execute()).toHaveLength(0);
    expect((await auditActions(user.id)).map((a) => a.action)).toContain('auth.2fa_disabled');
    expect((await mailsTo(user.email)).map((m) => m.subject)).toContain('Two-step sign-in is off');
    expect((await client.get('/account/two-factor?done=disabled')).body).toContain('action="/account/two-factor/setup"');

    const plain = browser();
    expect((await plain.logIn(user.email, user.password)).headers.location).toBe('/');
  });

  it('makes new recovery codes only with a current code; the old ones stop working', async () => {
    const user = await makeUser();
    const client = browser();
    const old = await enrol(client, user);
    await client.get('/account/two-factor');
    expect((await client.post('/account/two-factor/recovery-codes', { code: await wrongCode(user.id) })).statusCode).toBe(422);
    const res = await client.post('/account/two-factor/recovery-codes', { code: await freshCode(user.id) });
    expect(res.statusCode).toBe(200);
    const fresh = [...res.body.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
    expect(fresh).toHaveLength(10);
    expect((await auditActions(user.id)).map((a) => a.action)).toContain('auth.recovery_codes_regenerated');

    const signIn = await passwordStep(user);
    expect((await signIn.post('/login/two-factor', { recovery_code: old[0]! })).statusCode).toBe(422);
    expect((await signIn.post('/login/two-factor', { recovery_code: fresh[0]! })).statusCode).toBe(303);
  });

  it('limits second-factor attempts per account with 429 and Retry-After', async () => {
    const user = await makeUser();
    await enrol(browser(), user);
    // Enrolment counted against the same limit; start from zero.
    const bucket = LIMITS.secondFactorPerAccount.bucket;
    await t.db.kysely
      .deleteFrom('rate_limits')
      .where('bucket', '=', bucket)
      .where('key_hash', '=', ctx.secrets.hmac(`rate:${bucket}`, user.id))
      .execute();
    const bad = await wrongCode(user.id);
    let client = await passwordStep(user);
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.secondFactorPerAccount.limit + 1; i += 1) {
      if (i > 0 && i % 5 === 0) client = await passwordStep(user);
      const res = await client.post('/login/two-factor', { code: bad });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, LIMITS.secondFactorPerAccount.limit).every((s) => s === 422)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // While limited, even the right code is refused.
    const right = await client.post('/login/two-factor', { code: await freshCode(user.id) });
    expect(right.statusCode).toBe(429);
    expect(client.cookies.has(SESSION)).toBe(false);
  });

  it('shares one budget of second-factor guesses between the sign-in page and the API', async () => {
    const user = await makeUser();
    await enrol(browser(), user);
    const bucket = LIMITS.secondFactorPerAccount.bucket;
    await t.db.kysely.deleteFrom('rate_limits').where('bucket', '=', bucket).where('key_hash', '=', ctx.secrets.hmac(`rate:${bucket}`, user.id)).execute();
    const bad = await wrongCode(user.id);
    const half = Math.ceil(LIMITS.secondFactorPerAccount.limit / 2);
    let client = await passwordStep(user);
    for (let i = 0; i < half; i += 1) {
      if (i > 0 && i % 5 === 0) client = await passwordStep(user);
      expect((await client.post('/login/two-factor', { code: bad })).statusCode).toBe(422);
    }
    const api = (otp: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/tokens',
        remoteAddress: `203.0.113.${(addresses += 1) % 250}`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: user.email, password: user.password, otp, name: 'CLI', scope: 'read' }),
      });
    const statuses: number[] = [];
    for (let i = half; i < LIMITS.secondFactorPerAccount.limit + 1; i += 1) statuses.push((await api(bad)).statusCode);
    expect(statuses.slice(0, -1).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // The budget is spent for both ways in.
    expect((await api(await freshCode(user.id))).statusCode).toBe(429);
    client = await passwordStep(user);
    expect((await client.post('/login/two-factor', { code: bad })).statusCode).toBe(429);
  });

  it('verifySecondFactor accepts a fresh code once, a recovery code once, and nothing for people without a second factor', async () => {
    const user = await makeUser();
    const codes = await enrol(browser(), user);
    const code = await freshCode(user.id);
    expect(await verifySecondFactor(ctx, user.id, code)).toBe(true);
    expect(await verifySecondFactor(ctx, user.id, code)).toBe(false);
    expect(await verifySecondFactor(ctx, user.id, await wrongCode(user.id))).toBe(false);
    expect(await verifySecondFactor(ctx, user.id, codes[3]!)).toBe(true);
    expect(await verifySecondFactor(ctx, user.id, codes[3]!)).toBe(false);
    expect(await verifySecondFactor(ctx, user.id, '')).toBe(false);
    expect(await verifySecondFactor(ctx, user.id, 'x'.repeat(10_000))).toBe(false);

    // Two requests racing with the same fresh code: only one wins.
    const racing = await freshCode(user.id);
    const results = await Promise.all([verifySecondFactor(ctx, user.id, racing), verifySecondFactor(ctx, user.id, racing)]);
    expect(results.filter(Boolean)).toHaveLength(1);

    const plain = await makeUser();
    expect(await verifySecondFactor(ctx, plain.id, '123456')).toBe(false);
  });

  it('a password reset signs nobody in, and the new password still leads to the second step', async () => {
    const user = await makeUser();
    await enrol(browser(), user);
    const stranger = browser();
    await stranger.get('/forgot-password');
    expect((await stranger.post('/forgot-password', { email: user.email })).statusCode).toBe(303);
    const mail = (await mailsTo(user.email)).reverse().find((m) => /\/reset-password\?token=/.test(m.text))!;
    const token = /\/reset-password\?token=([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    await stranger.get(`/reset-password?token=${token}`);
    const newPassword = 'heron-lantern-copper-19';
    const done = await stranger.post('/reset-password', { token, password: newPassword });
    expect(done.statusCode).toBe(303);
    expect(stranger.cookies.has(SESSION)).toBe(false);
    expect((await stranger.get('/account/two-factor')).headers.location).toMatch(/^\/login/);

    const client = await passwordStep({ email: user.email, password: newPassword });
    expect(client.cookies.has(SESSION)).toBe(false);
    expect((await client.post('/login/two-factor', { code: await freshCode(user.id) })).statusCode).toBe(303);
    expect(client.cookies.has(SESSION)).toBe(true);
  });

  it('keeps password-only sign-in as it was for people without a second factor', async () => {
    const user = await makeUser();
    const client = browser();
    await client.get('/login?next=/account/two-factor');
    const res = await client.post('/login', { email: user.email, password: user.password, next: '/account/two-factor' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/two-factor');
    expect(client.cookies.has(SESSION)).toBe(true);
    expect(client.cookies.has(CHALLENGE)).toBe(false);
    // A signed-in person has no second step to take.
    expect((await client.get('/login/two-factor')).headers.location).toBe('/');
  });
});
