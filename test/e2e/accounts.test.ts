import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import * as OTPAuth from 'otpauth';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/platform/i18n.js';
import { JobWorker } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailHandler, MAIL_JOB } from '../../src/platform/mail/mail.js';
import { LIMITS } from '../../src/platform/rate-limit.js';
import { createTestAdmin } from '../support/app.js';
import { clearRateLimit, clickAndLoad, expectHeading, htmlLang, main, pathOf, signInFromHeader, siteNav, submitSignIn, translate, visit } from './journey.js';
import { expectAccessible, useBrowserApp } from './support.js';

const e2e = useBrowserApp();
const mail = createMailHandler({ smtpUrl: undefined, from: 'Alongside <no-reply@alongside.example>', messageIdDomain: 'alongside.example' });

afterAll(() => mail.close());

// Every journey is a new person from the same loopback address, and sign-up allows only a few
// attempts per address and half hour: each journey starts with that window empty.
beforeEach(async () => {
  await clearRateLimit(e2e, LIMITS.signupPerIp);
});

const TOTP_PERIOD_MS = 30_000;

function totpCode(key: string, timestamp: number): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(key), digits: 6, period: 30, algorithm: 'SHA1' });
  return totp.generate({ timestamp });
}

const stepOf = (timestamp: number): number => Math.floor(timestamp / TOTP_PERIOD_MS);

/** Waits, if needed, until the authenticator shows a code of a later time step than `usedStep` (the app refuses replays). */
async function nextTotpStep(usedStep: number): Promise<number> {
  const wait = (usedStep + 1) * TOTP_PERIOD_MS - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
  return Date.now();
}

/** The verification link of the newest mail to `to`, pointed at the test server. */
async function verificationLink(to: string, subject: string): Promise<string> {
  await new JobWorker({ db: e2e.testApp.db, handlers: { [MAIL_JOB]: mail.handler }, log: createLogger('silent') }).drain();
  const row = await e2e.testApp.db.kysely
    .selectFrom('mail_outbox')
    .select(['text_body'])
    .where('to_address', '=', to)
    .where('subject', '=', subject)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) throw new Error(`No mail "${subject}" to ${to} in the outbox`);
  const link = /https?:\/\/\S+\/verify-email\?token=\S+/.exec(row.text_body)?.[0];
  if (!link) throw new Error(`The mail has no verification link:\n${row.text_body}`);
  const url = new URL(link);
  return new URL(`${url.pathname}${url.search}`, e2e.baseURL).href;
}

// Each way of giving the second step (a fresh code from the app, or a recovery code) runs with JavaScript on and off.
const JOURNEYS = [
  { javaScript: true, locale: 'en', viewport: 'desktop', homeArea: 'Madrid, ES', savedHomeArea: 'Madrid, ES', secondStep: 'app' },
  { javaScript: true, locale: 'es', viewport: 'desktop', homeArea: 'Valparaíso, CL', savedHomeArea: 'Valparaíso, CL', secondStep: 'recovery' },
  { javaScript: false, locale: 'en', viewport: 'phone', homeArea: 'Valparaíso, CL', savedHomeArea: 'Valparaíso, CL', secondStep: 'recovery' },
  { javaScript: false, locale: 'es', viewport: 'phone', homeArea: 'Madrid, ES', savedHomeArea: 'Madrid, ES', secondStep: 'app' },
] as const satisfies ReadonlyArray<{
  javaScript: boolean;
  locale: Locale;
  viewport: 'desktop' | 'phone';
  homeArea: string;
  savedHomeArea: string;
  secondStep: 'app' | 'recovery';
}>;

