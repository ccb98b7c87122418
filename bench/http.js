// HTTP benchmark: the real app against a bare node:http server measured in the same run.
//
//   npm run build && node bench/http.js
//
// Each server runs in its own child process, pinned to one core when `taskset` exists; the load
// generator (autocannon) runs in this process on another core. Everything stays on 127.0.0.1.
// BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 32) shorten or widen a run;
// BENCH_DATABASE_URL points at another PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CONNECTIONS,
  DIST,
  DURATION,
  PG_ADMIN_URL,
  WARMUP_SECONDS,
  ask,
  fmt,
  machineLine,
  measure,
  pinLoadGenerator,
  pinningLine,
  printTable,
  startServer,
  stopServer,
} from './lib.js';

const ENDPOINTS = [
  { path: '/healthz', what: 'JSON, no database' },
  { path: '/readyz', what: 'JSON, one `select 1`' },
  { path: '/', what: 'HTML page: layout, CSP nonce, CSRF cookie' },
];

/** A throwaway PostgreSQL database, or undefined when no server answers. */
async function createPgDatabase() {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return undefined;
  }
  const name = `alongside_bench_${randomBytes(4).toString('hex')}`;
  try {
    await admin.query(`create database ${name}`);
    const { rows } = await admin.query('show server_version');
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      version: String(rows[0].server_version).split(' ')[0],
      drop: async () => {
        const dropper = new pg.Client({ connectionString: PG_ADMIN_URL });
        await dropper.connect();
        await dropper.query(`drop database if exists ${name} with (force)`);
        await dropper.end();
      },
    };
  } finally {
    await admin.end();
  }
}

async function main() {
  if (!fs.existsSync(path.join(DIST, 'app.js'))) {
    console.error('dist/app.js is missing: run `npm run build` first.');
    process.exitCode = 1;
    return;
  }
  // Keep the load generator off the server's core.
  pinLoadGenerator();
  const { default: autocannon } = await import('autocannon');

  console.log(machineLine());
  console.log(pinningLine());
  console.log(`autocannon: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up then ${DURATION} s per endpoint, 127.0.0.1 only.\n`);

  const rows = [];
  const memory = [];
  const cleanups = [];
  let ceiling;
  let rateLimitOn = false;
  try {
    console.error('node:http hello world (the ceiling)');
    const hello = await startServer('hello', {});
    cleanups.push(() => stopServer(hello));
    const helloRow = await measure(autocannon, hello, 'node:http', '/');
    ceiling = helloRow.rps;
    rows.push(helloRow);
    await cleanups.pop()();

    const targets = [];
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-bench-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    targets.push({ label: 'PGlite', env: { DATA_DIR: dataDir, DATABASE_URL: '' } });
    const pgDb = await createPgDatabase();
    if (pgDb) {
      cleanups.push(pgDb.drop);
      targets.push({ label: 'PostgreSQL', env: { DATABASE_URL: pgDb.url }, note: `PostgreSQL ${pgDb.version}` });
    } else {
      console.log(`PostgreSQL is not reachable at ${new URL(PG_ADMIN_URL).host}: measuring PGlite only.\n`);
    }

    for (const target of targets) {
      console.error(`the app on ${target.label}`);
      const app = await startServer('app', target.env);
      cleanups.push(() => stopServer(app));
      if (!app.rateLimitOff) rateLimitOn = true;
      for (const endpoint of ENDPOINTS) rows.push(await measure(autocannon, app, target.label, endpoint.path));
      const { rss } = await ask(app.proc, 'rss');
      memory.push(`${target.label}${target.note ? ` (${target.note})` : ''}: ${fmt(rss / 2 ** 20)} MiB resident after the run`);
      await cleanups.pop()();
    }
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.error(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  printTable(rows, ceiling);
  console.log('');
  for (const line of memory) console.log(`App process on ${line}.`);
  if (rateLimitOn) {
    console.log('\nThis build has no RATE_LIMIT_PER_MINUTE: the general limit of 600 requests a minute per address was on, so most `/` requests above were refused with 429.');
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
