import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, type GuardCheck, guarded, ownAccount, signedIn, viewerOf } from '../../platform/auth.js';
import { isUuid } from '../../platform/ids.js';
import { API_PAGE, cursorCodec, pageOf, readPage } from '../../platform/pagination.js';
import { HttpError, sendProblem } from '../../platform/errors.js';
import { choice, integer, optionalText, parseForm, password, problemErrors, text, translateErrors } from '../../platform/forms.js';
import { enforceLimits, LIMITS } from '../../platform/rate-limit.js';
import { emptyForm, type FormState } from '../../platform/views/form.js';
import { normalizeEmail } from './accounts.service.js';
import type { ApiTokenRecord } from './api-tokens.repository.js';
import { createApiToken, issueApiToken, listTokens, revokeApiToken } from './api-tokens.service.js';
import { TOKEN_NAME_MAX, TokenCreatedPage, TokensPage } from './api-tokens.views.js';

const SCOPES = ['read', 'write'] as const;

/** The form on /account/tokens. */
/** How long a token made on the page works: a choice of days, or until it is revoked. */
export const EXPIRY_CHOICES = ['30', '90', '365', 'never'] as const;

export const tokenFormShape = {
  name: text({ min: 1, max: TOKEN_NAME_MAX }),
  scope: choice(SCOPES),
  expires: choice(EXPIRY_CHOICES, { required: false }),
};

/** The JSON body of POST /api/v1/auth/tokens: credentials, and what the token is for. */
export const issueTokenShape = {
  email: text({ max: 254 }),
  // Any length is checked against the hash: the password rules apply when it is chosen, not here.
  password: password({ min: 1, max: 1024 }),
  otp: optionalText({ max: 64 }),
  name: tokenFormShape.name,
  scope: tokenFormShape.scope,
  // Days the token works; without it, until it is revoked.
  expiresInDays: integer({ min: 1, max: 3650 }),
};

/** When a token asked to work for some days stops, or null. */
function expiryOf(days: number | null): Date | null {
  return days === null ? null : new Date(Date.now() + days * 86_400_000);
}

function tokenId(request: FastifyRequest): string {
  const id = (request.params as Record<string, unknown>).id;
  if (typeof id !== 'string' || !isUuid(id.toLowerCase())) throw new HttpError(404, 'not_found');
  return id.toLowerCase();
}

function isJson(request: FastifyRequest): boolean {
  return /^application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? '');
}

/** The API's view of a token: never its hash. */
function tokenJson(token: ApiTokenRecord) {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    expiresAt: token.expiresAt?.toISOString() ?? null,
  };
}

/** The keyset of a person's API tokens: newest first. */
const TOKEN_CURSOR = cursorCodec('api-tokens', ['timestamp', 'uuid']);

/** Personal API tokens: the page at /account/tokens and the token endpoints of the API. */
export function registerApiTokenRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  async function renderTokens(reply: FastifyReply, viewerId: string, form: FormState, revoked = false) {
    const tokens = await listTokens(db.kysely, viewerId);
    return reply.page(reply.request.i18n.t('tokens.title'), <TokensPage ctx={reply.pageContext()} tokens={tokens} form={form} revoked={revoked} />);
  }

  app.get('/account/tokens', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const revoked = (request.query as Record<string, unknown>).revoked === '1';
    return renderTokens(reply, viewer.id, emptyForm({ scope: 'read', expires: '90' }), revoked);
  });

  app.post('/account/tokens', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const parsed = parseForm(tokenFormShape, request.body);
    if (!parsed.ok) {
      reply.code(422);
      const errors = translateErrors(request.i18n, parsed.errors);
      if (parsed.unknown.length > 0 && Object.keys(errors).length === 0) errors.name = request.i18n.t('validation.unknownField');
      return renderTokens(reply, viewer.id, { values: parsed.echo, errors });
    }
    const { name, scope, expires } = parsed.value;
    const expiresAt = expiryOf(expires === null || expires === 'never' ? null : Number(expires));
    const created = await createApiToken(db, { userId: viewer.id, name, scope: scope!, expiresAt, requestId: request.id });
    // The token is shown in this response only (pages are never cached): there is no way back to it.
    reply.code(201);
    return reply.page(request.i18n.t('tokens.created.title'), <TokenCreatedPage ctx={reply.pageContext()} token={created.token} name={name} scope={scope!} />);
  });

  app.post('/account/tokens/:id/revoke', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const removed = await revokeApiToken(db, { userId: viewer.id, tokenId: tokenId(request), requestId: request.id });
    if (!removed) throw new HttpError(404, 'not_found');
    return reply.redirect('/account/tokens?revoked=1', 303);
  });

  // Called by scripts without a session: the credentials are in the body and cookies are never
  // read (a request that does carry a live session still needs its CSRF token, see app.ts).
  // Every attempt counts against the limits, before its body is even checked: guessing cannot hide in malformed requests.
  const limitAttempts: GuardCheck = async (request, reply) => {
    if (!isJson(request)) throw new HttpError(415, 'unsupported_media_type');
    const body = request.body as Record<string, unknown> | null;
    const email = typeof body?.email === 'string' ? body.email.slice(0, 254) : '';
    // Codes of the second factor are counted per account once the password is right, in the same
    // budget as the sign-in page's second step (see issueApiToken).
    await enforceLimits(ctx, reply, [
      [LIMITS.tokenPerIp, request.ip],
      [LIMITS.loginPerAccount, normalizeEmail(email)],
    ]);
  };

  app.post('/api/v1/auth/tokens', guarded(anyone, limitAttempts), async (request, reply) => {
    const body = request.body as Record<string, unknown> | null;
    const parsed = parseForm(issueTokenShape, body);
    if (!parsed.ok) return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
    const input = parsed.value;
    const expiresAt = expiryOf(input.expiresInDays);
    const outcome = await issueApiToken(ctx, {
      email: input.email,
      password: input.password,
      otp: input.otp,
      name: input.name,
      scope: input.scope!,
      expiresAt,
      requestId: request.id,
    });
    if (!outcome.ok && outcome.reason === 'rate_limited') {
      reply.header('retry-after', String(outcome.retryAfter));
      return sendProblem(request, reply, 429, 'rate_limited');
    }
    if (!outcome.ok && outcome.reason === 'email_unconfirmed') return sendProblem(request, reply, 403, 'email_unconfirmed', { detail: request.i18n.t('account.confirmFirst.api') });
    if (!outcome.ok) {
      reply.header('www-authenticate', 'Bearer realm="alongside"');
      return sendProblem(request, reply, 401, outcome.reason, { detail: request.i18n.t(`tokens.api.${outcome.reason}`) });
    }
    reply.header('cache-control', 'no-store');
    return reply.code(201).send({ id: outcome.id, token: outcome.token, scope: input.scope, name: input.name, expiresAt: expiresAt?.toISOString() ?? null });
  });

  app.get('/api/v1/auth/tokens', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    reply.header('cache-control', 'no-store');
    const page = readPage(request, reply, TOKEN_CURSOR, API_PAGE);
    const rows = await listTokens(db.kysely, viewer.id, { limit: page.limit + 1, ...(page.after ? { after: page.after } : {}) });
    const { items, next } = pageOf(request, reply, rows, page.limit, (t) => TOKEN_CURSOR.encode(t.position));
    return { tokens: items.map(tokenJson), next };
  });

  app.delete('/api/v1/auth/tokens/:id', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const removed = await revokeApiToken(db, { userId: viewer.id, tokenId: tokenId(request), requestId: request.id });
    if (!removed) throw new HttpError(404, 'not_found');
    return reply.code(204).send();
  });
}
