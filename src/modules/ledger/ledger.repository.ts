import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';

// The ledger is a read model over asks and commitments: it reads their tables and writes only calendar_feeds.

import type { AskKind } from '../asks/index.js';

export type { AskKind };

/** A commitment the community confirmed (done or partly done), or an advocacy action an ally reported. */
export interface ConfirmedRow {
  id: string;
  /** The ally, or the stand-in of a former ally (an account deleted, its confirmed work kept). */
  userId: string;
  /** Null for a former ally. */
  allyName: string | null;
  askId: string;
  askTitle: string;
  askKind: AskKind;
  state: 'done' | 'partly_done';
  doneMinutes: number | null;
  doneAmountMinor: number | null;
  currency: string | null;
  doneQuantity: number | null;
  itemLabel: string | null;
  itemUnit: string | null;
  selfReported: boolean;
  /** When it happened: the window's or event's start, else when it was confirmed. */
  happenedAt: Date;
}

/** Every confirmed (or self-reported) commitment of the community's asks, oldest first. */
export async function listConfirmed(db: Executor, communityId: string): Promise<ConfirmedRow[]> {
  const rows = await db
    .selectFrom('commitments as c')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    .leftJoin('users as u', 'u.id', 'c.user_id')
    .leftJoin('ask_windows as w', 'w.id', 'c.window_id')
    .leftJoin('ask_items as i', 'i.id', 'c.item_id')
    .where('a.community_id', '=', communityId)
    .where('c.state', 'in', ['done', 'partly_done'])
    .select([
      'c.id',
      sql<string>`coalesce(c.user_id, c.former_ally)`.as('userId'),
      'u.display_name as allyName',
      'a.id as askId',
      'a.title as askTitle',
      'a.kind as askKind',
      'c.state',
      'c.done_minutes as doneMinutes',
      'c.done_amount_minor as doneAmountMinor',
      sql<string | null>`coalesce(c.currency, a.currency)`.as('currency'),
      'c.done_quantity as doneQuantity',
      'i.label as itemLabel',
      'i.unit as itemUnit',
      'c.self_reported as selfReported',
      sql<Date>`coalesce(w.starts_at, a.starts_at, c.confirmed_at)`.as('happenedAt'),
    ])
    .orderBy(sql`coalesce(w.starts_at, a.starts_at, c.confirmed_at)`)
    .orderBy('c.id')
    .execute();
  // bigint columns and coalesced times arrive as text on some drivers.
  return rows.map((r) => ({
    ...(r as ConfirmedRow),
    doneAmountMinor: r.doneAmountMinor === null ? null : Number(r.doneAmountMinor),
    happenedAt: new Date(r.happenedAt),
  }));
}

/** What the totals need of a confirmed commitment: no names, titles or dates. */
export type FigureRow = Pick<
  ConfirmedRow,
  'userId' | 'askId' | 'askKind' | 'state' | 'doneMinutes' | 'doneAmountMinor' | 'currency' | 'doneQuantity' | 'itemLabel' | 'itemUnit' | 'selfReported'
>;

/**
 * The community's confirmed commitments added up in the database, by ask (an ask's own figures) and
 * for the people across asks: the ledger page and API show only sums, and a big community has
 * thousands of commitments. The same rules as `summarize` in the service: only done and partly done
 * count; self-reported actions count apart (advocacy) and add to nothing else.
 */
export type FigurePart =
  | { part: 'ask'; askId: string; confirmed: number; minutes: number; advocacyConfirmed: number; advocacySelfReported: number; allies: number }
  | { part: 'money'; askId: string; currency: string; amountMinor: number }
  | { part: 'supply'; askId: string; item: string; unit: string | null; quantity: number }
  | { part: 'people'; allies: number; returningAllies: number };

