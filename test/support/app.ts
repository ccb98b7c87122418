import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { buildApp, createContext } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createAdmin } from '../../src/modules/accounts/index.js';
import { createLogger } from '../../src/platform/logger.js';
import type { AppContext, ModuleDefinition } from '../../src/platform/module.js';
import { openTestDatabase, type TestDatabase } from './db.js';
import type { EngineName } from './engines.js';
import type { DestinationStream } from 'pino';
import { responseSchema, toTemplate } from '../../src/platform/openapi/index.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** A configuration for tests: the defaults, quiet logs, and any overrides as environment variables. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', WORKER: 'false', SECRET_KEY: 'test-secret-key-0123456789abcdef-0123456789', ...env });
}

/**
 * Checks every answer of the API against the OpenAPI document while tests run: the status must be
 * one its operation declares, and the body must fit the schema declared for it (the presenter and
 * the schema of a record agree). What does not fit is collected and fails the file when it closes.
 */
function checkAnswersAgainstDocument(app: FastifyInstance, problems: string[]): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const compiled = new Map<string, ValidateFunction | null>();
  app.addHook('onSend', async (request, reply, payload) => {
    const route = request.routeOptions.url;
    if (!route || !route.startsWith('/api/v1/')) return payload;
    const operation = (app.openApiDocument.paths as Record<string, Record<string, Record<string, unknown>>>)[toTemplate(route.slice('/api/v1'.length))]?.[request.method.toLowerCase()];
    const where = `${request.method} ${route} → ${reply.statusCode}`;
    if (!operation) return payload;
    if (!Object.hasOwn((operation.responses ?? {}) as object, String(reply.statusCode))) {
      problems.push(`${where}: this status is not documented`);
      return payload;
    }
    const type = String(reply.getHeader('content-type') ?? '');
    if (typeof payload !== 'string' || !/json/.test(type)) return payload;
    const key = `${request.method} ${route} ${reply.statusCode}`;
    if (!compiled.has(key)) {
      const schema = responseSchema(app.openApiDocument, operation, reply.statusCode);
      compiled.set(key, schema ? ajv.compile(schema) : null);
    }
    const validate = compiled.get(key);
    if (validate && !validate(JSON.parse(payload))) problems.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    return payload;
  });
}

export interface TestApp extends TestDatabase {
  app: FastifyInstance;
  config: Config;
  /** The context the app's modules were given (configuration, database, languages, secrets, modules). */
  ctx: AppContext;
}

/** The real app on a fresh database of the given engine; close it in afterAll. */
export async function createTestApp(
  engine: EngineName,
  options: { env?: Record<string, string>; logStream?: DestinationStream; modules?: readonly ModuleDefinition[] } = {},
): Promise<TestApp> {
  const database = await openTestDatabase(engine);
  const config = testConfig({ ...(options.logStream ? { LOG_LEVEL: 'info' } : {}), ...options.env });
  const ctx = createContext({ config, db: database.db, ...(options.modules ? { modules: options.modules } : {}) });
  const app = await buildApp({
    config,
    db: database.db,
    modules: ctx.modules,
    i18n: ctx.i18n,
    secrets: ctx.secrets,
    ...(options.logStream ? { logger: createLogger(config.logLevel, options.logStream) } : {}),
  });
  const answerProblems: string[] = [];
  checkAnswersAgainstDocument(app, answerProblems);
  await app.ready();
  return {
    ...database,
    app,
    config,
    ctx,
    close: async () => {
      await app.close();
      await database.close();
      if (answerProblems.length > 0) throw new Error(`API answers that do not fit the OpenAPI document:\n${[...new Set(answerProblems)].join('\n')}`);
    },
  };
}

let adminCounter = 0;

/** Creates an instance admin and returns their credentials. */
export async function createTestAdmin(t: TestDatabase, name = 'Test Admin'): Promise<{ email: string; password: string; id: string }> {
  adminCounter += 1;
  const email = `admin${adminCounter}-${Date.now()}@example.test`;
  const password = 'correct horse battery staple';
  const id = await createAdmin(t.db, { email, displayName: name, password });
  return { email, password, id };
}

/**
 * A browser-like client over app.inject: it keeps cookies, and fills in the CSRF token from the
 * last HTML page it was served, as a form would.
 */
export class TestClient {
  readonly cookies = new Map<string, string>();
  lastHtml = '';
  headers: Record<string, string> = {};

  constructor(readonly app: FastifyInstance) {}

  #cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  #remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() <= Date.now()) || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    if (String(response.headers['content-type'] ?? '').startsWith('text/html')) this.lastHtml = response.body;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.#cookieHeader();
    const response = await this.app.inject({ method: 'GET', url, headers: { ...this.headers, ...headers, ...(cookie ? { cookie } : {}) } });
    this.#remember(response);
    return response;
  }

  /** The CSRF token of the last page served. */
  csrfToken(): string {
    const match = /name="_csrf" value="([^"]+)"/.exec(this.lastHtml);
    if (!match?.[1]) throw new Error('The last page had no CSRF token');
    return match[1];
  }

  /** Posts a urlencoded form, with the CSRF token of the last page unless `_csrf` is given. */
  async post(url: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams({ _csrf: fields._csrf ?? this.csrfToken(), ...fields }).toString();
    const cookie = this.#cookieHeader();
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: body,
      headers: { ...this.headers, ...headers, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    });
    this.#remember(response);
    return response;
  }

  /** Signs in through the login form. */
  async logIn(email: string, password: string): Promise<LightMyRequestResponse> {
    await this.get('/login');
    return this.post('/login', { email, password });
  }
}
