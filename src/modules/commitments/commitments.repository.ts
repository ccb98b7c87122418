import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';
import type { FeedbackKind } from './commitments.form.js';
import type { CommitmentState, Outcome } from './commitments.policy.js';

import type { AskKind } from '../asks/index.js';
import { utcText } from '../../db/sql.js';

/** The ask facts a commit needs, read under a lock. */
export interface LockedAsk {
  id: string;
  communityId: string;
  kind: AskKind;
  title: string;
  status: 'draft' | 'open' | 'paused' | 'filled' | 'closed';
  capacity: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
  estimatedHours: number | null;
  currency: string | null;
  withdrawalCutoffHours: number;
}

/**
 * Locks the ask row: `for update` for kinds whose places are counted on the ask (events), `for
 * share` otherwise, so that the status cannot change under a commit but shifts on different
 * windows do not wait for each other.
 */
export async function lockAsk(db: Executor, askId: string, mode: 'update' | 'share'): Promise<LockedAsk | undefined> {
  const query = db
    .selectFrom('asks')
    .select([
      'id',
      'community_id as communityId',
      'kind',
      'title',
      'status',
      'capacity',
      'starts_at as startsAt',
      'ends_at as endsAt',
      'estimated_hours as estimatedHours',
      'currency',
      'withdrawal_cutoff_hours as withdrawalCutoffHours',
    ])
    .where('id', '=', askId);
  return (mode === 'update' ? query.forUpdate() : query.forShare()).executeTakeFirst();
}

/** Locks a shift window of the ask: every commit and withdrawal on it waits here, so counting its places is exact. */
export function lockWindow(db: Executor, askId: string, windowId: string): Promise<{ id: string; slots: number; startsAt: Date; endsAt: Date } | undefined> {
  return db
    .selectFrom('ask_windows')
    .select(['id', 'slots', 'starts_at as startsAt', 'ends_at as endsAt'])
    .where('id', '=', windowId)
    .where('ask_id', '=', askId)
    .forUpdate()
    .executeTakeFirst();
}

/** Where a commitment's place is counted: a window, or the ask as a whole. */
export type Scope = { askId: string; windowId: string | null };

/** The scope as a condition: the window's commitments, or the ask's commitments without a window. */
function inScope(scope: Scope) {
  return sql<boolean>`ask_id = ${scope.askId}::uuid and window_id is not distinct from ${scope.windowId}::uuid`;
}

/** How many commitments hold a place in the scope. */
export async function countPledged(db: Executor, scope: Scope): Promise<number> {
  const row = await db.selectFrom('commitments').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pledged').where(inScope(scope)).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The person's live commitment in the scope, if any. */
export function findLive(db: Executor, userId: string, scope: Scope): Promise<{ id: string } | undefined> {
  return db.selectFrom('commitments').select('id').where('user_id', '=', userId).where('state', 'in', ['pledged', 'waitlisted']).where(inScope(scope)).executeTakeFirst();
}

/**
 * The first in line of the scope, passing over anyone the ask's community has blocked: a blocked
 * person never takes a place they could not see (blocking ends their places too; this holds even
 * for a line formed before).
 */
export function firstWaitlisted(db: Executor, scope: Scope): Promise<{ id: string; userId: string } | undefined> {
  return db
    .selectFrom('commitments as c')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    // A waitlisted commitment always has its person (only confirmed work outlives an account).
    .select(['c.id', sql<string>`c.user_id`.as('userId')])
    .where('c.state', '=', 'waitlisted')
    .where('c.ask_id', '=', scope.askId)
    .where((eb) => (scope.windowId === null ? eb('c.window_id', 'is', null) : eb('c.window_id', '=', scope.windowId)))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('community_blocks as b').select('b.user_id').whereRef('b.community_id', '=', 'a.community_id').whereRef('b.user_id', '=', 'c.user_id'))))
    .orderBy('c.queue_seq')
    .limit(1)
    .executeTakeFirst();
}

