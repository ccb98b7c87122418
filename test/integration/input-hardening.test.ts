/**
 * Bad input of the kinds an outside review sent: forged page cursors, impossible dates, text that
 * reverses itself, a NUL in a search. Each gets a clear refusal, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';
import { buildCommunity, buildToken, buildUser, type BuiltUser } from '../support/factories.js';

const FORGED = [
  // A cursor of the right shape whose date does not exist.
  Buffer.from(JSON.stringify(['community-asks', '2027-02-30T10:00:00.000000Z', '00000000-0000-4000-8000-000000000001'])).toString('base64url'),
  Buffer.from(JSON.stringify(['admin-people', '2027-13-01T10:00:00.000000Z', '00000000-0000-4000-8000-000000000001'])).toString('base64url'),
  Buffer.from(JSON.stringify(['date', '2027-02-30T10:00:00.000000Z', '00000000-0000-4000-8000-000000000001'])).toString('base64url'),
  'bm90LWEtY3Vyc29y',
  '%00',
];

describe.each(engines())('bad input on %s', (engine) => {
  let t: TestApp;
  let organizer: BuiltUser;
  let community: { slug: string };

  async function client(person: BuiltUser): Promise<TestClient> {
    const c = new TestClient(t.app);
    expect((await c.logIn(person.email, person.password)).statusCode).toBe(303);
    return c;
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    organizer = await buildUser(t);
    community = await buildCommunity(t, { organizers: [organizer] });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a forged cursor with 400, on pages and in the API, never 500', async () => {
    const admin = await client(await buildUser(t, { role: 'admin' }));
    const anonymous = new TestClient(t.app);
    for (const cursor of FORGED) {
      for (const [who, url] of [
        [anonymous, `/search?q=bread&cursor=${cursor}`],
        [anonymous, `/search?near=Madrid&after=${cursor}`],
        [anonymous, `/c/${community.slug}/asks?cursor=${cursor}`],
        [anonymous, `/c/${community.slug}/asks?after=${cursor}`],
        [anonymous, `/communities?cursor=${cursor}`],
        [admin, `/admin/users?cursor=${cursor}`],
        [admin, `/admin/audit?cursor=${cursor}`],
        [admin, `/admin/jobs?cursor=${cursor}`],
        [anonymous, `/api/v1/search/asks?cursor=${cursor}`],
        [anonymous, `/api/v1/communities/${community.slug}/asks?cursor=${cursor}`],
      ] as const) {
        const res = await who.get(url);
        expect(res.statusCode, `${url}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${url}`).toBeLessThan(500);
      }
    }
  });

  it('searches people for a NUL without failing', async () => {
    const admin = await client(await buildUser(t, { role: 'admin' }));
    const res = await admin.get('/admin/users?email=%00');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="users-title"');
  });

  it('refuses an impossible date next to its field instead of rolling it over', async () => {
    const token = await buildToken(t, organizer);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/communities/${community.slug}/asks`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'shift', title: 'Leap shift', online: true, language: 'en', windows: [{ startsAt: '2027-02-30T10:00Z', endsAt: '2027-02-30T12:00Z', slots: 2 }] }),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/windows/0/endsAt', '/windows/0/startsAt']);
    const c = await client(organizer);
    await c.get(`/c/${community.slug}/asks/new`);
    const page = await c.post(`/c/${community.slug}/asks`, { kind: 'attend', title: 'Leap evening', language: 'en', online: 'on', startsAt: '2031-02-29T18:00', capacity: '10' });
    expect(page.statusCode).toBe(422);
    expect(page.body).toContain('role="alert"');
  });

  it('refuses direction overrides in names and titles, keeps right-to-left names whole', async () => {
    const person = await buildUser(t);
    const c = await client(person);
    await c.get('/account/profile');
    const reversed = await c.post('/account/profile', { displayName: 'Admin\u202Enimda', languages: 'en' });
    expect(reversed.statusCode).toBe(422);
    expect(reversed.body).toContain('invisible characters that change the direction');
    expect((await c.post('/account/profile', { displayName: 'أمل علي', languages: 'ar' })).statusCode).toBe(303);
    const token = await buildToken(t, organizer);
    const api = await t.app.inject({
      method: 'POST',
      url: `/api/v1/communities/${community.slug}/asks`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'skill', title: 'Proofread \u2066the\u2069 flyer', online: true, language: 'en', deliverable: 'A flyer', estimatedHours: 2 }),
    });
    expect(api.statusCode).toBe(422);
    expect(api.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/title']);
  });
});
