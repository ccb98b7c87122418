/**
 * The journal end to end on both engines: written on the page and through the API, offered at the
 * right moments, readable by its author alone by every route, never stored or logged in the clear,
 * in the author's export, and gone with the account.
 */
import { sql } from 'kysely';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, createTestApp, TestClient, type TestApp } from '../../../test/support/app.js';
import { engines } from '../../../test/support/db.js';
import { buildAsk, buildCommitment, buildCommunity, buildToken, buildUser, type BuiltUser } from '../../../test/support/factories.js';
import { readEntry } from './journal.service.js';

const MARKER = 'quiet-heron-7731';

describe.each(engines())('the journal on %s', (engine) => {
  let t: TestApp;
  const logs: string[] = [];
  let ally: BuiltUser;
  let allyToken: string;
  let organizer: BuiltUser;
  let other: BuiltUser;
  let confirmedId: string;
  let feedbackId: string;
  let entryId: string;

  async function client(person: { email: string; password: string }): Promise<TestClient> {
    const c = new TestClient(t.app);
    expect((await c.logIn(person.email, person.password)).statusCode).toBe(303);
    return c;
  }

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, token: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}) });

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    t = await createTestApp(engine, { logStream: stream });
    ally = await buildUser(t, { displayName: 'Jo Ally' });
    organizer = await buildUser(t, { displayName: 'Olu Organizer' });
    other = await buildUser(t, { displayName: 'Another Ally' });
    allyToken = await buildToken(t, ally);
    const community = await buildCommunity(t, { name: 'Journal pantry', organizers: [organizer] });
    const ask = await buildAsk(t, community, { title: 'Sort the Saturday delivery' });
    confirmedId = (await buildCommitment(t, ask, ally, { state: 'done' })).id;
    const feedback = await t.db.kysely
      .insertInto('commitment_feedback')
      .values({ commitment_id: confirmedId, author_id: organizer.id, kind: 'thanks', body: 'You kept the line calm.' })
      .returning('id')
      .executeTakeFirstOrThrow();
    feedbackId = feedback.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('offers a prompt for a confirmed commitment and for feedback received, and the page answers one', async () => {
    const c = await client(ally);
    const journal = await c.get('/journal');
    expect(journal.statusCode).toBe(200);
    expect(journal.body).toContain('Only you can read this journal');
    expect(journal.body).toContain(`about=commitment%3A${confirmedId}`);
    expect(journal.body).toContain(`about=feedback%3A${feedbackId}`);
    const form = await c.get(`/journal/new?prompt=after_confirmation&about=commitment:${confirmedId}`);
    expect(form.body).toContain('Sort the Saturday delivery');
    const refused = await c.post('/journal', { prompt: 'after_confirmation', about: `commitment:${confirmedId}`, body: '' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('role="alert"');
    const saved = await c.post('/journal', { prompt: 'after_confirmation', about: `commitment:${confirmedId}`, title: 'Saturday', body: `The queue taught me patience. ${MARKER}` });
    expect(saved.statusCode).toBe(303);
    entryId = /^\/journal\/([0-9a-f-]{36})\?saved=1$/.exec(String(saved.headers.location))![1]!;
    const entry = await c.get(String(saved.headers.location));
    expect(entry.body).toContain(MARKER);
    expect(entry.body).toContain('Your entry is saved.');
    // Answered: the commitment's prompt is no longer offered; the feedback's still is.
    const after = await c.get('/journal');
    expect(after.body).not.toContain(`about=commitment%3A${confirmedId}`);
    expect(after.body).toContain(`about=feedback%3A${feedbackId}`);
    expect(after.body).toContain(`/journal/${entryId}`);
  });

  it('refuses to tie an entry to someone else’s record', async () => {
    const mine = await api('POST', '/api/v1/me/journal', await buildToken(t, other), { body: 'Trying to peek.', about: { kind: 'commitment', id: confirmedId } });
    expect(mine.statusCode).toBe(422);
    expect(mine.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/about']);
  });

  it('reads, writes, changes and deletes entries through the API with the author’s token', async () => {
    const list = await api('GET', '/api/v1/me/journal', allyToken);
    expect(list.json().entries.map((e: { id: string }) => e.id)).toContain(entryId);
    const made = await api('POST', '/api/v1/me/journal', allyToken, { body: 'A second thought.', prompt: 'after_feedback', about: { kind: 'feedback', id: feedbackId } });
    expect(made.statusCode).toBe(201);
    const id = made.json().id as string;
    const patched = await api('PATCH', `/api/v1/me/journal/${id}`, allyToken, { title: 'On feedback' });
    expect(patched.json()).toMatchObject({ title: 'On feedback', body: 'A second thought.', about: { kind: 'feedback', id: feedbackId } });
    expect((await api('GET', '/api/v1/me/journal/prompts', allyToken)).json().prompts).toEqual([]);
    expect((await api('DELETE', `/api/v1/me/journal/${id}`, allyToken)).statusCode).toBe(204);
    expect((await api('GET', `/api/v1/me/journal/${id}`, allyToken)).statusCode).toBe(404);
    expect((await api('PATCH', `/api/v1/me/journal/${entryId}`, allyToken, { body: 7 })).statusCode).toBe(422);
  });

  it('offers the weekly prompt only to those who ask for it, when they have not written for a week', async () => {
    const token = await buildToken(t, other);
    expect((await api('GET', '/api/v1/me/journal/prompts', token)).json()).toEqual({ prompts: [], weeklyPrompt: false });
    expect((await api('PUT', '/api/v1/me/journal/settings', token, { weeklyPrompt: true })).json()).toEqual({ weeklyPrompt: true });
    expect((await api('GET', '/api/v1/me/journal/prompts', token)).json().prompts.map((p: { prompt: string }) => p.prompt)).toEqual(['weekly']);
    await api('POST', '/api/v1/me/journal', token, { body: 'This week.' });
    expect((await api('GET', '/api/v1/me/journal/prompts', token)).json().prompts).toEqual([]);
  });

  it('is reached by nobody else by any route: organizer, other ally, admin, their tokens', async () => {
    const admin = await createTestAdmin(t);
    const strangers = [organizer, other, admin];
    for (const person of strangers) {
      const c = await client(person);
      for (const path of [`/journal/${entryId}`, `/api/v1/me/journal/${entryId}`]) expect((await c.get(path)).statusCode, `${person.email} ${path}`).toBe(404);
      const edit = await c.post(`/journal/${entryId}`, { _csrf: (await c.get('/journal')) && c.csrfToken(), body: 'Overwritten' });
      expect(edit.statusCode).toBe(404);
      const token = await buildToken(t, person);
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) expect((await api(method, `/api/v1/me/journal/${entryId}`, token, method === 'PATCH' ? { body: 'x' } : undefined)).statusCode).toBe(404);
      expect(JSON.stringify((await api('GET', '/api/v1/me/journal', token)).json())).not.toContain(MARKER);
      expect((await c.get('/journal')).body).not.toContain(MARKER);
    }
    const adminClient = await client(admin);
    for (const path of ['/admin/audit', '/admin/mail', '/admin/jobs?state=pending', '/admin/users']) expect((await adminClient.get(path)).body, path).not.toContain(MARKER);
    // The organizer's view of the ally's commitment shows nothing of the entry about it.
    expect((await (await client(organizer)).get(`/commitments/${confirmedId}`)).body).not.toContain(MARKER);
  });

  it('keeps no plaintext anywhere in the database, nor in the logs', async () => {
    const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(t.db.kysely);
    for (const { tablename } of tables.rows) {
      const found = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(tablename)} as t where row_to_json(t)::text like ${`%${MARKER}%`}`.execute(t.db.kysely);
      expect(found.rows[0]!.n, tablename).toBe(0);
    }
    expect(logs.join('')).not.toContain(MARKER);
    expect(logs.join('')).not.toContain('queue taught me');
  });

  it('does not open an entry moved to another person', async () => {
    const moved = await t.db.kysely.selectFrom('journal_entries').select('sealed').where('id', '=', entryId).executeTakeFirstOrThrow();
    const { id } = await t.db.kysely.insertInto('journal_entries').values({ id: crypto.randomUUID(), user_id: other.id, sealed: moved.sealed }).returning('id').executeTakeFirstOrThrow();
    await expect(readEntry(t.ctx, other.id, id)).rejects.toThrow();
    await t.db.kysely.deleteFrom('journal_entries').where('id', '=', id).execute();
  });

  it('is in the author’s export, opened, and gone with the account', async () => {
    const c = await client(ally);
    const exported = (await c.get('/account/data/export.json')).json() as { journal: { entries: Array<{ id: string; body: string }> } };
    expect(exported.journal.entries.find((e) => e.id === entryId)?.body).toContain(MARKER);
    await c.get('/account/data/delete');
    expect((await c.post('/account/data/delete', { password: ally.password, confirm: 'on', content: 'anonymise' })).statusCode).toBe(200);
    for (const table of ['journal_entries', 'journal_keys', 'journal_settings'] as const) {
      expect(await t.db.kysely.selectFrom(table).select('user_id').where('user_id', '=', ally.id).execute(), table).toEqual([]);
    }
  });
});
