import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError, isApiRequest } from './errors.js';
import type { Viewer } from './views/render.js';

/** How the request proved who it is. */
export type AuthMethod =
  | { kind: 'anonymous' }
  | { kind: 'session' }
  | { kind: 'token'; tokenId: string; scope: 'read' | 'write' };

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthMethod;
  }
}

export const ANONYMOUS: AuthMethod = { kind: 'anonymous' };

/**
 * The signed-in person, or: for pages, a redirect to sign in (returns undefined, reply sent);
 * for the API, 401 with `WWW-Authenticate: Bearer`.
 */
export function requireViewer(request: FastifyRequest, reply: FastifyReply): Viewer | undefined {
  if (request.viewer) return request.viewer;
  if (isApiRequest(request)) {
    reply.header('www-authenticate', 'Bearer realm="alongside"');
    throw new HttpError(401, 'authentication_required');
  }
  void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  return undefined;
}

/** Refuses a personal API token that lacks the scope; sessions carry every scope (their writes need CSRF tokens). */
export function requireScope(request: FastifyRequest, scope: 'read' | 'write'): void {
  if (request.auth.kind !== 'token') return;
  if (scope === 'write' && request.auth.scope !== 'write') throw new HttpError(403, 'insufficient_scope');
}