/** The values a new commitment is written with. */
export interface NewCommitment {
  askId: string;
  windowId: string | null;
  userId: string;
  state: 'pledged' | 'waitlisted';
  plannedMinutes: number | null;
  plannedFor: Date;
  itemId: string | null;
  quantity: number | null;
  amountMinor: number | null;
  currency: string | null;
  channelId: string | null;
  channelLabel: string | null;
}

/** Inserts a commitment; its place in line comes from the sequence, taken while the scope is locked. */
export async function insertCommitment(db: Executor, c: NewCommitment): Promise<string> {
  const row = await db
    .insertInto('commitments')
    .values({
      ask_id: c.askId,
      window_id: c.windowId,
      user_id: c.userId,
      state: c.state,
      planned_minutes: c.plannedMinutes,
      planned_for: c.plannedFor,
      item_id: c.itemId,
      quantity: c.quantity,
      amount_minor: c.amountMinor,
      currency: c.currency,
      channel_id: c.channelId,
      channel_label: c.channelLabel,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A commitment with what its pages show of the ask. */
export interface CommitmentRecord {
  id: string;
  askId: string;
  windowId: string | null;
  userId: string;
  /** Null for a former ally: the account is deleted, the confirmed work kept without a name. */
  allyName: string | null;
  state: CommitmentState;
  position: number | null;
  plannedMinutes: number | null;
  plannedFor: Date;
  itemLabel: string | null;
  quantity: number | null;
  amountMinor: number | null;
  currency: string | null;
  channelLabel: string | null;
  doneMinutes: number | null;
  doneAmountMinor: number | null;
  doneQuantity: number | null;
  outcomeLine: string | null;
  selfReported: boolean;
  confirmedAt: Date | null;
  withdrawnAt: Date | null;
  createdAt: Date;
  askTitle: string;
  askKind: AskKind;
  askStatus: LockedAsk['status'];
  askCurrency: string | null;
  askTimeZone: string;
  communityId: string;
  communitySlug: string;
  communityName: string;
  windowStartsAt: Date | null;
  windowEndsAt: Date | null;
  startsAt: Date | null;
  withdrawalCutoffHours: number;
  locationDetail: string | null;
  locationSensitive: boolean;
}

function commitmentQuery(db: Executor) {
  return db
    .selectFrom('commitments as c')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    .innerJoin('communities as co', 'co.id', 'a.community_id')
    // A former ally (an account deleted, its confirmed work kept) has no person: only a stand-in id.
    .leftJoin('users as u', 'u.id', 'c.user_id')
    .leftJoin('ask_windows as w', 'w.id', 'c.window_id')
    .leftJoin('ask_items as i', 'i.id', 'c.item_id')
    .select([
      'c.id',
      'c.ask_id as askId',
      'c.window_id as windowId',
      sql<string>`coalesce(c.user_id, c.former_ally)`.as('userId'),
      'u.display_name as allyName',
      'c.state',
      sql<number | null>`case when c.state = 'waitlisted' then (
        select count(*)::int from commitments q
        where q.ask_id = c.ask_id and q.window_id is not distinct from c.window_id and q.state = 'waitlisted' and q.queue_seq <= c.queue_seq
      ) end`.as('position'),
      'c.planned_minutes as plannedMinutes',
      'c.planned_for as plannedFor',
      'i.label as itemLabel',
      'c.quantity',
      'c.amount_minor as amountMinor',
      'c.currency',
      'c.channel_label as channelLabel',
      'c.done_minutes as doneMinutes',
      'c.done_amount_minor as doneAmountMinor',
      'c.done_quantity as doneQuantity',
      'c.outcome_line as outcomeLine',
      'c.self_reported as selfReported',
      'c.confirmed_at as confirmedAt',
      'c.withdrawn_at as withdrawnAt',
      'c.created_at as createdAt',
      'a.title as askTitle',
      'a.kind as askKind',
      'a.status as askStatus',
      'a.currency as askCurrency',
      'a.time_zone as askTimeZone',
      'a.community_id as communityId',
      'co.slug as communitySlug',
      'co.name as communityName',
      'w.starts_at as windowStartsAt',
      'w.ends_at as windowEndsAt',
      sql<Date | null>`coalesce(w.starts_at, a.starts_at)`.as('startsAt'),
      'a.withdrawal_cutoff_hours as withdrawalCutoffHours',
      'a.location_detail as locationDetail',
      'a.location_sensitive as locationSensitive',
    ]);
}

function normalise<T extends { amountMinor: number | null; doneAmountMinor: number | null; position: number | null; startsAt: Date | null }>(row: T): T {
  // bigint columns arrive as numbers on both engines; the window start may arrive as text from coalesce.
  return {
    ...row,
    amountMinor: row.amountMinor === null ? null : Number(row.amountMinor),
    doneAmountMinor: row.doneAmountMinor === null ? null : Number(row.doneAmountMinor),
    position: row.position === null ? null : Number(row.position),
    startsAt: row.startsAt === null ? null : new Date(row.startsAt),
  };
}

/** One commitment, or undefined. */
export async function findCommitment(db: Executor, id: string): Promise<CommitmentRecord | undefined> {
  const row = await commitmentQuery(db).where('c.id', '=', id).executeTakeFirst();
  return row ? normalise(row as CommitmentRecord) : undefined;
}

/** Where a person's list of commitments goes on: after this live flag, planned time and id. */
export type OwnListPosition = [live: boolean, plannedFor: string, id: string];

/**
 * A person's commitments: the live ones (pledged, waitlisted) first, each group latest planned
 * first; `limit` at a time after `after`, each row with its own position for the next page.
 */
export async function listForUser(db: Executor, userId: string, options: { limit: number; after?: OwnListPosition | undefined }): Promise<Array<CommitmentRecord & { listPosition: OwnListPosition }>> {
  const live = sql<boolean>`(c.state in ('pledged', 'waitlisted'))`;
  let query = commitmentQuery(db)
    .select([live.as('live'), utcText('c.planned_for').as('plannedForText')])
    .where('c.user_id', '=', userId);
  if (options.after) {
    const [isLive, plannedFor, id] = options.after;
    query = query.where(sql<boolean>`(${live}, c.planned_for, c.id) < (${isLive}, ${plannedFor}::timestamptz, ${id}::uuid)`);
  }
  const rows = await query.orderBy(live, 'desc').orderBy('c.planned_for', 'desc').orderBy('c.id', 'desc').limit(options.limit).execute();
  return rows.map((r) => {
    const { live: isLive, plannedForText, ...rest } = r as typeof r & { live: boolean; plannedForText: string };
    return { ...normalise(rest as unknown as CommitmentRecord), listPosition: [isLive, plannedForText, r.id] as OwnListPosition };
  });
}

/** A person's live commitments (pledged or waitlisted) to one ask. */
export async function listLiveForUserAsk(db: Executor, userId: string, askId: string): Promise<CommitmentRecord[]> {
  const rows = await commitmentQuery(db).where('c.user_id', '=', userId).where('c.ask_id', '=', askId).where('c.state', 'in', ['pledged', 'waitlisted']).orderBy('c.created_at').execute();
  return rows.map((r) => normalise(r as CommitmentRecord));
}

/** An ask's commitments, window by window, in the order they were made. */
export async function listForAsk(db: Executor, askId: string): Promise<CommitmentRecord[]> {
  const rows = await commitmentQuery(db).where('c.ask_id', '=', askId).orderBy('w.starts_at').orderBy('c.window_id').orderBy('c.queue_seq').execute();
  return rows.map((r) => normalise(r as CommitmentRecord));
}

/** Moves a commitment from one state to another, only if it is still in the first (two requests cannot both move it). */
export async function moveState(
  db: Executor,
  id: string,
  from: CommitmentState,
  to: CommitmentState,
  extra: { withdrawn?: boolean; confirmedBy?: string | null; doneMinutes?: number | null; doneAmountMinor?: number | null; doneQuantity?: number | null; outcomeLine?: string | null; selfReported?: boolean } = {},
): Promise<boolean> {
  const confirmed = to === 'done' || to === 'partly_done' || to === 'missed';
  const result = await db
    .updateTable('commitments')
    .set({
      state: to,
      updated_at: sql<Date>`now()`,
      ...(extra.withdrawn ? { withdrawn_at: sql<Date>`now()` } : {}),
      ...(confirmed
        ? {
            confirmed_at: sql<Date>`now()`,
            confirmed_by: extra.confirmedBy ?? null,
            done_minutes: extra.doneMinutes ?? null,
            done_amount_minor: extra.doneAmountMinor ?? null,
            done_quantity: extra.doneQuantity ?? null,
            outcome_line: extra.outcomeLine ?? null,
            self_reported: extra.selfReported ?? false,
          }
        : {}),
    })
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst();
  const moved = Number(result.numUpdatedRows) === 1;
  // The feed lifts communities whose support nobody confirmed lately: keep the latest confirmation.
  if (moved && (to === 'done' || to === 'partly_done') && !extra.selfReported) {
    await db
      .updateTable('communities')
      .set({ last_confirmed_at: sql<Date>`now()` })
      .where('id', '=', (eb) => eb.selectFrom('asks').innerJoin('commitments', 'commitments.ask_id', 'asks.id').select('asks.community_id').where('commitments.id', '=', id))
      .execute();
  }
  return moved;
}

/** Minutes the person has pledged in the (UTC, Monday-first) week around `at`. */
export async function weekMinutes(db: Executor, userId: string, at: Date): Promise<number> {
  const row = await db
    .selectFrom('commitments')
    .select(sql<number>`coalesce(sum(planned_minutes), 0)::int`.as('m'))
    .where('user_id', '=', userId)
    .where('state', '=', 'pledged')
    // The UTC week as a range of planned_for, so that the (user_id, planned_for) index bounds the scan
    // instead of every commitment the person ever made being read.
    .where(sql<boolean>`planned_for >= date_trunc('week', ${at}::timestamptz at time zone 'UTC') at time zone 'UTC'`)
    .where(sql<boolean>`planned_for < (date_trunc('week', ${at}::timestamptz at time zone 'UTC') + interval '7 days') at time zone 'UTC'`)
    .executeTakeFirstOrThrow();
  return Number(row.m);
}

/** What a commit and its mails need to know about a person. */
export interface PersonFacts {
  email: string;
  displayName: string;
  locale: 'en' | 'es' | null;
  weeklyCapacityHours: number | null;
  restMode: boolean;
}

/** A person's address, language, capacity and rest mode (from the accounts table: profile owns the columns, commitments only reads them). */
export function personFacts(db: Executor, userId: string): Promise<PersonFacts | undefined> {
  return db
    .selectFrom('users')
    .select(['email', 'display_name as displayName', 'locale', 'weekly_capacity_hours as weeklyCapacityHours', 'rest_mode as restMode'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** Ends rest mode, when the person confirmed that committing again is what they want. */
export async function leaveRestMode(db: Executor, userId: string): Promise<void> {
  await db.updateTable('users').set({ rest_mode: false, updated_at: sql<Date>`now()` }).where('id', '=', userId).execute();
}

/** The community's donation channels, in its order (the communities module exports no reader for them). */
export function listDonationChannels(db: Executor, communityId: string): Promise<Array<{ id: string; label: string; details: string }>> {
  return db.selectFrom('donation_channels').select(['id', 'label', 'details']).where('community_id', '=', communityId).orderBy('position').orderBy('id').execute();
}

/** A shift's windows and a supplies ask's items, to check what a commit names. */
export async function askOptions(db: Executor, askId: string): Promise<{ windows: Array<{ id: string; startsAt: Date; endsAt: Date; slots: number; pledged: number }>; items: Array<{ id: string; label: string; unit: string | null }> }> {
  const [windows, items] = await Promise.all([
    db
      .selectFrom('ask_windows as w')
      .select([
        'w.id',
        'w.starts_at as startsAt',
        'w.ends_at as endsAt',
        'w.slots',
        sql<number>`(select count(*)::int from commitments c where c.window_id = w.id and c.state = 'pledged')`.as('pledged'),
      ])
      .where('w.ask_id', '=', askId)
      .orderBy('w.starts_at')
      .orderBy('w.id')
      .execute(),
    db.selectFrom('ask_items').select(['id', 'label', 'unit']).where('ask_id', '=', askId).orderBy('position').orderBy('id').execute(),
  ]);
  return { windows: windows.map((w) => ({ ...w, pledged: Number(w.pledged) })), items };
}

/**
 * Claims an idempotency key for the person. On PostgreSQL a second request with the same key
 * waits here until the first one's transaction ends, then finds its stored answer. Returns
 * undefined when the key is newly claimed.
 */
export async function claimIdempotencyKey(db: Executor, userId: string, key: string, fingerprint: string): Promise<{ fingerprint: string; response: unknown } | undefined> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ user_id: userId, key, fingerprint, response: null })
    .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return undefined;
  const row = await db.selectFrom('idempotency_keys').select(['fingerprint', 'response']).where('user_id', '=', userId).where('key', '=', key).executeTakeFirstOrThrow();
  return { fingerprint: row.fingerprint, response: typeof row.response === 'string' ? (JSON.parse(row.response) as unknown) : row.response };
}

/** Stores the answer to give for the key from now on. */
export async function storeIdempotentResponse(db: Executor, userId: string, key: string, response: unknown): Promise<void> {
  await db.updateTable('idempotency_keys').set({ response: JSON.stringify(response) }).where('user_id', '=', userId).where('key', '=', key).execute();
}

/** Forgets keys older than a day: a retry comes within minutes, not days. */
export async function deleteOldIdempotencyKeys(db: Executor): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('created_at', '<', sql<Date>`now() - interval '1 day'`).execute();
}

/** One piece of feedback. */
export interface FeedbackRecord {
  id: string;
  commitmentId: string;
  communityId: string;
  kind: FeedbackKind;
  body: string;
  authorName: string | null;
  createdAt: Date;
  acknowledgedAt: Date | null;
  reply: string | null;
  /** Null once the ally deleted their account (their confirmed work kept without a name). */
  allyId: string | null;
}

function feedbackQuery(db: Executor) {
  return db
    .selectFrom('commitment_feedback as f')
    .innerJoin('commitments as c', 'c.id', 'f.commitment_id')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    .leftJoin('users as u', 'u.id', 'f.author_id')
    .select([
      'f.id',
      'f.commitment_id as commitmentId',
      'a.community_id as communityId',
      'f.kind',
      'f.body',
      'u.display_name as authorName',
      'f.created_at as createdAt',
      'f.acknowledged_at as acknowledgedAt',
      'f.reply',
      'c.user_id as allyId',
    ]);
}

/** Feedback on these commitments, oldest first. */
export function listFeedback(db: Executor, commitmentIds: string[]): Promise<FeedbackRecord[]> {
  if (commitmentIds.length === 0) return Promise.resolve([]);
  return feedbackQuery(db).where('f.commitment_id', 'in', commitmentIds).orderBy('f.created_at').orderBy('f.id').execute();
}

/** One piece of feedback, or undefined. */
export function findFeedback(db: Executor, id: string): Promise<FeedbackRecord | undefined> {
  return feedbackQuery(db).where('f.id', '=', id).executeTakeFirst();
}

/** Writes feedback and returns its id. */
export async function insertFeedback(db: Executor, input: { commitmentId: string; authorId: string; kind: FeedbackKind; body: string }): Promise<string> {
  const row = await db
    .insertInto('commitment_feedback')
    .values({ commitment_id: input.commitmentId, author_id: input.authorId, kind: input.kind, body: input.body })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Marks feedback acknowledged (once), with the ally's reply if any. True when it changed. */
export async function acknowledgeFeedback(db: Executor, id: string, reply: string | null): Promise<boolean> {
  const result = await db
    .updateTable('commitment_feedback')
    .set({ acknowledged_at: sql<Date>`now()`, reply, replied_at: reply === null ? null : sql<Date>`now()` })
    .where('id', '=', id)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** An ally's record, across every community: counts only, never what anyone wrote. */
export interface AllyRecord {
  done: number;
  partlyDone: number;
  missed: number;
  withdrawnLate: number;
  feedbackReceived: number;
  feedbackAcknowledged: number;
}

/** Counts the person's confirmed outcomes, late withdrawals and acknowledged feedback. */
export async function allyRecord(db: Executor, userId: string): Promise<AllyRecord> {
  const [states, feedback] = await Promise.all([
    db.selectFrom('commitments').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).where('user_id', '=', userId).groupBy('state').execute(),
    db
      .selectFrom('commitment_feedback as f')
      .innerJoin('commitments as c', 'c.id', 'f.commitment_id')
      .select([(eb) => eb.fn.countAll<number>().as('received'), sql<number>`count(f.acknowledged_at)`.as('acknowledged')])
      .where('c.user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  ]);
  const count = (state: CommitmentState) => Number(states.find((s) => s.state === state)?.n ?? 0);
  return {
    done: count('done'),
    partlyDone: count('partly_done'),
    missed: count('missed'),
    withdrawnLate: count('withdrawn_late'),
    feedbackReceived: Number(feedback.received),
    feedbackAcknowledged: Number(feedback.acknowledged),
  };
}

/** Whether the person holds a place on the ask (for the sensitive location detail). */
export async function hasPledge(db: Executor, askId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom('commitments').select('id').where('ask_id', '=', askId).where('user_id', '=', userId).where('state', '=', 'pledged').limit(1).executeTakeFirst();
  return row !== undefined;
}

export type { Outcome };

/** The person's commitments and the feedback they received, for their own data export (no other person's name). */
export async function exportCommitmentsOf(db: Executor, userId: string) {
  const commitments = await db
    .selectFrom('commitments')
    .innerJoin('asks', 'asks.id', 'commitments.ask_id')
    .innerJoin('communities', 'communities.id', 'asks.community_id')
    .select([
      'commitments.id as id',
      'communities.name as community',
      'asks.title as ask',
      'asks.kind as kind',
      'commitments.state as state',
      'commitments.planned_for as plannedFor',
      'commitments.planned_minutes as plannedMinutes',
      'commitments.done_minutes as doneMinutes',
      'commitments.done_amount_minor as doneAmountMinor',
      'commitments.done_quantity as doneQuantity',
      'commitments.outcome_line as outcomeLine',
      'commitments.self_reported as selfReported',
      'commitments.quantity as quantity',
      'commitments.amount_minor as amountMinor',
      'commitments.currency as currency',
      'commitments.channel_label as channel',
      'commitments.created_at as createdAt',
    ])
    .where('commitments.user_id', '=', userId)
    .orderBy('commitments.created_at')
    .execute();
  const feedback = await db
    .selectFrom('commitment_feedback')
    .innerJoin('commitments', 'commitments.id', 'commitment_feedback.commitment_id')
    .select([
      'commitment_feedback.commitment_id as commitmentId',
      'commitment_feedback.kind as kind',
      'commitment_feedback.body as body',
      'commitment_feedback.created_at as createdAt',
      'commitment_feedback.acknowledged_at as acknowledgedAt',
      'commitment_feedback.reply as reply',
    ])
    .where('commitments.user_id', '=', userId)
    .orderBy('commitment_feedback.created_at')
    .execute();
  return { commitments, feedback };
}

/** A moment in a person's record worth reflecting on: a commitment the community confirmed, or feedback they received. */
export interface Moment {
  kind: 'commitment' | 'feedback';
  id: string;
  askTitle: string;
  at: Date;
}

/** The person's commitments confirmed and the feedback they received since `since`, latest first, at most `limit` of each. */
export async function recentMoments(db: Executor, userId: string, since: Date, limit: number): Promise<Moment[]> {
  const [confirmed, feedback] = await Promise.all([
    db
      .selectFrom('commitments as c')
      .innerJoin('asks as a', 'a.id', 'c.ask_id')
      .select(['c.id', 'a.title as askTitle', 'c.confirmed_at as at'])
      .where('c.user_id', '=', userId)
      .where('c.state', 'in', ['done', 'partly_done', 'missed'])
      .where('c.self_reported', '=', false)
      .where('c.confirmed_at', '>=', since)
      .orderBy('c.confirmed_at', 'desc')
      .limit(limit)
      .execute(),
    db
      .selectFrom('commitment_feedback as f')
      .innerJoin('commitments as c', 'c.id', 'f.commitment_id')
      .innerJoin('asks as a', 'a.id', 'c.ask_id')
      .select(['f.id', 'a.title as askTitle', 'f.created_at as at'])
      .where('c.user_id', '=', userId)
      .where('f.created_at', '>=', since)
      .orderBy('f.created_at', 'desc')
      .limit(limit)
      .execute(),
  ]);
  return [
    ...confirmed.map((r) => ({ kind: 'commitment' as const, id: r.id, askTitle: r.askTitle, at: new Date(r.at as Date) })),
    ...feedback.map((r) => ({ kind: 'feedback' as const, id: r.id, askTitle: r.askTitle, at: new Date(r.at) })),
  ].sort((a, b) => b.at.getTime() - a.at.getTime());
}

/** The moment of the person's own record with this id (their commitment, or feedback written to them), or undefined. */
export async function ownMoment(db: Executor, userId: string, kind: Moment['kind'], id: string): Promise<Moment | undefined> {
  if (kind === 'commitment') {
    const row = await db
      .selectFrom('commitments as c')
      .innerJoin('asks as a', 'a.id', 'c.ask_id')
      .select(['c.id', 'a.title as askTitle', 'c.created_at as at'])
      .where('c.id', '=', id)
      .where('c.user_id', '=', userId)
      .executeTakeFirst();
    return row ? { kind, id: row.id, askTitle: row.askTitle, at: new Date(row.at) } : undefined;
  }
  const row = await db
    .selectFrom('commitment_feedback as f')
    .innerJoin('commitments as c', 'c.id', 'f.commitment_id')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    .select(['f.id', 'a.title as askTitle', 'f.created_at as at'])
    .where('f.id', '=', id)
    .where('c.user_id', '=', userId)
    .executeTakeFirst();
  return row ? { kind, id: row.id, askTitle: row.askTitle, at: new Date(row.at) } : undefined;
}

/** A person's live commitments (pledged or waitlisted), in one community or everywhere. */
export function liveCommitmentsOf(db: Executor, userId: string, communityId?: string): Promise<Array<{ id: string }>> {
  let query = db.selectFrom('commitments as c').innerJoin('asks as a', 'a.id', 'c.ask_id').select('c.id').where('c.user_id', '=', userId).where('c.state', 'in', ['pledged', 'waitlisted']);
  if (communityId) query = query.where('a.community_id', '=', communityId);
  return query.orderBy('c.created_at').execute();
}

/** Feedback written to the person and their answers to it: gone with their account. */
export async function deleteFeedbackTo(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('commitment_feedback').where('commitment_id', 'in', db.selectFrom('commitments').select('id').where('user_id', '=', userId)).execute();
}

/**
 * Keeps the person's confirmed work in the communities' records without them: the rows lose their
 * person (and the channel they gave through) and take one random stand-in, the same for all their
 * rows, so that each record still counts them once. Everything else of theirs goes with the account.
 */
export async function keepConfirmedWithoutName(db: Executor, userId: string, standIn: string): Promise<number> {
  const result = await db
    .updateTable('commitments')
    .set({ user_id: null, former_ally: standIn, channel_id: null })
    .where('user_id', '=', userId)
    .where('state', 'in', ['done', 'partly_done', 'missed'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
