import path from 'node:path';

/** The whole configuration of one process, parsed once from the environment. */
export interface Config {
  /** TCP port the HTTP server listens on. */
  port: number;
  /** Interface to bind; `localhost` serves both IPv4 and IPv6 loopback. */
  host: string;
  /** Absolute origin people reach the app at; used for links in mail and for cookie security. */
  publicUrl: URL;
  /** PostgreSQL connection string; when undefined the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  /** Maximum connections in the PostgreSQL pool of this process. */
  databasePoolSize: number;
  /** Folder of the embedded database and other local state. */
  dataDir: string;
  /** Whether cookies carry `Secure` and the `__Host-` prefix. */
  cookieSecure: boolean;
  /** Whether to trust `X-Forwarded-*` headers from a reverse proxy in front of the app. */
  trustProxy: boolean;
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Locale used when nothing else chooses one. */
  defaultLocale: 'en' | 'es';
  /** SMTP connection URL; when undefined, mail is kept in the local outbox admins read in the app. */
  smtpUrl: string | undefined;
  /** Sender address of every mail. */
  mailFrom: string;
  /** Whether `/metrics` serves Prometheus metrics. */
  metricsEnabled: boolean;
  /** Bearer token `/metrics` requires, when set. */
  metricsToken: string | undefined;
  /** Whether this process runs the background job worker. */
  worker: boolean;
  /** How often an idle worker looks for due jobs. */
  jobsPollIntervalMs: number;
  /** How many jobs one worker runs at once. */
  jobsConcurrency: number;
  /** Requests per minute one client address may make overall; 0 turns the general limit off (sign-in keeps its own). */
  rateLimitPerMinute: number;
  /** Master secret for encryption at rest and keyed hashes; generated into DATA_DIR when unset on the embedded database. */
  secretKey: string | undefined;
}

/** A bad environment variable: the message names it and says what is expected. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  return value;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const lowered = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
  if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
}

function url(env: Env, name: string, protocols: readonly string[]): URL | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // The value may hold a password: never echo it.
    throw new ConfigError(name, `must be a URL starting with ${protocols.join(' or ')}`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must be a URL starting with ${protocols.join(' or ')}`);
  }
  return parsed;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Parses and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const host = read(env, 'HOST') ?? 'localhost';
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? new URL(`http://localhost:${port}`);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new ConfigError('PUBLIC_URL', 'must be an origin only, such as https://alongside.example.org');
  }
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'])?.toString();
  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:'])?.toString();
  const mailFrom = read(env, 'MAIL_FROM') ?? `Alongside <no-reply@${publicUrl.hostname}>`;
  if (!/^[^\r\n]*<?[^\s@<>]+@[^\s@<>]+>?$/.test(mailFrom)) {
    throw new ConfigError('MAIL_FROM', `must be an address such as "Alongside <no-reply@example.org>" (got "${mailFrom}")`);
  }
  const metricsToken = read(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters long');
  }
  const secretKey = read(env, 'SECRET_KEY');
  if (secretKey !== undefined && secretKey.length < 32) {
    throw new ConfigError('SECRET_KEY', 'must be at least 32 characters long (for example: openssl rand -base64 48)');
  }
  if (secretKey === undefined && databaseUrl !== undefined) {
    throw new ConfigError('SECRET_KEY', 'is required with DATABASE_URL, and must be the same in every process (for example: openssl rand -base64 48)');
  }
  return {
    port,
    host,
    publicUrl,
    databaseUrl,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    dataDir: path.resolve(cwd, read(env, 'DATA_DIR') ?? 'data'),
    cookieSecure: boolean(env, 'COOKIE_SECURE', true),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    defaultLocale: oneOf(env, 'DEFAULT_LOCALE', ['en', 'es'] as const, 'en'),
    smtpUrl,
    mailFrom,
    metricsEnabled: boolean(env, 'METRICS_ENABLED', false),
    metricsToken,
    worker: boolean(env, 'WORKER', true),
    jobsPollIntervalMs: integer(env, 'JOBS_POLL_INTERVAL_MS', 1000, 50, 3_600_000),
    jobsConcurrency: integer(env, 'JOBS_CONCURRENCY', 2, 1, 64),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 0, 1_000_000),
    secretKey,
  };
}
