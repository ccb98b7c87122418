/**
 * Runs the authorization matrix against a real app: one account per actor, each with a session
 * (signed in through the login form) and a write-scope API token, then every row for every actor.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createApiToken } from '../../src/modules/accounts/api-tokens.service.js';
import { hashPassword, normalizeEmail, upsertUser, type Role } from '../../src/modules/accounts/index.js';
import { JobWorker } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMailHandler, MAIL_JOB } from '../../src/platform/mail/mail.js';
import type { Db } from '../../src/db/client.js';
import type { TestApp } from '../support/app.js';
import { ACTORS, type Actor, type AuthzHelpers, type AuthzRow, type AuthzRowFile, type Fixture, type FixtureUser, type Outcome } from './types.js';

export const MATRIX_PASSWORD = 'correct horse battery staple';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const ROLES: Record<Actor, Role> = {
  anonymous: 'user',
  ally: 'user',
  member: 'user',
  organizer: 'user',
  otherOrganizer: 'user',
  moderator: 'moderator',
  admin: 'admin',
  suspended: 'user',
  blocked: 'user',
};

/** How one actor proves who they are: cookies (session and CSRF secret), the CSRF token, an API token, and an address of their own so limits never mix actors. */
export interface Credentials {
  cookies: Map<string, string>;
  csrf: string;
  token: string | undefined;
  remoteAddress: string;
}

export interface Matrix {
  t: TestApp;
  fixture: Fixture;
  credentials: Record<Actor, Credentials>;
  helpers: AuthzHelpers;
  /** A throwaway account like the actor's, for requests that end or change the account. */
  copy(actor: Exclude<Actor, 'anonymous'>): Promise<{ user: FixtureUser; credentials: Credentials }>;
}

let addressCounter = 0;
function nextAddress(): string {
  addressCounter += 1;
  return `10.${(addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`;
}

function cookieHeader(cookies: Map<string, string>): string | undefined {
  return cookies.size === 0 ? undefined : [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

function remember(cookies: Map<string, string>, response: LightMyRequestResponse): void {
  for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number }>) {
    if (cookie.value === '' || cookie.maxAge === 0) cookies.delete(cookie.name);
    else cookies.set(cookie.name, cookie.value);
  }
}

function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('The page had no CSRF token');
  return match[1];
}

/** A CSRF secret and token for an agent, the way a browser gets them: from a page. */
async function fetchCsrf(app: FastifyInstance, credentials: Omit<Credentials, 'csrf'>): Promise<string> {
  const cookie = cookieHeader(credentials.cookies);
  const page = await app.inject({ method: 'GET', url: '/login', remoteAddress: credentials.remoteAddress, headers: cookie ? { cookie } : {} });
  remember(credentials.cookies, page);
  if (page.statusCode === 200) return csrfFrom(page.body);
  // Signed in: /login sends people on; the front page has forms too.
  const home = await app.inject({ method: 'GET', url: '/', remoteAddress: credentials.remoteAddress, headers: { cookie: cookieHeader(credentials.cookies)! } });
  remember(credentials.cookies, home);
  return csrfFrom(home.body);
}

/** Creates an account for an actor, signs it in through the login form and gives it a write-scope token; suspends 'suspended' afterwards. */
async function createActor(t: TestApp, actor: Actor, passwordHash: string, tag: string): Promise<{ user: FixtureUser; credentials: Credentials }> {
  const email = `${actor.toLowerCase()}-${tag}@authz.test`;
  const id = await upsertUser(t.db.kysely, {
    email,
    emailNormalized: normalizeEmail(email),
    displayName: `${actor} ${tag}`,
    passwordHash,
    role: ROLES[actor],
    verified: true,
  });
  const base = { cookies: new Map<string, string>(), token: undefined as string | undefined, remoteAddress: nextAddress() };
  const csrf = await fetchCsrf(t.app, base);
  const login = await t.app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress: base.remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(base.cookies)! },
    payload: new URLSearchParams({ _csrf: csrf, email, password: MATRIX_PASSWORD }).toString(),
  });
  if (login.statusCode !== 303 || String(login.headers.location).startsWith('/login')) {
    throw new Error(`Signing in ${actor} failed with ${login.statusCode} ${String(login.headers.location ?? '')}`);
  }
  remember(base.cookies, login);
  const { token } = await createApiToken(t.db, { userId: id, name: `authz ${actor}`, scope: 'write', requestId: 'authz-matrix' });
  if (actor === 'suspended') {
    await t.db.kysely.updateTable('users').set({ suspended_at: sql<Date>`now()` }).where('id', '=', id).execute();
  }
  return { user: { id, email, password: MATRIX_PASSWORD }, credentials: { ...base, csrf, token } };
}

