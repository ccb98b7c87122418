import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines, openTestDatabase, type TestDatabase } from '../support/db.js';

describe.each(engines())('database on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps an open transaction invisible to other queries until it commits', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const didInsert = new Promise<void>((resolve) => (inserted = resolve));
    const transaction = t.db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('audit_log').values({ actor_id: null, action: 'test.isolation', details: '{}' }).execute();
      inserted();
      await held;
    });
    await didInsert;
    // On PGlite this read waits for the transaction (one session); on PostgreSQL it runs at once.
    const outside = t.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'test.isolation').execute();
    const early = await Promise.race([outside.then((rows) => rows.length), new Promise((r) => setTimeout(() => r('waiting'), 100))]);
    expect(early === 0 || early === 'waiting').toBe(true);
    release();
    await transaction;
    await outside;
    const after = await t.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'test.isolation').execute();
    expect(after).toHaveLength(1);
  });

  it('leaves nothing behind when a transaction fails', async () => {
    await expect(
      t.db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('audit_log').values({ actor_id: null, action: 'test.rollback', details: '{}' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await t.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'test.rollback').execute();
    expect(rows).toHaveLength(0);
    // The session is usable afterwards.
    expect((await sql<{ one: number }>`select 1 as one`.execute(t.db.kysely)).rows[0]?.one).toBe(1);
  });

  it('returns bigint columns and counts as numbers, timestamps as dates, jsonb as objects', async () => {
    const row = await sql<{ n: number; at: Date; j: { a: number } }>`select 9007199254740991::int8 as n, now() as at, '{"a":1}'::jsonb as j`.execute(
      t.db.kysely,
    );
    expect(row.rows[0]).toMatchObject({ n: 9007199254740991, j: { a: 1 } });
    expect(row.rows[0]?.at).toBeInstanceOf(Date);
    const count = await t.db.kysely.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('c')).executeTakeFirstOrThrow();
    expect(typeof count.c).toBe('number');
  });

  it('runs many concurrent queries and transactions without mixing them up', async () => {
    const work = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? t.db.kysely.transaction().execute(async (trx) => {
            await trx.insertInto('audit_log').values({ actor_id: null, action: `test.concurrent.${i}`, details: '{}' }).execute();
            if (i % 4 === 0) throw new Error('rolled back');
          })
        : sql`select pg_sleep(0.001)`.execute(t.db.kysely),
    );
    await Promise.allSettled(work);
    const rows = await t.db.kysely.selectFrom('audit_log').select('action').where('action', 'like', 'test.concurrent.%').execute();
    expect(rows.map((r) => r.action).sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => i)
        .filter((i) => i % 2 === 0 && i % 4 !== 0)
        .map((i) => `test.concurrent.${i}`)
        .sort(),
    );
  });
});
