import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/modules/accounts/index.js';
import { parseDateTime } from '../../src/modules/asks/asks.form.js';
import type { Locale } from '../../src/platform/i18n.js';
import { LIMITS } from '../../src/platform/rate-limit.js';
import { clearRateLimit, clickAndLoad, createPerson as createAccount, dayAhead, expectHeading, htmlLang, main, pathOf, scrollsSideways, submitSignIn, translate, visit, type Person } from './journey.js';
import { expectAccessible, useBrowserApp, type OpenOptions } from './support.js';

const e2e = useBrowserApp();

// Each journey signs several people in from the same loopback address.
beforeEach(async () => {
  await clearRateLimit(e2e, LIMITS.loginPerIp);
});

/** A confirmed account, made directly in the database: these journeys are about communities, not sign-up. */
const createPerson = (name: string, role: Role, locale: Locale): Promise<Person> => createAccount(e2e, name, role, locale, 'willow lantern harbour stone');

const JOURNEYS = [
  {
    javaScript: true,
    locale: 'en',
    viewport: 'desktop',
    community: {
      name: 'Lavapiés Renters Network',
      mission: 'Renters in Lavapiés defending each other against evictions and rent hikes.',
      ledBy: 'renters, migrant women',
      serves: 'renters facing eviction',
      area: 'Madrid, ES',
      online: false,
      languages: 'es, en',
      howToHelp: 'Come to the Saturday clinic and help with paperwork.',
      channel: { label: 'Eviction defence fund', details: 'https://example.org/fund' },
      question: 'Do you rent in Lavapiés?',
    },
    answer: 'Yes, on Calle del Amparo for three years.',
    ask: { title: 'Eviction watch on Saturday', description: 'Stand with **our neighbours** at the door.', outcome: 'Twelve people came and the eviction was postponed.' },
  },
  {
    javaScript: false,
    locale: 'es',
    viewport: 'phone',
    community: {
      name: 'Red de Cuidados Migrantes',
      mission: 'Trabajadoras del hogar migrantes que se apoyan en trámites, salud y cuidados.',
      ledBy: 'trabajadoras del hogar, mujeres migrantes',
      serves: 'trabajadoras del hogar',
      area: '',
      online: true,
      languages: 'es, qu',
      howToHelp: 'Acompaña a citas médicas y ayuda con traducciones.',
      channel: { label: 'Caja de resistencia', details: 'Transferencia a la cuenta de la asociación.' },
      question: '¿Trabajas en el hogar o cuidas a alguien?',
    },
    answer: 'Sí, cuido a una señora mayor desde hace dos años.',
    ask: { title: 'Acompañamiento a citas médicas', description: 'Buscamos **acompañantes** para dos mañanas.', outcome: 'Cinco acompañantes cubrieron las dos mañanas.' },
  },
] as const satisfies ReadonlyArray<{ javaScript: boolean; locale: Locale; viewport: 'desktop' | 'phone' } & Record<string, unknown>>;

