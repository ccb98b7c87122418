import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../../db/client.js';
import { audit } from '../../platform/audit.js';
import type { Viewer } from '../../platform/views/render.js';
import * as repo from './accounts.repository.js';

/** argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), which ASVS 5.0 Appendix C accepts. */
// `algorithm: 2` is Argon2id (the package's const enum cannot be imported under verbatimModuleSyntax).
export const ARGON2_OPTIONS = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 24 * 3_600_000;
/** …and after this long in any case. */
export const SESSION_ABSOLUTE_MS = 30 * 86_400_000;
const TOUCH_EVERY_MS = 5 * 60_000;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

// Verified against when no account matches, so that a wrong address costs the same time as a wrong password.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

/** Addresses compare without case or surrounding space, in Unicode NFC. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** A 256-bit random session token and the SHA-256 digest that is stored instead of it. */
export function newSessionToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates an instance admin, or makes an existing account one with the given password. */
export async function createAdmin(db: Db, input: { email: string; displayName: string; password: string }): Promise<string> {
  const passwordHash = await hashPassword(input.password);
  return db.kysely.transaction().execute(async (trx) => {
    const id = await repo.upsertUser(trx, {
      email: input.email.trim(),
      emailNormalized: normalizeEmail(input.email),
      displayName: input.displayName.trim(),
      passwordHash,
      role: 'admin',
      verified: true,
    });
    await audit(trx, { actorId: null, action: 'admin.created', subjectType: 'user', subjectId: id, details: { via: 'cli' } });
    return id;
  });
}

/** Checks a password and opens a session. Gives nothing away about which part was wrong. */
export async function logIn(
  db: Db,
  input: { email: string; password: string; deviceHint: string | null; requestId: string },
): Promise<{ token: string; userId: string } | undefined> {
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
  const { token, tokenHash } = newSessionToken();
  await db.kysely.transaction().execute(async (trx) => {
    await repo.insertSession(trx, {
      tokenHash,
      userId: user.id,
      expiresAt: new Date(Date.now() + SESSION_ABSOLUTE_MS),
      deviceHint: input.deviceHint,
    });
    await audit(trx, { actorId: user.id, action: 'auth.login', requestId: input.requestId });
  });
  return { token, userId: user.id };
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
