import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, isApiRequest } from './errors.js';
import type { Viewer } from './views/render.js';

/** How the request proved who it is. */
export type AuthMethod =
  | { kind: 'anonymous' }
  | { kind: 'session' }
  | { kind: 'token'; tokenId: string; scope: 'read' | 'write' };

/** A check a route adds to its guard, run after `who` and `scope`: it throws HttpError (404 hidden, 403 forbidden) or returns. */
export type GuardCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<void> | void;

/**
 * Who may call a route, declared in its options (`{ config: { guard } }`). The platform enforces it
 * before the handler runs; a route without one is refused when it is registered.
 */
export interface Guard {
  /**
   * 'anyone': signed in or not. 'signedIn': anonymous visitors are sent to sign in (pages) or get
   * 401 (API). 'moderator' (moderators and admins) and 'admin' also need that instance role (403).
   */
  who: 'anyone' | 'signedIn' | 'moderator' | 'admin';
  /** The scope a personal API token needs: by default `read` for GET and HEAD, `write` for the rest. */
  scope?: 'read' | 'write';
  /** Further checks that need a record (the viewer's role in a community), in order. */
  checks?: readonly GuardCheck[];
  /**
   * A person who has not confirmed their e-mail address may look around and set up their account,
   * not act: every change they try is refused (by the accounts module) unless its route says it
   * is part of setting up their own account.
   */
  unconfirmed?: 'allowed';
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthMethod;
  }
  interface FastifyContextConfig {
    guard?: Guard;
  }
}

export const ANONYMOUS: AuthMethod = { kind: 'anonymous' };

/** Guards for the common cases; a route with checks spreads one: `{ ...signedIn, checks: [...] }`. */
export const anyone: Guard = { who: 'anyone' };
export const signedIn: Guard = { who: 'signedIn' };
export const moderators: Guard = { who: 'moderator' };
export const admins: Guard = { who: 'admin' };
/** The person's own account and settings: open to them before they confirm their address. */
export const ownAccount: Guard = { who: 'signedIn', unconfirmed: 'allowed' };

/** The options of a route with this guard (and optionally more checks). */
export function guarded(guard: Guard, ...checks: GuardCheck[]): { config: { guard: Guard } } {
  return { config: { guard: checks.length > 0 ? { ...guard, checks: [...(guard.checks ?? []), ...checks] } : guard } };
}

/** The signed-in person of a route whose guard requires one. */
export function viewerOf(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new Error(`${request.method} ${request.routeOptions.url ?? request.url} reads the viewer but its guard lets anonymous visitors in`);
  return request.viewer;
}

function hasInstanceRole(viewer: Viewer, who: Guard['who']): boolean {
  if (who === 'admin') return viewer.role === 'admin';
  if (who === 'moderator') return viewer.role === 'moderator' || viewer.role === 'admin';
  return true;
}

/** Routes the platform serves without a guard of their own: static files. */
function exempt(url: string): boolean {
  return url.startsWith('/static/');
}

/**
 * Enforces each route's guard in a preHandler (after the body is parsed and CSRF is checked):
 * anonymous visitors of a page that needs a person are redirected to sign in (303), of the API get
 * 401 with `WWW-Authenticate`; a person without the instance role, or a token without the scope,
 * gets 403; then the route's own checks run. Registering a route without a guard fails at start.
 */
export function registerGuards(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (route.method === 'HEAD' || exempt(route.url)) return;
    const config = route.config as { guard?: Guard } | undefined;
    if (!config?.guard) throw new Error(`${String(route.method)} ${route.url} declares no guard`);
  });

  app.addHook('preValidation', async (request, reply) => {
    const guard = request.routeOptions.config.guard;
    if (!guard) return;
    const viewer = request.viewer;
    if (guard.who !== 'anyone' && !viewer) {
      if (isApiRequest(request)) {
        reply.header('www-authenticate', 'Bearer realm="alongside"');
        throw new HttpError(401, 'authentication_required');
      }
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    if (viewer && !hasInstanceRole(viewer, guard.who)) throw new HttpError(403, 'authorization_error');
    if (request.auth.kind === 'token') {
      const scope = guard.scope ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');
      if (scope === 'write' && request.auth.scope !== 'write') throw new HttpError(403, 'insufficient_scope');
    }
    for (const check of guard.checks ?? []) {
      await check(request, reply);
      if (reply.sent) return reply;
    }
    return undefined;
  });
}

/**
 * A record a route's guard loads (the community of `:slug`, the ask of `:id`) and hands to the
 * handler, so it is read and authorized once: `check(load)` is the guard check, `of(request)` what it loaded.
 */
export function loadedRecord<T>(name: string) {
  const loaded = new WeakMap<FastifyRequest, T>();
  return {
    check(load: (request: FastifyRequest) => Promise<T>): GuardCheck {
      return async (request) => {
        loaded.set(request, await load(request));
      };
    },
    of(request: FastifyRequest): T {
      if (!loaded.has(request)) throw new Error(`${request.method} ${request.routeOptions.url ?? request.url} reads the ${name} but its guard does not load it`);
      return loaded.get(request)!;
    },
  };
}
