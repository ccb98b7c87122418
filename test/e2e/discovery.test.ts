import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { findPlaces } from '../../src/modules/profile/index.js';
import type { Locale } from '../../src/platform/i18n.js';
import { LIMITS } from '../../src/platform/rate-limit.js';
import { clearRateLimit, clickAndLoad, createPerson, expectHeading, main, pathOf, scrollsSideways, siteNav, submitSignIn, translate, visit, type Person } from './journey.js';
import { expectAccessible, useBrowserApp } from './support.js';

const e2e = useBrowserApp();
const DAY = 86_400_000;
const HOUR = 3_600_000;

beforeEach(async () => {
  await clearRateLimit(e2e, LIMITS.loginPerIp);
});

function place(name: string) {
  const match = findPlaces(name);
  if (match.kind !== 'one') throw new Error(`${name} is not one place`);
  return { id: match.place.id, label: `${match.place.name}, ${match.place.country}`, lat: Math.round(match.place.lat * 100) / 100, lon: Math.round(match.place.lon * 100) / 100 };
}

const MADRID = place('Madrid, ES');
const GETAFE = place('Getafe, ES');
const BARCELONA = place('Barcelona, ES');

/** The next Saturday at 09:00 UTC (10:00 in Madrid), at least two days ahead. */
function nextSaturday(): Date {
  const d = new Date(Date.now() + 2 * DAY);
  d.setUTCHours(9, 0, 0, 0);
  while (d.getUTCDay() !== 6) d.setTime(d.getTime() + DAY);
  return d;
}

/**
 * A neighbourhood: a big food bank with ten open cooking shifts (helped last week), three small
 * groups with one ask each (nobody has helped them lately), an online translation, and an ask in
 * Barcelona, far from the ally.
 */
