import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { hashPassword, upsertUser } from '../../src/modules/accounts/index.js';
import { commit } from '../../src/modules/commitments/commitments.service.js';
import { JobWorker } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailHandler, MAIL_JOB } from '../../src/platform/mail/mail.js';
import { createI18n } from '../../src/platform/i18n.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const PASSWORD = 'a long enough password';
let counter = 0;

interface Person {
  id: string;
  email: string;
  token: string;
}

type Kind = 'shift' | 'skill' | 'supplies' | 'money' | 'advocacy' | 'attend';

const HOUR = 3600_000;

describe.each(engines())('commitments on %s', (engine) => {
  let t: TestApp;
  let communityId: string;
  let otherCommunityId: string;
  const p = {} as Record<'organizer' | 'ally' | 'ally2' | 'ally3' | 'otherOrganizer' | 'blocked', Person>;

  async function person(name: string): Promise<Person> {
    counter += 1;
    const email = `commit${counter}-${Date.now()}@example.test`;
    const id = await upsertUser(t.db.kysely, { email, emailNormalized: email, displayName: name, passwordHash: await hashPassword(PASSWORD), role: 'user', verified: true });
    const { token } = await createApiToken(t.db, { userId: id, name: 'commitments test', scope: 'write', requestId: 'commitments-test' });
    return { id, email, token };
  }

  async function client(who: Person): Promise<TestClient> {
    const c = new TestClient(t.app);
    expect((await c.logIn(who.email, PASSWORD)).statusCode).toBe(303);
    return c;
  }

  /** An open ask inserted directly, with windows for shifts and items for supplies. */
  async function ask(kind: Kind, options: { slots?: number[]; startsInHours?: number; capacity?: number; cutoff?: number; sensitive?: boolean; community?: string } = {}): Promise<{ id: string; windows: string[]; items: string[] }> {
    const start = new Date(Date.now() + (options.startsInHours ?? 72) * HOUR);
    const row = await t.db.kysely
      .insertInto('asks')
      .values({
        community_id: options.community ?? communityId,
        kind,
        title: `A ${kind} ask`,
        status: 'open',
        online: true,
        published_at: sql<Date>`now()`,
        withdrawal_cutoff_hours: options.cutoff ?? 24,
        location_detail: 'Back door, ring twice',
        location_sensitive: options.sensitive ?? false,
        ...(kind === 'skill' ? { deliverable: 'A flyer', estimated_hours: 3 } : {}),
        ...(kind === 'money' ? { money_goal_minor: 100000, currency: 'EUR' } : {}),
        ...(kind === 'advocacy' ? { advocacy_script: 'Call the council.' } : {}),
        ...(kind === 'attend' ? { starts_at: start, ends_at: new Date(start.getTime() + 2 * HOUR), capacity: options.capacity ?? 2 } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const windows: string[] = [];
    for (const [i, slots] of (kind === 'shift' ? (options.slots ?? [2]) : []).entries()) {
      const s = new Date(start.getTime() + i * 24 * HOUR);
      const w = await t.db.kysely.insertInto('ask_windows').values({ ask_id: row.id, starts_at: s, ends_at: new Date(s.getTime() + 3 * HOUR), slots }).returning('id').executeTakeFirstOrThrow();
      windows.push(w.id);
    }
    const items: string[] = [];
    if (kind === 'supplies') {
      const it = await t.db.kysely.insertInto('ask_items').values({ ask_id: row.id, label: 'Rice', quantity: 20, unit: 'kg' }).returning('id').executeTakeFirstOrThrow();
      items.push(it.id);
    }
    return { id: row.id, windows, items };
  }

  function api(who: Person, method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return t.app.inject({ method, url, headers: { authorization: `Bearer ${who.token}`, ...headers }, ...(body !== undefined ? { payload: body as object } : {}) });
  }

  async function state(id: string) {
    return t.db.kysely.selectFrom('commitments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  async function mails(to: string): Promise<string[]> {
    const mail = createMailHandler({ smtpUrl: undefined, from: 'x@y.z', messageIdDomain: 'test' });
    await new JobWorker({ db: t.db, handlers: { [MAIL_JOB]: mail.handler }, log: createLogger('silent') }).drain();
    const rows = await t.db.kysely.selectFrom('mail_outbox').select(['subject']).where('to_address', '=', to).orderBy('id').execute();
    return rows.map((r) => r.subject);
  }

  function idFrom(res: LightMyRequestResponse): string {
    expect(res.statusCode, res.body.slice(0, 3000)).toBe(303);
    const m = /^\/commitments\/([0-9a-f-]{36})$/.exec(String(res.headers.location));
    expect(m).not.toBeNull();
    return m![1]!;
  }

  /** The hidden fields of the warning page's form, as the browser would send them back. */
  function carried(html: string, askId: string): Record<string, string> {
    const start = html.indexOf(`<form method="post" action="/asks/${askId}/commit"`);
    const form = html.slice(start, html.indexOf('</form>', start));
    return Object.fromEntries([...form.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  }

  async function commitForm(c: TestClient, askId: string, fields: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const page = await c.get(`/asks/${askId}/commit`);
    expect(page.statusCode).toBe(200);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]!;
    return c.post(`/asks/${askId}/commit`, { idempotencyKey: key, ...fields });
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    for (const name of ['organizer', 'ally', 'ally2', 'ally3', 'otherOrganizer', 'blocked'] as const) p[name] = await person(name);
    const c = await t.db.kysely.insertInto('communities').values({ slug: 'pantry-crew', name: 'Pantry crew', mission: 'Food for all.', status: 'verified', online: true }).returning('id').executeTakeFirstOrThrow();
    communityId = c.id;
    const o = await t.db.kysely.insertInto('communities').values({ slug: 'hill-crew', name: 'Hill crew', mission: 'Elsewhere.', status: 'verified', online: true }).returning('id').executeTakeFirstOrThrow();
    otherCommunityId = o.id;
    await t.db.kysely.insertInto('memberships').values([
      { community_id: communityId, user_id: p.organizer.id, role: 'organizer' },
      { community_id: otherCommunityId, user_id: p.otherOrganizer.id, role: 'organizer' },
    ]).execute();
    await t.db.kysely.insertInto('community_blocks').values({ community_id: communityId, user_id: p.blocked.id }).execute();
    await t.db.kysely.insertInto('donation_channels').values({ community_id: communityId, label: 'Mutual aid fund', details: 'https://fund.example.test', position: 0 }).execute();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('commits to a shift window from the form, mails the ally, and a double submit makes one commitment', async () => {
    const a = await ask('shift', { slots: [2, 1] });
    const ally = await client(p.ally);
    const page = await ally.get(`/asks/${a.id}/commit`);
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)![1]!;
    const first = await ally.post(`/asks/${a.id}/commit`, { idempotencyKey: key, windowId: a.windows[0]! });
    const id = idFrom(first);
    const second = await ally.post(`/asks/${a.id}/commit`, { idempotencyKey: key, windowId: a.windows[0]! });
    expect(second.headers.location).toBe(first.headers.location);
    const rows = await t.db.kysely.selectFrom('commitments').select('id').where('ask_id', '=', a.id).execute();
    expect(rows).toHaveLength(1);
    expect((await state(id)).state).toBe('pledged');
    expect((await state(id)).planned_minutes).toBe(180);
    expect(await mails(p.ally.email)).toContain('You committed: A shift ask');
    const mine = await ally.get('/account/commitments');
    expect(mine.body).toContain('A shift ask');
    expect(mine.body).toContain('Committed');
    // The same key with other choices is refused rather than silently answered.
    const reused = await ally.post(`/asks/${a.id}/commit`, { idempotencyKey: key, windowId: a.windows[1]! });
    expect(reused.statusCode).toBe(422);
  });

  it('refuses to remove a window people committed to, and keeps their record', async () => {
    const a = await ask('shift', { slots: [2, 2] });
    const ally = await client(p.ally2);
    const committed = idFrom(await commitForm(ally, a.id, { windowId: a.windows[0]! }));
    const kept = await t.db.kysely.selectFrom('ask_windows').select(['id', 'starts_at', 'ends_at', 'slots']).where('id', '=', a.windows[1]!).executeTakeFirstOrThrow();
    const res = await api(p.organizer, 'PATCH' as 'POST', `/api/v1/asks/${a.id}`, {
      windows: [{ id: kept.id, startsAt: kept.starts_at.toISOString(), endsAt: kept.ends_at.toISOString(), slots: kept.slots }],
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().errors[0].detail).toMatch(/committed to a time window/);
    expect((await state(committed)).window_id).toBe(a.windows[0]);
    expect(await t.db.kysely.selectFrom('ask_windows').select('id').where('ask_id', '=', a.id).execute()).toHaveLength(2);
  });

  it('puts the person’s commitments and the feedback they received in their data export', async () => {
    const a = await ask('skill');
    const ally = await client(p.ally3);
    const id = idFrom(await commitForm(ally, a.id));
    await t.db.kysely.insertInto('commitment_feedback').values({ commitment_id: id, author_id: p.organizer.id, kind: 'thanks', body: 'Thank you for the careful work.' }).execute();
    const res = await ally.get('/account/data/export.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.commitments.some((c: { id: string; state: string; ask: string }) => c.id === id && c.state === 'pledged' && c.ask === 'A skill ask')).toBe(true);
    expect(doc.feedbackReceived.some((f: { commitmentId: string; body: string }) => f.commitmentId === id && f.body === 'Thank you for the careful work.')).toBe(true);
  });

  it('refuses a commit without a window, and one from a blocked person', async () => {
    const a = await ask('shift');
    const ally = await client(p.ally2);
    const res = await commitForm(ally, a.id);
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('Choose a time.');
    const blocked = await client(p.blocked);
    expect((await blocked.get(`/asks/${a.id}/commit`)).statusCode).toBe(404);
    const api404 = await api(p.blocked, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] });
    expect(api404.statusCode).toBe(404);
  });

  it('the API is idempotent with the Idempotency-Key header and answers problem+json', async () => {
    const a = await ask('shift', { slots: [3] });
    const headers = { 'idempotency-key': 'retry-key-0001' };
    const first = await api(p.ally, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] }, headers);
    expect(first.statusCode, first.body).toBe(201);
    const second = await api(p.ally, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] }, headers);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(await t.db.kysely.selectFrom('commitments').select('id').where('ask_id', '=', a.id).execute()).toHaveLength(1);
    const again = await api(p.ally, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    const invalid = await api(p.ally2, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: 'nope', extra: 1 });
    expect(invalid.statusCode).toBe(422);
    expect((invalid.json() as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer).sort()).toEqual(['/extra', '/windowId']);
    const badKey = await api(p.ally2, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] }, { 'idempotency-key': 'x' });
    expect(badKey.statusCode).toBe(400);
  });

  it('waitlists past the slots, promotes the first in line on an early withdrawal and mails them', async () => {
    const a = await ask('shift', { slots: [1] });
    const first = (await api(p.ally, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] })).json() as { commitment: { id: string; state: string } };
    const second = (await api(p.ally2, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] })).json() as { commitment: { id: string; state: string; position: number } };
    const third = (await api(p.ally3, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] })).json() as { commitment: { id: string; state: string; position: number } };
    expect([first.commitment.state, second.commitment.state, third.commitment.state]).toEqual(['pledged', 'waitlisted', 'waitlisted']);
    expect([second.commitment.position, third.commitment.position]).toEqual([1, 2]);
    const withdrawn = await api(p.ally, 'POST', `/api/v1/commitments/${first.commitment.id}/withdraw`, {});
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect((withdrawn.json() as { state: string }).state).toBe('withdrawn');
    expect((await state(second.commitment.id)).state).toBe('pledged');
    expect((await state(third.commitment.id)).state).toBe('waitlisted');
    expect(await mails(p.ally2.email)).toContain('A place opened up: A shift ask');
    // A withdrawn commitment is final.
    expect((await api(p.ally, 'POST', `/api/v1/commitments/${first.commitment.id}/withdraw`, {})).statusCode).toBe(409);
  });

  it('a withdrawal within the cutoff is late; from the waitlist it never is', async () => {
    const a = await ask('attend', { startsInHours: 2, cutoff: 24, capacity: 1 });
    const ally = await client(p.ally);
    const id = idFrom(await commitForm(ally, a.id));
    const waiting = idFrom(await commitForm(await client(p.ally2), a.id));
    expect((await state(waiting)).state).toBe('waitlisted');
    await ally.get(`/commitments/${id}`);
    expect((await ally.post(`/commitments/${id}/withdraw`)).statusCode).toBe(303);
    expect((await state(id)).state).toBe('withdrawn_late');
    expect((await state(waiting)).state).toBe('pledged');
  });

  it('warns past the weekly capacity, never blocks, and asks before leaving rest mode', async () => {
    const who = await person('tired');
    await t.db.kysely.updateTable('users').set({ weekly_capacity_hours: 2 }).where('id', '=', who.id).execute();
    const a = await ask('shift');
    const c = await client(who);
    const warned = await commitForm(c, a.id, { windowId: a.windows[0]! });
    expect(warned.statusCode).toBe(200);
    expect(warned.body).toContain('Commit anyway');
    expect(await t.db.kysely.selectFrom('commitments').select('id').where('user_id', '=', who.id).execute()).toHaveLength(0);
    const fields = carried(warned.body, a.id);
    expect(fields.acknowledgeCapacity).toBe('on');
    idFrom(await c.post(`/asks/${a.id}/commit`, fields));

    await t.db.kysely.updateTable('users').set({ rest_mode: true }).where('id', '=', who.id).execute();
    const b = await ask('skill');
    const rest = await commitForm(c, b.id);
    expect(rest.statusCode).toBe(200);
    expect(rest.body).toContain('Leave rest mode and commit');
    const restFields = carried(rest.body, b.id);
    const after = await c.post(`/asks/${b.id}/commit`, restFields);
    // Three more hours in a week already over capacity: the gentle warning comes next, and then the commit.
    expect(after.body).toContain('Commit anyway');
    const final = carried(after.body, b.id);
    idFrom(await c.post(`/asks/${b.id}/commit`, final));
    expect((await t.db.kysely.selectFrom('users').select('rest_mode').where('id', '=', who.id).executeTakeFirstOrThrow()).rest_mode).toBe(false);
    // The API does not stop for capacity: it commits and says so.
    const d = await ask('shift');
    const res = await api(who, 'POST', `/api/v1/asks/${d.id}/commitments`, { windowId: d.windows[0] });
    expect(res.statusCode).toBe(201);
    expect((res.json() as { capacityWarning: boolean }).capacityWarning).toBe(true);
  });

  it('in rest mode the API asks for leaveRest', async () => {
    const who = await person('resting');
    await t.db.kysely.updateTable('users').set({ rest_mode: true }).where('id', '=', who.id).execute();
    const a = await ask('advocacy');
    const refused = await api(who, 'POST', `/api/v1/asks/${a.id}/commitments`, {});
    expect(refused.statusCode).toBe(409);
    expect((refused.json() as { type: string }).type).toBe('urn:alongside:problem:rest_mode');
    expect((await api(who, 'POST', `/api/v1/asks/${a.id}/commitments`, { leaveRest: true })).statusCode).toBe(201);
  });

  it('commits money to a channel, supplies with a quantity, and an advocacy action reported done by the ally', async () => {
    const money = await ask('money');
    const channel = await t.db.kysely.selectFrom('donation_channels').select('id').where('community_id', '=', communityId).executeTakeFirstOrThrow();
    const m = await api(p.ally3, 'POST', `/api/v1/asks/${money.id}/commitments`, { amount: '25.50', channelId: channel.id });
    expect(m.statusCode, m.body).toBe(201);
    const mRow = await state((m.json() as { commitment: { id: string } }).commitment.id);
    expect([mRow.amount_minor, mRow.currency, mRow.channel_label]).toEqual([2550, 'EUR', 'Mutual aid fund']);
    expect((await api(p.ally2, 'POST', `/api/v1/asks/${money.id}/commitments`, { amount: '10' })).statusCode).toBe(422);

    const supplies = await ask('supplies');
    const s = await client(p.ally3);
    const sid = idFrom(await commitForm(s, supplies.id, { itemId: supplies.items[0]!, quantity: '5' }));
    expect((await state(sid)).quantity).toBe(5);

    const advocacy = await ask('advocacy');
    const aid = idFrom(await commitForm(s, advocacy.id));
    await s.get(`/commitments/${aid}`);
    expect((await s.post(`/commitments/${aid}/report`)).statusCode).toBe(303);
    const row = await state(aid);
    expect([row.state, row.self_reported]).toEqual(['done', true]);
    expect((await s.get('/account/commitments')).body).toContain('reported by you');
    // Reporting is for advocacy only.
    await s.get(`/commitments/${sid}`);
    expect((await s.post(`/commitments/${sid}/report`)).statusCode).toBe(409);
  });

  it('only organizers confirm; confirmed states are final; the bulk page confirms many at once', async () => {
    const a = await ask('shift', { slots: [5] });
    const ids: string[] = [];
    for (const who of [p.ally, p.ally2, p.ally3]) ids.push(((await api(who, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] })).json() as { commitment: { id: string } }).commitment.id);
    expect((await api(p.ally, 'POST', `/api/v1/commitments/${ids[0]}/confirm`, { outcome: 'done' })).statusCode).toBe(403);
    expect((await api(p.otherOrganizer, 'POST', `/api/v1/commitments/${ids[0]}/confirm`, { outcome: 'done' })).statusCode).toBe(404);
    const one = await api(p.organizer, 'POST', `/api/v1/commitments/${ids[0]}/confirm`, { outcome: 'partly_done', hours: '2.5', outcomeLine: 'Left early, told us' });
    expect(one.statusCode, one.body).toBe(200);
    expect((await state(ids[0]!)).done_minutes).toBe(150);
    expect((await api(p.organizer, 'POST', `/api/v1/commitments/${ids[0]}/confirm`, { outcome: 'done' })).statusCode).toBe(409);
    expect((await api(p.ally, 'POST', `/api/v1/commitments/${ids[0]}/withdraw`, {})).statusCode).toBe(409);

    const org = await client(p.organizer);
    const page = await org.get(`/asks/${a.id}/confirm`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('ally2');
    const bad = await org.post(`/asks/${a.id}/confirm`, { [`${ids[1]}.outcome`]: 'done', [`${ids[1]}.hours`]: 'lots' });
    expect(bad.statusCode).toBe(422);
    const res = await org.post(`/asks/${a.id}/confirm`, { [`${ids[1]}.outcome`]: 'done', [`${ids[1]}.hours`]: '3', [`${ids[2]}.outcome`]: 'missed', [`${ids[2]}.hours`]: '' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/asks/${a.id}/confirm?confirmed=2`);
    expect([(await state(ids[1]!)).state, (await state(ids[2]!)).state]).toEqual(['done', 'missed']);
    expect((await state(ids[1]!)).done_minutes).toBe(180);
    // An ally's own attempt at the bulk page is refused.
    expect((await (await client(p.ally)).get(`/asks/${a.id}/confirm`)).statusCode).toBe(403);
  });

  it('feedback is private, acknowledged and answered; organizers see the record, never other communities’ words', async () => {
    const here = await ask('skill');
    const there = await ask('skill', { community: otherCommunityId });
    const cid = ((await api(p.ally2, 'POST', `/api/v1/asks/${here.id}/commitments`, {})).json() as { commitment: { id: string } }).commitment.id;
    const otherId = ((await api(p.ally2, 'POST', `/api/v1/asks/${there.id}/commitments`, {})).json() as { commitment: { id: string } }).commitment.id;
    const elsewhere = await api(p.otherOrganizer, 'POST', `/api/v1/commitments/${otherId}/feedback`, { kind: 'concern', body: 'Secret words from the hill' });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    expect((await api(p.ally2, 'POST', `/api/v1/commitments/${cid}/feedback`, { kind: 'thanks', body: 'me' })).statusCode).toBe(403);
    expect((await api(p.organizer, 'POST', `/api/v1/commitments/${cid}/feedback`, { kind: 'nice', body: '' })).statusCode).toBe(422);

    const org = await client(p.organizer);
    await org.get(`/commitments/${cid}`);
    expect((await org.post(`/commitments/${cid}/feedback`, { kind: 'thanks', body: 'The flyer was lovely.' })).statusCode).toBe(303);
    expect(await mails(p.ally2.email)).toContain('Feedback from Pantry crew');

    const ally = await client(p.ally2);
    const mine = await ally.get('/account/commitments');
    expect(mine.body).toContain('The flyer was lovely.');
    expect(mine.body).toContain('Secret words from the hill');
    const feedback = await t.db.kysely.selectFrom('commitment_feedback').select('id').where('commitment_id', '=', cid).executeTakeFirstOrThrow();
    expect((await ally.post(`/account/feedback/${feedback.id}/acknowledge`, { reply: 'Thank you!' })).statusCode).toBe(303);
    expect((await ally.post(`/account/feedback/${feedback.id}/acknowledge`, {})).statusCode).toBe(409);
    // Someone else's feedback does not exist for them.
    expect((await (await client(p.ally3)).post(`/account/feedback/${feedback.id}/acknowledge`, {})).statusCode).toBe(404);

    const view = await org.get(`/commitments/${cid}`);
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('Their record');
    expect(view.body).toContain('1 of 2');
    expect(view.body).toContain('Thank you!');
    expect(view.body).not.toContain('Secret words from the hill');
    // Organizers of another community see nothing of this commitment.
    expect((await (await client(p.otherOrganizer)).get(`/commitments/${cid}`)).statusCode).toBe(404);

    const me = await api(p.ally2, 'GET', '/api/v1/me/commitments');
    expect(me.statusCode).toBe(200);
    const list = (me.json() as { commitments: Array<{ id: string; feedback: Array<{ reply: string | null }> }> }).commitments;
    expect(list.find((c) => c.id === cid)?.feedback[0]?.reply).toBe('Thank you!');
  });

  it('shows a sensitive location detail to pledged allies only', async () => {
    const a = await ask('attend', { capacity: 1, sensitive: true });
    const first = await client(p.ally3);
    const pledged = idFrom(await commitForm(first, a.id));
    expect((await first.get(`/commitments/${pledged}`)).body).toContain('Back door, ring twice');
    const second = await client(p.ally);
    const waiting = idFrom(await commitForm(second, a.id));
    expect((await second.get(`/commitments/${waiting}`)).body).not.toContain('Back door, ring twice');
    // The ask's own page and its API answer the same way.
    expect((await first.get(`/asks/${a.id}`)).body).toContain('Back door, ring twice');
    expect((await second.get(`/asks/${a.id}`)).body).not.toContain('Back door, ring twice');
    expect((await api(p.ally3, 'GET', `/api/v1/asks/${a.id}`)).body).toContain('Back door, ring twice');
    expect((await api(p.ally, 'GET', `/api/v1/asks/${a.id}`)).body).not.toContain('Back door, ring twice');
  });

  it.runIf(engine === 'postgres')('gives exactly k places to N concurrent commits, the rest in line in order', async () => {
    const a = await ask('shift', { slots: [3] });
    const people = await Promise.all(Array.from({ length: 10 }, (_, i) => person(`rush${i}`)));
    const ctx = { db: t.db, config: t.config, i18n: createI18n() };
    const results = await Promise.all(
      people.map((who, i) =>
        commit(ctx, {
          ask: { id: a.id, title: 'A shift ask', communityId },
          userId: who.id,
          commit: { windowId: a.windows[0]!, itemId: null, quantity: null, amountMinor: null, channelId: null, idempotencyKey: `rush-key-${i}`, acknowledgeCapacity: false, leaveRest: false },
          capacity: 'warn',
          requestId: `rush-${i}`,
        }),
      ),
    );
    const states = results.map((r) => (r.kind === 'committed' ? r.response.commitment.state : r.kind));
    expect(states.filter((s) => s === 'pledged')).toHaveLength(3);
    expect(states.filter((s) => s === 'waitlisted')).toHaveLength(7);
    const positions = results.flatMap((r) => (r.kind === 'committed' && r.response.commitment.position !== null ? [r.response.commitment.position] : [])).sort((x, y) => x - y);
    expect(positions).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const rows = await t.db.kysely.selectFrom('commitments').select(['state']).where('window_id', '=', a.windows[0]!).execute();
    expect(rows.filter((r) => r.state === 'pledged')).toHaveLength(3);
  });

  it.runIf(engine === 'postgres')('one idempotency key sent twice at once makes one commitment', async () => {
    const a = await ask('shift', { slots: [3] });
    const headers = { 'idempotency-key': 'parallel-key-01' };
    const [x, y] = await Promise.all([
      api(p.ally3, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] }, headers),
      api(p.ally3, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windows[0] }, headers),
    ]);
    expect([x.statusCode, y.statusCode]).toEqual([201, 201]);
    expect(x.json()).toEqual(y.json());
    expect(await t.db.kysely.selectFrom('commitments').select('id').where('ask_id', '=', a.id).execute()).toHaveLength(1);
  });
});
