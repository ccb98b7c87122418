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

export function findUserById(db: Executor, id: string): Promise<UserRecord | undefined> {
  return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
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

/** The session and its person, if the session has not expired and the person is not suspended. */
export async function findLiveSession(
  db: Executor,
  tokenHash: string,
): Promise<(SessionRecord & { user: Pick<UserRecord, 'id' | 'displayName' | 'role' | 'locale'> }) | undefined> {
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
    user: { id: row.userId, displayName: row.displayName, role: row.role, locale: row.locale },
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
