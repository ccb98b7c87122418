// Scale benchmark: the app's busiest pages and API calls on a large generated instance, against a
// bare node:http server measured in the same run.
//
//   npm run build && node bench/scale.js [--engine=postgres|pglite|both] [--only=ask,search,feed,ledger,commit] [--cpu-prof]
//
// PostgreSQL: the dataset of bench/generate.js at BENCH_SCALE (default 1: 500,000 asks, 5,000,000
// commitments), generated first when it is missing (about two minutes at full scale, see
// docs/benchmarks.md). PGlite: the same generator at BENCH_PGLITE_SCALE (default 0.02: 10,000 asks).
// One app process pinned to one core (as in bench/http.js), autocannon on another, 127.0.0.1 only;
// BENCH_DURATION (default 10 s) after a 2 s warm-up per endpoint, BENCH_CONNECTIONS (default 32).
// Each run rotates through many asks, searches, people and communities. Commitments made by the
// run are checked (no window over its slots, nobody twice in one window) and then removed, so that
// runs on a kept dataset stay comparable. --cpu-prof writes a CPU profile of the app to .bench/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, ensureDataset } from './generate.js';
import {
  CONNECTIONS,
  DIST,
  DURATION,
  WARMUP_SECONDS,
  ask,
  fmt,
  load,
  machineLine,
  pinLoadGenerator,
  pinningLine,
  printTable,
  probe,
  rowOf,
  startServer,
  stopServer,
} from './lib.js';

/** The ratio to the ceiling each endpoint should reach, and the latency and error budget. */
const TARGETS = { ask: 0.12, search: 0.02, feed: 0.02, ledger: 0.05, commit: 0.02 };
const P99_MS = 100;

function option(name, fallback) {
  const arg = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!arg) return fallback;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : true;
}

function positiveNumber(raw, fallback) {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 && value <= 1 ? value : fallback;
}

/** Cycles through a list. */
function cycle(list) {
  let i = 0;
  return () => list[i++ % list.length];
}

/** A small seeded shuffle, so that every run sends the same requests in the same order. */
function shuffled(list, seed = 1) {
  const out = [...list];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Search queries: a term in English or Spanish, and now and then a place and distance, a kind, a sort. */
export function searchQueries(manifest, api) {
  const queries = [];
  const kinds = manifest.kinds;
  let n = 0;
  for (const lang of ['en', 'es']) {
    for (const term of manifest.searchTerms[lang]) {
      for (let variant = 0; variant < 4; variant++) {
        const params = new URLSearchParams({ q: term });
        const place = manifest.places[n % Math.max(1, manifest.places.length)];
        if (place && variant !== 3) {
          params.set('near', place.text);
          params.set('within', String([25, 50, 100][n % 3]));
        }
        if (variant === 1) params.append('kind', kinds[n % kinds.length]);
        if (variant === 2) {
          params.append('kind', 'shift');
          params.append('kind', 'attend');
          params.set('sort', 'date');
        }
        if (variant === 3) params.set('language', lang);
        if (api) params.set('limit', '20');
        queries.push(`${api ? '/api/v1/search/asks' : '/search'}?${params}`);
        n += 1;
      }
    }
  }
  return shuffled(queries, 7);
}

/** The endpoints, each with how its requests rotate. */
export function endpoints(manifest, cookieName) {
  const users = manifest.users;
  const askIds = cycle(shuffled(manifest.askPage, 3));
  const sessions = cycle(users.map((u) => `${cookieName}=${u.session}`));
  const tokens = cycle(users.map((u) => `Bearer ${u.token}`));
  const ledgerBig = cycle(manifest.ledger.big.map((c) => c.slug));
  const ledgerSmall = cycle(manifest.ledger.small.map((c) => c.slug));
  const html = searchQueries(manifest, false);
  const api = searchQueries(manifest, true);
  return [
    { key: 'ask', name: 'ask page', path: '/asks/:id', next: () => ({ path: `/asks/${askIds()}` }) },
    { key: 'search', name: 'search', path: '/search?q=…&near=…', next: ((c) => () => ({ path: c() }))(cycle(html)) },
    { key: 'search', name: 'search API', path: '/api/v1/search/asks?q=…', next: ((c) => () => ({ path: c(), headers: { accept: 'application/json' } }))(cycle(api)) },
    { key: 'feed', name: 'feed', path: '/feed', next: () => ({ path: '/feed', headers: { cookie: sessions() } }) },
    { key: 'feed', name: 'feed API', path: '/api/v1/me/feed', next: () => ({ path: '/api/v1/me/feed', headers: { authorization: tokens() } }) },
    { key: 'ledger', name: 'ledger, big', path: '/c/:slug/ledger', next: () => ({ path: `/c/${ledgerBig()}/ledger` }) },
    { key: 'ledger', name: 'ledger, small', path: '/c/:slug/ledger', next: () => ({ path: `/c/${ledgerSmall()}/ledger` }) },
    { key: 'commit', name: 'commit', path: 'POST /api/v1/asks/:id/commitments', url: '/api/v1/asks', method: 'POST' },
  ];
}

// ---------------------------------------------------------------------------------------------
// The database side: fresh sessions, the commit plan, the check afterwards and the clean-up.

async function dbClient(manifest) {
  if (manifest.target.engine === 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: manifest.target.url, application_name: 'alongside-bench-scale' });
    await client.connect();
    return { query: async (text, params) => (await client.query(text, params)).rows, close: () => client.end() };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const instance = await PGlite.create(manifest.target.dir);
  return { query: async (text, params) => (await instance.query(text, params)).rows, close: () => instance.close() };
}