describe.each(JOURNEYS)('a community and its first ask, JavaScript on: $javaScript, $locale, $viewport', ({ javaScript, locale, viewport, community, answer, ask }) => {
  const t = translate(locale);
  const browserLocale = locale === 'es' ? 'es-ES' : 'en-GB';
  const field = (page: Page, label: string): Locator => main(page).getByLabel(label, { exact: true });
  const button = (page: Page, name: string): Locator => main(page).getByRole('button', { name, exact: true });
  const link = (page: Page, name: string): Locator => main(page).getByRole('link', { name, exact: true });
  const summary = (page: Page): Locator => page.getByRole('alert', { name: t('form.errorSummary'), exact: true });

  async function signedIn(person: Person, options: OpenOptions = {}): Promise<Page> {
    const page = await e2e.open({ javaScript, viewport, locale: browserLocale, ...options });
    await visit(page, '/login');
    await expectHeading(page, t('login.title'));
    expect(await submitSignIn(page, t, person.email, person.password)).toBe(200);
    expect(pathOf(page)).toBe('/');
    return page;
  }

  it('is proposed, verified, organized, followed and joined, and its shift ask is posted, published and closed with an outcome', async () => {
    const organizer = await createPerson(locale === 'es' ? 'Rosa Quispe' : 'Amara Okafor', 'user', locale);
    const moderator = await createPerson(locale === 'es' ? 'Julián Mora' : 'Dee Hollis', 'moderator', locale);
    const ally = await createPerson(locale === 'es' ? 'Lucía Ferrer' : 'Sam Whitlock', 'user', locale);

    // 1. The proposal: refused once, then sent whole.
    const org = await signedIn(organizer);
    await visit(org, '/communities/new');
    await expectHeading(org, t('communities.propose.title'));
    expect(await htmlLang(org)).toBe(locale);
    await expectAccessible(org);
    await field(org, t('communities.field.name')).fill(community.name);
    const send = button(org, t('communities.propose.submit'));
    expect(await clickAndLoad(org, send)).toBe(422);
    await expectHeading(org, t('communities.propose.title'));
    const missing = `${t('communities.field.mission')}: ${t('validation.required')}`;
    await summary(org).getByRole('link', { name: missing, exact: true }).waitFor();
    await summary(org).getByRole('link', { name: `${t('communities.field.area')}: ${t('communities.error.areaOrOnline')}`, exact: true }).waitFor();
    expect(await field(org, t('communities.field.mission')).getAttribute('aria-invalid')).toBe('true');
    expect(await field(org, t('communities.field.name')).inputValue()).toBe(community.name);
    await expectAccessible(org);

    await field(org, t('communities.field.mission')).fill(community.mission);
    await field(org, t('communities.field.ledBy')).fill(community.ledBy);
    await field(org, t('communities.field.serves')).fill(community.serves);
    if (community.online) await field(org, t('communities.field.online')).check();
    await field(org, t('communities.field.area')).fill(community.area);
    await field(org, t('communities.field.languages')).fill(community.languages);
    await field(org, t('communities.field.howToHelp')).fill(community.howToHelp);
    await field(org, t('communities.field.channelLabel', { n: 1 })).fill(community.channel.label);
    await field(org, t('communities.field.channelDetails', { n: 1 })).fill(community.channel.details);
    await field(org, t('communities.field.question', { n: 1 })).fill(community.question);
    expect(await clickAndLoad(org, send)).toBe(200);
    const slug = /^\/c\/([a-z0-9-]+)$/.exec(pathOf(org))?.[1];
    if (!slug) throw new Error(`Not on a community page after proposing: ${org.url()}`);
    const base = `/c/${slug}`;
    await expectHeading(org, community.name);
    await main(org).getByText(t('communities.status.pending'), { exact: true }).waitFor();
    await main(org).getByText(t('communities.role.organizer'), { exact: true }).waitFor();
    await expectAccessible(org);

    // Nobody else sees a proposal before it is verified.
    const stranger = await e2e.open({ javaScript, viewport, locale: browserLocale });
    await visit(stranger, base, 404);

    // 2. A moderator verifies it with a note.
    const mod = await signedIn(moderator);
    await visit(mod, '/moderation/communities');
    await expectHeading(mod, t('moderation.communities.title'));
    const proposal = main(mod).getByRole('article', { name: community.name, exact: true });
    await proposal.getByText(community.mission, { exact: true }).waitFor();
    await proposal.getByText(community.question, { exact: true }).waitFor();
    await expectAccessible(mod);
    await proposal.getByLabel(t('moderation.communities.note'), { exact: true }).fill(locale === 'es' ? 'Dirigida por las propias trabajadoras.' : 'Led by the renters themselves.');
    expect(await clickAndLoad(mod, proposal.getByRole('button', { name: t('moderation.communities.verify'), exact: true }))).toBe(200);
    expect(pathOf(mod)).toBe('/moderation/communities');
    expect(await main(mod).getByRole('article', { name: community.name, exact: true }).count()).toBe(0);
    await expectAccessible(mod);

    // 3. The organizer's community page, the edit form, the people page and an invitation link.
    await visit(org, base);
    await expectHeading(org, community.name);
    await main(org).getByText(t('communities.status.verified'), { exact: true }).waitFor();
    await main(org).getByText(community.channel.label, { exact: true }).waitFor();
    await main(org).getByText(t('communities.lastOrganizer'), { exact: true }).waitFor();
    await expectAccessible(org);

    await clickAndLoad(org, link(org, t('communities.action.edit')));
    await expectHeading(org, t('communities.edit.title'));
    expect(await field(org, t('communities.field.name')).inputValue()).toBe(community.name);
    expect(await field(org, t('communities.field.question', { n: 1 })).inputValue()).toBe(community.question);
    await expectAccessible(org);

    await visit(org, base);
    await clickAndLoad(org, link(org, t('communities.action.people')));
    const peopleTitle = t('communities.people.title', { name: community.name });
    await expectHeading(org, peopleTitle);
    await main(org).getByText(t('communities.requests.none'), { exact: true }).waitFor();
    await expectAccessible(org);
    expect(await clickAndLoad(org, button(org, t('communities.invite.create')))).toBe(200);
    await expectHeading(org, peopleTitle);
    const shown = main(org).getByRole('status');
    await shown.getByText(t('communities.invite.once'), { exact: true }).waitFor();
    expect(await shown.locator('code').textContent()).toMatch(/\/invites\?token=[A-Za-z0-9_-]{20,}$/);
    await expectAccessible(org);

    // The shift ask: an empty form, a refused one, then a draft with two windows, published.
    await visit(org, `${base}/asks`);
    await expectHeading(org, t('asks.list.title', { community: community.name }));
    await main(org).getByText(t('asks.list.empty'), { exact: true }).waitFor();
    await clickAndLoad(org, link(org, t('asks.list.new')));
    expect(pathOf(org)).toBe(`${base}/asks/new`);
    await expectHeading(org, t('asks.new.title'));
    await expectAccessible(org);

    const kinds = main(org).getByRole('group', { name: t('asks.field.kind'), exact: true });
    const windowField = (n: number, part: 'start' | 'end' | 'slots'): Locator => field(org, t(`asks.window.${part}`, { n }));
    const save = button(org, t('asks.save'));
    await kinds.getByLabel(t('asks.kind.shift'), { exact: true }).check();
    await field(org, t('asks.field.online')).check();
    await windowField(1, 'start').fill('2020-03-07T09:00');
    await windowField(1, 'end').fill('2020-03-07T13:00');
    await windowField(1, 'slots').fill('4');
    expect(await clickAndLoad(org, save)).toBe(422);
    await expectHeading(org, t('asks.new.title'));
    await summary(org).getByRole('link', { name: `${t('asks.field.title')}: ${t('validation.required')}`, exact: true }).waitFor();
    await summary(org).getByRole('link', { name: `${t('asks.window.start', { n: 1 })}: ${t('asks.error.past')}`, exact: true }).waitFor();
    expect(await windowField(1, 'start').getAttribute('aria-invalid')).toBe('true');
    expect(await kinds.getByLabel(t('asks.kind.shift'), { exact: true }).isChecked()).toBe(true);
    expect(await windowField(1, 'slots').inputValue()).toBe('4');
    await expectAccessible(org);

    const zone = 'Europe/Madrid';
    const day = dayAhead(45);
    const windows = [
      { start: `${day}T09:00`, end: `${day}T13:00`, slots: 4 },
      { start: `${day}T16:30`, end: `${day}T20:00`, slots: 2 },
    ];
    await field(org, t('asks.field.title')).fill(ask.title);
    await field(org, t('asks.field.description')).fill(ask.description);
    await field(org, t('asks.field.timeZone')).fill(zone);
    for (const [i, w] of windows.entries()) {
      await windowField(i + 1, 'start').fill(w.start);
      await windowField(i + 1, 'end').fill(w.end);
      await windowField(i + 1, 'slots').fill(String(w.slots));
    }
    expect(await clickAndLoad(org, save)).toBe(200);
    const askPath = pathOf(org);
    expect(askPath).toMatch(/^\/asks\/[0-9a-f-]{36}$/);
    await expectHeading(org, ask.title);
    const facts = main(org).getByRole('article');
    await facts.getByText(t('asks.status.draft'), { exact: true }).waitFor();
    // The description's Markdown is rendered.
    expect(await facts.locator('.prose strong').textContent()).toBe(/\*\*(.+?)\*\*/.exec(ask.description)?.[1]);
    const windowList = main(org).getByRole('region', { name: t('asks.windows'), exact: true }).getByRole('listitem');
    expect(await windowList.count()).toBe(2);
    for (const [i, w] of windows.entries()) {
      // Typed as wall-clock time in the ask's zone, shown as that same instant.
      const start = parseDateTime(w.start, zone)!.toISOString();
      const end = parseDateTime(w.end, zone)!.toISOString();
      const item = windowList.nth(i);
      expect(await item.locator('time').first().getAttribute('datetime')).toBe(start);
      expect(await item.locator('time').last().getAttribute('datetime')).toBe(end);
      expect(await item.textContent()).toContain(t('asks.slots', { slots: w.slots }));
      expect(await item.textContent()).toContain(`(${zone})`);
    }
    await expectAccessible(org);

    await clickAndLoad(org, button(org, t('asks.action.publish')));
    expect(pathOf(org)).toBe(askPath);
    await facts.getByText(t('asks.status.open'), { exact: true }).waitFor();
    await expectAccessible(org);

    await clickAndLoad(org, link(org, community.name));
    expect(pathOf(org)).toBe(`${base}/asks`);
    await expectHeading(org, t('asks.list.title', { community: community.name }));
    const listed = main(org).getByRole('listitem').filter({ has: org.getByRole('link', { name: ask.title, exact: true }) });
    expect(await listed.textContent()).toContain(t('asks.status.open'));
    await expectAccessible(org);

    // 4. An ally finds the community, follows it and asks to join; the organizer approves.
    const al = await signedIn(ally);
    await visit(al, '/communities');
    await expectHeading(al, t('communities.list.title'));
    const listing = link(al, community.name);
    await expectAccessible(al);
    await clickAndLoad(al, listing);
    expect(pathOf(al)).toBe(base);
    await expectHeading(al, community.name);
    await main(al).getByText(t('communities.role.none'), { exact: true }).waitFor();
    await expectAccessible(al);
    await clickAndLoad(al, button(al, t('communities.action.follow')));
    expect(pathOf(al)).toBe(base);
    await main(al).getByText(t('communities.role.ally'), { exact: true }).waitFor();
    await expectAccessible(al);
    await field(al, community.question).fill(answer);
    await clickAndLoad(al, button(al, t('communities.join.submit')));
    expect(pathOf(al)).toBe(base);
    await main(al).getByText(t('communities.join.pending'), { exact: true }).waitFor();
    expect(await button(al, t('communities.join.submit')).count()).toBe(0);
    await expectAccessible(al);

    await visit(org, `${base}/people`);
    await expectHeading(org, peopleTitle);
    const requests = main(org).getByRole('region', { name: t('communities.requests.title'), exact: true });
    const request = requests.getByRole('listitem').filter({ has: org.getByRole('heading', { name: ally.name, exact: true }) });
    await request.getByText(answer, { exact: true }).waitFor();
    await expectAccessible(org);
    await clickAndLoad(org, request.getByRole('button', { name: `${t('communities.requests.approve')} ${ally.name}`, exact: true }));
    expect(pathOf(org)).toBe(`${base}/people`);
    await requests.getByText(t('communities.requests.none'), { exact: true }).waitFor();
    const members = main(org).getByRole('region', { name: t('communities.people.group.member', { count: 1 }), exact: true });
    // A member now, whom the organizer may make an organizer.
    await members.getByRole('button', { name: `${t('communities.people.promote')} ${ally.name}`, exact: true }).waitFor();
    await expectAccessible(org);

    await visit(al, base);
    await main(al).getByText(t('communities.role.member'), { exact: true }).waitFor();

    // 5. The organizer closes the ask with its outcome, which stays on the ask's page.
    await visit(org, askPath);
    await expectHeading(org, ask.title);
    await field(org, t('asks.field.outcome')).fill(ask.outcome);
    await clickAndLoad(org, button(org, t('asks.action.close')));
    expect(pathOf(org)).toBe(askPath);
    await facts.getByText(t('asks.status.closed'), { exact: true }).waitFor();
    const outcome = main(org).getByRole('region', { name: t('asks.outcome'), exact: true });
    await outcome.getByText(ask.outcome, { exact: true }).waitFor();
    expect(await button(org, t('asks.action.close')).count()).toBe(0);
    expect(await link(org, t('asks.edit')).count()).toBe(0);
    await expectAccessible(org);

    // The narrowest phones: neither the community page nor the ask form scrolls sideways.
    const narrow = await signedIn(organizer, { viewport: { width: 320, height: 640 } });
    for (const [path, heading] of [
      [base, community.name],
      [`${base}/asks/new`, t('asks.new.title')],
    ] as const) {
      await visit(narrow, path);
      await expectHeading(narrow, heading);
      expect(await scrollsSideways(narrow), `${path} scrolls sideways at 320 px`).toBe(false);
    }
  });
});
