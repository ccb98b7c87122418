import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { loadCatalogs } from '../../src/platform/i18n.js';
import { enqueue } from '../../src/platform/jobs/index.js';
import { claimJobs, completeJob, failJob } from '../../src/platform/jobs/jobs.repository.js';
import { createMailHandler, queueMail } from '../../src/platform/mail/mail.js';
import { createTestAdmin } from '../support/app.js';
import { clickAndLoad, expectHeading, htmlLang, signInFromHeader, siteNav, visit } from './journey.js';
import { expectAccessible, takePageProblems, useBrowserApp } from './support.js';

type Messages = Record<string, string>;

function messages(locale: 'en' | 'es'): Messages {
  // The whole catalog: the platform's strings and every module's.
  return loadCatalogs()[locale];
}

const en = messages('en');
const es = messages('es');
const LANGUAGE_NAMES = { en: 'English', es: 'Español' } as const;

const e2e = useBrowserApp();

// Something in each admin list, so the scans cover the tables and cards and not only "nothing yet".
beforeAll(async () => {
  const { kysely } = e2e.testApp.db;
  const mailId = await queueMail(kysely, { to: 'organizer@example.test', subject: 'Your ask was confirmed', text: 'Thank you.\nSee you on Saturday.' });
  const failingId = await enqueue(kysely, 'digest.weekly', {}, { maxAttempts: 1 });
  const claimed = await claimJobs(kysely, 'e2e-seed', 10, 60);
  const mail = createMailHandler({ smtpUrl: undefined, from: 'alongside@example.test', messageIdDomain: 'example.test' });
  for (const job of claimed) {
    if (job.id === mailId) {
      await mail.handler(job, { db: e2e.testApp.db, log: createLogger('silent') });
      await completeJob(kysely, job.id, 'e2e-seed');
    } else if (job.id === failingId) {
      await failJob(kysely, job.id, 'e2e-seed', 'connect ECONNREFUSED (digest service)', undefined);
    }
  }
  mail.close();
});

/** Uses the visible language switcher in the header. */
async function switchLanguage(page: Page, from: Messages, to: 'en' | 'es'): Promise<void> {
  const switcher = page.getByRole('banner').getByRole('group', { name: from['layout.language'], exact: true });
  await clickAndLoad(page, switcher.getByRole('button', { name: LANGUAGE_NAMES[to], exact: true }));
  await expect.poll(() => htmlLang(page)).toBe(to);
}

function mainNav(page: Page, t: Messages): Locator {
  return siteNav(page, t['layout.nav.label']);
}

async function signIn(page: Page, t: Messages, email: string, password: string): Promise<void> {
  await signInFromHeader(page, (key) => t[key]!, email, password);
}

async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === document.activeElement);
}

/** What overflows sideways, and every link or button in the header smaller than 24×24 CSS pixels. */
async function layoutProblems(page: Page): Promise<string[]> {
  const problems: string[] = [];
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
    innerWidth: window.innerWidth,
  }));
  if (scrollWidth > innerWidth) problems.push(`page scrolls sideways: ${scrollWidth}px wide in a ${innerWidth}px window`);
  const banner = page.getByRole('banner');
  const controls = [...(await banner.getByRole('link').all()), ...(await banner.getByRole('button').all())];
  expect(controls.length).toBeGreaterThan(0);
  for (const control of controls) {
    const box = await control.boundingBox();
    const name = (await control.textContent())?.trim();
    if (!box) problems.push(`header control "${name}" is not rendered`);
    else if (box.width < 24 || box.height < 24) problems.push(`header control "${name}" is ${box.width}×${box.height}px, under 24×24`);
  }
  return problems;
}

const ADMIN_PAGES = [
  { path: '/admin', link: 'admin.nav.overview', heading: 'admin.title' },
  { path: '/admin/jobs', link: 'admin.nav.jobs', heading: 'admin.jobs.title' },
  { path: '/admin/mail', link: 'admin.nav.mail', heading: 'admin.mail.title' },
  { path: '/admin/audit', link: 'admin.nav.audit', heading: 'admin.audit.title' },
] as const;

