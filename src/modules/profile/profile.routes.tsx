import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { guarded, ownAccount, signedIn, viewerOf } from '../../platform/auth.js';
import { HttpError, sendProblem } from '../../platform/errors.js';
import { checkbox, choice, parseForm, password, problemErrors, translateErrors, type FieldError } from '../../platform/forms.js';
import { enforceLimits, type Limit } from '../../platform/rate-limit.js';
import type { FormState } from '../../platform/views/form.js';
import { cookieName } from '../../platform/web.js';
import { PASSWORD_MAX } from '../accounts/index.js';
import { CONTENT_MODES, deleteAccount, type ContentMode } from './deletion.js';
import { auditCsv, auditExport, buildExport, sessionsCsv } from './export.js';
import type { Place } from './places.js';
import { parseProfileForm, parseProfileJson, profileFormEcho } from './profile.form.js';
import { getProfile, profileFormValues, profilePatchBase, updateProfile } from './profile.service.js';
import { DataPage, DeletePage, GoodbyePage, ProfilePage } from './profile.views.js';

/** Re-authentication for deletion: a stolen session must not be able to guess the password for ever. */
const DELETE_LIMIT: Limit = { bucket: 'delete:account', limit: 10, windowSeconds: 3600 };

const DELETE_FORM = {
  password: password({ min: 1, max: PASSWORD_MAX }),
  confirm: checkbox(),
  content: choice(CONTENT_MODES),
};

const DELETE_JSON = {
  password: password({ min: 1, max: PASSWORD_MAX }),
  content: choice(CONTENT_MODES),
};

function placeChoicesDetail(request: FastifyRequest, error: FieldError, candidates: Place[]): string {
  const message = request.i18n.t(error.key, error.values);
  if (candidates.length === 0) return message;
  const choices = candidates.map((p) => `${p.name}${p.region ? `, ${p.region}` : ''}, ${p.country} (homePlaceId ${p.id})`).join('; ');
  return request.i18n.t('profile.error.placeChoicesApi', { message, choices });
}

