import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsMaintenance, hashPassword } from '../../src/modules/accounts/index.js';
import { JobWorker } from '../../src/platform/jobs/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { pruneRateLimits } from '../../src/platform/rate-limit.js';
import { createTestAdmin, createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

describe('password hashing', () => {
  it('uses argon2id with at least 19 MiB, 2 passes and 1 lane, salted per password', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/);
    const [, m, t, p] = /m=(\d+),t=(\d+),p=(\d+)/.exec(a)!;
    expect(Number(m)).toBeGreaterThanOrEqual(19_456);
    expect(Number(t)).toBeGreaterThanOrEqual(2);
    expect(Number(p)).toBeGreaterThanOrEqual(1);
    expect(a).not.toBe(b);
  });
});

describe.each(engines())('session lifetime on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function signedIn(): Promise<{ client: TestClient; userId: string }> {
    const admin = await createTestAdmin(t);
    const client = new TestClient(t.app);
    expect((await client.logIn(admin.email, admin.password)).statusCode).toBe(303);
    expect((await client.get('/account')).statusCode).toBe(200);
    return { client, userId: admin.id };
  }

  it('ends a session after 24 hours without a request', async () => {
    const { client, userId } = await signedIn();
    await t.db.kysely.updateTable('sessions').set({ last_seen_at: sql<Date>`now() - interval '23 hours'` }).where('user_id', '=', userId).execute();
    expect((await client.get('/account')).statusCode).toBe(200);
    await t.db.kysely.updateTable('sessions').set({ last_seen_at: sql<Date>`now() - interval '25 hours'` }).where('user_id', '=', userId).execute();
    const res = await client.get('/account');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
    expect(await t.db.kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute()).toHaveLength(0);
  });

  it('ends a session 30 days after sign-in however active it is', async () => {
    const { client, userId } = await signedIn();
    const row = await t.db.kysely.selectFrom('sessions').select(['created_at', 'expires_at']).where('user_id', '=', userId).executeTakeFirstOrThrow();
    const days = (row.expires_at.getTime() - row.created_at.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30.01);
    await t.db.kysely.updateTable('sessions').set({ expires_at: sql<Date>`now() - interval '1 second'`, last_seen_at: sql<Date>`now()` }).where('user_id', '=', userId).execute();
    expect((await client.get('/account')).statusCode).toBe(303);
  });

  it('issues a new token at every sign-in, never reusing one offered by the browser', async () => {
    const admin = await createTestAdmin(t);
    const client = new TestClient(t.app);
    client.cookies.set('__Host-session', 'attacker-chosen-value-aaaaaaaaaaaaaaaaaaaaaaaaaa');
    await client.logIn(admin.email, admin.password);
    const first = client.cookies.get('__Host-session');
    expect(first).not.toBe('attacker-chosen-value-aaaaaaaaaaaaaaaaaaaaaaaaaa');
    await client.logIn(admin.email, admin.password);
    expect(client.cookies.get('__Host-session')).not.toBe(first);
  });

  it('the worker removes expired sessions, sign-in challenges, e-mail links and old rate-limit windows', async () => {
    const { userId } = await signedIn();
    const kysely = t.db.kysely;
    await kysely.insertInto('sessions').values({ token_hash: 'expired-session', user_id: userId, expires_at: sql<Date>`now() - interval '1 minute'` }).execute();
    await kysely.insertInto('login_challenges').values({ token_hash: 'expired-challenge', user_id: userId, expires_at: sql<Date>`now() - interval '1 minute'` }).execute();
    await kysely
      .insertInto('email_tokens')
      .values({ token_hash: 'expired-link', user_id: userId, purpose: 'verify_email', expires_at: sql<Date>`now() - interval '2 days'` })
      .execute();
    await kysely.insertInto('rate_limits').values({ bucket: 'test:old', key_hash: 'k', window_start: sql<Date>`now() - interval '2 days'`, hits: 1 }).execute();

    const worker = new JobWorker({ db: t.db, handlers: {}, log: createLogger('silent'), maintenance: [accountsMaintenance, (db) => pruneRateLimits(db)] });
    worker.start();
    try {
      for (let i = 0; i < 100; i++) {
        const left = await kysely.selectFrom('rate_limits').select('key_hash').where('bucket', '=', 'test:old').execute();
        if (left.length === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await worker.stop();
    }
    expect(await kysely.selectFrom('sessions').select('token_hash').where('token_hash', '=', 'expired-session').execute()).toHaveLength(0);
    expect(await kysely.selectFrom('login_challenges').select('token_hash').where('token_hash', '=', 'expired-challenge').execute()).toHaveLength(0);
    expect(await kysely.selectFrom('email_tokens').select('token_hash').where('token_hash', '=', 'expired-link').execute()).toHaveLength(0);
    expect(await kysely.selectFrom('rate_limits').select('key_hash').where('bucket', '=', 'test:old').execute()).toHaveLength(0);
    // The live session of the signed-in person is untouched.
    expect((await kysely.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute()).length).toBeGreaterThanOrEqual(1);
  });
});
