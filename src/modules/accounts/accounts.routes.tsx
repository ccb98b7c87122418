import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import { anyone, guarded, ownAccount, signedIn, viewerOf } from '../../platform/auth.js';
import { isApiRequest, sendProblem } from '../../platform/errors.js';
import { parseForm, translateErrors, type FieldError } from '../../platform/forms.js';
import type { Limit } from '../../platform/rate-limit.js';
import { enforceLimits, LIMITS } from '../../platform/rate-limit.js';
import { emptyForm, type FormState } from '../../platform/views/form.js';
import { cookieName } from '../../platform/web.js';
import {
  changeEmailFields,
  changePassword,
  changePasswordFields,
  confirmEmailChange,
  emailTokenFields,
  endOtherSessions,
  endSession,
  endSessionFields,
  forgotPasswordFields,
  getAccount,
  isUsableToken,
  listSessions,
  normalizeEmail,
  parseSignupForm,
  requestEmailChange,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  resetPasswordFields,
  signUp,
  verifyEmail,
} from './accounts.service.js';
import {
  AccountHubPage,
  ChangeEmailPage,
  ChangePasswordPage,
  CheckInboxPage,
  ConfirmFirstPage,
  ConfirmLinkPage,
  EmailTakenPage,
  FLASHES,
  ForgotPasswordPage,
  LinkInvalidPage,
  ResendVerificationPage,
  ResetPasswordPage,
  SessionsPage,
  SignupPage,
  type Flash,
} from './accounts.views.js';
import { hashToken } from './tokens.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Checks of the current password by someone already signed in: a stolen session must not become a guessing oracle. */
const PASSWORD_CHECK_PER_ACCOUNT: Limit = { bucket: 'password-check:account', limit: 10, windowSeconds: 900 };
/** Mails a signed-in person can trigger (verification links): enough for a lost mail, too few to flood a mailbox. */
const MAIL_PER_ACCOUNT: Limit = { bucket: 'account-mail:account', limit: 5, windowSeconds: 1800 };

type Query = Record<string, string | string[] | undefined>;

function flashFrom(request: FastifyRequest): Flash | undefined {
  const value = (request.query as Query).done;
  return typeof value === 'string' && (FLASHES as readonly string[]).includes(value) ? (value as Flash) : undefined;
}

function queryToken(request: FastifyRequest): string {
  const value = (request.query as Query).token;
  return typeof value === 'string' ? value : '';
}

/** The values and translated messages a refused form shows again (passwords never come back). */
function refusedState(
  request: FastifyRequest,
  result: { errors: Partial<Record<string, FieldError>>; echo: Partial<Record<string, string | string[]>>; unknown: string[] },
): FormState {
  const errors = translateErrors(request.i18n, result.errors);
  // An unexpected field is a broken or forged form: say so once rather than ignore it.
  if (result.unknown.length > 0 && Object.keys(errors).length === 0) errors.form = request.i18n.t('validation.unknownField');
  return { values: result.echo, errors };
}

function withError(state: FormState, name: string, message: string): FormState {
  return { values: state.values, errors: { ...state.errors, [name]: message } };
}

