import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp, createContext } from './app.js';
import type { Config } from './config.js';
import { openDatabase, type Db } from './db/client.js';
import { migrate } from './db/migrate.js';
import { JobWorker, type JobHandler } from './platform/jobs/index.js';
import type { AppContext } from './platform/module.js';
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

/** The job worker with the platform's handler (mail) and every module's jobs and housekeeping. */
export function createWorker(config: Config, db: Db, log: Logger, ctx: AppContext = createContext({ config, db })): { worker: JobWorker; close(): void } {
  const mail = createMailHandler({ smtpUrl: config.smtpUrl, from: config.mailFrom, messageIdDomain: config.publicUrl.hostname });
  const handlers: Record<string, JobHandler> = { [MAIL_JOB]: mail.handler };
  for (const module of ctx.modules) {
    for (const [kind, handler] of Object.entries(module.jobs?.(ctx) ?? {})) {
      if (handlers[kind]) throw new Error(`Two handlers for the job kind ${kind}`);
      handlers[kind] = handler;
    }
  }
  const worker = new JobWorker({
    db,
    log: log.child({ component: 'worker' }),
    handlers,
    concurrency: config.jobsConcurrency,
    pollIntervalMs: config.jobsPollIntervalMs,
    maintenance: [(db) => pruneRateLimits(db), ...ctx.modules.flatMap((m) => m.maintenance ?? [])],
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
  const ctx = createContext({ config, db });
  const app = await buildApp({ config, db, logger: log, modules: ctx.modules, i18n: ctx.i18n, secrets: ctx.secrets });
  const jobs = config.worker ? createWorker(config, db, log, ctx) : undefined;
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
