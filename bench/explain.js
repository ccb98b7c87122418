// The query plans behind the scale benchmark's endpoints: `EXPLAIN (ANALYZE, BUFFERS)` of every
// statement one request of each endpoint runs, on the generated PostgreSQL dataset.
//
//   npm run build && node bench/explain.js [--endpoint=feed] [--top=3] [--all]
//
// The app runs in this process on a pool whose connections load PostgreSQL's auto_explain module
// (`LOAD` works per session for a superuser, so nothing in the server's configuration changes) with
// log_min_duration 0, analyze and buffers on, and its level at NOTICE, so that each plan comes back
// to the connection that ran the statement instead of going to the server log. For each endpoint one
// warm-up request is made, then three timed ones (other ids, terms or people); the slowest is shown
// with its statements, slowest first, and the plans of the `--top` slowest (default 3).
// BENCH_SCALE picks the dataset (default 1); it is generated first when missing.
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { ensureDataset } from './generate.js';
import { DIST, positiveInt } from './lib.js';
import { endpoints } from './scale.js';

function option(name, fallback) {
  const arg = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!arg) return fallback;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : true;
}

const INT8_OID = 20;

async function explainingDb(url, notices) {
  const { default: pg } = await import('pg');
  const { Kysely, PostgresDialect } = await import('kysely');
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    application_name: 'alongside-bench-explain',
    // The same number parsing as the app's own pool (src/db/client.ts).
    types: { getTypeParser: (oid, format) => (oid === INT8_OID ? (value) => Number(value) : pg.types.getTypeParser(oid, format)) },
  });
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('notice', (notice) => notices.push(notice.message));
    // Queued before any query of the app on this connection.
    client.query(
      "load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_buffers = on; " +
        "set auto_explain.log_timing = on; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice; set client_min_messages = notice",
    );
  });
  const kysely = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return { kysely, engine: 'postgres', close: () => kysely.destroy() };
}

/** Splits auto_explain's notices into statements with their time, text and plan. */
function parsePlans(messages) {
  return messages
    .map((text) => {
      const match = /^duration: ([\d.]+) ms\s+plan:\n([\s\S]*)$/.exec(text);
      if (!match) return undefined;
      const body = match[2];
      const queryMatch = /Query Text: ([\s\S]*?)\n(?=\S|\s{2}\S)/.exec(body);
      return { ms: Number(match[1]), query: (queryMatch ? queryMatch[1] : '').trim(), plan: body };
    })
    .filter(Boolean);
}

async function main() {
  const scale = Number(process.env.BENCH_SCALE ?? 1) || 1;
  const only = option('endpoint', undefined);
  const top = positiveInt(option('top', '3'), 3);
  const manifest = await ensureDataset({ scale, log: console.error });
  const notices = [];
  const db = await explainingDb(manifest.target.url, notices);
  const { loadConfig } = await import(path.join(DIST, 'config.js'));
  const { buildApp } = await import(path.join(DIST, 'app.js'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: manifest.target.url,
    LOG_LEVEL: 'silent',
    WORKER: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
    SECRET_KEY: process.env.SECRET_KEY || randomBytes(48).toString('base64url'),
  });
  const app = await buildApp({ config, db });
  await app.ready();
  await db.kysely.executeQuery({ sql: "update sessions set last_seen_at = now() where device_hint = 'scale benchmark'", parameters: [], query: { kind: 'RawNode' } }).catch(() => {});
  const since = new Date();
  const windows = manifest.windows;
  let pair = 0;
  const commitNext = () => {
    const w = windows[(pair * 17) % windows.length];
    const u = manifest.users[(pair * 31 + 5) % manifest.users.length];
    pair += 1;
    return {
      path: `/api/v1/asks/${w.askId}/commitments`,
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ windowId: w.windowId }),
    };
  };
  try {
    const { cookieName } = await import(path.join(DIST, 'platform', 'web.js'));
    for (const endpoint of endpoints(manifest, cookieName(config, 'session'))) {
      if (only && !endpoint.name.replace(/[^a-z]/gi, '').toLowerCase().includes(only.replace(/[^a-z]/gi, '').toLowerCase())) continue;
      const next = endpoint.key === 'commit' ? commitNext : endpoint.next;
      const inject = async () => {
        const r = next();
        notices.length = 0;
        const started = process.hrtime.bigint();
        const response = await app.inject({ method: endpoint.method ?? 'GET', url: r.path, headers: r.headers, payload: r.body });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Plans arrive as notices on the connections; give the last ones a moment.
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { path: r.path, status: response.statusCode, ms, plans: parsePlans([...notices]) };
      };
      const warm = await inject();
      if (warm.status === 404 && endpoint.key !== 'ask') {
        console.log(`## ${endpoint.name}: route missing\n`);
        continue;
      }
      const runs = [await inject(), await inject(), await inject()];
      const slowest = runs.reduce((a, b) => (b.ms > a.ms ? b : a));
      console.log(`## ${endpoint.name} — \`${endpoint.path}\``);
      console.log('');
      console.log(`Three requests: ${runs.map((r) => `${r.ms.toFixed(1)} ms (${r.status}, ${r.plans.length} statements)`).join('; ')}.`);
      console.log(`Slowest: \`${slowest.path}\`, ${slowest.plans.reduce((s, p) => s + p.ms, 0).toFixed(1)} ms in ${slowest.plans.length} statements:`);
      console.log('');
      const sorted = [...slowest.plans].sort((a, b) => b.ms - a.ms);
      for (const plan of sorted) console.log(`- ${plan.ms.toFixed(2)} ms: ${plan.query.replace(/\s+/g, ' ').slice(0, 160)}`);
      console.log('');
      for (const plan of sorted.slice(0, option('all', false) ? sorted.length : top)) {
        console.log('```');
        console.log(`-- ${plan.ms.toFixed(2)} ms`);
        console.log(plan.plan.trimEnd());
        console.log('```');
        console.log('');
      }
    }
  } finally {
    await app.close();
    // What the commits wrote goes again, as after bench/scale.js.
    const { sql } = await import('kysely');
    const userIds = manifest.users.map((u) => u.id);
    await sql`delete from commitments where user_id = any(${userIds}::uuid[]) and created_at >= ${since}`.execute(db.kysely);
    await sql`delete from idempotency_keys where user_id = any(${userIds}::uuid[]) and created_at >= ${since}`.execute(db.kysely);
    await sql`delete from jobs where created_at >= ${since}`.execute(db.kysely);
    await sql`delete from audit_log where at >= ${since}`.execute(db.kysely);
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