/** The person's profile, their data export and account deletion, as pages and under /api/v1/me. */
export function registerProfileRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, config } = ctx;
  const sessionCookie = cookieName(config, 'session');
  const cookieOptions = { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'lax' as const };

  function renderProfile(reply: FastifyReply, state: FormState, candidates: Place[], saved = false) {
    return reply.page(reply.request.i18n.t('profile.title'), <ProfilePage ctx={reply.pageContext()} state={state} candidates={candidates} saved={saved} />);
  }

  app.get('/account/profile', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const profile = await getProfile(db, viewer.id);
    if (!profile) throw new HttpError(404, 'not_found');
    const saved = (request.query as Record<string, unknown>).saved === '1';
    return renderProfile(reply, { values: profileFormValues(profile), errors: {} }, [], saved);
  });

  app.post('/account/profile', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const parsed = parseProfileForm(request.body);
    if (!parsed.ok) {
      const errors = translateErrors(request.i18n, parsed.errors);
      for (const name of parsed.unknown) errors[name] = request.i18n.t('validation.unknownField');
      reply.code(422);
      return renderProfile(reply, { values: parsed.echo, errors }, []);
    }
    const result = await updateProfile(db, { userId: viewer.id, profile: parsed.value, requestId: request.id });
    if (!result.ok) {
      reply.code(422);
      return renderProfile(reply, { values: profileFormEcho(request.body), errors: translateErrors(request.i18n, result.errors) }, result.candidates);
    }
    return reply.redirect('/account/profile?saved=1', 303);
  });

  app.get('/account/data', guarded(signedIn), async (request, reply) => {
    return reply.page(request.i18n.t('data.title'), <DataPage ctx={reply.pageContext()} />);
  });

  app.get('/account/data/export.json', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const document = await buildExport(ctx, viewer.id);
    if (!document) throw new HttpError(404, 'not_found');
    await auditExport(db, { userId: viewer.id, part: 'json', requestId: request.id });
    return reply
      .header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="alongside-data.json"')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(document, null, 2));
  });

  for (const [file, build] of [
    ['sessions.csv', sessionsCsv],
    ['audit.csv', auditCsv],
  ] as const) {
    app.get(`/account/data/${file}`, guarded(signedIn), async (request, reply) => {
      const viewer = viewerOf(request);
      const csv = await build(db, viewer.id);
      await auditExport(db, { userId: viewer.id, part: file, requestId: request.id });
      return reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="alongside-${file}"`)
        .type('text/csv; charset=utf-8')
        .send(csv);
    });
  }

  function renderDelete(reply: FastifyReply, state: FormState) {
    return reply.page(reply.request.i18n.t('data.delete.title'), <DeletePage ctx={reply.pageContext()} state={state} />);
  }

  app.get('/account/data/delete', guarded(signedIn), async (request, reply) => {
    return renderDelete(reply, { values: {}, errors: {} });
  });

  app.post('/account/data/delete', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const parsed = parseForm(DELETE_FORM, request.body);
    const errors: Record<string, FieldError> = parsed.ok ? {} : { ...(parsed.errors as Record<string, FieldError>) };
    if (parsed.ok && !parsed.value.confirm) errors.confirm = { key: 'data.delete.confirmRequired' };
    const echo = { content: typeof (request.body as Record<string, unknown>)?.content === 'string' ? String((request.body as Record<string, unknown>).content) : '' };
    if (!parsed.ok || Object.keys(errors).length > 0) {
      reply.code(422);
      return renderDelete(reply, { values: echo, errors: translateErrors(request.i18n, errors) });
    }
    await enforceLimits(ctx, reply, [[DELETE_LIMIT, viewer.id]]);
    const result = await deleteAccount(ctx, { userId: viewer.id, password: parsed.value.password, mode: parsed.value.content as ContentMode, requestId: request.id });
    if (result === 'wrong_password') {
      reply.code(422);
      return renderDelete(reply, { values: echo, errors: translateErrors(request.i18n, { password: { key: 'data.delete.wrongPassword' } }) });
    }
    if (result === 'not_found') throw new HttpError(404, 'not_found');
    reply.clearCookie(sessionCookie, cookieOptions);
    reply.clearCookie(cookieName(config, 'csrf'), cookieOptions);
    reply.header('clear-site-data', '"cache", "storage"');
    request.viewer = undefined;
    return reply.page(request.i18n.t('data.goodbye.title'), <GoodbyePage ctx={reply.pageContext()} />);
  });

  // ---- API -------------------------------------------------------------------------------------

  app.get('/api/v1/me', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const profile = await getProfile(db, viewer.id);
    if (!profile) throw new HttpError(404, 'not_found');
    return reply.header('cache-control', 'no-store').send({ id: viewer.id, ...profile });
  });

  app.patch('/api/v1/me', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'bad_request');
    const current = await getProfile(db, viewer.id);
    if (!current) throw new HttpError(404, 'not_found');
    // A partial update: fields left out keep their value and go through the same checks.
    const parsed = parseProfileJson({ ...profilePatchBase(current), ...(body as Record<string, unknown>) });
    if (!parsed.ok) {
      return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
    }
    const result = await updateProfile(db, { userId: viewer.id, profile: parsed.value, requestId: request.id });
    if (!result.ok) {
      const errors = Object.entries(result.errors).map(([name, error]) => ({ pointer: `/${name}`, detail: placeChoicesDetail(request, error, result.candidates) }));
      return sendProblem(request, reply, 422, 'validation_error', { errors });
    }
    const profile = await getProfile(db, viewer.id);
    return reply.header('cache-control', 'no-store').send({ id: viewer.id, ...profile });
  });

  app.get('/api/v1/me/export', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const document = await buildExport(ctx, viewer.id);
    if (!document) throw new HttpError(404, 'not_found');
    await auditExport(db, { userId: viewer.id, part: 'api', requestId: request.id });
    return reply.header('cache-control', 'no-store').send(document);
  });

  app.delete('/api/v1/me', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const parsed = parseForm(DELETE_JSON, request.body);
    if (!parsed.ok) {
      return sendProblem(request, reply, 422, 'validation_error', { errors: problemErrors(request.i18n, parsed.errors, parsed.unknown) });
    }
    await enforceLimits(ctx, reply, [[DELETE_LIMIT, viewer.id]]);
    const result = await deleteAccount(ctx, { userId: viewer.id, password: parsed.value.password, mode: parsed.value.content as ContentMode, requestId: request.id });
    if (result === 'wrong_password') {
      return sendProblem(request, reply, 422, 'validation_error', { errors: [{ pointer: '/password', detail: request.i18n.t('data.delete.wrongPassword') }] });
    }
    if (result === 'not_found') throw new HttpError(404, 'not_found');
    if (request.auth.kind === 'session') reply.clearCookie(sessionCookie, cookieOptions);
    return reply.code(204).send();
  });
}
