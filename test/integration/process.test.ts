import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { queueMail } from '../../src/platform/mail/mail.js';
import { engines, openTestDatabase } from '../support/db.js';
import { freePort, runCli, ensureBuilt, waitForOk } from '../support/process.js';

const ADMIN = { email: 'ada@example.test', name: 'Ada', password: 'a strong admin password' };

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'alongside-process-'));
}

/** Reads a form's CSRF token and cookie from a page, as a browser would. */
async function formSession(base: string, pathname: string): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${base}${pathname}`);
  const html = await res.text();
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return { cookie, token };
}

async function logIn(base: string): Promise<number> {
  const { cookie, token } = await formSession(base, '/login');
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email: ADMIN.email, password: ADMIN.password }),
  });
  return res.status;
}

describe('the alongside command', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('prints help for itself and for every command', async () => {
    const top = runCli(['--help'], {});
    expect(await top.exit).toBe(0);
    expect(top.output()).toMatch(/serve[\s\S]*worker[\s\S]*migrate[\s\S]*seed-demo[\s\S]*create-admin/);
    for (const command of ['serve', 'worker', 'migrate', 'seed-demo', 'create-admin']) {
      const cli = runCli([command, '--help'], {});
      expect(await cli.exit, command).toBe(0);
      expect(cli.output(), command).toMatch(new RegExp(`Usage: alongside ${command}`));
    }
    const unknown = runCli(['frobnicate'], {});
    expect(await unknown.exit).toBe(1);
  });

  it('stops with one clear line and exit code 1 on a bad variable', async () => {
    const dataDir = await tempDir();
    const cli = runCli(['serve'], { PORT: 'eighty', DATA_DIR: dataDir });
    expect(await cli.exit).toBe(1);
    expect(cli.output().trim()).toBe('Invalid configuration: PORT must be a whole number from 0 to 65535 (got "eighty")');
  });

  it('create-admin reads the password from standard input and refuses bad input', async () => {
    const dataDir = await tempDir();
    const short = runCli(['create-admin', '--email', ADMIN.email, '--name', ADMIN.name], { DATA_DIR: dataDir }, 'short\n');
    expect(await short.exit).toBe(1);
    expect(short.output()).toMatch(/8 to 128 characters/);
    const noEmail = runCli(['create-admin', '--name', ADMIN.name], { DATA_DIR: dataDir }, `${ADMIN.password}\n`);
    expect(await noEmail.exit).toBe(1);
    const ok = runCli(['create-admin', '--email', ADMIN.email, '--name', ADMIN.name], { DATA_DIR: dataDir }, `${ADMIN.password}\n`);
    expect(await ok.exit).toBe(0);
    expect(ok.output()).not.toContain(ADMIN.password);
    const migrateAgain = runCli(['migrate'], { DATA_DIR: dataDir });
    expect(await migrateAgain.exit).toBe(0);
    expect(migrateAgain.output()).toContain('The database is up to date');
  });

  it('serves on the embedded database, finishes in-flight requests on SIGTERM and keeps the data intact', async () => {
    const dataDir = await tempDir();
    const create = runCli(['create-admin', '--email', ADMIN.email, '--name', ADMIN.name], { DATA_DIR: dataDir }, `${ADMIN.password}\n`);
    expect(await create.exit).toBe(0);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    const server = runCli(['serve'], env);
    await waitForOk(`${base}/readyz`);
    expect(await logIn(base)).toBe(303);

    // A second process cannot open the same embedded database.
    const intruder = runCli(['migrate'], { DATA_DIR: dataDir });
    expect(await intruder.exit).toBe(1);
    expect(intruder.output()).toMatch(/in use by process/);

    // A request in flight: headers and half the body sent when the signal arrives.
    const { cookie, token } = await formSession(base, '/');
    const body = `_csrf=${encodeURIComponent(token)}&locale=es&next=%2F`;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let response = '';
    socket.on('data', (d) => (response += String(d)));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write(
      `POST /language HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((r) => setTimeout(r, 200));
    // Writes keep going while the signal arrives.
    const writes = Array.from({ length: 10 }, () => logIn(base).catch(() => 0));
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    socket.write(body.slice(10));
    await closed;
    await Promise.all(writes);
    expect(response).toMatch(/^HTTP\/1.1 303/);
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain('stopped cleanly');

    // The database opens cleanly, with everything committed before the stop.
    const db = await openDatabase({ dataDir });
    try {
      const users = await db.kysely.selectFrom('users').select('email').execute();
      expect(users.map((u) => u.email)).toEqual([ADMIN.email]);
      const logins = await db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'auth.login').execute();
      expect(logins.length).toBeGreaterThanOrEqual(1);
    } finally {
      await db.close();
    }

    // And the app starts again on it (after Ctrl-C this time).
    const again = runCli(['serve'], env);
    await waitForOk(`${base}/readyz`);
    expect(await logIn(base)).toBe(303);
    again.child.kill('SIGINT');
    expect(await again.exit).toBe(0);
  }, 90_000);

  it.runIf(engines().includes('postgres'))('runs app and worker processes side by side on one PostgreSQL', async () => {
    const database = await openTestDatabase('postgres');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const common = { DATABASE_URL: database.url!, SECRET_KEY: 'process-test-secret-0123456789abcdef', LOG_LEVEL: 'info', JOBS_POLL_INTERVAL_MS: '100' };
    const app = runCli(['serve'], { ...common, PORT: String(port), HOST: '127.0.0.1', WORKER: 'false' });
    const workers = [runCli(['worker'], common), runCli(['worker'], common)];
    try {
      await waitForOk(`${base}/readyz`);
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ok', database: 'postgres' });
      await database.db.kysely.transaction().execute(async (trx) => {
        for (let i = 0; i < 20; i++) await queueMail(trx, { to: `person${i}@example.test`, subject: `Hello ${i}`, text: 'Hi' });
      });
      // Every mail lands once in the outbox and its job ends done (the worker also runs housekeeping
      // jobs of its own, so only mail jobs are counted).
      const deadline = Date.now() + 20_000;
      let delivered = 0;
      let done = 0;
      while (Date.now() < deadline) {
        delivered = (await database.db.kysely.selectFrom('mail_outbox').select('id').execute()).length;
        done = (await database.db.kysely.selectFrom('jobs').select('id').where('kind', '=', 'mail.send').where('state', '=', 'done').execute()).length;
        if (delivered >= 20 && done >= 20) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(delivered).toBe(20);
      expect(done).toBe(20);
    } finally {
      for (const p of [app, ...workers]) p.child.kill('SIGTERM');
      const codes = await Promise.all([app, ...workers].map((p) => p.exit));
      await database.close();
      expect(codes).toEqual([0, 0, 0]);
    }
  }, 60_000);

  it('refuses `alongside worker` without PostgreSQL', async () => {
    const dataDir = await tempDir();
    const cli = runCli(['worker'], { DATA_DIR: dataDir });
    expect(await cli.exit).toBe(1);
    expect(cli.output()).toMatch(/needs DATABASE_URL/);
  });
});
