// Pieces shared by the HTTP benchmarks (bench/http.js, bench/scale.js): servers in pinned child
// processes, autocannon runs, and the markdown table of results.
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..');
export const DIST = path.join(ROOT, 'dist');
const SERVER = path.join(HERE, 'server.js');

export function positiveInt(raw, fallback) {
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export const DURATION = positiveInt(process.env.BENCH_DURATION, 10);
export const CONNECTIONS = positiveInt(process.env.BENCH_CONNECTIONS, 32);
export const WARMUP_SECONDS = 2;
export const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const CORES = os.availableParallelism();
export const PIN = CORES >= 2 && hasTaskset();
export const SERVER_CORE = CORES - 1;
export const LOAD_CORE = 0;

/** Pins this process (the load generator) to LOAD_CORE, away from the server's core. */
export function pinLoadGenerator() {
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(process.pid)], { stdio: 'ignore' });
}

/** Starts a server (`hello` or `app`) in a child process, pinned to SERVER_CORE when possible, and waits for its port. */
export function startServer(kind, env, nodeArgs = []) {
  const args = [...nodeArgs, SERVER, kind];
  const [command, argv] = PIN ? ['taskset', ['-c', String(SERVER_CORE), process.execPath, ...args]] : [process.execPath, args];
  const proc = spawn(command, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${kind} server did not start within 120 s`));
    }, 120_000);
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

/** Sends a message to a server's process and waits for its answer. */
export function ask(proc, message) {
  return new Promise((resolve) => {
    proc.once('message', resolve);
    proc.send(message);
  });
}

export async function stopServer(server) {
  if (server.proc.exitCode !== null) return;
  const exited = new Promise((resolve) => server.proc.once('exit', resolve));
  if (server.proc.connected) server.proc.send('stop');
  const timer = setTimeout(() => server.proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** One request to check that an endpoint answers before it is loaded, and how big the answer is. */
export function probe(port, urlPath, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks);
        resolve({ status: response.statusCode, bytes: text.length, body: text.toString('utf8') });
      });
    });
    request.on('error', reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}

/**
 * One autocannon run. `options.next` (optional) gives each request's path, headers and body in
 * turn, so that a run rotates through many ids, terms or people.
 */
export async function load(autocannon, port, urlPath, duration, options = {}) {
  const base = { url: `http://127.0.0.1:${port}${urlPath}`, connections: CONNECTIONS, duration };
  if (!options.next) return autocannon(base);
  return autocannon({
    ...base,
    requests: [
      {
        method: options.method ?? 'GET',
        setupRequest: (request) => {
          const next = options.next();
          return { ...request, path: next.path, headers: { ...request.headers, ...next.headers }, ...(next.body === undefined ? {} : { body: next.body }) };
        },
      },
    ],
  });
}

/** A row of the results table from an autocannon result. */
export function rowOf(label, urlPath, bytes, result) {
  return {
    label,
    path: urlPath,
    bytes,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Checks the endpoint, warms it up for WARMUP_SECONDS, then measures it for DURATION seconds. */
export async function measure(autocannon, server, label, urlPath) {
  const check = await probe(server.port, urlPath);
  if (check.status !== 200) throw new Error(`${label} ${urlPath} answered ${check.status} before the run`);
  await load(autocannon, server.port, urlPath, WARMUP_SECONDS);
  const row = rowOf(label, urlPath, check.bytes, await load(autocannon, server.port, urlPath, DURATION));
  console.error(`  ${label.padEnd(10)} ${urlPath.padEnd(9)} ${Math.round(row.rps)} req/s`);
  return row;
}

export function fmt(n, digits = 0) {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** autocannon records latency in whole milliseconds. */
export function ms(value) {
  return value < 1 ? '<1' : fmt(value);
}

export function machineLine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `Machine: ${CORES} cores (${cpu}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB memory, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function pinningLine() {
  return PIN
    ? `Servers pinned to core ${SERVER_CORE}, load generator to core ${LOAD_CORE}.`
    : 'Not pinned (taskset missing or a single core): servers and the load generator share the cores.';
}

/** Prints a markdown table; `extra` adds columns (header → function of the row). */
export function printTable(rows, ceiling, extra = {}) {
  const header = ['server', 'endpoint', 'bytes', 'req/s', 'vs ceiling', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', ...Object.keys(extra)];
  const lines = rows.map((r) =>
    r.skipped
      ? [r.label, `\`${r.path}\``, '', '', '', '', '', '', '', ...Object.keys(extra).map((k, i) => (i === 0 ? r.skipped : ''))]
      : [
          r.label,
          `\`${r.path}\``,
          fmt(r.bytes),
          fmt(r.rps),
          r.label === 'node:http' ? '1.00' : r.rps / ceiling < 0.1 ? (r.rps / ceiling).toPrecision(2) : (r.rps / ceiling).toFixed(2),
          ms(r.p50),
          ms(r.p99),
          fmt(r.errors),
          fmt(r.non2xx),
          ...Object.values(extra).map((f) => f(r)),
        ],
  );
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i < 2 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}
