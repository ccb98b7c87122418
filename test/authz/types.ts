/**
 * The authorization matrix: every route of the app, for every kind of actor, with the outcome
 * expected. `test/integration/authz-matrix.test.ts` (run by `test/authz/matrix.ts`) fails when a
 * route has no row or a row has no route. Each module keeps its rows in
 * `test/authz/rows/<module>.ts` (or `src/modules/<module>/<name>.authz.ts`) as
 * `export const rows: AuthzRow[]`, and may export a `setup` that creates what its rows act on.
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/db/client.js';

/** Who asks. Community roles are about "this community" of the fixture; until communities exist they are signed-in people without a role. */
export const ACTORS = [
  'anonymous',
  'ally',
  'member',
  'organizer',
  'otherOrganizer',
  'moderator',
  'admin',
  'suspended',
  'blocked',
] as const;
export type Actor = (typeof ACTORS)[number];

/**
 * What must happen:
 * - 'ok': 2xx, or a 303 that is not to /login (a form that did its work)
 * - 'login': 303 to /login (pages) — people who are not signed in
 * - a number: exactly that status
 */
export type Outcome = 'ok' | 'login' | 400 | 401 | 403 | 404 | 405 | 409 | 415 | 422 | 429;

/** One actor's account in the fixture. */
export interface FixtureUser {
  id: string;
  email: string;
  password: string;
}

/** Records every actor's test run can use: their ids and anything a row needs (ids of things to act on). */
export interface Fixture {
  /** Undefined for 'anonymous'. */
  users: Record<Actor, FixtureUser | undefined>;
  /** Free-form ids created by `setup` hooks and `prepare` functions of row files. */
  ids: Record<string, string>;
}

export interface AuthzRow {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route pattern exactly as registered, e.g. '/admin/mail/:id'. */
  route: string;
  /** Tells rows of the same route apart in test names and failure messages. */
  name?: string;
  /** The concrete URL to request; defaults to `route`. */
  path?: string | ((fixture: Fixture, actor: Actor) => string);
  /** Form fields (HTML routes) or JSON body (API routes); the CSRF token is added for session requests. */
  body?: Record<string, unknown> | ((fixture: Fixture, actor: Actor) => Record<string, unknown>);
  /**
   * For /api routes: 'token' (default) sends the actor's personal API token with write scope;
   * 'session' the session cookie and the CSRF token in `X-CSRF-Token`; 'none' neither (the body
   * carries credentials). Pages always go with the session cookie and the CSRF form field.
   */
  via?: 'session' | 'token' | 'none';
  /** Expected outcome per actor. A function may return different outcomes per actor. */
  expect: Record<Actor, Outcome> | ((actor: Actor) => Outcome);
  /** Whether the request changes state, so each actor needs fresh data: called before each actor's request. */
  prepare?: (fixture: Fixture, actor: Actor, helpers: AuthzHelpers) => Promise<void>;
  /**
   * The request ends or changes the actor's own account (sign-out, password change, deletion):
   * it is made by a throwaway copy of the actor (same role; suspended for 'suspended') with its
   * own session and token, which `fixture.users[actor]` then is.
   */
  fresh?: boolean;
  /** The route exists only in some configurations (e.g. /metrics): the row is run, and may lack a route. */
  optional?: boolean;
}

/** What a row's `setup` and `prepare` may use. */
export interface AuthzHelpers {
  db: Db;
  app: FastifyInstance;
  /** Runs every due background job (mail lands in the outbox; unknown kinds fail at once). */
  drainJobs: () => Promise<void>;
}

/** What a row file exports. */
export interface AuthzRowFile {
  rows: AuthzRow[];
  /** Called once per engine after the actors exist, before any row runs. */
  setup?: (fixture: Fixture, helpers: AuthzHelpers) => Promise<void>;
}

/** Common expectation: anyone signed in (and not suspended) may; anonymous people are sent to sign in. */
export const signedInPage = (actor: Actor): Outcome => (actor === 'anonymous' || actor === 'suspended' ? 'login' : 'ok');
/** Common expectation for the API: anyone with a valid token may; anonymous gets 401 (a suspended person's token no longer works). */
export const signedInApi = (actor: Actor): Outcome => (actor === 'anonymous' || actor === 'suspended' ? 401 : 'ok');
/** Everyone, signed in or not. */
export const everyone = (): Outcome => 'ok';
/** Instance admins only. */
export const adminPage = (actor: Actor): Outcome => (actor === 'admin' ? 'ok' : actor === 'anonymous' || actor === 'suspended' ? 'login' : 403);
/** Instance admins only, over the API. */
export const adminApi = (actor: Actor): Outcome => (actor === 'admin' ? 'ok' : actor === 'anonymous' || actor === 'suspended' ? 401 : 403);
