import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { hashPassword, upsertUser } from '../../src/modules/accounts/index.js';
import { notificationsModule } from '../../src/modules/notifications/index.js';
import { enqueueDailyDigest } from '../../src/modules/notifications/notifications.service.js';
import { JobWorker } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailHandler, MAIL_JOB } from '../../src/platform/mail/mail.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const PASSWORD = 'a long enough password';
const HOUR = 3_600_000;
const KINDS = ['commitment_received', 'waitlist_promotion', 'shift_reminder', 'feedback_received', 'organizer_digest'] as const;
let counter = 0;

interface Person {
  id: string;
  email: string;
  token: string;
}

describe.each(engines())('notifications on %s', (engine) => {
  let t: TestApp;
  let communityId: string;
  let worker: JobWorker;
  let organizer: Person;
  let organizer2: Person;

  async function person(name: string, locale: 'en' | 'es' | null = null): Promise<Person> {
    counter += 1;
    const email = `notify${counter}-${Date.now()}@example.test`;
    const id = await upsertUser(t.db.kysely, { email, emailNormalized: email, displayName: name, passwordHash: await hashPassword(PASSWORD), role: 'user', verified: true });
    if (locale) await t.db.kysely.updateTable('users').set({ locale }).where('id', '=', id).execute();
    const { token } = await createApiToken(t.db, { userId: id, name: 'notifications test', scope: 'write', requestId: 'notifications-test' });
    return { id, email, token };
  }

  async function client(who: Person): Promise<TestClient> {
    const c = new TestClient(t.app);
    expect((await c.logIn(who.email, PASSWORD)).statusCode).toBe(303);
    return c;
  }

  function api(who: Person, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<LightMyRequestResponse> {
    return t.app.inject({ method, url, headers: { authorization: `Bearer ${who.token}` }, ...(body !== undefined ? { payload: body as object } : {}) });
  }

  /** An open shift ask with one window starting `startsInHours` from now (negative: in the past). */
  async function shift(title: string, startsInHours: number, options: { community?: string; slots?: number } = {}): Promise<{ id: string; windowId: string }> {
    const row = await t.db.kysely
      .insertInto('asks')
      .values({ community_id: options.community ?? communityId, kind: 'shift', title, status: 'open', online: true, published_at: sql<Date>`now()`, time_zone: 'Europe/Madrid' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const starts = new Date(Date.now() + startsInHours * HOUR);
    const w = await t.db.kysely.insertInto('ask_windows').values({ ask_id: row.id, starts_at: starts, ends_at: new Date(starts.getTime() + 2 * HOUR), slots: options.slots ?? 5 }).returning('id').executeTakeFirstOrThrow();
    return { id: row.id, windowId: w.id };
  }

  async function commitTo(who: Person, a: { id: string; windowId: string }): Promise<string> {
    const res = await api(who, 'POST', `/api/v1/asks/${a.id}/commitments`, { windowId: a.windowId });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { commitment: { id: string } }).commitment.id;
  }

  async function drain(): Promise<void> {
    await worker.drain();
  }

  async function outbox(to: string): Promise<Array<{ subject: string; text: string }>> {
    await drain();
    const rows = await t.db.kysely.selectFrom('mail_outbox').select(['subject', 'text_body']).where('to_address', '=', to).orderBy('id').execute();
    return rows.map((r) => ({ subject: r.subject, text: r.text_body }));
  }

  async function reminderJob(commitmentId: string) {
    return t.db.kysely.selectFrom('jobs').select(['id', 'run_at', 'state']).where('dedupe_key', '=', `shift_reminder:${commitmentId}`).executeTakeFirst();
  }

  /** Makes the reminder due now, as if the day before the shift had come. */
  async function makeDue(commitmentId: string): Promise<void> {
    await t.db.kysely.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000) }).where('dedupe_key', '=', `shift_reminder:${commitmentId}`).execute();
  }

  async function preference(userId: string, kind: string): Promise<boolean | undefined> {
    const row = await t.db.kysely.selectFrom('notification_preferences').select('email').where('user_id', '=', userId).where('kind', '=', kind as never).executeTakeFirst();
    return row?.email;
  }

  async function mailPayloads(to: string): Promise<Array<{ subject: string; unsubscribeUrl?: string }>> {
    const rows = await t.db.kysely.selectFrom('jobs').select('payload').where('kind', '=', MAIL_JOB).orderBy('id').execute();
    return rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as { to: string; subject: string; unsubscribeUrl?: string }).filter((p) => p.to === to);
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    const jobs = notificationsModule.jobs!(t.ctx);
    const mail = createMailHandler({ smtpUrl: undefined, from: 'x@y.z', messageIdDomain: 'test' });
    worker = new JobWorker({ db: t.db, handlers: { [MAIL_JOB]: mail.handler, ...jobs }, log: createLogger('silent') });
    organizer = await person('Organizer');
    organizer2 = await person('Organizadora', 'es');
    const c = await t.db.kysely.insertInto('communities').values({ slug: 'notify-crew', name: 'Notify crew', mission: 'Food for all.', status: 'verified', online: true }).returning('id').executeTakeFirstOrThrow();
    communityId = c.id;
    await t.db.kysely
      .insertInto('memberships')
      .values([
        { community_id: communityId, user_id: organizer.id, role: 'organizer' },
        { community_id: communityId, user_id: organizer2.id, role: 'organizer' },
      ])
      .execute();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps preferences from the page and the API, both ways, and refuses bad input', async () => {
    const ally = await person('Prefs');
    const c = await client(ally);
    const page = await c.get('/account/notifications');
    expect(page.statusCode).toBe(200);
    for (const kind of KINDS) expect(page.body).toMatch(new RegExp(`name="${kind}" type="checkbox" checked`));

    const saved = await c.post('/account/notifications', { commitment_received: 'on', waitlist_promotion: 'on', feedback_received: 'on' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/account/notifications?saved=1');
    const after = await c.get('/account/notifications?saved=1');
    expect(after.body).toContain('Your choices are saved.');
    expect(after.body).toMatch(/name="commitment_received" type="checkbox" checked/);
    expect(after.body).not.toMatch(/name="shift_reminder" type="checkbox" checked/);
    expect((await api(ally, 'GET', '/api/v1/me/notifications')).json()).toEqual({
      commitment_received: true,
      waitlist_promotion: true,
      shift_reminder: false,
      feedback_received: true,
      organizer_digest: false,
    });

    const put = await api(ally, 'PUT', '/api/v1/me/notifications', { commitment_received: false, waitlist_promotion: true, shift_reminder: true, feedback_received: true, organizer_digest: true });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ commitment_received: false, shift_reminder: true });
    const reread = await c.get('/account/notifications');
    expect(reread.body).not.toMatch(/name="commitment_received" type="checkbox" checked/);
    expect(reread.body).toMatch(/name="shift_reminder" type="checkbox" checked/);

    const refused = await c.post('/account/notifications', { shift_reminder: 'on', marketing: 'on' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('id="error-summary"');
    expect(await preference(ally.id, 'commitment_received')).toBe(false);
    const bad = await api(ally, 'PUT', '/api/v1/me/notifications', { shift_reminder: 'yes' });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((bad.json() as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer)).toContain('/shift_reminder');
    expect((await api(ally, 'GET', '/api/v1/me/notifications')).json()).toMatchObject({ commitment_received: false, shift_reminder: true });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/notifications' })).statusCode).toBe(401);
  });

  it('puts a signed unsubscribe link in every mail: opening it changes nothing, the button and the one-click POST unsubscribe', async () => {
    const ally = await person('Unsub');
    const a = await shift('Sorting day', 72);
    await commitTo(ally, a);
    const payloads = await mailPayloads(ally.email);
    expect(payloads.map((p) => p.subject)).toEqual(['You committed: Sorting day']);
    const link = new URL(payloads[0]!.unsubscribeUrl!);
    expect(link.origin).toBe(t.config.publicUrl.origin);
    expect(link.pathname).toBe('/unsubscribe');
    expect(link.searchParams.get('u')).toBe(ally.id);
    expect(link.searchParams.get('k')).toBe('commitment_received');
    const [mail] = await outbox(ally.email);
    expect(mail!.text).toContain(link.toString());
    const path = `${link.pathname}${link.search}`;

    // A scanner (or a person) opening the link only sees a button.
    const visitor = new TestClient(t.app);
    const shown = await visitor.get(path);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toMatch(/<form method="post" action="\/unsubscribe\?u=/);
    expect(shown.body).toContain('<button type="submit">Stop these mails</button>');
    expect(await preference(ally.id, 'commitment_received')).toBeUndefined();

    const pressed = await visitor.post(path, {});
    expect(pressed.statusCode).toBe(303);
    expect(pressed.headers.location).toBe(path);
    expect(await preference(ally.id, 'commitment_received')).toBe(false);
    expect(await preference(ally.id, 'shift_reminder')).toBeUndefined();
    expect((await visitor.get(path)).body).toContain('you will no longer get mails of this kind');

    // The next commitment mail is not sent.
    await commitTo(ally, await shift('Second day', 72));
    expect((await outbox(ally.email)).map((m) => m.subject)).toEqual(['You committed: Sorting day']);
  });

  it('takes the RFC 8058 one-click POST without cookies or a CSRF token, and refuses tampered links', async () => {
    const ally = await person('OneClick');
    const a = await shift('Kitchen shift', 72);
    await commitTo(ally, a);
    const link = new URL((await mailPayloads(ally.email))[0]!.unsubscribeUrl!);
    const path = `${link.pathname}${link.search}`;

    const tampered = `${path.slice(0, -1)}${path.endsWith('0') ? '1' : '0'}`;
    expect((await t.app.inject({ method: 'GET', url: tampered })).statusCode).toBe(400);
    const forged = await t.app.inject({ method: 'POST', url: tampered, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(forged.statusCode).toBe(400);
    const otherKind = path.replace('k=commitment_received', 'k=organizer_digest');
    expect((await t.app.inject({ method: 'POST', url: otherKind, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(400);
    expect(await preference(ally.id, 'commitment_received')).toBeUndefined();
    expect(await preference(ally.id, 'organizer_digest')).toBeUndefined();

    const odd = await t.app.inject({ method: 'POST', url: path, payload: 'List-Unsubscribe=Everything', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(odd.statusCode).toBe(400);
    expect(await preference(ally.id, 'commitment_received')).toBeUndefined();

    const oneClick = await t.app.inject({ method: 'POST', url: path, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(oneClick.statusCode).toBe(200);
    expect(await preference(ally.id, 'commitment_received')).toBe(false);

    // The multipart encoding of the same request works too.
    const boundary = 'xYzBoundary';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const ally2 = await person('Multipart');
    await commitTo(ally2, await shift('Multipart shift', 72));
    const link2 = new URL((await mailPayloads(ally2.email))[0]!.unsubscribeUrl!);
    const viaMultipart = await t.app.inject({ method: 'POST', url: `${link2.pathname}${link2.search}`, payload: multipart, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(viaMultipart.statusCode).toBe(200);
    expect(await preference(ally2.id, 'commitment_received')).toBe(false);
  });

  it('queues a reminder a day before the shift, or at once when less is left, and sends it only while pledged', async () => {
    const ally = await person('Reminded', 'es');
    const far = await shift('Turno lejano', 72);
    const farId = await commitTo(ally, far);
    const farJob = await reminderJob(farId);
    const start = Date.now() + 72 * HOUR;
    expect(Math.abs(farJob!.run_at.getTime() - (start - 24 * HOUR))).toBeLessThan(60_000);

    const soon = await shift('Turno cercano', 3);
    const soonId = await commitTo(ally, soon);
    const soonJob = await reminderJob(soonId);
    expect(Math.abs(soonJob!.run_at.getTime() - Date.now())).toBeLessThan(60_000);

    // No reminder for a shift that has started.
    const started = await shift('Turno empezado', -1);
    expect(await reminderJob(await commitTo(ally, started))).toBeUndefined();

    await outbox(ally.email);
    const reminders = (await outbox(ally.email)).filter((m) => m.subject.startsWith('Mañana'));
    expect(reminders.map((m) => m.subject)).toEqual(['Mañana: Turno cercano']);
    expect(reminders[0]!.text).toContain('Hola, Reminded:');
    expect(reminders[0]!.text).toMatch(/Empieza el \p{L}+, \d+ de \p{L}+ de \d{4}/u);
    expect(reminders[0]!.text).toContain('/unsubscribe?');
    const reminderPayload = (await mailPayloads(ally.email)).find((p) => p.subject === 'Mañana: Turno cercano');
    expect(new URL(reminderPayload!.unsubscribeUrl!).searchParams.get('k')).toBe('shift_reminder');

    // Idempotent: the same job again, or the reminder scheduled again, sends nothing more.
    await t.db.kysely.updateTable('jobs').set({ state: 'pending', run_at: new Date(Date.now() - 1000), attempts: 0 }).where('id', '=', soonJob!.id).execute();
    expect((await outbox(ally.email)).filter((m) => m.subject.startsWith('Mañana'))).toHaveLength(1);

    // Withdrawn before the day comes: no mail.
    const withdrawn = await api(ally, 'POST', `/api/v1/commitments/${farId}/withdraw`, {});
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    await makeDue(farId);
    expect((await outbox(ally.email)).filter((m) => m.subject.startsWith('Mañana'))).toHaveLength(1);
    expect((await reminderJob(farId))!.state).toBe('done');
  });

  it('sends no reminder in rest mode or with reminders off, and one to a person promoted from the waitlist', async () => {
    const resting = await person('Resting');
    const restId = await commitTo(resting, await shift('Rest shift', 48));
    await t.db.kysely.updateTable('users').set({ rest_mode: true }).where('id', '=', resting.id).execute();
    await makeDue(restId);
    expect((await outbox(resting.email)).map((m) => m.subject)).toEqual(['You committed: Rest shift']);

    const quiet = await person('Quiet');
    await api(quiet, 'PUT', '/api/v1/me/notifications', { commitment_received: true, waitlist_promotion: true, shift_reminder: false, feedback_received: true, organizer_digest: true });
    const quietId = await commitTo(quiet, await shift('Quiet shift', 48));
    await makeDue(quietId);
    expect((await outbox(quiet.email)).map((m) => m.subject)).toEqual(['You committed: Quiet shift']);

    const first = await person('First');
    const second = await person('Second');
    const full = await shift('Full shift', 10, { slots: 1 });
    const firstId = await commitTo(first, full);
    const secondId = await commitTo(second, full);
    expect(await reminderJob(secondId)).toBeUndefined();
    expect((await api(first, 'POST', `/api/v1/commitments/${firstId}/withdraw`, {})).statusCode).toBe(200);
    expect(await reminderJob(secondId)).toBeDefined();
    // The worker sends several mails at once, so the outbox order is not the order they were queued in.
    const subjects = (await outbox(second.email)).map((m) => m.subject).sort();
    expect(subjects).toEqual(['A place opened up: Full shift', 'Tomorrow: Full shift', 'You are on the waitlist: Full shift']);
    const promoted = (await mailPayloads(second.email)).find((p) => p.subject.startsWith('A place'));
    expect(new URL(promoted!.unsubscribeUrl!).searchParams.get('k')).toBe('waitlist_promotion');
  });

  it('sends each organizer one digest a day listing only ended, unconfirmed commitments, in their language', async () => {
    const ended = await shift('Ended shift', -5);
    const endedToo = await shift('Another ended shift', -30);
    const future = await shift('Future shift', 30);
    const other = await t.db.kysely.insertInto('communities').values({ slug: 'digest-other', name: 'Other crew', mission: 'Elsewhere.', status: 'verified', online: true }).returning('id').executeTakeFirstOrThrow();
    const elsewhere = await shift('Elsewhere shift', -5, { community: other.id });
    const allies = await Promise.all([person('D1'), person('D2'), person('D3')]);
    const insert = (a: { id: string; windowId: string }, userId: string, state: 'pledged' | 'done') =>
      t.db.kysely
        .insertInto('commitments')
        .values({ ask_id: a.id, window_id: a.windowId, user_id: userId, state, planned_minutes: 120, ...(state === 'done' ? { confirmed_at: new Date() } : {}) })
        .execute();
    await insert(ended, allies[0]!.id, 'pledged');
    await insert(ended, allies[1]!.id, 'pledged');
    await insert(ended, allies[2]!.id, 'done');
    await insert(endedToo, allies[0]!.id, 'pledged');
    await insert(future, allies[1]!.id, 'pledged');
    await insert(elsewhere, allies[2]!.id, 'pledged');
    // The organizer's own commitment is not theirs to confirm.
    await insert(endedToo, organizer.id, 'pledged');

    await enqueueDailyDigest(t.db.kysely);
    await enqueueDailyDigest(t.db.kysely);
    const mails = await outbox(organizer.email);
    const digests = mails.filter((m) => m.subject.includes('waiting for confirmation'));
    expect(digests).toHaveLength(1);
    const digest = digests[0]!;
    expect(digest.subject).toBe('3 commitments are waiting for confirmation');
    expect(digest.text).toContain('Notify crew:');
    expect(digest.text).toContain(`- Ended shift: 2 waiting\n  ${new URL(`/asks/${ended.id}/confirm`, t.config.publicUrl).toString()}`);
    expect(digest.text).toContain(`- Another ended shift: 1 waiting\n  ${new URL(`/asks/${endedToo.id}/confirm`, t.config.publicUrl).toString()}`);
    expect(digest.text).not.toContain('Future shift');
    expect(digest.text).not.toContain('Elsewhere shift');
    expect(digest.text).toContain('/unsubscribe?');

    const spanish = (await outbox(organizer2.email)).filter((m) => m.subject.includes('confirmación'));
    expect(spanish.map((m) => m.subject)).toEqual(['4 compromisos esperan confirmación']);

    // Not twice the same day, even if the job is run again.
    await t.db.kysely.updateTable('jobs').set({ state: 'pending', run_at: new Date(Date.now() - 1000), attempts: 0 }).where('kind', '=', 'organizer_digest').execute();
    await drain();
    expect((await outbox(organizer.email)).filter((m) => m.subject.includes('waiting for confirmation'))).toHaveLength(1);
    const payload = (await mailPayloads(organizer.email)).find((p) => p.subject.includes('waiting for confirmation'));
    expect(new URL(payload!.unsubscribeUrl!).searchParams.get('k')).toBe('organizer_digest');

    // An organizer with the digest off gets none.
    await api(organizer2, 'PUT', '/api/v1/me/notifications', { commitment_received: true, waitlist_promotion: true, shift_reminder: true, feedback_received: true, organizer_digest: false });
    await t.db.kysely.deleteFrom('jobs').where('kind', '=', 'organizer_digest').execute();
    await t.db.kysely.deleteFrom('jobs').where('dedupe_key', 'like', 'mail:organizer_digest:%').execute();
    await enqueueDailyDigest(t.db.kysely);
    await drain();
    expect((await outbox(organizer2.email)).filter((m) => m.subject.includes('confirmación'))).toHaveLength(1);
    expect((await outbox(organizer.email)).filter((m) => m.subject.includes('waiting for confirmation'))).toHaveLength(2);
  });
});