/** Sessions idle for a day end: the benchmark's are made fresh before each run. */
async function refreshSessions(db) {
  await db.query("update sessions set last_seen_at = now(), expires_at = now() + interval '30 days' where device_hint = 'scale benchmark'");
}

/** Pairs of (person, window) where the person has no live commitment yet, in a fixed shuffled order. */
async function commitPlan(db, manifest) {
  const userIds = manifest.users.map((u) => u.id);
  const windowIds = manifest.windows.map((w) => w.windowId);
  const taken = new Set(
    (
      await db.query(
        "select user_id, window_id from commitments where user_id = any($1::uuid[]) and window_id = any($2::uuid[]) and state in ('pledged', 'waitlisted')",
        [userIds, windowIds],
      )
    ).map((r) => `${r.user_id} ${r.window_id}`),
  );
  const pairs = [];
  const users = manifest.users;
  const windows = manifest.windows;
  // Person k goes through the windows in their own order: every request is a new pair until
  // users × windows requests have been sent.
  for (let round = 0; round < windows.length && pairs.length < 400_000; round++) {
    for (let k = 0; k < users.length; k++) {
      const w = windows[(round * 7 + k * 13) % windows.length];
      if (taken.has(`${users[k].id} ${w.windowId}`)) continue;
      taken.add(`${users[k].id} ${w.windowId}`);
      pairs.push({ token: users[k].token, askId: w.askId, windowId: w.windowId });
    }
  }
  return pairs;
}

async function checkCommitments(db, windowIds, since) {
  const over = await db.query(
    `select w.id, w.slots, count(*) filter (where m.state = 'pledged')::int as pledged
     from ask_windows w join commitments m on m.window_id = w.id
     where w.id = any($1::uuid[]) group by w.id, w.slots having count(*) filter (where m.state = 'pledged') > w.slots`,
    [windowIds],
  );
  const twice = await db.query(
    `select user_id, window_id, count(*)::int as n from commitments
     where window_id = any($1::uuid[]) and state in ('pledged', 'waitlisted') group by user_id, window_id having count(*) > 1`,
    [windowIds],
  );
  // The window's own count of pledges (kept by a trigger since migration 0009) must agree with the rows.
  let drift = [];
  try {
    drift = await db.query(
      `select w.id from ask_windows w where w.id = any($1::uuid[])
       and w.pledged <> (select count(*) from commitments m where m.window_id = w.id and m.state = 'pledged')`,
      [windowIds],
    );
  } catch {
    // An older schema without the column.
  }
  const made = await db.query(
    "select state, count(*)::int as n from commitments where window_id = any($1::uuid[]) and created_at >= $2 group by state order by state",
    [windowIds, since],
  );
  return { over, twice, made, drift };
}

/** Removes what the run wrote, so that the next run starts from the generated data. */
async function cleanUp(db, manifest, since) {
  const userIds = manifest.users.map((u) => u.id);
  await db.query('delete from commitments where user_id = any($1::uuid[]) and created_at >= $2', [userIds, since]);
  await db.query('delete from idempotency_keys where user_id = any($1::uuid[]) and created_at >= $2', [userIds, since]);
  await db.query('delete from jobs where created_at >= $1', [since]);
  await db.query('delete from audit_log where at >= $1', [since]);
}

// ---------------------------------------------------------------------------------------------

