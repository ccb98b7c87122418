import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';
import './journal.schema.js';
import { utcText } from '../../db/sql.js';

/** The person's wrapped data key, or undefined before their first entry. */
export async function findWrappedKey(db: Executor, userId: string): Promise<string | undefined> {
  return (await db.selectFrom('journal_keys').select('wrapped_key').where('user_id', '=', userId).executeTakeFirst())?.wrapped_key;
}

/** Stores the person's wrapped key unless one is there already (two first entries at once keep one key); returns the stored one. */
export async function storeWrappedKey(db: Executor, userId: string, wrapped: string): Promise<string> {
  await db.insertInto('journal_keys').values({ user_id: userId, wrapped_key: wrapped }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
  return (await findWrappedKey(db, userId))!;
}

export interface SealedRow {
  id: string;
  userId: string;
  sealed: string;
  createdAt: Date;
  updatedAt: Date;
  /** Position for keyset pagination: creation time to the microsecond and id. */
  position: [string, string];
}

const columns = [
  'id',
  'user_id as userId',
  'sealed',
  'created_at as createdAt',
  'updated_at as updatedAt',
  utcText('created_at').as('at'),
] as const;

function withPosition(row: Omit<SealedRow, 'position'> & { at: string }): SealedRow {
  const { at, ...rest } = row;
  return { ...rest, position: [at, row.id] };
}

export async function insertEntry(db: Executor, entry: { id: string; userId: string; sealed: string }): Promise<void> {
  await db.insertInto('journal_entries').values({ id: entry.id, user_id: entry.userId, sealed: entry.sealed }).execute();
}

/** One entry of the person, or undefined (another person's entry is not theirs to find). */
export async function findEntry(db: Executor, userId: string, id: string): Promise<SealedRow | undefined> {
  const row = await db.selectFrom('journal_entries').select(columns).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return row ? withPosition(row) : undefined;
}

/** The person's entries, newest first, `limit` at a time after `after`; `since` keeps only the recent ones. */
export async function listEntries(db: Executor, userId: string, options: { limit: number; after?: [string, string] | undefined; since?: Date }): Promise<SealedRow[]> {
  let query = db.selectFrom('journal_entries').select(columns).where('user_id', '=', userId);
  if (options.after) query = query.where(sql<boolean>`(created_at, id) < (${options.after[0]}::timestamptz, ${options.after[1]}::uuid)`);
  if (options.since) query = query.where('created_at', '>=', options.since);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map(withPosition);
}

/** Every entry of the person, oldest first (their data export). */
export async function allEntries(db: Executor, userId: string): Promise<SealedRow[]> {
  const rows = await db.selectFrom('journal_entries').select(columns).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
  return rows.map(withPosition);
}

export async function updateEntry(db: Executor, userId: string, id: string, sealed: string): Promise<boolean> {
  const result = await db.updateTable('journal_entries').set({ sealed, updated_at: sql<Date>`now()` }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deleteEntry(db: Executor, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('journal_entries').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** When the person wrote last, or null. */
export async function lastWritten(db: Executor, userId: string): Promise<Date | null> {
  const row = await db.selectFrom('journal_entries').select((eb) => eb.fn.max('created_at').as('at')).where('user_id', '=', userId).executeTakeFirst();
  return row?.at ? new Date(row.at as Date) : null;
}

export async function weeklyPrompt(db: Executor, userId: string): Promise<boolean> {
  return (await db.selectFrom('journal_settings').select('weekly_prompt').where('user_id', '=', userId).executeTakeFirst())?.weekly_prompt ?? false;
}

export async function setWeeklyPrompt(db: Executor, userId: string, on: boolean): Promise<void> {
  await db
    .insertInto('journal_settings')
    .values({ user_id: userId, weekly_prompt: on })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ weekly_prompt: on, updated_at: sql<Date>`now()` }))
    .execute();
}

/** Everything of the person's journal, gone (account deletion; the rows also go by cascade). */
export async function deleteJournalOf(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('journal_entries').where('user_id', '=', userId).execute();
  await db.deleteFrom('journal_keys').where('user_id', '=', userId).execute();
  await db.deleteFrom('journal_settings').where('user_id', '=', userId).execute();
}
