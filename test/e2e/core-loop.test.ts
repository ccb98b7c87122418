import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/modules/accounts/index.js';
import type { Locale } from '../../src/platform/i18n.js';
import { LIMITS } from '../../src/platform/rate-limit.js';
import { clearRateLimit, clickAndLoad, createPerson as createAccount, dayAhead, expectHeading, main, pathOf, scrollsSideways, submitSignIn, translate, visit, type Person } from './journey.js';
import { expectAccessible, useBrowserApp, type OpenOptions } from './support.js';

const e2e = useBrowserApp();

// Five people sign in from the same loopback address in each journey.
beforeEach(async () => {
  await clearRateLimit(e2e, LIMITS.loginPerIp);
});

/** A confirmed account, made directly in the database: this journey is about the core loop, not sign-up. */
const createPerson = (name: string, role: Role, locale: Locale): Promise<Person> => createAccount(e2e, name, role, locale, 'copper kettle morning tide');

const JOURNEYS = [
  {
    javaScript: true,
    locale: 'en',
    names: { organizer: 'Nia Adeyemi', moderator: 'Pat Lindqvist', allies: ['Sam Whitlock', 'Robin Achterberg', 'Jo Marchetti'] },
    community: {
      name: 'Southside Tenants Union',
      mission: 'Tenants on the south side organizing against unsafe housing and unfair rent.',
      ledBy: 'tenants, disabled people',
      serves: 'tenants in repair disputes',
      languages: 'en',
    },
    ask: { title: 'Repair clinic on Saturday', description: 'Help tenants **write repair letters** to their landlords.' },
    hours: '3.5',
    feedback: 'You made everyone feel welcome at the door. Thank you.',
    reply: 'Thank you, I will come again next month.',
    outcome: 'Nine tenants sent repair letters.',
  },
  {
    javaScript: false,
    locale: 'es',
    names: { organizer: 'Rosa Quispe', moderator: 'Julián Mora', allies: ['Lucía Ferrer', 'Andrés Pizarro', 'Marta Gil'] },
    community: {
      name: 'Despensa Solidaria de Usera',
      mission: 'Vecinas de Usera que reparten alimentos y se acompañan en los trámites.',
      ledBy: 'vecinas, mujeres migrantes',
      serves: 'familias de Usera',
      languages: 'es',
    },
    ask: { title: 'Reparto del sábado', description: 'Ayuda a **preparar las cestas** en el local.' },
    hours: '2.75',
    feedback: 'Organizaste las cestas con mucho cuidado. Gracias.',
    reply: 'Gracias a vosotras, vuelvo el mes que viene.',
    outcome: 'Repartimos cuarenta cestas.',
  },
] as const satisfies ReadonlyArray<{ javaScript: boolean; locale: Locale } & Record<string, unknown>>;