describe.each(JOURNEYS)('a new person, JavaScript on: $javaScript, $locale, $viewport, second step: $secondStep', ({ javaScript, locale, viewport, homeArea, savedHomeArea, secondStep }) => {
  const t = translate(locale);
  const nav = (page: Page): Locator => siteNav(page, t('layout.nav.label'));
  const signIn = (page: Page, email: string, password: string): Promise<number> => signInFromHeader(page, t, email, password);

  it('signs up, confirms the address, fills a profile, turns on two-step sign-in, exports the data and deletes the account', async () => {
    const email = `ally-${randomUUID().slice(0, 8)}@example.test`;
    const displayName = locale === 'es' ? 'Ana Lucía' : 'Robin Vale';
    const password = 'lantern orchard paper river';
    const page = await e2e.open({ javaScript, viewport, locale: locale === 'es' ? 'es-ES' : 'en-GB' });

    // 1. Sign-up from the header, refused once for a short password.
    await visit(page, '/');
    expect(await htmlLang(page)).toBe(locale);
    await expectAccessible(page);
    await clickAndLoad(page, nav(page).getByRole('link', { name: t('layout.nav.signup'), exact: true }));
    await expectHeading(page, t('account.signup.title'));
    await expectAccessible(page);

    const emailField = main(page).getByLabel(t('account.field.email'), { exact: true });
    const nameField = main(page).getByLabel(t('account.field.displayName'), { exact: true });
    const passwordField = main(page).getByLabel(t('account.field.newPassword'), { exact: true });
    const signUp = main(page).getByRole('button', { name: t('account.signup.submit'), exact: true });
    await emailField.fill(email);
    await nameField.fill(displayName);
    await passwordField.fill('short');
    expect(await clickAndLoad(page, signUp)).toBe(422);
    await expectHeading(page, t('account.signup.title'));
    const tooShort = t('validation.passwordTooShort', { min: 8 });
    const summary = page.getByRole('alert', { name: t('form.errorSummary'), exact: true });
    await summary.getByRole('link', { name: `${t('account.field.newPassword')}: ${tooShort}`, exact: true }).waitFor();
    await main(page).getByText(tooShort, { exact: true }).waitFor();
    expect(await passwordField.getAttribute('aria-invalid')).toBe('true');
    // What was typed stays, except the password.
    expect(await emailField.inputValue()).toBe(email);
    expect(await nameField.inputValue()).toBe(displayName);
    expect(await passwordField.inputValue()).toBe('');
    await expectAccessible(page);

    await passwordField.fill(password);
    expect(await clickAndLoad(page, signUp)).toBe(200);
    await expectHeading(page, t('account.inbox.title'));
    expect(await main(page).getByRole('status').textContent()).toContain(t('account.inbox.signup'));
    await expectAccessible(page);

    // 2. The link in the mail, the confirm button, and signing in.
    const link = await verificationLink(email, t('mail.account.verify.subject'));
    await visit(page, link);
    await expectHeading(page, t('account.confirm.verify.title'));
    await expectAccessible(page);
    await clickAndLoad(page, main(page).getByRole('button', { name: t('account.confirm.verify.submit'), exact: true }));
    expect(pathOf(page)).toBe('/login');
    await expectHeading(page, t('login.title'));
    expect(await main(page).getByRole('status').textContent()).toContain(t('account.login.verified'));
    await expectAccessible(page);
    await submitSignIn(page, t, email, password);
    expect(pathOf(page)).toBe('/account');
    await expectHeading(page, t('account.hub.title'));
    expect(await main(page).getByRole('status').textContent()).toContain(t('account.flash.verified'));
    await nav(page).getByRole('link', { name: t('layout.nav.account'), exact: true }).waitFor();
    await expectAccessible(page);

    // 3. The profile.
    const settings = main(page).getByRole('navigation', { name: t('account.hub.settings'), exact: true });
    await clickAndLoad(page, settings.getByRole('link', { name: t('account.hub.link.profile'), exact: true }));
    await expectHeading(page, t('profile.title'));
    await expectAccessible(page);
    const profile = {
      pronouns: locale === 'es' ? 'ella' : 'they/them',
      language: { code: 'es', label: 'Español' },
      skill: 'first_aid',
      radius: '25',
      slots: [
        ['mon', 'evening'],
        ['sat', 'morning'],
      ],
      capacity: '4',
    } as const;
    const pronounsField = main(page).getByLabel(t('profile.pronouns'), { exact: true });
    const languages = main(page).getByRole('group', { name: t('profile.languages'), exact: true });
    const skills = main(page).getByRole('group', { name: t('profile.skills'), exact: true });
    const homeAreaField = main(page).getByLabel(t('profile.homeArea'), { exact: true });
    const radiusField = main(page).getByLabel(t('profile.travelRadius'), { exact: true });
    const capacityField = main(page).getByLabel(t('profile.capacity'), { exact: true });
    const slot = ([day, part]: readonly [string, string]): Locator =>
      main(page).getByLabel(t('profile.availability.cell', { day: t(`profile.day.${day}`), part: t(`profile.part.${part}`) }), { exact: true });
    expect(await main(page).getByLabel(t('profile.displayName'), { exact: true }).inputValue()).toBe(displayName);
    await pronounsField.fill(profile.pronouns);
    await languages.getByLabel(profile.language.label, { exact: true }).check();
    await skills.getByLabel(t(`profile.skill.${profile.skill}`), { exact: true }).check();
    await homeAreaField.fill(homeArea);
    await radiusField.fill(profile.radius);
    for (const s of profile.slots) await slot(s).check();
    await capacityField.fill(profile.capacity);
    await clickAndLoad(page, main(page).getByRole('button', { name: t('profile.submit'), exact: true }));
    expect(new URL(page.url()).search).toBe('?saved=1');
    expect(await main(page).getByRole('status').textContent()).toContain(t('profile.saved'));
    await expectAccessible(page);

    await page.reload();
    await expectHeading(page, t('profile.title'));
    expect(await pronounsField.inputValue()).toBe(profile.pronouns);
    expect(await languages.getByLabel(profile.language.label, { exact: true }).isChecked()).toBe(true);
    expect(await skills.getByLabel(t(`profile.skill.${profile.skill}`), { exact: true }).isChecked()).toBe(true);
    expect(await homeAreaField.inputValue()).toBe(savedHomeArea);
    expect(await radiusField.inputValue()).toBe(profile.radius);
    for (const s of profile.slots) expect(await slot(s).isChecked(), `slot ${s.join(' ')}`).toBe(true);
    expect(await slot(['tue', 'afternoon']).isChecked()).toBe(false);
    expect(await capacityField.inputValue()).toBe(profile.capacity);

    // 4. Two-step sign-in: turn it on, then sign in again with a fresh code.
    await clickAndLoad(page, nav(page).getByRole('link', { name: t('layout.nav.account'), exact: true }));
    await clickAndLoad(page, settings.getByRole('link', { name: t('account.hub.link.twoFactor'), exact: true }));
    await expectHeading(page, t('twofactor.title'));
    await main(page).getByText(t('twofactor.statusOff'), { exact: true }).waitFor();
    await expectAccessible(page);
    await main(page).getByLabel(t('twofactor.password'), { exact: true }).fill(password);
    await clickAndLoad(page, main(page).getByRole('button', { name: t('twofactor.setup.submit'), exact: true }));
    await expectHeading(page, t('twofactor.setup.title'));
    await main(page).getByRole('img', { name: t('twofactor.setup.qrAlt'), exact: true }).waitFor();
    await expectAccessible(page);
    const groupedKey = await main(page).getByText(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/).textContent();
    const key = (groupedKey ?? '').replace(/ /g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    const enabledAt = Date.now();
    await main(page).getByLabel(t('twofactor.code'), { exact: true }).fill(totpCode(key, enabledAt));
    await clickAndLoad(page, main(page).getByRole('button', { name: t('twofactor.setup.confirm'), exact: true }));
    await expectHeading(page, t('twofactor.codes.enabledTitle'));
    const codes = main(page).getByRole('list', { name: t('twofactor.codes.title'), exact: true }).getByRole('listitem');
    expect(await codes.count()).toBe(10);
    const recoveryCode = (await codes.first().textContent()) ?? '';
    expect(recoveryCode).toMatch(/^[2-9a-z]{5}-[2-9a-z]{5}$/);
    await expectAccessible(page);

    await clickAndLoad(page, nav(page).getByRole('button', { name: t('layout.nav.logout'), exact: true }));
    await nav(page).getByRole('link', { name: t('layout.nav.login'), exact: true }).waitFor();
    await signIn(page, email, password);
    expect(pathOf(page)).toBe('/login/two-factor');
    await expectHeading(page, t('login.secondStep.title'));
    // Not signed in yet: the password alone earns no session.
    await nav(page).getByRole('link', { name: t('layout.nav.login'), exact: true }).waitFor();
    await expectAccessible(page);
    if (secondStep === 'app') {
      const now = await nextTotpStep(stepOf(enabledAt));
      await main(page).getByLabel(t('twofactor.code'), { exact: true }).fill(totpCode(key, now));
    } else {
      await clickAndLoad(page, main(page).getByRole('link', { name: t('login.secondStep.useRecovery'), exact: true }));
      await expectHeading(page, t('login.secondStep.title'));
      await main(page).getByText(t('login.secondStep.recoveryHelp'), { exact: true }).waitFor();
      await expectAccessible(page);
      await main(page).getByLabel(t('twofactor.recoveryCode'), { exact: true }).fill(recoveryCode);
    }
    await clickAndLoad(page, main(page).getByRole('button', { name: t('login.secondStep.submit'), exact: true }));
    expect(pathOf(page)).toBe('/');
    await nav(page).getByRole('link', { name: t('layout.nav.account'), exact: true }).waitFor();

    // 5. The data export.
    await clickAndLoad(page, nav(page).getByRole('link', { name: t('layout.nav.account'), exact: true }));
    await clickAndLoad(page, settings.getByRole('link', { name: t('account.hub.link.data'), exact: true }));
    await expectHeading(page, t('data.title'));
    await expectAccessible(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      main(page).getByRole('link', { name: t('data.export.json'), exact: true }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('alongside-data.json');
    const downloaded = await download.path();
    const text = await fs.readFile(downloaded, 'utf8');
    const exported = JSON.parse(text) as {
      account: Record<string, unknown>;
      profile: Record<string, unknown>;
    };
    expect(exported.account).toMatchObject({ email, displayName, locale });
    expect(exported.account.secondFactorEnabledAt).toEqual(expect.any(String));
    expect(exported.profile).toMatchObject({
      pronouns: profile.pronouns,
      languages: [profile.language.code],
      skills: [profile.skill],
      homeArea: savedHomeArea,
      travelRadiusKm: Number(profile.radius),
      availability: profile.slots.map(([day, part]) => `${day}:${part}`),
      weeklyCapacityHours: Number(profile.capacity),
    });
    // Neither the password hash nor the second-factor key is part of it.
    expect(text).not.toMatch(/argon2|password_?hash|totp_?secret/i);
    expect(text).not.toContain(key);

    // 6. Deleting the account.
    await clickAndLoad(page, main(page).getByRole('link', { name: t('data.delete.link'), exact: true }));
    await expectHeading(page, t('data.delete.title'));
    await expectAccessible(page);
    await main(page).getByRole('group', { name: t('data.delete.content'), exact: true }).getByLabel(t('data.delete.content.delete'), { exact: true }).check();
    await main(page).getByLabel(t('data.delete.password'), { exact: true }).fill(password);
    await main(page).getByLabel(t('data.delete.confirm'), { exact: true }).check();
    expect(await clickAndLoad(page, main(page).getByRole('button', { name: t('data.delete.submit'), exact: true }))).toBe(200);
    await expectHeading(page, t('data.goodbye.title'));
    await nav(page).getByRole('link', { name: t('layout.nav.login'), exact: true }).waitFor();
    await expectAccessible(page);

    // Straight from the goodbye page (which cleared the CSRF cookie) to the sign-in form.
    expect(await signIn(page, email, password)).toBe(401);
    const refused = main(page).getByRole('alert');
    expect(await refused.textContent()).toContain(t('login.failed'));
    await expectAccessible(page);
  });
});

// A browser without the CSRF cookie yet (a first visit, a mailed link opened in another browser, or
// the page after the goodbye page) must get a form it can send: a page builds its context more than
// once, and every build must carry the token of the one secret the response sets in the cookie.
describe.each([{ javaScript: true }, { javaScript: false }])('a first visit straight to the sign-in page, JavaScript on: $javaScript', ({ javaScript }) => {
  it('signs in with the form of that first page', async () => {
    const t = translate('en');
    const admin = await createTestAdmin(e2e.testApp);
    const page = await e2e.open({ javaScript });
    await visit(page, '/login');
    await expectHeading(page, t('login.title'));
    await main(page).getByLabel(t('login.email'), { exact: true }).fill(admin.email);
    await main(page).getByLabel(t('login.password'), { exact: true }).fill(admin.password);
    expect(await clickAndLoad(page, main(page).getByRole('button', { name: t('login.submit'), exact: true }))).toBe(200);
    expect(pathOf(page)).toBe('/');
  });
});
