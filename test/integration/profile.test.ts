import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, upsertUser } from '../../src/modules/accounts/index.js';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { createTestAdmin, createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

let counter = 0;

async function createPerson(t: TestApp, name = 'Profile Person'): Promise<{ id: string; email: string; password: string }> {
  counter += 1;
  const email = `person${counter}-${Date.now()}@example.test`;
  const password = 'a long enough password';
  const id = await upsertUser(t.db.kysely, { email, emailNormalized: email, displayName: name, passwordHash: await hashPassword(password), role: 'user', verified: true });
  return { id, email, password };
}

async function signedIn(t: TestApp, person: { email: string; password: string }): Promise<TestClient> {
  const client = new TestClient(t.app);
  const res = await client.logIn(person.email, person.password);
  expect(res.statusCode).toBe(303);
  return client;
}

/** A complete, valid profile form. */
const FULL: Record<string, string | string[]> = {
  displayName: 'Ana Aliada',
  pronouns: 'she/her',
  languages: ['es', 'en'],
  otherLanguages: 'qu, YO',
  skills: ['cooking', 'first_aid'],
  tags: 'Beekeeping, bike repair',
  homeArea: 'Lyon',
  travelRadiusKm: '25',
  availability: ['mon:morning', 'sat:evening'],
  weeklyCapacityHours: '6',
  restMode: 'on',
  identityNote: 'Something only I should ever read.',
};

/** Posts a form with repeated fields for arrays, the way a browser sends checkboxes. */
async function postForm(client: TestClient, url: string, fields: Record<string, string | string[]>) {
  const params = new URLSearchParams({ _csrf: client.csrfToken() });
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await client.app.inject({ method: 'POST', url, payload: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } });
  if (String(res.headers['content-type'] ?? '').startsWith('text/html')) client.lastHtml = res.body;
  return res;
}

