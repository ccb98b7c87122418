import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor, AuthzHelpers, AuthzRow, Fixture, Outcome } from '../types.js';
import { signedInPage } from '../types.js';

const signedOut = (actor: Actor) => actor === 'anonymous' || actor === 'suspended';

/** A public ledger, feed or ask: everyone but the person the community blocked. */
const visiblePage = (actor: Actor): Outcome => (actor === 'blocked' ? 404 : 'ok');
/** Over the API a suspended person's token no longer works. */
const visibleApi = (actor: Actor): Outcome => (actor === 'suspended' ? 401 : actor === 'blocked' ? 404 : 'ok');
/** A members-only ledger of the other community: its organizer; for everyone else it does not exist. */
const membersOnlyPage = (actor: Actor): Outcome => (actor === 'otherOrganizer' ? 'ok' : 404);
const membersOnlyApi = (actor: Actor): Outcome => (actor === 'suspended' ? 401 : actor === 'otherOrganizer' ? 'ok' : 404);
/** An ask's attendance sheet: its community's organizers; whoever else sees the ask is refused; blocked people see nothing. */
const attendancePage = (actor: Actor): Outcome => (signedOut(actor) ? 'login' : actor === 'organizer' ? 'ok' : actor === 'blocked' ? 404 : 403);

/** The other fixture community keeps its ledger to its members (set before each request: other rows edit communities). */
const membersOnly = async (fixture: Fixture, _actor: Actor, helpers: AuthzHelpers): Promise<void> => {
  await helpers.db.kysely.updateTable('communities').set({ ledger_visibility: 'members' }).where('id', '=', fixture.ids.otherCommunity!).execute();
};

const OTHER = '/c/matrix-other-community';

/** An open event of the fixture community, and a private feed of a person no row signs in as (so resetting feeds never ends it). */
export async function setup(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  const start = new Date(Date.now() + 7 * 86400_000);
  const ask = await helpers.db.kysely
    .insertInto('asks')
    .values({
      community_id: fixture.ids.community!,
      kind: 'attend',
      title: 'Matrix ledger event',
      status: 'open',
      online: true,
      published_at: sql<Date>`now()`,
      created_by: fixture.users.organizer!.id,
      starts_at: start,
      capacity: 10,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  fixture.ids.ledgerAsk = ask.id;
  await helpers.db.kysely.insertInto('commitments').values({ ask_id: ask.id, user_id: fixture.ids.communityTarget!, state: 'pledged', planned_for: start }).execute();
  const token = randomBytes(32).toString('base64url');
  await helpers.db.kysely
    .insertInto('calendar_feeds')
    .values({ user_id: fixture.ids.communityTarget!, token_hash: createHash('sha256').update(token).digest('hex') })
    .execute();
  fixture.ids.calendarToken = token;
}

export const rows: AuthzRow[] = [
  { method: 'GET', route: '/c/:slug/ledger', path: (f) => `/c/${f.ids.communitySlug}/ledger`, expect: visiblePage },
  { method: 'GET', route: '/c/:slug/ledger', name: 'members only', prepare: membersOnly, path: `${OTHER}/ledger`, expect: membersOnlyPage },
  { method: 'GET', route: '/c/:slug/ledger.csv', path: (f) => `/c/${f.ids.communitySlug}/ledger.csv`, expect: visiblePage },
  { method: 'GET', route: '/c/:slug/ledger.csv', name: 'members only', prepare: membersOnly, path: `${OTHER}/ledger.csv`, expect: membersOnlyPage },
  { method: 'GET', route: '/api/v1/communities/:slug/ledger', path: (f) => `/api/v1/communities/${f.ids.communitySlug}/ledger`, expect: visibleApi },
  {
    method: 'GET',
    route: '/api/v1/communities/:slug/ledger',
    name: 'members only',
    prepare: membersOnly,
    path: '/api/v1/communities/matrix-other-community/ledger',
    expect: membersOnlyApi,
  },
  { method: 'GET', route: '/asks/:id/attendance.csv', path: (f) => `/asks/${f.ids.ledgerAsk}/attendance.csv`, expect: attendancePage },
  { method: 'GET', route: '/c/:slug/calendar.ics', path: (f) => `/c/${f.ids.communitySlug}/calendar.ics`, expect: visiblePage },
  { method: 'GET', route: '/asks/:id/calendar.ics', path: (f) => `/asks/${f.ids.ledgerAsk}/calendar.ics`, expect: visiblePage },
  // The secret address is the credential: whoever holds it reads the feed, signed in or not.
  { method: 'GET', route: '/calendar/:token.ics', name: 'with the secret token', path: (f) => `/calendar/${f.ids.calendarToken}.ics`, expect: () => 'ok' },
  { method: 'GET', route: '/calendar/:token.ics', name: 'with another token', path: `/calendar/${'A'.repeat(43)}.ics`, expect: () => 404 },
  { method: 'GET', route: '/account/calendar', expect: signedInPage },
  { method: 'POST', route: '/account/calendar/reset', expect: signedInPage },
  { method: 'POST', route: '/account/calendar/delete', expect: signedInPage },
];
