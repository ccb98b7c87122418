// Job queue throughput on PGlite and PostgreSQL, against a plain INSERT measured in the same run.
//
//   npm run build && node bench/jobs.js [jobs]
//
// jobs: how many jobs each measurement enqueues and processes (default 2000).
// BENCH_DATABASE_URL: the PostgreSQL server to use (default postgres://postgres@127.0.0.1:5432/postgres);
// the benchmark creates a database of its own there and drops it at the end. PostgreSQL is skipped
// when nothing answers. Figures are one run on one machine: compare the ratios, not the absolutes.
import os from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../dist/db/client.js';
import { migrate } from '../dist/db/migrate.js';
import { enqueue, JobWorker } from '../dist/platform/jobs/index.js';
import { createLogger } from '../dist/platform/logger.js';

const JOBS = Number(process.argv[2] ?? 2000);
const CONCURRENCY = 2; // JOBS_CONCURRENCY's default: what one deployed worker runs at once
const WARM_UP = 200;
const log = createLogger('silent');
const serverUrl = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

if (!Number.isInteger(JOBS) || JOBS < 1 || JOBS > 100_000) {
  console.error('usage: node bench/jobs.js [jobs between 1 and 100000]');
  process.exit(2);
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The baseline: the same rows, one INSERT each, into a bare table with no queue columns or indexes. */
async function plainInserts(db, count, offset = 0) {
  for (let i = offset; i < offset + count; i++) {
    await sql`insert into bench_plain (kind, payload) values (${'bench.noop'}, ${JSON.stringify({ i })})`.execute(db.kysely);
  }
}

async function enqueues(db, count, offset = 0) {
  for (let i = offset; i < offset + count; i++) await enqueue(db.kysely, 'bench.noop', { i });
}

/** Starts `dbs.length` workers, one per database handle, and returns once all `count` jobs are done. */
async function processAll(dbs, count) {
  let handled = 0;
  let allHandled;
  const finished = new Promise((resolve) => (allHandled = resolve));
  const handler = async () => {
    handled += 1;
    if (handled === count) allHandled();
  };
  const workers = dbs.map((db) => new JobWorker({ db, log, handlers: { 'bench.noop': handler }, concurrency: CONCURRENCY }));
  const seconds = await timed(async () => {
    for (const worker of workers) worker.start();
    await finished;
    // stop() waits for the last jobs to be marked done, so the time includes every completion.
    await Promise.all(workers.map((w) => w.stop()));
  });
  const { rows } = await sql`select count(*)::int as n from jobs where state = 'done'`.execute(dbs[0].kysely);
  if (rows[0].n !== count || handled !== count) throw new Error(`expected ${count} jobs done once, got ${rows[0].n} done and ${handled} runs`);
  return seconds;
}

async function resetQueue(db, count) {
  await sql`delete from jobs`.execute(db.kysely);
  // One statement: filling the queue is not what is being measured here.
  await sql`insert into jobs (kind, payload) select 'bench.noop', jsonb_build_object('i', g) from generate_series(1, ${count}::int) g`.execute(
    db.kysely,
  );
}

/** Runs every measurement on one engine. `extraHandles(n)` gives n more handles for extra workers. */
async function measure(engine, db, extraHandles) {
  await sql`create table bench_plain (id bigint generated always as identity primary key, kind text not null, payload jsonb not null)`.execute(
    db.kysely,
  );
  // Warm up both paths (plans, caches, the WASM JIT) before anything is timed.
  await plainInserts(db, WARM_UP);
  await enqueues(db, WARM_UP);
  await sql`delete from jobs`.execute(db.kysely);

  const results = [];
  const baseline = JOBS / (await timed(() => plainInserts(db, JOBS, WARM_UP)));
  results.push({ engine, what: 'plain INSERT, one row per statement (baseline)', rate: baseline });
  results.push({ engine, what: 'enqueue(), one job per statement', rate: JOBS / (await timed(() => enqueues(db, JOBS, WARM_UP))) });

  for (const workers of [1, 4]) {
    await resetQueue(db, JOBS);
    const handles = [db, ...(await extraHandles(workers - 1))];
    try {
      const seconds = await processAll(handles, JOBS);
      const note = engine === 'pglite' && workers > 1 ? ', sharing one session' : engine === 'postgres' && workers > 1 ? ', a pool each' : '';
      results.push({ engine, what: `process: claim + run + complete, ${workers} worker${workers > 1 ? 's' : ''} × ${CONCURRENCY}${note}`, rate: JOBS / seconds });
    } finally {
      await Promise.all(handles.slice(1).map((h) => h.close?.()));
    }
  }
  return results.map((r) => ({ ...r, ratio: r.rate / baseline }));
}

async function onPGlite() {
  const pglite = new PGlite();
  const db = await openDatabase({ pglite });
  try {
    await migrate(db);
    // PGlite is one session in this process: extra workers share the same handle.
    return await measure('pglite', db, async (n) => Array.from({ length: n }, () => ({ ...db, close: undefined })));
  } finally {
    await db.close();
  }
}

async function onPostgres() {
  const admin = new pg.Client({ connectionString: serverUrl.toString(), connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch (err) {
    console.warn(`PostgreSQL not reachable at ${serverUrl.host} (${err.message}): skipped`);
    return [];
  }
  const name = `alongside_bench_${process.pid}`;
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString(), poolSize: CONCURRENCY + 2 });
  try {
    await migrate(db);
    const version = await sql`show server_version`.execute(db.kysely);
    console.log(`PostgreSQL ${version.rows[0].server_version} at ${serverUrl.host}`);
    return await measure('postgres', db, (n) =>
      Promise.all(Array.from({ length: n }, () => openDatabase({ databaseUrl: url.toString(), poolSize: CONCURRENCY + 1 }))),
    );
  } finally {
    await db.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

console.log(`Job queue benchmark: ${JOBS} jobs per measurement; Node ${process.version}; ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`);
const rows = [...(await onPGlite()), ...(await onPostgres())];
const width = Math.max(...rows.map((r) => r.what.length));
console.log();
console.log(`${'engine'.padEnd(9)} ${'measurement'.padEnd(width)} ${'jobs/s'.padStart(8)} ${'× baseline'.padStart(10)}`);
for (const r of rows) {
  console.log(`${r.engine.padEnd(9)} ${r.what.padEnd(width)} ${Math.round(r.rate).toString().padStart(8)} ${r.ratio.toFixed(2).padStart(10)}`);
}