describe.each(engines())('profile on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends people who are not signed in to sign in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/account/profile' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount%2Fprofile');
  });

  it('saves every field in one go and shows them again', async () => {
    const person = await createPerson(t);
    const client = await signedIn(t, person);
    const page = await client.get('/account/profile');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('private: only you can see this');
    const res = await postForm(client, '/account/profile', FULL);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/account/profile?saved=1');

    const again = await client.get('/account/profile?saved=1');
    expect(again.body).toContain('Your profile is saved.');
    expect(again.body).toContain('value="Ana Aliada"');
    expect(again.body).toContain('value="she/her"');
    expect(again.body).toContain('value="qu, yo"');
    expect(again.body).toContain('value="beekeeping, bike repair"');
    expect(again.body).toContain('value="Lyon, FR"');
    expect(again.body).toContain('value="25"');
    expect(again.body).toContain('value="6"');
    expect(again.body).toContain('Something only I should ever read.');
    expect(again.body).toMatch(/<input[^>]*value="mon:morning"[^>]*checked/);
    expect(again.body).toMatch(/<input[^>]*value="sat:evening"[^>]*checked/);
    expect(again.body).not.toMatch(/<input[^>]*value="sun:morning"[^>]*checked/);
    expect(again.body).toMatch(/<input[^>]*value="es"[^>]*checked/);
    expect(again.body).toMatch(/<input[^>]*value="first_aid"[^>]*checked/);
    expect(again.body).toMatch(/<input[^>]*name="restMode"[^>]*checked/);

    const user = await t.db.kysely.selectFrom('users').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      display_name: 'Ana Aliada',
      pronouns: 'she/her',
      home_area: 'Lyon, FR',
      home_place_id: '2996944',
      travel_radius_km: 25,
      weekly_capacity_hours: 6,
      rest_mode: true,
      identity_note: 'Something only I should ever read.',
    });
    // The town's centre to two decimals (Lyon is at 45.74846, 4.84671 in the list), never more.
    expect(user.home_lat).toBe(45.75);
    expect(user.home_lon).toBe(4.85);
    const languages = await t.db.kysely.selectFrom('user_languages').select('language').where('user_id', '=', person.id).orderBy('language').execute();
    expect(languages.map((r) => r.language)).toEqual(['en', 'es', 'qu', 'yo']);
    const skills = await t.db.kysely.selectFrom('user_skills').select('skill').where('user_id', '=', person.id).orderBy('skill').execute();
    expect(skills.map((r) => r.skill)).toEqual(['beekeeping', 'bike repair', 'cooking', 'first_aid']);
    const slots = await t.db.kysely.selectFrom('user_availability').select(['weekday', 'part']).where('user_id', '=', person.id).orderBy('weekday').execute();
    expect(slots).toEqual([
      { weekday: 0, part: 'morning' },
      { weekday: 5, part: 'evening' },
    ]);
    const entries = await t.db.kysely.selectFrom('audit_log').selectAll().where('actor_id', '=', person.id).where('action', '=', 'profile.updated').execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.details).toEqual({});
  });

  it('replaces languages, skills and availability when saved again, and clears what was emptied', async () => {
    const person = await createPerson(t);
    const client = await signedIn(t, person);
    await client.get('/account/profile');
    expect((await postForm(client, '/account/profile', FULL)).statusCode).toBe(303);
    await client.get('/account/profile');
    const res = await postForm(client, '/account/profile', { displayName: 'Only a name', languages: 'fr' });
    expect(res.statusCode).toBe(303);
    const user = await t.db.kysely.selectFrom('users').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ pronouns: null, home_area: null, home_place_id: null, home_lat: null, home_lon: null, identity_note: null, rest_mode: false, travel_radius_km: null });
    const languages = await t.db.kysely.selectFrom('user_languages').select('language').where('user_id', '=', person.id).execute();
    expect(languages).toEqual([{ language: 'fr' }]);
    const skills = await t.db.kysely.selectFrom('user_skills').select('skill').where('user_id', '=', person.id).execute();
    expect(skills).toEqual([]);
  });

  it('has no column for a street address or postal code', async () => {
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 'public' and table_name in ('users', 'user_languages', 'user_skills', 'user_availability')`.execute(t.db.kysely);
    const names = columns.rows.map((r) => r.column_name);
    expect(names).toContain('home_area');
    expect(names.filter((n) => /address|street|postal|zip/i.test(n))).toEqual([]);
  });

  it('offers a choice when several towns share the name, and keeps the choice', async () => {
    const person = await createPerson(t);
    const client = await signedIn(t, person);
    await client.get('/account/profile');
    const res = await postForm(client, '/account/profile', { displayName: 'Sam', homeArea: 'Springfield' });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Several places have that name');
    expect(res.body).toContain('value="Sam"');
    const radios = [...res.body.matchAll(/<input[^>]*type="radio"[^>]*name="homePlaceId"[^>]*value="(\d+)"/g)].map((m) => m[1]);
    expect(radios.length).toBeGreaterThan(1);
    expect(radios).toContain('4951788'); // Springfield, Massachusetts
    expect(res.body).toContain('Springfield, MA, US');
    const user = await t.db.kysely.selectFrom('users').select('home_area').where('id', '=', person.id).executeTakeFirstOrThrow();
    expect(user.home_area).toBeNull();

    const chosen = await postForm(client, '/account/profile', { displayName: 'Sam', homeArea: 'Springfield', homePlaceId: '4951788' });
    expect(chosen.statusCode).toBe(303);
    const saved = await t.db.kysely.selectFrom('users').select(['home_area', 'home_place_id']).where('id', '=', person.id).executeTakeFirstOrThrow();
    expect(saved).toEqual({ home_area: 'Springfield, US', home_place_id: '4951788' });

    // Saving the form again as shown keeps the same Springfield.
    const page = await client.get('/account/profile');
    expect(page.body).toMatch(/<input type="hidden" name="homePlaceId" value="4951788"/);
    expect((await postForm(client, '/account/profile', { displayName: 'Sam', homeArea: 'Springfield, US', homePlaceId: '4951788' })).statusCode).toBe(303);
    const kept = await t.db.kysely.selectFrom('users').select('home_place_id').where('id', '=', person.id).executeTakeFirstOrThrow();
    expect(kept.home_place_id).toBe('4951788');

    // "City, CC" picks the country; a clearly larger town is taken without asking.
    expect((await postForm(client, '/account/profile', { displayName: 'Sam', homeArea: 'paris' })).statusCode).toBe(303);
    expect((await t.db.kysely.selectFrom('users').select('home_area').where('id', '=', person.id).executeTakeFirstOrThrow()).home_area).toBe('Paris, FR');
  });

  it('refuses an unknown town and a postal code, keeping what was typed', async () => {
    const person = await createPerson(t);
    const client = await signedIn(t, person);
    await client.get('/account/profile');
    const unknown = await postForm(client, '/account/profile', { displayName: 'Kit', homeArea: 'Qwzxville Nowhere' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.body).toContain('We could not find that town or city');
    expect(unknown.body).toContain('value="Qwzxville Nowhere"');
    expect(unknown.body).toContain('value="Kit"');
    const postal = await postForm(client, '/account/profile', { displayName: 'Kit', homeArea: '75011' });
    expect(postal.statusCode).toBe(422);
    expect(postal.body).toContain('Postal codes are not in our place list');
  });

  const BAD: Array<[string, string | string[], string]> = [
    ['displayName', '', 'field-displayName-error'],
    ['displayName', 'x'.repeat(81), 'field-displayName-error'],
    ['pronouns', 'p'.repeat(41), 'field-pronouns-error'],
    ['languages', 'xx-not', 'field-languages-error'],
    ['otherLanguages', 'qq, zz9', 'field-otherLanguages-error'],
    ['skills', 'juggling', 'field-skills-error'],
    ['tags', 't'.repeat(41), 'field-tags-error'],
    ['tags', Array.from({ length: 11 }, (_, i) => `tag${i}`).join(','), 'field-tags-error'],
    ['homeArea', 'h'.repeat(121), 'field-homeArea-error'],
    ['travelRadiusKm', '1001', 'field-travelRadiusKm-error'],
    ['travelRadiusKm', 'far', 'field-travelRadiusKm-error'],
    ['availability', 'mon:night', 'href="#field-availability"'],
    ['weeklyCapacityHours', '81', 'field-weeklyCapacityHours-error'],
    ['weeklyCapacityHours', '-1', 'field-weeklyCapacityHours-error'],
    ['identityNote', 'n'.repeat(501), 'field-identityNote-error'],
    ['email', 'someone@example.test', 'href="#field-email"'],
  ];

  it.each(BAD)('refuses a bad %s with 422, a message by the field and the other values kept', async (name, value, marker) => {
    const person = await createPerson(t, 'Before Change');
    const client = await signedIn(t, person);
    await client.get('/account/profile');
    const fields = { ...FULL, displayName: name === 'displayName' ? value : 'Kept Name', [name]: value };
    const res = await postForm(client, '/account/profile', fields);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain(marker);
    expect(res.body).toContain('id="error-summary"');
    if (name !== 'displayName') expect(res.body).toContain('value="Kept Name"');
    if (name !== 'identityNote') expect(res.body).toContain('Something only I should ever read.');
    if (name !== 'tags') expect(res.body).toContain('value="Beekeeping, bike repair"');
    const user = await t.db.kysely.selectFrom('users').select(['display_name', 'home_area']).where('id', '=', person.id).executeTakeFirstOrThrow();
    expect(user).toEqual({ display_name: 'Before Change', home_area: null });
  });

  it('never shows the identity note or home area on the admin people page', async () => {
    const person = await createPerson(t, 'Visible Name');
    const client = await signedIn(t, person);
    await client.get('/account/profile');
    expect((await postForm(client, '/account/profile', { ...FULL, displayName: 'Visible Name', identityNote: 'NOTE-SECRET-7731', homeArea: 'Lyon' })).statusCode).toBe(303);
    const admin = await createTestAdmin(t);
    const adminClient = await signedIn(t, admin);
    const list = await adminClient.get(`/admin/users?email=${encodeURIComponent(person.email)}`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Visible Name');
    expect(list.body).not.toContain('NOTE-SECRET-7731');
    expect(list.body).not.toContain('Lyon');
    // Addresses are searched, not listed.
    const table = list.body.slice(list.body.indexOf('<table'), list.body.indexOf('</table>'));
    expect(table).toContain('Visible Name');
    expect(table).not.toContain(person.email);
  });

  describe('API', () => {
    it('answers 401 problem+json without a token, and with a bad one', async () => {
      for (const headers of [{}, { authorization: 'Bearer alg_nonsense' }]) {
        const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers });
        expect(res.statusCode).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });

    it('reads, patches and validates the profile with tokens', async () => {
      const person = await createPerson(t, 'Api Person');
      const read = await createApiToken(t.db, { userId: person.id, name: 'reader', scope: 'read', requestId: 'test' });
      const write = await createApiToken(t.db, { userId: person.id, name: 'writer', scope: 'write', requestId: 'test' });
      const auth = (token: string) => ({ authorization: `Bearer ${token}` });

      const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(read.token) });
      expect(me.statusCode).toBe(200);
      expect(me.headers['cache-control']).toBe('no-store');
      expect(me.json()).toMatchObject({ id: person.id, displayName: 'Api Person', identityNote: null, languages: [], restMode: false });

      const refused = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: auth(read.token), payload: { pronouns: 'they/them' } });
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json().type).toBe('urn:alongside:problem:insufficient_scope');

      const patched = await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: auth(write.token),
        payload: { pronouns: 'they/them', languages: ['en', 'qu'], skills: ['legal'], tags: ['zine making'], availability: ['sun:afternoon'], homeArea: 'Madrid', identityNote: 'mine' },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({
        displayName: 'Api Person',
        pronouns: 'they/them',
        languages: ['en', 'qu'],
        skills: ['legal'],
        tags: ['zine making'],
        availability: ['sun:afternoon'],
        homeArea: 'Madrid, ES',
        homePoint: { lat: 40.42, lon: -3.7 },
        identityNote: 'mine',
      });

      // Fields left out keep their values.
      const partial = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: auth(write.token), payload: { restMode: true } });
      expect(partial.json()).toMatchObject({ pronouns: 'they/them', homeArea: 'Madrid, ES', restMode: true, skills: ['legal'] });

      const invalid = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: auth(write.token), payload: { travelRadiusKm: 5000, displayName: '', favouriteColour: 'green' } });
      expect(invalid.statusCode).toBe(422);
      expect(invalid.headers['content-type']).toContain('application/problem+json');
      const pointers = (invalid.json().errors as Array<{ pointer: string }>).map((e) => e.pointer).sort();
      expect(pointers).toEqual(['/displayName', '/favouriteColour', '/travelRadiusKm']);

      const ambiguous = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: auth(write.token), payload: { homeArea: 'Springfield' } });
      expect(ambiguous.statusCode).toBe(422);
      expect(ambiguous.json().errors[0].pointer).toBe('/homeArea');
      expect(ambiguous.json().errors[0].detail).toContain('homePlaceId 4951788');
      const chosen = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: auth(write.token), payload: { homeArea: 'Springfield', homePlaceId: '4951788' } });
      expect(chosen.json()).toMatchObject({ homeArea: 'Springfield, US', homePlaceId: '4951788' });

      const notObject = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { ...auth(write.token), 'content-type': 'application/json' }, payload: '[1,2]' });
      expect(notObject.statusCode).toBe(400);
      expect(notObject.headers['content-type']).toContain('application/problem+json');
    });

    it('needs the CSRF token when the API is used with the session cookie', async () => {
      const person = await createPerson(t);
      const client = await signedIn(t, person);
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { cookie }, payload: { pronouns: 'xe/xem' } });
      expect(res.statusCode).toBe(403);
      expect(res.json().type).toBe('urn:alongside:problem:csrf_failed');
      await client.get('/account/profile');
      const ok = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { cookie, 'x-csrf-token': client.csrfToken() }, payload: { pronouns: 'xe/xem' } });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().pronouns).toBe('xe/xem');
    });
  });
});