export async function sumConfirmed(db: Executor, communityId: string): Promise<FigurePart[]> {
  const result = await sql<{ part: string; askId: string | null; label: string | null; unit: string | null; n1: unknown; n2: unknown; n3: unknown; n4: unknown; n5: unknown }>`
    with m as materialized (
      select c.ask_id, coalesce(c.user_id, c.former_ally) as user_id, a.kind, c.self_reported, c.done_minutes, c.done_amount_minor,
        coalesce(c.currency, a.currency) as currency, c.done_quantity, i.label, i.unit
      from commitments c join asks a on a.id = c.ask_id left join ask_items i on i.id = c.item_id
      where a.community_id = ${communityId}::uuid and c.state in ('done', 'partly_done')
    )
    select 'ask' as part, ask_id as "askId", null::text as label, null::text as unit,
      count(*) filter (where not self_reported)::bigint as n1,
      coalesce(sum(done_minutes) filter (where not self_reported), 0)::bigint as n2,
      count(*) filter (where not self_reported and kind = 'advocacy')::bigint as n3,
      count(*) filter (where self_reported and kind = 'advocacy')::bigint as n4,
      count(distinct user_id) filter (where not self_reported)::bigint as n5
    from m group by ask_id
    union all
    select 'money', ask_id, currency, null, sum(done_amount_minor)::bigint, null, null, null, null
    from m where not self_reported and done_amount_minor <> 0 and currency is not null and currency <> '' group by ask_id, currency
    union all
    select 'supply', ask_id, label, unit, sum(done_quantity)::bigint, null, null, null, null
    from m where not self_reported and done_quantity <> 0 and label is not null group by ask_id, label, unit
    union all
    select 'people', null, null, null, count(*)::bigint, (count(*) filter (where asks >= 2))::bigint, null, null, null
    from (select user_id, count(distinct ask_id) as asks from m where not self_reported group by user_id) p`.execute(db);
  return result.rows.map((r): FigurePart => {
    const n = (v: unknown) => Number(v ?? 0);
    switch (r.part) {
      case 'ask':
        return { part: 'ask', askId: r.askId!, confirmed: n(r.n1), minutes: n(r.n2), advocacyConfirmed: n(r.n3), advocacySelfReported: n(r.n4), allies: n(r.n5) };
      case 'money':
        return { part: 'money', askId: r.askId!, currency: r.label!, amountMinor: n(r.n1) };
      case 'supply':
        return { part: 'supply', askId: r.askId!, item: r.label!, unit: r.unit, quantity: n(r.n1) };
      default:
        return { part: 'people', allies: n(r.n1), returningAllies: n(r.n2) };
    }
  });
}

/** A closed ask with the outcome the community wrote. */
export interface ClosedAsk {
  id: string;
  title: string;
  kind: AskKind;
  outcomeNote: string | null;
  closedAt: Date;
}

