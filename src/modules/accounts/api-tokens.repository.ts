import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';
import { utcText } from '../../db/sql.js';

export interface ApiTokenRecord {
  id: string;
  name: string;
  scope: 'read' | 'write';
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
}

/** The live token with this hash and its owner, unless the owner is suspended. */
export async function findLiveToken(
  db: Executor,
  tokenHash: string,
): Promise<{ id: string; scope: 'read' | 'write'; lastUsedAt: Date | null; user: { id: string; displayName: string; role: 'user' | 'moderator' | 'admin'; locale: 'en' | 'es' | null; confirmed: boolean } } | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id as id',
      'api_tokens.scope as scope',
      'api_tokens.last_used_at as lastUsedAt',
      'users.id as userId',
      'users.display_name as displayName',
      'users.role as role',
      'users.locale as locale',
      sql<boolean>`users.email_verified_at is not null`.as('confirmed'),
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', sql<Date>`now()`)]))
    .where('users.suspended_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, scope: row.scope, lastUsedAt: row.lastUsedAt, user: { id: row.userId, displayName: row.displayName, role: row.role, locale: row.locale, confirmed: row.confirmed } };
}

export async function touchToken(db: Executor, id: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

export async function insertToken(db: Executor, token: { userId: string; name: string; tokenHash: string; scope: 'read' | 'write'; expiresAt: Date | null }): Promise<string> {
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: token.userId, name: token.name, token_hash: token.tokenHash, scope: token.scope, expires_at: token.expiresAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function listTokens(db: Executor, userId: string, page: { limit?: number; after?: [string, string] } = {}): Promise<Array<ApiTokenRecord & { position: [string, string] }>> {
  let query = db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'scope', 'created_at as createdAt', 'last_used_at as lastUsedAt', 'expires_at as expiresAt', utcText('created_at').as('at')])
    .where('user_id', '=', userId);
  if (page.after) query = query.where(sql<boolean>`(created_at, id) < (${page.after[0]}::timestamptz, ${page.after[1]}::uuid)`);
  query = query.orderBy('created_at', 'desc').orderBy('id', 'desc');
  if (page.limit !== undefined) query = query.limit(page.limit);
  const rows = await query.execute();
  return rows.map(({ at, ...row }) => ({ ...row, position: [at, row.id] as [string, string] }));
}

/** Revokes one of the person's tokens; returns whether it existed. */
export async function deleteToken(db: Executor, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('api_tokens').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** What issuing a token with a password needs to know about the account behind an address. */
export interface TokenCredentials {
  id: string;
  passwordHash: string;
  suspendedAt: Date | null;
  secondFactor: boolean;
  confirmed: boolean;
}

export async function findTokenCredentials(db: Executor, emailNormalized: string): Promise<TokenCredentials | undefined> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'password_hash as passwordHash', 'suspended_at as suspendedAt', 'totp_enabled_at as totpEnabledAt', 'email_verified_at as emailVerifiedAt'])
    .where('email_normalized', '=', emailNormalized)
    .executeTakeFirst();
  if (!row) return undefined;
  return { id: row.id, passwordHash: row.passwordHash, suspendedAt: row.suspendedAt, secondFactor: row.totpEnabledAt !== null, confirmed: row.emailVerifiedAt !== null };
}
