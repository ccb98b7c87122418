import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';
import type { DayPart } from './skills.js';
import { utcText } from '../../db/sql.js';

/** Everything a person's own profile page shows, including the parts only they may see. */
export interface ProfileRecord {
  id: string;
  displayName: string;
  pronouns: string | null;
  identityNote: string | null;
  homePlaceId: string | null;
  homeArea: string | null;
  homeLat: number | null;
  homeLon: number | null;
  travelRadiusKm: number | null;
  weeklyCapacityHours: number | null;
  restMode: boolean;
  languages: string[];
  skills: string[];
  availability: Array<{ weekday: number; part: DayPart }>;
}

/** What is written when a profile is saved. */
export interface ProfileUpdate {
  displayName: string;
  pronouns: string | null;
  identityNote: string | null;
  homePlaceId: string | null;
  homeArea: string | null;
  homeLat: number | null;
  homeLon: number | null;
  travelRadiusKm: number | null;
  weeklyCapacityHours: number | null;
  restMode: boolean;
  languages: string[];
  skills: string[];
  availability: Array<{ weekday: number; part: DayPart }>;
}

export async function findProfile(db: Executor, userId: string): Promise<ProfileRecord | undefined> {
  const user = await db
    .selectFrom('users')
    .select([
      'id',
      'display_name as displayName',
      'pronouns',
      'identity_note as identityNote',
      'home_place_id as homePlaceId',
      'home_area as homeArea',
      'home_lat as homeLat',
      'home_lon as homeLon',
      'travel_radius_km as travelRadiusKm',
      'weekly_capacity_hours as weeklyCapacityHours',
      'rest_mode as restMode',
      // One round trip: the feed reads a profile on every page.
      sql<string[]>`array(select l.language from user_languages l where l.user_id = users.id order by l.language)`.as('languages'),
      sql<string[]>`array(select s.skill from user_skills s where s.user_id = users.id order by s.skill)`.as('skills'),
      sql<Array<{ weekday: number; part: DayPart }>>`coalesce((
        select json_agg(json_build_object('weekday', a.weekday, 'part', a.part) order by a.weekday, a.part)
        from user_availability a where a.user_id = users.id), '[]'::json)`.as('availability'),
    ])
    .where('id', '=', userId)
    .executeTakeFirst();
  return user;
}

