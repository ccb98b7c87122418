import type { Executor } from '../../db/client.js';
import { insertJob } from './jobs.repository.js';

export { JobWorker, PermanentJobError, backoffMs, type JobHandler, type JobHandlers } from './worker.js';
export { countJobsByState, listJobs, retryJob, type JobRow, type JobState } from './jobs.repository.js';

/**
 * Enqueues a job inside the caller's transaction, so that the job exists exactly when the change
 * that caused it is committed. A `dedupeKey` makes enqueueing idempotent.
 */
export function enqueue(
  executor: Executor,
  kind: string,
  payload: Record<string, unknown>,
  options: { runAt?: Date; dedupeKey?: string; maxAttempts?: number } = {},
): Promise<number | undefined> {
  return insertJob(executor, { kind, payload, ...options });
}