describe.each(JOURNEYS)('the core loop, JavaScript on: $javaScript, $locale', ({ javaScript, locale, names, community, ask, hours, feedback, reply, outcome }) => {
  const t = translate(locale);
  const browserLocale = locale === 'es' ? 'es-ES' : 'en-GB';
  const field = (page: Page, label: string): Locator => main(page).getByLabel(label, { exact: true });
  const button = (page: Page, name: string): Locator => main(page).getByRole('button', { name, exact: true });
  const link = (page: Page, name: string): Locator => main(page).getByRole('link', { name, exact: true });

  async function signedIn(person: Person, options: OpenOptions = {}): Promise<Page> {
    const page = await e2e.open({ javaScript, locale: browserLocale, ...options });
    await visit(page, '/login');
    await expectHeading(page, t('login.title'));
    await expectAccessible(page);
    expect(await submitSignIn(page, t, person.email, person.password)).toBe(200);
    expect(pathOf(page)).toBe('/');
    return page;
  }

  /** The state line of the only commitment on the ally's /account/commitments, as the page writes it. */
  const stateLine = (state: string): string => `${community.name} · ${state}`;

  it('proposes and verifies a community, posts a shift from a phone, fills it with a waitlist, confirms it in bulk, closes with acknowledged feedback, and the ledger counts what was done', async () => {
    const organizer = await createPerson(names.organizer, 'user', locale);
    const moderator = await createPerson(names.moderator, 'moderator', locale);
    const allies = await Promise.all(names.allies.map((name) => createPerson(name, 'user', locale)));
    const [first, second, third] = allies as [Person, Person, Person];

    // 1. The organizer, on a 360 px phone, proposes the community.
    const org = await signedIn(organizer, { viewport: { width: 360, height: 740 } });
    await visit(org, '/communities/new');
    await expectHeading(org, t('communities.propose.title'));
    await expectAccessible(org);
    await field(org, t('communities.field.name')).fill(community.name);
    await field(org, t('communities.field.mission')).fill(community.mission);
    await field(org, t('communities.field.ledBy')).fill(community.ledBy);
    await field(org, t('communities.field.serves')).fill(community.serves);
    await field(org, t('communities.field.online')).check();
    await field(org, t('communities.field.languages')).fill(community.languages);
    expect(await clickAndLoad(org, button(org, t('communities.propose.submit')))).toBe(200);
    const slug = /^\/c\/([a-z0-9-]+)$/.exec(pathOf(org))?.[1];
    if (!slug) throw new Error(`Not on a community page after proposing: ${org.url()}`);
    const base = `/c/${slug}`;
    await expectHeading(org, community.name);
    await main(org).getByText(t('communities.status.pending'), { exact: true }).waitFor();
    await expectAccessible(org);

    // 2. A moderator verifies it.
    const mod = await signedIn(moderator);
    await visit(mod, '/moderation/communities');
    await expectHeading(mod, t('moderation.communities.title'));
    const proposal = main(mod).getByRole('article', { name: community.name, exact: true });
    await proposal.getByText(community.mission, { exact: true }).waitFor();
    await expectAccessible(mod);
    await proposal.getByLabel(t('moderation.communities.note'), { exact: true }).fill(locale === 'es' ? 'La dirigen las propias vecinas.' : 'Led by the tenants themselves.');
    expect(await clickAndLoad(mod, proposal.getByRole('button', { name: t('moderation.communities.verify'), exact: true }))).toBe(200);
    expect(await main(mod).getByRole('article', { name: community.name, exact: true }).count()).toBe(0);
    await expectAccessible(mod);

    // 3. Back on the phone: a shift with one window of two places, drafted and published.
    await visit(org, base);
    await main(org).getByText(t('communities.status.verified'), { exact: true }).waitFor();
    await expectAccessible(org);
    await visit(org, `${base}/asks/new`);
    await expectHeading(org, t('asks.new.title'));
    expect(await scrollsSideways(org), 'the ask form scrolls sideways at 360 px').toBe(false);
    await expectAccessible(org);
    await main(org).getByRole('group', { name: t('asks.field.kind'), exact: true }).getByLabel(t('asks.kind.shift'), { exact: true }).check();
    await field(org, t('asks.field.title')).fill(ask.title);
    await field(org, t('asks.field.description')).fill(ask.description);
    await field(org, t('asks.field.online')).check();
    await field(org, t('asks.field.timeZone')).fill('Europe/Madrid');
    const day = dayAhead(30);
    await field(org, t('asks.window.start', { n: 1 })).fill(`${day}T10:00`);
    await field(org, t('asks.window.end', { n: 1 })).fill(`${day}T14:00`);
    await field(org, t('asks.window.slots', { n: 1 })).fill('2');
    expect(await clickAndLoad(org, button(org, t('asks.save')))).toBe(200);
    const askPath = pathOf(org);
    expect(askPath).toMatch(/^\/asks\/[0-9a-f-]{36}$/);
    await expectHeading(org, ask.title);
    const facts = main(org).getByRole('article');
    await facts.getByText(t('asks.status.draft'), { exact: true }).waitFor();
    await expectAccessible(org);
    await clickAndLoad(org, button(org, t('asks.action.publish')));
    expect(pathOf(org)).toBe(askPath);
    await facts.getByText(t('asks.status.open'), { exact: true }).waitFor();
    expect(await scrollsSideways(org), 'the ask page scrolls sideways at 360 px').toBe(false);
    await expectAccessible(org);

    // 4. Three allies, each in a browser of their own, commit to the only window: two places, then the line.
    const commitments: string[] = [];
    const pages: Page[] = [];
    for (const [i, ally] of allies.entries()) {
      const page = await signedIn(ally);
      pages.push(page);
      await visit(page, askPath);
      await expectHeading(page, ask.title);
      await expectAccessible(page);
      await clickAndLoad(page, link(page, t('commitments.link.commit')));
      expect(pathOf(page)).toBe(`${askPath}/commit`);
      await expectHeading(page, t('commitments.commit.title'));
      const windows = main(page).getByRole('group', { name: t('commitments.field.window'), exact: true });
      expect(await windows.getByRole('radio').count()).toBe(1);
      expect(await windows.textContent()).toContain(t('commitments.placesLeft', { left: Math.max(0, 2 - i), slots: 2 }));
      await expectAccessible(page);
      await windows.getByRole('radio').check();
      expect(await clickAndLoad(page, button(page, t('commitments.commit.submit')))).toBe(200);
      const id = /^\/commitments\/([0-9a-f-]{36})$/.exec(pathOf(page))?.[1];
      if (!id) throw new Error(`Not on a commitment page after committing: ${page.url()}`);
      commitments.push(id);
      await expectHeading(page, t('commitments.page.mine'));
      const expected = i < 2 ? t('commitments.state.pledged') : t('commitments.waitlistPosition', { state: t('commitments.state.waitlisted'), position: 1 });
      await main(page).getByText(expected, { exact: true }).waitFor();
      await expectAccessible(page);
    }
    const [firstPage, secondPage, thirdPage] = pages as [Page, Page, Page];
    const [, secondId, thirdId] = commitments as [string, string, string];

    // 5. The first ally withdraws, well before the shift; the third moves up from the line.
    await button(firstPage, t('commitments.withdraw')).waitFor();
    await clickAndLoad(firstPage, button(firstPage, t('commitments.withdraw')));
    expect(pathOf(firstPage)).toBe(`/commitments/${commitments[0]}`);
    await main(firstPage).getByText(t('commitments.state.withdrawn'), { exact: true }).waitFor();
    expect(await button(firstPage, t('commitments.withdraw')).count()).toBe(0);
    await expectAccessible(firstPage);

    await visit(thirdPage, '/account/commitments');
    await expectHeading(thirdPage, t('commitments.mine.title'));
    await main(thirdPage).getByText(stateLine(t('commitments.state.pledged')), { exact: true }).waitFor();
    await expectAccessible(thirdPage);

    // 6. The organizer confirms in bulk from the ask page: the second ally did it (with the hours
    // actually worked), the third did not come. Confirmation is not tied to the window's end, so
    // the shift's times stay as they were posted.
    await visit(org, askPath);
    await clickAndLoad(org, link(org, t('commitments.link.confirm')));
    expect(pathOf(org)).toBe(`${askPath}/confirm`);
    await expectHeading(org, t('commitments.bulk.title'));
    expect(await scrollsSideways(org), 'the bulk confirmation scrolls sideways at 360 px').toBe(false);
    await expectAccessible(org);
    const entry = (ally: Person): Locator => main(org).getByRole('group').filter({ has: org.getByRole('link', { name: ally.name, exact: true }) });
    expect(await entry(first).count()).toBe(0);
    await entry(second).getByRole('radio', { name: t('commitments.state.done'), exact: true }).check();
    await entry(second).getByLabel(t('commitments.field.hours'), { exact: true }).fill(hours);
    await entry(third).getByRole('radio', { name: t('commitments.state.missed'), exact: true }).check();
    expect(await clickAndLoad(org, button(org, t('commitments.bulk.submit')))).toBe(200);
    expect(pathOf(org)).toBe(`${askPath}/confirm`);
    await main(org).getByRole('status').getByText(t('commitments.bulk.done', { count: 2 }), { exact: true }).waitFor();
    await main(org).getByText(t('commitments.bulk.none'), { exact: true }).waitFor();
    const others = main(org).getByRole('region', { name: t('commitments.bulk.others'), exact: true }).getByRole('listitem');
    expect(await others.count()).toBe(3);
    for (const [ally, state] of [
      [first, 'withdrawn'],
      [second, 'done'],
      [third, 'missed'],
    ] as const) {
      const item = others.filter({ has: org.getByRole('link', { name: ally.name, exact: true }) });
      expect(await item.textContent()).toContain(t(`commitments.state.${state}`));
    }
    await expectAccessible(org);

    // 7. Private feedback to the ally who came.
    await clickAndLoad(org, others.getByRole('link', { name: second.name, exact: true }));
    expect(pathOf(org)).toBe(`/commitments/${secondId}`);
    await expectHeading(org, t('commitments.page.of', { name: second.name }));
    const worked = t('commitments.confirmedWhat', { what: t('commitments.hours', { hours: Number(hours) }) });
    await main(org).getByText(worked, { exact: true }).waitFor();
    await main(org).getByText(t('commitments.feedback.none'), { exact: true }).waitFor();
    await expectAccessible(org);
    await main(org).getByRole('group', { name: t('commitments.field.feedbackKind'), exact: true }).getByRole('radio', { name: t('commitments.feedbackKind.thanks'), exact: true }).check();
    await field(org, t('commitments.field.feedbackBody')).fill(feedback);
    expect(await clickAndLoad(org, button(org, t('commitments.feedback.send')))).toBe(200);
    expect(pathOf(org)).toBe(`/commitments/${secondId}`);
    const sent = main(org).getByRole('region', { name: t('commitments.feedback.title'), exact: true });
    await sent.getByText(feedback, { exact: true }).waitFor();
    await expectAccessible(org);

    // 8. The ally reads it among their commitments, acknowledges it and answers.
    await visit(secondPage, '/account/commitments');
    await expectHeading(secondPage, t('commitments.mine.title'));
    await main(secondPage).getByText(stateLine(t('commitments.state.done')), { exact: true }).waitFor();
    await main(secondPage).getByText(worked, { exact: true }).waitFor();
    const received = main(secondPage).getByRole('region', { name: t('commitments.feedback.title'), exact: true });
    await received.getByText(feedback, { exact: true }).waitFor();
    await expectAccessible(secondPage);
    await received.getByLabel(t('commitments.field.reply'), { exact: true }).fill(reply);
    expect(await clickAndLoad(secondPage, received.getByRole('button', { name: t('commitments.feedback.acknowledge'), exact: true }))).toBe(200);
    expect(pathOf(secondPage)).toBe('/account/commitments');
    await received.getByText(t('commitments.feedback.acknowledged'), { exact: true }).waitFor();
    await received.getByText(reply, { exact: true }).waitFor();
    expect(await received.getByRole('button', { name: t('commitments.feedback.acknowledge'), exact: true }).count()).toBe(0);
    await expectAccessible(secondPage);

    // The organizer sees the answer, and the acknowledgement in the ally's record.
    await visit(org, `/commitments/${secondId}`);
    await sent.getByText(reply, { exact: true }).waitFor();
    const record = main(org).getByRole('region', { name: t('commitments.record.title'), exact: true });
    expect(await record.textContent()).toContain(t('commitments.record.feedbackValue', { acknowledged: 1, received: 1 }));
    await expectAccessible(org);

    // The missed one reads as missed for the third ally, with no hours counted.
    await visit(thirdPage, `/commitments/${thirdId}`);
    await main(thirdPage).getByText(t('commitments.state.missed'), { exact: true }).waitFor();
    expect(await main(thirdPage).getByText(t('commitments.field.confirmed'), { exact: true }).count()).toBe(0);
    await expectAccessible(thirdPage);

    // 9. The organizer closes the ask; the community's ledger counts the confirmed hours of one
    // ally, and neither the withdrawal nor the missed shift.
    await visit(org, askPath);
    await field(org, t('asks.field.outcome')).fill(outcome);
    await clickAndLoad(org, button(org, t('asks.action.close')));
    expect(pathOf(org)).toBe(askPath);
    await facts.getByText(t('asks.status.closed'), { exact: true }).waitFor();
    await expectAccessible(org);

    const confirmedHours = t('ledger.hoursValue', { hours: Number(hours) });
    const csvRow = [ask.title, 'shift', String(Number(hours)), '', '', '', '', 'done', 'false'];
    const visitor = await e2e.open({ javaScript, locale: browserLocale });
    for (const [page, names] of [
      [org, true],
      [visitor, false],
    ] as const) {
      await visit(page, `${base}/ledger`);
      await expectHeading(page, t('ledger.title', { name: community.name }));
      const totals = main(page).getByRole('region', { name: t('ledger.totals'), exact: true });
      await totals.getByText(confirmedHours, { exact: true }).waitFor();
      await totals.getByText(t('ledger.allies', { count: 1 }), { exact: true }).waitFor();
      const closed = main(page).getByRole('region', { name: t('ledger.closedAsks'), exact: true }).getByRole('listitem');
      expect(await closed.count()).toBe(1);
      await closed.getByRole('heading', { name: ask.title, exact: true }).waitFor();
      await closed.getByText(outcome, { exact: true }).waitFor();
      await closed.getByText(confirmedHours, { exact: true }).waitFor();
      await main(page).getByText(names ? t('ledger.csvWithNames') : t('ledger.csvWithoutNames'), { exact: true }).waitFor();
      expect(await scrollsSideways(page), 'the ledger scrolls sideways').toBe(false);
      await expectAccessible(page);

      // The file behind the page's download link, fetched with the same cookies.
      expect(await link(page, t('ledger.download')).getAttribute('href')).toBe(`${base}/ledger.csv`);
      const csv = await page.request.get(`${base}/ledger.csv`);
      expect(csv.status()).toBe(200);
      expect(csv.headers()['content-type']).toMatch(/^text\/csv\b/);
      const lines = (await csv.text()).split('\r\n');
      expect(lines.pop()).toBe('');
      const header = ['date', 'ask', 'kind', 'hours', 'amount', 'currency', 'quantity', 'item', 'state', 'self_reported', ...(names ? ['ally'] : [])];
      expect(lines[0]).toBe(header.join(','));
      // One row: the shift the second ally did. Only organizers get the name.
      expect(lines.length).toBe(2);
      const [date, ...rest] = lines[1]!.split(',');
      expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(rest).toEqual([...csvRow, ...(names ? [second.name] : [])]);
    }
  });
});
