import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, upsertUser } from '../../src/modules/accounts/index.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';
import { parseCsv } from '../support/csv.js';

const PASSWORD = 'a long enough password';
const HOUR = 3600_000;
const SECRET_PLACE = 'Back door of number 12';
let counter = 0;

type Name = 'organizer' | 'member' | 'ally1' | 'ally2' | 'ally3' | 'ally4' | 'follower' | 'outsider' | 'blocked';
type State = 'pledged' | 'waitlisted' | 'withdrawn' | 'withdrawn_late' | 'done' | 'partly_done' | 'missed';


/** The unfolded, unescaped properties of each VEVENT. */
function icsEvents(text: string): Array<Record<string, string>> {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out: Array<Record<string, string>> = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const [name, value] = [line.slice(0, colon), line.slice(colon + 1)];
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      out.push(current!);
      current = undefined;
    } else if (current) current[name] = value.replace(/\\([\\;,nN])/g, (_m, ch: string) => (ch.toLowerCase() === 'n' ? '\n' : ch));
  }
  return out;
}

describe.each(engines())('ledger and calendars on %s', (engine) => {
  let t: TestApp;
  let communityId: string;
  const ids = {} as Record<Name, string>;
  const emails = {} as Record<Name, string>;
  const asks = {} as Record<'shift' | 'euro' | 'dollar' | 'supplies' | 'advocacy' | 'event' | 'openShift' | 'draft', string>;
  let openWindows: string[] = [];
  let closedWindow = '';

  async function client(name: Name): Promise<TestClient> {
    const c = new TestClient(t.app);
    expect((await c.logIn(emails[name], PASSWORD)).statusCode).toBe(303);
    return c;
  }

  async function insertAsk(values: Record<string, unknown>): Promise<string> {
    const row = await t.db.kysely
      .insertInto('asks')
      .values({ community_id: communityId, status: 'open', online: false, area_place_id: 'x', area_label: 'Eastside, Springfield', published_at: sql<Date>`now()`, ...values } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function addWindow(askId: string, start: Date, hours = 3): Promise<string> {
    const w = await t.db.kysely.insertInto('ask_windows').values({ ask_id: askId, starts_at: start, ends_at: new Date(start.getTime() + hours * HOUR), slots: 10 }).returning('id').executeTakeFirstOrThrow();
    return w.id;
  }

  async function commitment(askId: string, who: Name, state: State, values: Record<string, unknown> = {}): Promise<void> {
    const confirmed = state === 'done' || state === 'partly_done' || state === 'missed';
    const withdrawn = state === 'withdrawn' || state === 'withdrawn_late';
    await t.db.kysely
      .insertInto('commitments')
      .values({
        ask_id: askId,
        user_id: ids[who],
        state,
        confirmed_at: confirmed ? new Date('2026-01-10T12:00:00Z') : null,
        confirmed_by: confirmed && !values.self_reported ? ids.organizer : null,
        withdrawn_at: withdrawn ? new Date('2026-01-09T12:00:00Z') : null,
        ...values,
      } as never)
      .execute();
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    const hash = await hashPassword(PASSWORD);
    const names: Record<Name, string> = {
      organizer: 'Olu Organizer',
      member: 'Mina Member',
      ally1: 'Ana Ally',
      ally2: 'Bo Ally',
      ally3: 'Cy Ally',
      ally4: '=1+2',
      follower: 'Fay Follower',
      outsider: 'Oz Outsider',
      blocked: 'Bea Blocked',
    };
    for (const [name, display] of Object.entries(names) as Array<[Name, string]>) {
      counter += 1;
      emails[name] = `ledger${counter}-${Date.now()}@example.test`;
      ids[name] = await upsertUser(t.db.kysely, { email: emails[name], emailNormalized: emails[name], displayName: display, passwordHash: hash, role: 'user', verified: true });
    }
    const c = await t.db.kysely
      .insertInto('communities')
      .values({ slug: 'ledger-crew', name: 'Ledger crew', mission: 'Food for all.', status: 'verified', online: false, area_place_id: 'x', area_label: 'Springfield' })
      .returning('id')
      .executeTakeFirstOrThrow();
    communityId = c.id;
    await t.db.kysely
      .insertInto('memberships')
      .values([
        { community_id: communityId, user_id: ids.organizer, role: 'organizer' },
        { community_id: communityId, user_id: ids.member, role: 'member' },
        { community_id: communityId, user_id: ids.follower, role: 'ally' },
      ])
      .execute();
    await t.db.kysely.insertInto('community_blocks').values({ community_id: communityId, user_id: ids.blocked }).execute();

    // A closed shift with a sensitive place: every state of commitment, only two of them confirmed.
    const past = new Date('2026-01-05T09:00:00Z');
    asks.shift = await insertAsk({
      kind: 'shift',
      title: 'Sort the pantry',
      status: 'closed',
      closed_at: new Date('2026-01-11T00:00:00Z'),
      outcome_note: 'We sorted two tonnes of food.',
      location_detail: SECRET_PLACE,
      location_sensitive: true,
    });
    closedWindow = await addWindow(asks.shift, past);
    await commitment(asks.shift, 'ally1', 'done', { window_id: closedWindow, planned_minutes: 180, done_minutes: 180 });
    await commitment(asks.shift, 'ally2', 'partly_done', { window_id: closedWindow, planned_minutes: 180, done_minutes: 90 });
    await commitment(asks.shift, 'ally3', 'missed', { window_id: closedWindow, planned_minutes: 180 });
    await commitment(asks.shift, 'member', 'pledged', { window_id: closedWindow, planned_minutes: 180 });
    await commitment(asks.shift, 'ally4', 'waitlisted', { window_id: closedWindow, planned_minutes: 180 });
    await commitment(asks.shift, 'follower', 'withdrawn', { window_id: closedWindow, planned_minutes: 180 });
    await commitment(asks.shift, 'outsider', 'withdrawn_late', { window_id: closedWindow, planned_minutes: 180 });

    asks.euro = await insertAsk({ kind: 'money', title: 'Rent, "fund"', money_goal_minor: 100000, currency: 'EUR' });
    await commitment(asks.euro, 'ally1', 'done', { amount_minor: 2500, currency: 'EUR', done_amount_minor: 2500 });
    await commitment(asks.euro, 'ally4', 'done', { amount_minor: 500, currency: 'EUR', done_amount_minor: 500 });
    await commitment(asks.euro, 'ally2', 'pledged', { amount_minor: 10000, currency: 'EUR' });
    await commitment(asks.euro, 'ally3', 'missed', { amount_minor: 7000, currency: 'EUR' });

    asks.dollar = await insertAsk({ kind: 'money', title: 'Legal fund', money_goal_minor: 100000, currency: 'USD' });
    await commitment(asks.dollar, 'ally1', 'partly_done', { amount_minor: 2000, currency: 'USD', done_amount_minor: 1000 });

    asks.supplies = await insertAsk({ kind: 'supplies', title: 'Rice for the winter' });
    const item = await t.db.kysely.insertInto('ask_items').values({ ask_id: asks.supplies, label: 'Rice', quantity: 20, unit: 'kg' }).returning('id').executeTakeFirstOrThrow();
    await commitment(asks.supplies, 'ally2', 'done', { item_id: item.id, quantity: 5, done_quantity: 5 });
    await commitment(asks.supplies, 'member', 'withdrawn', { item_id: item.id, quantity: 10 });

    asks.advocacy = await insertAsk({ kind: 'advocacy', title: 'Call the council', advocacy_script: 'Call them.' });
    await commitment(asks.advocacy, 'ally3', 'done', { self_reported: true });
    await commitment(asks.advocacy, 'ally1', 'done');

    // What the calendars list: an open event with a sensitive place, an open shift, and a draft nobody else sees.
    const soon = new Date(Date.now() + 5 * 24 * HOUR);
    asks.event = await insertAsk({ kind: 'attend', title: 'Listening session; tea, cake', starts_at: soon, ends_at: new Date(soon.getTime() + 2 * HOUR), capacity: 1, location_detail: SECRET_PLACE, location_sensitive: true });
    await commitment(asks.event, 'ally2', 'pledged', { planned_for: soon });
    await commitment(asks.event, 'ally3', 'waitlisted', { planned_for: soon });
    asks.openShift = await insertAsk({ kind: 'shift', title: 'Deliver boxes', online: true, location_detail: SECRET_PLACE, location_sensitive: true });
    openWindows = [await addWindow(asks.openShift, soon), await addWindow(asks.openShift, new Date(soon.getTime() + 24 * HOUR))];
    asks.draft = await insertAsk({ kind: 'attend', title: 'Secret planning', status: 'draft', published_at: null, starts_at: soon, capacity: 5 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts only what the community confirmed: time, money by currency, supplies by item, advocacy apart, allies and returning allies', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/communities/ledger-crew/ledger' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.totals).toEqual({
      hours: 4.5,
      minutes: 270,
      money: [
        { currency: 'EUR', amountMinor: 3000, amount: '30.00' },
        { currency: 'USD', amountMinor: 1000, amount: '10.00' },
      ],
      supplies: [{ item: 'Rice', unit: 'kg', quantity: 5 }],
      advocacy: { confirmed: 1, selfReported: 1 },
      confirmedCommitments: 7,
      allies: 3,
      returningAllies: 2,
    });
    expect(body.closedAsks).toHaveLength(1);
    expect(body.closedAsks[0]).toMatchObject({ id: asks.shift, title: 'Sort the pantry', outcome: 'We sorted two tonnes of food.', totals: { minutes: 270, allies: 2, confirmedCommitments: 2, money: [] } });
    expect(JSON.stringify(body)).not.toContain('Ana Ally');
  });

  it('shows the ledger page with formatted money, the self-reported label and the outcome, in Spanish too', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/c/ledger-crew/ledger' });
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('4.5 hours');
    expect(html).toContain('€30.00');
    expect(html).toContain('$10.00');
    expect(html).toContain('Rice: 5 kg');
    expect(html).toContain('1 reported by the ally themselves (self-reported, not confirmed)');
    expect(html).toContain('1 confirmed by the community');
    expect(html).toContain('3 allies with confirmed work');
    expect(html).toContain('2 came back for another ask');
    expect(html).toContain('We sorted two tonnes of food.');
    expect(html).not.toContain('Ana Ally');
    const es = await t.app.inject({ method: 'GET', url: '/c/ledger-crew/ledger', headers: { 'accept-language': 'es' } });
    expect(es.body).toContain('4,5 horas');
    expect(es.body).toMatch(/30,00\s€/);
  });

  it('writes the ledger as CSV: no names for the public, names for organizers, quoting and formulas defused', async () => {
    const pub = await t.app.inject({ method: 'GET', url: '/c/ledger-crew/ledger.csv' });
    expect(pub.statusCode).toBe(200);
    expect(pub.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(pub.body.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(pub.body);
    expect(rows[0]).toEqual(['date', 'ask', 'kind', 'hours', 'amount', 'currency', 'quantity', 'item', 'state', 'self_reported']);
    expect(rows).toHaveLength(1 + 8);
    expect(pub.body).toContain('"Rent, ""fund"""');
    expect(pub.body).not.toContain('=1+2');
    expect(rows.filter((r) => r[9] === 'true')).toEqual([[expect.any(String), 'Call the council', 'advocacy', '', '', '', '', '', 'done', 'true']]);
    expect(rows.find((r) => r[1] === 'Sort the pantry' && r[8] === 'partly_done')).toEqual(['2026-01-05', 'Sort the pantry', 'shift', '1.5', '', '', '', '', 'partly_done', 'false']);
    expect(rows.filter((r) => ['pledged', 'waitlisted', 'withdrawn', 'withdrawn_late', 'missed'].includes(r[8]!))).toEqual([]);

    const organizer = await client('organizer');
    const org = await organizer.get('/c/ledger-crew/ledger.csv');
    const orgRows = parseCsv(org.body);
    expect(orgRows[0]!.at(-1)).toBe('ally');
    expect(orgRows.map((r) => r.at(-1))).toContain('Ana Ally');
    expect(orgRows.map((r) => r.at(-1))).toContain("'=1+2");
    expect(orgRows.find((r) => r[1] === 'Rent, "fund"' && r.at(-1) === "'=1+2")).toEqual([expect.any(String), 'Rent, "fund"', 'money', '', '5.00', 'EUR', '', '', 'done', 'false', "'=1+2"]);
    // A member reads the public file: names stay with organizers.
    const member = await client('member');
    expect(parseCsv((await member.get('/c/ledger-crew/ledger.csv')).body)[0]).not.toContain('ally');
  });

  it('hides a members-only ledger from everyone but members and organizers (404), page, CSV and API alike', async () => {
    await t.db.kysely.updateTable('communities').set({ ledger_visibility: 'members' }).where('id', '=', communityId).execute();
    try {
      const visitors: Array<[string, TestClient | undefined, number]> = [
        ['anonymous', undefined, 404],
        ['follower', await client('follower'), 404],
        ['outsider', await client('outsider'), 404],
        ['blocked', await client('blocked'), 404],
        ['member', await client('member'), 200],
        ['organizer', await client('organizer'), 200],
      ];
      for (const [who, c, status] of visitors) {
        for (const url of ['/c/ledger-crew/ledger', '/c/ledger-crew/ledger.csv', '/api/v1/communities/ledger-crew/ledger']) {
          const res = c ? await c.get(url) : await t.app.inject({ method: 'GET', url });
          expect(res.statusCode, `${who} ${url}`).toBe(status);
        }
      }
    } finally {
      await t.db.kysely.updateTable('communities').set({ ledger_visibility: 'public' }).where('id', '=', communityId).execute();
    }
    // A blocked person sees no public ledger either.
    expect((await (await client('blocked')).get('/c/ledger-crew/ledger')).statusCode).toBe(404);
  });

  it('gives organizers an ask’s attendance sheet with every commitment, and nobody else', async () => {
    const organizer = await client('organizer');
    const res = await organizer.get(`/asks/${asks.shift}/attendance.csv`);
    expect(res.statusCode).toBe(200);
    const rows = parseCsv(res.body);
    expect(rows[0]!.slice(0, 4)).toEqual(['ally', 'window_start', 'window_end', 'state']);
    expect(rows.slice(1).map((r) => r[3]).sort()).toEqual(['done', 'missed', 'partly_done', 'pledged', 'waitlisted', 'withdrawn', 'withdrawn_late']);
    expect(rows.find((r) => r[0] === 'Bo Ally')).toMatchObject({ 1: '2026-01-05T09:00:00.000Z', 2: '2026-01-05T12:00:00.000Z', 3: 'partly_done', 4: '3', 9: '1.5' });
    expect(rows.map((r) => r[0])).toContain("'=1+2");
    expect((await (await client('ally1')).get(`/asks/${asks.event}/attendance.csv`)).statusCode).toBe(403);
    expect((await (await client('blocked')).get(`/asks/${asks.event}/attendance.csv`)).statusCode).toBe(404);
    const anonymous = await t.app.inject({ method: 'GET', url: `/asks/${asks.event}/attendance.csv` });
    expect(anonymous.statusCode).toBe(303);
    expect(String(anonymous.headers.location)).toMatch(/^\/login/);
  });

  it('publishes the community’s open shifts (one event per window) and events as iCal, with the public area only', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/c/ledger-crew/calendar.ics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(res.body.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(res.body).not.toContain('number 12');
    const events = icsEvents(res.body);
    expect(events.map((e) => e.UID).sort()).toEqual([`ask-${asks.event}@localhost`, ...openWindows.map((w) => `window-${w}@localhost`)].sort());
    const event = events.find((e) => e.UID === `ask-${asks.event}@localhost`)!;
    expect(event.SUMMARY).toBe('Listening session; tea, cake');
    expect(res.body).toContain('SUMMARY:Listening session\\; tea\\, cake');
    expect(event.LOCATION).toBe('Eastside, Springfield');
    expect(event.DTSTART).toMatch(/^\d{8}T\d{6}Z$/);
    expect(event.DTSTAMP).toMatch(/^\d{8}T\d{6}Z$/);
    expect(events.find((e) => e.UID === `window-${openWindows[0]}@localhost`)!.LOCATION).toBe('Online · Eastside, Springfield');
    expect(res.body).not.toContain('Secret planning');
    expect(res.body).not.toContain('Sort the pantry');
    // Stable ids: a second fetch names the same events.
    expect(icsEvents((await t.app.inject({ method: 'GET', url: '/c/ledger-crew/calendar.ics' })).body).map((e) => e.UID)).toEqual(events.map((e) => e.UID));
    // The organizer's feed lists the same (drafts stay out), and the blocked person gets nothing.
    expect((await (await client('organizer')).get('/c/ledger-crew/calendar.ics')).body).not.toContain('Secret planning');
    expect((await (await client('blocked')).get('/c/ledger-crew/calendar.ics')).statusCode).toBe(404);
  });

  it('publishes one ask’s calendar to whoever may see the ask', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/asks/${asks.openShift}/calendar.ics` });
    expect(res.statusCode).toBe(200);
    expect(icsEvents(res.body).map((e) => e.UID)).toEqual(openWindows.map((w) => `window-${w}@localhost`));
    expect(res.body).not.toContain('number 12');
    expect((await t.app.inject({ method: 'GET', url: `/asks/${asks.draft}/calendar.ics` })).statusCode).toBe(404);
    expect((await (await client('organizer')).get(`/asks/${asks.draft}/calendar.ics`)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/asks/not-an-id/calendar.ics' })).statusCode).toBe(404);
  });

  async function feedOf(c: TestClient): Promise<string> {
    await c.get('/account/calendar');
    const res = await c.post('/account/calendar/reset');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    const m = /value="http:\/\/localhost[^"]*(\/calendar\/[A-Za-z0-9_-]{43}\.ics)"/.exec(res.body);
    expect(m, res.body.slice(0, 2000)).not.toBeNull();
    return m![1]!;
  }

  it('serves the ally’s private feed at a secret address; the sensitive place only where they hold a place; reset and turning off end it', async () => {
    const bo = await client('ally2');
    expect((await bo.get('/account/calendar')).body).toContain('You have no calendar feed.');
    const first = await feedOf(bo);
    const feed = await t.app.inject({ method: 'GET', url: first });
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const events = icsEvents(feed.body);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ SUMMARY: 'Listening session; tea, cake', STATUS: 'CONFIRMED', LOCATION: `${SECRET_PLACE} (Eastside, Springfield)` });
    const [row] = await t.db.kysely.selectFrom('calendar_feeds').select('token_hash').where('user_id', '=', ids.ally2).execute();
    expect(row!.token_hash).not.toContain(first.slice(10, 53));

    // The page never shows the address again.
    const page = await bo.get('/account/calendar');
    expect(page.body).not.toContain(first);

    const cy = await client('ally3');
    const waitlisted = icsEvents((await t.app.inject({ method: 'GET', url: await feedOf(cy) })).body);
    expect(waitlisted).toHaveLength(1);
    expect(waitlisted[0]).toMatchObject({ STATUS: 'TENTATIVE', LOCATION: 'Eastside, Springfield', SUMMARY: 'Listening session; tea, cake (waitlist)' });

    const second = await feedOf(bo);
    expect(second).not.toBe(first);
    expect((await t.app.inject({ method: 'GET', url: first })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: second })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/calendar/${'A'.repeat(43)}.ics` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/calendar/short.ics' })).statusCode).toBe(404);

    // Blocked by the community after committing: its events leave the feed.
    await t.db.kysely.insertInto('community_blocks').values({ community_id: communityId, user_id: ids.ally2 }).execute();
    expect(icsEvents((await t.app.inject({ method: 'GET', url: second })).body)).toEqual([]);
    await t.db.kysely.deleteFrom('community_blocks').where('user_id', '=', ids.ally2).execute();

    await bo.get('/account/calendar');
    const off = await bo.post('/account/calendar/delete');
    expect(off.statusCode).toBe(303);
    expect((await t.app.inject({ method: 'GET', url: second })).statusCode).toBe(404);
    const audits = await t.db.kysely.selectFrom('audit_log').select(['action', 'details']).where('actor_id', '=', ids.ally2).where('action', 'like', 'calendar.%').execute();
    expect(audits.map((a) => a.action).sort()).toEqual(['calendar.feed_deleted', 'calendar.feed_reset', 'calendar.feed_reset']);
    expect(JSON.stringify(audits)).not.toContain(second.slice(10, 53));
  });

  it('refuses unknown fields on the feed forms and sends signed-out people to sign in', async () => {
    const bo = await client('ally2');
    await bo.get('/account/calendar');
    expect((await bo.post('/account/calendar/reset', { extra: 'x' })).statusCode).toBe(400);
    const anonymous = await t.app.inject({ method: 'GET', url: '/account/calendar' });
    expect(anonymous.statusCode).toBe(303);
  });
});