/** Writes the profile columns and replaces the language, skill and availability rows. Call inside a transaction. */
export async function saveProfile(trx: Executor, userId: string, profile: ProfileUpdate): Promise<void> {
  await trx
    .updateTable('users')
    .set({
      display_name: profile.displayName,
      pronouns: profile.pronouns,
      identity_note: profile.identityNote,
      home_place_id: profile.homePlaceId,
      home_area: profile.homeArea,
      home_lat: profile.homeLat,
      home_lon: profile.homeLon,
      travel_radius_km: profile.travelRadiusKm,
      weekly_capacity_hours: profile.weeklyCapacityHours,
      rest_mode: profile.restMode,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', userId)
    .execute();
  await trx.deleteFrom('user_languages').where('user_id', '=', userId).execute();
  await trx.deleteFrom('user_skills').where('user_id', '=', userId).execute();
  await trx.deleteFrom('user_availability').where('user_id', '=', userId).execute();
  if (profile.languages.length) {
    await trx.insertInto('user_languages').values(profile.languages.map((language) => ({ user_id: userId, language }))).execute();
  }
  if (profile.skills.length) {
    await trx.insertInto('user_skills').values(profile.skills.map((skill) => ({ user_id: userId, skill }))).execute();
  }
  if (profile.availability.length) {
    await trx.insertInto('user_availability').values(profile.availability.map((slot) => ({ user_id: userId, ...slot }))).execute();
  }
}

/** The password hash and normalised address of a person, for re-authentication. */
export function findCredentials(db: Executor, userId: string): Promise<{ passwordHash: string; emailNormalized: string } | undefined> {
  return db
    .selectFrom('users')
    .select(['password_hash as passwordHash', 'email_normalized as emailNormalized'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

// ---- export -------------------------------------------------------------------------------------

/** The account row without any secret: no password hash, no second-factor secret. */
export function exportAccountRow(db: Executor, userId: string) {
  return db
    .selectFrom('users')
    .select([
      'id',
      'email',
      'display_name as displayName',
      'role',
      'locale',
      'email_verified_at as emailVerifiedAt',
      'suspended_at as suspendedAt',
      'created_at as createdAt',
      'updated_at as updatedAt',
      'password_changed_at as passwordChangedAt',
      'totp_enabled_at as secondFactorEnabledAt',
    ])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** Sessions without their token hashes. */
export function exportSessions(db: Executor, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['device_hint as deviceHint', 'created_at as createdAt', 'last_seen_at as lastSeenAt', 'expires_at as expiresAt'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** API tokens without their hashes. */
export function exportApiTokens(db: Executor, userId: string) {
  return db
    .selectFrom('api_tokens')
    .select(['name', 'scope', 'created_at as createdAt', 'last_used_at as lastUsedAt', 'expires_at as expiresAt'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
}

/** Audit entries the person is the actor of. */
export function exportAuditEntries(db: Executor, userId: string) {
  return db
    .selectFrom('audit_log')
    .select(['at', 'action', 'subject_type as subjectType', 'subject_id as subjectId', 'request_id as requestId', 'details'])
    .where('actor_id', '=', userId)
    .orderBy('id', 'asc')
    .execute();
}

/** Mails in the local outbox addressed to the person. */
export function exportMails(db: Executor, emailNormalized: string) {
  return db
    .selectFrom('mail_outbox')
    .select(['to_address as to', 'subject', 'text_body as text', 'created_at as createdAt'])
    .where(sql<string>`lower(to_address)`, '=', emailNormalized)
    .orderBy('id', 'asc')
    .execute();
}

// ---- deletion -----------------------------------------------------------------------------------

/** Deletes the person's row; foreign keys remove their profile rows, sessions and tokens, and detach their audit entries. */
export async function deleteUserRow(trx: Executor, userId: string): Promise<boolean> {
  const result = await trx.deleteFrom('users').where('id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Remembers a deleted id, so that a restored backup can be purged again. */
export async function recordDeletedUser(trx: Executor, userId: string): Promise<void> {
  await trx.insertInto('deleted_users').values({ user_id: userId }).onConflict((oc) => oc.column('user_id').doNothing()).execute();
}

/** Removes mail to the address from the local outbox, and every mail job to it but one being sent right now. */
export async function deleteMailTo(trx: Executor, emailNormalized: string): Promise<void> {
  await trx.deleteFrom('mail_outbox').where(sql<string>`lower(to_address)`, '=', emailNormalized).execute();
  // Sent mail jobs keep the address and the text for days: they go too.
  await trx
    .deleteFrom('jobs')
    .where('kind', '=', 'mail.send')
    .where('state', 'in', ['pending', 'failed', 'done'])
    .where(sql<string>`lower(payload->>'to')`, '=', emailNormalized)
    .execute();
}

/** Deletes every account whose id is recorded as deleted; returns how many rows went. */
export async function purgeDeletedUsers(db: Executor): Promise<number> {
  const result = await db
    .deleteFrom('users')
    .where('id', 'in', (eb) => eb.selectFrom('deleted_users').select('user_id'))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- admin --------------------------------------------------------------------------------------

/** A row of the admin people list: nothing private (no home area, no identity note, no address). */
export interface AdminUserRow {
  id: string;
  displayName: string;
  role: 'user' | 'moderator' | 'admin';
  verified: boolean;
  suspendedAt: Date | null;
  createdAt: Date;
  /** Position for keyset pagination: creation time to the microsecond and id. */
  position: [string, string];
}

/** People, newest first, `limit` at a time after the cursor; or the one with this exact address. */
export async function listUsers(db: Executor, options: { limit: number; before?: { at: string; id: string }; emailNormalized?: string }): Promise<AdminUserRow[]> {
  let query = db
    .selectFrom('users')
    .select([
      'id',
      'display_name as displayName',
      'role',
      sql<boolean>`email_verified_at is not null`.as('verified'),
      'suspended_at as suspendedAt',
      'created_at as createdAt',
      utcText('created_at').as('at'),
    ]);
  if (options.emailNormalized !== undefined) query = query.where('email_normalized', '=', options.emailNormalized);
  if (options.before) query = query.where(sql<boolean>`(created_at, id) < (${options.before.at}::timestamptz, ${options.before.id}::uuid)`);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map(({ at, ...row }) => ({ ...row, position: [at, row.id] as [string, string] }));
}

/** Sets or clears the suspension; returns whether the person exists, or 'admin' (unchanged) when suspending an admin. */
export async function setSuspended(trx: Executor, userId: string, suspended: boolean): Promise<boolean | 'admin'> {
  let query = trx
    .updateTable('users')
    .set({ suspended_at: suspended ? sql<Date>`coalesce(suspended_at, now())` : null, updated_at: sql<Date>`now()` } as never)
    .where('id', '=', userId);
  if (suspended) query = query.where('role', '<>', 'admin');
  const result = await query.executeTakeFirst();
  if (Number(result.numUpdatedRows) > 0) return true;
  if (!suspended) return false;
  const row = await trx.selectFrom('users').select('role').where('id', '=', userId).executeTakeFirst();
  return row?.role === 'admin' ? 'admin' : false;
}

/** Makes a person a moderator or a plain user again; admins are left as they are. Returns the role before, or undefined. */
export async function setModerator(trx: Executor, userId: string, moderator: boolean): Promise<'user' | 'moderator' | 'admin' | undefined> {
  const row = await trx.selectFrom('users').select('role').where('id', '=', userId).forUpdate().executeTakeFirst();
  if (!row || row.role === 'admin') return row?.role;
  await trx.updateTable('users').set({ role: moderator ? 'moderator' : 'user', updated_at: sql<Date>`now()` } as never).where('id', '=', userId).execute();
  return row.role;
}

/** Ends every session and revokes every API token of a person. */
export async function endSessionsAndTokens(trx: Executor, userId: string): Promise<{ sessions: number; tokens: number }> {
  const sessions = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  const tokens = await trx.deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), tokens: Number(tokens.numDeletedRows) };
}

/** Turns rest mode on or off. */
export async function saveRestMode(db: Executor, userId: string, on: boolean): Promise<void> {
  await db.updateTable('users').set({ rest_mode: on, updated_at: sql<Date>`now()` }).where('id', '=', userId).execute();
}
