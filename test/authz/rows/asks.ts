import { sql } from 'kysely';
import type { Db } from '../../../src/db/client.js';
import type { Actor, AuthzHelpers, AuthzRow, Fixture, Outcome } from '../types.js';

/** An ask of the fixture community, inserted directly in the status a row needs. */
async function insertAsk(db: Db, fixture: Fixture, status: 'draft' | 'open' | 'paused'): Promise<string> {
  const row = await db.kysely
    .insertInto('asks')
    .values({
      community_id: fixture.ids.community!,
      kind: 'skill',
      title: `Matrix ask (${status})`,
      description: 'Proofread a flyer.',
      online: true,
      deliverable: 'A proofread flyer',
      estimated_hours: 2,
      location_detail: 'Back room, ring twice',
      location_sensitive: true,
      status,
      created_by: fixture.users.organizer!.id,
      ...(status === 'draft' ? {} : { published_at: sql<Date>`now()` }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A fresh ask for each actor, so that a state change by one does not decide the next one's outcome. */
const fresh =
  (status: 'draft' | 'open' | 'paused') =>
  async (fixture: Fixture, _actor: Actor, helpers: AuthzHelpers): Promise<void> => {
    fixture.ids.freshAsk = await insertAsk(helpers.db, fixture, status);
  };

/** Create and manage: the community's organizers; people who may see the community are refused, blocked people see nothing. */
const managePage = (actor: Actor): Outcome => (actor === 'organizer' ? 'ok' : actor === 'anonymous' || actor === 'suspended' ? 'login' : actor === 'blocked' ? 404 : 403);
const manageApi = (actor: Actor): Outcome => (actor === 'organizer' ? 'ok' : actor === 'anonymous' || actor === 'suspended' ? 401 : actor === 'blocked' ? 404 : 403);
/** Something only organizers can see (a draft, a paused ask): for everyone else it does not exist. */
const hiddenPage = (actor: Actor): Outcome => (actor === 'organizer' ? 'ok' : actor === 'anonymous' || actor === 'suspended' ? 'login' : 404);
const hiddenRead = (actor: Actor): Outcome => (actor === 'organizer' ? 'ok' : 404);
/** Published asks: whoever may see the community (signed in or not). */
const publicPage = (actor: Actor): Outcome => (actor === 'blocked' ? 404 : 'ok');
const publicApi = (actor: Actor): Outcome => (actor === 'blocked' ? 404 : actor === 'suspended' ? 401 : 'ok');

const askForm = { kind: 'skill', title: 'Matrix skill ask', language: 'en', online: 'on', deliverable: 'A flyer', estimatedHours: '3' };
const askJson = { kind: 'skill', title: 'Matrix skill ask', language: 'en', online: true, deliverable: 'A flyer', estimatedHours: 3 };

const C = (fixture: Fixture) => `/c/${fixture.ids.communitySlug}`;

/** The asks of the fixture community: one open and one draft made once; state changes make their own. */
export async function setup(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  fixture.ids.openAsk = await insertAsk(helpers.db, fixture, 'open');
  fixture.ids.draftAsk = await insertAsk(helpers.db, fixture, 'draft');
}

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/c/:slug/asks', path: (f) => `${C(f)}/asks`, expect: publicPage },
  { method: 'GET', route: '/c/:slug/asks/new', path: (f) => `${C(f)}/asks/new`, expect: managePage },
  { method: 'POST', route: '/c/:slug/asks', path: (f) => `${C(f)}/asks`, body: askForm, expect: managePage },
  { method: 'GET', route: '/asks/:id', name: 'open', path: (f) => `/asks/${f.ids.openAsk}`, expect: publicPage },
  // A draft's page is public in form, so anonymous visitors get 404 rather than a sign-in prompt.
  { method: 'GET', route: '/asks/:id', name: 'draft', path: (f) => `/asks/${f.ids.draftAsk}`, expect: hiddenRead },
  { method: 'GET', route: '/asks/:id/edit', path: (f) => `/asks/${f.ids.openAsk}/edit`, expect: managePage },
  { method: 'GET', route: '/asks/:id/edit', name: 'draft', path: (f) => `/asks/${f.ids.draftAsk}/edit`, expect: hiddenPage },
  { method: 'POST', route: '/asks/:id/edit', path: (f) => `/asks/${f.ids.openAsk}/edit`, body: askForm, expect: managePage },
  { method: 'POST', route: '/asks/:id/publish', prepare: fresh('draft'), path: (f) => `/asks/${f.ids.freshAsk}/publish`, expect: hiddenPage },
  { method: 'POST', route: '/asks/:id/pause', prepare: fresh('open'), path: (f) => `/asks/${f.ids.freshAsk}/pause`, expect: managePage },
  { method: 'POST', route: '/asks/:id/fill', prepare: fresh('open'), path: (f) => `/asks/${f.ids.freshAsk}/fill`, expect: managePage },
  { method: 'POST', route: '/asks/:id/resume', prepare: fresh('paused'), path: (f) => `/asks/${f.ids.freshAsk}/resume`, expect: hiddenPage },
  { method: 'POST', route: '/asks/:id/close', prepare: fresh('open'), path: (f) => `/asks/${f.ids.freshAsk}/close`, body: { outcome: 'Done together.' }, expect: managePage },
  { method: 'GET', route: '/api/v1/communities/:slug/asks', path: (f) => `/api/v1/communities/${f.ids.communitySlug}/asks`, expect: publicApi },
  { method: 'GET', route: '/api/v1/asks/:id', path: (f) => `/api/v1/asks/${f.ids.openAsk}`, expect: publicApi },
  { method: 'GET', route: '/api/v1/asks/:id', name: 'draft', path: (f) => `/api/v1/asks/${f.ids.draftAsk}`, expect: (a) => (a === 'suspended' ? 401 : hiddenRead(a)) },
  { method: 'POST', route: '/api/v1/communities/:slug/asks', path: (f) => `/api/v1/communities/${f.ids.communitySlug}/asks`, body: askJson, expect: manageApi },
  { method: 'PATCH', route: '/api/v1/asks/:id', path: (f) => `/api/v1/asks/${f.ids.openAsk}`, body: { title: 'Matrix ask, renamed' }, expect: manageApi },
  { method: 'POST', route: '/api/v1/asks/:id/status', prepare: fresh('open'), path: (f) => `/api/v1/asks/${f.ids.freshAsk}/status`, body: { status: 'paused' }, expect: manageApi },
];