/** Sign-up, e-mail verification, password reset, and the signed-in account pages (password, address, sessions). */
export function registerAccountRoutes(app: FastifyInstance, ctx: AppContext): void {
  const sessionCookie = cookieName(ctx.config, 'session');
  const cookieOptions = { path: '/', httpOnly: true, secure: ctx.config.cookieSecure, sameSite: 'lax' as const };

  function currentSessionHash(request: FastifyRequest): string | undefined {
    const token = request.cookies[sessionCookie];
    return request.auth?.kind === 'session' && token ? hashToken(token) : undefined;
  }

  function invalidLink(reply: FastifyReply) {
    reply.code(410);
    return reply.page(reply.request.i18n.t('account.link.invalidTitle'), <LinkInvalidPage ctx={reply.pageContext()} />);
  }

  // --- Sign-up ---------------------------------------------------------------------------------

  function renderSignup(reply: FastifyReply, state: FormState) {
    return reply.page(reply.request.i18n.t('account.signup.title'), <SignupPage ctx={reply.pageContext()} state={state} />);
  }

  app.get('/signup', guarded(anyone), async (request, reply) => {
    if ((request.query as Query).sent === '1') {
      return reply.page(request.i18n.t('account.inbox.title'), <CheckInboxPage ctx={reply.pageContext()} kind="signup" />);
    }
    if (request.viewer) return reply.redirect('/account', 303);
    return renderSignup(reply, emptyForm());
  });

  // Until the address is confirmed, a person may look around and set up their account, not act:
  // every change on a route that is not part of their own account is refused here, saying why.
  app.addHook('preValidation', async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer || viewer.confirmed || SAFE.has(request.method)) return;
    const guard = request.routeOptions.config.guard;
    // Routes open to anyone are the ways into and out of an account (sign-out, language, the
    // confirmation link itself): they stay open.
    if (!guard || guard.who === 'anyone' || guard.unconfirmed === 'allowed') return;
    if (isApiRequest(request)) {
      return sendProblem(request, reply, 403, 'email_unconfirmed', { detail: request.i18n.t('account.confirmFirst.api') });
    }
    reply.code(403);
    return reply.page(request.i18n.t('account.confirmFirst.title'), <ConfirmFirstPage ctx={reply.pageContext()} />);
  });

  app.post('/signup', guarded(anyone), async (request, reply) => {
    if (request.viewer) return reply.redirect('/account', 303);
    await enforceLimits(ctx, reply, [[LIMITS.signupPerIp, request.ip]]);
    const form = parseSignupForm(request.body);
    if (!form.ok) {
      reply.code(422);
      return renderSignup(reply, refusedState(request, form));
    }
    await signUp(ctx, {
      email: form.value.email,
      displayName: form.value.display_name,
      password: form.value.password,
      locale: request.i18n.locale,
      requestId: request.id,
    });
    return reply.redirect('/signup?sent=1', 303);
  });

  // --- Verification ----------------------------------------------------------------------------

  app.get('/verify-email', guarded(anyone), async (request, reply) => {
    const token = queryToken(request);
    if (!(await isUsableToken(ctx, token, 'verify_email'))) return invalidLink(reply);
    return reply.page(
      request.i18n.t('account.confirm.verify.title'),
      <ConfirmLinkPage ctx={reply.pageContext()} action="/verify-email" token={token} kind="verify" />,
    );
  });

  app.post('/verify-email', guarded(anyone), async (request, reply) => {
    const form = parseForm(emailTokenFields, request.body);
    if (!form.ok || !(await verifyEmail(ctx, form.value.token, request.id))) return invalidLink(reply);
    // Signed in: straight to the account page. Otherwise to sign in, then to the account page with the same message.
    return reply.redirect(request.viewer ? '/account?done=verified' : `/login?verified=1&next=${encodeURIComponent('/account?done=verified')}`, 303);
  });

  app.get('/verify-email/resend', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const account = await getAccount(ctx, viewer.id);
    return reply.page(request.i18n.t('account.resend.title'), <ResendVerificationPage ctx={reply.pageContext()} verified={!!account?.emailVerifiedAt} />);
  });

  app.post('/verify-email/resend', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    await enforceLimits(ctx, reply, [[MAIL_PER_ACCOUNT, viewer.id]]);
    const sent = await resendVerification(ctx, viewer.id, request.id);
    return reply.redirect(sent ? '/account?done=verifySent' : '/account?done=alreadyVerified', 303);
  });

  // --- Password reset --------------------------------------------------------------------------

  function renderForgot(reply: FastifyReply, state: FormState) {
    return reply.page(reply.request.i18n.t('account.forgot.title'), <ForgotPasswordPage ctx={reply.pageContext()} state={state} />);
  }

  app.get('/forgot-password', guarded(anyone), async (request, reply) => {
    if ((request.query as Query).sent === '1') {
      return reply.page(request.i18n.t('account.inbox.title'), <CheckInboxPage ctx={reply.pageContext()} kind="reset" />);
    }
    return renderForgot(reply, emptyForm());
  });

  app.post('/forgot-password', guarded(anyone), async (request, reply) => {
    const form = parseForm(forgotPasswordFields, request.body);
    const raw = (request.body as Record<string, unknown> | undefined)?.email;
    const emailKey = form.ok ? normalizeEmail(form.value.email) : typeof raw === 'string' ? normalizeEmail(raw.slice(0, 254)) : '';
    await enforceLimits(ctx, reply, [
      [LIMITS.resetPerEmail, emailKey],
      [LIMITS.resetPerIp, request.ip],
    ]);
    if (!form.ok) {
      reply.code(422);
      return renderForgot(reply, refusedState(request, form));
    }
    await requestPasswordReset(ctx, { email: form.value.email, locale: request.i18n.locale, requestId: request.id });
    return reply.redirect('/forgot-password?sent=1', 303);
  });

  function renderReset(reply: FastifyReply, token: string, state: FormState) {
    return reply.page(reply.request.i18n.t('account.reset.title'), <ResetPasswordPage ctx={reply.pageContext()} token={token} state={state} />);
  }

  app.get('/reset-password', guarded(anyone), async (request, reply) => {
    const token = queryToken(request);
    if (!(await isUsableToken(ctx, token, 'reset_password'))) return invalidLink(reply);
    return renderReset(reply, token, emptyForm());
  });

  app.post('/reset-password', guarded(anyone), async (request, reply) => {
    const form = parseForm(resetPasswordFields, request.body);
    if (!form.ok) {
      if (form.errors.token) return invalidLink(reply);
      reply.code(422);
      return renderReset(reply, String(form.echo.token ?? ''), refusedState(request, form));
    }
    const outcome = await resetPassword(ctx, { token: form.value.token, password: form.value.password, requestId: request.id });
    // Every session of the person has ended; a cookie of theirs in this browser now leads nowhere.
    if (outcome.ok) return reply.redirect('/login?reset=1', 303);
    if (outcome.reason === 'token') return invalidLink(reply);
    reply.code(422);
    return renderReset(reply, form.value.token, { values: {}, errors: { password: request.i18n.t(outcome.error.key, outcome.error.values) } });
  });

  // --- The account pages -----------------------------------------------------------------------

  app.get('/account', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const account = await getAccount(ctx, viewer.id);
    if (!account) return reply.redirect('/login', 303);
    return reply.page(
      request.i18n.t('account.hub.title'),
      <AccountHubPage
        ctx={reply.pageContext()}
        account={{ displayName: account.displayName, email: account.email, verified: account.emailVerifiedAt !== null }}
        flash={flashFrom(request)}
      />,
    );
  });

  function renderChangePassword(reply: FastifyReply, state: FormState) {
    return reply.page(reply.request.i18n.t('account.password.title'), <ChangePasswordPage ctx={reply.pageContext()} state={state} />);
  }

  app.get('/account/password', guarded(signedIn), async (request, reply) => {
    return renderChangePassword(reply, emptyForm({ sign_out_others: 'on' }));
  });

  app.post('/account/password', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const form = parseForm(changePasswordFields, request.body);
    if (!form.ok) {
      reply.code(422);
      return renderChangePassword(reply, refusedState(request, form));
    }
    await enforceLimits(ctx, reply, [[PASSWORD_CHECK_PER_ACCOUNT, viewer.id]]);
    const outcome = await changePassword(ctx, {
      userId: viewer.id,
      currentSessionHash: currentSessionHash(request),
      current: form.value.current_password,
      password: form.value.password,
      signOutOthers: form.value.sign_out_others,
      keepTokens: form.value.keep_tokens,
      requestId: request.id,
    });
    if (!outcome.ok) {
      reply.code(422);
      const state = { values: { sign_out_others: form.value.sign_out_others ? 'on' : '', keep_tokens: form.value.keep_tokens ? 'on' : '' }, errors: {} };
      return renderChangePassword(reply, withError(state, outcome.field, request.i18n.t(outcome.error.key, outcome.error.values)));
    }
    return reply.redirect('/account?done=passwordChanged', 303);
  });

  async function renderChangeEmail(request: FastifyRequest, reply: FastifyReply, userId: string, state: FormState) {
    const account = await getAccount(ctx, userId);
    return reply.page(request.i18n.t('account.email.title'), <ChangeEmailPage ctx={reply.pageContext()} state={state} currentEmail={account?.email ?? ''} />);
  }

  app.get('/account/email', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    return renderChangeEmail(request, reply, viewer.id, emptyForm());
  });

  app.post('/account/email', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const form = parseForm(changeEmailFields, request.body);
    if (!form.ok) {
      reply.code(422);
      return renderChangeEmail(request, reply, viewer.id, refusedState(request, form));
    }
    await enforceLimits(ctx, reply, [
      [PASSWORD_CHECK_PER_ACCOUNT, viewer.id],
      [MAIL_PER_ACCOUNT, viewer.id],
    ]);
    const outcome = await requestEmailChange(ctx, { userId: viewer.id, current: form.value.current_password, email: form.value.email, requestId: request.id });
    if (!outcome.ok) {
      reply.code(422);
      const state = { values: { email: form.value.email }, errors: {} };
      return renderChangeEmail(request, reply, viewer.id, withError(state, outcome.field, request.i18n.t(outcome.error.key, outcome.error.values)));
    }
    return reply.redirect('/account?done=emailRequested', 303);
  });

  app.get('/confirm-email', guarded(anyone), async (request, reply) => {
    const token = queryToken(request);
    if (!(await isUsableToken(ctx, token, 'change_email'))) return invalidLink(reply);
    return reply.page(
      request.i18n.t('account.confirm.changeEmail.title'),
      <ConfirmLinkPage ctx={reply.pageContext()} action="/confirm-email" token={token} kind="changeEmail" />,
    );
  });

  app.post('/confirm-email', guarded(anyone), async (request, reply) => {
    const form = parseForm(emailTokenFields, request.body);
    const outcome = form.ok ? await confirmEmailChange(ctx, form.value.token, request.id) : 'invalid';
    if (outcome === 'invalid') return invalidLink(reply);
    if (outcome === 'taken') {
      reply.code(409);
      return reply.page(request.i18n.t('account.confirm.changeEmail.refusedTitle'), <EmailTakenPage ctx={reply.pageContext()} />);
    }
    // Anyone not signed in here signs in first and then sees the same message.
    return reply.redirect('/account?done=emailChanged', 303);
  });

  // --- Sessions --------------------------------------------------------------------------------

  app.get('/account/sessions', guarded(signedIn), async (request, reply) => {
    const viewer = viewerOf(request);
    const sessions = await listSessions(ctx, viewer.id, currentSessionHash(request));
    return reply.page(request.i18n.t('account.sessions.title'), <SessionsPage ctx={reply.pageContext()} sessions={sessions} flash={flashFrom(request)} />);
  });

  app.post('/account/sessions/end', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    const form = parseForm(endSessionFields, request.body);
    // The id comes from a button, not from typing: a malformed one is simply not a session of this person.
    const outcome = form.ok
      ? await endSession(ctx, { userId: viewer.id, id: form.value.session, currentSessionHash: currentSessionHash(request), requestId: request.id })
      : 'unknown';
    if (outcome === 'current') {
      reply.clearCookie(sessionCookie, cookieOptions);
      return reply.redirect('/login', 303);
    }
    return reply.redirect(outcome === 'ended' ? '/account/sessions?done=sessionEnded' : '/account/sessions?done=sessionGone', 303);
  });

  app.post('/account/sessions/end-others', guarded(ownAccount), async (request, reply) => {
    const viewer = viewerOf(request);
    await endOtherSessions(ctx, { userId: viewer.id, currentSessionHash: currentSessionHash(request), requestId: request.id });
    return reply.redirect('/account/sessions?done=sessionsEnded', 303);
  });
}
