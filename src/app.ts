import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { MODULES } from './modules/index.js';
import { registerGuards } from './platform/auth.js';
import { isApiRequest, registerErrorHandlers } from './platform/errors.js';
import { createI18n, type I18n } from './platform/i18n.js';
import { createLogger } from './platform/logger.js';
import { checkModules, Slots, type AppContext, type ModuleDefinition } from './platform/module.js';
import { registerApi } from './platform/openapi/index.js';
import { registerObservability } from './platform/observability.js';
import { PUBLIC_DIR } from './platform/paths.js';
import { resolveSecretKey, Secrets } from './platform/secrets.js';
import { registerValidation } from './platform/validation.js';
import { registerSecurityHeaders } from './platform/security.js';
import { cookieName, registerWebContext, requestIdFrom } from './platform/web.js';

export interface AppDependencies {
  config: Config;
  db: Db;
  logger?: Logger;
  i18n?: I18n;
  secrets?: Secrets;
  /** The modules to serve; `MODULES` (src/modules/index.ts) unless a test adds its own. */
  modules?: readonly ModuleDefinition[];
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** One registered route, as the authorization matrix lists them. */
export interface RouteEntry {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

/** The context modules are given: configuration, database, languages (with every module's strings), secrets, the modules and their slots. */
export function createContext(deps: AppDependencies): AppContext {
  const modules = deps.modules ?? MODULES;
  checkModules(modules);
  const i18n = deps.i18n ?? createI18n();
  const secrets = deps.secrets ?? new Secrets(resolveSecretKey(deps.config));
  return { config: deps.config, db: deps.db, i18n, secrets, modules, slots: new Slots(modules) };
}

/** Builds the Fastify app without listening: the server and the tests share it. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const ctx = createContext(deps);
  const app: FastifyInstance = Fastify({
    loggerInstance: (deps.logger ?? createLogger(config.logLevel)) as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit: 256 * 1024,
    // Requests in flight finish on shutdown; idle keep-alive connections close at once.
    forceCloseConnections: 'idle',
    genReqId: (req) => requestIdFrom(req.headers['x-request-id'], config.trustProxy),
    routerOptions: { ignoreTrailingSlash: true },
  });
  // Every route, recorded as registered, so that tests can check each one has an authorization row.
  const routeTable: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routeTable.push({ method, url: route.url });
  });
  app.decorate('routeTable', routeTable);

  await registerSecurityHeaders(app);
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(csrf, {
    cookieKey: cookieName(config, 'csrf'),
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: config.cookieSecure },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      const fromBody = body && typeof body._csrf === 'string' ? body._csrf : undefined;
      const fromHeader = request.headers['x-csrf-token'];
      return fromBody ?? (typeof fromHeader === 'string' ? fromHeader : undefined);
    },
  });
  await app.register(rateLimit, {
    // Routes with their own limit (sign-in) keep it even when the general limit is off.
    global: config.rateLimitPerMinute > 0,
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    // Keys are kept in memory only, never logged.
    allowList: (request) => request.url.startsWith('/static/'),
  });

  registerWebContext(app, config, ctx.i18n, ctx.modules);
  registerErrorHandlers(app);

  // Every state change needs a valid CSRF token (preHandler runs after the body is parsed), except
  // requests carrying a personal API token: browsers never attach one to a forged request.
  app.addHook('preValidation', (request, reply, done) => {
    if (SAFE_METHODS.has(request.method) || request.auth?.kind === 'token') return done();
    // An API request without a live session carries no ambient credential a forgery could borrow:
    // the route itself answers 401, or checks the credentials in the body (issuing an API token).
    // A request that does carry a live session still needs the CSRF token.
    if (request.auth?.kind === 'anonymous' && isApiRequest(request)) return done();
    // The one-click unsubscribe POST (RFC 8058) comes from a mail client, with no page and no token.
    // Its URL is signed for one person and one kind of mail: a forged request can only stop that
    // kind of mail for the person the link was sent to, which is what the link is for.
    if (request.method === 'POST' && request.routeOptions.url === '/unsubscribe') return done();
    app.csrfProtection(request, reply, done);
  });
  // Then each route's declared guard: who may call it, with which token scope, and its own checks.
  registerGuards(app);

  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/static/',
    maxAge: '1d',
    // Asset URLs carry a content hash (?v=…), so browsers may keep them a long time.
    immutable: true,
    index: false,
    list: false,
  });

  registerObservability(app, config, ctx.db);
  // The API document first: every /api/v1 route the modules register is validated by its operation.
  registerValidation(app);
  registerApi(app, config.publicUrl, ctx.modules.flatMap((m) => (m.api ? [m.api] : [])));
  for (const module of ctx.modules) module.routes?.(app, ctx);

  return app;
}
