import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hit, pruneRateLimits } from '../../src/platform/rate-limit.js';
import { createTestApp, TestClient, type TestApp } from '../support/app.js';
import { engines } from '../support/db.js';

describe.each(engines())('rate limits on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    // Behind a proxy, each attempt can come from an address of the test's choosing.
    t = await createTestApp(engine, { env: { TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts hits in a fixed window and reports when it resets', async () => {
    const limit = { bucket: 'test:window', limit: 3, windowSeconds: 60 };
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await hit(t.db.kysely, limit, 'k1'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false, false]);
    expect(results[4]!.retryAfter).toBeGreaterThan(0);
    expect(results[4]!.retryAfter).toBeLessThanOrEqual(60);
    // Another key has its own count.
    expect((await hit(t.db.kysely, limit, 'k2')).allowed).toBe(true);
    // Once the window has passed, counting starts again.
    await t.db.kysely.updateTable('rate_limits').set({ window_start: sql<Date>`now() - interval '61 seconds'` }).where('bucket', '=', 'test:window').execute();
    expect((await hit(t.db.kysely, limit, 'k1')).allowed).toBe(true);
    await t.db.kysely.updateTable('rate_limits').set({ window_start: sql<Date>`now() - interval '2 days'` }).where('bucket', '=', 'test:window').execute();
    expect(await pruneRateLimits(t.db.kysely)).toBeGreaterThanOrEqual(2);
  });

  it('counts exactly under concurrent hits', async () => {
    const limit = { bucket: 'test:concurrent', limit: 10, windowSeconds: 60 };
    const results = await Promise.all(Array.from({ length: 30 }, () => hit(t.db.kysely, limit, 'same')));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
  });

  it('limits sign-in to 25 attempts per 5 minutes per address, with Retry-After, and stores no address', async () => {
    const client = new TestClient(t.app);
    client.headers['x-forwarded-for'] = '198.51.100.23';
    let last;
    for (let i = 0; i < 26; i++) {
      last = await client.logIn(`person${i}@example.test`, 'wrong password');
      if (i < 25) expect(last.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    expect(last!.statusCode).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body).toContain('Too many attempts');
    const rows = await t.db.kysely.selectFrom('rate_limits').select(['bucket', 'key_hash']).execute();
    expect(JSON.stringify(rows)).not.toMatch(/example\.test|127\.0\.0\.1|198\.51/);
  });

  it('limits sign-in to 25 attempts per hour per account, from any address', async () => {
    let last;
    for (let i = 0; i < 26; i++) {
      const client = new TestClient(t.app);
      client.headers['x-forwarded-for'] = `203.0.113.${i + 1}`;
      last = await client.logIn('target@example.test', `guess ${i}`);
      if (i < 25) expect(last.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    expect(last!.statusCode).toBe(429);
    // Another account from a fresh address is not affected.
    const other = new TestClient(t.app);
    other.headers['x-forwarded-for'] = '203.0.113.200';
    expect((await other.logIn('someone-else@example.test', 'guess')).statusCode).toBe(401);
  });
});
