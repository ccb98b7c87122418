import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, normalizeEmail, upsertUser, type Role } from '../../src/modules/accounts/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

type Json = Record<string, unknown>;
const PASSWORD = 'a long enough password for the api';
const API = '/api/v1';
const HOUR = 3600_000;

interface Caller {
  id: string;
  token: string;
  address: string;
}

/**
 * The core loop through the JSON API alone, with personal tokens: proposal, verification, a shift
 * with two slots, three allies and a waitlist, a withdrawal, confirmation, feedback, acknowledgement
 * and the ledger. Every answer's status must be one the OpenAPI document declares for its operation.
 */
describe.each(engines())('the core loop over the API on %s', (engine) => {
  let t: TestApp;
  let document: Json;
  const seen = new Set<string>();
  let people = 0;

  /** The operation of the document a concrete URL falls under. */
  function operationFor(method: string, url: string): { template: string; op: Json } {
    const path = url.split('?')[0]!.slice(API.length);
    for (const [template, item] of Object.entries(document.paths as Record<string, Json>)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const op = item[method.toLowerCase()] as Json | undefined;
      if (op && pattern.test(path)) return { template, op };
    }
    throw new Error(`${method} ${url} is not in the OpenAPI document`);
  }

  function checkAgainstDocument(method: string, url: string, res: LightMyRequestResponse): void {
    const { template, op } = operationFor(method, url);
    const declared = Object.keys(op.responses as Json);
    expect(declared, `${method} ${template} answered ${res.statusCode}: ${res.body.slice(0, 300)}`).toContain(String(res.statusCode));
    const type = String(res.headers['content-type'] ?? '');
    if (res.statusCode >= 400) expect(type, `${method} ${template}`).toMatch(/^application\/problem\+json/);
    else if (res.statusCode !== 204) expect(type, `${method} ${template}`).toMatch(/^application\/json/);
    seen.add(`${method} ${template}`);
  }

  async function call(who: Caller | undefined, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await t.app.inject({
      method,
      url,
      remoteAddress: who?.address ?? '192.0.2.1',
      headers: { ...(who ? { authorization: `Bearer ${who.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    checkAgainstDocument(method, url, res);
    return res;
  }

  /** A person with an account, and a write token issued over the API with their password. */
  async function person(name: string, role: Role = 'user'): Promise<Caller> {
    people += 1;
    const email = `loop${people}-${engine}@example.test`;
    const id = await upsertUser(t.db.kysely, { email, emailNormalized: normalizeEmail(email), displayName: name, passwordHash: await hashPassword(PASSWORD), role, verified: true });
    const address = `198.51.100.${people}`;
    const res = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/tokens`,
      remoteAddress: address,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email, password: PASSWORD, name: 'core loop', scope: 'write' }),
    });
    checkAgainstDocument('POST', `${API}/auth/tokens`, res);
    expect(res.statusCode).toBe(201);
    const token = (res.json() as { token: string }).token;
    expect(token).toMatch(/^alg_/);
    return { id, token, address };
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('goes from a proposal to the ledger', async () => {
    const organizer = await person('Organizer');
    const moderator = await person('Moderator', 'moderator');
    const [ally1, ally2, ally3] = [await person('Ally One'), await person('Ally Two'), await person('Ally Three')];

    // A person proposes a community; it waits for a moderator.
    const proposed = await call(organizer, 'POST', `${API}/communities`, {
      name: 'Eastside Tenants Union',
      mission: 'Tenants keeping each other housed.',
      kind: 'community',
      ledBy: ['tenants'],
      serves: ['tenants of the east side'],
      online: true,
      languages: ['en', 'es'],
      ledgerVisibility: 'public',
    });
    expect(proposed.statusCode).toBe(201);
    const community = proposed.json() as { slug: string; status: string; viewerRole: string };
    expect(community).toMatchObject({ status: 'pending', viewerRole: 'organizer' });
    expect(proposed.headers.location).toBe(`${API}/communities/${community.slug}`);
    const slug = community.slug;

    // Others cannot see it yet, and cannot verify it.
    expect((await call(ally1, 'GET', `${API}/communities/${slug}`)).statusCode).toBe(404);
    expect((await call(organizer, 'POST', `${API}/moderation/communities/${slug}/verify`, { note: 'Looks right.' })).statusCode).toBe(403);

    const verified = await call(moderator, 'POST', `${API}/moderation/communities/${slug}/verify`, { note: 'Met the organizers; the union is real.' });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ slug, status: 'verified' });
    expect((await call(moderator, 'POST', `${API}/moderation/communities/${slug}/verify`, { note: 'Again.' })).statusCode).toBe(409);
    expect((await call(undefined, 'GET', `${API}/communities/${slug}`)).statusCode).toBe(200);

    // The organizer posts a shift with two slots, as a draft, then publishes it.
    const start = new Date(Date.now() + 72 * HOUR);
    const created = await call(organizer, 'POST', `${API}/communities/${slug}/asks`, {
      kind: 'shift',
      title: 'Door-knocking on Elm Street',
      description: 'We talk to neighbours about the rent increase.',
      language: 'en',
      online: false,
      area: null,
      windows: [{ startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3 * HOUR).toISOString(), slots: 2 }],
    });
    // An ask needs a place unless it is online: every refused field is named.
    expect(created.statusCode).toBe(422);
    expect((created.json() as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer)).toContain('/area');
    const draft = await call(organizer, 'POST', `${API}/communities/${slug}/asks`, {
      kind: 'shift',
      title: 'Door-knocking on Elm Street',
      description: 'We talk to neighbours about the rent increase.',
      language: 'en',
      online: true,
      windows: [{ startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 3 * HOUR).toISOString(), slots: 2 }],
    });
    expect(draft.statusCode).toBe(201);
    const ask = draft.json() as { id: string; status: string; windows: Array<{ id: string; slots: number }> };
    expect(ask.status).toBe('draft');
    expect(ask.windows).toHaveLength(1);
    const windowId = ask.windows[0]!.id;
    // A draft does not exist for anyone else.
    expect((await call(ally1, 'GET', `${API}/asks/${ask.id}`)).statusCode).toBe(404);
    expect((await call(ally1, 'POST', `${API}/asks/${ask.id}/status`, { status: 'open' })).statusCode).toBe(404);
    const published = await call(organizer, 'POST', `${API}/asks/${ask.id}/status`, { status: 'open' });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ status: 'open' });
    const listed = await call(undefined, 'GET', `${API}/communities/${slug}/asks`);
    expect((listed.json() as { asks: Array<{ id: string }> }).asks.map((a) => a.id)).toEqual([ask.id]);

    // Three allies commit; the third is waitlisted. A retried request with the same key commits once.
    const commit = (who: Caller, key: string) => call(who, 'POST', `${API}/asks/${ask.id}/commitments`, { windowId }, { 'idempotency-key': key });
    const first = await commit(ally1, 'core-loop-ally-one-0001');
    expect(first.statusCode).toBe(201);
    const replay = await commit(ally1, 'core-loop-ally-one-0001');
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const second = await commit(ally2, 'core-loop-ally-two-0001');
    const third = await commit(ally3, 'core-loop-ally-three-01');
    type Committed = { commitment: { id: string; state: string; position: number | null } };
    const [c1, c2, c3] = [first, second, third].map((r) => (r.json() as Committed).commitment);
    expect([c1!.state, c2!.state, c3!.state]).toEqual(['pledged', 'pledged', 'waitlisted']);
    expect(c3!.position).toBe(1);
    // Committing again to the same window is a conflict, not a second slot.
    expect((await commit(ally2, 'core-loop-ally-two-0002')).statusCode).toBe(409);

    // One pledged ally withdraws; the waitlisted one moves up.
    expect((await call(ally2, 'POST', `${API}/commitments/${c1!.id}/withdraw`, {})).statusCode).toBe(404);
    const withdrawn = await call(ally1, 'POST', `${API}/commitments/${c1!.id}/withdraw`, {});
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json()).toMatchObject({ id: c1!.id, state: 'withdrawn' });
    const mine3 = await call(ally3, 'GET', `${API}/me/commitments`);
    expect(mine3.statusCode).toBe(200);
    expect((mine3.json() as { commitments: Array<{ id: string; state: string }> }).commitments).toEqual([expect.objectContaining({ id: c3!.id, state: 'pledged' })]);

    // The organizer confirms one done (with hours) and one missed; allies cannot confirm themselves.
    expect((await call(ally2, 'POST', `${API}/commitments/${c2!.id}/confirm`, { outcome: 'done', hours: 3 })).statusCode).toBe(403);
    const done = await call(organizer, 'POST', `${API}/commitments/${c2!.id}/confirm`, { outcome: 'done', hours: 3, outcomeLine: 'Knocked on 40 doors.' });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ state: 'done', done: { minutes: 180, selfReported: false } });
    const missed = await call(organizer, 'POST', `${API}/commitments/${c3!.id}/confirm`, { outcome: 'missed' });
    expect(missed.statusCode).toBe(200);
    expect(missed.json()).toMatchObject({ state: 'missed' });
    expect((await call(organizer, 'POST', `${API}/commitments/${c3!.id}/confirm`, { outcome: 'done', hours: 1 })).statusCode).toBe(409);

    // Feedback, private to the ally, acknowledged with a reply.
    const feedback = await call(organizer, 'POST', `${API}/commitments/${c2!.id}/feedback`, { kind: 'thanks', body: 'Thank you for the evening, you were great with the neighbours.' });
    expect(feedback.statusCode).toBe(201);
    const feedbackId = (feedback.json() as { id: string }).id;
    type Mine = { commitments: Array<{ id: string; feedback: Array<{ id: string; acknowledgedAt: string | null; reply: string | null }> }> };
    const before = (await call(ally2, 'GET', `${API}/me/commitments`)).json() as Mine;
    expect(before.commitments.find((c) => c.id === c2!.id)!.feedback).toEqual([expect.objectContaining({ id: feedbackId, acknowledgedAt: null })]);
    expect((await call(ally3, 'POST', `${API}/me/feedback/${feedbackId}/acknowledge`, {})).statusCode).toBe(404);
    expect((await call(organizer, 'POST', `${API}/me/feedback/${feedbackId}/acknowledge`, {})).statusCode).toBe(404);
    expect((await call(ally2, 'POST', `${API}/me/feedback/${feedbackId}/acknowledge`, { reply: 'Glad to help.', extra: true })).statusCode).toBe(422);
    const acknowledged = await call(ally2, 'POST', `${API}/me/feedback/${feedbackId}/acknowledge`, { reply: 'Glad to help, see you next time.' });
    expect(acknowledged.statusCode).toBe(200);
    expect(acknowledged.json()).toMatchObject({ id: feedbackId, commitmentId: c2!.id, kind: 'thanks', reply: 'Glad to help, see you next time.', acknowledgedAt: expect.any(String) });
    expect((await call(ally2, 'POST', `${API}/me/feedback/${feedbackId}/acknowledge`, {})).statusCode).toBe(409);
    const after = (await call(ally2, 'GET', `${API}/me/commitments`)).json() as Mine;
    expect(after.commitments.find((c) => c.id === c2!.id)!.feedback[0]).toMatchObject({ reply: 'Glad to help, see you next time.', acknowledgedAt: expect.any(String) });

    // The community's public ledger: three hours, one ally, and no names.
    const ledger = await call(undefined, 'GET', `${API}/communities/${slug}/ledger`);
    expect(ledger.statusCode).toBe(200);
    const record = ledger.json() as { community: string; totals: { hours: number; minutes: number; allies: number; confirmedCommitments: number } };
    expect(record.community).toBe(slug);
    expect(record.totals).toMatchObject({ hours: 3, minutes: 180, allies: 1 });
    expect(ledger.body).not.toContain('Ally Two');
  });

  it('answers without credentials and with a read-only token as the document says', async () => {
    const reader = await person('Reader');
    const issued = await t.app.inject({
      method: 'POST',
      url: `${API}/auth/tokens`,
      remoteAddress: reader.address,
      headers: { authorization: `Bearer ${reader.token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'nobody@example.test', password: 'wrong password', name: 'x', scope: 'read' }),
    });
    checkAgainstDocument('POST', `${API}/auth/tokens`, issued);
    expect(issued.statusCode).toBe(401);
    expect((await call(undefined, 'GET', `${API}/me/commitments`)).statusCode).toBe(401);
    expect((await call(undefined, 'POST', `${API}/communities`, {})).statusCode).toBe(401);
    expect((await call(reader, 'POST', `${API}/communities`, { name: 'x' })).statusCode).toBe(422);
    const tokens = await call(reader, 'GET', `${API}/auth/tokens`);
    expect(tokens.statusCode).toBe(200);
  });

  it('checked every answer of the loop against a documented operation', () => {
    for (const operation of ['POST /auth/tokens', 'POST /communities', 'POST /moderation/communities/{slug}/verify', 'POST /asks/{id}/status', 'POST /commitments/{id}/confirm', 'POST /asks/{id}/commitments', 'POST /me/feedback/{id}/acknowledge', 'GET /communities/{slug}/ledger']) {
      expect(seen).toContain(operation);
    }
  });
});
