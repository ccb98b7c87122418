import { sql } from 'kysely';
import type { Db } from '../../../src/db/client.js';
import type { Actor, AuthzHelpers, AuthzRow, Fixture, Outcome } from '../types.js';
import { signedInApi, signedInPage } from '../types.js';

/** An open ask of the fixture community, inserted directly; shifts get one roomy window. */
async function insertAsk(db: Db, fixture: Fixture, kind: 'shift' | 'advocacy'): Promise<{ id: string; windowId: string | null }> {
  const row = await db.kysely
    .insertInto('asks')
    .values({
      community_id: fixture.ids.community!,
      kind,
      title: `Matrix ${kind}`,
      status: 'open',
      online: true,
      published_at: sql<Date>`now()`,
      created_by: fixture.users.organizer!.id,
      ...(kind === 'advocacy' ? { advocacy_script: 'Write to the council.' } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (kind !== 'shift') return { id: row.id, windowId: null };
  const start = new Date(Date.now() + 7 * 86400_000);
  const w = await db.kysely
    .insertInto('ask_windows')
    .values({ ask_id: row.id, starts_at: start, ends_at: new Date(start.getTime() + 2 * 3600_000), slots: 100 })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, windowId: w.id };
}

/** A pledged commitment of the fixture's ally on a fresh ask. */
async function insertCommitment(db: Db, fixture: Fixture, kind: 'shift' | 'advocacy'): Promise<string> {
  const ask = await insertAsk(db, fixture, kind);
  const row = await db.kysely
    .insertInto('commitments')
    .values({ ask_id: ask.id, window_id: ask.windowId, user_id: fixture.users.ally!.id, state: 'pledged' })
    .returning('id')
    .executeTakeFirstOrThrow();
  fixture.ids.freshCommitAsk = ask.id;
  return row.id;
}

/** A fresh ask for each actor to commit to. */
const freshAsk = async (fixture: Fixture, _actor: Actor, helpers: AuthzHelpers): Promise<void> => {
  const ask = await insertAsk(helpers.db, fixture, 'shift');
  fixture.ids.freshCommitAsk = ask.id;
  fixture.ids.freshCommitWindow = ask.windowId!;
};

const freshCommitment =
  (kind: 'shift' | 'advocacy') =>
  async (fixture: Fixture, _actor: Actor, helpers: AuthzHelpers): Promise<void> => {
    fixture.ids.freshCommitment = await insertCommitment(helpers.db, fixture, kind);
  };

const freshFeedback = async (fixture: Fixture, _actor: Actor, helpers: AuthzHelpers): Promise<void> => {
  const commitmentId = await insertCommitment(helpers.db, fixture, 'shift');
  const row = await helpers.db.kysely
    .insertInto('commitment_feedback')
    .values({ commitment_id: commitmentId, author_id: fixture.users.organizer!.id, kind: 'thanks', body: 'Thank you for coming.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  fixture.ids.freshFeedback = row.id;
};

const signedOut = (actor: Actor, api: boolean): Outcome | undefined => (actor === 'anonymous' || actor === 'suspended' ? (api ? 401 : 'login') : undefined);
/** Committing: anyone who sees the community; blocked people see nothing. */
const commitPage = (a: Actor): Outcome => signedOut(a, false) ?? (a === 'blocked' ? 404 : 'ok');
const commitApi = (a: Actor): Outcome => signedOut(a, true) ?? (a === 'blocked' ? 404 : 'ok');
/** A commitment exists for its ally and the community's organizers only. */
const viewPage = (a: Actor): Outcome => signedOut(a, false) ?? (a === 'ally' || a === 'organizer' ? 'ok' : 404);
const allyPage = (a: Actor): Outcome => signedOut(a, false) ?? (a === 'ally' ? 'ok' : a === 'organizer' ? 403 : 404);
const allyApi = (a: Actor): Outcome => signedOut(a, true) ?? (a === 'ally' ? 'ok' : a === 'organizer' ? 403 : 404);
const organizerPage = (a: Actor): Outcome => signedOut(a, false) ?? (a === 'organizer' ? 'ok' : a === 'ally' ? 403 : 404);
const organizerApi = (a: Actor): Outcome => signedOut(a, true) ?? (a === 'organizer' ? 'ok' : a === 'ally' ? 403 : 404);
/** The bulk page: organizers; whoever else sees the ask is refused; blocked people see nothing. */
const bulkPage = (a: Actor): Outcome => signedOut(a, false) ?? (a === 'organizer' ? 'ok' : a === 'blocked' ? 404 : 403);
/** Feedback is acknowledged by the person it was written to; for anyone else it does not exist. */
const recipientPage = (a: Actor): Outcome => signedOut(a, false) ?? (a === 'ally' ? 'ok' : 404);
const recipientApi = (a: Actor): Outcome => signedOut(a, true) ?? (a === 'ally' ? 'ok' : 404);

/** One open shift ask the read-only rows look at. */
export async function setup(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  const ask = await insertAsk(helpers.db, fixture, 'shift');
  fixture.ids.commitAsk = ask.id;
}

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/asks/:id/commit', path: (f) => `/asks/${f.ids.commitAsk}/commit`, expect: commitPage },
  {
    method: 'POST',
    route: '/asks/:id/commit',
    prepare: freshAsk,
    path: (f) => `/asks/${f.ids.freshCommitAsk}/commit`,
    body: (f) => ({ windowId: f.ids.freshCommitWindow, idempotencyKey: `matrix-${f.ids.freshCommitAsk}` }),
    expect: commitPage,
  },
  { method: 'GET', route: '/account/commitments', expect: signedInPage },
  { method: 'GET', route: '/commitments/:id', prepare: freshCommitment('shift'), path: (f) => `/commitments/${f.ids.freshCommitment}`, expect: viewPage },
  { method: 'POST', route: '/commitments/:id/withdraw', prepare: freshCommitment('shift'), path: (f) => `/commitments/${f.ids.freshCommitment}/withdraw`, expect: allyPage },
  { method: 'POST', route: '/commitments/:id/report', prepare: freshCommitment('advocacy'), path: (f) => `/commitments/${f.ids.freshCommitment}/report`, expect: allyPage },
  { method: 'POST', route: '/commitments/:id/confirm', prepare: freshCommitment('shift'), path: (f) => `/commitments/${f.ids.freshCommitment}/confirm`, body: { outcome: 'done', hours: '2' }, expect: organizerPage },
  {
    method: 'POST',
    route: '/commitments/:id/feedback',
    prepare: freshCommitment('shift'),
    path: (f) => `/commitments/${f.ids.freshCommitment}/feedback`,
    body: { kind: 'thanks', body: 'Thank you.' },
    expect: organizerPage,
  },
  { method: 'POST', route: '/account/feedback/:id/acknowledge', prepare: freshFeedback, path: (f) => `/account/feedback/${f.ids.freshFeedback}/acknowledge`, body: { reply: 'Thanks!' }, expect: recipientPage },
  { method: 'GET', route: '/asks/:id/confirm', prepare: freshCommitment('shift'), path: (f) => `/asks/${f.ids.freshCommitAsk}/confirm`, expect: bulkPage },
  { method: 'POST', route: '/asks/:id/confirm', prepare: freshCommitment('shift'), path: (f) => `/asks/${f.ids.freshCommitAsk}/confirm`, body: (f) => ({ [`${f.ids.freshCommitment}.outcome`]: 'done', [`${f.ids.freshCommitment}.hours`]: '2' }), expect: bulkPage },
  {
    method: 'POST',
    route: '/api/v1/asks/:id/commitments',
    prepare: freshAsk,
    path: (f) => `/api/v1/asks/${f.ids.freshCommitAsk}/commitments`,
    body: (f) => ({ windowId: f.ids.freshCommitWindow }),
    expect: commitApi,
  },
  { method: 'POST', route: '/api/v1/commitments/:id/withdraw', prepare: freshCommitment('shift'), path: (f) => `/api/v1/commitments/${f.ids.freshCommitment}/withdraw`, body: {}, expect: allyApi },
  { method: 'POST', route: '/api/v1/commitments/:id/confirm', prepare: freshCommitment('shift'), path: (f) => `/api/v1/commitments/${f.ids.freshCommitment}/confirm`, body: { outcome: 'missed' }, expect: organizerApi },
  { method: 'POST', route: '/api/v1/commitments/:id/feedback', prepare: freshCommitment('shift'), path: (f) => `/api/v1/commitments/${f.ids.freshCommitment}/feedback`, body: { kind: 'suggestion', body: 'Bring water.' }, expect: organizerApi },
  {
    method: 'POST',
    route: '/api/v1/me/feedback/:id/acknowledge',
    prepare: freshFeedback,
    path: (f) => `/api/v1/me/feedback/${f.ids.freshFeedback}/acknowledge`,
    body: { reply: 'Thanks!' },
    expect: recipientApi,
  },
  { method: 'GET', route: '/api/v1/me/commitments', expect: signedInApi },
];
