import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { resetCommunityFixture } from '../matrix.js';
import { everyone, signedInApi, signedInPage, type Actor, type AuthzHelpers, type AuthzRow, type Fixture, type Outcome } from '../types.js';

const C = '/c/matrix-community';
const API = '/api/v1/communities/matrix-community';

const reset = (fixture: Fixture, _actor: Actor, helpers: AuthzHelpers) => resetCommunityFixture(helpers.db, fixture);

const signedOut = (actor: Actor) => actor === 'anonymous' || actor === 'suspended';

/** The fixture community's page: everyone but the person it blocked. */
const visiblePage = (actor: Actor): Outcome => (actor === 'blocked' ? 404 : 'ok');
/** Over the API a suspended person's token no longer works. */
const visibleApi = (actor: Actor): Outcome => (actor === 'suspended' ? 401 : actor === 'blocked' ? 404 : 'ok');
/** Its organizers only; the blocked person does not learn it exists. */
const organizerPage = (actor: Actor): Outcome => (signedOut(actor) ? 'login' : actor === 'blocked' ? 404 : actor === 'organizer' ? 'ok' : 403);
const organizerApi = (actor: Actor): Outcome => (signedOut(actor) ? 401 : actor === 'blocked' ? 404 : actor === 'organizer' ? 'ok' : 403);
/** Instance moderators and admins. */
const moderatorPage = (actor: Actor): Outcome => (signedOut(actor) ? 'login' : actor === 'moderator' || actor === 'admin' ? 'ok' : 403);
const moderatorApi = (actor: Actor): Outcome => (signedOut(actor) ? 401 : actor === 'moderator' || actor === 'admin' ? 'ok' : 403);

/** Following and asking to join: people outside the community may; members and organizers are in already (409). */
function outsiders(signedOutOutcome: Outcome, forMembers: Outcome) {
  return (actor: Actor): Outcome => {
    if (signedOut(actor)) return signedOutOutcome;
    if (actor === 'blocked') return 404;
    if (actor === 'member' || actor === 'organizer') return forMembers;
    return 'ok';
  };
}

/** Leaving: allies and members may; the only organizer may not, nor people without a role (409). */
const leaveOutcome = (actor: Actor): Outcome => {
  if (signedOut(actor)) return 'login';
  if (actor === 'blocked') return 404;
  return actor === 'ally' || actor === 'member' ? 'ok' : 409;
};

/** Stepping down: only organizers, and the fixture's organizer is the last one (409). */
const stepDownOutcome = (actor: Actor): Outcome => (signedOut(actor) ? 'login' : actor === 'blocked' ? 404 : actor === 'organizer' ? 409 : 403);

const VALID_FORM = {
  name: 'Matrix Proposal',
  mission: 'Checking who may propose.',
  kind: 'community',
  ledBy: 'tenants',
  serves: 'tenants',
  online: 'on',
  languages: 'en',
  ledgerVisibility: 'public',
};

async function newInvite(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  await resetCommunityFixture(helpers.db, fixture);
  const token = randomBytes(24).toString('base64url');
  await helpers.db.kysely
    .insertInto('community_invites')
    .values({
      token_hash: createHash('sha256').update(token).digest('hex'),
      community_id: fixture.ids.otherCommunity!,
      created_by: fixture.users.otherOrganizer!.id,
      expires_at: sql<Date>`now() + interval '1 day'`,
    })
    .execute();
  fixture.ids.inviteToken = token;
}

let pendingCounter = 0;
async function newPending(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  pendingCounter += 1;
  const slug = `matrix-pending-${pendingCounter}`;
  await helpers.db.kysely
    .insertInto('communities')
    .values({ slug, name: `Pending ${pendingCounter}`, mission: 'Waiting.', online: true, proposed_by: fixture.users.ally!.id })
    .execute();
  fixture.ids.pendingSlug = slug;
}

async function newJoinRequest(fixture: Fixture, helpers: AuthzHelpers): Promise<void> {
  await resetCommunityFixture(helpers.db, fixture);
  const row = await helpers.db.kysely
    .insertInto('join_requests')
    .values({ community_id: fixture.ids.community!, user_id: fixture.ids.communityRequester!, answers: JSON.stringify(['Because.']) })
    .returning('id')
    .executeTakeFirstOrThrow();
  fixture.ids.joinRequest = row.id;
}

const person = (action: string) => (fixture: Fixture) => `${C}/people/${fixture.ids.communityTarget}/${action}`;

