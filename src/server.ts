import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/client.js';
import { migrate } from './db/migrate.js';
import { accountsMaintenance } from './modules/accounts/index.js';
import { deleteOldIdempotencyKeys } from './modules/commitments/index.js';
import { notificationJobs } from './modules/notifications/index.js';
import { createI18n } from './platform/i18n.js';
import { resolveSecretKey, Secrets } from './platform/secrets.js';
import { JobWorker } from './platform/jobs/index.js';
import { pruneRateLimits } from './platform/rate-limit.js';
import { createLogger } from './platform/logger.js';
import { createMailHandler, MAIL_JOB } from './platform/mail/mail.js';

/** Opens the configured database and brings its schema up to date. */
export async function openAndMigrate(config: Config, log: Logger): Promise<Db> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** The job worker with every handler the app defines. */
export function createWorker(config: Config, db: Db, log: Logger): { worker: JobWorker; close(): void } {
  const mail = createMailHandler({ smtpUrl: config.smtpUrl, from: config.mailFrom, messageIdDomain: config.publicUrl.hostname });
  const notifications = notificationJobs({ config, db, i18n: createI18n(), secrets: new Secrets(resolveSecretKey(config)) });
  const worker = new JobWorker({
    db,
    log: log.child({ component: 'worker' }),
    handlers: { [MAIL_JOB]: mail.handler, ...notifications.handlers },
    concurrency: config.jobsConcurrency,
    pollIntervalMs: config.jobsPollIntervalMs,
    maintenance: [accountsMaintenance, (db) => pruneRateLimits(db), deleteOldIdempotencyKeys, ...notifications.maintenance],
  });
  return { worker, close: mail.close };
}

export interface Running {
  app: FastifyInstance | undefined;
  close(): Promise<void>;
}

/**
 * Closes in order on SIGTERM or SIGINT: stop taking requests and let those in flight finish,
 * let the worker finish its jobs, then close the database so the embedded one is flushed intact.
 * A second signal exits at once.
 */
export function closeOnSignals(running: Running, log: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => {
        log.info('stopped cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** `alongside serve`: migrate, listen, and (unless WORKER=false) run jobs in the same process. */
export async function serve(config: Config, log: Logger = createLogger(config.logLevel)): Promise<Running> {
  const db = await openAndMigrate(config, log);
  const app = await buildApp({ config, db, logger: log });
  const jobs = config.worker ? createWorker(config, db, log) : undefined;
  const running: Running = {
    app,
    close: async () => {
      await app.close();
      await jobs?.worker.stop();
      jobs?.close();
      await db.close();
    },
  };
  closeOnSignals(running, log);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await running.close();
    throw err;
  }
  jobs?.worker.start();
  log.info({ url: config.publicUrl.origin, database: db.engine, worker: config.worker }, 'Alongside is ready');
  return running;
}

/** `alongside worker`: run background jobs only, beside app processes that share PostgreSQL. */
export async function work(config: Config, log: Logger = createLogger(config.logLevel)): Promise<Running> {
  if (!config.databaseUrl) {
    throw new Error('alongside worker needs DATABASE_URL: with the embedded database, `alongside serve` runs the jobs itself');
  }
  const db = await openAndMigrate(config, log);
  const jobs = createWorker(config, db, log);
  const running: Running = {
    app: undefined,
    close: async () => {
      await jobs.worker.stop();
      jobs.close();
      await db.close();
    },
  };
  closeOnSignals(running, log);
  jobs.worker.start();
  log.info({ worker: jobs.worker.id }, 'worker is ready');
  return running;
}
