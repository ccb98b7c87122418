import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';
import type { NotificationKind } from './notifications.kinds.js';

/** The kinds the person turned off (every other kind is on). */
export async function disabledKinds(db: Executor, userId: string): Promise<Set<NotificationKind>> {
  const rows = await db.selectFrom('notification_preferences').select('kind').where('user_id', '=', userId).where('email', '=', false).execute();
  return new Set(rows.map((r) => r.kind));
}

/** Writes the person's choice for each given kind. */
export async function setPreferences(db: Executor, userId: string, choices: Partial<Record<NotificationKind, boolean>>): Promise<void> {
  const values = Object.entries(choices).map(([kind, email]) => ({ user_id: userId, kind: kind as NotificationKind, email: email === true }));
  if (values.length === 0) return;
  await db
    .insertInto('notification_preferences')
    .values(values)
    .onConflict((oc) => oc.columns(['user_id', 'kind']).doUpdateSet({ email: (eb) => eb.ref('excluded.email'), updated_at: sql<Date>`now()` }))
    .execute();
}

/** Whether the account exists (an unsubscribe link may outlive it). */
export async function userExists(db: Executor, userId: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) !== undefined;
}

/** What a mail needs to know about its recipient. */
export interface Recipient {
  email: string;
  displayName: string;
  locale: 'en' | 'es' | null;
  restMode: boolean;
}

/** The recipient's address, name, language and rest mode, or undefined when the account is gone. */
export function recipient(db: Executor, userId: string): Promise<Recipient | undefined> {
  return db
    .selectFrom('users')
    .select(['email', 'display_name as displayName', 'locale', 'rest_mode as restMode'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** A commitment as its reminder needs it: state, who, when, and what. */
export interface ReminderFacts {
  id: string;
  userId: string | null;
  state: string;
  askId: string;
  askTitle: string;
  askStatus: 'draft' | 'open' | 'paused' | 'filled' | 'closed';
  communityName: string;
  timeZone: string;
  startsAt: Date | null;
  /** Whether it is held to a time (a shift window, or an event with a start). */
  timed: boolean;
  /** Whether the ask's community has blocked the person. */
  blocked: boolean;
}

/** The commitment's reminder facts, or undefined. */
export async function reminderFacts(db: Executor, commitmentId: string): Promise<ReminderFacts | undefined> {
  const row = await db
    .selectFrom('commitments as c')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    .innerJoin('communities as co', 'co.id', 'a.community_id')
    .leftJoin('ask_windows as w', 'w.id', 'c.window_id')
    .select([
      'c.id',
      'c.user_id as userId',
      'c.state',
      'a.id as askId',
      'a.title as askTitle',
      'a.status as askStatus',
      'co.name as communityName',
      'a.time_zone as timeZone',
      sql<Date | null>`case when a.kind = 'shift' then w.starts_at when a.kind = 'attend' then a.starts_at end`.as('startsAt'),
      sql<boolean>`exists (select 1 from community_blocks b where b.community_id = a.community_id and b.user_id = c.user_id)`.as('blocked'),
    ])
    .where('c.id', '=', commitmentId)
    .executeTakeFirst();
  if (!row) return undefined;
  // coalesce-like expressions may arrive as text on one engine.
  const startsAt = row.startsAt === null ? null : new Date(row.startsAt);
  return { ...row, startsAt, timed: startsAt !== null };
}

/** One line of an organizer's digest: an ask of theirs with pledged commitments whose time is over. */
export interface DigestLine {
  organizerId: string;
  communityId: string;
  communityName: string;
  askId: string;
  askTitle: string;
  waiting: number;
}

/**
 * Every ask with pledged commitments whose window (shifts) or event (attendance) has ended, once
 * per organizer of its community, not counting organizers' own commitments. Suspended organizers
 * are left out.
 */
export async function digestLines(db: Executor, now: Date): Promise<DigestLine[]> {
  const rows = await db
    .selectFrom('commitments as c')
    .innerJoin('asks as a', 'a.id', 'c.ask_id')
    .innerJoin('communities as co', 'co.id', 'a.community_id')
    .innerJoin('memberships as m', (join) => join.onRef('m.community_id', '=', 'a.community_id').on('m.role', '=', 'organizer'))
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .leftJoin('ask_windows as w', 'w.id', 'c.window_id')
    .select([
      'm.user_id as organizerId',
      'co.id as communityId',
      'co.name as communityName',
      'a.id as askId',
      'a.title as askTitle',
      (eb) => eb.fn.countAll<number>().as('waiting'),
    ])
    .where('c.state', '=', 'pledged')
    .where('u.suspended_at', 'is', null)
    .whereRef('c.user_id', '<>', 'm.user_id')
    .where(
      sql<boolean>`case when a.kind = 'shift' then w.ends_at < ${now}::timestamptz
        when a.kind = 'attend' then coalesce(a.ends_at, a.starts_at) < ${now}::timestamptz
        else false end`,
    )
    .groupBy(['m.user_id', 'co.id', 'co.name', 'a.id', 'a.title'])
    .orderBy('m.user_id')
    .orderBy('co.name')
    .orderBy('a.title')
    .orderBy('a.id')
    .execute();
  return rows.map((r) => ({ ...r, waiting: Number(r.waiting) }));
}
