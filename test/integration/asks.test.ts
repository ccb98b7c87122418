import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { hashPassword, upsertUser, type Role } from '../../src/modules/accounts/index.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const PASSWORD = 'a long enough password';
let counter = 0;

interface Person {
  id: string;
  email: string;
  token: string;
}

async function createPerson(t: TestApp, name: string, role: Role = 'user'): Promise<Person> {
  counter += 1;
  const email = `asks${counter}-${Date.now()}@example.test`;
  const id = await upsertUser(t.db.kysely, { email, emailNormalized: email, displayName: name, passwordHash: await hashPassword(PASSWORD), role, verified: true });
  const { token } = await createApiToken(t.db, { userId: id, name: 'asks test', scope: 'write', requestId: 'asks-test' });
  return { id, email, token };
}

/** A community inserted directly (the communities pages are built elsewhere), with people in their roles. */
async function createCommunity(
  t: TestApp,
  slug: string,
  options: { status?: 'pending' | 'verified'; kind?: 'community' | 'supporter_group'; roles?: Array<[Person, 'organizer' | 'member' | 'ally']>; blocked?: Person[] } = {},
): Promise<string> {
  const row = await t.db.kysely
    .insertInto('communities')
    .values({ slug, name: `Community ${slug}`, mission: 'Mutual aid.', kind: options.kind ?? 'community', status: options.status ?? 'verified', online: true })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [person, role] of options.roles ?? []) await t.db.kysely.insertInto('memberships').values({ community_id: row.id, user_id: person.id, role }).execute();
  for (const person of options.blocked ?? []) await t.db.kysely.insertInto('community_blocks').values({ community_id: row.id, user_id: person.id }).execute();
  return row.id;
}

async function client(t: TestApp, person?: Person): Promise<TestClient> {
  const c = new TestClient(t.app);
  if (person) expect((await c.logIn(person.email, PASSWORD)).statusCode).toBe(303);
  return c;
}