/** Communities: the fixture's roles against its verified community, invitations to the other one, and fresh proposals for moderation. */
export const rows: AuthzRow[] = [
  { method: 'GET', route: '/communities', expect: everyone },
  { method: 'GET', route: '/communities/new', expect: signedInPage },
  { method: 'POST', route: '/communities/new', body: VALID_FORM, expect: signedInPage },
  { method: 'GET', route: '/c/:slug', path: C, expect: visiblePage },
  { method: 'GET', route: '/c/:slug/edit', path: `${C}/edit`, expect: organizerPage },
  {
    method: 'POST',
    route: '/c/:slug/edit',
    path: `${C}/edit`,
    body: { name: 'matrix community', mission: 'A community of the authorization matrix.', ledBy: 'tenants', serves: 'tenants', online: 'on', languages: 'en', ledgerVisibility: 'public', question1: 'Why do you want to join?' },
    expect: organizerPage,
  },
  { method: 'POST', route: '/c/:slug/follow', path: `${C}/follow`, prepare: reset, expect: outsiders('login', 409) },
  { method: 'POST', route: '/c/:slug/unfollow', path: `${C}/unfollow`, prepare: reset, expect: outsiders('login', 409) },
  { method: 'POST', route: '/c/:slug/leave', path: `${C}/leave`, prepare: reset, expect: leaveOutcome },
  { method: 'POST', route: '/c/:slug/step-down', path: `${C}/step-down`, prepare: reset, expect: stepDownOutcome },
  { method: 'POST', route: '/c/:slug/join', path: `${C}/join`, prepare: reset, body: { answer1: 'To help.' }, expect: outsiders('login', 409) },
  { method: 'GET', route: '/c/:slug/people', path: `${C}/people`, expect: organizerPage },
  { method: 'POST', route: '/c/:slug/invites', path: `${C}/invites`, expect: organizerPage },
  { method: 'POST', route: '/c/:slug/people/:userId/promote', path: person('promote'), prepare: reset, expect: organizerPage },
  { method: 'POST', route: '/c/:slug/people/:userId/remove', path: person('remove'), prepare: reset, expect: organizerPage },
  { method: 'POST', route: '/c/:slug/people/:userId/block', path: person('block'), prepare: reset, expect: organizerPage },
  {
    method: 'POST',
    route: '/c/:slug/people/:userId/unblock',
    path: person('unblock'),
    prepare: async (fixture, actor, helpers) => {
      await reset(fixture, actor, helpers);
      await helpers.db.kysely.insertInto('community_blocks').values({ community_id: fixture.ids.community!, user_id: fixture.ids.communityTarget!, blocked_by: null }).execute();
    },
    expect: organizerPage,
  },
  {
    method: 'POST',
    route: '/c/:slug/requests/:requestId/approve',
    path: (fixture) => `${C}/requests/${fixture.ids.joinRequest}/approve`,
    prepare: (fixture, _actor, helpers) => newJoinRequest(fixture, helpers),
    expect: organizerPage,
  },
  {
    method: 'POST',
    route: '/c/:slug/requests/:requestId/decline',
    path: (fixture) => `${C}/requests/${fixture.ids.joinRequest}/decline`,
    prepare: (fixture, _actor, helpers) => newJoinRequest(fixture, helpers),
    expect: organizerPage,
  },
  // Invitations lead to the other community, where nobody of the fixture is blocked: any signed-in person may use one.
  { method: 'GET', route: '/invites', path: (fixture) => `/invites?token=${fixture.ids.inviteToken}`, prepare: (f, _a, h) => newInvite(f, h), expect: signedInPage },
  { method: 'POST', route: '/invites', body: (fixture) => ({ token: fixture.ids.inviteToken }), prepare: (f, _a, h) => newInvite(f, h), expect: signedInPage },
  { method: 'GET', route: '/moderation/communities', expect: moderatorPage },
  {
    method: 'POST',
    route: '/moderation/communities/:slug/verify',
    path: (fixture) => `/moderation/communities/${fixture.ids.pendingSlug}/verify`,
    prepare: (f, _a, h) => newPending(f, h),
    body: { note: 'Checked.' },
    expect: moderatorPage,
  },
  {
    method: 'POST',
    route: '/moderation/communities/:slug/reject',
    path: (fixture) => `/moderation/communities/${fixture.ids.pendingSlug}/reject`,
    prepare: (f, _a, h) => newPending(f, h),
    body: { note: 'Not led by the people it serves.' },
    expect: moderatorPage,
  },
  // ---- API
  { method: 'GET', route: '/api/v1/communities', expect: (actor) => (actor === 'suspended' ? 401 : 'ok') },
  { method: 'GET', route: '/api/v1/communities/:slug', path: API, expect: visibleApi },
  { method: 'GET', route: '/api/v1/communities/:slug', name: 'with the session', via: 'session', path: API, expect: (actor) => (actor === 'blocked' ? 404 : 'ok') },
  {
    method: 'POST',
    route: '/api/v1/communities',
    body: { name: 'Matrix API Proposal', mission: 'Checking.', kind: 'community', ledBy: ['tenants'], serves: ['tenants'], online: true, languages: ['en'], ledgerVisibility: 'public' },
    expect: signedInApi,
  },
  { method: 'POST', route: '/api/v1/communities/:slug/follow', path: `${API}/follow`, prepare: reset, expect: outsiders(401, 409) },
  { method: 'DELETE', route: '/api/v1/communities/:slug/follow', path: `${API}/follow`, prepare: reset, expect: outsiders(401, 409) },
  { method: 'POST', route: '/api/v1/communities/:slug/join-requests', path: `${API}/join-requests`, prepare: reset, body: { answers: ['To help.'] }, expect: outsiders(401, 409) },
  { method: 'GET', route: '/api/v1/communities/:slug/memberships', path: `${API}/memberships`, expect: organizerApi },
  {
    method: 'POST',
    route: '/api/v1/moderation/communities/:slug/verify',
    path: (fixture) => `/api/v1/moderation/communities/${fixture.ids.pendingSlug}/verify`,
    prepare: (f, _a, h) => newPending(f, h),
    body: { note: 'Checked.' },
    expect: moderatorApi,
  },
  {
    method: 'POST',
    route: '/api/v1/moderation/communities/:slug/reject',
    path: (fixture) => `/api/v1/moderation/communities/${fixture.ids.pendingSlug}/reject`,
    prepare: (f, _a, h) => newPending(f, h),
    body: { note: 'No.' },
    expect: moderatorApi,
  },
];