/** Walks the admin area through its own navigation, scanning every page. */
async function visitAdminArea(page: Page, t: Messages): Promise<void> {
  for (const adminPage of ADMIN_PAGES) {
    const nav = page.getByRole('navigation', { name: t['admin.nav.label'], exact: true });
    await clickAndLoad(page, nav.getByRole('link', { name: t[adminPage.link], exact: true }));
    await expectHeading(page, t[adminPage.heading]!);
    expect(new URL(page.url()).pathname).toBe(adminPage.path);
    await expectAccessible(page);
  }
}

describe.each([{ javaScript: true }, { javaScript: false }])('JavaScript on: $javaScript', ({ javaScript }) => {
  it('shows the home page in English, switches to Español with the header switcher, and remembers it', async () => {
    const page = await e2e.open({ javaScript, viewport: 'phone' });
    await visit(page, '/');
    expect(await htmlLang(page)).toBe('en');
    await expectHeading(page, en['home.title']!);
    await expectAccessible(page);

    await switchLanguage(page, en, 'es');
    await expectHeading(page, es['home.title']!);
    expect(new URL(page.url()).pathname).toBe('/');
    await expectAccessible(page);

    await page.reload();
    await expectHeading(page, es['home.title']!);
    expect(await htmlLang(page)).toBe('es');
  });

  it('translates the not-found page', async () => {
    const page = await e2e.open({ javaScript });
    await visit(page, '/does-not-exist', 404);
    expect(await htmlLang(page)).toBe('en');
    await expectHeading(page, en['errors.404.title']!);
    await expectAccessible(page);

    // The switcher sends people back to the address they were on: the same 404, now in Spanish.
    await switchLanguage(page, en, 'es');
    expect(new URL(page.url()).pathname).toBe('/does-not-exist');
    await expectHeading(page, es['errors.404.title']!);
    await expectAccessible(page);
    await clickAndLoad(page, page.getByRole('main').getByRole('link', { name: es['errors.home'], exact: true }));
    await expectHeading(page, es['home.title']!);
  });

  it('puts the skip link first in tab order, and it moves focus to the main content', async () => {
    const page = await e2e.open({ javaScript });
    await visit(page, '/');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: en['layout.skip'], exact: true });
    expect(await isFocused(skip)).toBe(true);
    // Hidden until focused, then on screen (WCAG 2.4.7).
    const box = await skip.boundingBox();
    expect(box && box.y >= 0 && box.width >= 24 && box.height >= 24, `skip link box ${JSON.stringify(box)}`).toBe(true);

    await page.keyboard.press('Enter');
    await expect.poll(() => isFocused(page.getByRole('main'))).toBe(true);
    expect(new URL(page.url()).hash).toBe('#main');
    // The next Tab continues from the main content, not from the top of the page.
    await page.keyboard.press('Tab');
    expect(await page.getByRole('banner').evaluate((banner) => banner.contains(document.activeElement))).toBe(false);
  });

  it('fits a 320px wide screen with no sideways scrolling and header controls of at least 24×24px', async () => {
    const page = await e2e.open({ javaScript, viewport: { width: 320, height: 640 } });
    await visit(page, '/');
    expect(await layoutProblems(page)).toEqual([]);
    // Spanish words are longer.
    await switchLanguage(page, en, 'es');
    expect(await layoutProblems(page)).toEqual([]);
    await expectAccessible(page);
  });

  it('lets an admin sign in, use the admin area in English and Spanish, and sign out', async () => {
    const admin = await createTestAdmin(e2e.testApp);
    const page = await e2e.open({ javaScript });
    await visit(page, '/');
    await signIn(page, en, admin.email, admin.password);
    await expectHeading(page, en['home.title']!);
    await clickAndLoad(page, mainNav(page, en).getByRole('link', { name: en['layout.nav.admin'], exact: true }));
    await expectHeading(page, en['admin.title']!);
    await expectAccessible(page);
    await visitAdminArea(page, en);

    // A failed job is listed with its error and a retry button; the outbox holds the seeded mail.
    await visit(page, '/admin/jobs?state=failed');
    expect(await page.getByRole('table', { name: en['admin.jobs.state.failed'], exact: true }).getByRole('row').count()).toBe(2);
    await page.getByRole('button', { name: new RegExp(`^${en['admin.jobs.retry']} \\d+$`) }).waitFor();
    await visit(page, '/admin/mail');
    await clickAndLoad(page, page.getByRole('main').getByRole('link', { name: 'Your ask was confirmed', exact: true }));
    await expectHeading(page, 'Your ask was confirmed');
    await expectAccessible(page);

    await visit(page, '/admin');
    await switchLanguage(page, en, 'es');
    expect(new URL(page.url()).pathname).toBe('/admin');
    await expectHeading(page, es['admin.title']!);
    await expectAccessible(page);
    await visitAdminArea(page, es);
    await visit(page, '/admin/audit');
    await page.getByRole('region', { name: es['admin.audit.caption'], exact: true }).waitFor();

    await clickAndLoad(page, mainNav(page, es).getByRole('button', { name: es['layout.nav.logout'], exact: true }));
    // Signed out: still in Spanish, the header offers sign-in again and the admin area asks for it.
    expect(await htmlLang(page)).toBe('es');
    const t = es;
    await mainNav(page, t).getByRole('link', { name: t['layout.nav.login'], exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    await visit(page, '/admin');
    expect(new URL(page.url()).pathname).toBe('/login');
    await expectHeading(page, t['login.title']!);
  });

  it('refuses a wrong password with an alert next to the form', async () => {
    const admin = await createTestAdmin(e2e.testApp);
    const page = await e2e.open({ javaScript, viewport: 'phone' });
    await visit(page, '/');
    const refused = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login');
    await signIn(page, en, admin.email, 'not the password');
    expect((await refused).status()).toBe(401);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(en['login.failed']);
    // The address typed is kept; the password is not.
    const email = page.getByLabel(en['login.email']!, { exact: true });
    expect(await email.inputValue()).toBe(admin.email);
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel(en['login.password']!, { exact: true }).inputValue()).toBe('');
    await expectAccessible(page);
  });
});