/** A datetime-local value some days ahead, in UTC. */
function ahead(days: number, hour = 10): string {
  const d = new Date(Date.now() + days * 86400000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString().slice(0, 16);
}

const BASE = { title: 'Help at the pantry', description: 'Bring **gloves**.', language: 'en', priority: 'normal', online: 'on', withdrawalCutoffHours: '24' };

const BY_KIND: Record<string, Record<string, string>> = {
  shift: { kind: 'shift', window0Start: ahead(3, 9), window0End: ahead(3, 12), window0Slots: '4', window1Start: ahead(4, 9), window1End: ahead(4, 12), window1Slots: '2' },
  skill: { kind: 'skill', deliverable: 'A one-page flyer', estimatedHours: '6' },
  supplies: { kind: 'supplies', item0Label: 'Rice', item0Quantity: '20', item0Unit: 'kg', item1Label: 'Blankets', item1Quantity: '12' },
  money: { kind: 'money', moneyGoal: '1250.50', currency: 'EUR' },
  advocacy: { kind: 'advocacy', advocacyScript: 'Please keep the clinic open.', advocacyTarget: 'City council' },
  attend: { kind: 'attend', startsAt: ahead(7, 18), endsAt: ahead(7, 20), capacity: '40' },
};

function askId(res: LightMyRequestResponse): string {
  expect(res.statusCode, res.body.slice(0, 2000)).toBe(303);
  const m = /^\/asks\/([0-9a-f-]{36})$/.exec(String(res.headers.location));
  expect(m).not.toBeNull();
  return m![1]!;
}

describe.each(engines())('asks on %s', (engine) => {
  let t: TestApp;
  const p = {} as Record<'organizer' | 'member' | 'ally' | 'otherOrganizer' | 'moderator' | 'blocked' | 'stranger' | 'pendingOrganizer' | 'supporterOrganizer', Person>;
  let org: TestClient;

  beforeAll(async () => {
    t = await createTestApp(engine);
    for (const name of ['organizer', 'member', 'ally', 'otherOrganizer', 'blocked', 'stranger', 'pendingOrganizer', 'supporterOrganizer'] as const) p[name] = await createPerson(t, name);
    p.moderator = await createPerson(t, 'moderator', 'moderator');
    await createCommunity(t, 'river-tenants', { roles: [[p.organizer, 'organizer'], [p.member, 'member'], [p.ally, 'ally']], blocked: [p.blocked] });
    await createCommunity(t, 'hill-collective', { roles: [[p.otherOrganizer, 'organizer']] });
    await createCommunity(t, 'pending-group', { status: 'pending', roles: [[p.pendingOrganizer, 'organizer']] });
    await createCommunity(t, 'supporters', { kind: 'supporter_group', roles: [[p.supporterOrganizer, 'organizer']] });
    org = await client(t, p.organizer);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function create(fields: Record<string, string>): Promise<string> {
    await org.get('/c/river-tenants/asks/new');
    return askId(await org.post('/c/river-tenants/asks', fields));
  }

  it.each(Object.keys(BY_KIND))('creates a %s ask from the form and shows it', async (kind) => {
    const id = await create({ ...BASE, ...BY_KIND[kind]! });
    const page = await org.get(`/asks/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Help at the pantry');
    expect(page.body).toContain('<strong>gloves</strong>');
    const checks: Record<string, string[]> = {
      shift: ['4 slots', '2 slots', '(UTC)'],
      skill: ['A one-page flyer', '6 hours'],
      supplies: ['Rice', 'Blankets', 'kg'],
      money: ['€1,250.50'],
      advocacy: ['Please keep the clinic open.', 'City council'],
      attend: ['40', '(UTC)'],
    };
    for (const text of checks[kind]!) expect(page.body).toContain(text);
    const api = await t.app.inject({ method: 'GET', url: `/api/v1/asks/${id}`, headers: { authorization: `Bearer ${p.organizer.token}` } });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ kind, status: 'draft', community: 'river-tenants' });
  });

  it('lists the community’s donation channels on a money ask, and only there', async () => {
    const community = await t.db.kysely.selectFrom('communities').select('id').where('slug', '=', 'river-tenants').executeTakeFirstOrThrow();
    await t.db.kysely.insertInto('donation_channels').values({ community_id: community.id, label: 'Strike fund', details: 'IBAN ES00 0000 0000 0000' }).execute();
    const money = await org.get(`/asks/${await create({ ...BASE, ...BY_KIND.money! })}`);
    expect(money.body).toContain('Where to give');
    expect(money.body).toContain('<strong>Strike fund</strong>');
    expect(money.body).toContain('IBAN ES00 0000 0000 0000');
    const skill = await org.get(`/asks/${await create({ ...BASE, ...BY_KIND.skill! })}`);
    expect(skill.body).not.toContain('Strike fund');
  });

  it('stores shift times in the time zone they were typed in', async () => {
    const id = await create({ ...BASE, kind: 'shift', timeZone: 'America/Mexico_City', window0Start: ahead(5, 9), window0End: ahead(5, 11), window0Slots: '1' });
    const ask = (await t.app.inject({ method: 'GET', url: `/api/v1/asks/${id}`, headers: { authorization: `Bearer ${p.organizer.token}` } })).json() as { windows: Array<{ startsAt: string }> };
    // Mexico City is six hours behind UTC all year.
    expect(new Date(ask.windows[0]!.startsAt).getUTCHours()).toBe(15);
  });

  it('neutralises scripts, raw HTML, images and unsafe links in the description', async () => {
    const description = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[click](javascript:alert(1))',
      '![tracker](https://evil.example/pixel.png)',
      'See https://example.org',
    ].join('\n\n');
    const id = await create({ ...BASE, ...BY_KIND.skill!, description });
    const body = (await org.get(`/asks/${id}`)).body;
    const prose = /<div class="prose">([\s\S]*?)<\/div>/.exec(body)![1]!;
    expect(prose).not.toMatch(/<script|<img/i);
    expect(prose).not.toMatch(/<[^>]*\son\w+=/i);
    expect(prose).not.toMatch(/href="(?!https?:|mailto:)/i);
    expect(prose).toContain('&lt;script&gt;');
    expect(prose).toContain('<a href="https://example.org" rel="nofollow noopener noreferrer">');
    expect(prose).toContain('<a href="https://evil.example/pixel.png" rel="nofollow noopener noreferrer">tracker</a>');
  });

  it('refuses a form with past windows and backwards times, keeping the values and a message by each field', async () => {
    await org.get('/c/river-tenants/asks/new');
    const past = new Date(Date.now() - 86400000).toISOString().slice(0, 16);
    const res = await org.post('/c/river-tenants/asks', { ...BASE, kind: 'shift', title: 'Kept title', window0Start: past, window0End: ahead(2), window0Slots: '3', window1Start: ahead(3, 12), window1End: ahead(3, 9), window1Slots: '0' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('value="Kept title"');
    expect(res.body).toContain('This time has already passed');
    expect(res.body).toContain('The end must come after the start.');
    expect(res.body).toContain('id="field-window1Slots-error"');
    expect(res.body).toContain('id="error-summary"');
    const none = await org.post('/c/river-tenants/asks', { ...BASE, online: '', kind: 'money', moneyGoal: '10.555', currency: 'EUR', sneaky: 'x' });
    expect(none.statusCode).toBe(422);
    expect(none.body).toContain('Give a town or city, or mark the ask as online.');
    expect(none.body).toContain('no more decimals than the currency has');
    expect(none.body).toContain('This field is not accepted here.');
  });

  it('adds empty window rows without JavaScript, keeping what was typed', async () => {
    await org.get('/c/river-tenants/asks/new');
    expect(org.lastHtml).toContain('name="window2Start"');
    expect(org.lastHtml).not.toContain('name="window3Start"');
    const res = await org.post('/c/river-tenants/asks', { ...BASE, kind: 'shift', title: 'Typed', windowRows: '3', addRows: 'windows' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('name="window5Start"');
    expect(res.body).toContain('value="Typed"');
  });

  it('finds the town of an ask and keeps only the coarse area in public', async () => {
    const id = await create({ ...BASE, ...BY_KIND.skill!, online: '', area: 'Lyon, FR', locationDetail: '12 Rue Secrète, 2nd floor', locationSensitive: 'on' });
    await org.post(`/asks/${id}/publish`);
    expect((await org.get(`/asks/${id}`)).body).toContain('12 Rue Secrète');
    for (const person of [p.member, p.ally, p.otherOrganizer, p.moderator, undefined]) {
      const c = await client(t, person);
      const page = await c.get(`/asks/${id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Lyon, FR');
      expect(page.body).not.toContain('Rue Secrète');
      const api = await t.app.inject({ method: 'GET', url: `/api/v1/asks/${id}`, headers: person ? { authorization: `Bearer ${person.token}` } : {} });
      expect(api.statusCode).toBe(200);
      expect(api.body).not.toContain('Rue Secrète');
      expect(api.json()).not.toHaveProperty('locationDetail');
    }
    const orgApi = await t.app.inject({ method: 'GET', url: `/api/v1/asks/${id}`, headers: { authorization: `Bearer ${p.organizer.token}` } });
    expect(orgApi.json()).toMatchObject({ locationDetail: '12 Rue Secrète, 2nd floor', locationSensitive: true, area: 'Lyon, FR' });
  });

  it('lets only organizers of a verified community create, edit and publish', async () => {
    const id = await create({ ...BASE, ...BY_KIND.skill! });
    for (const [person, slug, status] of [
      [p.member, 'river-tenants', 403],
      [p.ally, 'river-tenants', 403],
      [p.otherOrganizer, 'river-tenants', 403],
      [p.moderator, 'river-tenants', 403],
      [p.stranger, 'river-tenants', 403],
      [p.blocked, 'river-tenants', 404],
      [p.pendingOrganizer, 'pending-group', 403],
      [p.supporterOrganizer, 'supporters', 403],
    ] as const) {
      const c = await client(t, person);
      expect((await c.get(`/c/${slug}/asks/new`)).statusCode, person.email).toBe(status);
      const api = await t.app.inject({ method: 'POST', url: `/api/v1/communities/${slug}/asks`, headers: { authorization: `Bearer ${person.token}` }, payload: { ...BASE, online: true, ...BY_KIND.skill } });
      expect(api.statusCode, person.email).toBe(status);
      expect(String(api.headers['content-type'])).toContain('application/problem+json');
      // The draft does not exist for them.
      expect((await c.get(`/asks/${id}/edit`)).statusCode).toBe(404);
      await c.get('/');
      expect((await c.post(`/asks/${id}/publish`)).statusCode).toBe(404);
    }
    const anonymous = await client(t);
    const res = await anonymous.get('/c/river-tenants/asks/new');
    expect(res.statusCode).toBe(303);
    expect(String(res.headers.location)).toMatch(/^\/login\?next=/);
    // Once open, others see it but still may not change it.
    await org.get(`/asks/${id}`);
    expect((await org.post(`/asks/${id}/publish`)).statusCode).toBe(303);
    const member = await client(t, p.member);
    expect((await member.get(`/asks/${id}/edit`)).statusCode).toBe(403);
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/asks/${id}`, headers: { authorization: `Bearer ${p.member.token}` }, payload: { title: 'Taken over' } });
    expect(patch.statusCode).toBe(403);
  });

  it('shows an ask on its page exactly when its list returns it, for every actor', async () => {
    const ids: Record<string, string> = {};
    for (const status of ['draft', 'open', 'paused', 'filled', 'closed'] as const) {
      const id = await create({ ...BASE, ...BY_KIND.skill!, title: `Status ${status}` });
      ids[status] = id;
      const steps: Record<string, Array<[string, Record<string, string>]>> = {
        draft: [],
        open: [['publish', {}]],
        paused: [['publish', {}], ['pause', {}]],
        filled: [['publish', {}]],
        closed: [['publish', {}], ['close', { outcome: 'Done well.' }]],
      };
      for (const [action, fields] of steps[status]!) {
        await org.get(`/asks/${id}`);
        expect((await org.post(`/asks/${id}/${action}`, fields)).statusCode).toBe(303);
      }
      if (status === 'filled') {
        const res = await t.app.inject({ method: 'POST', url: `/api/v1/asks/${id}/status`, headers: { authorization: `Bearer ${p.organizer.token}` }, payload: { status: 'filled' } });
        expect(res.statusCode).toBe(200);
      }
    }
    const actors: Array<[string, Person | undefined]> = [
      ['organizer', p.organizer],
      ['member', p.member],
      ['ally', p.ally],
      ['otherOrganizer', p.otherOrganizer],
      ['moderator', p.moderator],
      ['blocked', p.blocked],
      ['anonymous', undefined],
    ];
    for (const [name, person] of actors) {
      const c = await client(t, person);
      const listed = new Set<string>();
      for (let url: string | null = '/api/v1/communities/river-tenants/asks?limit=3'; url; ) {
        const res = await t.app.inject({ method: 'GET', url, headers: person ? { authorization: `Bearer ${person.token}` } : {} });
        if (name === 'blocked') {
          expect(res.statusCode).toBe(404);
          break;
        }
        expect(res.statusCode).toBe(200);
        const page = res.json() as { asks: Array<{ id: string }>; next: string | null };
        for (const a of page.asks) listed.add(a.id);
        url = page.next ? `/api/v1/communities/river-tenants/asks?limit=3&after=${page.next}` : null;
      }
      const listPage = await c.get('/c/river-tenants/asks');
      for (const [status, id] of Object.entries(ids)) {
        const page = await c.get(`/asks/${id}`);
        const api = await t.app.inject({ method: 'GET', url: `/api/v1/asks/${id}`, headers: person ? { authorization: `Bearer ${person.token}` } : {} });
        const visible = page.statusCode === 200;
        expect([200, 404], `${name} ${status}`).toContain(page.statusCode);
        expect(api.statusCode === 200, `${name} ${status} api`).toBe(visible);
        expect(listed.has(id), `${name} ${status} list`).toBe(visible);
        // The first page of the HTML list holds the newest twenty, which include all of these.
        expect(listPage.body.includes(`/asks/${id}"`), `${name} ${status} html list`).toBe(visible);
      }
      const expected = name === 'organizer' ? 5 : name === 'blocked' ? 0 : 2;
      expect(Object.values(ids).filter((id) => listed.has(id)).length, name).toBe(expected);
    }
  });

  it('follows the lifecycle: closing needs an outcome and a closed ask never reopens', async () => {
    const id = await create({ ...BASE, ...BY_KIND.money! });
    await org.get(`/asks/${id}`);
    expect((await org.post(`/asks/${id}/pause`)).statusCode).toBe(409);
    expect((await org.post(`/asks/${id}/publish`)).statusCode).toBe(303);
    await org.get(`/asks/${id}`);
    expect((await org.post(`/asks/${id}/pause`)).statusCode).toBe(303);
    await org.get(`/asks/${id}`);
    expect((await org.post(`/asks/${id}/resume`)).statusCode).toBe(303);
    // An organizer marks it filled from the page, and opens it again.
    expect((await org.get(`/asks/${id}`)).body).toContain(`action="/asks/${id}/fill"`);
    expect((await org.post(`/asks/${id}/fill`)).statusCode).toBe(303);
    expect((await t.db.kysely.selectFrom('asks').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('filled');
    await org.get(`/asks/${id}`);
    expect((await org.post(`/asks/${id}/resume`)).statusCode).toBe(303);
    await org.get(`/asks/${id}`);
    const refused = await org.post(`/asks/${id}/close`, { outcome: '  ' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('id="field-outcome-error"');
    const api = (body: Record<string, unknown>) => t.app.inject({ method: 'POST', url: `/api/v1/asks/${id}/status`, headers: { authorization: `Bearer ${p.organizer.token}` }, payload: body });
    const noOutcome = await api({ status: 'closed' });
    expect(noOutcome.statusCode).toBe(422);
    expect(noOutcome.json().errors).toEqual([expect.objectContaining({ pointer: '/outcome' })]);
    expect((await org.post(`/asks/${id}/close`, { outcome: 'We raised it all, thank you.' })).statusCode).toBe(303);
    const page = await org.get(`/asks/${id}`);
    expect(page.body).toContain('We raised it all, thank you.');
    expect(page.body).toContain('Closed');
    const reopen = await api({ status: 'open' });
    expect(reopen.statusCode).toBe(422);
    expect(reopen.json().errors).toEqual([expect.objectContaining({ pointer: '/status' })]);
    expect((await org.get(`/asks/${id}/edit`)).statusCode).toBe(409);
    const audit = await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['ask.created', 'ask.publish', 'ask.pause', 'ask.resume', 'ask.fill', 'ask.resume', 'ask.close']);
  });

  it('edits an ask and keeps the ids of its windows', async () => {
    const id = await create({ ...BASE, ...BY_KIND.shift! });
    const before = (await t.app.inject({ method: 'GET', url: `/api/v1/asks/${id}`, headers: { authorization: `Bearer ${p.organizer.token}` } })).json() as { windows: Array<{ id: string }> };
    const form = await org.get(`/asks/${id}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`value="${before.windows[0]!.id}"`);
    const fields: Record<string, string> = { ...BASE, ...BY_KIND.shift!, title: 'Renamed shift', window0Id: before.windows[0]!.id, window0Slots: '9' };
    expect((await org.post(`/asks/${id}/edit`, fields)).statusCode).toBe(303);
    const after = (await t.app.inject({ method: 'GET', url: `/api/v1/asks/${id}`, headers: { authorization: `Bearer ${p.organizer.token}` } })).json() as { title: string; windows: Array<{ id: string; slots: number }> };
    expect(after.title).toBe('Renamed shift');
    expect(after.windows.find((w) => w.id === before.windows[0]!.id)?.slots).toBe(9);
  });

  it('creates, patches and pages asks over the API with problem details for bad input', async () => {
    const headers = { authorization: `Bearer ${p.organizer.token}` };
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/communities/river-tenants/asks',
      headers,
      payload: { kind: 'shift', title: 'x', online: true, language: 'en', windows: [{ startsAt: '2001-01-01T10:00:00Z', endsAt: '2001-01-01T09:00:00Z', slots: 2, colour: 'red' }] },
    });
    expect(bad.statusCode).toBe(422);
    expect(String(bad.headers['content-type'])).toContain('application/problem+json');
    const pointers = (bad.json().errors as Array<{ pointer: string }>).map((e) => e.pointer).sort();
    // The shape first, at the door (the schema of the operation: a title too short, a member no window has)…
    expect(pointers).toEqual(['/title', '/windows/0/colour']);
    // …then what only the ask's own rules can tell: times in the past, and an end before the start.
    const late = await t.app.inject({
      method: 'POST',
      url: '/api/v1/communities/river-tenants/asks',
      headers,
      payload: { kind: 'shift', title: 'Sort donations', online: true, language: 'en', windows: [{ startsAt: '2001-01-01T10:00:00Z', endsAt: '2001-01-01T09:00:00Z', slots: 2 }] },
    });
    expect(late.statusCode).toBe(422);
    expect((late.json().errors as Array<{ pointer: string }>).map((e) => e.pointer).sort()).toEqual(['/windows/0/endsAt', '/windows/0/startsAt']);
    const start = new Date(Date.now() + 5 * 86400000).toISOString();
    const end = new Date(Date.now() + 5 * 86400000 + 3600000).toISOString();
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/communities/river-tenants/asks',
      headers,
      payload: { kind: 'attend', title: 'Listening session', online: true, language: 'es', startsAt: start, endsAt: end, capacity: 25, skills: ['translation'], languages: ['es', 'qu'] },
    });
    expect(made.statusCode, made.body).toBe(201);
    const ask = made.json() as { id: string; startsAt: string; skills: string[]; languages: string[] };
    expect(ask.startsAt).toBe(start);
    expect(ask.languages).toEqual(['es', 'qu']);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/asks/${ask.id}`, headers, payload: { capacity: 30 } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ capacity: 30, title: 'Listening session', startsAt: start });
    const badCursor = await t.app.inject({ method: 'GET', url: '/api/v1/communities/river-tenants/asks?after=bm9wZQ', headers });
    expect(badCursor.statusCode).toBe(400);
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/asks/00000000-0000-4000-8000-000000000000', headers });
    expect(missing.statusCode).toBe(404);
    const readOnly = await createApiToken(t.db, { userId: p.organizer.id, name: 'read', scope: 'read', requestId: 'x' });
    const refused = await t.app.inject({ method: 'PATCH', url: `/api/v1/asks/${ask.id}`, headers: { authorization: `Bearer ${readOnly.token}` }, payload: { capacity: 31 } });
    expect(refused.statusCode).toBe(403);
  });
});
