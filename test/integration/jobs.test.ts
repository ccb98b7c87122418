import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../../src/db/client.js';
import { hashPassword, normalizeEmail, upsertUser } from '../../src/modules/accounts/index.js';
import { enqueue, JobWorker, PermanentJobError, retryJob, type JobHandlers } from '../../src/platform/jobs/index.js';
import { claimJobs, completeJob, countJobsByState, failJob } from '../../src/platform/jobs/jobs.repository.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestAdmin, createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

const log = createLogger('silent');

function newWorker(db: Db, handlers: JobHandlers, options: { concurrency?: number; pollIntervalMs?: number } = {}): JobWorker {
  return new JobWorker({ db, handlers, log, ...options });
}

const noop = async () => {};

describe.each(engines())('job queue on %s', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });
  // Every test starts with an empty queue, so one test's leftovers never reach another's worker.
  afterEach(async () => {
    await t.db.kysely.deleteFrom('jobs').execute();
  });

  // Test-only reads and writes of the jobs table, to observe and to stand in for the clock.
  function row(id: number) {
    return t.db.kysely.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }
  function countKind(kind: string) {
    return t.db.kysely
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }
  async function makeDue(id: number) {
    await t.db.kysely.updateTable('jobs').set({ run_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute();
  }
  async function enqueueOne(kind: string, payload: Record<string, unknown> = {}, options: Parameters<typeof enqueue>[3] = {}) {
    const id = await enqueue(t.db.kysely, kind, payload, options);
    if (id === undefined) throw new Error('expected a new job');
    return id;
  }

  describe('enqueueing', () => {
    it('leaves no job behind when the transaction rolls back', async () => {
      await expect(
        t.db.kysely.transaction().execute(async (trx) => {
          await enqueue(trx, 'test.rollback', { n: 1 });
          throw new Error('the change that caused the job failed');
        }),
      ).rejects.toThrow('the change that caused the job failed');

      expect(await countKind('test.rollback')).toBe(0);
      const ran = vi.fn(noop);
      expect(await newWorker(t.db, { 'test.rollback': ran }).drain()).toBe(0);
      expect(ran).not.toHaveBeenCalled();
    });

    it('runs a job once its transaction commits, with its payload', async () => {
      const seen: unknown[] = [];
      const worker = newWorker(t.db, { 'test.commit': async (job) => void seen.push(job.payload) });
      const id = await t.db.kysely.transaction().execute(async (trx) => {
        const jobId = await enqueue(trx, 'test.commit', { greeting: 'hola', n: 2 });
        if (engine === 'postgres') {
          // Another connection cannot see the job before commit. (PGlite has one session, so a
          // worker there simply waits for the transaction to end.)
          expect(await worker.drain()).toBe(0);
        }
        return jobId;
      });

      expect(await worker.drain()).toBe(1);
      expect(seen).toEqual([{ greeting: 'hola', n: 2 }]);
      const job = await row(id!);
      expect(job.state).toBe('done');
      expect(job.attempts).toBe(1);
      expect(job.finished_at).toBeInstanceOf(Date);
      expect(job.locked_by).toBeNull();
      expect(job.locked_until).toBeNull();
    });

    it('makes one job of two enqueues with the same dedupe key', async () => {
      const first = await enqueue(t.db.kysely, 'test.dedupe', { n: 1 }, { dedupeKey: 'welcome:42' });
      const second = await t.db.kysely.transaction().execute((trx) => enqueue(trx, 'test.dedupe', { n: 2 }, { dedupeKey: 'welcome:42' }));
      expect(first).toEqual(expect.any(Number));
      expect(second).toBeUndefined();
      expect(await countKind('test.dedupe')).toBe(1);

      const payloads: unknown[] = [];
      expect(await newWorker(t.db, { 'test.dedupe': async (job) => void payloads.push(job.payload) }).drain()).toBe(1);
      expect(payloads).toEqual([{ n: 1 }]);
    });

    it('does not claim a job before its runAt', async () => {
      const ran = vi.fn(noop);
      const worker = newWorker(t.db, { 'test.later': ran });
      const id = await enqueueOne('test.later', {}, { runAt: new Date(Date.now() + 3_600_000) });

      expect(await worker.drain()).toBe(0);
      expect((await row(id)).state).toBe('pending');
      expect(ran).not.toHaveBeenCalled();

      await makeDue(id);
      expect(await worker.drain()).toBe(1);
      expect(ran).toHaveBeenCalledTimes(1);
      expect((await row(id)).state).toBe('done');
    });
  });

  describe('failures', () => {
    it('retries a failing job with growing backoff, then fails it with a scrubbed error', async () => {
      const ran = vi.fn(async () => {
        throw new Error('relay refused alice.smith@example.org from 192.0.2.7');
      });
      const worker = newWorker(t.db, { 'test.flaky': ran });
      const id = await enqueueOne('test.flaky', {}, { maxAttempts: 3 });

      for (const [attempt, delay] of [
        [1, 5_000],
        [2, 10_000],
      ] as const) {
        const before = Date.now();
        expect(await worker.drain()).toBe(1);
        const after = Date.now();
        const job = await row(id);
        expect(job.state).toBe('pending');
        expect(job.attempts).toBe(attempt);
        expect(job.locked_by).toBeNull();
        // The next attempt waits the backoff for this attempt: base delay plus up to 10% jitter.
        expect(job.run_at.getTime()).toBeGreaterThanOrEqual(before + delay);
        expect(job.run_at.getTime()).toBeLessThanOrEqual(after + delay * 1.1);
        // Not due yet: nothing runs until the backoff has passed.
        expect(await worker.drain()).toBe(0);
        await makeDue(id);
      }

      expect(await worker.drain()).toBe(1);
      expect(ran).toHaveBeenCalledTimes(3);
      const job = await row(id);
      expect(job.state).toBe('failed');
      expect(job.attempts).toBe(3);
      expect(job.finished_at).toBeInstanceOf(Date);
      expect(job.last_error).toBe('relay refused [email] from [ip]');
      expect(job.last_error).not.toContain('@');

      // Failed for good: no further attempt, even once its time has passed.
      await makeDue(id);
      expect(await worker.drain()).toBe(0);
      expect(ran).toHaveBeenCalledTimes(3);
    });

    it('fails a job at once on PermanentJobError, whatever attempts it had left', async () => {
      const ran = vi.fn(async () => {
        throw new PermanentJobError('recipient bob@example.net does not exist');
      });
      const id = await enqueueOne('test.permanent', {}, { maxAttempts: 5 });
      expect(await newWorker(t.db, { 'test.permanent': ran }).drain()).toBe(1);
      const job = await row(id);
      expect(job.state).toBe('failed');
      expect(job.attempts).toBe(1);
      expect(job.last_error).toBe('recipient [email] does not exist');
      expect(ran).toHaveBeenCalledTimes(1);
    });

    it('fails a job of an unknown kind at once', async () => {
      const id = await enqueueOne('test.nobody-handles-this');
      expect(await newWorker(t.db, {}).drain()).toBe(1);
      const job = await row(id);
      expect(job.state).toBe('failed');
      expect(job.attempts).toBe(1);
      expect(job.last_error).toContain('No handler');
    });

    it('puts a failed job back with fresh attempts on retryJob, and runs it', async () => {
      let broken = true;
      const ran = vi.fn(async () => {
        if (broken) throw new Error('downstream is down');
      });
      const worker = newWorker(t.db, { 'test.retry': ran });
      const id = await enqueueOne('test.retry', {}, { maxAttempts: 1 });
      await worker.drain();
      expect((await row(id)).state).toBe('failed');

      expect(await retryJob(t.db.kysely, id)).toBe(true);
      const back = await row(id);
      expect(back).toMatchObject({ state: 'pending', attempts: 0, last_error: null, finished_at: null });

      broken = false;
      expect(await worker.drain()).toBe(1);
      expect(await row(id)).toMatchObject({ state: 'done', attempts: 1 });

      // Only failed jobs can be retried.
      expect(await retryJob(t.db.kysely, id)).toBe(false);
      expect(await retryJob(t.db.kysely, 999_999_999)).toBe(false);
    });
  });

  describe('leases', () => {
    it('claims a job again once the lease of a worker that died has run out', async () => {
      const ran = vi.fn(noop);
      const worker = newWorker(t.db, { 'test.lease': ran });
      const id = await enqueueOne('test.lease');

      // A worker claims the job and then dies without finishing it.
      const claimed = await claimJobs(t.db.kysely, 'dead-worker', 10, 300);
      expect(claimed.map((j) => j.id)).toEqual([id]);
      expect(await row(id)).toMatchObject({ state: 'running', attempts: 1, locked_by: 'dead-worker' });

      // While the lease holds, nobody else takes it.
      expect(await worker.drain()).toBe(0);
      expect(ran).not.toHaveBeenCalled();

      await t.db.kysely.updateTable('jobs').set({ locked_until: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute();
      expect(await worker.drain()).toBe(1);
      expect(ran).toHaveBeenCalledTimes(1);
      expect(await row(id)).toMatchObject({ state: 'done', attempts: 2, locked_by: null });

      // The old worker coming back late cannot undo the result it no longer holds.
      await failJob(t.db.kysely, id, 'dead-worker', 'late failure', undefined);
      await completeJob(t.db.kysely, id, 'dead-worker');
      expect(await row(id)).toMatchObject({ state: 'done', last_error: null });
    });
    it('fails a job whose worker died during its last attempt instead of claiming it for ever', async () => {
      const ran = vi.fn(noop);
      const worker = newWorker(t.db, { 'test.poison': ran });
      const id = await enqueueOne('test.poison', {}, { maxAttempts: 1 });
      expect(await claimJobs(t.db.kysely, 'crashed-worker', 10, 300)).toHaveLength(1);
      await t.db.kysely.updateTable('jobs').set({ locked_until: sql<Date>`now() - interval '1 second'` }).where('id', '=', id).execute();

      expect(await worker.drain()).toBe(0);
      expect(ran).not.toHaveBeenCalled();
      expect(await row(id)).toMatchObject({ state: 'failed', attempts: 1, locked_by: null, last_error: 'The worker stopped while running this job' });
      expect(await retryJob(t.db.kysely, id)).toBe(true);
      expect(await worker.drain()).toBe(1);
      expect(ran).toHaveBeenCalledTimes(1);
    });
  });

  describe('claiming', () => {
    it('claims at most the limit, oldest due first and lease-expired jobs before new ones', async () => {
      const stale = await enqueueOne('test.claim', { n: 'stale' });
      await claimJobs(t.db.kysely, 'dead-worker', 1, 300);
      await t.db.kysely.updateTable('jobs').set({ locked_until: sql<Date>`now() - interval '1 second'` }).where('id', '=', stale).execute();
      const newer = await enqueueOne('test.claim', { n: 'newer' }, { runAt: new Date(Date.now() - 1_000) });
      const older = await enqueueOne('test.claim', { n: 'older' }, { runAt: new Date(Date.now() - 60_000) });
      const future = await enqueueOne('test.claim', { n: 'future' }, { runAt: new Date(Date.now() + 60_000) });

      const first = await claimJobs(t.db.kysely, 'worker-a', 2, 300);
      expect(first.map((j) => j.id)).toEqual(expect.arrayContaining([stale, older]));
      expect(first).toHaveLength(2);
      const second = await claimJobs(t.db.kysely, 'worker-b', 2, 300);
      expect(second.map((j) => j.id)).toEqual([newer]);
      expect(await claimJobs(t.db.kysely, 'worker-c', 2, 300)).toEqual([]);

      expect(await row(stale)).toMatchObject({ state: 'running', locked_by: 'worker-a', attempts: 2 });
      expect(await row(future)).toMatchObject({ state: 'pending', attempts: 0, locked_by: null });
    });
  });

  describe('stopping', () => {
    it('waits for the jobs in hand before stop() resolves, and then claims nothing more', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const inHand = new Promise<void>((resolve) => (started = resolve));
      const ran = vi.fn(async () => {
        started();
        await gate;
      });
      const id = await enqueueOne('test.slow');
      const worker = newWorker(t.db, { 'test.slow': ran }, { pollIntervalMs: 50 });
      worker.start();
      await inHand;

      let stopped = false;
      const stopping = worker.stop().then(() => {
        stopped = true;
      });
      await sleep(100);
      expect(stopped).toBe(false);
      expect((await row(id)).state).toBe('running');

      release();
      await stopping;
      expect(await row(id)).toMatchObject({ state: 'done', locked_by: null });

      const later = await enqueueOne('test.slow');
      worker.poke();
      await sleep(150);
      expect((await row(later)).state).toBe('pending');
      expect(ran).toHaveBeenCalledTimes(1);
    });
  });

  describe('admin pages', () => {
    async function failedJob(message: string): Promise<number> {
      const id = await enqueueOne('test.admin-broken', {}, { maxAttempts: 1 });
      await newWorker(t.db, {
        'test.admin-broken': async () => {
          throw new Error(message);
        },
      }).drain();
      expect((await row(id)).state).toBe('failed');
      return id;
    }

    it('shows an admin the failed job and retries it through the form', async () => {
      const id = await failedJob('mailbox of carol@example.org is full');
      const admin = await createTestAdmin(t);
      const client = new TestClient(t.app);
      expect((await client.logIn(admin.email, admin.password)).statusCode).toBe(303);

      const page = await client.get('/admin/jobs?state=failed');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('test.admin-broken');
      expect(page.body).toContain('mailbox of [email] is full');
      expect(page.body).not.toContain('carol@example.org');
      expect(page.body).toContain(`action="/admin/jobs/${id}/retry"`);

      // A forged form (wrong token) changes nothing.
      const forged = await client.post(`/admin/jobs/${id}/retry`, { _csrf: 'forged' });
      expect(forged.statusCode).toBe(403);
      expect((await row(id)).state).toBe('failed');

      await client.get('/admin/jobs?state=failed');
      const retried = await client.post(`/admin/jobs/${id}/retry`);
      expect(retried.statusCode).toBe(303);
      expect(retried.headers.location).toBe('/admin/jobs?state=failed');
      expect(await row(id)).toMatchObject({ state: 'pending', attempts: 0, last_error: null });

      const after = await client.get('/admin/jobs?state=failed');
      expect(after.body).not.toContain(`action="/admin/jobs/${id}/retry"`);
      // Retrying a job that is no longer failed is a 404, not a second reset.
      expect((await client.post(`/admin/jobs/${id}/retry`)).statusCode).toBe(404);
    });

    it('sends anonymous people to sign in and changes nothing', async () => {
      const id = await failedJob('anonymous case');
      const client = new TestClient(t.app);

      const page = await client.get('/admin/jobs?state=failed');
      expect(page.statusCode).toBe(303);
      expect(page.headers.location).toMatch(/^\/login\?next=/);
      expect(page.body).not.toContain('anonymous case');

      await client.get('/'); // a page with a valid CSRF token, as a crafted form would have
      const retry = await client.post(`/admin/jobs/${id}/retry`);
      expect(retry.statusCode).toBe(303);
      expect(retry.headers.location).toMatch(/^\/login\?next=/);
      expect((await row(id)).state).toBe('failed');
    });

    it('refuses a signed-in person who is not an admin', async () => {
      const id = await failedJob('member case');
      const email = `member-${Date.now()}@example.test`;
      const password = 'a long enough member password';
      await upsertUser(t.db.kysely, {
        email,
        emailNormalized: normalizeEmail(email),
        displayName: 'Member',
        passwordHash: await hashPassword(password),
        role: 'user',
        verified: true,
      });
      const client = new TestClient(t.app);
      expect((await client.logIn(email, password)).statusCode).toBe(303);

      const page = await client.get('/admin/jobs?state=failed');
      expect(page.statusCode).toBe(403);
      expect(page.body).not.toContain('member case');

      await client.get('/');
      expect((await client.post(`/admin/jobs/${id}/retry`)).statusCode).toBe(403);
      expect((await row(id)).state).toBe('failed');
    });
  });

  describe.runIf(engine === 'postgres')('several workers on PostgreSQL', () => {
    it('runs each of 300 jobs exactly once across 4 workers with their own pools', async () => {
      const total = 300;
      await t.db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < total; i++) await enqueue(trx, 'test.many', { i });
      });

      const pools = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ databaseUrl: t.url, poolSize: 3 })));
      const runs: Array<{ id: number; worker: string }> = [];
      const workers = pools.map((db) => {
        const worker: JobWorker = newWorker(
          db,
          {
            'test.many': async (job) => {
              runs.push({ id: job.id, worker: worker.id });
              // A little work, so that claims from the four workers interleave.
              await sleep(Math.floor(Math.random() * 3));
            },
          },
          { concurrency: 4, pollIntervalMs: 20 },
        );
        return worker;
      });
      try {
        for (const worker of workers) worker.start();
        await vi.waitFor(
          async () => {
            expect((await countJobsByState(t.db.kysely)).done).toBe(total);
          },
          { timeout: 25_000, interval: 50 },
        );
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await Promise.all(pools.map((db) => db.close()));
      }

      expect(runs).toHaveLength(total);
      expect(new Set(runs.map((r) => r.id)).size).toBe(total);
      expect(await countJobsByState(t.db.kysely)).toEqual({ pending: 0, running: 0, done: total, failed: 0 });
      const attempts = await t.db.kysely.selectFrom('jobs').select('attempts').distinct().execute();
      expect(attempts).toEqual([{ attempts: 1 }]);
      // The claims really were concurrent: more than one worker took part.
      expect(new Set(runs.map((r) => r.worker)).size).toBeGreaterThan(1);
    });

    it('lets concurrent drains share the queue without running a job twice', async () => {
      const total = 120;
      await t.db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < total; i++) await enqueue(trx, 'test.drain', { i });
      });
      const pools = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: t.url, poolSize: 2 })));
      const seen: number[] = [];
      try {
        const counts = await Promise.all(
          pools.map((db) => newWorker(db, { 'test.drain': async (job) => void seen.push(job.id) }, { concurrency: 5 }).drain()),
        );
        expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
      } finally {
        await Promise.all(pools.map((db) => db.close()));
      }
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
    });
  });
});
