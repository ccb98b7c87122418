import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, ownAccount, signedIn, viewerOf } from '../../platform/auth.js';
import { parseForm, password, translateErrors, type FieldError } from '../../platform/forms.js';
import { enforceLimits, LIMITS } from '../../platform/rate-limit.js';
import { emptyForm, type FormState } from '../../platform/views/form.js';
import { cookieName, safeNextPath } from '../../platform/web.js';
import { challengeCookieName, deviceCookieName, deviceHint } from './session.routes.js';
import { rememberDevice } from './session.service.js';
import {
  anyCodeField,
  completeSecondFactorLogin,
  disableTwoFactor,
  enableTwoFactor,
  findLoginChallenge,
  getTwoFactorStatus,
  recoveryCodeField,
  regenerateRecoveryCodes,
  startTwoFactorSetup,
  totpCodeField,
} from './two-factor.service.js';
import { RecoveryCodesPage, SecondStepPage, SetupPage, TwoFactorPage, type TwoFactorForms } from './two-factor.views.js';

const setupShape = { password: password({ min: 1, max: 1024 }) };
const enableShape = { code: totpCodeField() };
const disableShape = { password: password({ min: 1, max: 1024 }), code: anyCodeField() };
const regenerateShape = { code: anyCodeField() };
const totpShape = { code: totpCodeField() };
const recoveryShape = { recovery_code: recoveryCodeField() };

function refused(request: FastifyRequest, errors: Partial<Record<string, FieldError>>, unknown: string[], echo: FormState['values'] = {}): FormState {
  const translated = translateErrors(request.i18n, errors);
  // An unknown field has no place in the form: the message goes to the summary only.
  for (const name of unknown) translated[name] = request.i18n.t('validation.unknownField');
  return { values: echo, errors: translated };
}

function fieldError(request: FastifyRequest, name: string, key: string): FormState {
  return { values: {}, errors: { [name]: request.i18n.t(key) } };
}

