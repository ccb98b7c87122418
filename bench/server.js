// A server for the HTTP benchmarks, run in its own (pinned) child process by bench/lib.js:
//
//   node bench/server.js hello   bare node:http hello world, the ceiling
//   node bench/server.js app     the app from dist/, configured from the environment
//
// It reports its port over IPC, answers 'rss' with its resident memory and stops on 'stop'.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { DIST } from './lib.js';

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
  const { cookieName } = await import(path.join(DIST, 'platform', 'web.js'));
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
    // What a signed-in request must call its session cookie (`__Host-` only with secure cookies).
    sessionCookie: cookieName(config, 'session'),
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

const kind = process.argv[2];
try {
  const server = kind === 'hello' ? await serveHello() : await serveApp();
  process.on('message', async (message) => {
    if (message === 'rss') {
      process.send({ rss: process.memoryUsage().rss });
    } else if (message === 'stop') {
      await server.close();
      process.disconnect();
      // Let --cpu-prof write its profile on a normal exit.
      process.exitCode = 0;
    }
  });
  process.send({ ready: true, port: server.port, engine: server.engine, rateLimitOff: server.rateLimitOff, sessionCookie: server.sessionCookie });
} catch (err) {
  console.error(err);
  process.exit(1);
}
