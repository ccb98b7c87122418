import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';

export type Role = 'user' | 'moderator' | 'admin';

export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  locale: 'en' | 'es' | null;
  suspendedAt: Date | null;
}

const userColumns = [
  'id',
  'email',
  'display_name as displayName',
  'password_hash as passwordHash',
  'role',
  'locale',
  'suspended_at as suspendedAt',
] as const;

export function findUserByEmail(db: Executor, emailNormalized: string): Promise<UserRecord | undefined> {
  return db.selectFrom('users').select(userColumns).where('email_normalized', '=', emailNormalized).executeTakeFirst();
}

/** Inserts a person, or, when the address is taken, gives them the new password, name and role. */
export async function upsertUser(
  db: Executor,
  user: { email: string; emailNormalized: string; displayName: string; passwordHash: string; role: Role; locale?: 'en' | 'es' | null; verified: boolean },
): Promise<string> {
  const row = await db
    .insertInto('users')
    .values({
      email: user.email,
      email_normalized: user.emailNormalized,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      role: user.role,
      locale: user.locale ?? null,
      email_verified_at: user.verified ? sql<Date>`now()` : null,
    } as never)
    .onConflict((oc) =>
      oc.column('email_normalized').doUpdateSet({
        display_name: user.displayName,
        password_hash: user.passwordHash,
        role: user.role,
        updated_at: sql<Date>`now()`,
      } as never),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface SessionRecord {
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export async function insertSession(
  db: Executor,
  session: { tokenHash: string; userId: string; expiresAt: Date; deviceHint: string | null },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({ token_hash: session.tokenHash, user_id: session.userId, expires_at: session.expiresAt, device_hint: session.deviceHint })
    .execute();
}

/** Remembers a browser that signed in to the account. */
export async function insertKnownDevice(db: Executor, tokenHash: string, userId: string): Promise<void> {
  await db.insertInto('known_devices').values({ token_hash: tokenHash, user_id: userId }).onConflict((oc) => oc.column('token_hash').doUpdateSet({ last_used_at: sql<Date>`now()` })).execute();
}

/** Whether the browser's cookie is one that signed in to this account before (a year at most). */
export async function isKnownDevice(db: Executor, tokenHash: string, emailNormalized: string): Promise<boolean> {
  const row = await db
    .selectFrom('known_devices as d')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .select('d.user_id')
    .where('d.token_hash', '=', tokenHash)
    .where('u.email_normalized', '=', emailNormalized)
    .where('d.last_used_at', '>', sql<Date>`now() - interval '365 days'`)
    .executeTakeFirst();
  return row !== undefined;
}

/** The session and its person, if the session has not expired and the person is not suspended. */
export async function findLiveSession(
  db: Executor,
  tokenHash: string,
): Promise<(SessionRecord & { user: Pick<UserRecord, 'id' | 'displayName' | 'role' | 'locale'> & { confirmed: boolean } }) | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.user_id as userId',
      'sessions.created_at as createdAt',
      'sessions.last_seen_at as lastSeenAt',
      'sessions.expires_at as expiresAt',
      'users.display_name as displayName',
      'users.role as role',
      'users.locale as locale',
      sql<boolean>`users.email_verified_at is not null`.as('confirmed'),
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', sql<Date>`now()`)
    .where('users.suspended_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    userId: row.userId,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    user: { id: row.userId, displayName: row.displayName, role: row.role, locale: row.locale, confirmed: row.confirmed },
  };
}

export async function touchSession(db: Executor, tokenHash: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: sql<Date>`now()` }).where('token_hash', '=', tokenHash).execute();
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export async function deleteExpiredSessions(db: Executor): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function updateUserLocale(db: Executor, userId: string, locale: 'en' | 'es'): Promise<void> {
  await db.updateTable('users').set({ locale, updated_at: sql<Date>`now()` }).where('id', '=', userId).execute();
}

/** What the account pages show and check about a person. */
export interface AccountRecord {
  id: string;
  email: string;
  emailNormalized: string;
  displayName: string;
  passwordHash: string;
  locale: 'en' | 'es' | null;
  emailVerifiedAt: Date | null;
}

const accountColumns = [
  'id',
  'email',
  'email_normalized as emailNormalized',
  'display_name as displayName',
  'password_hash as passwordHash',
  'locale',
  'email_verified_at as emailVerifiedAt',
] as const;

export function findAccount(db: Executor, id: string): Promise<AccountRecord | undefined> {
  return db
    .selectFrom('users')
    .select(accountColumns)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Inserts a new person with role 'user'; undefined when the address already has an account. */
export async function insertUserIfNew(
  db: Executor,
  user: { email: string; emailNormalized: string; displayName: string; passwordHash: string; locale: 'en' | 'es' },
): Promise<string | undefined> {
  const row = await db
    .insertInto('users')
    .values({
      email: user.email,
      email_normalized: user.emailNormalized,
      display_name: user.displayName,
      password_hash: user.passwordHash,
      role: 'user',
      locale: user.locale,
      email_verified_at: null,
    })
    .onConflict((oc) => oc.column('email_normalized').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export type EmailTokenPurpose = 'verify_email' | 'reset_password' | 'change_email';

export async function insertEmailToken(
  db: Executor,
  token: { tokenHash: string; userId: string; purpose: EmailTokenPurpose; newEmail: string | null; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('email_tokens')
    .values({ token_hash: token.tokenHash, user_id: token.userId, purpose: token.purpose, new_email: token.newEmail, expires_at: token.expiresAt })
    .execute();
}

/** Makes every unused token of this purpose unusable. */
export async function invalidateEmailTokens(db: Executor, userId: string, purposes: EmailTokenPurpose[]): Promise<void> {
  await db
    .updateTable('email_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('purpose', 'in', purposes)
    .where('used_at', 'is', null)
    .execute();
}

/** A token that is still usable (unused, unexpired, of this purpose), without using it. */
export function findUsableEmailToken(
  db: Executor,
  tokenHash: string,
  purpose: EmailTokenPurpose,
): Promise<{ userId: string; newEmail: string | null } | undefined> {
  return db
    .selectFrom('email_tokens')
    .select(['user_id as userId', 'new_email as newEmail'])
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** Uses a token: one statement, so two concurrent uses cannot both succeed. */
export function consumeEmailToken(
  db: Executor,
  tokenHash: string,
  purpose: EmailTokenPurpose,
): Promise<{ userId: string; newEmail: string | null } | undefined> {
  return db
    .updateTable('email_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['user_id as userId', 'new_email as newEmail'])
    .executeTakeFirst();
}

/** Marks the address verified, only if it is still the person's address. */
export async function markEmailVerified(db: Executor, userId: string, emailNormalized: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ email_verified_at: sql<Date>`coalesce(email_verified_at, now())`, updated_at: sql<Date>`now()` })
    .where('id', '=', userId)
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updatePasswordHash(db: Executor, userId: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, password_changed_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', userId)
    .execute();
}

/** Gives the person a new, verified address, unless another account holds it; false then. */
export async function updateEmail(db: Executor, userId: string, email: string, emailNormalized: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ email, email_normalized: emailNormalized, email_verified_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', userId)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('users as other').select('other.id').where('other.email_normalized', '=', emailNormalized).where('other.id', '<>', userId))),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Ends the person's sessions, all of them or all but one; returns how many ended. */
export async function deleteSessionsOfUser(db: Executor, userId: string, exceptTokenHash?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (exceptTokenHash !== undefined) query = query.where('token_hash', '<>', exceptTokenHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Ends one session of this person; false when it was not theirs or already gone. */
export async function deleteSessionOfUser(db: Executor, userId: string, tokenHash: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).where('token_hash', '=', tokenHash).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Revokes every personal API token of the person; returns how many there were. */
export async function deleteApiTokensOfUser(db: Executor, userId: string): Promise<number> {
  const result = await db.deleteFrom('api_tokens').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Sign-ins half done (password checked, second factor pending) no longer count once the password changes. */
export async function deleteLoginChallenges(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('login_challenges').where('user_id', '=', userId).execute();
}

export interface SessionListing {
  tokenHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  deviceHint: string | null;
}

/** The person's live sessions, most recently used first. */
export function listSessionsOfUser(db: Executor, userId: string): Promise<SessionListing[]> {
  return db
    .selectFrom('sessions')
    .select(['token_hash as tokenHash', 'created_at as createdAt', 'last_seen_at as lastSeenAt', 'device_hint as deviceHint'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('last_seen_at', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

export function findAccountByEmail(db: Executor, emailNormalized: string): Promise<AccountRecord | undefined> {
  return db
    .selectFrom('users')
    .select(accountColumns)
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst();
}

/** Deletes e-mail links that expired more than a day ago, used or not. */
export async function deleteExpiredEmailTokens(db: Executor): Promise<number> {
  const result = await db.deleteFrom('email_tokens').where('expires_at', '<', sql<Date>`now() - interval '1 day'`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
