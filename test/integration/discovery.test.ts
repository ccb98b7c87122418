import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, upsertUser } from '../../src/modules/accounts/index.js';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { findPlaces } from '../../src/modules/profile/index.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const PASSWORD = 'a long enough password';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const SECRET_PLACE = 'Calle Escondida 12, portal trasero';

interface ApiAsk {
  id: string;
  title: string;
  kind: string;
  distanceKm: number | null;
  online: boolean;
  community: { slug: string; name: string };
  places: { total: number; taken: number; free: number } | null;
  reasons?: Array<{ code: string; text: string }>;
}

function place(name: string) {
  const match = findPlaces(name);
  if (match.kind !== 'one') throw new Error(`${name} is not one place`);
  return { id: match.place.id, label: `${match.place.name}, ${match.place.country}`, lat: Math.round(match.place.lat * 100) / 100, lon: Math.round(match.place.lon * 100) / 100 };
}

/** The next given weekday (0 = Sunday) at the hour, in UTC, at least two days ahead. */
function nextWeekday(weekday: number, hour: number): Date {
  const d = new Date(Date.now() + 2 * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  while (d.getUTCDay() !== weekday) d.setTime(d.getTime() + DAY);
  return d;
}

describe.each(engines())('discovery on %s', (engine) => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const emails: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const asks: Record<string, string> = {};
  const communities: Record<string, string> = {};
  const madrid = place('Madrid, ES');
  const barcelona = place('Barcelona, ES');
  const getafe = place('Getafe, ES');

  async function client(name: string): Promise<TestClient> {
    const c = new TestClient(t.app);
    expect((await c.logIn(emails[name]!, PASSWORD)).statusCode).toBe(303);
    return c;
  }

  async function api(url: string, who?: string) {
    const res = await t.app.inject({ method: 'GET', url, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
    return res;
  }

  async function searchTitles(params: string, who?: string): Promise<string[]> {
    const res = await api(`/api/v1/search/asks?${params}`, who);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { asks: ApiAsk[] }).asks.map((a) => a.title).sort();
  }

  async function community(slug: string, values: Record<string, unknown> = {}): Promise<string> {
    const row = await t.db.kysely
      .insertInto('communities')
      .values({ slug, name: `Community ${slug}`, mission: 'Mutual aid.', status: 'verified', online: false, area_place_id: madrid.id, area_label: madrid.label, area_lat: madrid.lat, area_lon: madrid.lon, ...values } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    communities[slug] = row.id;
    await t.db.kysely.insertInto('memberships').values({ community_id: row.id, user_id: ids.organizer!, role: 'organizer' }).execute();
    return row.id;
  }

  async function ask(key: string, communitySlug: string, values: Record<string, unknown> = {}, windows: Array<{ start: Date; slots: number }> = []): Promise<string> {
    const at = values.place as ReturnType<typeof place> | undefined;
    const where = at ?? madrid;
    delete values.place;
    const row = await t.db.kysely
      .insertInto('asks')
      .values({
        community_id: communities[communitySlug]!,
        kind: 'skill',
        title: key,
        description: '',
        language: 'en',
        status: 'open',
        online: false,
        area_place_id: where.id,
        area_label: where.label,
        area_lat: where.lat,
        area_lon: where.lon,
        published_at: sql<Date>`now()`,
        time_zone: 'Europe/Madrid',
        ...values,
      } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const w of windows) {
      await t.db.kysely.insertInto('ask_windows').values({ ask_id: row.id, starts_at: w.start, ends_at: new Date(w.start.getTime() + 3 * HOUR), slots: w.slots }).execute();
    }
    await t.db.kysely
      .updateTable('asks')
      .set({
        first_starts_at: sql<Date>`coalesce((select min(starts_at) from ask_windows where ask_id = asks.id), asks.starts_at)`,
        last_ends_at: sql<Date>`coalesce((select max(ends_at) from ask_windows where ask_id = asks.id), asks.ends_at, asks.starts_at)`,
      })
      .where('id', '=', row.id)
      .execute();
    asks[key] = row.id;
    return row.id;
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    const hash = await hashPassword(PASSWORD);
    for (const name of ['organizer', 'ally', 'blocked', 'resting', 'newcomer', 'helper']) {
      emails[name] = `discovery-${name}-${engine}@example.test`;
      ids[name] = await upsertUser(t.db.kysely, { email: emails[name], emailNormalized: emails[name], displayName: name, passwordHash: hash, role: 'user', verified: true });
      tokens[name] = (await createApiToken(t.db, { userId: ids[name], name: 'test', scope: 'read', requestId: 'test' })).token;
    }
    // The ally lives in Madrid, travels 30 km, speaks Spanish, cooks and is free on Saturday mornings.
    for (const name of ['ally', 'blocked', 'resting']) {
      await t.db.kysely
        .updateTable('users')
        .set({ home_place_id: madrid.id, home_area: madrid.label, home_lat: madrid.lat, home_lon: madrid.lon, travel_radius_km: 30, rest_mode: name === 'resting' })
        .where('id', '=', ids[name]!)
        .execute();
      await t.db.kysely.insertInto('user_languages').values({ user_id: ids[name]!, language: 'es' }).execute();
      await t.db.kysely.insertInto('user_skills').values({ user_id: ids[name]!, skill: 'cooking' }).execute();
      await t.db.kysely.insertInto('user_availability').values({ user_id: ids[name]!, weekday: 5, part: 'morning' }).execute();
    }

    await community('comedor', { name: 'Comedor del barrio' });
    await community('big', { name: 'Big food bank', last_confirmed_at: new Date() });
    for (const n of [1, 2, 3, 4]) await community(`small-${n}`, { name: `Small group ${n}`, last_confirmed_at: new Date() });
    await community('closed-door');
    await community('pending', { status: 'pending' });
    await community('faraway', { area_place_id: barcelona.id, area_label: barcelona.label, area_lat: barcelona.lat, area_lon: barcelona.lon });
    await t.db.kysely.insertInto('community_blocks').values({ community_id: communities['closed-door']!, user_id: ids.blocked! }).execute();
    await t.db.kysely.insertInto('community_tags').values({ community_id: communities.comedor!, kind: 'serves', tag: 'Familias migrantes' }).execute();

    const saturday = nextWeekday(6, 9);
    await ask('Cocinamos para las familias del barrio', 'comedor', { kind: 'shift', language: 'es', description: 'Preparamos comidas calientes.' }, [{ start: saturday, slots: 4 }]);
    await t.db.kysely.insertInto('ask_skills').values({ ask_id: asks['Cocinamos para las familias del barrio']!, skill: 'cooking' }).execute();
    await ask('Cooking hot meals for families', 'comedor', { kind: 'shift', description: 'We cook for the neighbourhood.' }, [{ start: new Date(saturday.getTime() + 7 * DAY), slots: 3 }]);
    await ask('Drive boxes to Getafe', 'comedor', { place: getafe, kind: 'shift', location_sensitive: true, location_detail: SECRET_PLACE }, [{ start: new Date(Date.now() + 10 * DAY), slots: 2 }]);
    await ask('Rent fund for the shelter', 'comedor', { kind: 'money', money_goal_minor: 100000, currency: 'EUR' });
    await ask('Translate our leaflet online', 'comedor', { online: true, area_place_id: null, area_label: null, area_lat: null, area_lon: null, language: 'es', description: 'Traducir un folleto.' });
    await ask('Paint the Barcelona hall', 'faraway', { place: barcelona });
    await ask('Draft cooking plan', 'comedor', { status: 'draft', published_at: null });
    await ask('Paused cooking class', 'comedor', { status: 'paused' });
    await ask('Closed cooking day', 'comedor', { status: 'closed', closed_at: new Date(), outcome_note: 'Done.' });
    await ask('Pending cooking club', 'pending');
    await ask('Behind the closed door cooking', 'closed-door');
    await ask('Expired cooking shift', 'comedor', { kind: 'shift' }, [{ start: new Date(Date.now() + 2 * DAY), slots: 1 }]);
    await t.db.kysely.updateTable('asks').set({ last_ends_at: new Date(Date.now() - HOUR) }).where('id', '=', asks['Expired cooking shift']!).execute();

    // A big community with a dozen asks that fit the ally perfectly, and four small ones with one each.
    for (let n = 1; n <= 12; n++) {
      await ask(`Big ask ${n}`, 'big', { kind: 'shift', priority: 'urgent', language: 'es' }, [{ start: new Date(saturday.getTime() + n * HOUR), slots: 10 }]);
      await t.db.kysely.insertInto('ask_skills').values({ ask_id: asks[`Big ask ${n}`]!, skill: 'cooking' }).execute();
    }
    for (const n of [1, 2, 3, 4]) await ask(`Small ask ${n}`, `small-${n}`, { kind: 'skill', description: 'Help with paperwork.' });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('finds asks by words in their own language: Spanish stems, English stems', async () => {
    expect(await searchTitles('q=cocinar')).toEqual(['Cocinamos para las familias del barrio']);
    expect(await searchTitles('q=comida')).toEqual(['Cocinamos para las familias del barrio']);
    expect(await searchTitles('q=cooks')).toEqual(['Behind the closed door cooking', 'Cooking hot meals for families']);
    expect(await searchTitles('q=traducir')).toEqual(['Translate our leaflet online']);
    // Phrases and exclusions as people type them in search boxes.
    expect(await searchTitles(`q=${encodeURIComponent('"hot meals" -rent')}`)).toEqual(['Cooking hot meals for families']);
    // Stems meet across the two languages where the words share a root.
    expect(await searchTitles('q=families')).toEqual(['Cocinamos para las familias del barrio', 'Cooking hot meals for families']);
  });

  it('never shows drafts, paused, closed or past asks, pending communities, or what a community hides from someone it blocked', async () => {
    const all = await searchTitles('q=cooking&limit=50');
    expect(all).toEqual(['Behind the closed door cooking', 'Cooking hot meals for families']);
    expect(await searchTitles('q=cooking&limit=50', 'blocked')).toEqual(['Cooking hot meals for families']);
    const page = await (await client('blocked')).get('/search?q=cooking');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Behind the closed door');
  });

  it('never matches or shows the exact place of a sensitive ask, and rounds its distance coarsely', async () => {
    expect(await searchTitles('q=Escondida')).toEqual([]);
    const res = await api(`/api/v1/search/asks?near=Madrid&within=50&online=exclude&kind=shift&sort=distance`);
    expect(res.body).not.toContain('Escondida');
    const drive = (res.json() as { asks: ApiAsk[] }).asks.find((a) => a.title === 'Drive boxes to Getafe')!;
    expect(drive.distanceKm! % 5).toBe(0);
    const html = await new TestClient(t.app).get('/search?near=Madrid&within=50&q=boxes');
    expect(html.body).toContain('Drive boxes to Getafe');
    expect(html.body).not.toContain('Escondida');
  });

  it('filters by distance from a place of the shipped list: asks in person there; online asks apart', async () => {
    const near = await searchTitles('near=Madrid&within=25&limit=50');
    expect(near).toContain('Cocinamos para las familias del barrio');
    expect(near).not.toContain('Translate our leaflet online');
    expect(await searchTitles('near=Madrid&within=25&online=only')).toEqual(['Translate our leaflet online']);
    expect(near).not.toContain('Paint the Barcelona hall');
    expect(await searchTitles('near=Barcelona%2C%20ES&within=10&online=exclude')).toEqual(['Paint the Barcelona hall']);
    expect(await searchTitles('online=only')).toEqual(['Translate our leaflet online']);
    // The results near a place link the same search among online asks.
    const page = await new TestClient(t.app).get('/search?q=leaflet&near=Madrid&within=25');
    const online = /<a href="(\/search\?[^"]*online=only[^"]*)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
    expect(online).toBeDefined();
    expect(online).not.toContain('near=');
    expect((await new TestClient(t.app).get(online!)).body).toContain('Translate our leaflet online');
    const sorted = (await api('/api/v1/search/asks?near=Madrid&within=600&sort=distance&limit=50')).json() as { asks: ApiAsk[] };
    const distances = sorted.asks.map((a) => a.distanceKm!);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(sorted.asks.at(-1)!.title).toBe('Paint the Barcelona hall');
    expect(distances.at(-1)).toBeGreaterThan(450);
    expect(distances.at(-1)).toBeLessThan(550);
    expect(distances.every((d) => Number.isInteger(d))).toBe(true);
  });

  it('filters by kind, skill, language, community tag and dates', async () => {
    expect(await searchTitles('kind=money')).toEqual(['Rent fund for the shelter']);
    expect(await searchTitles('kind=money&kind=shift&q=families&language=en')).toEqual(['Cooking hot meals for families']);
    expect(await searchTitles('skill=cooking&language=es&limit=50')).toEqual(expect.arrayContaining(['Cocinamos para las familias del barrio', 'Big ask 1']));
    expect(await searchTitles('skill=cooking&language=en')).toEqual([]);
    expect(await searchTitles('tag=familias%20migrantes&kind=money')).toEqual(['Rent fund for the shelter']);
    const saturday = nextWeekday(6, 9).toISOString().slice(0, 10);
    const dated = await searchTitles(`from=${saturday}&to=${saturday}&limit=50&q=cocinar`);
    expect(dated).toEqual(['Cocinamos para las familias del barrio']);
    const later = new Date(nextWeekday(6, 9).getTime() + 7 * DAY).toISOString().slice(0, 10);
    expect(await searchTitles(`from=${later}&to=${later}&q=cooking`)).toEqual(['Cooking hot meals for families']);
  });

  it('pages with keyset cursors in every order, each result exactly once', async () => {
    for (const params of ['sort=date', 'q=ask&sort=relevance', 'near=Madrid&within=500&sort=distance', 'near=Madrid&within=500&sort=date']) {
      const everything = await searchTitles(`${params}&limit=50`);
      const seen: string[] = [];
      let url: string | null = `/api/v1/search/asks?${params}&limit=3`;
      let pages = 0;
      while (url) {
        const res = await api(url);
        expect(res.statusCode, res.body).toBe(200);
        const body = res.json() as { asks: ApiAsk[]; next: string | null };
        seen.push(...body.asks.map((a) => a.title));
        url = body.next;
        pages += 1;
        expect(pages).toBeLessThan(30);
      }
      expect(seen.length, params).toBe(new Set(seen).size);
      expect([...seen].sort(), params).toEqual(everything);
    }
  });

  it('keeps the search in the address: the HTML page works without JavaScript and links the next page', async () => {
    const c = new TestClient(t.app);
    const empty = await c.get('/search');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('role="search"');
    expect(empty.body).not.toContain('id="results-title"');
    const first = await c.get('/search?near=Madrid&within=25&sort=date');
    expect(first.statusCode).toBe(200);
    const next = /<a href="([^"]+)" rel="next"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toMatch(/^\/search\?.*cursor=/);
    expect(first.headers.link).toBe(`<${next}>; rel="next"`);
    expect(next).toContain('near=Madrid');
    const second = await c.get(next!);
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('rel="prev"');
    const spanish = await c.get('/search?q=cocinar', { 'accept-language': 'es' });
    expect(spanish.body).toContain('Resultados');
  });

  it('refuses bad input with a message next to the field (422), and problem+json in the API', async () => {
    const c = new TestClient(t.app);
    const bad = await c.get('/search?from=2026-02-30&near=Madrid&within=9999');
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('id="field-from-error"');
    expect(bad.body).toContain('id="field-within-error"');
    expect(bad.body).toContain('value="Madrid"');
    const ambiguous = await c.get('/search?near=Springfield');
    expect(ambiguous.statusCode).toBe(422);
    expect(ambiguous.body).toContain('Several places have this name');
    expect(ambiguous.body).toMatch(/href="\/search\?near=Springfield&amp;place=\d+"/);
    const postal = await c.get('/search?near=28001');
    expect(postal.statusCode).toBe(422);
    expect(postal.body).toContain('Postal codes');
    for (const [params, pointer] of [['sort=distance', '/sort'], ['color=red', '/color'], ['within=0&near=Madrid', '/within'], ['kind=party', '/kind']] as const) {
      const api422 = await api(`/api/v1/search/asks?${params}`);
      expect(api422.statusCode, params).toBe(422);
      expect(api422.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((api422.json() as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer)).toEqual([pointer]);
    }
    // A cursor this server did not make is a bad request, under the current name and the previous release's.
    for (const name of ['cursor', 'after']) {
      const cursor = await api(`/api/v1/search/asks?${name}=bm90LWEtY3Vyc29y`);
      expect(cursor.statusCode, name).toBe(400);
      expect((cursor.json() as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer)).toEqual(['/cursor']);
    }
  });

  it('ranks the feed for the ally, explains each item, and lets small communities onto the first page', async () => {
    const res = await api('/api/v1/me/feed', 'ally');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { asks: ApiAsk[]; pages: number; restMode: boolean };
    expect(body.restMode).toBe(false);
    const titles = body.asks.map((a) => a.title);
    expect(titles).not.toContain('Paint the Barcelona hall');
    expect(titles).not.toContain('Draft cooking plan');
    expect(titles).not.toContain('Pending cooking club');
    // Twelve urgent, perfectly fitting asks of one big community: it still takes at most five places on page one.
    const perCommunity = new Map<string, number>();
    for (const a of body.asks) perCommunity.set(a.community.slug, (perCommunity.get(a.community.slug) ?? 0) + 1);
    expect(perCommunity.get('big')).toBe(5);
    for (const n of [1, 2, 3, 4]) expect(titles).toContain(`Small ask ${n}`);
    // The Spanish cooking shift on a Saturday morning fits on every count, and says so.
    const cocina = body.asks.find((a) => a.title === 'Cocinamos para las familias del barrio')!;
    const codes = cocina.reasons!.map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['skills', 'language', 'near', 'available', 'places', 'quietCommunity']));
    expect(cocina.reasons!.find((r) => r.code === 'skills')!.text).toBe('It needs skills you listed: Cooking.');
    // A later page carries on where the first stopped; nothing appears twice.
    const all = [...titles];
    for (let page = 2; page <= body.pages; page++) {
      const next = (await api(`/api/v1/me/feed?page=${page}`, 'ally')).json() as { asks: ApiAsk[] };
      all.push(...next.asks.map((a) => a.title));
    }
    expect(all.length).toBe(new Set(all).size);
    expect(all).toContain('Big ask 12');
    expect(all).toContain('Behind the closed door cooking');
  });

  it('shows the feed as a page with "Why am I seeing this?" in the ally\'s language, without what blocked them', async () => {
    const c = await client('blocked');
    const page = await c.get('/feed');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Why am I seeing this?');
    expect(page.body).toContain('<details class="why">');
    expect(page.body).not.toContain('Behind the closed door');
    const es = await c.get('/feed', { 'accept-language': 'es' });
    expect(es.body).toContain('¿Por qué veo esto?');
    expect(es.body).toContain('Necesita habilidades que indicaste: Cocina.');
    expect((await c.get('/feed?page=0')).statusCode).toBe(400);
    expect((await c.get('/feed?page=abc')).statusCode).toBe(400);
  });

  it('tells a newcomer with an empty profile what to add, and shows them online asks', async () => {
    const res = await api('/api/v1/me/feed', 'newcomer');
    const body = res.json() as { asks: ApiAsk[]; hints: string[] };
    expect(body.hints).toEqual(['home', 'skills', 'languages', 'availability']);
    expect(body.asks.map((a) => a.title)).toEqual(['Translate our leaflet online']);
  });

  it('replaces the feed with a calm page in rest mode, and offers a way back', async () => {
    const api1 = (await api('/api/v1/me/feed', 'resting')).json() as { restMode: boolean; asks: unknown[] };
    expect(api1).toMatchObject({ restMode: true, asks: [] });
    const c = await client('resting');
    const page = await c.get('/feed');
    expect(page.body).toContain('You are resting');
    expect(page.body).not.toContain('Why am I seeing this?');
    const resumed = await c.post('/feed/resume');
    expect(resumed.statusCode).toBe(303);
    expect(resumed.headers.location).toBe('/feed');
    const after = await c.get('/feed');
    expect(after.body).toContain('Why am I seeing this?');
    const row = await t.db.kysely.selectFrom('users').select('rest_mode').where('id', '=', ids.resting!).executeTakeFirstOrThrow();
    expect(row.rest_mode).toBe(false);
  });

  it('speaks of items and money in their own terms, and never offers organizers their own communities\' asks', async () => {
    const body = (await api('/api/v1/me/feed', 'ally')).json() as { asks: ApiAsk[]; pages: number };
    let all = [...body.asks];
    for (let page = 2; page <= body.pages; page++) all = all.concat(((await api(`/api/v1/me/feed?page=${page}`, 'ally')).json() as { asks: ApiAsk[] }).asks);
    const rent = all.find((a) => a.title === 'Rent fund for the shelter')!;
    expect(rent.reasons!.find((r) => r.code === 'places')).toMatchObject({ unit: 'money', text: '100% of the goal is still to be raised.' });
    await t.db.kysely
      .updateTable('users')
      .set({ home_place_id: madrid.id, home_area: madrid.label, home_lat: madrid.lat, home_lon: madrid.lon, travel_radius_km: 30 })
      .where('id', '=', ids.organizer!)
      .execute();
    const own = (await api('/api/v1/me/feed', 'organizer')).json() as { asks: ApiAsk[] };
    expect(own.asks).toEqual([]);
  });

  it('does not suggest again what the ally already committed to', async () => {
    const before = ((await api('/api/v1/me/feed', 'blocked')).json() as { asks: ApiAsk[] }).asks.map((a) => a.title);
    expect(before).toContain('Small ask 1');
    await t.db.kysely.insertInto('commitments').values({ ask_id: asks['Small ask 1']!, user_id: ids.blocked!, state: 'pledged' }).execute();
    const after = ((await api('/api/v1/me/feed', 'blocked')).json() as { asks: ApiAsk[] }).asks.map((a) => a.title);
    expect(after).not.toContain('Small ask 1');
    expect(await searchTitles('q=paperwork&kind=skill&limit=50', 'blocked')).toContain('Small ask 1');
  });

  it('asks people to sign in for the feed', async () => {
    const page = await new TestClient(t.app).get('/feed');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2Ffeed');
    expect((await api('/api/v1/me/feed')).statusCode).toBe(401);
  });

  it('lifts a community nobody helped lately once its support is confirmed elsewhere, by the real confirm path', async () => {
    // The comedor has had no confirmed help: its asks carry the lift. Confirm a commitment through the app.
    const before = (await api('/api/v1/me/feed', 'ally')).json() as { asks: ApiAsk[] };
    const cocina = before.asks.find((a) => a.title === 'Cocinamos para las familias del barrio')!;
    expect(cocina.reasons!.some((r) => r.code === 'quietCommunity')).toBe(true);
    const window = await t.db.kysely.selectFrom('ask_windows').select('id').where('ask_id', '=', asks['Cocinamos para las familias del barrio']!).executeTakeFirstOrThrow();
    const commitment = await t.db.kysely
      .insertInto('commitments')
      .values({ ask_id: asks['Cocinamos para las familias del barrio']!, window_id: window.id, user_id: ids.helper!, state: 'pledged', planned_minutes: 180 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const organizer = await client('organizer');
    await organizer.get(`/commitments/${commitment.id}`);
    const confirmed = await organizer.post(`/commitments/${commitment.id}/confirm`, { outcome: 'done' });
    expect(confirmed.statusCode, confirmed.body.slice(0, 500)).toBe(303);
    const after = (await api('/api/v1/me/feed', 'ally')).json() as { asks: ApiAsk[] };
    const again = after.asks.find((a) => a.title === 'Cocinamos para las familias del barrio')!;
    expect(again.reasons!.some((r) => r.code === 'quietCommunity')).toBe(false);
  });
});