/** Builds every actor on a test app. */
export async function createMatrix(t: TestApp): Promise<Matrix> {
  const passwordHash = await hashPassword(MATRIX_PASSWORD);
  const mail = createMailHandler({ smtpUrl: undefined, from: 'authz@example.test', messageIdDomain: 'authz.test' });
  const worker = new JobWorker({ db: t.db, handlers: { [MAIL_JOB]: mail.handler }, log: createLogger('silent') });
  const helpers: AuthzHelpers = {
    db: t.db,
    app: t.app,
    drainJobs: async () => {
      await worker.drain();
    },
  };
  const fixture: Fixture = { users: {} as Fixture['users'], ids: {} };
  const credentials = {} as Record<Actor, Credentials>;
  for (const actor of ACTORS) {
    if (actor === 'anonymous') {
      const base = { cookies: new Map<string, string>(), token: undefined, remoteAddress: nextAddress() };
      credentials.anonymous = { ...base, csrf: await fetchCsrf(t.app, base) };
      fixture.users.anonymous = undefined;
      continue;
    }
    const made = await createActor(t, actor, passwordHash, 'main');
    fixture.users[actor] = made.user;
    credentials[actor] = made.credentials;
  }
  await createCommunityFixture(t, fixture, passwordHash);
  let copies = 0;
  return {
    t,
    fixture,
    credentials,
    helpers,
    copy: async (actor) => {
      copies += 1;
      return createActor(t, actor, passwordHash, `copy${copies}`);
    },
  };
}

/** Every row of the files, with the file it came from. */
export function collectRows(files: Record<string, AuthzRowFile>): Array<{ file: string; row: AuthzRow }> {
  return Object.entries(files).flatMap(([file, module]) => (module.rows ?? []).map((row) => ({ file, row })));
}

export function routeKey(method: string, route: string): string {
  return `${method} ${route}`;
}

/** The app's routes as "METHOD /pattern", without the HEAD routes Fastify adds for every GET. */
export function appRoutes(app: FastifyInstance): Set<string> {
  return new Set(app.routeTable.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS').map((r) => routeKey(r.method, r.url)));
}

export function expected(row: AuthzRow, actor: Actor): Outcome {
  return typeof row.expect === 'function' ? row.expect(actor) : row.expect[actor];
}

/** Whether a response is the outcome. */
export function matches(outcome: Outcome, response: LightMyRequestResponse): boolean {
  const location = String(response.headers.location ?? '');
  const toLogin = response.statusCode === 303 && (location === '/login' || location.startsWith('/login?'));
  if (outcome === 'ok') return (response.statusCode >= 200 && response.statusCode < 300) || (response.statusCode === 303 && !toLogin);
  if (outcome === 'login') return toLogin;
  return response.statusCode === outcome;
}

export function describeResponse(response: LightMyRequestResponse): string {
  const location = response.headers.location ? ` → ${String(response.headers.location)}` : '';
  let code = '';
  if (String(response.headers['content-type'] ?? '').includes('json')) {
    try {
      const type = (response.json() as { type?: unknown }).type;
      if (typeof type === 'string') code = ` (${type.replace('urn:alongside:problem:', '')})`;
    } catch {
      // Not JSON after all: the status says enough.
    }
  }
  return `${response.statusCode}${location}${code}`;
}

function formBody(fields: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item === undefined || item === null ? '' : String(item));
  }
  return params.toString();
}

/** Performs one row for one actor, the way that actor's browser or script would. */
export async function perform(matrix: Matrix, row: AuthzRow, actor: Actor): Promise<LightMyRequestResponse> {
  let fixture = matrix.fixture;
  let credentials = matrix.credentials[actor];
  if (row.fresh && actor !== 'anonymous') {
    const copy = await matrix.copy(actor);
    fixture = { ...fixture, users: { ...fixture.users, [actor]: copy.user } };
    credentials = copy.credentials;
  } else if (row.fresh) {
    const base = { cookies: new Map<string, string>(), token: undefined, remoteAddress: nextAddress() };
    credentials = { ...base, csrf: await fetchCsrf(matrix.t.app, base) };
  }
  if (row.prepare) await row.prepare(fixture, actor, matrix.helpers);
  const url = typeof row.path === 'function' ? row.path(fixture, actor) : (row.path ?? row.route);
  const fields = typeof row.body === 'function' ? row.body(fixture, actor) : (row.body ?? {});
  const unsafe = !SAFE.has(row.method);
  const api = url === '/api' || url.startsWith('/api/');
  const via = api ? (row.via ?? 'token') : 'session';
  const headers: Record<string, string> = {};
  if (via === 'session') {
    const cookie = cookieHeader(credentials.cookies);
    if (cookie) headers.cookie = cookie;
    if (unsafe && api) headers['x-csrf-token'] = credentials.csrf;
  }
  if (via === 'token' && credentials.token) headers.authorization = `Bearer ${credentials.token}`;
  let payload: string | undefined;
  if (unsafe && api && (row.body !== undefined || row.method !== 'DELETE')) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(fields);
  } else if (unsafe && !api) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = formBody({ _csrf: credentials.csrf, ...fields });
  }
  return matrix.t.app.inject({ method: row.method, url, headers, remoteAddress: credentials.remoteAddress, ...(payload !== undefined ? { payload } : {}) });
}