describe('dark colour scheme', () => {
  it('keeps enough contrast on the home, error, sign-in and admin pages', async () => {
    const admin = await createTestAdmin(e2e.testApp);
    const page = await e2e.open({ colorScheme: 'dark' });
    expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
    await visit(page, '/');
    await expectAccessible(page);
    await visit(page, '/does-not-exist', 404);
    await expectAccessible(page);
    await signIn(page, en, admin.email, 'not the password');
    await page.getByRole('alert').waitFor();
    await expectAccessible(page);
    await page.getByLabel(en['login.password']!, { exact: true }).fill(admin.password);
    await clickAndLoad(page, page.getByRole('main').getByRole('button', { name: en['login.submit'], exact: true }));
    await visit(page, '/admin/jobs?state=failed');
    await expectHeading(page, en['admin.jobs.title']!);
    await expectAccessible(page);
    await visit(page, '/admin/audit');
    await expectAccessible(page);
  });
});

// The checks above are only worth something if they can fail: each is shown catching a planted fault.
describe.each([{ javaScript: true }, { javaScript: false }])('the browser checks themselves, JavaScript on: $javaScript', ({ javaScript }) => {
  it('report accessibility violations', async () => {
    const page = await e2e.open({ javaScript });
    await visit(page, '/');
    await page.getByRole('main').evaluate((main) => {
      const image = document.createElement('img');
      image.src = '/static/icon.svg';
      main.append(image);
    });
    await expect(expectAccessible(page)).rejects.toThrow(/image-alt \(critical\): Images must have alternative text/);
  });

  it('report CSP violations and requests to other hosts', async () => {
    const page = await e2e.open({ javaScript });
    await visit(page, '/');
    await page.getByRole('main').evaluate((main) => {
      const image = document.createElement('img');
      image.alt = '';
      image.src = 'http://127.0.0.2:9/pixel.png';
      main.append(image);
    });
    await expect.poll(() => takePageProblems(page).join('\n')).toMatch(/Content Security Policy/);
    await page.goto('http://third-party.example/').catch(() => undefined);
    expect(takePageProblems(page).join('\n')).toMatch(/third-party request: GET http:\/\/third-party\.example\//);
  });
});
