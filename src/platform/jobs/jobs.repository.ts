import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';

export type JobState = 'pending' | 'running' | 'done' | 'failed';

/** A job row as handlers and admin pages see it. */
export interface JobRow {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  state: JobState;
  runAt: Date;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const columns = [
  'id',
  'kind',
  'payload',
  'state',
  'run_at as runAt',
  'attempts',
  'max_attempts as maxAttempts',
  'last_error as lastError',
  'created_at as createdAt',
  'finished_at as finishedAt',
] as const;

/** Inserts a job; with a dedupe key, a second insert with the same key is a no-op. Returns the id, or undefined if deduplicated. */
export async function insertJob(
  db: Executor,
  job: { kind: string; payload: Record<string, unknown>; runAt?: Date; dedupeKey?: string; maxAttempts?: number },
): Promise<number | undefined> {
  const row = await db
    .insertInto('jobs')
    .values({
      kind: job.kind,
      payload: JSON.stringify(job.payload),
      run_at: job.runAt ?? sql<Date>`now()`,
      dedupe_key: job.dedupeKey ?? null,
      max_attempts: job.maxAttempts,
    } as never)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/**
 * Claims up to `limit` due jobs for one worker. `for update skip locked` lets several workers on
 * PostgreSQL claim at once without ever taking the same job; a running job whose lease ran out
 * (its worker died) is due again, which is what makes delivery at-least-once.
 *
 * Each kind of due job is looked up on its own partial index (jobs_due, jobs_running) and stops
 * at `limit` rows: one `or` across both made PostgreSQL scan and sort the whole backlog on every
 * claim. Ordering by the indexed column alone keeps it an index walk even when thousands of jobs
 * share one run_at (all enqueued in one transaction).
 */
export async function claimJobs(db: Executor, workerId: string, limit: number, leaseSeconds: number): Promise<JobRow[]> {
  const result = await sql<JobRow>`
    with expired as materialized (
      select id from jobs
      where state = 'running' and locked_until < now() and attempts < max_attempts
      order by locked_until
      limit ${limit}
      for update skip locked
    ), due as materialized (
      select id from jobs
      where state = 'pending' and run_at <= now()
      order by run_at
      limit ${limit}
      for update skip locked
    )
    update jobs set
      state = 'running',
      attempts = attempts + 1,
      locked_by = ${workerId},
      locked_until = now() + make_interval(secs => ${leaseSeconds})
    where id in (select id from expired union all select id from due limit ${limit})
    returning id, kind, payload, state, run_at as "runAt", attempts, max_attempts as "maxAttempts",
      last_error as "lastError", created_at as "createdAt", finished_at as "finishedAt"`.execute(db);
  return result.rows;
}

/**
 * Fails jobs whose worker died holding them after their last attempt. Without this, a job that
 * crashes its process would be claimed again at every lease expiry, for ever.
 */
export async function failAbandonedJobs(db: Executor): Promise<number> {
  const result = await db
    .updateTable('jobs')
    .set({
      state: 'failed',
      finished_at: sql<Date>`now()`,
      locked_by: null,
      locked_until: null,
      last_error: sql<string>`coalesce(last_error, 'The worker stopped while running this job')`,
    })
    .where('state', '=', 'running')
    .where('locked_until', '<', sql<Date>`now()`)
    .where(sql<boolean>`attempts >= max_attempts`)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Marks a claimed job done, if this worker still holds it. */
export async function completeJob(db: Executor, id: number, workerId: string): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ state: 'done', finished_at: sql<Date>`now()`, locked_by: null, locked_until: null, last_error: null })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** Records a failure: the job is retried at `retryAt`, or marked failed when it has no attempts left. */
export async function failJob(db: Executor, id: number, workerId: string, error: string, retryAt: Date | undefined): Promise<void> {
  await db
    .updateTable('jobs')
    .set(
      retryAt
        ? { state: 'pending', run_at: retryAt, locked_by: null, locked_until: null, last_error: error }
        : { state: 'failed', finished_at: sql<Date>`now()`, locked_by: null, locked_until: null, last_error: error },
    )
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** Puts a failed job back in the queue with fresh attempts. Returns whether one was found. */
export async function retryJob(db: Executor, id: number): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ state: 'pending', run_at: sql<Date>`now()`, attempts: 0, finished_at: null, last_error: null })
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Counts jobs by state. */
export async function countJobsByState(db: Executor): Promise<Record<JobState, number>> {
  const rows = await db
    .selectFrom('jobs')
    .select(['state', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy('state')
    .execute();
  const counts: Record<JobState, number> = { pending: 0, running: 0, done: 0, failed: 0 };
  for (const row of rows) counts[row.state] = Number(row.count);
  return counts;
}

/** Lists jobs in one state, newest first, with keyset pagination on id. */
export async function listJobs(db: Executor, state: JobState, limit: number, beforeId?: number): Promise<JobRow[]> {
  let query = db.selectFrom('jobs').select(columns).where('state', '=', state);
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  return (await query.orderBy('id', 'desc').limit(limit).execute()) as JobRow[];
}

/** Deletes finished jobs older than the cut-off; failed ones stay until an admin acts. */
export async function deleteDoneJobs(db: Executor, olderThan: Date): Promise<number> {
  const result = await db.deleteFrom('jobs').where('state', '=', 'done').where('finished_at', '<', olderThan).executeTakeFirst();
  return Number(result.numDeletedRows);
}
