import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('runs with nothing configured: embedded database in ./data, port 3000', () => {
    const config = loadConfig({}, '/srv/alongside');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toBe('/srv/alongside/data');
    expect(config.port).toBe(3000);
    expect(config.publicUrl.origin).toBe('http://localhost:3000');
    expect(config.cookieSecure).toBe(true);
    expect(config.smtpUrl).toBeUndefined();
    expect(config.metricsEnabled).toBe(false);
    expect(config.worker).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://alongside.example.org',
      DATABASE_URL: 'postgres://app:secret@db:5432/alongside',
      DATABASE_POOL_SIZE: '20',
      DATA_DIR: '/var/lib/alongside',
      COOKIE_SECURE: 'false',
      TRUST_PROXY: 'true',
      LOG_LEVEL: 'warn',
      DEFAULT_LOCALE: 'es',
      SMTP_URL: 'smtps://user:pw@mail.example.org:465',
      MAIL_FROM: 'Alongside <hola@example.org>',
      METRICS_ENABLED: 'yes',
      METRICS_TOKEN: 'a-long-metrics-token',
      WORKER: 'off',
      JOBS_POLL_INTERVAL_MS: '250',
      JOBS_CONCURRENCY: '4',
      RATE_LIMIT_PER_MINUTE: '0',
      SECRET_KEY: 'a-secret-key-of-at-least-thirty-two-characters',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databasePoolSize: 20,
      dataDir: '/var/lib/alongside',
      cookieSecure: false,
      trustProxy: true,
      logLevel: 'warn',
      defaultLocale: 'es',
      mailFrom: 'Alongside <hola@example.org>',
      metricsEnabled: true,
      metricsToken: 'a-long-metrics-token',
      worker: false,
      jobsPollIntervalMs: 250,
      jobsConcurrency: 4,
      rateLimitPerMinute: 0,
    });
    expect(config.publicUrl.origin).toBe('https://alongside.example.org');
    expect(config.databaseUrl).toContain('postgres://');
    expect(config.smtpUrl).toContain('smtps://');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PUBLIC_URL', 'not a url'],
    ['PUBLIC_URL', 'https://example.org/sub/path'],
    ['DATABASE_URL', 'mysql://root@localhost/db'],
    ['DATABASE_POOL_SIZE', '0'],
    ['COOKIE_SECURE', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['DEFAULT_LOCALE', 'fr'],
    ['SMTP_URL', 'http://mail'],
    ['METRICS_TOKEN', 'short'],
    ['JOBS_CONCURRENCY', '-1'],
    ['RATE_LIMIT_PER_MINUTE', '1.5'],
    ['SECRET_KEY', 'too-short'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as Error).message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
    expect((error as Error).message.split('\n')).toHaveLength(1);
  });

  it('never echoes a database URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).toThrow(/DATABASE_URL/);
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('requires a shared SECRET_KEY with PostgreSQL, where several processes must agree on it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/alongside' })).toThrow(/^Invalid configuration: SECRET_KEY is required with DATABASE_URL/);
    expect(loadConfig({}).secretKey).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' }).port).toBe(3000);
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});
