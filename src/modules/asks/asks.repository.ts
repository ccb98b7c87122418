import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';
import type { AskKind, AskPriority } from './asks.model.js';
import type { AskStatus } from './asks.policy.js';
import { utcText } from '../../db/sql.js';

/** The columns an ask is written with. */
export interface AskRow {
  kind: AskKind;
  title: string;
  description: string;
  language: string;
  timeZone: string;
  priority: AskPriority;
  online: boolean;
  areaPlaceId: string | null;
  areaLabel: string | null;
  areaLat: number | null;
  areaLon: number | null;
  locationDetail: string | null;
  locationSensitive: boolean;
  accessibilityNotes: string | null;
  withdrawalCutoffHours: number;
  deliverable: string | null;
  estimatedHours: number | null;
  moneyGoalMinor: number | null;
  currency: string | null;
  advocacyScript: string | null;
  advocacyTarget: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
  capacity: number | null;
}

export interface WindowRecord {
  id: string;
  startsAt: Date;
  endsAt: Date;
  slots: number;
}

export interface ItemRecord {
  id: string;
  label: string;
  quantity: number;
  unit: string | null;
}

/** An ask with everything its page shows. */
export interface AskRecord extends AskRow {
  id: string;
  communityId: string;
  status: AskStatus;
  outcomeNote: string | null;
  createdBy: string | null;
  publishedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  skills: string[];
  languages: string[];
  windows: WindowRecord[];
  items: ItemRecord[];
}

/** One line of a community's list of asks. */
export interface AskListRow {
  id: string;
  kind: AskKind;
  title: string;
  status: AskStatus;
  priority: AskPriority;
  online: boolean;
  areaLabel: string | null;
  createdAt: Date;
  /** The creation time to the microsecond, for keyset pagination. */
  cursorAt: string;
}

function columns(row: AskRow) {
  return {
    kind: row.kind,
    title: row.title,
    description: row.description,
    language: row.language,
    time_zone: row.timeZone,
    priority: row.priority,
    online: row.online,
    area_place_id: row.areaPlaceId,
    area_label: row.areaLabel,
    area_lat: row.areaLat,
    area_lon: row.areaLon,
    location_detail: row.locationDetail,
    location_sensitive: row.locationSensitive,
    accessibility_notes: row.accessibilityNotes,
    withdrawal_cutoff_hours: row.withdrawalCutoffHours,
    deliverable: row.deliverable,
    estimated_hours: row.estimatedHours,
    money_goal_minor: row.moneyGoalMinor,
    currency: row.currency,
    advocacy_script: row.advocacyScript,
    advocacy_target: row.advocacyTarget,
    starts_at: row.startsAt,
    ends_at: row.endsAt,
    capacity: row.capacity,
  };
}

