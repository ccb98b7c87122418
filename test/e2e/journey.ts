import { randomUUID } from 'node:crypto';
import type { Locator, Page, Response } from 'playwright-core';
import { expect } from 'vitest';
import { hashPassword, upsertUser, type Role } from '../../src/modules/accounts/index.js';
import { createI18n, type Locale } from '../../src/platform/i18n.js';
import type { BrowserApp } from './support.js';

const i18n = createI18n();

/** A message by key, formatted in one locale. */
export type Translate = (key: string, values?: Record<string, string | number>) => string;

/** The app's own messages in `locale`, so journeys read the same words a person sees. */
export function translate(locale: Locale): Translate {
  const tr = i18n.translator(locale);
  return (key, values) => tr.t(key, values);
}

/** Empties one rate-limit bucket: every journey comes from the same loopback address. */
export async function clearRateLimit(e2e: BrowserApp, limit: { bucket: string }): Promise<void> {
  await e2e.testApp.db.kysely.deleteFrom('rate_limits').where('bucket', '=', limit.bucket).execute();
}

export interface Person {
  email: string;
  password: string;
  name: string;
}

/** A confirmed account made directly in the database, for journeys that are not about sign-up. */
export async function createPerson(e2e: BrowserApp, name: string, role: Role, locale: Locale, password: string): Promise<Person> {
  const email = `${role}-${randomUUID().slice(0, 8)}@example.test`;
  await upsertUser(e2e.testApp.db.kysely, { email, emailNormalized: email, displayName: name, passwordHash: await hashPassword(password), role, locale, verified: true });
  return { email, password, name };
}

/** The page's main heading with exactly this name. */
export function h1(page: Page, name: string): Locator {
  return page.getByRole('heading', { level: 1, name, exact: true });
}

/** Waits until the page shows this main heading, i.e. the navigation that was started has landed. */
export async function expectHeading(page: Page, name: string): Promise<void> {
  await h1(page, name).waitFor({ state: 'visible' });
}

/** The page's main landmark. */
export function main(page: Page): Locator {
  return page.getByRole('main');
}

/** The site navigation in the header, found by its accessible name. */
export function siteNav(page: Page, label: string | undefined): Locator {
  return page.getByRole('navigation', { name: label, exact: true });
}

/** The language the document declares. */
export async function htmlLang(page: Page): Promise<string | null> {
  return page.locator('html').getAttribute('lang');
}

/** Opens `url` and fails unless it answers with `status`. */
export async function visit(page: Page, url: string, status = 200): Promise<Response> {
  const response = await page.goto(url);
  if (!response) throw new Error(`No response for ${url}`);
  expect(response.status(), `status of ${url}`).toBe(status);
  return response;
}

/** Clicks something that submits a form or follows a link, waits for the next page, and returns its status. */
export async function clickAndLoad(page: Page, target: Locator): Promise<number> {
  // The document that ends the navigation: redirects (POST/Redirect/GET) are followed past.
  const document = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && r.request().frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400),
  );
  const navigated = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
  await target.click();
  const [response] = await Promise.all([document, navigated]);
  await page.waitForLoadState('load');
  return response.status();
}

/** The path of the page's current address. */
export function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

/** Whether the page scrolls sideways at its current width. */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

/** A calendar day some days ahead, as a datetime-local input writes it, so dates posted are always in the future. */
export function dayAhead(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Fills the sign-in form already on the page and submits it; returns the status of the page it lands on. */
export async function submitSignIn(page: Page, t: Translate, email: string, password: string): Promise<number> {
  await main(page).getByLabel(t('login.email'), { exact: true }).fill(email);
  await main(page).getByLabel(t('login.password'), { exact: true }).fill(password);
  return clickAndLoad(page, main(page).getByRole('button', { name: t('login.submit'), exact: true }));
}

/** Follows the header's sign-in link and signs in through the form; returns the status of the page it lands on. */
export async function signInFromHeader(page: Page, t: Translate, email: string, password: string): Promise<number> {
  await clickAndLoad(page, siteNav(page, t('layout.nav.label')).getByRole('link', { name: t('layout.nav.login'), exact: true }));
  await expectHeading(page, t('login.title'));
  return submitSignIn(page, t, email, password);
}