/** Runs a row for every actor and lists each mismatch as one readable line. */
export async function checkRow(matrix: Matrix, row: AuthzRow): Promise<string[]> {
  const failures: string[] = [];
  for (const actor of ACTORS) {
    const outcome = expected(row, actor);
    const response = await perform(matrix, row, actor);
    if (!matches(outcome, response)) failures.push(`${actor}: expected ${String(outcome)}, got ${describeResponse(response)}`);
  }
  return failures;
}

/** The fixture's verified community, where 'organizer', 'member', 'ally' and 'blocked' have those relations. */
export const FIXTURE_COMMUNITY = 'matrix-community';
/** Another verified community, organized by 'otherOrganizer'. */
export const OTHER_COMMUNITY = 'matrix-other-community';

async function insertCommunity(db: Db, slug: string, proposedBy: string): Promise<string> {
  const row = await db.kysely
    .insertInto('communities')
    .values({
      slug,
      name: slug.replace(/-/g, ' '),
      mission: 'A community of the authorization matrix.',
      kind: 'community',
      status: 'verified',
      online: true,
      join_questions: JSON.stringify(['Why do you want to join?']),
      proposed_by: proposedBy,
      verified_at: sql<Date>`now()`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.kysely.insertInto('community_languages').values({ community_id: row.id, language: 'en' }).execute();
  await db.kysely
    .insertInto('community_tags')
    .values([
      { community_id: row.id, kind: 'led_by', tag: 'tenants' },
      { community_id: row.id, kind: 'serves', tag: 'tenants' },
    ])
    .execute();
  return row.id;
}

/**
 * Creates the two fixture communities and two people rows act on (`communityTarget`, a member,
 * and `communityRequester`), and puts their ids and slugs in `fixture.ids`.
 */
async function createCommunityFixture(t: TestApp, fixture: Fixture, passwordHash: string): Promise<void> {
  const users = fixture.users;
  fixture.ids.community = await insertCommunity(t.db, FIXTURE_COMMUNITY, users.organizer!.id);
  fixture.ids.communitySlug = FIXTURE_COMMUNITY;
  fixture.ids.otherCommunity = await insertCommunity(t.db, OTHER_COMMUNITY, users.otherOrganizer!.id);
  fixture.ids.otherCommunitySlug = OTHER_COMMUNITY;
  for (const name of ['communityTarget', 'communityRequester']) {
    const email = `${name.toLowerCase()}@authz.test`;
    fixture.ids[name] = await upsertUser(t.db.kysely, { email, emailNormalized: normalizeEmail(email), displayName: name, passwordHash, role: 'user', verified: true });
  }
  await resetCommunityFixture(t.db, fixture);
}

/** Puts every fixture relation back (rows that follow, leave, block or accept invitations call it before each actor). */
export async function resetCommunityFixture(db: Db, fixture: Fixture): Promise<void> {
  const { community, otherCommunity } = fixture.ids;
  if (!community || !otherCommunity) throw new Error('The community fixture is missing');
  await db.kysely.transaction().execute(async (trx) => {
    for (const id of [community, otherCommunity]) {
      await trx.deleteFrom('memberships').where('community_id', '=', id).execute();
      await trx.deleteFrom('community_blocks').where('community_id', '=', id).execute();
      await trx.deleteFrom('join_requests').where('community_id', '=', id).execute();
    }
    const roles: Array<[string, 'organizer' | 'member' | 'ally']> = [
      [fixture.users.organizer!.id, 'organizer'],
      [fixture.users.member!.id, 'member'],
      [fixture.users.ally!.id, 'ally'],
      [fixture.ids.communityTarget!, 'member'],
    ];
    await trx
      .insertInto('memberships')
      .values([
        ...roles.map(([user_id, role]) => ({ community_id: community, user_id, role })),
        { community_id: otherCommunity, user_id: fixture.users.otherOrganizer!.id, role: 'organizer' as const },
      ])
      .execute();
    await trx.insertInto('community_blocks').values({ community_id: community, user_id: fixture.users.blocked!.id, blocked_by: fixture.users.organizer!.id }).execute();
  });
}