async function runEngine(autocannon, manifest, ceiling, label, cpuProf) {
  const rows = [];
  const notes = [];
  const db = await dbClient(manifest);
  let plan;
  try {
    await refreshSessions(db);
    plan = await commitPlan(db, manifest);
  } finally {
    // PGlite is one process per data folder: the app opens it next.
    if (manifest.target.engine === 'pglite') await db.close();
  }
  const env =
    manifest.target.engine === 'postgres' ? { DATABASE_URL: manifest.target.url, DATA_DIR: '' } : { DATABASE_URL: '', DATA_DIR: manifest.target.dir };
  const nodeArgs = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(BENCH_DIR, 'profiles')}`] : [];
  console.error(`the app on ${label}`);
  const app = await startServer('app', env, nodeArgs);
  const cookieName = app.sessionCookie ?? '__Host-session';
  let since;
  let touched = new Set();
  try {
    const only = option('only', undefined);
    for (const endpoint of endpoints(manifest, cookieName)) {
      if (typeof only === 'string' && !only.split(',').includes(endpoint.key)) continue;
      let next = endpoint.next;
      if (endpoint.key === 'commit') {
        let i = 0;
        next = () => {
          const pair = plan[i++ % plan.length];
          touched.add(pair.windowId);
          return {
            path: `/api/v1/asks/${pair.askId}/commitments`,
            headers: { authorization: `Bearer ${pair.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body: JSON.stringify({ windowId: pair.windowId }),
          };
        };
        since = (await (manifest.target.engine === 'postgres' ? db.query('select now() as now') : Promise.resolve([{ now: new Date() }])))[0].now;
      }
      const first = next();
      const check = await probe(app.port, first.path, { method: endpoint.method ?? 'GET', headers: first.headers, body: first.body });
      if (check.status === 404 && endpoint.key !== 'ask' && endpoint.key !== 'ledger' && endpoint.key !== 'commit') {
        rows.push({ label, path: endpoint.path, name: endpoint.name, key: endpoint.key, skipped: 'skipped: route missing' });
        console.error(`  ${endpoint.name}: route missing, skipped`);
        continue;
      }
      if (check.status < 200 || check.status > 299) throw new Error(`${endpoint.name} ${first.path} answered ${check.status} before the run: ${check.body.slice(0, 300)}`);
      const base = endpoint.url ?? first.path;
      await load(autocannon, app.port, base, WARMUP_SECONDS, { next, method: endpoint.method });
      const result = await load(autocannon, app.port, base, DURATION, { next, method: endpoint.method });
      const row = { ...rowOf(label, endpoint.path, check.bytes, result), name: endpoint.name, key: endpoint.key };
      rows.push(row);
      console.error(`  ${endpoint.name.padEnd(14)} ${Math.round(row.rps)} req/s, p99 ${row.p99} ms, ${row.non2xx} non-2xx, ${row.errors} errors`);
      if (endpoint.key === 'commit') {
        const sent = Math.round(result.requests.total + (result.requests.total * WARMUP_SECONDS) / DURATION);
        if (sent > plan.length) notes.push(`The commit run sent about ${fmt(sent)} requests for ${fmt(plan.length)} fresh (person, window) pairs: the rest were repeats answered 409.`);
      }
    }
    const { rss } = await ask(app.proc, 'rss');
    notes.push(`App process on ${label}: ${fmt(rss / 2 ** 20)} MiB resident after the run.`);
  } finally {
    await stopServer(app);
  }

  // The slots check, then the clean-up.
  const checkDb = manifest.target.engine === 'postgres' ? db : await dbClient(manifest);
  let ok = true;
  try {
    if (since !== undefined) {
      const windowIds = [...touched];
      const { over, twice, made, drift } = await checkCommitments(checkDb, windowIds, since);
      const madeText = made.map((r) => `${fmt(r.n)} ${r.state}`).join(', ') || 'none';
      ok = over.length === 0 && twice.length === 0 && drift.length === 0;
      notes.push(
        `Commitments check on ${label}: ${fmt(windowIds.length)} windows touched, ${madeText} made; ` +
          `${over.length} windows over their slots, ${twice.length} people twice in one window, ${drift.length} windows whose pledged count disagrees with their rows: ${ok ? 'OK' : 'WRONG'}.`,
      );
      touched = new Set();
      await cleanUp(checkDb, manifest, since);
    }
  } finally {
    await checkDb.close();
  }
  return { rows, notes, ok };
}

