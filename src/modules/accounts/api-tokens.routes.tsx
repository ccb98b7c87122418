import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, signedIn, viewerOf, type GuardCheck } from '../../platform/auth.js';
import { isUuid } from '../../platform/ids.js';
import { API_PAGE, cursorCodec, pageOf, readPage } from '../../platform/pagination.js';
import { HttpError, sendProblem } from '../../platform/errors.js';
import { choice, optionalText, parseForm, password, problemErrors, text, translateErrors } from '../../platform/forms.js';
import { enforceLimits, LIMITS, type Limit } from '../../platform/rate-limit.js';
import { emptyForm, type FormState } from '../../platform/views/form.js';
import { normalizeEmail } from './accounts.service.js';
import type { ApiTokenRecord } from './api-tokens.repository.js';
import { createApiToken, issueApiToken, listTokens, revokeApiToken } from './api-tokens.service.js';
import { TOKEN_NAME_MAX, TokenCreatedPage, TokensPage } from './api-tokens.views.js';

const SCOPES = ['read', 'write'] as const;

/** The form on /account/tokens. */
export const tokenFormShape = {
  name: text({ min: 1, max: TOKEN_NAME_MAX }),
  scope: choice(SCOPES),
};

/** The JSON body of POST /api/v1/auth/tokens: credentials, and what the token is for. */
export const issueTokenShape = {
  email: text({ max: 254 }),
  // Any length is checked against the hash: the password rules apply when it is chosen, not here.
  password: password({ min: 1, max: 1024 }),
  otp: optionalText({ max: 64 }),
  ...tokenFormShape,
};

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
    return renderTokens(reply, viewer.id, emptyForm({ scope: 'read' }), revoked);
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
    const { name, scope } = parsed.value;
    const created = await createApiToken(db, { userId: viewer.id, name, scope: scope!, requestId: request.id });
    // The token is shown in this response only (pages are never cached): there is no way back to it.
    reply.code(201);
    return reply.page(request.i18n.t('tokens.created.title'), <TokenCreatedPage ctx={reply.pageContext()} token={created.token} name={name} scope={scope!} />);
  });

  app.post('/account/tokens/:id/revoke', guarded(signedIn), async (request, reply) => {
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
    const hasCode = typeof body?.otp === 'string' && body.otp !== '';
    await enforceLimits(ctx, reply, [
      [LIMITS.tokenPerIp, request.ip],
      [LIMITS.loginPerAccount, normalizeEmail(email)],
      // Guessing codes needs the password already; this bounds it further.
      ...(hasCode ? [[LIMITS.secondFactorPerAccount, normalizeEmail(email)] as [Limit, string]] : []),
    ]);
  };

  app.post('/api/v1/auth/tokens', guarded(anyone, limitAttempts), async (request, reply) => {
    const body = request.body as Record<string, unknown> | null;
    const parsed = parseForm(issueTokenShape, body);
    if (!parsed.ok) return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
    const input = parsed.value;
    const outcome = await issueApiToken(ctx, {
      email: input.email,
      password: input.password,
      otp: input.otp,
      name: input.name,
      scope: input.scope!,
      requestId: request.id,
    });
    if (!outcome.ok) {
      reply.header('www-authenticate', 'Bearer realm="alongside"');
      return sendProblem(request, reply, 401, outcome.reason, { detail: request.i18n.t(`tokens.api.${outcome.reason}`) });
    }
    reply.header('cache-control', 'no-store');
    return reply.code(201).send({ id: outcome.id, token: outcome.token, scope: input.scope, name: input.name });
  });

  app.get('/api/v1/auth/tokens', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    reply.header('cache-control', 'no-store');
    const page = readPage(request, reply, TOKEN_CURSOR, API_PAGE);
    const rows = await listTokens(db.kysely, viewer.id, { limit: page.limit + 1, ...(page.after ? { after: page.after } : {}) });
    const { items, next } = pageOf(request, reply, rows, page.limit, (t) => TOKEN_CURSOR.encode(t.position));
    return { tokens: items.map(tokenJson), next };
  });

  app.delete('/api/v1/auth/tokens/:id', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const removed = await revokeApiToken(db, { userId: viewer.id, tokenId: tokenId(request), requestId: request.id });
    if (!removed) throw new HttpError(404, 'not_found');
    return reply.code(204).send();
  });
}
