import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, ownAccount, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendProblem } from '../../platform/errors.js';
import { problemErrors, translateErrors } from '../../platform/forms.js';
import type { FormState } from '../../platform/views/form.js';
import { parsePreferencesForm, parsePreferencesJson, type Preferences } from './notifications.form.js';
import { NOTIFICATION_KINDS } from './notifications.kinds.js';
import { checkUnsubscribe, getPreferences, isSubscribed, savePreferences, unsubscribe } from './notifications.service.js';
import { InvalidLinkPage, PreferencesPage, UnsubscribePage } from './notifications.views.js';

/** The only body an unsubscribe POST may carry: the RFC 8058 one-click marker, or a page's CSRF field. */
function unsubscribeBody(body: unknown): { ok: boolean; oneClick: boolean } {
  if (body === undefined || body === null) return { ok: true, oneClick: false };
  if (typeof body !== 'object' || Array.isArray(body)) return { ok: false, oneClick: false };
  const fields = body as Record<string, unknown>;
  const known = Object.keys(fields).every((k) => k === 'List-Unsubscribe' || k === '_csrf');
  const marker = fields['List-Unsubscribe'];
  if (!known || (marker !== undefined && marker !== 'One-Click')) return { ok: false, oneClick: false };
  return { ok: true, oneClick: marker === 'One-Click' };
}

function formValues(preferences: Preferences): FormState['values'] {
  return Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, preferences[k] ? 'on' : '']));
}

/** Mail preferences (page and API) and the signed unsubscribe link every notification mail carries. */
export function registerNotificationRoutes(app: FastifyInstance, ctx: AppContext): void {
  function renderPreferences(reply: FastifyReply, state: FormState, saved = false) {
    return reply.header('cache-control', 'no-store').page(reply.request.i18n.t('notifications.title'), <PreferencesPage ctx={reply.pageContext()} state={state} saved={saved} />);
  }

  app.get('/account/notifications', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const saved = (request.query as Record<string, unknown>).saved === '1';
    return renderPreferences(reply, { values: formValues(await getPreferences(ctx.db.kysely, viewer.id)), errors: {} }, saved);
  });

  app.post('/account/notifications', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const parsed = parsePreferencesForm(request.body);
    if (!parsed.ok) {
      const errors = translateErrors(request.i18n, parsed.errors);
      for (const name of parsed.unknown) errors[name] = request.i18n.t('validation.unknownField');
      reply.code(422);
      return renderPreferences(reply, { values: parsed.echo, errors });
    }
    await savePreferences(ctx, { userId: viewer.id, preferences: parsed.value, requestId: request.id });
    return reply.redirect('/account/notifications?saved=1', 303);
  });

  app.get('/api/v1/me/notifications', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    return reply.header('cache-control', 'no-store').send(await getPreferences(ctx.db.kysely, viewer.id));
  });

  app.put('/api/v1/me/notifications', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const parsed = parsePreferencesJson(request.body);
    if (!parsed.ok) return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
    await savePreferences(ctx, { userId: viewer.id, preferences: parsed.value, requestId: request.id });
    return reply.header('cache-control', 'no-store').send(await getPreferences(ctx.db.kysely, viewer.id));
  });

  function invalid(reply: FastifyReply, status: 400 | 404) {
    reply.code(status).header('cache-control', 'no-store');
    return reply.page(reply.request.i18n.t('notifications.unsubscribe.invalidTitle'), <InvalidLinkPage ctx={reply.pageContext()} />);
  }

  function linkOf(request: FastifyRequest): string {
    const index = request.url.indexOf('?');
    return index === -1 ? request.url : `/unsubscribe${request.url.slice(index)}`;
  }

  // Mail clients send the one-click POST as a form in either encoding (RFC 8058); only this
  // route accepts multipart, and it never reads more than the marker from it.
  void app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      done(null, /name="List-Unsubscribe"\r?\n\r?\nOne-Click\r?\n/.test(String(body)) ? { 'List-Unsubscribe': 'One-Click' } : {});
    });

    // Opening the link only shows a button: mail scanners that prefetch links must not unsubscribe anyone.
    // The signed link is the credential: anyone holding it may use it, signed in or not.
    scope.get('/unsubscribe', guarded(anyone), async (request, reply) => {
      const link = checkUnsubscribe(ctx, request.query);
      if (!link) return invalid(reply, 400);
      const subscribed = await isSubscribed(ctx, link.userId, link.kind);
      if (subscribed === undefined) return invalid(reply, 404);
      reply.header('cache-control', 'no-store');
      return reply.page(request.i18n.t('notifications.unsubscribe.title'), <UnsubscribePage ctx={reply.pageContext()} kind={link.kind} action={linkOf(request)} subscribed={subscribed} />);
    });

    scope.post('/unsubscribe', guarded(anyone), async (request, reply) => {
      const link = checkUnsubscribe(ctx, request.query);
      if (!link) return invalid(reply, 400);
      const body = unsubscribeBody(request.body);
      if (!body.ok) throw new HttpError(400, 'bad_request');
      if (!(await unsubscribe(ctx, { userId: link.userId, kind: link.kind, requestId: request.id }))) return invalid(reply, 404);
      if (!body.oneClick) return reply.redirect(linkOf(request), 303);
      reply.header('cache-control', 'no-store');
      return reply.page(request.i18n.t('notifications.unsubscribe.title'), <UnsubscribePage ctx={reply.pageContext()} kind={link.kind} action={linkOf(request)} subscribed={false} />);
    });
  });
}
