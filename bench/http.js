// HTTP benchmark: the real app against a bare node:http server measured in the same run.
//
//   npm run build && node bench/http.js
//
// Each server runs in its own child process, pinned to one core when `taskset` exists; the load
// generator (autocannon) runs in this process on another core. Everything stays on 127.0.0.1.
// BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 32) shorten or widen a run;
// BENCH_DATABASE_URL points at another PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const DIST = path.join(ROOT, 'dist');
const SELF = fileURLToPath(import.meta.url);

const DURATION = positiveInt(process.env.BENCH_DURATION, 10);
const CONNECTIONS = positiveInt(process.env.BENCH_CONNECTIONS, 32);
const WARMUP_SECONDS = 2;
const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ENDPOINTS = [
  { path: '/healthz', what: 'JSON, no database' },
  { path: '/readyz', what: 'JSON, one `select 1`' },
  { path: '/', what: 'HTML page: layout, CSP nonce, CSRF cookie' },
];

function positiveInt(raw, fallback) {
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

// ---------------------------------------------------------------------------------------------
// Child side: one server per process, reporting its port over IPC and stopping on request.

async function serveHello() {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('hello world');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function serveApp() {
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const { openDatabase } = await import(path.join(DIST, 'db', 'client.js'));
  const { migrate } = await import(path.join(DIST, 'db', 'migrate.js'));
  const { buildApp } = await import(path.join(DIST, 'app.js'));
  // A benchmark is one client address sending thousands of requests a second: the general rate
  // limit would answer most of them with 429, so it is turned off where the app supports that.
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    WORKER: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    RATE_LIMIT_PER_MINUTE: '0',
    // PostgreSQL deployments must set a master secret; a throwaway one does for a throwaway database.
    SECRET_KEY: process.env.SECRET_KEY || randomBytes(48).toString('base64url'),
  });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  await migrate(db);
  const app = await buildApp({ config, db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: app.server.address().port,
    engine: db.engine,
    rateLimitOff: config.rateLimitPerMinute === 0,
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

async function child(kind) {
  const server = kind === 'hello' ? await serveHello() : await serveApp();
  process.on('message', async (message) => {
    if (message === 'rss') {
      process.send({ rss: process.memoryUsage().rss });
    } else if (message === 'stop') {
      await server.close();
      process.disconnect();
    }
  });
  process.send({ ready: true, port: server.port, engine: server.engine, rateLimitOff: server.rateLimitOff });
}

// ---------------------------------------------------------------------------------------------
// Parent side.

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const CORES = os.availableParallelism();
const PIN = CORES >= 2 && hasTaskset();
const SERVER_CORE = CORES - 1;
const LOAD_CORE = 0;

/** Starts a server in a child process (pinned to SERVER_CORE when possible) and waits for its port. */
function startServer(kind, env) {
  const nodeArgs = [SELF, '--serve', kind];
  const [command, args] = PIN ? ['taskset', ['-c', String(SERVER_CORE), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const proc = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${kind} server did not start within 60 s`));
    }, 60_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} server exited with code ${code} before it was ready`));
    });
    proc.once('message', (message) => {
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      resolve({ proc, ...message });
    });
  });
}

function ask(proc, message) {
  return new Promise((resolve) => {
    proc.once('message', resolve);
    proc.send(message);
  });
}

async function stopServer(server) {
  const exited = new Promise((resolve) => server.proc.once('exit', resolve));
  if (server.proc.connected) server.proc.send('stop');
  const timer = setTimeout(() => server.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** One GET to check that the endpoint answers 200 before it is loaded, and how big the answer is. */
function probe(port, urlPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath }, (response) => {
        let bytes = 0;
        response.on('data', (chunk) => (bytes += chunk.length));
        response.on('end', () => resolve({ status: response.statusCode, bytes }));
      })
      .on('error', reject);
  });
}

async function load(autocannon, port, urlPath, duration) {
  return autocannon({ url: `http://127.0.0.1:${port}${urlPath}`, connections: CONNECTIONS, duration });
}

async function measure(autocannon, server, label, urlPath) {
  const check = await probe(server.port, urlPath);
  if (check.status !== 200) throw new Error(`${label} ${urlPath} answered ${check.status} before the run`);
  await load(autocannon, server.port, urlPath, WARMUP_SECONDS);
  const result = await load(autocannon, server.port, urlPath, DURATION);
  const row = {
    label,
    path: urlPath,
    bytes: check.bytes,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  console.error(`  ${label.padEnd(10)} ${urlPath.padEnd(9)} ${Math.round(row.rps)} req/s`);
  return row;
}

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

function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// autocannon records latency in whole milliseconds.
function ms(value) {
  return value < 1 ? '<1' : fmt(value);
}

function printTable(rows, ceiling) {
  const header = ['server', 'endpoint', 'bytes', 'req/s', 'vs ceiling', 'p50 ms', 'p99 ms', 'errors', 'non-2xx'];
  const lines = rows.map((r) => [
    r.label,
    `\`${r.path}\``,
    fmt(r.bytes),
    fmt(r.rps),
    r.label === 'node:http' ? '1.00' : (r.rps / ceiling).toFixed(2),
    ms(r.p50),
    ms(r.p99),
    fmt(r.errors),
    fmt(r.non2xx),
  ]);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}

async function main() {
  if (!fs.existsSync(path.join(DIST, 'app.js'))) {
    console.error('dist/app.js is missing: run `npm run build` first.');
    process.exitCode = 1;
    return;
  }
  if (PIN) {
    // Keep the load generator off the server's core.
    execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
  }
  const { default: autocannon } = await import('autocannon');

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Machine: ${CORES} cores (${cpu}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB memory, Node ${process.version}, ${os.platform()} ${os.release()}`);
  console.log(
    PIN
      ? `Servers pinned to core ${SERVER_CORE}, load generator to core ${LOAD_CORE}.`
      : 'Not pinned (taskset missing or a single core): servers and the load generator share the cores.',
  );
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

const serveIndex = process.argv.indexOf('--serve');
if (serveIndex !== -1) {
  child(process.argv[serveIndex + 1]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
