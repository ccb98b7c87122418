import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import type { Viewer } from '../../platform/views/render.js';
import * as repo from './accounts.repository.js';
import { normalizeEmail, verifyPassword } from './accounts.service.js';
import { hashToken, newSessionToken } from './tokens.js';
import * as twoFactorRepo from './two-factor.repository.js';

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 24 * 3_600_000;
/** …and after this long in any case. */
export const SESSION_ABSOLUTE_MS = 30 * 86_400_000;
const TOUCH_EVERY_MS = 5 * 60_000;

/** A challenge for the second factor lives this long after the password step. */
export const LOGIN_CHALLENGE_MS = 5 * 60_000;

/** What a correct password leads to: a session, or, for people with a second factor, a challenge to answer first. */
export type LogInResult =
  | { kind: 'session'; token: string; userId: string }
  | { kind: 'second_factor'; challengeToken: string; userId: string };

/**
 * Checks a password. Without a second factor it opens a session; with one it opens only a
 * short-lived challenge (carrying `next`), so a password alone never signs anyone in.
 * Gives nothing away about which part was wrong.
 */
export async function logIn(
  db: Db,
  input: { email: string; password: string; deviceHint: string | null; requestId: string; next?: string },
): Promise<LogInResult | undefined> {
  const user = await repo.findUserByEmail(db.kysely, normalizeEmail(input.email));
  const ok = await verifyPassword(user?.passwordHash, input.password);
  if (!user || !ok || user.suspendedAt) {
    await audit(db.kysely, {
      actorId: user?.id ?? null,
      action: 'auth.login_failed',
      requestId: input.requestId,
      details: { reason: !user ? 'unknown_account' : user.suspendedAt && ok ? 'suspended' : 'bad_password' },
    });
    return undefined;
  }
  if (await twoFactorRepo.hasTwoFactor(db.kysely, user.id)) {
    const { token, tokenHash } = newSessionToken();
    await db.kysely.transaction().execute(async (trx) => {
      // Abandoned challenges go when the same person starts again, so they never pile up.
      await twoFactorRepo.deleteExpiredLoginChallenges(trx, user.id);
      await twoFactorRepo.insertLoginChallenge(trx, {
        tokenHash,
        userId: user.id,
        nextPath: input.next ?? '/',
        expiresAt: new Date(Date.now() + LOGIN_CHALLENGE_MS),
      });
      await audit(trx, { actorId: user.id, action: 'auth.password_ok', requestId: input.requestId, details: { second_factor: 'required' } });
    });
    return { kind: 'second_factor', challengeToken: token, userId: user.id };
  }
  const token = await openSession(db, { userId: user.id, deviceHint: input.deviceHint, requestId: input.requestId });
  return { kind: 'session', token, userId: user.id };
}

/**
 * Opens a session for someone who has proved who they are (password, and the second factor when
 * they have one): only logIn and the second sign-in step call it.
 */
export async function openSession(
  db: Db,
  input: { userId: string; deviceHint: string | null; requestId: string; secondFactor?: boolean },
): Promise<string> {
  const { token, tokenHash } = newSessionToken();
  await db.kysely.transaction().execute(async (trx) => {
    await repo.insertSession(trx, {
      tokenHash,
      userId: input.userId,
      expiresAt: new Date(Date.now() + SESSION_ABSOLUTE_MS),
      deviceHint: input.deviceHint,
    });
    await audit(trx, {
      actorId: input.userId,
      action: 'auth.login',
      requestId: input.requestId,
      ...(input.secondFactor ? { details: { second_factor: true } } : {}),
    });
  });
  return token;
}

/**
 * A browser that signed in: its cookie value, new unless it already had a well-formed one (which
 * is kept, so one browser is one device), remembered for the account.
 */
export async function rememberDevice(db: Db, userId: string, existing: string | undefined): Promise<string> {
  const token = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : newSessionToken().token;
  await repo.insertKnownDevice(db.kysely, hashToken(token), userId);
  return token;
}

/** Whether the browser's device cookie signed in to the account of this address before. */
export function knownDevice(db: Db, token: string | undefined, email: string): Promise<boolean> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return Promise.resolve(false);
  return repo.isKnownDevice(db.kysely, hashToken(token), normalizeEmail(email));
}

/** The person behind a session token, or undefined when it is unknown, idle too long, expired or suspended. */
export async function resolveSession(db: Db, token: string): Promise<(Viewer & { locale: 'en' | 'es' | null }) | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const tokenHash = hashToken(token);
  const session = await repo.findLiveSession(db.kysely, tokenHash);
  if (!session) return undefined;
  const idle = Date.now() - session.lastSeenAt.getTime();
  if (idle > SESSION_IDLE_MS) {
    await repo.deleteSession(db.kysely, tokenHash);
    return undefined;
  }
  // Writing on every request would turn reads into writes; minutes of precision are enough.
  if (idle > TOUCH_EVERY_MS) await repo.touchSession(db.kysely, tokenHash);
  return { ...session.user };
}

/** Ends a session server-side. */
export async function logOut(db: Db, token: string, actorId: string | undefined, requestId: string): Promise<void> {
  await db.kysely.transaction().execute(async (trx) => {
    await repo.deleteSession(trx, hashToken(token));
    if (actorId) await audit(trx, { actorId, action: 'auth.logout', requestId });
  });
}

/** Remembers a signed-in person's language choice. */
export function setPreferredLocale(db: Db, userId: string, locale: 'en' | 'es'): Promise<void> {
  return repo.updateUserLocale(db.kysely, userId, locale);
}