/** Inserts a draft ask and returns its id. */
export async function insertAsk(db: Executor, communityId: string, createdBy: string, row: AskRow): Promise<string> {
  const inserted = await db
    .insertInto('asks')
    .values({ ...columns(row), community_id: communityId, created_by: createdBy, status: 'draft' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/** Rewrites an ask's fields (not its status). */
export async function updateAsk(db: Executor, id: string, row: AskRow): Promise<void> {
  await db
    .updateTable('asks')
    .set({ ...columns(row), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}

/** Replaces the required skills and languages. */
export async function replaceTags(db: Executor, askId: string, skills: string[], languages: string[]): Promise<void> {
  await db.deleteFrom('ask_skills').where('ask_id', '=', askId).execute();
  await db.deleteFrom('ask_languages').where('ask_id', '=', askId).execute();
  if (skills.length > 0) await db.insertInto('ask_skills').values(skills.map((skill) => ({ ask_id: askId, skill }))).execute();
  if (languages.length > 0) await db.insertInto('ask_languages').values(languages.map((language) => ({ ask_id: askId, language }))).execute();
}

/**
 * Makes the ask's windows these: rows with an id of this ask are updated in place (so that what
 * refers to a window keeps referring to it), new rows inserted, the rest deleted.
 */
export async function syncWindows(db: Executor, askId: string, windows: Array<{ id: string | null; startsAt: Date; endsAt: Date; slots: number }>): Promise<void> {
  const existing = new Set((await db.selectFrom('ask_windows').select('id').where('ask_id', '=', askId).execute()).map((r) => r.id));
  const kept = windows.filter((w) => w.id !== null && existing.has(w.id)).map((w) => w.id!);
  const gone = [...existing].filter((id) => !kept.includes(id));
  if (gone.length > 0) await db.deleteFrom('ask_windows').where('ask_id', '=', askId).where('id', 'in', gone).execute();
  for (const w of windows) {
    if (w.id !== null && existing.has(w.id)) {
      await db.updateTable('ask_windows').set({ starts_at: w.startsAt, ends_at: w.endsAt, slots: w.slots }).where('id', '=', w.id).where('ask_id', '=', askId).execute();
    } else {
      await db.insertInto('ask_windows').values({ ask_id: askId, starts_at: w.startsAt, ends_at: w.endsAt, slots: w.slots }).execute();
    }
  }
}

/** Recomputes when the ask first happens and when it is over, from its windows or its own times (search sorts and filters on them). */
export async function refreshTimes(db: Executor, askId: string): Promise<void> {
  await db
    .updateTable('asks')
    .set({
      first_starts_at: sql<Date | null>`coalesce((select min(w.starts_at) from ask_windows w where w.ask_id = asks.id), asks.starts_at)`,
      last_ends_at: sql<Date | null>`coalesce((select max(w.ends_at) from ask_windows w where w.ask_id = asks.id), asks.ends_at, asks.starts_at)`,
    })
    .where('id', '=', askId)
    .execute();
}

/** Makes the ask's items these, in order, keeping the ids of rows that had one. */
export async function syncItems(db: Executor, askId: string, items: Array<{ id: string | null; label: string; quantity: number; unit: string | null }>): Promise<void> {
  const existing = new Set((await db.selectFrom('ask_items').select('id').where('ask_id', '=', askId).execute()).map((r) => r.id));
  const kept = items.filter((i) => i.id !== null && existing.has(i.id)).map((i) => i.id!);
  const gone = [...existing].filter((id) => !kept.includes(id));
  if (gone.length > 0) await db.deleteFrom('ask_items').where('ask_id', '=', askId).where('id', 'in', gone).execute();
  for (const [position, item] of items.entries()) {
    const values = { label: item.label, quantity: item.quantity, unit: item.unit, position };
    if (item.id !== null && existing.has(item.id)) {
      await db.updateTable('ask_items').set(values).where('id', '=', item.id).where('ask_id', '=', askId).execute();
    } else {
      await db.insertInto('ask_items').values({ ask_id: askId, ...values }).execute();
    }
  }
}

/** An ask with its skills, languages, windows and items, or undefined. */
export async function findAsk(db: Executor, id: string): Promise<AskRecord | undefined> {
  const row = await db
    .selectFrom('asks')
    .select([
      'id',
      'community_id as communityId',
      'kind',
      'title',
      'description',
      'language',
      'time_zone as timeZone',
      'status',
      'priority',
      'online',
      'area_place_id as areaPlaceId',
      'area_label as areaLabel',
      'area_lat as areaLat',
      'area_lon as areaLon',
      'location_detail as locationDetail',
      'location_sensitive as locationSensitive',
      'accessibility_notes as accessibilityNotes',
      'withdrawal_cutoff_hours as withdrawalCutoffHours',
      'deliverable',
      'estimated_hours as estimatedHours',
      'money_goal_minor as moneyGoalMinor',
      'currency',
      'advocacy_script as advocacyScript',
      'advocacy_target as advocacyTarget',
      'starts_at as startsAt',
      'ends_at as endsAt',
      'capacity',
      'outcome_note as outcomeNote',
      'created_by as createdBy',
      'published_at as publishedAt',
      'closed_at as closedAt',
      'created_at as createdAt',
      'updated_at as updatedAt',
      // One round trip instead of five: every page and API call about an ask starts here.
      sql<string[]>`array(select s.skill from ask_skills s where s.ask_id = asks.id order by s.skill)`.as('skills'),
      sql<string[]>`array(select l.language from ask_languages l where l.ask_id = asks.id order by l.language)`.as('languages'),
      sql<Array<{ id: string; startsAt: string; endsAt: string; slots: number }>>`coalesce((
        select json_agg(json_build_object('id', w.id, 'startsAt', w.starts_at, 'endsAt', w.ends_at, 'slots', w.slots) order by w.starts_at, w.id)
        from ask_windows w where w.ask_id = asks.id), '[]'::json)`.as('windows'),
      sql<ItemRecord[]>`coalesce((
        select json_agg(json_build_object('id', i.id, 'label', i.label, 'quantity', i.quantity, 'unit', i.unit) order by i.position, i.id)
        from ask_items i where i.ask_id = asks.id), '[]'::json)`.as('items'),
    ])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, windows: row.windows.map((w) => ({ id: w.id, startsAt: new Date(w.startsAt), endsAt: new Date(w.endsAt), slots: w.slots })) };
}

/** A community's asks in the given statuses, newest first, after the keyset cursor when given. */
export function listAsks(db: Executor, options: { communityId: string; statuses: AskStatus[]; limit: number; after?: { at: string; id: string } }): Promise<AskListRow[]> {
  if (options.statuses.length === 0) return Promise.resolve([]);
  let query = db
    .selectFrom('asks')
    .select([
      'id',
      'kind',
      'title',
      'status',
      'priority',
      'online',
      'area_label as areaLabel',
      'created_at as createdAt',
      utcText('created_at').as('cursorAt'),
    ])
    .where('community_id', '=', options.communityId)
    .where('status', 'in', options.statuses);
  if (options.after) {
    const { at, id } = options.after;
    query = query.where(sql<boolean>`(created_at, id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}

/**
 * Moves an ask from one status to another, only if it is still in the first one (two organizers
 * acting at once cannot both succeed). True when it moved.
 */
export async function moveStatus(db: Executor, id: string, from: AskStatus, to: AskStatus, outcomeNote?: string): Promise<boolean> {
  const result = await db
    .updateTable('asks')
    .set({
      status: to,
      updated_at: sql<Date>`now()`,
      ...(to === 'open' && from === 'draft' ? { published_at: sql<Date>`now()` } : {}),
      ...(to === 'closed' ? { closed_at: sql<Date>`now()`, outcome_note: outcomeNote ?? null } : {}),
    })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
