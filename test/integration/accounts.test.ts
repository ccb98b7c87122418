import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobWorker } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailHandler, MAIL_JOB } from '../../src/platform/mail/mail.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const PASSWORD = 'violet-otter-harbor-42';
const mailHandler = createMailHandler({ smtpUrl: undefined, from: 'x@y.z', messageIdDomain: 'test' }).handler;

let counter = 0;
function uniqueEmail(label: string): string {
  counter += 1;
  return `${label}-${counter}-${Date.now()}@example.test`;
}

/** Masks what differs between two renderings of the same page: CSRF tokens and CSP nonces. */
function stable(html: string): string {
  return html
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value=""')
    .replace(/nonce="[^"]*"/g, 'nonce=""')
    .replace(/name="next" value="[^"]*"/g, 'name="next" value=""');
}

describe.each(engines())('accounts on %s', (engine) => {
  let t: TestApp;
  let ip = 0;

  beforeAll(async () => {
    t = await createTestApp(engine, { env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A browser from an address of its own, so that per-address limits stay out of the way unless a test wants them. */
  function browser(address?: string): TestClient {
    ip += 1;
    const client = new TestClient(t.app);
    client.headers['x-forwarded-for'] = address ?? `198.51.${Math.floor(ip / 250)}.${(ip % 250) + 1}`;
    return client;
  }

  async function mailsTo(address: string): Promise<Array<{ subject: string; text: string }>> {
    await new JobWorker({ db: t.db, handlers: { [MAIL_JOB]: mailHandler }, log: createLogger('silent') }).drain();
    return t.db.kysely
      .selectFrom('mail_outbox')
      .select(['subject', 'text_body as text'])
      .where('to_address', '=', address)
      .orderBy('id')
      .execute();
  }

  async function lastLink(address: string, path: string): Promise<string> {
    const mails = await mailsTo(address);
    for (const mail of mails.reverse()) {
      const match = new RegExp(`http://localhost:3000(${path}\\?token=[A-Za-z0-9_-]{43})`).exec(mail.text);
      if (match?.[1]) return match[1];
    }
    throw new Error(`No ${path} link was mailed to ${address}`);
  }

  function tokenOf(link: string): string {
    return new URL(link, 'http://x').searchParams.get('token')!;
  }

  async function signUp(client: TestClient, fields: { email: string; display_name?: string; password?: string }) {
    await client.get('/signup');
    return client.post('/signup', { display_name: 'River', password: PASSWORD, ...fields });
  }

  /** A verified account, signed in on a browser of its own. */
  async function account(label = 'person'): Promise<{ email: string; client: TestClient; id: string }> {
    const email = uniqueEmail(label);
    const client = browser();
    await signUp(client, { email });
    const link = await lastLink(email, '/verify-email');
    await client.get(link);
    await client.post('/verify-email', { token: tokenOf(link) });
    const login = await client.logIn(email, PASSWORD);
    expect(login.statusCode).toBe(303);
    const user = await t.db.kysely.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    return { email, client, id: user.id };
  }

  async function auditActions(userId: string): Promise<string[]> {
    const rows = await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', userId).orderBy('id').execute();
    return rows.map((r) => r.action);
  }

  describe('sign-up and verification', () => {
    it('signs up, mails a link, verifies through a button, and then signs in', async () => {
      const email = uniqueEmail('new');
      const client = browser();
      const form = await client.get('/signup');
      expect(form.statusCode).toBe(200);
      expect(form.body).toContain('name="display_name"');

      const res = await signUp(client, { email, display_name: 'Río Verde' });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/signup?sent=1');
      // Sign-up does not sign in.
      expect([...client.cookies.keys()].some((name) => name.includes('session'))).toBe(false);
      const sent = await client.get('/signup?sent=1');
      expect(sent.body).toContain('Check your inbox');

      const user = await t.db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
      expect(user.role).toBe('user');
      expect(user.locale).toBe('en');
      expect(user.email_verified_at).toBeNull();
      expect(user.display_name).toBe('Río Verde');

      const mails = await mailsTo(email);
      expect(mails).toHaveLength(1);
      const link = await lastLink(email, '/verify-email');
      // Only a hash of the token is stored.
      const tokens = await t.db.kysely.selectFrom('email_tokens').selectAll().where('user_id', '=', user.id).execute();
      expect(tokens).toHaveLength(1);
      expect(tokens[0]!.token_hash).not.toContain(tokenOf(link));
      expect(tokens[0]!.purpose).toBe('verify_email');
      const hours = (new Date(tokens[0]!.expires_at).getTime() - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(23.9);
      expect(hours).toBeLessThanOrEqual(24);

      // Fetching the link (as a mail scanner would) uses nothing up.
      const page = await client.get(link);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Confirm my address');
      expect((await client.get(link)).statusCode).toBe(200);
      expect((await t.db.kysely.selectFrom('users').select('email_verified_at').where('id', '=', user.id).executeTakeFirstOrThrow()).email_verified_at).toBeNull();

      const confirmed = await client.post('/verify-email', { token: tokenOf(link) });
      expect(confirmed.statusCode).toBe(303);
      expect(confirmed.headers.location).toMatch(/^\/login\?verified=1/);
      const verified = await t.db.kysely.selectFrom('users').select('email_verified_at').where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(verified.email_verified_at).not.toBeNull();

      const login = await client.logIn(email, PASSWORD);
      expect(login.statusCode).toBe(303);
      const hub = await client.get('/account?done=verified');
      expect(hub.statusCode).toBe(200);
      expect(hub.body).toContain('Río Verde');
      expect(hub.body).toContain('your email address is confirmed');
      expect(hub.body).not.toContain('Please confirm your email address');
      expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['auth.signup', 'auth.email_verified']));
    });

    it('uses each verification link once, and refuses expired and unknown ones alike', async () => {
      const email = uniqueEmail('once');
      const client = browser();
      await signUp(client, { email });
      const link = await lastLink(email, '/verify-email');
      await client.get(link);
      expect((await client.post('/verify-email', { token: tokenOf(link) })).statusCode).toBe(303);

      const again = await client.get(link);
      expect(again.statusCode).toBe(410);
      expect(again.body).toContain('This link no longer works');
      await client.get('/signup');
      expect((await client.post('/verify-email', { token: tokenOf(link) })).statusCode).toBe(410);

      const unknown = await client.get(`/verify-email?token=${'A'.repeat(43)}`);
      expect(unknown.statusCode).toBe(410);
      expect(stable(unknown.body)).toBe(stable(again.body));
      expect((await client.get('/verify-email?token=%3Cscript%3E')).statusCode).toBe(410);
      expect((await client.get('/verify-email')).statusCode).toBe(410);

      const email2 = uniqueEmail('expired');
      await signUp(client, { email: email2 });
      const link2 = await lastLink(email2, '/verify-email');
      await sql`update email_tokens set expires_at = now() - interval '1 minute' where user_id = (select id from users where email = ${email2})`.execute(t.db.kysely);
      expect((await client.get(link2)).statusCode).toBe(410);
      expect((await client.post('/verify-email', { token: tokenOf(link2) })).statusCode).toBe(410);
    });

    it('shows unverified people a banner and sends a new link on request', async () => {
      const email = uniqueEmail('unverified');
      const client = browser();
      await signUp(client, { email });
      // Unverified people can sign in.
      expect((await client.logIn(email, PASSWORD)).statusCode).toBe(303);
      const hub = await client.get('/account');
      expect(hub.statusCode).toBe(200);
      expect(hub.body).toContain('Please confirm your email address');
      for (const href of ['/account/profile', '/account/password', '/account/email', '/account/sessions', '/account/two-factor', '/account/tokens', '/account/data']) {
        expect(hub.body).toContain(`href="${href}"`);
      }

      expect((await client.get('/verify-email/resend')).statusCode).toBe(200);
      const resent = await client.post('/verify-email/resend');
      expect(resent.headers.location).toBe('/account?done=verifySent');
      expect(await mailsTo(email)).toHaveLength(2);
      const link = await lastLink(email, '/verify-email');
      await client.get(link);
      const confirmed = await client.post('/verify-email', { token: tokenOf(link) });
      // Signed in: straight to the account page.
      expect(confirmed.headers.location).toBe('/account?done=verified');
      expect((await client.get('/account')).body).not.toContain('Please confirm your email address');
      await client.get('/verify-email/resend');
      expect((await client.post('/verify-email/resend')).headers.location).toBe('/account?done=alreadyVerified');
    });

    it('answers a sign-up with a taken address exactly like a new one, and mails the owner a notice instead', async () => {
      const { email } = await account('taken');
      const before = await t.db.kysely.selectFrom('users').select(['password_hash', 'display_name']).where('email', '=', email).executeTakeFirstOrThrow();
      const mailsBefore = (await mailsTo(email)).length;

      const fresh = browser();
      const newOne = await signUp(fresh, { email: uniqueEmail('fresh') });
      const freshPage = await fresh.get(String(newOne.headers.location));

      const other = browser();
      const dup = await signUp(other, { email: email.toUpperCase(), display_name: 'Someone else', password: 'another-password-entirely' });
      const dupPage = await other.get(String(dup.headers.location));

      expect(dup.statusCode).toBe(newOne.statusCode);
      expect(dup.headers.location).toBe(newOne.headers.location);
      expect(dup.body).toBe(newOne.body);
      expect(dupPage.statusCode).toBe(freshPage.statusCode);
      expect(stable(dupPage.body)).toBe(stable(freshPage.body));

      const mails = await mailsTo(email);
      expect(mails).toHaveLength(mailsBefore + 1);
      expect(mails.at(-1)!.subject).toContain('Someone tried to create');
      expect(mails.at(-1)!.text).toContain('/forgot-password');
      expect(mails.at(-1)!.text).not.toMatch(/verify-email\?token/);
      const after = await t.db.kysely.selectFrom('users').select(['password_hash', 'display_name']).where('email', '=', email).executeTakeFirstOrThrow();
      expect(after).toEqual(before);
      expect((await browser().logIn(email, PASSWORD)).statusCode).toBe(303);
    });

    it('refuses weak, short, long and personal passwords with 422, keeping the other values', async () => {
      const email = uniqueEmail('rules');
      const cases: Array<[string, string]> = [
        ['password1', 'one of the most common passwords'],
        ['PassWord1', 'one of the most common passwords'],
        ['short', 'at least 8 characters'],
        ['x'.repeat(129), 'at most 128 characters'],
        [email, 'your email address or your name'],
        ['Display Name Here', 'your email address or your name'],
        ['', 'This field is required'],
      ];
      for (const [password, message] of cases) {
        // A browser per attempt: the per-address sign-up limit is tested on its own.
        const res = await signUp(browser(), { email, display_name: 'Display Name Here', password });
        expect(res.statusCode, password).toBe(422);
        expect(res.body, password).toContain(message);
        expect(res.body).toContain('id="error-summary"');
        expect(res.body).toContain('id="field-password-error"');
        expect(res.body).toContain(`value="${email}"`);
        expect(res.body).toContain('value="Display Name Here"');
        // The password box always comes back empty.
        expect(res.body).toMatch(/name="password" type="password" value autocomplete/);
      }
      expect(await t.db.kysely.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();

      const client = browser();
      const bad = await signUp(client, { email: 'not-an-address', display_name: '', password: PASSWORD });
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('id="field-email-error"');
      expect(bad.body).toContain('id="field-display_name-error"');
      const tooLongName = await signUp(client, { email, display_name: 'n'.repeat(81), password: PASSWORD });
      expect(tooLongName.statusCode).toBe(422);
      const extra = await signUp(client, { email, password: PASSWORD, role: 'admin' } as never);
      expect(extra.statusCode).toBe(422);
    });

    it('accepts 128 characters, unicode and surrounding spaces, exactly as typed', async () => {
      const long = 'ab1-'.repeat(32);
      expect(long).toHaveLength(128);
      for (const password of [long, 'contraseña 🦜 ñandú', '  spaced out words  ']) {
        const email = uniqueEmail('accepted');
        const client = browser();
        const res = await signUp(client, { email, password });
        expect(res.statusCode, password).toBe(303);
        const link = await lastLink(email, '/verify-email');
        await client.get(link);
        await client.post('/verify-email', { token: tokenOf(link) });
        expect((await browser().logIn(email, password)).statusCode, password).toBe(303);
        if (password.startsWith(' ')) expect((await browser().logIn(email, password.trim())).statusCode).toBe(401);
      }
    });

    it('limits sign-ups per address', async () => {
      const client = browser('203.0.113.99');
      for (let i = 0; i < 5; i++) expect((await signUp(client, { email: uniqueEmail('flood') })).statusCode).toBe(303);
      const refused = await signUp(client, { email: uniqueEmail('flood') });
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('spends the password hashing time whether or not the address has an account', async () => {
      const { email } = await account('timing');
      const time = async (address: string) => {
        const client = browser();
        await client.get('/signup');
        const start = performance.now();
        const res = await client.post('/signup', { email: address, display_name: 'Timing', password: PASSWORD });
        expect(res.statusCode).toBe(303);
        return performance.now() - start;
      };
      // Warm up both paths, then take the fastest of a few runs of each.
      await time(uniqueEmail('warm'));
      await time(email);
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 3; i++) {
        known.push(await time(email));
        unknown.push(await time(uniqueEmail('timing-new')));
      }
      const knownMin = Math.min(...known);
      const unknownMin = Math.min(...unknown);
      expect(knownMin * 10).toBeGreaterThan(unknownMin);
      expect(unknownMin * 10).toBeGreaterThan(knownMin);
    });
  });

  describe('password reset', () => {
    async function requestReset(client: TestClient, email: string) {
      await client.get('/forgot-password');
      return client.post('/forgot-password', { email });
    }

    it('answers the same for unknown addresses and mails only real accounts', async () => {
      const { email } = await account('reset-same');
      const a = browser();
      const known = await requestReset(a, email);
      const knownPage = await a.get(String(known.headers.location));
      const b = browser();
      const missing = uniqueEmail('nobody');
      const unknown = await requestReset(b, missing);
      const unknownPage = await b.get(String(unknown.headers.location));
      expect(unknown.statusCode).toBe(known.statusCode);
      expect(unknown.headers.location).toBe(known.headers.location);
      expect(stable(unknownPage.body)).toBe(stable(knownPage.body));
      expect(await mailsTo(missing)).toHaveLength(0);
      expect((await mailsTo(email)).some((m) => /reset-password\?token=/.test(m.text))).toBe(true);

      const invalid = await b.post('/forgot-password', { email: 'nope' });
      expect(invalid.statusCode).toBe(422);
      expect(invalid.body).toContain('id="field-email-error"');
    });

    it('sets a new password once per link, ends every session and never signs in', async () => {
      const { email, client: signedIn, id } = await account('reset');
      const second = browser();
      await second.logIn(email, PASSWORD);
      expect((await second.get('/account')).statusCode).toBe(200);

      const stranger = browser();
      await requestReset(stranger, email);
      const link = await lastLink(email, '/reset-password');
      const page = await stranger.get(link);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`name="token" value="${tokenOf(link)}"`);
      const token = await t.db.kysely.selectFrom('email_tokens').select(['expires_at']).where('user_id', '=', id).where('purpose', '=', 'reset_password').where('used_at', 'is', null).executeTakeFirstOrThrow();
      const minutes = (new Date(token.expires_at).getTime() - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(29);
      expect(minutes).toBeLessThanOrEqual(30);

      const weak = await stranger.post('/reset-password', { token: tokenOf(link), password: 'password1' });
      expect(weak.statusCode).toBe(422);
      expect(weak.body).toContain('id="field-password-error"');
      expect(weak.body).toContain(`name="token" value="${tokenOf(link)}"`);

      const newPassword = 'heron-lantern-copper-19';
      const done = await stranger.post('/reset-password', { token: tokenOf(link), password: newPassword });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/login?reset=1');
      expect([...stranger.cookies.keys()].some((name) => name.includes('session'))).toBe(false);

      // Every session is gone: both old browsers are signed out.
      expect((await signedIn.get('/account')).headers.location).toMatch(/^\/login/);
      expect((await second.get('/account')).headers.location).toMatch(/^\/login/);
      expect(await t.db.kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', id).execute()).toHaveLength(0);

      expect((await browser().logIn(email, PASSWORD)).statusCode).toBe(401);
      expect((await browser().logIn(email, newPassword)).statusCode).toBe(303);

      // Once only.
      expect((await stranger.get(link)).statusCode).toBe(410);
      await stranger.get('/forgot-password');
      expect((await stranger.post('/reset-password', { token: tokenOf(link), password: 'yet-another-fine-pass' })).statusCode).toBe(410);

      const mails = await mailsTo(email);
      expect(mails.at(-1)!.subject).toContain('password was changed');
      expect(await auditActions(id)).toContain('auth.password_reset');
    });

    it('revokes every API token: whoever held the account before the reset keeps no way in', async () => {
      const { email, client, id } = await account('reset-tokens');
      await client.get('/account/tokens');
      const created = await client.post('/account/tokens', { name: 'script', scope: 'read' });
      const token = /alg_[A-Za-z0-9_-]{43}/.exec(created.body)?.[0];
      expect(token).toBeDefined();
      const bearer = () => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect((await bearer()).statusCode).toBe(200);

      const stranger = browser();
      await requestReset(stranger, email);
      const link = await lastLink(email, '/reset-password');
      await stranger.get(link);
      expect((await stranger.post('/reset-password', { token: tokenOf(link), password: 'heron-lantern-copper-19' })).statusCode).toBe(303);

      expect((await bearer()).statusCode).toBe(401);
      expect(await t.db.kysely.selectFrom('api_tokens').select('id').where('user_id', '=', id).execute()).toHaveLength(0);
    });

    it('refuses expired links and links replaced by a newer request', async () => {
      const { email, id } = await account('reset-expiry');
      const client = browser();
      await requestReset(client, email);
      const first = await lastLink(email, '/reset-password');
      await requestReset(client, email);
      const second = await lastLink(email, '/reset-password');
      expect(second).not.toBe(first);
      expect((await client.get(first)).statusCode).toBe(410);
      expect((await client.get(second)).statusCode).toBe(200);

      await sql`update email_tokens set expires_at = now() - interval '1 second' where user_id = ${id} and purpose = 'reset_password'`.execute(t.db.kysely);
      expect((await client.get(second)).statusCode).toBe(410);
      await client.get('/forgot-password');
      expect((await client.post('/reset-password', { token: tokenOf(second), password: 'heron-lantern-copper-19' })).statusCode).toBe(410);
      expect((await browser().logIn(email, PASSWORD)).statusCode).toBe(303);
    });

    it('limits reset requests per address with 429 and Retry-After', async () => {
      const email = uniqueEmail('reset-flood');
      for (let i = 0; i < 5; i++) {
        const res = await requestReset(browser(), i % 2 ? email : email.toUpperCase());
        expect(res.statusCode).toBe(303);
      }
      const refused = await requestReset(browser(), email);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('changing the password', () => {
    it('keeps or ends the other sessions as chosen, and needs the current password', async () => {
      const { email, client, id } = await account('change');
      const other = browser();
      await other.logIn(email, PASSWORD);

      const form = await client.get('/account/password');
      expect(form.body).toMatch(/name="sign_out_others"[^>]*checked/);

      const wrong = await client.post('/account/password', { current_password: 'not-my-password', password: 'granite-meadow-swift-7', sign_out_others: 'on' });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.body).toContain('id="field-current_password-error"');
      expect(wrong.body).toContain('id="error-summary"');

      // Kept: the other browser stays signed in.
      const kept = await client.post('/account/password', { current_password: PASSWORD, password: 'granite-meadow-swift-7' });
      expect(kept.statusCode).toBe(303);
      expect(kept.headers.location).toBe('/account?done=passwordChanged');
      expect((await client.get('/account?done=passwordChanged')).body).toContain('Your password is changed');
      expect((await other.get('/account')).statusCode).toBe(200);
      expect((await mailsTo(email)).at(-1)!.subject).toContain('password was changed');

      // Ended: the other browser is signed out, this one is not.
      await client.get('/account/password');
      const ended = await client.post('/account/password', { current_password: 'granite-meadow-swift-7', password: 'pebble-orchard-lantern-3', sign_out_others: 'on' });
      expect(ended.statusCode).toBe(303);
      expect((await other.get('/account')).headers.location).toMatch(/^\/login/);
      expect((await client.get('/account')).statusCode).toBe(200);
      expect((await browser().logIn(email, 'granite-meadow-swift-7')).statusCode).toBe(401);
      expect((await browser().logIn(email, 'pebble-orchard-lantern-3')).statusCode).toBe(303);
      const user = await t.db.kysely.selectFrom('users').select('password_changed_at').where('id', '=', id).executeTakeFirstOrThrow();
      expect(user.password_changed_at).not.toBeNull();
      expect(await auditActions(id)).toContain('auth.password_changed');
    });
  });

  describe('changing the address', () => {
    it('changes only once the new address confirms, after telling the old one', async () => {
      const { email, client, id } = await account('old');
      const newEmail = uniqueEmail('new-address');
      await client.get('/account/email');
      const wrong = await client.post('/account/email', { email: newEmail, current_password: 'wrong-password-here' });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.body).toContain(`value="${newEmail}"`);
      const same = await client.post('/account/email', { email: email.toUpperCase(), current_password: PASSWORD });
      expect(same.statusCode).toBe(422);

      const res = await client.post('/account/email', { email: newEmail, current_password: PASSWORD });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/account?done=emailRequested');
      expect((await mailsTo(email)).at(-1)!.subject).toContain('change of your Alongside email address');
      expect((await mailsTo(email)).at(-1)!.text).not.toContain(newEmail);

      // Nothing changed yet.
      let user = await t.db.kysely.selectFrom('users').select(['email']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(user.email).toBe(email);

      const link = await lastLink(newEmail, '/confirm-email');
      const page = await browser().get(link);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Confirm my new address');
      user = await t.db.kysely.selectFrom('users').select(['email']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(user.email).toBe(email);

      const confirm = await client.post('/confirm-email', { token: tokenOf(link) });
      expect(confirm.statusCode).toBe(303);
      expect(confirm.headers.location).toBe('/account?done=emailChanged');
      const changed = await t.db.kysely.selectFrom('users').select(['email', 'email_verified_at']).where('id', '=', id).executeTakeFirstOrThrow();
      expect(changed.email).toBe(newEmail);
      expect(changed.email_verified_at).not.toBeNull();
      expect((await client.get(link)).statusCode).toBe(410);
      expect((await browser().logIn(newEmail, PASSWORD)).statusCode).toBe(303);
      expect((await browser().logIn(email, PASSWORD)).statusCode).toBe(401);
      expect(await auditActions(id)).toEqual(expect.arrayContaining(['auth.email_change_requested', 'auth.email_changed']));
    });

    it('refuses with a generic message when the new address was taken in the meantime', async () => {
      const { client, id, email } = await account('racer');
      const wanted = uniqueEmail('wanted');
      await client.get('/account/email');
      await client.post('/account/email', { email: wanted, current_password: PASSWORD });
      const link = await lastLink(wanted, '/confirm-email');
      // Someone else signs up with that address first.
      await signUp(browser(), { email: wanted });
      await client.get(link);
      const res = await client.post('/confirm-email', { token: tokenOf(link) });
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain('could not be changed');
      const user = await t.db.kysely.selectFrom('users').select('email').where('id', '=', id).executeTakeFirstOrThrow();
      expect(user.email).toBe(email);
    });
  });

  describe('sessions', () => {
    it('lists sessions without addresses, marks this one, and ends one or all others', async () => {
      const { email, client, id } = await account('sessions');
      const phone = browser('192.0.2.77');
      phone.headers['user-agent'] = 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
      await phone.logIn(email, PASSWORD);
      const laptop = browser();
      await laptop.logIn(email, PASSWORD);

      const page = await client.get('/account/sessions');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Chrome · Android');
      expect(page.body).toContain('(this browser)');
      expect(page.body).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
      expect(page.body).not.toMatch(/\d{1,2}:\d{2}:\d{2}/);
      const hashes = await t.db.kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', id).execute();
      expect(hashes).toHaveLength(3);
      for (const { token_hash } of hashes) expect(page.body).not.toContain(token_hash);

      const ids = [...page.body.matchAll(/name="session" value="([0-9a-f]{64})"/g)].map((m) => m[1]!);
      expect(ids).toHaveLength(2);
      // Which id is the phone's: end each in turn until the phone is signed out.
      const phoneBefore = await phone.get('/account');
      expect(phoneBefore.statusCode).toBe(200);
      const ended = await client.post('/account/sessions/end', { session: ids[0]! });
      expect(ended.headers.location).toBe('/account/sessions?done=sessionEnded');
      const phoneOut = (await phone.get('/account')).statusCode !== 200;
      const laptopOut = (await laptop.get('/account')).statusCode !== 200;
      expect(phoneOut !== laptopOut).toBe(true);
      expect((await client.get('/account')).statusCode).toBe(200);

      // The same id again: already gone.
      await client.get('/account/sessions');
      expect((await client.post('/account/sessions/end', { session: ids[0]! })).headers.location).toBe('/account/sessions?done=sessionGone');
      // Someone else cannot end this person's session with its id.
      const someoneElse = await account('other-person');
      await someoneElse.client.get('/account/sessions');
      expect((await someoneElse.client.post('/account/sessions/end', { session: ids[1]! })).headers.location).toBe('/account/sessions?done=sessionGone');
      expect((await (phoneOut ? laptop : phone).get('/account')).statusCode).toBe(200);

      await client.get('/account/sessions');
      const others = await client.post('/account/sessions/end-others');
      expect(others.headers.location).toBe('/account/sessions?done=sessionsEnded');
      expect((await phone.get('/account')).statusCode).toBe(303);
      expect((await laptop.get('/account')).statusCode).toBe(303);
      expect((await client.get('/account')).statusCode).toBe(200);
      expect(await t.db.kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', id).execute()).toHaveLength(1);
      expect(await auditActions(id)).toContain('auth.session_ended');
    });
  });

  describe('signed-out visitors', () => {
    it('are sent to sign in from every account page', async () => {
      const client = browser();
      for (const url of ['/account', '/account/password', '/account/email', '/account/sessions', '/verify-email/resend']) {
        const res = await client.get(url);
        expect(res.statusCode, url).toBe(303);
        expect(res.headers.location, url).toBe(`/login?next=${encodeURIComponent(url)}`);
      }
    });

    it('never get a 500 from malformed bodies', async () => {
      const client = browser();
      await client.get('/signup');
      const csrf = client.csrfToken();
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      for (const url of ['/signup', '/forgot-password', '/reset-password', '/verify-email', '/confirm-email']) {
        for (const payload of ['email=a&email=b&password=x&password=y&display_name=z', 'token[]=1', `token=${'A'.repeat(5000)}`]) {
          const res = await t.app.inject({
            method: 'POST',
            url,
            payload: `${payload}&_csrf=${encodeURIComponent(csrf)}`,
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': '192.0.2.200' },
          });
          expect(res.statusCode, `${url} ${payload}`).toBeLessThan(500);
        }
      }
    });
  });
});