/** The community's closed asks, the most recently closed first. */
export function listClosedAsks(db: Executor, communityId: string, limit = 200): Promise<ClosedAsk[]> {
  return db
    .selectFrom('asks')
    .where('community_id', '=', communityId)
    .where('status', '=', 'closed')
    .select(['id', 'title', 'kind', 'outcome_note as outcomeNote', 'closed_at as closedAt'])
    .orderBy('closed_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .$narrowType<{ closedAt: Date }>()
    .execute();
}

/** One commitment of an ask, for its attendance sheet. */
export interface AttendanceRow {
  /** Null for a former ally. */
  allyName: string | null;
  windowStartsAt: Date | null;
  windowEndsAt: Date | null;
  state: string;
  plannedMinutes: number | null;
  quantity: number | null;
  amountMinor: number | null;
  currency: string | null;
  itemLabel: string | null;
  doneMinutes: number | null;
  doneAmountMinor: number | null;
  doneQuantity: number | null;
  selfReported: boolean;
  outcomeLine: string | null;
}

/** Every commitment of an ask, window by window, in the order they were made. */
export async function listAttendance(db: Executor, askId: string): Promise<AttendanceRow[]> {
  const rows = await db
    .selectFrom('commitments as c')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    .leftJoin('users as u', 'u.id', 'c.user_id')
    .leftJoin('ask_windows as w', 'w.id', 'c.window_id')
    .leftJoin('ask_items as i', 'i.id', 'c.item_id')
    .where('c.ask_id', '=', askId)
    .select([
      'u.display_name as allyName',
      'w.starts_at as windowStartsAt',
      'w.ends_at as windowEndsAt',
      'c.state',
      'c.planned_minutes as plannedMinutes',
      'c.quantity',
      'c.amount_minor as amountMinor',
      sql<string | null>`coalesce(c.currency, a.currency)`.as('currency'),
      'i.label as itemLabel',
      'c.done_minutes as doneMinutes',
      'c.done_amount_minor as doneAmountMinor',
      'c.done_quantity as doneQuantity',
      'c.self_reported as selfReported',
      'c.outcome_line as outcomeLine',
    ])
    .orderBy('w.starts_at')
    .orderBy('c.queue_seq')
    .execute();
  return rows.map((r) => ({
    ...r,
    amountMinor: r.amountMinor === null ? null : Number(r.amountMinor),
    doneAmountMinor: r.doneAmountMinor === null ? null : Number(r.doneAmountMinor),
  }));
}

/** A dated occasion of an ask: one shift window, or an event's time. */
export interface Occasion {
  askId: string;
  askTitle: string;
  askKind: AskKind;
  askUpdatedAt: Date;
  online: boolean;
  areaLabel: string | null;
  windowId: string | null;
  startsAt: Date;
  endsAt: Date | null;
  communityName: string;
}

/** How far back a feed reaches: past occasions stay a while, so a calendar keeps what just happened. */
const FEED_PAST_DAYS = 30;
const FEED_MAX = 500;

function occasionQuery(db: Executor) {
  return db
    .selectFrom('asks as a')
    .innerJoin('communities as co', 'co.id', 'a.community_id')
    .leftJoin('ask_windows as w', (join) => join.onRef('w.ask_id', '=', 'a.id').on('a.kind', '=', 'shift'))
    .where((eb) => eb.or([eb.and([eb('a.kind', '=', 'shift'), eb('w.id', 'is not', null)]), eb.and([eb('a.kind', '=', 'attend'), eb('a.starts_at', 'is not', null)])]))
    .where(sql<boolean>`coalesce(w.ends_at, a.ends_at, w.starts_at, a.starts_at) > now() - make_interval(days => ${FEED_PAST_DAYS})`)
    .select([
      'a.id as askId',
      'a.title as askTitle',
      'a.kind as askKind',
      'a.updated_at as askUpdatedAt',
      'a.online',
      'a.area_label as areaLabel',
      'w.id as windowId',
      sql<Date>`coalesce(w.starts_at, a.starts_at)`.as('startsAt'),
      sql<Date | null>`coalesce(w.ends_at, a.ends_at)`.as('endsAt'),
      'co.name as communityName',
    ])
    .orderBy(sql`coalesce(w.starts_at, a.starts_at)`)
    .orderBy('a.id')
    .limit(FEED_MAX);
}

function normaliseOccasion<T extends { startsAt: Date; endsAt: Date | null }>(row: T): T {
  return { ...row, startsAt: new Date(row.startsAt), endsAt: row.endsAt === null ? null : new Date(row.endsAt) };
}

/** The dated occasions (shift windows, events) of the community's asks in these statuses. */
export async function listCommunityOccasions(db: Executor, communityId: string, statuses: readonly string[]): Promise<Occasion[]> {
  if (statuses.length === 0) return [];
  const rows = await occasionQuery(db)
    .where('a.community_id', '=', communityId)
    .where('a.status', 'in', statuses as Array<'open' | 'filled'>)
    .execute();
  return rows.map(normaliseOccasion);
}

/** An occasion the ally holds a place (or a place in line) on. */
export interface OwnOccasion extends Occasion {
  commitmentId: string;
  state: 'pledged' | 'waitlisted';
  locationDetail: string | null;
  locationSensitive: boolean;
}

/**
 * The person's pledged and waitlisted commitments that have a time, on asks they may still see:
 * open or filled asks of verified communities that have not blocked them.
 */
export async function listOwnOccasions(db: Executor, userId: string): Promise<OwnOccasion[]> {
  const rows = await db
    .selectFrom('commitments as c')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    .innerJoin('communities as co', 'co.id', 'a.community_id')
    .leftJoin('ask_windows as w', 'w.id', 'c.window_id')
    .where('c.user_id', '=', userId)
    .where('c.state', 'in', ['pledged', 'waitlisted'])
    .where('a.status', 'in', ['open', 'filled'])
    .where('co.status', '=', 'verified')
    .where((eb) => eb.not(eb.exists(eb.selectFrom('community_blocks as b').select('b.user_id').whereRef('b.community_id', '=', 'co.id').where('b.user_id', '=', userId))))
    .where(sql<boolean>`coalesce(w.starts_at, a.starts_at) is not null`)
    .where(sql<boolean>`coalesce(w.ends_at, a.ends_at, w.starts_at, a.starts_at) > now() - make_interval(days => ${FEED_PAST_DAYS})`)
    .select([
      'c.id as commitmentId',
      'c.state',
      'a.id as askId',
      'a.title as askTitle',
      'a.kind as askKind',
      'a.updated_at as askUpdatedAt',
      'a.online',
      'a.area_label as areaLabel',
      'a.location_detail as locationDetail',
      'a.location_sensitive as locationSensitive',
      'w.id as windowId',
      sql<Date>`coalesce(w.starts_at, a.starts_at)`.as('startsAt'),
      sql<Date | null>`coalesce(w.ends_at, a.ends_at)`.as('endsAt'),
      'co.name as communityName',
    ])
    .orderBy(sql`coalesce(w.starts_at, a.starts_at)`)
    .orderBy('c.id')
    .limit(FEED_MAX)
    .execute();
  return rows.map((r) => normaliseOccasion(r as OwnOccasion));
}

/** The feed's owner, when the token hash is known and the account may still use it. */
export function findFeedOwner(db: Executor, tokenHash: string): Promise<{ userId: string; locale: 'en' | 'es' | null } | undefined> {
  return db
    .selectFrom('calendar_feeds as f')
    .innerJoin('users as u', 'u.id', 'f.user_id')
    .where('f.token_hash', '=', tokenHash)
    .where('u.suspended_at', 'is', null)
    .select(['u.id as userId', 'u.locale'])
    .executeTakeFirst();
}

/** When the person's feed was made, if they have one. */
export async function findFeed(db: Executor, userId: string): Promise<{ createdAt: Date } | undefined> {
  return db.selectFrom('calendar_feeds').where('user_id', '=', userId).select('created_at as createdAt').executeTakeFirst();
}

/** Makes the person's feed, or replaces its token (the old address stops working). */
export async function upsertFeed(db: Executor, userId: string, tokenHash: string): Promise<void> {
  await db
    .insertInto('calendar_feeds')
    .values({ user_id: userId, token_hash: tokenHash })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: tokenHash, created_at: sql<Date>`now()` }))
    .execute();
}

/** Turns the person's feed off. */
export async function deleteFeed(db: Executor, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('calendar_feeds').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