async function seedNeighbourhood(tag: string, organizerId: string) {
  const db = e2e.testApp.db.kysely;
  const community = async (name: string, at: typeof MADRID, lastConfirmed: Date | null) => {
    const row = await db
      .insertInto('communities')
      .values({ slug: `${tag}-${randomUUID().slice(0, 6)}`, name, mission: 'Mutual aid in the neighbourhood.', status: 'verified', area_place_id: at.id, area_label: at.label, area_lat: at.lat, area_lon: at.lon, last_confirmed_at: lastConfirmed })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('memberships').values({ community_id: row.id, user_id: organizerId, role: 'organizer' }).execute();
    return row.id;
  };
  const ask = async (communityId: string, title: string, values: Record<string, unknown>, windowStart?: Date) => {
    const at = (values.at as typeof MADRID | undefined) ?? MADRID;
    delete values.at;
    const row = await db
      .insertInto('asks')
      .values({
        community_id: communityId,
        kind: 'skill',
        title,
        description: '',
        language: 'es',
        status: 'open',
        area_place_id: at.id,
        area_label: at.label,
        area_lat: at.lat,
        area_lon: at.lon,
        published_at: sql<Date>`now()`,
        time_zone: 'Europe/Madrid',
        first_starts_at: windowStart ?? null,
        last_ends_at: windowStart ? new Date(windowStart.getTime() + 3 * HOUR) : null,
        ...values,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    if (windowStart) await db.insertInto('ask_windows').values({ ask_id: row.id, starts_at: windowStart, ends_at: new Date(windowStart.getTime() + 3 * HOUR), slots: 6 }).execute();
    return row.id;
  };
  const saturday = nextSaturday();
  const big = await community(`Gran Banco ${tag}`, MADRID, new Date(Date.now() - 7 * DAY));
  for (let n = 1; n <= 10; n++) {
    const id = await ask(big, `Turno de cocina ${n} ${tag}`, { kind: 'shift', priority: 'urgent', description: `Cocinar para el comedor ${tag}.` }, new Date(saturday.getTime() + n * HOUR));
    await db.insertInto('ask_skills').values({ ask_id: id, skill: 'cooking' }).execute();
  }
  const small: string[] = [];
  for (const n of [1, 2, 3]) {
    const id = await community(`Grupo pequeño ${n} ${tag}`, GETAFE, null);
    small.push(`Papeleo del grupo ${n} ${tag}`);
    await ask(id, small.at(-1)!, { at: GETAFE, description: 'Rellenar formularios.' });
  }
  const online = await community(`Traductoras ${tag}`, MADRID, null);
  await ask(online, `Traducir un folleto ${tag}`, { online: true, area_place_id: null, area_label: null, area_lat: null, area_lon: null, description: 'Traducir al inglés.' });
  const far = await community(`Barcelona ${tag}`, BARCELONA, null);
  await ask(far, `Pintar el local ${tag}`, { at: BARCELONA });
  return { small, bigTitle: (n: number) => `Turno de cocina ${n} ${tag}`, online: `Traducir un folleto ${tag}`, far: `Pintar el local ${tag}` };
}

const JOURNEYS = [
  { javaScript: true, locale: 'en' as Locale },
  { javaScript: false, locale: 'es' as Locale },
];

describe.each(JOURNEYS)('finding asks, JavaScript on: $javaScript, $locale', ({ javaScript, locale }) => {
  const t = translate(locale);
  const browserLocale = locale === 'es' ? 'es-ES' : 'en-GB';

  async function signedIn(person: Person): Promise<Page> {
    const page = await e2e.open({ javaScript, locale: browserLocale, viewport: 'phone' });
    await visit(page, '/login');
    expect(await submitSignIn(page, t, person.email, person.password)).toBe(200);
    return page;
  }

  it('an ally on a phone finds nearby asks that fit, sees why each is there, and a small group shows up beside a big one', async () => {
    const tag = `${locale}${javaScript ? 'js' : 'nojs'}`;
    const organizer = await createPerson(e2e, 'Olga Ortiz', 'user', locale, 'copper kettle morning tide');
    const ally = await createPerson(e2e, 'Aitana Ruiz', 'user', locale, 'copper kettle morning tide');
    const db = e2e.testApp.db.kysely;
    const allyId = (await db.selectFrom('users').select('id').where('email', '=', ally.email).executeTakeFirstOrThrow()).id;
    const organizerId = (await db.selectFrom('users').select('id').where('email', '=', organizer.email).executeTakeFirstOrThrow()).id;
    await db.updateTable('users').set({ home_place_id: MADRID.id, home_area: MADRID.label, home_lat: MADRID.lat, home_lon: MADRID.lon, travel_radius_km: 30 }).where('id', '=', allyId).execute();
    await db.insertInto('user_languages').values({ user_id: allyId, language: 'es' }).execute();
    await db.insertInto('user_skills').values({ user_id: allyId, skill: 'cooking' }).execute();
    await db.insertInto('user_availability').values({ user_id: allyId, weekday: 5, part: 'morning' }).execute();
    const hood = await seedNeighbourhood(tag, organizerId);

    // 1. The feed, from the header.
    const page = await signedIn(ally);
    await clickAndLoad(page, siteNav(page, t('layout.nav.label')).getByRole('link', { name: t('layout.nav.feed'), exact: true }));
    expect(pathOf(page)).toBe('/feed');
    await expectHeading(page, t('discovery.feed.title'));
    expect(await scrollsSideways(page), 'the feed scrolls sideways at 360 px').toBe(false);
    await expectAccessible(page);
    const items = main(page).getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3 }) });
    const titles = await items.getByRole('heading', { level: 3 }).allTextContents();
    // The big food bank fits best on every count, yet takes five places; each small group is on page one.
    expect(titles.filter((title) => title.startsWith('Turno de cocina') && title.endsWith(tag)).length).toBe(5);
    for (const small of hood.small) expect(titles).toContain(small);
    expect(titles).toContain(hood.online);
    expect(titles).not.toContain(hood.far);

    // 2. Why am I seeing this? — opened on the first big shift.
    const first = items.filter({ has: page.getByRole('link', { name: hood.bigTitle(1), exact: true }) });
    await first.getByText(t('discovery.why.summary')).click();
    await first.getByText(t('discovery.reason.skills', { skills: t('profile.skill.cooking') }), { exact: true }).waitFor();
    await first.getByText(t('discovery.reason.urgent'), { exact: true }).waitFor();
    const smallItem = items.filter({ has: page.getByRole('link', { name: hood.small[0]!, exact: true }) });
    await smallItem.getByText(t('discovery.why.summary')).click();
    await smallItem.getByText(t('discovery.reason.quietCommunity', { days: 30 }), { exact: true }).waitFor();
    await expectAccessible(page);

    // The next page carries on with the big food bank.
    await clickAndLoad(page, main(page).getByRole('link', { name: t('discovery.pager.next'), exact: true }));
    expect(new URL(page.url()).searchParams.get('cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await main(page).getByRole('link', { name: hood.bigTitle(6), exact: true }).count()).toBe(1);
    await expectAccessible(page);

    // 3. Search from the header: words in Spanish, near Madrid, within 10 km.
    await clickAndLoad(page, siteNav(page, t('layout.nav.label')).getByRole('link', { name: t('layout.nav.search'), exact: true }));
    await expectHeading(page, t('discovery.search.title'));
    await expectAccessible(page);
    await main(page).getByLabel(t('discovery.field.q'), { exact: true }).fill(`cocinar ${tag}`);
    await main(page).getByLabel(t('discovery.field.near'), { exact: true }).fill('Madrid, ES');
    await main(page).getByLabel(t('discovery.field.within'), { exact: true }).selectOption('10');
    expect(await clickAndLoad(page, main(page).getByRole('button', { name: t('discovery.search.submit'), exact: true }))).toBe(200);
    const address = new URL(page.url());
    expect(address.pathname).toBe('/search');
    expect(address.searchParams.get('q')).toBe(`cocinar ${tag}`);
    expect(address.searchParams.get('near')).toBe('Madrid, ES');
    const results = main(page).getByRole('region', { name: t('discovery.results.title'), exact: true });
    await results.getByRole('link', { name: hood.bigTitle(1), exact: true }).waitFor();
    expect(await results.getByRole('link', { name: hood.far, exact: true }).count()).toBe(0);
    expect(await scrollsSideways(page), 'search results scroll sideways at 360 px').toBe(false);
    await expectAccessible(page);

    // The address is the search: someone else opens it, signed out, and gets the same results.
    const shared = await e2e.open({ javaScript, locale: browserLocale, viewport: { width: 320, height: 640 } });
    await visit(shared, `${address.pathname}${address.search}`);
    await main(shared).getByRole('link', { name: hood.bigTitle(1), exact: true }).waitFor();
    expect(await scrollsSideways(shared), 'search results scroll sideways at 320 px').toBe(false);
    await expectAccessible(shared);

    // 4. More filters: only in person, only the kind "skill", nearest first, within 25 km.
    await main(page).getByText(t('discovery.search.moreFilters'), { exact: true }).click();
    await main(page).getByLabel(t('discovery.field.q'), { exact: true }).fill('');
    await main(page).getByRole('group', { name: t('discovery.field.kind'), exact: true }).getByLabel(t('asks.kind.skill'), { exact: true }).check();
    await main(page).getByLabel(t('discovery.field.online'), { exact: true }).selectOption('exclude');
    await main(page).getByLabel(t('discovery.field.within'), { exact: true }).selectOption('25');
    await main(page).getByLabel(t('discovery.field.sort'), { exact: true }).selectOption('distance');
    expect(await clickAndLoad(page, main(page).getByRole('button', { name: t('discovery.search.submit'), exact: true }))).toBe(200);
    const filtered = await results.getByRole('heading', { level: 3 }).allTextContents();
    expect(filtered.filter((title) => title.endsWith(tag)).sort()).toEqual([...hood.small].sort());
    expect(filtered.some((title) => title.startsWith('Turno de cocina'))).toBe(false);
    expect(await results.textContent()).toMatch(locale === 'es' ? /a unos 1[0-9] km/ : /about 1[0-9] km away/);
    await expectAccessible(page);

    // 5. A place name several towns share: the page asks which one, next to the field.
    await main(page).getByLabel(t('discovery.field.near'), { exact: true }).fill('Springfield');
    expect(await clickAndLoad(page, main(page).getByRole('button', { name: t('discovery.search.submit'), exact: true }))).toBe(422);
    await main(page).getByText(t('discovery.error.placeAmbiguous'), { exact: true }).first().waitFor();
    await expectAccessible(page);
    const choice = main(page).locator('#place-choices').getByRole('link').first();
    expect(await clickAndLoad(page, choice)).toBe(200);
    expect(new URL(page.url()).searchParams.get('place')).toMatch(/^\d+$/);
    await main(page).getByText(t('discovery.results.empty'), { exact: true }).waitFor();
    await expectAccessible(page);

    // 6. Rest mode: a calm page instead of the feed, and a way back.
    await db.updateTable('users').set({ rest_mode: true }).where('id', '=', allyId).execute();
    await visit(page, '/feed');
    await expectHeading(page, t('discovery.rest.title'));
    expect(await main(page).getByRole('link', { name: hood.bigTitle(1), exact: true }).count()).toBe(0);
    await expectAccessible(page);
    expect(await clickAndLoad(page, main(page).getByRole('button', { name: t('discovery.rest.resume'), exact: true }))).toBe(200);
    await expectHeading(page, t('discovery.feed.title'));
    await main(page).getByRole('link', { name: hood.bigTitle(1), exact: true }).waitFor();
    await expectAccessible(page);
  });
});
