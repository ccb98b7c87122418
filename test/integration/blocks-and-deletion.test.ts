/**
 * What a block and an account deletion do to places and records: a blocked person's places and
 * places in line end at once and the lines move up (never to a blocked person); queued reminders
 * for them do nothing; deleting an account frees its places for the line; keeping one's
 * contributions keeps the community's ledger exactly as it was, without the person's name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationsModule } from '../../src/modules/notifications/index.js';
import { SHIFT_REMINDER_JOB } from '../../src/modules/notifications/notifications.service.js';
import { createLogger } from '../../src/platform/logger.js';
import { MAIL_JOB } from '../../src/platform/mail/mail.js';
import type { JobRow } from '../../src/platform/jobs/index.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';
import { buildAsk, buildCommitment, buildCommunity, buildShift, buildToken, buildUser, type BuiltUser } from '../support/factories.js';

describe.each(engines())('blocks and account deletion on %s', (engine) => {
  let t: TestApp;
  let organizer: BuiltUser;
  let organizerClient: TestClient;
  let community: { id: string; slug: string };

  async function client(person: BuiltUser): Promise<TestClient> {
    const c = new TestClient(t.app);
    expect((await c.logIn(person.email, person.password)).statusCode).toBe(303);
    return c;
  }

  async function commit(person: BuiltUser, shift: { id: string; windowId: string }): Promise<{ id: string; state: string }> {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/asks/${shift.id}/commitments`,
      headers: { authorization: `Bearer ${await buildToken(t, person)}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ windowId: shift.windowId }),
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().commitment as { id: string; state: string };
  }

  const stateOf = async (id: string) => (await t.db.kysely.selectFrom('commitments').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

  async function mailsTo(person: BuiltUser): Promise<string[]> {
    const rows = await t.db.kysely.selectFrom('jobs').select('payload').where('kind', '=', MAIL_JOB).execute();
    return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { to: string; subject: string }).filter((p) => p.to === person.email).map((p) => p.subject);
  }

  async function block(person: BuiltUser): Promise<void> {
    await organizerClient.get(`/c/${community.slug}/people`);
    const res = await organizerClient.post(`/c/${community.slug}/people/${person.id}/block`);
    expect(res.statusCode).toBe(303);
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    organizer = await buildUser(t, { displayName: 'Olu Organizer' });
    community = await buildCommunity(t, { name: 'Block street pantry', organizers: [organizer] });
    organizerClient = await client(organizer);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ends a blocked person’s place and place in line, and moves the line up to the next person', async () => {
    const shift = await buildShift(t, community, { slots: 1 });
    const [holder, waiting, next] = await Promise.all([buildUser(t), buildUser(t), buildUser(t)]);
    const held = await commit(holder, shift);
    const inLine = await commit(waiting, shift);
    const third = await commit(next, shift);
    expect([held.state, inLine.state, third.state]).toEqual(['pledged', 'waitlisted', 'waitlisted']);

    await block(waiting);
    expect(await stateOf(inLine.id)).toBe('withdrawn');
    await block(holder);
    expect(await stateOf(held.id)).toBe('withdrawn');
    // The place went to the next person who is not blocked, and they heard about it.
    expect(await stateOf(third.id)).toBe('pledged');
    expect((await mailsTo(next)).some((s) => /place/i.test(s))).toBe(true);
    expect(await mailsTo(waiting)).not.toContainEqual(expect.stringMatching(/place/i));
  });

  it('never promotes a blocked person, even one left in a line from before', async () => {
    const shift = await buildShift(t, community, { slots: 1 });
    const [holder, blocked, fine] = await Promise.all([buildUser(t), buildUser(t), buildUser(t)]);
    const held = await commit(holder, shift);
    const left = await commit(blocked, shift);
    const other = await commit(fine, shift);
    // A block written without ending the line (as data from before this rule would be).
    await t.db.kysely.insertInto('community_blocks').values({ community_id: community.id, user_id: blocked.id, blocked_by: organizer.id }).execute();
    const c = await client(holder);
    await c.get(`/commitments/${held.id}`);
    expect((await c.post(`/commitments/${held.id}/withdraw`)).statusCode).toBe(303);
    expect(await stateOf(left.id)).toBe('waitlisted');
    expect(await stateOf(other.id)).toBe('pledged');
  });

  it('sends no reminder for a place that ended with a block', async () => {
    const shift = await buildShift(t, community, { slots: 3, startsInHours: 20 });
    const person = await buildUser(t);
    const held = await commit(person, shift);
    await block(person);
    const handler = notificationsModule.jobs!(t.ctx)[SHIFT_REMINDER_JOB]!;
    await handler({ id: 0, kind: SHIFT_REMINDER_JOB, payload: { commitmentId: held.id } } as unknown as JobRow, { db: t.db, log: createLogger('silent') });
    expect((await mailsTo(person)).filter((s) => /Tomorrow/.test(s))).toEqual([]);
  });

  it('gives the place of a deleted account to the first in line, in the same step', async () => {
    const shift = await buildShift(t, community, { slots: 1 });
    const [leaving, waiting] = await Promise.all([buildUser(t), buildUser(t)]);
    await commit(leaving, shift);
    const inLine = await commit(waiting, shift);
    const c = await client(leaving);
    await c.get('/account/data/delete');
    expect((await c.post('/account/data/delete', { password: leaving.password, confirm: 'on', content: 'delete' })).statusCode).toBe(200);
    expect(await stateOf(inLine.id)).toBe('pledged');
  });

  it('keeps the ledger exactly as it was when a person deletes their account and keeps their contributions, without their name', async () => {
    const giver = await buildUser(t, { displayName: 'Gwen Giver' });
    const asks = [await buildAsk(t, community, { title: 'Paint the hall' }), await buildAsk(t, community, { title: 'Fix the van' })];
    const confirmed = [await buildCommitment(t, asks[0]!, giver, { state: 'done' }), await buildCommitment(t, asks[1]!, giver, { state: 'done' })];
    await buildCommitment(t, asks[0]!, await buildUser(t), { state: 'done' });
    await t.db.kysely.insertInto('commitment_feedback').values({ commitment_id: confirmed[0]!.id, author_id: organizer.id, kind: 'thanks', body: 'Thank you, Gwen.', acknowledged_at: new Date(), reply: 'Glad to help — Gwen' }).execute();
    const token = await buildToken(t, organizer);
    const ledger = async () => (await t.app.inject({ method: 'GET', url: `/api/v1/communities/${community.slug}/ledger`, headers: { authorization: `Bearer ${token}` } })).json() as Record<string, unknown>;
    const before = await ledger();

    const c = await client(giver);
    await c.get('/account/data/delete');
    expect((await c.post('/account/data/delete', { password: giver.password, confirm: 'on', content: 'anonymise' })).statusCode).toBe(200);

    expect(await ledger()).toEqual(before);
    const csv = (await organizerClient.get(`/c/${community.slug}/ledger.csv`)).body;
    expect(csv).not.toContain('Gwen');
    expect(csv).toContain('(former ally)');
    const kept = await t.db.kysely.selectFrom('commitments').select(['user_id', 'former_ally', 'done_minutes']).where('id', 'in', confirmed.map((x) => x.id)).execute();
    expect(kept).toHaveLength(2);
    expect(kept.every((k) => k.user_id === null && k.former_ally !== null && k.former_ally === kept[0]!.former_ally)).toBe(true);
    expect(await t.db.kysely.selectFrom('commitment_feedback').select('id').where('commitment_id', 'in', confirmed.map((x) => x.id)).execute()).toEqual([]);
    // The organizer's page of that work names "a former ally".
    const page = await organizerClient.get(`/commitments/${confirmed[0]!.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('a former ally');
    expect(page.body).not.toContain('Gwen');
  });

  it('takes the confirmed work with the account when the person chose to delete it', async () => {
    const giver = await buildUser(t);
    const ask = await buildAsk(t, community);
    const done = await buildCommitment(t, ask, giver, { state: 'done' });
    const c = await client(giver);
    await c.get('/account/data/delete');
    expect((await c.post('/account/data/delete', { password: giver.password, confirm: 'on', content: 'delete' })).statusCode).toBe(200);
    expect(await t.db.kysely.selectFrom('commitments').select('id').where('id', '=', done.id).execute()).toEqual([]);
  });
});