/** Two-step sign-in: enrolment on the account pages, and the second step of signing in. */
export function registerTwoFactorRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { config } = ctx;
  const sessionCookie = cookieName(config, 'session');
  const challengeCookie = challengeCookieName(config);
  const sessionCookieOptions = { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'lax' as const };
  const clearChallengeOptions = { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'lax' as const };

  async function renderStatus(reply: FastifyReply, userId: string, forms: Partial<TwoFactorForms>, notice?: 'disabled') {
    const status = await getTwoFactorStatus(ctx, userId);
    const all: TwoFactorForms = { setup: emptyForm(), disable: emptyForm(), regenerate: emptyForm(), ...forms };
    return reply.page(reply.request.i18n.t('twofactor.title'), <TwoFactorPage ctx={reply.pageContext()} status={status} forms={all} notice={notice} />);
  }

  function renderSetup(reply: FastifyReply, setup: Parameters<typeof SetupPage>[0]['setup'], form: FormState) {
    return reply.page(reply.request.i18n.t('twofactor.setup.title'), <SetupPage ctx={reply.pageContext()} setup={setup} form={form} />);
  }

  function renderCodes(reply: FastifyReply, codes: string[], reason: 'enabled' | 'regenerated') {
    const title = reason === 'enabled' ? 'twofactor.codes.enabledTitle' : 'twofactor.codes.regeneratedTitle';
    return reply.page(reply.request.i18n.t(title), <RecoveryCodesPage ctx={reply.pageContext()} codes={codes} reason={reason} />);
  }

  app.get('/account/two-factor', guarded(signedIn), async (request: FastifyRequest<{ Querystring: { done?: string } }>, reply) => {
    const viewer = viewerOf(request);
    return renderStatus(reply, viewer.id, {}, request.query.done === 'disabled' ? 'disabled' : undefined);
  });

  app.post('/account/two-factor/setup', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const form = parseForm(setupShape, request.body);
    if (!form.ok) return renderStatus(reply.code(422), viewer.id, { setup: refused(request, form.errors, form.unknown) });
    await enforceLimits(ctx, reply, [[LIMITS.secondFactorPerAccount, viewer.id]]);
    const result = await startTwoFactorSetup(ctx, viewer.id, form.value.password);
    if (!result.ok) {
      if (result.reason === 'already_enabled') return reply.redirect('/account/two-factor', 303);
      return renderStatus(reply.code(422), viewer.id, { setup: fieldError(request, 'password', 'twofactor.passwordWrong') });
    }
    return renderSetup(reply, result.setup, emptyForm());
  });

  app.post('/account/two-factor/enable', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const form = parseForm(enableShape, request.body);
    if (!form.ok) return renderSetup(reply.code(422), undefined, refused(request, form.errors, form.unknown));
    await enforceLimits(ctx, reply, [[LIMITS.secondFactorPerAccount, viewer.id]]);
    const result = await enableTwoFactor(ctx, viewer.id, form.value.code, request.id);
    if (!result.ok) {
      if (result.reason !== 'wrong_code') return reply.redirect('/account/two-factor', 303);
      return renderSetup(reply.code(422), undefined, fieldError(request, 'code', 'twofactor.codeWrong'));
    }
    return renderCodes(reply, result.recoveryCodes, 'enabled');
  });

  app.post('/account/two-factor/disable', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const form = parseForm(disableShape, request.body);
    if (!form.ok) return renderStatus(reply.code(422), viewer.id, { disable: refused(request, form.errors, form.unknown) });
    await enforceLimits(ctx, reply, [[LIMITS.secondFactorPerAccount, viewer.id]]);
    const result = await disableTwoFactor(ctx, viewer.id, form.value, request.id);
    if (!result.ok) {
      if (result.reason === 'not_enabled') return reply.redirect('/account/two-factor', 303);
      const state =
        result.reason === 'wrong_password' ? fieldError(request, 'password', 'twofactor.passwordWrong') : fieldError(request, 'code', 'twofactor.codeWrong');
      return renderStatus(reply.code(422), viewer.id, { disable: state });
    }
    return reply.redirect('/account/two-factor?done=disabled', 303);
  });

  app.post('/account/two-factor/recovery-codes', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const form = parseForm(regenerateShape, request.body);
    if (!form.ok) return renderStatus(reply.code(422), viewer.id, { regenerate: refused(request, form.errors, form.unknown) });
    await enforceLimits(ctx, reply, [[LIMITS.secondFactorPerAccount, viewer.id]]);
    const result = await regenerateRecoveryCodes(ctx, viewer.id, form.value.code, request.id);
    if (!result.ok) {
      if (result.reason === 'not_enabled') return reply.redirect('/account/two-factor', 303);
      return renderStatus(reply.code(422), viewer.id, { regenerate: fieldError(request, 'code', 'twofactor.codeWrong') });
    }
    return renderCodes(reply, result.recoveryCodes, 'regenerated');
  });

  // The second sign-in step. Nobody is signed in yet: only the challenge cookie says who is asking.
  type SecondStepRequest = FastifyRequest<{ Querystring: { method?: string } }>;

  function renderSecondStep(reply: FastifyReply, method: 'totp' | 'recovery', form: FormState, exhausted = false) {
    return reply.page(
      reply.request.i18n.t('login.secondStep.title'),
      <SecondStepPage ctx={reply.pageContext()} form={form} method={method} exhausted={exhausted} />,
    );
  }

  function startOver(reply: FastifyReply, hadCookie: boolean) {
    reply.clearCookie(challengeCookie, clearChallengeOptions);
    return reply.redirect(hadCookie ? '/login?challenge=expired' : '/login', 303);
  }

  app.get('/login/two-factor', guarded(anyone), async (request: SecondStepRequest, reply) => {
    if (request.viewer) return reply.redirect('/', 303);
    const token = request.cookies[challengeCookie];
    const challenge = token ? await findLoginChallenge(ctx, token) : undefined;
    if (!challenge) return startOver(reply, !!token);
    return renderSecondStep(reply, request.query.method === 'recovery' ? 'recovery' : 'totp', emptyForm());
  });

  app.post('/login/two-factor', guarded(anyone), async (request: SecondStepRequest, reply) => {
    if (request.viewer) return reply.redirect('/', 303);
    const token = request.cookies[challengeCookie];
    const challenge = token ? await findLoginChallenge(ctx, token) : undefined;
    if (!token || !challenge) return startOver(reply, !!token);
    const body = request.body as Record<string, unknown> | undefined;
    const method = body && Object.hasOwn(body, 'recovery_code') ? 'recovery' : 'totp';
    const form = method === 'recovery' ? parseForm(recoveryShape, request.body) : parseForm(totpShape, request.body);
    await enforceLimits(ctx, reply, [[LIMITS.secondFactorPerAccount, challenge.userId]]);
    if (!form.ok) return renderSecondStep(reply.code(422), method, refused(request, form.errors, form.unknown));
    const code = 'code' in form.value ? form.value.code : form.value.recovery_code;
    const result = await completeSecondFactorLogin(ctx, {
      challengeToken: token,
      code,
      deviceHint: deviceHint(request.headers['user-agent']),
      requestId: request.id,
    });
    if (result.status === 'gone') return startOver(reply, true);
    if (result.status === 'wrong_code') {
      if (result.attemptsLeft === 0) {
        reply.clearCookie(challengeCookie, clearChallengeOptions);
        return renderSecondStep(reply.code(422), method, emptyForm(), true);
      }
      const field = method === 'recovery' ? 'recovery_code' : 'code';
      return renderSecondStep(reply.code(422), method, fieldError(request, field, 'login.secondStep.wrong'));
    }
    reply.clearCookie(challengeCookie, clearChallengeOptions);
    reply.setCookie(sessionCookie, result.sessionToken, sessionCookieOptions);
    const device = await rememberDevice(ctx.db, challenge.userId, request.cookies[deviceCookieName(ctx.config)]);
    reply.setCookie(deviceCookieName(ctx.config), device, { ...sessionCookieOptions, maxAge: 365 * 86_400 });
    return reply.redirect(safeNextPath(result.next), 303);
  });
}
