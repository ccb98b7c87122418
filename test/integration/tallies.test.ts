import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, upsertUser } from '../../src/modules/accounts/index.js';
import { openTestDatabase, engines, type TestDatabase } from '../support/db.js';

const STATES = ['pledged', 'waitlisted', 'withdrawn', 'withdrawn_late', 'done', 'partly_done', 'missed'] as const;
type State = (typeof STATES)[number];

/**
 * The tallies of promised places (migration 0009) are kept by a trigger on commitments: whatever
 * happens to commitments, in any order, they equal a recount.
 */
describe.each(engines())('place tallies on %s', (engine) => {
  let t: TestDatabase;
  let users: string[] = [];
  const asks: Record<'shift' | 'attend' | 'supplies' | 'money', string> = { shift: '', attend: '', supplies: '', money: '' };
  let windows: string[] = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine);
    const db = t.db.kysely;
    const hash = await hashPassword('a long enough password');
    users = [];
    for (let i = 0; i < 6; i++) {
      const email = `tally-${i}-${engine}@example.test`;
      users.push(await upsertUser(db, { email, emailNormalized: email, displayName: `Tally ${i}`, passwordHash: hash, role: 'user', verified: true }));
    }
    const community = await db
      .insertInto('communities')
      .values({ slug: `tallies-${engine}`, name: 'Tallies', mission: 'Counting.', status: 'verified', online: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    const start = new Date(Date.now() + 7 * 86_400_000);
    const insert = async (kind: 'shift' | 'attend' | 'supplies' | 'money', values: Record<string, unknown>) =>
      (
        await db
          .insertInto('asks')
          .values({ community_id: community.id, kind, title: `Tally ${kind}`, status: 'open', online: true, published_at: sql<Date>`now()`, ...values } as never)
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    asks.shift = await insert('shift', {});
    asks.attend = await insert('attend', { starts_at: start, capacity: 50 });
    asks.supplies = await insert('supplies', {});
    asks.money = await insert('money', { money_goal_minor: 100000, currency: 'EUR' });
    windows = [];
    for (const offset of [0, 1]) {
      const w = await db
        .insertInto('ask_windows')
        .values({ ask_id: asks.shift, starts_at: new Date(start.getTime() + offset * 86_400_000), ends_at: new Date(start.getTime() + offset * 86_400_000 + 3_600_000), slots: 20 })
        .returning('id')
        .executeTakeFirstOrThrow();
      windows.push(w.id);
    }
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  async function recount() {
    const db = t.db.kysely;
    const windowRows = await db.selectFrom('ask_windows').select(['id', 'pledged']).where('ask_id', '=', asks.shift).orderBy('id').execute();
    const windowCounts = await sql<{ id: string; n: number }>`
      select w.id, (select count(*) from commitments m where m.window_id = w.id and m.state = 'pledged')::int as n
      from ask_windows w where w.ask_id = ${asks.shift} order by w.id`.execute(db);
    expect(windowRows.map((w) => [w.id, Number(w.pledged)])).toEqual(windowCounts.rows.map((w) => [w.id, Number(w.n)]));
    const tallies = await sql<{ id: string; pledged: string; quantity: string; amount: string; p: string; q: string; a: string }>`
      select a.id, a.pledged::text as pledged, a.promised_quantity::text as quantity, a.promised_amount_minor::text as amount,
        (select count(*) from commitments m where m.ask_id = a.id and m.window_id is null and m.state = 'pledged')::text as p,
        (select coalesce(sum(m.quantity), 0) from commitments m where m.ask_id = a.id and m.window_id is null and m.state in ('pledged', 'done', 'partly_done'))::text as q,
        (select coalesce(sum(m.amount_minor), 0) from commitments m where m.ask_id = a.id and m.window_id is null and m.state in ('pledged', 'done', 'partly_done'))::text as a
      from asks a where a.id in (${asks.attend}, ${asks.supplies}, ${asks.money})`.execute(db);
    for (const row of tallies.rows) expect([row.pledged, row.quantity, row.amount]).toEqual([row.p, row.q, row.a]);
  }

  type Op =
    | { kind: 'insert'; ask: keyof typeof asks; user: number; window: number; state: State; amount: number }
    | { kind: 'move'; pick: number; state: State }
    | { kind: 'reamount'; pick: number; amount: number }
    | { kind: 'delete'; pick: number };

  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant('insert' as const),
      ask: fc.constantFrom('shift' as const, 'attend' as const, 'supplies' as const, 'money' as const),
      user: fc.integer({ min: 0, max: 5 }),
      window: fc.integer({ min: 0, max: 1 }),
      state: fc.constantFrom(...STATES),
      amount: fc.integer({ min: 1, max: 5000 }),
    }),
    fc.record({ kind: fc.constant('move' as const), pick: fc.nat(), state: fc.constantFrom(...STATES) }),
    fc.record({ kind: fc.constant('reamount' as const), pick: fc.nat(), amount: fc.integer({ min: 1, max: 5000 }) }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  );

  it('equal a recount after any sequence of commits, state changes, amount changes and deletions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
        const db = t.db.kysely;
        await db.deleteFrom('commitments').where('ask_id', 'in', Object.values(asks)).execute();
        for (const o of ops) {
          const existing = await db.selectFrom('commitments').select(['id', 'state']).where('ask_id', 'in', Object.values(asks)).orderBy('id').execute();
          const live = (s: State) => s === 'pledged' || s === 'waitlisted';
          if (o.kind === 'insert') {
            const window = o.ask === 'shift' ? windows[o.window]! : null;
            const confirmed = ['done', 'partly_done', 'missed'].includes(o.state);
            const withdrawn = o.state === 'withdrawn' || o.state === 'withdrawn_late';
            // One live commitment per person per window or ask: skip a second one.
            const clash = await db
              .selectFrom('commitments')
              .select('id')
              .where('user_id', '=', users[o.user]!)
              .where('ask_id', '=', asks[o.ask])
              .where((eb) => (window ? eb('window_id', '=', window) : eb('window_id', 'is', null)))
              .where('state', 'in', ['pledged', 'waitlisted'])
              .execute();
            if (live(o.state) && clash.length > 0) continue;
            await db
              .insertInto('commitments')
              .values({
                ask_id: asks[o.ask],
                window_id: window,
                user_id: users[o.user]!,
                state: o.state,
                quantity: o.ask === 'supplies' ? o.amount : null,
                amount_minor: o.ask === 'money' ? o.amount : null,
                currency: o.ask === 'money' ? 'EUR' : null,
                confirmed_at: confirmed ? new Date() : null,
                withdrawn_at: withdrawn ? new Date() : null,
              } as never)
              .execute();
          } else if (existing.length > 0) {
            const target = existing[o.pick % existing.length]!;
            if (o.kind === 'delete') await db.deleteFrom('commitments').where('id', '=', target.id).execute();
            else if (o.kind === 'reamount') {
              await db.updateTable('commitments').set({ quantity: sql`case when quantity is null then null else ${o.amount}::int end`, amount_minor: sql`case when amount_minor is null then null else ${o.amount}::bigint end` } as never).where('id', '=', target.id).execute();
            } else if (!live(o.state) || live(target.state as State)) {
              const confirmed = ['done', 'partly_done', 'missed'].includes(o.state);
              const withdrawn = o.state === 'withdrawn' || o.state === 'withdrawn_late';
              await db
                .updateTable('commitments')
                .set({ state: o.state, confirmed_at: confirmed ? new Date() : null, withdrawn_at: withdrawn ? new Date() : null } as never)
                .where('id', '=', target.id)
                .execute();
            }
          }
        }
        await recount();
      }),
      { numRuns: engine === 'pglite' ? 15 : 25 },
    );
  }, 120_000);

  it('follow an account deleted with its commitments', async () => {
    const db = t.db.kysely;
    await db.deleteFrom('commitments').where('ask_id', 'in', Object.values(asks)).execute();
    await db.insertInto('commitments').values({ ask_id: asks.shift, window_id: windows[0]!, user_id: users[5]!, state: 'pledged' }).execute();
    await db.insertInto('commitments').values({ ask_id: asks.money, user_id: users[5]!, state: 'pledged', amount_minor: 2500, currency: 'EUR' }).execute();
    await recount();
    await db.deleteFrom('users').where('id', '=', users[5]!).execute();
    await recount();
    const w = await db.selectFrom('ask_windows').select('pledged').where('id', '=', windows[0]!).executeTakeFirstOrThrow();
    expect(Number(w.pledged)).toBe(0);
  });
});
