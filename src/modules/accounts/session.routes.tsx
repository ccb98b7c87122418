import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/module.js';
import type { Config } from '../../config.js';
import { ANONYMOUS, anyone, guarded } from '../../platform/auth.js';
import { HttpError, isApiRequest } from '../../platform/errors.js';
import { isLocale } from '../../platform/i18n.js';
import { countHit, LIMITS } from '../../platform/rate-limit.js';
import { applyViewerLocale, cookieName, safeNextPath } from '../../platform/web.js';
import { noticeLockout, normalizeEmail } from './accounts.service.js';
import { resolveApiToken } from './api-tokens.service.js';
import { knownDevice, LOGIN_CHALLENGE_MS, logIn, logOut, rememberDevice, resolveSession, setPreferredLocale } from './session.service.js';
import { LoginPage, type LoginNotice } from './session.views.js';

function field(body: unknown, name: string, max: number): string {
  const value = (body as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** A coarse browser and platform hint for the session list, never the full user agent. */
export function deviceHint(userAgent: string | undefined): string | null {
  if (!userAgent) return null;
  const browser = /Firefox\//.test(userAgent)
    ? 'Firefox'
    : /Edg\//.test(userAgent)
      ? 'Edge'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const platform = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : 'Other';
  return `${browser} · ${platform}`;
}

/** The long-lived cookie of a browser that signed in before: it lets its owner in while strangers have the account's sign-in paused. */
export function deviceCookieName(config: Config): string {
  return cookieName(config, 'device');
}

/** The cookie that carries a sign-in challenge from the password to the second step. */
export function challengeCookieName(config: Config): string {
  return cookieName(config, 'login-challenge');
}

/** Sign-in, sign-out, the session of each request, and the language switcher. */
export function registerSessionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { config, db, i18n } = ctx;
  const sessionCookie = cookieName(config, 'session');
  const langCookie = cookieName(config, 'lang');
  const cookieOptions = { path: '/', httpOnly: true, secure: config.cookieSecure, sameSite: 'lax' as const };

  app.decorateRequest('auth', null as never);

  // Who is asking: a personal API token (API only), else the session cookie, else nobody.
  app.addHook('onRequest', async (request, reply) => {
    request.auth = ANONYMOUS;
    if (request.url.startsWith('/static/')) return;
    const authorization = request.headers.authorization;
    if (authorization !== undefined && isApiRequest(request)) {
      const [scheme, token] = authorization.split(' ');
      const found = scheme?.toLowerCase() === 'bearer' && token ? await resolveApiToken(db, token.trim()) : undefined;
      if (!found) {
        reply.header('www-authenticate', 'Bearer realm="alongside", error="invalid_token"');
        throw new HttpError(401, 'invalid_token');
      }
      request.viewer = { id: found.user.id, displayName: found.user.displayName, role: found.user.role, confirmed: found.user.confirmed };
      request.auth = { kind: 'token', tokenId: found.id, scope: found.scope };
      applyViewerLocale(request, i18n, config, found.user.locale);
      return;
    }
    const token = request.cookies[sessionCookie];
    if (!token) return;
    const viewer = await resolveSession(db, token);
    if (!viewer) return;
    request.viewer = { id: viewer.id, displayName: viewer.displayName, role: viewer.role, confirmed: viewer.confirmed };
    request.auth = { kind: 'session' };
    applyViewerLocale(request, i18n, config, viewer.locale);
  });

  const challengeCookie = challengeCookieName(config);
  const deviceCookie = deviceCookieName(config);

  /**
   * The limits of one sign-in attempt. Too many from one address: refused. Too many for one
   * account (from anywhere): refused too, except from a browser that signed in to that account
   * before, which has its own budget; the owner hears of it once per pause, with a reset link.
   */
  async function limitSignIn(request: FastifyRequest, reply: FastifyReply, email: string): Promise<void> {
    const [byAddress, byAccount] = await Promise.all([countHit(ctx, LIMITS.loginPerIp, request.ip), countHit(ctx, LIMITS.loginPerAccount, normalizeEmail(email))]);
    let refusal = byAddress.allowed ? undefined : byAddress;
    if (!refusal && !byAccount.allowed) {
      if (byAccount.hits === LIMITS.loginPerAccount.limit + 1) await noticeLockout(ctx, { email, requestId: request.id });
      const device = request.cookies[deviceCookie];
      const known = await knownDevice(db, device, email);
      const byDevice = known ? await countHit(ctx, LIMITS.loginPerDevice, device!) : undefined;
      if (!byDevice?.allowed) refusal = byDevice ?? byAccount;
    }
    if (refusal) {
      reply.header('retry-after', String(refusal.retryAfter));
      throw new HttpError(429, 'rate_limited');
    }
  }

  /** Remembers the browser a person just signed in from (the second step does the same). */
  async function keepDevice(request: FastifyRequest, reply: FastifyReply, userId: string): Promise<void> {
    const token = await rememberDevice(db, userId, request.cookies[deviceCookie]);
    reply.setCookie(deviceCookie, token, { ...cookieOptions, maxAge: 365 * 86_400 });
  }

  function renderLogin(reply: FastifyReply, form: { email: string; next: string }, failed: boolean, notice?: LoginNotice) {
    return reply.page(reply.request.i18n.t('login.title'), <LoginPage ctx={reply.pageContext()} form={form} failed={failed} notice={notice} />);
  }

  app.get('/login', guarded(anyone), async (request: FastifyRequest<{ Querystring: { next?: string; challenge?: string; verified?: string; reset?: string } }>, reply) => {
    if (request.viewer) return reply.redirect(safeNextPath(request.query.next), 303);
    const notice: LoginNotice | undefined =
      request.query.challenge === 'expired' ? 'challenge_expired' : request.query.verified === '1' ? 'verified' : request.query.reset === '1' ? 'reset' : undefined;
    return renderLogin(reply, { email: '', next: safeNextPath(request.query.next) }, false, notice);
  });

  app.post(
    '/login', guarded(anyone), async (request, reply) => {
      const email = field(request.body, 'email', 254);
      const password = field(request.body, 'password', 1024);
      const next = safeNextPath(field(request.body, 'next', 2000));
      await limitSignIn(request, reply, email);
      const result =
        email && password
          ? await logIn(db, { email, password, deviceHint: deviceHint(request.headers['user-agent']), requestId: request.id, next })
          : undefined;
      if (!result) {
        reply.code(401);
        return renderLogin(reply, { email, next }, true);
      }
      if (result.kind === 'second_factor') {
        // No session yet: the password only earns a few minutes to give the second factor.
        reply.setCookie(challengeCookie, result.challengeToken, { ...cookieOptions, maxAge: LOGIN_CHALLENGE_MS / 1000 });
        return reply.redirect('/login/two-factor', 303);
      }
      reply.setCookie(sessionCookie, result.token, cookieOptions);
      await keepDevice(request, reply, result.userId);
      return reply.redirect(next, 303);
    },
  );

  app.post('/logout', guarded(anyone), async (request, reply) => {
    const token = request.cookies[sessionCookie];
    if (token) await logOut(db, token, request.viewer?.id, request.id);
    reply.clearCookie(sessionCookie, cookieOptions);
    reply.clearCookie(cookieName(config, 'csrf'), cookieOptions);
    // Not "cookies": that would also forget the language the person chose.
    reply.header('clear-site-data', '"cache", "storage"');
    return reply.redirect('/', 303);
  });

  app.post('/language', guarded(anyone), async (request, reply) => {
    const locale = field(request.body, 'locale', 10);
    const next = safeNextPath(field(request.body, 'next', 2000));
    if (isLocale(locale)) {
      reply.setCookie(langCookie, locale, { ...cookieOptions, maxAge: 365 * 86_400 });
      if (request.viewer) await setPreferredLocale(db, request.viewer.id, locale);
    }
    return reply.redirect(next, 303);
  });
}
