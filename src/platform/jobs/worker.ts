import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { scrub } from '../logger.js';
import { claimJobs, completeJob, deleteDoneJobs, failAbandonedJobs, failJob, type JobRow } from './jobs.repository.js';

/** Runs one job. It may run more than once (at-least-once delivery), so it must be idempotent. */
export type JobHandler = (job: JobRow, context: { db: Db; log: Logger }) => Promise<void>;

export type JobHandlers = Record<string, JobHandler>;

/** A job that must not be retried: it fails at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Delay before the next attempt: 5 s, 10 s, 20 s … capped at one hour, with up to 10% jitter. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(3_600_000, 5_000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (1 + random() * 0.1));
}

export interface WorkerOptions {
  db: Db;
  handlers: JobHandlers;
  log: Logger;
  concurrency?: number;
  pollIntervalMs?: number;
  leaseSeconds?: number;
  /** How long finished jobs are kept before cleanup. */
  keepDoneMs?: number;
  /** Housekeeping run about once an hour by each worker (expired sessions, old counters…); each must be idempotent. */
  maintenance?: Array<(db: Db['kysely']) => Promise<unknown>>;
}

/** Claims due jobs and runs their handlers until stopped. Several may run against one PostgreSQL. */
export class JobWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #options: Required<WorkerOptions>;
  readonly #running = new Set<Promise<void>>();
  #stopped = true;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #lastCleanup = 0;
  #lastAbandonedCheck = 0;

  constructor(options: WorkerOptions) {
    this.#options = { concurrency: 2, pollIntervalMs: 1000, leaseSeconds: 300, keepDoneMs: 7 * 86_400_000, maintenance: [], ...options };
  }

  /** Starts the polling loop. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#loop = this.#run();
  }

  /** Wakes an idle worker at once, e.g. after a job was enqueued by this process. */
  poke(): void {
    this.#wake?.();
  }

  /** Stops claiming and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.poke();
    await this.#loop;
    await Promise.allSettled([...this.#running]);
  }

  /** Runs due jobs until none is left; returns how many ran. For the CLI and tests. */
  async drain(): Promise<number> {
    let total = 0;
    await failAbandonedJobs(this.#options.db.kysely);
    for (;;) {
      const jobs = await claimJobs(this.#options.db.kysely, this.id, this.#options.concurrency, this.#options.leaseSeconds);
      if (jobs.length === 0) return total;
      await Promise.all(jobs.map((job) => this.#execute(job)));
      total += jobs.length;
    }
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let claimed = 0;
      try {
        await this.#cleanup();
        const free = this.#options.concurrency - this.#running.size;
        if (free > 0) {
          const jobs = await claimJobs(this.#options.db.kysely, this.id, free, this.#options.leaseSeconds);
          claimed = jobs.length;
          for (const job of jobs) {
            const task = this.#execute(job).finally(() => {
              this.#running.delete(task);
              this.poke();
            });
            this.#running.add(task);
          }
        }
      } catch (err) {
        this.#options.log.error({ err }, 'job worker could not claim jobs');
      }
      if (this.#stopped) break;
      // Busy: come straight back for more. Idle or full: sleep until poked or the poll interval.
      if (claimed === 0 || this.#running.size >= this.#options.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.#options.pollIntervalMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
      }
    }
  }

  async #execute(job: JobRow): Promise<void> {
    const { db, handlers, log } = this.#options;
    const jobLog = log.child({ job: { id: job.id, kind: job.kind, attempt: job.attempts } });
    const handler = handlers[job.kind];
    try {
      if (!handler) throw new PermanentJobError(`No handler for job kind "${job.kind}"`);
      await handler(job, { db, log: jobLog });
      await completeJob(db.kysely, job.id, this.id);
    } catch (err) {
      const message = scrub(err instanceof Error ? err.message : String(err)).slice(0, 2000);
      const permanent = err instanceof PermanentJobError;
      const retryAt = !permanent && job.attempts < job.maxAttempts ? new Date(Date.now() + backoffMs(job.attempts)) : undefined;
      jobLog.warn({ err, retryAt }, retryAt ? 'job failed, will retry' : 'job failed for good');
      try {
        await failJob(db.kysely, job.id, this.id, message, retryAt);
      } catch (failErr) {
        // The lease runs out and another attempt follows: delivery stays at-least-once.
        jobLog.error({ err: failErr }, 'could not record job failure');
      }
    }
  }

  async #cleanup(): Promise<void> {
    const now = Date.now();
    // Leases last minutes: looking for abandoned jobs once a minute is soon enough.
    if (now - this.#lastAbandonedCheck >= 60_000) {
      this.#lastAbandonedCheck = now;
      await failAbandonedJobs(this.#options.db.kysely);
    }
    if (now - this.#lastCleanup < 3_600_000) return;
    this.#lastCleanup = now;
    await deleteDoneJobs(this.#options.db.kysely, new Date(now - this.#options.keepDoneMs));
    for (const task of this.#options.maintenance) {
      try {
        await task(this.#options.db.kysely);
      } catch (err) {
        this.#options.log.error({ err }, 'maintenance task failed');
      }
    }
  }
}
