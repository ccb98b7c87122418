import { sql } from 'kysely';
import type { Executor } from '../../db/client.js';

/** What the second factor needs to know about a person. */
export interface TwoFactorUser {
  id: string;
  email: string;
  displayName: string;
  passwordHash: string;
  locale: 'en' | 'es' | null;
  suspendedAt: Date | null;
  /** Sealed with Secrets.encrypt('totp', …); null when no setup was started. */
  totpSecret: string | null;
  totpEnabledAt: Date | null;
  totpLastStep: number | null;
}

/** The person and their second-factor state. */
export function findTwoFactorUser(db: Executor, userId: string): Promise<TwoFactorUser | undefined> {
  return db
    .selectFrom('users')
    .select([
      'id',
      'email',
      'display_name as displayName',
      'password_hash as passwordHash',
      'locale',
      'suspended_at as suspendedAt',
      'totp_secret as totpSecret',
      'totp_enabled_at as totpEnabledAt',
      'totp_last_step as totpLastStep',
    ])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** Whether the person has a second factor turned on. */
export async function hasTwoFactor(db: Executor, userId: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('totp_enabled_at').where('id', '=', userId).executeTakeFirst();
  return !!row?.totp_enabled_at;
}

/** Stores a new secret that is not in use yet; refuses (false) when a second factor is already on. */
export async function storePendingSecret(db: Executor, userId: string, sealedSecret: string): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_secret: sealedSecret, totp_enabled_at: null, totp_last_step: null, updated_at: sql<Date>`now()` })
    .where('id', '=', userId)
    .where('totp_enabled_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Turns the pending secret on, unless it changed or is already on (false then). */
export async function enableSecret(db: Executor, userId: string, sealedSecret: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_enabled_at: sql<Date>`now()`, totp_last_step: step, updated_at: sql<Date>`now()` })
    .where('id', '=', userId)
    .where('totp_secret', '=', sealedSecret)
    .where('totp_enabled_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Records a TOTP time step as used, only if it is later than the last one used: two requests
 * racing with the same code cannot both win.
 */
export async function claimTotpStep(db: Executor, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where('totp_enabled_at', 'is not', null)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Forgets the secret, its state and the recovery codes. */
export async function clearTwoFactor(db: Executor, userId: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: sql<Date>`now()` })
    .where('id', '=', userId)
    .execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}

/** Replaces every recovery code of a person with new hashes. */
export async function replaceRecoveryCodes(db: Executor, userId: string, codeHashes: string[]): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  if (codeHashes.length > 0) {
    await db
      .insertInto('recovery_codes')
      .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
      .execute();
  }
}

/** Marks an unused recovery code as used; false when it is unknown or was used already. */
export async function useRecoveryCode(db: Executor, userId: string, codeHash: string): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** How many recovery codes a person has left. */
export async function countUnusedRecoveryCodes(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface LoginChallenge {
  userId: string;
  nextPath: string;
  attempts: number;
}

export async function insertLoginChallenge(
  db: Executor,
  challenge: { tokenHash: string; userId: string; nextPath: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('login_challenges')
    .values({ token_hash: challenge.tokenHash, user_id: challenge.userId, next_path: challenge.nextPath, expires_at: challenge.expiresAt })
    .execute();
}

/** A challenge that has not expired. */
export function findLiveLoginChallenge(db: Executor, tokenHash: string): Promise<LoginChallenge | undefined> {
  return db
    .selectFrom('login_challenges')
    .select(['user_id as userId', 'next_path as nextPath', 'attempts'])
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** Counts one attempt against a live challenge and returns the new count, or undefined when it is gone or used up. */
export async function countChallengeAttempt(db: Executor, tokenHash: string, maxAttempts: number): Promise<number | undefined> {
  const row = await db
    .updateTable('login_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', sql<Date>`now()`)
    .where('attempts', '<', maxAttempts)
    .returning('attempts')
    .executeTakeFirst();
  return row?.attempts;
}

/** Deletes a challenge; true when it was still there (so only one request can finish it). */
export async function deleteLoginChallenge(db: Executor, tokenHash: string): Promise<boolean> {
  const result = await db.deleteFrom('login_challenges').where('token_hash', '=', tokenHash).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Removes the challenges of a person (after the second factor is turned off, for example). */
export async function deleteLoginChallengesOf(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('login_challenges').where('user_id', '=', userId).execute();
}

/** Removes expired challenges, of one person or of everyone. */
export async function deleteExpiredLoginChallenges(db: Executor, userId?: string): Promise<number> {
  let query = db.deleteFrom('login_challenges').where('expires_at', '<=', sql<Date>`now()`);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