async function pgliteVersion() {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  try {
    return JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function verdict(row) {
  if (row.skipped) return '';
  const target = TARGETS[row.key];
  const ratio = row.rps / row.ceiling;
  const parts = [];
  if (target !== undefined) parts.push(`${ratio >= target ? 'pass' : 'miss'} ≥ ${target}`);
  parts.push(`${row.p99 <= P99_MS ? 'pass' : 'miss'} p99`);
  parts.push(`${row.errors === 0 ? 'pass' : 'miss'} errors`);
  return parts.join(', ');
}

async function main() {
  if (!fs.existsSync(path.join(DIST, 'app.js'))) {
    console.error('dist/app.js is missing: run `npm run build` first.');
    process.exitCode = 1;
    return;
  }
  const engine = option('engine', 'both');
  const cpuProf = option('cpu-prof', false) === true;
  const pgScale = positiveNumber(process.env.BENCH_SCALE, 1);
  const pgliteScale = positiveNumber(process.env.BENCH_PGLITE_SCALE, Math.min(0.02, pgScale));
  const manifests = [];
  // Generation first (or the check that the data is there), before anything is pinned or timed.
  if (engine === 'postgres' || engine === 'both') manifests.push({ label: 'PostgreSQL', manifest: await ensureDataset({ scale: pgScale, log: console.error }) });
  if (engine === 'pglite' || engine === 'both') {
    manifests.push({ label: 'PGlite', manifest: await ensureDataset({ scale: pgliteScale, pglite: path.join(BENCH_DIR, `pglite-scale-${pgliteScale}`), log: console.error }) });
  }
  pinLoadGenerator();
  const { default: autocannon } = await import('autocannon');

  console.log(machineLine());
  for (const { label, manifest } of manifests) {
    if (manifest.target.engine !== 'postgres') continue;
    const db = await dbClient(manifest);
    const [{ server_version: version }] = await db.query('show server_version');
    const [{ shared_buffers: buffers }] = await db.query('show shared_buffers');
    await db.close();
    console.log(`${label} ${version.split(' ')[0]} on the same machine (shared_buffers ${buffers}); PGlite ${await pgliteVersion()}.`);
  }
  console.log(pinningLine());
  // Other work on the machine takes cores from the server and the load generator alike.
  console.log(`Load average before the run: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} (1, 5, 15 min).`);
  console.log(`autocannon: ${CONNECTIONS} connections, ${WARMUP_SECONDS} s warm-up then ${DURATION} s per endpoint, 127.0.0.1 only.`);
  for (const { label, manifest } of manifests) {
    const c = manifest.counts;
    const rows = manifest.generation?.rows ?? {};
    console.log(
      `${label}: ${fmt(rows.users ?? c.users)} people, ${fmt(rows.communities ?? c.communities)} communities, ${fmt(rows.asks ?? c.asks)} asks ` +
        `(${fmt(c.open)} open), ${fmt(rows.commitments ?? c.commitments)} commitments (scale ${manifest.scale}; generated in ${fmt(manifest.generation?.seconds ?? 0)} s).`,
    );
  }
  console.log('');

  console.error('node:http hello world (the ceiling)');
  const hello = await startServer('hello', {});
  let helloRow;
  try {
    await load(autocannon, hello.port, '/', WARMUP_SECONDS);
    helloRow = rowOf('node:http', '/', 11, await load(autocannon, hello.port, '/', DURATION));
  } finally {
    await stopServer(hello);
  }
  const ceiling = helloRow.rps;
  console.error(`  ceiling ${Math.round(ceiling)} req/s`);

  const rows = [helloRow];
  const notes = [];
  let ok = true;
  for (const { label, manifest } of manifests) {
    const result = await runEngine(autocannon, manifest, ceiling, label, cpuProf);
    rows.push(...result.rows.map((r) => ({ ...r, ceiling })));
    notes.push(...result.notes);
    ok &&= result.ok;
  }

  console.log('');
  printTable(
    rows.map((r) => (r.label === 'node:http' ? r : { ...r, label: `${r.label}: ${r.name}` })),
    ceiling,
    { targets: (r) => (r.label === 'node:http' ? '' : verdict(r)) },
  );
  console.log('');
  for (const note of notes) console.log(note);
  console.log(`Load average after the run: ${os.loadavg().map((x) => x.toFixed(1)).join(', ')}.`);
  const missed = rows.filter((r) => r.label !== 'node:http' && !r.skipped && verdict(r).includes('miss'));
  console.log(missed.length === 0 ? '\nEvery target met.' : `\nTargets missed: ${missed.map((r) => `${r.label} ${r.name}`).join('; ')}.`);
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  });
}
