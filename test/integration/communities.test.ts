import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, upsertUser } from '../../src/modules/accounts/index.js';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { canManageAsks, getCommunityAccess } from '../../src/modules/communities/index.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

interface Person {
  id: string;
  email: string;
  password: string;
  token: string;
  name: string;
}

let counter = 0;

async function createPerson(t: TestApp, role: 'user' | 'moderator' | 'admin' = 'user'): Promise<Person> {
  counter += 1;
  const email = `community${counter}-${Date.now()}@example.test`;
  const password = 'a long enough password';
  const name = `Person ${counter}`;
  const id = await upsertUser(t.db.kysely, { email, emailNormalized: email, displayName: name, passwordHash: await hashPassword(password), role, verified: true });
  const { token } = await createApiToken(t.db, { userId: id, name: 'test', scope: 'write', requestId: 'test' });
  return { id, email, password, token, name };
}

async function signedIn(t: TestApp, person: Person): Promise<TestClient> {
  const client = new TestClient(t.app);
  const res = await client.logIn(person.email, person.password);
  expect(res.statusCode).toBe(303);
  return client;
}

function api(t: TestApp, person: Person | undefined, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
  return t.app.inject({
    method,
    url,
    headers: { ...(person ? { authorization: `Bearer ${person.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}

let nameCounter = 0;
function proposal(overrides: Record<string, unknown> = {}) {
  nameCounter += 1;
  return {
    name: `Tenants Union ${nameCounter}`,
    mission: 'Renters organising against evictions.',
    kind: 'community',
    ledBy: ['renters', 'migrant women'],
    serves: ['renters'],
    online: false,
    area: 'Lyon',
    languages: ['fr', 'en'],
    howToHelp: 'Come to the Saturday clinic.',
    ledgerVisibility: 'public',
    donationChannels: [{ label: 'Strike fund', details: 'https://example.org/fund' }],
    joinQuestions: ['Do you rent in Lyon?'],
    ...overrides,
  };
}

async function propose(t: TestApp, organizer: Person, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await api(t, organizer, 'POST', '/api/v1/communities', proposal(overrides));
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { slug: string }).slug;
}

async function verified(t: TestApp, organizer: Person, moderator: Person, overrides: Record<string, unknown> = {}): Promise<string> {
  const slug = await propose(t, organizer, overrides);
  const res = await api(t, moderator, 'POST', `/api/v1/moderation/communities/${slug}/verify`, { note: 'Checked with two members.' });
  expect(res.statusCode, res.body).toBe(200);
  return slug;
}

async function listedSlugs(t: TestApp, person: Person | undefined): Promise<Set<string>> {
  const slugs = new Set<string>();
  for (let url: string | null = '/api/v1/communities'; url; ) {
    const res = await api(t, person, 'GET', url);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { communities: Array<{ slug: string }>; next: string | null };
    for (const c of body.communities) slugs.add(c.slug);
    url = body.next;
  }
  return slugs;
}

async function auditActions(t: TestApp, subjectId: string): Promise<string[]> {
  const rows = await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', subjectId).orderBy('id').execute();
  return rows.map((r) => r.action);
}

describe.each(engines())('communities on %s', (engine) => {
  let t: TestApp;
  let moderator: Person;
  let admin: Person;

  beforeAll(async () => {
    t = await createTestApp(engine);
    moderator = await createPerson(t, 'moderator');
    admin = await createPerson(t, 'admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps a proposal pending and hidden until a moderator verifies it with a note', async () => {
    const organizer = await createPerson(t);
    const stranger = await createPerson(t);
    const client = await signedIn(t, organizer);
    await client.get('/communities/new');
    const res = await client.post('/communities/new', {
      name: 'Refugee Women’s Kitchen',
      mission: 'We cook together and share what we grow.',
      kind: 'community',
      ledBy: 'refugee women, mothers',
      serves: 'refugee families',
      area: 'Lyon',
      languages: 'fr, ar',
      ledgerVisibility: 'members',
      donationLabel1: 'Cash box',
      donationDetails1: 'Bring it to the Sunday market.',
      question1: 'Who told you about us?',
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/c/refugee-women-s-kitchen');
    const slug = 'refugee-women-s-kitchen';

    expect((await client.get(`/c/${slug}`)).statusCode).toBe(200);
    expect(client.lastHtml).toContain('Waiting for verification');
    expect((await new TestClient(t.app).get(`/c/${slug}`)).statusCode).toBe(404);
    expect((await (await signedIn(t, stranger)).get(`/c/${slug}`)).statusCode).toBe(404);
    expect((await api(t, stranger, 'GET', `/api/v1/communities/${slug}`)).statusCode).toBe(404);
    expect(await listedSlugs(t, stranger)).not.toContain(slug);
    expect(await listedSlugs(t, organizer)).not.toContain(slug);

    const mod = await signedIn(t, moderator);
    const queue = await mod.get('/moderation/communities');
    expect(queue.statusCode).toBe(200);
    expect(queue.body).toContain('Refugee Women’s Kitchen');
    expect(queue.body).toContain('refugee women');
    expect(queue.body).toContain('Who told you about us?');
    expect((await mod.get(`/c/${slug}`)).statusCode).toBe(200);
    expect((await (await signedIn(t, stranger)).get('/moderation/communities')).statusCode).toBe(403);

    await mod.get('/moderation/communities');
    const noNote = await mod.post(`/moderation/communities/${slug}/verify`, { note: '' });
    expect(noNote.statusCode).toBe(422);
    expect(noNote.body).toContain('This field is required.');
    const verify = await mod.post(`/moderation/communities/${slug}/verify`, { note: 'Met the organizers.' });
    expect(verify.statusCode).toBe(303);

    const row = await t.db.kysely.selectFrom('communities').select(['id', 'status', 'moderation_note', 'verified_by']).where('slug', '=', slug).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'verified', moderation_note: 'Met the organizers.', verified_by: moderator.id });
    expect(await auditActions(t, row.id)).toEqual(['community.proposed', 'community.verified']);
    expect((await new TestClient(t.app).get(`/c/${slug}`)).statusCode).toBe(200);
    expect(await listedSlugs(t, stranger)).toContain(slug);
    expect(await listedSlugs(t, undefined)).toContain(slug);
    const detail = (await api(t, stranger, 'GET', `/api/v1/communities/${slug}`)).json() as Record<string, unknown>;
    expect(detail).toMatchObject({ ledBy: ['mothers', 'refugee women'], languages: ['ar', 'fr'], ledgerVisibility: 'members', viewerRole: null });
    expect(detail.area).toMatchObject({ label: 'Lyon, FR' });
    // Deciding twice is a conflict.
    expect((await api(t, moderator, 'POST', `/api/v1/moderation/communities/${slug}/reject`, { note: 'Again' })).statusCode).toBe(409);
  });

  it('rejects a proposal with a note: it stays visible only to its organizers and moderators', async () => {
    const organizer = await createPerson(t);
    const slug = await propose(t, organizer);
    const stranger = await createPerson(t);
    expect((await api(t, stranger, 'POST', `/api/v1/moderation/communities/${slug}/reject`, { note: 'No' })).statusCode).toBe(403);
    expect((await api(t, admin, 'POST', `/api/v1/moderation/communities/${slug}/reject`, {})).statusCode).toBe(422);
    const res = await api(t, admin, 'POST', `/api/v1/moderation/communities/${slug}/reject`, { note: 'Not led by renters.' });
    expect(res.statusCode, res.body).toBe(200);
    const row = await t.db.kysely.selectFrom('communities').select(['id', 'status']).where('slug', '=', slug).executeTakeFirstOrThrow();
    expect(row.status).toBe('rejected');
    expect(await auditActions(t, row.id)).toContain('community.rejected');
    const page = await (await signedIn(t, organizer)).get(`/c/${slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Not led by renters.');
    expect((await api(t, stranger, 'GET', `/api/v1/communities/${slug}`)).statusCode).toBe(404);
    // Nobody can follow or ask to join a community that is not verified.
    expect((await api(t, moderator, 'POST', `/api/v1/communities/${slug}/follow`)).statusCode).toBe(403);
  });

  it('refuses a proposal form with a message by each field and the values kept', async () => {
    const client = await signedIn(t, await createPerson(t));
    await client.get('/communities/new');
    const res = await client.post('/communities/new', {
      name: '',
      mission: 'Kept mission text',
      kind: 'community',
      ledBy: 'tenants',
      serves: '',
      languages: 'en',
      ledgerVisibility: 'public',
      donationLabel2: 'Only a label',
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Kept mission text');
    expect(res.body).toContain('This field is required.');
    expect(res.body).toContain('Add the link or instructions for this channel.');
    const unknownPlace = await client.post('/communities/new', { ...proposalForm(), area: 'Xqzzyplace' });
    expect(unknownPlace.statusCode).toBe(422);
    expect(unknownPlace.body).toContain('We could not find this place.');
    expect(unknownPlace.body).toContain('value="Xqzzyplace"');
    const extra = await api(t, await createPerson(t), 'POST', '/api/v1/communities', { ...proposal(), isAdmin: true });
    expect(extra.statusCode).toBe(422);
    expect((extra.json() as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer)).toContain('/isAdmin');
  });

  it('makes slugs from names and numbers them on collision', async () => {
    const organizer = await createPerson(t);
    const a = await propose(t, organizer, { name: 'Café Solidaire' });
    const b = await propose(t, organizer, { name: 'café solidaire!' });
    expect(a).toBe('cafe-solidaire');
    expect(b).toBe('cafe-solidaire-2');
  });

  it('never lets a supporter group manage asks, even verified', async () => {
    const organizer = await createPerson(t);
    const slug = await verified(t, organizer, moderator, { kind: 'supporter_group', online: true, area: null });
    const viewer = { id: organizer.id, displayName: organizer.name, role: 'user' as const, confirmed: true };
    const access = await getCommunityAccess(t.db, slug, viewer);
    expect(access?.role).toBe('organizer');
    expect(access?.community.kind).toBe('supporter_group');
    expect(canManageAsks(viewer, access!)).toBe(false);
    const community = await verified(t, organizer, moderator);
    expect(canManageAsks(viewer, (await getCommunityAccess(t.db, community, viewer))!)).toBe(true);
  });

  it('lets allies follow and unfollow, on pages and through the API', async () => {
    const organizer = await createPerson(t);
    const ally = await createPerson(t);
    const slug = await verified(t, organizer, moderator);
    const client = await signedIn(t, ally);
    await client.get(`/c/${slug}`);
    expect((await client.post(`/c/${slug}/follow`)).statusCode).toBe(303);
    expect((await client.get(`/c/${slug}`)).body).toContain('You follow this community as an ally.');
    expect((await client.post(`/c/${slug}/unfollow`)).statusCode).toBe(303);
    expect((await client.get(`/c/${slug}`)).body).toContain('You are not part of this community.');
    expect((await api(t, ally, 'POST', `/api/v1/communities/${slug}/follow`)).statusCode).toBe(200);
    expect(((await api(t, ally, 'GET', `/api/v1/communities/${slug}`)).json() as { viewerRole: string }).viewerRole).toBe('ally');
    expect((await api(t, ally, 'DELETE', `/api/v1/communities/${slug}/follow`)).statusCode).toBe(204);
    // An organizer cannot unfollow: they leave.
    expect((await api(t, organizer, 'DELETE', `/api/v1/communities/${slug}/follow`)).statusCode).toBe(409);
  });

  it('makes a member from a single-use invitation; a second use or an expired link is gone', async () => {
    const organizer = await createPerson(t);
    const slug = await verified(t, organizer, moderator);
    const org = await signedIn(t, organizer);
    await org.get(`/c/${slug}/people`);
    const made = await org.post(`/c/${slug}/invites`);
    expect(made.statusCode).toBe(200);
    const token = /\/invites\?token=([A-Za-z0-9_-]+)/.exec(made.body)?.[1];
    expect(token).toBeDefined();
    const stored = await t.db.kysely.selectFrom('community_invites').select('token_hash').execute();
    expect(stored.some((r) => r.token_hash === token)).toBe(false);

    const joiner = await signedIn(t, await createPerson(t));
    const page = await joiner.get(`/invites?token=${token}`);
    expect(page.statusCode).toBe(200);
    const accepted = await joiner.post('/invites', { token: token! });
    expect(accepted.statusCode).toBe(303);
    expect((await joiner.get(`/c/${slug}`)).body).toContain('You are a member.');

    const second = await signedIn(t, await createPerson(t));
    expect((await second.get(`/invites?token=${token}`)).statusCode).toBe(410);
    await second.get('/communities');
    expect((await second.post('/invites', { token: token! })).statusCode).toBe(410);

    await org.get(`/c/${slug}/people`);
    const another = /\/invites\?token=([A-Za-z0-9_-]+)/.exec((await org.post(`/c/${slug}/invites`)).body)![1]!;
    await t.db.kysely.updateTable('community_invites').set({ expires_at: sql<Date>`now() - interval '1 minute'` }).where('used_at', 'is', null).execute();
    await second.get('/communities');
    expect((await second.post('/invites', { token: another })).statusCode).toBe(410);
    expect((await second.get('/invites?token=nonsense')).statusCode).toBe(410);
  });

  it('takes join requests with answers, which organizers approve or decline', async () => {
    const organizer = await createPerson(t);
    const slug = await verified(t, organizer, moderator, { joinQuestions: ['Do you rent?', 'Which building?'] });
    const asker = await createPerson(t);
    const client = await signedIn(t, asker);
    await client.get(`/c/${slug}`);
    const missing = await client.post(`/c/${slug}/join`, { answer1: 'Yes' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('This field is required.');
    expect(missing.body).toContain('>Yes</textarea>');
    expect((await client.post(`/c/${slug}/join`, { answer1: 'Yes', answer2: 'Number 12' })).statusCode).toBe(303);
    expect((await client.get(`/c/${slug}`)).body).toContain('Your request to join is waiting');
    expect((await api(t, asker, 'POST', `/api/v1/communities/${slug}/join-requests`, { answers: ['Yes', 'Again'] })).statusCode).toBe(409);

    const listing = await api(t, organizer, 'GET', `/api/v1/communities/${slug}/memberships`);
    expect(listing.statusCode).toBe(200);
    const { joinRequests } = listing.json() as { joinRequests: Array<{ id: string; answers: string[] }> };
    expect(joinRequests[0]!.answers).toEqual(['Yes', 'Number 12']);
    expect((await api(t, asker, 'GET', `/api/v1/communities/${slug}/memberships`)).statusCode).toBe(403);

    const org = await signedIn(t, organizer);
    const people = await org.get(`/c/${slug}/people`);
    expect(people.body).toContain('Number 12');
    expect((await org.post(`/c/${slug}/requests/${joinRequests[0]!.id}/approve`)).statusCode).toBe(303);
    expect((await client.get(`/c/${slug}`)).body).toContain('You are a member.');

    const declined = await createPerson(t);
    expect((await api(t, declined, 'POST', `/api/v1/communities/${slug}/join-requests`, { answers: ['No'] })).statusCode).toBe(422);
    expect((await api(t, declined, 'POST', `/api/v1/communities/${slug}/join-requests`, { answers: ['No', 'None'] })).statusCode).toBe(201);
    const second = ((await api(t, organizer, 'GET', `/api/v1/communities/${slug}/memberships`)).json() as { joinRequests: Array<{ id: string }> }).joinRequests[0]!;
    await org.get(`/c/${slug}/people`);
    expect((await org.post(`/c/${slug}/requests/${second.id}/decline`)).statusCode).toBe(303);
    expect(((await api(t, declined, 'GET', `/api/v1/communities/${slug}`)).json() as { viewerRole: unknown }).viewerRole).toBeNull();
    expect((await org.post(`/c/${slug}/requests/${second.id}/approve`)).statusCode).toBe(404);
  });

  it('keeps at least one organizer: the last cannot step down or leave until another is made organizer', async () => {
    const organizer = await createPerson(t);
    const slug = await verified(t, organizer, moderator);
    const org = await signedIn(t, organizer);
    await org.get(`/c/${slug}`);
    const stepDown = await org.post(`/c/${slug}/step-down`);
    expect(stepDown.statusCode).toBe(409);
    expect(stepDown.body).toContain('You are the only organizer.');
    await org.get(`/c/${slug}`);
    expect((await org.post(`/c/${slug}/leave`)).statusCode).toBe(409);

    const member = await createPerson(t);
    expect((await api(t, member, 'POST', `/api/v1/communities/${slug}/join-requests`, { answers: ['Yes'] })).statusCode).toBe(201);
    const request = ((await api(t, organizer, 'GET', `/api/v1/communities/${slug}/memberships`)).json() as { joinRequests: Array<{ id: string }> }).joinRequests[0]!;
    await org.get(`/c/${slug}/people`);
    await org.post(`/c/${slug}/requests/${request.id}/approve`);
    await org.get(`/c/${slug}/people`);
    expect((await org.post(`/c/${slug}/people/${member.id}/promote`)).statusCode).toBe(303);
    await org.get(`/c/${slug}`);
    expect((await org.post(`/c/${slug}/step-down`)).statusCode).toBe(303);
    expect((await org.get(`/c/${slug}`)).body).toContain('You are a member.');
    // The new organizer is now the last one.
    const next = await signedIn(t, member);
    await next.get(`/c/${slug}`);
    expect((await next.post(`/c/${slug}/leave`)).statusCode).toBe(409);
    await org.get(`/c/${slug}`);
    expect((await org.post(`/c/${slug}/leave`)).statusCode).toBe(303);
    const actions = await auditActions(t, (await getCommunityAccess(t.db, slug, undefined))!.community.id);
    expect(actions).toEqual(expect.arrayContaining(['community.organizer_added', 'community.organizer_stepped_down', 'community.left']));
  });

  it('hides everything of a community from a person it blocked', async () => {
    const organizer = await createPerson(t);
    const slug = await verified(t, organizer, moderator);
    const blocked = await createPerson(t);
    expect((await api(t, blocked, 'POST', `/api/v1/communities/${slug}/follow`)).statusCode).toBe(200);
    const org = await signedIn(t, organizer);
    await org.get(`/c/${slug}/people`);
    expect((await org.post(`/c/${slug}/people/${blocked.id}/block`)).statusCode).toBe(303);
    expect((await org.post(`/c/${slug}/people/${organizer.id}/block`)).statusCode).toBe(409);

    const client = await signedIn(t, blocked);
    expect((await client.get(`/c/${slug}`)).statusCode).toBe(404);
    expect((await client.get('/communities')).body).not.toContain(`/c/${slug}"`);
    expect(await listedSlugs(t, blocked)).not.toContain(slug);
    expect((await api(t, blocked, 'GET', `/api/v1/communities/${slug}`)).statusCode).toBe(404);
    expect((await api(t, blocked, 'POST', `/api/v1/communities/${slug}/follow`)).statusCode).toBe(404);
    expect((await api(t, blocked, 'POST', `/api/v1/communities/${slug}/join-requests`, { answers: ['Yes'] })).statusCode).toBe(404);
    await client.get('/communities');
    expect((await client.post(`/c/${slug}/follow`)).statusCode).toBe(404);
    expect((await client.post(`/c/${slug}/join`, { answer1: 'Yes' })).statusCode).toBe(404);
    expect((await t.db.kysely.selectFrom('memberships').select('role').where('user_id', '=', blocked.id).execute()).length).toBe(0);

    // An invitation does not get around a block, and says nothing about why.
    await org.get(`/c/${slug}/people`);
    const token = /\/invites\?token=([A-Za-z0-9_-]+)/.exec((await org.post(`/c/${slug}/invites`)).body)![1]!;
    expect((await client.get(`/invites?token=${token}`)).statusCode).toBe(410);

    await org.get(`/c/${slug}/people`);
    expect((await org.post(`/c/${slug}/people/${blocked.id}/unblock`)).statusCode).toBe(303);
    expect((await client.get(`/c/${slug}`)).statusCode).toBe(200);
  });

  it('pages the list with an opaque cursor, newest first', async () => {
    const organizer = await createPerson(t);
    for (let i = 0; i < 22; i += 1) await verified(t, organizer, moderator, { online: true, area: null });
    const first = (await api(t, undefined, 'GET', '/api/v1/communities')).json() as { communities: Array<{ slug: string; createdAt: string }>; next: string };
    expect(first.communities).toHaveLength(20);
    expect(first.next).toMatch(/^\/api\/v1\/communities\?cursor=/);
    const times = first.communities.map((c) => c.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const second = (await api(t, undefined, 'GET', first.next)).json() as { communities: Array<{ slug: string }> };
    expect(second.communities.some((c) => first.communities.some((f) => f.slug === c.slug))).toBe(false);
    expect((await api(t, undefined, 'GET', '/api/v1/communities?cursor=bogus')).statusCode).toBe(400);
    const html = await new TestClient(t.app).get('/communities');
    expect(html.body).toContain('rel="next"');
  });

  it('shows a community on its page exactly when the list returns it, for every kind of person', async () => {
    const organizer = await createPerson(t);
    const member = await createPerson(t);
    const ally = await createPerson(t);
    const blocked = await createPerson(t);
    const stranger = await createPerson(t);
    const open = await verified(t, organizer, moderator);
    const closed = await verified(t, organizer, moderator);
    await propose(t, organizer);
    const rejected = await propose(t, organizer);
    await api(t, moderator, 'POST', `/api/v1/moderation/communities/${rejected}/reject`, { note: 'No' });
    await api(t, ally, 'POST', `/api/v1/communities/${open}/follow`);
    await api(t, member, 'POST', `/api/v1/communities/${open}/join-requests`, { answers: ['Yes'] });
    const request = ((await api(t, organizer, 'GET', `/api/v1/communities/${open}/memberships`)).json() as { joinRequests: Array<{ id: string }> }).joinRequests[0]!;
    const org = await signedIn(t, organizer);
    await org.get(`/c/${open}/people`);
    await org.post(`/c/${open}/requests/${request.id}/approve`);
    await org.get(`/c/${closed}/people`);
    await org.post(`/c/${closed}/people/${blocked.id}/block`);

    const all = await t.db.kysely.selectFrom('communities').select(['slug', 'status']).execute();
    for (const [label, person] of [
      ['anonymous', undefined],
      ['organizer', organizer],
      ['member', member],
      ['ally', ally],
      ['blocked', blocked],
      ['stranger', stranger],
      ['moderator', moderator],
    ] as const) {
      const listed = await listedSlugs(t, person);
      for (const { slug, status } of all) {
        const page = (await api(t, person, 'GET', `/api/v1/communities/${slug}`)).statusCode === 200;
        // The list is of verified communities; the others are in the moderators' queue and their organizers' view only.
        if (status === 'verified') expect({ label, slug, listed: listed.has(slug) }).toEqual({ label, slug, listed: page });
        else expect({ label, slug, listed: listed.has(slug) }).toEqual({ label, slug, listed: false });
      }
    }
  });
});

function proposalForm(): Record<string, string> {
  nameCounter += 1;
  return {
    name: `Form Community ${nameCounter}`,
    mission: 'Mission',
    kind: 'community',
    ledBy: 'tenants',
    serves: 'tenants',
    area: 'Lyon',
    languages: 'en',
    ledgerVisibility: 'public',
  };
}
